"""Run every benchmark in bench/ one after another and say which ones missed their targets.

    .venv/bin/python bench/run_all.py [NAME ...]

Every bench/*.py except this file and helper modules (names starting with "_") is a benchmark; each
writes its figures to bench/results/. NAME picks benchmarks by file name (e.g. page_weight). The exit
status is 1 when any benchmark failed or missed a target.
"""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def benchmarks(names: list[str]) -> list[Path]:
    """The benchmark scripts to run, in name order."""
    scripts = sorted(path for path in BENCH.glob("*.py") if path.name != Path(__file__).name
                     and not path.name.startswith("_"))
    if names:
        scripts = [path for path in scripts if path.stem in names]
    return scripts


def main() -> int:
    scripts = benchmarks(sys.argv[1:])
    if not scripts:
        print("no benchmark matches", " ".join(sys.argv[1:]), file=sys.stderr)
        return 1
    outcomes = []
    for script in scripts:
        print(f"\n== {script.name}", flush=True)
        started = time.monotonic()
        status = subprocess.run([sys.executable, str(script)], cwd=ROOT).returncode
        outcomes.append((script.name, status, time.monotonic() - started))
    print("\n== summary")
    for name, status, seconds in outcomes:
        print(f"{name:28} {'ok' if status == 0 else f'FAILED (exit {status})':18} {seconds:6.1f} s")
    return 0 if all(status == 0 for _, status, _ in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
