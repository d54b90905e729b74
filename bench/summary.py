"""One line per figure, so that `make bench` can gather every benchmark's results into one table.

A benchmark prints its own readable report as it goes and, for each figure that has a target, calls
``result(...)``. The call prints one extra line, ``BENCH-RESULT {json}``, which ``bench/run_all.py``
collects; run alone, the line is harmless. Figures without a target are reported with ``target=""``
and ``ok=None`` (shown as "report").
"""

import json

PREFIX = "BENCH-RESULT "


def result(figure, *, target, value, ok, bench=None):
    """Print one figure: what was measured, its target in words, the measured value in words, met or not."""
    line = {"figure": figure, "target": target, "value": value, "ok": ok}
    if bench:
        line["bench"] = bench
    print(PREFIX + json.dumps(line, ensure_ascii=False), flush=True)


def parse(line):
    """The figure a BENCH-RESULT line carries, or None for any other line."""
    if not line.startswith(PREFIX):
        return None
    try:
        return json.loads(line[len(PREFIX) :])
    except ValueError:
        return None
