"""`egov-rules score` and `rank` (CSV) over a large generated CSV file, streamed: wall and CPU
time, rows per second and peak resident memory of each command as a whole process, against a
hand-written baseline (csv.reader and float arithmetic of the same rules, two passes as the
tool makes them) measured in the same run. Nothing is asserted.

Run: .venv/bin/python benchmarks/scale.py [--rows 1000000] [--quick]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "examples" / "quickstart.egr"
COLUMNS = ("staff", "staff_with_pc", "bandwidth_mbps", "units", "units_on_wan", "has_backup",
           "has_firewall", "has_monitoring", "incidents", "online_share", "portal_level",
           "hosting", "meetings", "it_staff", "trained_share")


def write_data(path: Path, rows: int, seed: int = 7) -> None:
    """Quickstart entities (as tests/quickstart_by_hand.py draws them), written as they are
    drawn: the generator must not need the memory the tool is measured for."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(("entity", "block", *COLUMNS))
        for i in range(rows):
            staff, units = rng.randint(0, 3000), rng.randint(0, 40)
            yes = ["yes" if rng.random() < p else "no" for p in (0.7, 0.6, 0.4)]
            writer.writerow((f"entity-{i:07d}", "ministry" if i % 3 == 0 else "province", staff,
                             rng.randint(0, staff), rng.randint(0, 5000), units,
                             rng.randint(0, units), *yes, rng.randint(0, 8), rng.randint(0, 100),
                             rng.randint(1, 4), rng.choice(["own", "cloud", "none"]),
                             rng.randint(0, 6), rng.randint(0, 15), rng.randint(0, 100)))


def run(command: list[str]) -> tuple[float, float, int, int]:
    """(wall s, CPU s, peak RSS in bytes, exit status) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - start, usage.ru_utime + usage.ru_stime,
            usage.ru_maxrss * 1024, child.returncode)


# -- the baseline: the quickstart's rules by hand, floats, two passes --------------------------

BASELINE = r'''
import csv, sys
def ratio(a, b): return 0.0 if b == 0 else a / b
def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.reader(f); next(reader)
        for r in reader:
            yield r[0], r[1], [int(x) if x.isdigit() else x == "yes" if x in ("yes", "no") else x
                               for x in r[2:]]
best = {}
for name, block, v in rows(sys.argv[1]):
    best[block] = max(best.get(block, 0.0), ratio(v[2], v[0]))
grades = lambda x: "Tốt" if x >= 0.8 else "Khá" if x >= 0.5 else "Trung bình"
kept, out = [], []
for name, block, v in rows(sys.argv[1]):
    staff, pc, bw, units, wan, backup, fw, mon, inc, online, portal, hosting, meet, it, trained = v
    infra = min(ratio(pc, staff), 1) * 30
    b = best[block]
    infra += min(ratio(bw, staff) / b, 1) * 30 if b else 0
    infra += min(ratio(wan, units), 1) * 10 if units > 0 else 0
    infra += min(5 * (backup + fw + mon), 15)
    infra += 15 if inc <= 0 else 10 if inc <= 2 else 5 if inc <= 5 else 0
    services = min(max((online / 100 - 0.1) / 0.4, 0), 1) * 40 + {1: 0, 2: 5, 3: 12, 4: 20}[portal]
    services += max({"cloud": 20, "own": 15, "none": 0}[hosting], 10 if backup else 0)
    smax = 80
    if block == "province":
        smax = 100
        services += 20 if meet >= 4 else 15 if meet >= 3 else 10 if meet >= 2 else 5 if meet >= 1 else 0
    people = (0.6 * min(2 * min(it, 10), 20) / 20 + 0.4 * trained / 100) * 20
    i1, i2, i3 = round(infra / 100, 3), round(services / smax, 3), round(people / 20, 3)
    overall = round(0.4 * i1 + 0.4 * i2 + 0.2 * i3, 3)
    kept.append((name, block, i1, i2, i3, overall))
    out.append([name, block, infra, 100, services, smax, people, 20, i1, grades(i1), i2,
                grades(i2), i3, grades(i3), overall, grades(overall)])
ranks = {}
for k in range(2, 6):
    for block in {r[1] for r in kept}:
        values = sorted((r[k] for r in kept if r[1] == block), reverse=True)
        first = {}
        for position, value in enumerate(values):
            first.setdefault(value, position + 1)
        ranks[k, block] = first
with open(sys.argv[2], "w", encoding="utf-8", newline="") as f:
    writer = csv.writer(f, lineterminator="\n")
    for row, r in zip(out, kept):
        writer.writerow(row + [ranks[k, r[1]][r[k]] for k in range(2, 6)])
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true", help="20,000 rows")
    args = parser.parse_args()
    rows = 20_000 if args.quick else args.rows
    with tempfile.TemporaryDirectory() as folder:
        data, output = Path(folder) / "data.csv", Path(folder) / "out.csv"
        start = time.perf_counter()
        write_data(data, rows)
        print(f"{rows:,} rows, {data.stat().st_size / 1e6:.1f} MB, generated in "
              f"{time.perf_counter() - start:.1f} s; methodology {QUICKSTART.name}")
        baseline = [sys.executable, "-c", BASELINE, str(data), str(output)]
        tool = [sys.executable, "-m", "egov_rules"]
        measured = {
            "baseline (csv + floats)": run(baseline),
            "score --format csv": run([*tool, "score", str(QUICKSTART), str(data), "--format",
                                       "csv", "--output", str(output)]),
            "rank --format csv": run([*tool, "rank", str(QUICKSTART), str(data), "--format",
                                      "csv", "--output", str(output)]),
        }
    base_cpu = measured["baseline (csv + floats)"][1]
    print(f"{'':26}{'wall s':>9}{'CPU s':>9}{'rows/s':>10}{'peak RSS':>11}{'× baseline CPU':>16}")
    for name, (wall, cpu, rss, code) in measured.items():
        status = "" if code == 0 else f"  (exit {code})"
        print(f"{name:26}{wall:9.1f}{cpu:9.1f}{rows / wall:10,.0f}{rss / 2**20:8.0f} MiB"
              f"{cpu / base_cpu:15.1f}×{status}")


if __name__ == "__main__":
    main()
