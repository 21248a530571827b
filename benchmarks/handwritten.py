"""The synthetic methodology's rules written by hand: the benchmark's baseline.

What a competent programmer would write for a fixed set of rules without a rules engine: one
function, floats, locals, if/elif chains, the thresholds typed in, no validation, no
explanation. It must agree with `benchmarks/synthetic.py` (the benchmark checks that before
timing anything), so a change to one needs the same change to the other.
"""

from __future__ import annotations

from typing import Any


def score(e: dict[str, Any]) -> dict[str, Any]:
    """Each category's points (out of 100), the weighted overall index (0..1) and its grade.

    `e` is one entity's data as the engine reads it: counts as int, percentages as 0..100,
    yes/no as bool."""
    # Hạ tầng kỹ thuật
    base = e["infra_base"]
    r = e["infra_n1"] / base if base else 0.0
    if r >= 0.9:
        t = 15.0
    elif r > 0.6:
        t = 10.0
    elif r >= 0.3:
        t = 5.0
    else:
        t = 0.0
    r = e["infra_n2"] / base if base else 0.0
    if r > 0.8:
        t += 10.0
    elif r >= 0.4:
        t += 5.0
    r = e["infra_n3"] / base if base else 0.0
    if r >= 1.0:
        t += 10.0
    elif r >= 0.5:
        t += 6.0
    elif r > 0.1:
        t += 2.0
    t += min(2 * e["infra_units1"], 10)
    t += min(5 * e["infra_units2"], 15)
    t += e["infra_share1"] / 10
    t += min(max((e["infra_share2"] - 20) / 60, 0.0), 1.0) * 10
    if e["infra_flag1"]:
        t += 5.0
    if e["infra_flag2"]:
        t += 5.0
    n = e["infra_events"]
    if n >= 10:
        t += 10.0
    elif n >= 5:
        t += 6.0
    elif n >= 1:
        t += 3.0
    infra = t

    # Ứng dụng nội bộ
    base = e["internal_base"]
    r = e["internal_n1"] / base if base else 0.0
    if r >= 0.85:
        t = 15.0
    elif r > 0.5:
        t = 10.0
    elif r >= 0.25:
        t = 5.0
    else:
        t = 0.0
    r = e["internal_n2"] / base if base else 0.0
    if r > 0.75:
        t += 10.0
    elif r >= 0.35:
        t += 5.0
    r = e["internal_n3"] / base if base else 0.0
    if r >= 0.95:
        t += 10.0
    elif r >= 0.45:
        t += 6.0
    elif r > 0.05:
        t += 2.0
    t += min(1 * e["internal_units1"], 10)
    t += min(3 * e["internal_units2"], 15)
    t += e["internal_share1"] / 10
    t += min(max((e["internal_share2"] - 10) / 50, 0.0), 1.0) * 10
    if e["internal_flag1"]:
        t += 5.0
    if e["internal_flag2"]:
        t += 5.0
    n = e["internal_events"]
    if n >= 12:
        t += 10.0
    elif n >= 6:
        t += 6.0
    elif n >= 2:
        t += 3.0
    internal = t

    # Cổng thông tin
    base = e["portal_base"]
    r = e["portal_n1"] / base if base else 0.0
    if r >= 0.8:
        t = 15.0
    elif r > 0.55:
        t = 10.0
    elif r >= 0.2:
        t = 5.0
    else:
        t = 0.0
    r = e["portal_n2"] / base if base else 0.0
    if r > 0.7:
        t += 10.0
    elif r >= 0.3:
        t += 5.0
    r = e["portal_n3"] / base if base else 0.0
    if r >= 0.9:
        t += 10.0
    elif r >= 0.4:
        t += 6.0
    elif r > 0.15:
        t += 2.0
    t += min(2 * e["portal_units1"], 10)
    t += min(5 * e["portal_units2"], 15)
    t += e["portal_share1"] / 10
    t += min(max((e["portal_share2"] - 25) / 50, 0.0), 1.0) * 10
    if e["portal_flag1"]:
        t += 5.0
    if e["portal_flag2"]:
        t += 5.0
    n = e["portal_events"]
    if n >= 8:
        t += 10.0
    elif n >= 4:
        t += 6.0
    elif n >= 1:
        t += 3.0
    portal = t

    # Dịch vụ công trực tuyến
    base = e["services_base"]
    r = e["services_n1"] / base if base else 0.0
    if r >= 0.95:
        t = 15.0
    elif r > 0.7:
        t = 10.0
    elif r >= 0.35:
        t = 5.0
    else:
        t = 0.0
    r = e["services_n2"] / base if base else 0.0
    if r > 0.85:
        t += 10.0
    elif r >= 0.5:
        t += 5.0
    r = e["services_n3"] / base if base else 0.0
    if r >= 1.05:
        t += 10.0
    elif r >= 0.6:
        t += 6.0
    elif r > 0.2:
        t += 2.0
    t += min(1 * e["services_units1"], 10)
    t += min(5 * e["services_units2"], 15)
    t += e["services_share1"] / 10
    t += min(max((e["services_share2"] - 30) / 60, 0.0), 1.0) * 10
    if e["services_flag1"]:
        t += 5.0
    if e["services_flag2"]:
        t += 5.0
    n = e["services_events"]
    if n >= 15:
        t += 10.0
    elif n >= 8:
        t += 6.0
    elif n >= 3:
        t += 3.0
    services = t

    # Cơ chế, chính sách
    base = e["policy_base"]
    r = e["policy_n1"] / base if base else 0.0
    if r >= 0.75:
        t = 15.0
    elif r > 0.5:
        t = 10.0
    elif r >= 0.25:
        t = 5.0
    else:
        t = 0.0
    r = e["policy_n2"] / base if base else 0.0
    if r > 0.65:
        t += 10.0
    elif r >= 0.25:
        t += 5.0
    r = e["policy_n3"] / base if base else 0.0
    if r >= 0.8:
        t += 10.0
    elif r >= 0.35:
        t += 6.0
    elif r > 0.1:
        t += 2.0
    t += min(4 * e["policy_units1"], 10)
    t += min(3 * e["policy_units2"], 15)
    t += e["policy_share1"] / 10
    t += min(max((e["policy_share2"] - 15) / 50, 0.0), 1.0) * 10
    if e["policy_flag1"]:
        t += 5.0
    if e["policy_flag2"]:
        t += 5.0
    n = e["policy_events"]
    if n >= 6:
        t += 10.0
    elif n >= 3:
        t += 6.0
    elif n >= 1:
        t += 3.0
    policy = t

    # Nhân lực
    base = e["people_base"]
    r = e["people_n1"] / base if base else 0.0
    if r >= 0.9:
        t = 15.0
    elif r > 0.65:
        t = 10.0
    elif r >= 0.4:
        t = 5.0
    else:
        t = 0.0
    r = e["people_n2"] / base if base else 0.0
    if r > 0.9:
        t += 10.0
    elif r >= 0.45:
        t += 5.0
    r = e["people_n3"] / base if base else 0.0
    if r >= 1.1:
        t += 10.0
    elif r >= 0.55:
        t += 6.0
    elif r > 0.25:
        t += 2.0
    t += min(2 * e["people_units1"], 10)
    t += min(3 * e["people_units2"], 15)
    t += e["people_share1"] / 10
    t += min(max((e["people_share2"] - 20) / 50, 0.0), 1.0) * 10
    if e["people_flag1"]:
        t += 5.0
    if e["people_flag2"]:
        t += 5.0
    n = e["people_events"]
    if n >= 10:
        t += 10.0
    elif n >= 6:
        t += 6.0
    elif n >= 2:
        t += 3.0
    people = t

    # Weighted mean of the categories' shares (every category is out of 100): weights 20/20/15…
    overall = (20 * infra + 20 * internal + 15 * portal + 15 * services + 15 * policy
               + 15 * people) / 10000
    if overall >= 0.8:
        grade = "Tốt"
    elif overall >= 0.65:
        grade = "Khá"
    elif overall >= 0.5:
        grade = "Trung bình"
    else:
        grade = "Yếu"
    return {"infra": infra, "internal": internal, "portal": portal, "services": services,
            "policy": policy, "people": people, "overall": overall, "grade": grade}
