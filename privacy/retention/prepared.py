"""Queries compiled once and run again with other ids: the retention purge's per-batch claims and re-checks."""

from django.db import connections
from django.db.models.query import FlatValuesListIterable


class Prepared:
    """A queryset compiled once and run again with other ids (PostgreSQL; elsewhere it is rebuilt).

    ``Prepared(build, using)(a, b…)`` returns what ``build(a, b…)`` — a ``values_list`` queryset
    whose arguments are ints or lists of ints (passed with `any_of`) — would return, without
    building and compiling the queryset again: compiling the claim and the hold re-checks (nested
    Exists over holds, flags and projects) cost more Python time per batch than PostgreSQL took
    to run them. Built once with sentinel arguments; their parameters are located in the compiled
    SQL and replaced on each call. Anything not passed as an argument (rule, `now`, held ids) is
    fixed, so an instance lives for one rule of one run. If a sentinel cannot be located, it
    falls back to building the queryset each time.
    """

    _SENTINELS = (-9_170_000_001, -9_170_000_002, -9_170_000_003, -9_170_000_004)

    def __init__(self, build, using):
        self.build = build
        self.using = using
        self.compiled = None

    @staticmethod
    def _render(value):
        if isinstance(value, (list, tuple, set, frozenset)):
            return "{" + ",".join(str(int(v)) for v in value) + "}"
        return int(value)

    def _compile(self, args):
        sentinels = [
            [s] if isinstance(a, (list, tuple, set, frozenset)) else s
            for a, s in zip(args, self._SENTINELS, strict=False)
        ]
        queryset = self.build(*sentinels)
        sql, params = queryset.query.get_compiler(using=self.using).as_sql()
        marks = [self._render(s) for s in sentinels]
        slots = [(i, k) for i, p in enumerate(params) for k, m in enumerate(marks) if type(p) is type(m) and p == m]
        if {k for _i, k in slots} != set(range(len(marks))):
            return False
        flat = queryset._iterable_class is FlatValuesListIterable
        return sql, list(params), slots, flat

    def __call__(self, *args):
        connection = connections[self.using]
        if connection.vendor != "postgresql" or len(args) > len(self._SENTINELS):
            return list(self.build(*args))
        if self.compiled is None:
            self.compiled = self._compile(args)
        if not self.compiled:
            return list(self.build(*args))
        sql, params, slots, flat = self.compiled
        params = list(params)
        for i, k in slots:
            params[i] = self._render(args[k])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return [row[0] for row in rows] if flat else [tuple(row) for row in rows]
