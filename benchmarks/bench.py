"""Speed and memory figures for egov_rules, against a hand-written baseline measured in the same run.

The baseline is `benchmarks/handwritten.py`: the synthetic 60-criterion methodology of
`benchmarks/synthetic.py` written as one plain-Python function over floats. Every scoring
figure is a ratio to its rate, so the figures compare across machines; the absolute
figures (compile, 63 provinces, `egov-rules check`) depend on the machine. Nothing here is
asserted: the summary prints each of issue 9's targets and whether this run meets it.

Run: .venv/bin/python benchmarks/bench.py [--quick] [--sizes 1000 10000]
"""

from __future__ import annotations

import argparse
import gc
import math
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

import egov_rules
from egov_rules import Methodology

try:
    from benchmarks import handwritten, synthetic
except ImportError:  # run as a script: python benchmarks/bench.py puts benchmarks/ on sys.path
    import handwritten
    import synthetic

ROOT = Path(__file__).resolve().parent.parent
CATEGORY_IDS = [c.id for c in synthetic.CATEGORIES]
GRADE_CUTOFFS = [float(t) for t, _ in synthetic.GRADES]
TOLERANCE = 1e-9

Entities = dict[str, dict[str, Any]]


def has_fast_path() -> bool:
    return hasattr(Methodology, "score_many")


def fast_results(methodology: Methodology, entities: Entities) -> Iterable[Any]:
    """The fast path's results in entity order, whether it returns an iterator or a mapping."""
    out = methodology.score_many(entities)
    return out.values() if isinstance(out, Mapping) else out


# -- agreement: without it the ratios compare two different computations --------------------

def disagreements(results: Iterable[Any], entities: Mapping[str, Mapping[str, Any]], path: str,
                  hand: Callable[[dict[str, Any]], dict[str, Any]] = handwritten.score) -> list[str]:
    """Where engine results (read like an Evaluation: `.points(id)`, `.index(id).value`)
    differ from the hand-written function: each category's points, the overall index (both
    within 1e-9) and its grade (skipped within 1e-9 of a cut-off, where floats may round
    either way)."""
    problems: list[str] = []
    names = list(entities)
    results = list(results)
    if len(results) != len(names):
        return [f"{path}: {len(results)} results for {len(names)} entities"]
    for name, result in zip(names, results, strict=True):
        if getattr(result, "entity", name) != name:
            problems.append(f"{path}: result for {result.entity!r} where {name!r} was expected")
            continue
        expected = hand(dict(entities[name]))
        for category in CATEGORY_IDS:
            got = result.points(category)
            if got is None or abs(float(got) - expected[category]) > TOLERANCE:
                problems.append(f"{path} {name}: {category} = {got}, hand-written {expected[category]}")
        index = result.index("overall")
        if index.value is None or abs(float(index.value) - expected["overall"]) > TOLERANCE:
            problems.append(f"{path} {name}: overall = {index.value}, hand-written {expected['overall']}")
        grade = getattr(index, "grade", None)
        near_cutoff = any(abs(expected["overall"] - t) <= TOLERANCE for t in GRADE_CUTOFFS)
        if grade is not None and not near_cutoff and grade != expected["grade"]:
            problems.append(f"{path} {name}: grade {grade!r}, hand-written {expected['grade']!r}")
    return problems


def check_agreement(methodology: Methodology, entities: Entities) -> list[str]:
    """Both engine paths (the fast one when this build has it) against the hand-written one."""
    problems = disagreements(methodology.evaluate_many(entities).evaluations, entities, "explained")
    if has_fast_path():
        problems += disagreements(fast_results(methodology, entities), entities, "fast path")
    return problems


# -- measuring ------------------------------------------------------------------------------

def median_seconds(fn: Callable[[], Any], repeats: int, min_repeat_s: float = 0.0) -> float:
    """Median wall time of one `fn()`; its result is freed after the clock stops, as is
    garbage left by the previous repeat before it starts. A repeat calls `fn` as many times as
    fill `min_repeat_s` (as timeit does), so that a 10 ms run on a shared machine is not at
    the mercy of one scheduler tick: the hand-written rate divides every ratio."""
    number = 1
    if min_repeat_s > 0:                  # calibrate on one call (not for the slow paths)
        start = time.perf_counter()
        fn()
        number = max(1, math.ceil(min_repeat_s / max(time.perf_counter() - start, 1e-9)))
    times: list[float] = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        results = [fn() for _ in range(number)]
        times.append((time.perf_counter() - start) / number)
        del results
    return statistics.median(times)


def traced(fn: Callable[[], Any]) -> tuple[int, int, Any]:
    """(bytes still allocated by `fn`'s result, peak bytes during `fn`, the result)."""
    gc.collect()
    tracemalloc.start()
    try:
        result = fn()
        _, peak = tracemalloc.get_traced_memory()
        gc.collect()        # evaluate_many pauses the collector: count only what the result holds
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return current, peak, result


def consume(results: Iterable[Any]) -> None:
    for _ in results:   # keep nothing: the streamed peak should not grow with the count
        pass


def provinces(count: int = 63, seed: int = 63) -> Entities:
    """`count` valid provinces for vn-ict-2016, varied deterministically from the example
    data's provinces: figures scaled by 0.6–1.4 (shares kept within their wholes and bounds),
    a quarter of the yes/no answers flipped."""
    data = yaml.safe_load((ROOT / "examples/vn-ict-2016-data.yaml").read_text(encoding="utf-8"))
    templates = [e for e in data["entities"].values() if e["block"] == "province"]
    wholes = {"staff_with_pc": "staff", "pcs_paid_av": "pcs", "units_on_wan": "units",
              "email_users": "staff", "it_staff_degree": "it_staff"}
    bounds = {"e_doc_share": 100, "trained_share": 100, "portal_content_items": 10,
              "portal_functions": 5}
    rng = random.Random(seed)
    out: Entities = {}
    for i in range(count):
        entity: dict[str, Any] = {}
        for key, value in templates[i % len(templates)].items():
            if isinstance(value, bool):
                entity[key] = value != (rng.random() < 0.25)
            elif isinstance(value, int | float):
                entity[key] = min(round(value * rng.uniform(0.6, 1.4)), bounds.get(key, 10**9))
            else:
                entity[key] = value
        for part, whole in wholes.items():
            entity[part] = min(entity[part], entity[whole])
        out[f"Tỉnh {i + 1:02d}"] = entity
    return out


def check_command() -> list[str]:
    """The installed `egov-rules` next to this interpreter, else `python -m egov_rules`."""
    script = Path(sys.executable).with_name("egov-rules")
    return [str(script)] if script.exists() else [sys.executable, "-m", "egov_rules"]


def run_seconds(command: list[str], repeats: int) -> float:
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n"
                             f"{done.stdout.decode()}{done.stderr.decode()}")
    return statistics.median(times)


# -- the run --------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run of a few seconds")
    parser.add_argument("--sizes", type=int, nargs="+", help="entity counts (default 1000 10000)")
    args = parser.parse_args()
    quick: bool = args.quick
    sizes: list[int] = sorted(args.sizes or ([100] if quick else [1000, 10000]))
    repeats = 3 if quick else 7                   # hand-written and fast path
    slow_repeats = 3 if quick else 5              # explained path up to 1,000 entities …
    slower_repeats = 3                            # … and above (80 s a run at 10,000 today)
    memory_count = 20 if quick else 200           # explained Evaluations traced
    print(f"egov_rules {egov_rules.__version__}, Python {sys.version.split()[0]}"
          f"{', quick run' if quick else ''}; medians of repeats, ratios to the hand-written "
          "function measured in this run\n")

    source = synthetic.synthetic_source()
    methodology = egov_rules.compile(source, "synthetic.egr")
    if methodology.check():
        raise SystemExit("ABORT: the synthetic methodology has diagnostics:\n"
                         + "\n".join(str(d) for d in methodology.check()))
    criteria = sum(1 for line in source.splitlines() if line.startswith("  criterion "))

    # 1. The hand-written function must compute what the engine computes, or nothing compares.
    problems = check_agreement(methodology, synthetic.make_entities(sizes[0]))
    if problems:
        print("\n".join(problems[:20]), file=sys.stderr)
        raise SystemExit(f"ABORT: the hand-written function disagrees with the engine "
                         f"({len(problems)} differences); the ratios would mean nothing")
    print(f"agreement: hand-written = engine on {sizes[0]:,} entities (6 categories' points and "
          f"the index within 1e-9, grades) for the explained path"
          f"{' and the fast path' if has_fast_path() else ''}")
    if not has_fast_path():
        print("fast path: not available on this build")

    # 2. Scoring rates.
    print(f"\nscoring the synthetic methodology ({criteria} criteria in 6 categories, one block)")
    print(f"  {'path':<13} {'entities':>8} {'repeats':>7} {'µs/entity':>10} {'entities/s':>11} "
          f"{'× hand-written':>14}")
    ratios: dict[str, float] = {}

    def row(path: str, n: int, count: int, seconds: float, hand_s: float) -> float:
        print(f"  {path:<13} {n:>8,} {count:>7} {seconds / n * 1e6:>10.1f} {n / seconds:>11,.0f} "
              f"{hand_s / seconds:>13.4f}×", flush=True)
        return hand_s / seconds

    score = handwritten.score                         # bound once, as a hand-written loop would
    for n in sizes:                                   # the summary reads the last (largest) size
        entities = synthetic.make_entities(n)
        values = list(entities.values())
        hand_s = median_seconds(lambda v=values: [score(e) for e in v], repeats, min_repeat_s=0.2)
        row("hand-written", n, repeats, hand_s, hand_s)
        if has_fast_path():
            fast_s = median_seconds(lambda e=entities: list(fast_results(methodology, e)), repeats,
                                    min_repeat_s=0.2)
            ratios["fast path"] = row("fast path", n, repeats, fast_s, hand_s)
        count = slow_repeats if n <= 1000 else slower_repeats
        explained_s = median_seconds(lambda e=entities: methodology.evaluate_many(e), count)
        ratios["explained"] = row("explained", n, count, explained_s, hand_s)

    # 3. Memory per entity.
    print("\nmemory (tracemalloc)")
    entities = synthetic.make_entities(memory_count)
    methodology.evaluate_many(entities)               # warm caches outside the trace
    retained, peak, ranking = traced(lambda: methodology.evaluate_many(entities))
    json_bytes = statistics.mean(len(ev.model_dump_json().encode()) for ev in ranking.evaluations)
    del ranking
    per_evaluation = retained / memory_count
    print(f"  explained, {memory_count} Evaluations kept: {per_evaluation / 1024:.1f} KB retained "
          f"and {peak / memory_count / 1024:.1f} KB peak per entity; JSON {json_bytes / 1024:.1f} KB "
          "per Evaluation")
    if has_fast_path():
        for n in (memory_count * 5, memory_count * 50):
            streamed = synthetic.make_entities(n)
            _, peak, _ = traced(lambda s=streamed: consume(fast_results(methodology, s)))
            print(f"  fast path, {n:,} streamed, nothing kept: peak {peak / 1024:.1f} KB in all, "
                  f"{peak / n:.0f} B per entity")
    else:
        print("  fast path: not available on this build")

    # 4. Compile time.
    compile_repeats = 3 if quick else 5
    print(f"\ncompile (median of {compile_repeats})")
    files = [(p.name, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "methodologies").glob("*.egr"))]
    for name, text in [*files, (f"synthetic ({criteria} criteria)", source)]:
        seconds = median_seconds(lambda t=text, f=name: egov_rules.compile(t, f), compile_repeats)
        print(f"  {name:<28} {seconds * 1000:8.1f} ms", flush=True)

    # 5. 63 provinces under Decision 62, explained, in-process.
    ict = egov_rules.load(ROOT / "methodologies/vn-ict-2016.egr")
    cohort = provinces()
    ict.evaluate_many(cohort)                          # fails loudly if the data is invalid
    province_repeats = 3 if quick else 9
    provinces_s = median_seconds(lambda: ict.evaluate_many(cohort), province_repeats)
    print(f"\n63 provinces, vn-ict-2016, explained (median of {province_repeats}): "
          f"{provinces_s * 1000:.1f} ms")

    # 6. The whole `check` command, start-up included.
    process_repeats = 3 if quick else 5
    command = [*check_command(), "check", "methodologies/vn-ict-2016.egr"]
    check_s = run_seconds(command, process_repeats)
    python_s = run_seconds([sys.executable, "-c", "pass"], process_repeats)
    # How much of `check` is importing the command line (lark, pydantic, rich) before any work.
    import_s = run_seconds([sys.executable, "-c", "import egov_rules.cli"], process_repeats)
    print(f"\nprocesses (median of {process_repeats})\n"
          f"  egov-rules check methodologies/vn-ict-2016.egr  {check_s:.3f} s\n"
          f"  python -c 'import egov_rules.cli'             {import_s:.3f} s\n"
          f"  python -c pass                                {python_s:.3f} s")

    # 7. The targets.
    largest = f"{sizes[-1]:,} entities"
    fast = ratios.get("fast path")
    rows = [
        (f"fast path, {largest}", "≥ 0.80×", f"{fast:.4f}×" if fast else "not available",
         None if fast is None else fast >= 0.8),
        (f"explained, {largest}", "≥ 0.25×", f"{ratios['explained']:.4f}×", ratios["explained"] >= 0.25),
        ("explained Evaluation kept", "< 20 KB",
         f"{per_evaluation / 1024:.1f} KB (JSON {json_bytes / 1024:.1f} KB)", per_evaluation < 20 * 1024),
        ("63 provinces explained", "< 50 ms", f"{provinces_s * 1000:.1f} ms", provinces_s < 0.05),
        ("egov-rules check (process)", "< 0.5 s", f"{check_s:.3f} s", check_s < 0.5),
    ]
    print(f"\nsummary: issue 9 targets\n  {'figure':<34} {'target':>9} {'this run':>26}  met")
    for label, target, figure, met in rows:
        verdict = "—" if met is None else "yes" if met else "NO"
        print(f"  {label:<34} {target:>9} {figure:>26}  {verdict}")


if __name__ == "__main__":
    main()
