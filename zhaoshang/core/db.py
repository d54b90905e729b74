"""Small database helpers shared by the apps."""

from django.db.models import F, Lookup


class AnyOf(Lookup):
    """``field = ANY(%s)``: a list of ids as ONE array parameter on PostgreSQL, ``IN (...)`` elsewhere.

    ``field__in=[500 ids]`` costs milliseconds of Python per query (each value prepared, and
    psycopg re-parses a statement with 500 placeholders that it cannot cache). Used as an
    expression: ``filter(AnyOf(F("contact"), ids))``. Used by the audit redaction, the retention
    purge and crypto-shredding.
    """

    lookup_name = "zs_any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if connection.vendor == "postgresql":
            # One array literal: psycopg would otherwise dump the list element by element.
            if all(type(v) is int for v in values):
                return f"{lhs} = ANY(%s::bigint[])", (*params, "{" + ",".join(map(str, values)) + "}")
            if all(isinstance(v, str) for v in values):
                quoted = ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
                return f"{lhs} = ANY(%s::text[])", (*params, "{" + quoted + "}")
            return f"{lhs} = ANY(%s)", (*params, values)
        if not values:
            return "1 = 0", tuple(params)
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", (*params, *values)


def any_of(field, values):
    return AnyOf(F(field), list(values))
