#!/usr/bin/env python
"""`make bench`: every benchmark under bench/, one after another, then one table of all figures.

Each benchmark still runs alone (`.venv/bin/python bench/<name>.py --help`). Here each one runs in
its own process with its default (full) scale unless BENCH_ARGS_<NAME> gives other arguments, e.g.
``BENCH_ARGS_LIST_PAGE="--enterprises 20000"``. Its output is streamed as it comes; the lines it
prints through ``bench/summary.result`` are gathered, and the run ends with a table: figure, target,
result, within target or not. The exit status is 0 when every benchmark ran to its end (a figure
outside its target is reported, not turned into a failure: targets are judged by people, not by CI).

    .venv/bin/python bench/run_all.py [--only list_page,audit] [--skip crypto]
"""

import argparse
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:] = [
    str(BENCH.parent),
    *(p for p in sys.path if Path(p or ".").resolve() != BENCH.parent / "bench"),
]  # not bench/: its requests.py would shadow the requests package

from bench.summary import parse  # noqa: E402

# The benchmarks, in the order they run. A shell script is run with bash.
BENCHMARKS = ["crypto", "files", "list_page", "api", "audit", "purge", "selfservice", "share", "requests", "scorecard"]


def command(name):
    args = shlex.split(os.environ.get(f"BENCH_ARGS_{name.upper()}", ""))
    script = BENCH / f"{name}.py"
    if script.exists():
        return [sys.executable, str(script), *args]
    return ["bash", str(BENCH / f"{name}.sh"), *args]


def run(name):
    """Run one benchmark, streaming its output; returns (exit code, figures, seconds)."""
    figures = []
    start = time.perf_counter()
    with subprocess.Popen(  # noqa: S603 - our own scripts, arguments from the operator's environment
        command(name), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        for line in proc.stdout:
            figure = parse(line)
            if figure is None:
                sys.stdout.write(line)
            else:
                figure.setdefault("bench", name)
                figures.append(figure)
    return proc.returncode, figures, time.perf_counter() - start


def verdict(ok):
    return {True: "within target", False: "OUTSIDE target", None: "report"}[ok]


def table(rows):
    header = ("benchmark", "figure", "target", "result", "verdict")
    cells = [header] + [(r["bench"], r["figure"], r["target"] or "—", r["value"], verdict(r["ok"])) for r in rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    parser.add_argument("--skip", default="", help="comma-separated benchmark names")
    args = parser.parse_args()
    names = [n for n in BENCHMARKS if not args.only or n in args.only.split(",")]
    names = [n for n in names if n not in args.skip.split(",")]
    rows, failed = [], []
    for name in names:
        print(f"\n==== bench/{name} ====", flush=True)
        code, figures, seconds = run(name)
        rows.extend(figures)
        if code != 0:
            failed.append(name)
            rows.append(
                {"bench": name, "figure": "ran to its end", "target": "exit 0", "value": f"exit {code}", "ok": False}
            )
        print(f"==== bench/{name}: exit {code}, {seconds:.0f} s ====", flush=True)
    print("\n" + table(rows))
    if failed:
        print("\nbenchmarks that did not finish: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
