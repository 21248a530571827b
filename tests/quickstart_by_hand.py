"""The quickstart methodology's rules written by hand in exact Fractions: the oracle of the
differential test (`test_differential.py`), and generated quickstart entities.

It used to be the benchmark's baseline; a baseline in Fractions flatters the engine, so the
benchmark now compares with a float function (`benchmarks/handwritten.py`), and this exact one
stays here, where equality to the last digit is what matters."""

from __future__ import annotations

import random
from fractions import Fraction
from typing import Any


def make_entities(n: int, seed: int = 7) -> dict[str, dict[str, Any]]:
    rng = random.Random(seed)
    entities: dict[str, dict[str, Any]] = {}
    for i in range(n):
        staff = rng.randint(0, 3000)
        units = rng.randint(0, 40)
        entities[f"entity-{i:05d}"] = {
            "block": "ministry" if i % 3 == 0 else "province",
            "staff": staff, "staff_with_pc": rng.randint(0, staff),
            "bandwidth_mbps": rng.randint(0, 5000), "units": units,
            "units_on_wan": rng.randint(0, units), "has_backup": rng.random() < 0.7,
            "has_firewall": rng.random() < 0.6, "has_monitoring": rng.random() < 0.4,
            "incidents": rng.randint(0, 8), "online_share": rng.randint(0, 100),
            "portal_level": rng.randint(1, 4), "hosting": rng.choice(["own", "cloud", "none"]),
            "meetings": rng.randint(0, 6), "it_staff": rng.randint(0, 15),
            "trained_share": rng.randint(0, 100),
        }
    return entities


def baseline_totals(entities: dict[str, dict[str, Any]]) -> dict[str, Fraction]:
    """The quickstart's category points, written by hand (the rules in plain Python)."""
    def ratio(a: int, b: int) -> Fraction:
        return Fraction(0) if b == 0 else Fraction(a, b)

    best: dict[str, Fraction] = {}
    for e in entities.values():
        bw = ratio(e["bandwidth_mbps"], e["staff"])
        best[e["block"]] = max(best.get(e["block"], Fraction(0)), bw)
    totals: dict[str, Fraction] = {}
    for name, e in entities.items():
        infra = min(ratio(e["staff_with_pc"], e["staff"]), Fraction(1)) * 30
        b = best[e["block"]]
        infra += (min(ratio(e["bandwidth_mbps"], e["staff"]) / b, Fraction(1)) * 30) if b else 0
        if e["units"] > 0:
            infra += min(ratio(e["units_on_wan"], e["units"]), Fraction(1)) * 10
        safeguards = sum(bool(e[k]) for k in ("has_backup", "has_firewall", "has_monitoring"))
        infra += min(5 * safeguards, 15)
        inc = e["incidents"]
        infra += 15 if inc <= 0 else 10 if inc <= 2 else 5 if inc <= 5 else 0
        online = min(max((Fraction(e["online_share"], 100) - Fraction(1, 10)) / Fraction(4, 10),
                         Fraction(0)), Fraction(1)) * 40
        portal = {1: 0, 2: 5, 3: 12, 4: 20}[e["portal_level"]]
        hosting = max({"cloud": 20, "own": 15, "none": 0}[e["hosting"]],
                      10 if e["has_backup"] else 0)
        services = online + portal + hosting
        if e["block"] == "province":
            m = e["meetings"]
            services += 20 if m >= 4 else 15 if m >= 3 else 10 if m >= 2 else 5 if m >= 1 else 0
        specialists = Fraction(min(2 * min(e["it_staff"], 10), 20), 20)
        people = (Fraction(6, 10) * specialists + Fraction(4, 10) * Fraction(e["trained_share"], 100)) * 20
        totals[name] = infra + services + people
    return totals
