"""Lookups that let PostgreSQL use the case indexes.

Django compiles ``name__icontains=q`` to ``UPPER(name::text) LIKE UPPER('%q%')`` on PostgreSQL. The
trigram index on enterprise names (``enterprise_name_trgm_idx``, ``gin (name gin_trgm_ops)``,
migration 0004) is on ``name`` itself, so the planner cannot use it for ``UPPER(name)`` and reads the
whole table. ``name ILIKE '%q%'`` is the same case-insensitive substring match and the trigram
index serves it. On other databases (SQLite for a first look) the lookup is plain ``icontains``.
"""

from django.db.models.lookups import IContains


class TrigramIContains(IContains):
    """``icontains`` written as ``ILIKE`` on PostgreSQL, so that a ``gin_trgm_ops`` index applies.

    The pattern is built exactly as ``icontains`` builds it (``%``, ``_`` and ``\\`` in the value
    are escaped), so the rows matched are the same. Use it as an expression:
    ``queryset.filter(TrigramIContains(F("name"), q))``.
    """

    # Not registered on any field: it is used as an expression. The name stays "icontains" so that
    # the inherited SQL on other databases finds its operator.
    lookup_name = "icontains"

    def as_postgresql(self, compiler, connection):
        lhs_sql, lhs_params = compiler.compile(self.lhs)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"({lhs_sql})::text ILIKE {rhs_sql}", (*lhs_params, *rhs_params)
