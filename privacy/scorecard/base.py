"""The scorecard's rows and how each is graded.

Each concern owns the rows about its own records: a module `privacy/<concern>/scorecard.py` that
decorates its row functions with `@row(...)`; rows read from another app (audit) live in
`privacy/scorecard/rows_<app>.py`. `rows()` imports every such module once, so a new
concern adds rows without touching this file or the page. A row function takes no argument, runs a
bounded number of queries (the whole card stays within 30 whatever the data size) and returns a
`Result`. A row whose records do not exist yet returns `Result.no_data(...)`: it is never green.

Thresholds come from `settings.SCORECARD_THRESHOLDS[key] = (amber, red)`, falling back to the
defaults the row passes to `grade_max` / `grade_min`.
"""

import contextvars
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.conf import settings

GREEN, AMBER, RED, NO_DATA = "green", "amber", "red", "none"


@dataclass(frozen=True)
class Result:
    level: str  # GREEN, AMBER, RED or NO_DATA
    value: str  # the figure shown, already formatted for the reader
    note: str = ""  # one line saying what the figure means or why there is no data
    drilldown: str = ""  # URL of the records behind the figure ("" when there is none)
    figures: dict = field(default_factory=dict)  # raw numbers kept in the monthly snapshot

    @classmethod
    def no_data(cls, note, drilldown=""):
        return cls(level=NO_DATA, value="—", note=note, drilldown=drilldown)


@dataclass(frozen=True)
class Row:
    key: str  # stable identifier, e.g. "51-training"; used in thresholds and snapshots
    article: str  # e.g. "51" or "44–50"
    title: str  # lazy translated title
    order: int
    compute: object


_ROWS: dict[str, Row] = {}
_LOADED = False


def row(key, *, article, title, order):
    """Register the decorated function as the scorecard row `key`."""

    def decorate(func):
        _ROWS[key] = Row(key=key, article=article, title=title, order=order, compute=func)
        return func

    return decorate


def rows():
    """Every registered row, in card order (loading each concern's `scorecard` module once)."""
    global _LOADED
    if not _LOADED:
        import privacy

        for folder in sorted(Path(privacy.__path__[0]).iterdir()):
            if (folder / "scorecard.py").is_file():
                name = f"privacy.{folder.name}.scorecard"
                import_module(name)
        # Rows read from other apps (audit) live beside the page: privacy/scorecard/rows_<app>.py.
        for module in sorted(Path(__file__).parent.glob("rows_*.py")):
            import_module(f"privacy.scorecard.{module.stem}")
        _LOADED = True
    return sorted(_ROWS.values(), key=lambda r: (r.order, r.key))


def thresholds(key, default):
    return tuple(getattr(settings, "SCORECARD_THRESHOLDS", {}).get(key, default))


def grade_max(value, *, key, default):
    """Lower is better: green below the amber bound, amber below the red bound, red from it on."""
    amber, red = thresholds(key, default)
    return GREEN if value < amber else (AMBER if value < red else RED)


def grade_min(value, *, key, default):
    """Higher is better (coverage rates): green at or above amber's bound, red below red's bound."""
    amber, red = thresholds(key, default)
    return GREEN if value >= amber else (AMBER if value >= red else RED)


_MEMO = contextvars.ContextVar("scorecard_memo", default=None)


def memo(key, compute):
    """`compute()` once per card: rows that read the same figures (any shares at all, the
    agreements in force, the active purposes) share one query while the card is computed
    (`computing()`); called outside it, as in a row's own test, it simply computes."""
    cache = _MEMO.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


class computing:
    """Context manager: the memo of one computation of the card."""

    def __enter__(self):
        self._token = _MEMO.set({})

    def __exit__(self, *exc):
        _MEMO.reset(self._token)
