"""Speed figures for egov_rules, with ratios against a baseline measured in the same run.

Baseline: the quickstart methodology's three category totals computed by a hand-written
Python function with the same exact Fraction arithmetic, no checks and no explanations.
The ratio engine/baseline is the price of validation, explanations and next-point hints.

Run: .venv/bin/python benchmarks/bench.py [--sizes 63 630 6300]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import egov_rules

ROOT = Path(__file__).resolve().parent.parent


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


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[63, 630, 6300])
    args = parser.parse_args()

    files = [ROOT / "examples/quickstart.egr", *sorted((ROOT / "methodologies").glob("*.egr"))]
    print("compile (best of 3)")
    for path in files:
        seconds, _ = timed(lambda p=path: egov_rules.load(p))
        print(f"  {path.name:<28} {seconds * 1000:8.1f} ms")

    methodology = egov_rules.load(ROOT / "examples/quickstart.egr")
    print("\nscore quickstart entities (best of 3)")
    print(f"  {'entities':>8}  {'engine':>10}  {'baseline':>10}  {'ratio':>7}  {'per entity':>10}")
    for n in args.sizes:
        entities = make_entities(n)
        engine_s, ranking = timed(lambda e=entities: methodology.evaluate_many(e),
                                  repeat=1 if n > 1000 else 3)
        base_s, totals = timed(lambda e=entities: baseline_totals(e))
        for evaluation in ranking.evaluations:  # the two must agree, or the figures mean nothing
            got = sum((n.points or 0 for n in evaluation.nodes if n.depth == 0), Fraction(0))
            assert got == totals[evaluation.entity], (evaluation.entity, got, totals[evaluation.entity])
        print(f"  {n:>8}  {engine_s:>9.3f}s  {base_s:>9.4f}s  {engine_s / base_s:>6.0f}x  "
              f"{engine_s / n * 1000:>8.2f} ms")


if __name__ == "__main__":
    main()
