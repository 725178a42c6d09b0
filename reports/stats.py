"""Statistics in the database: a percentile_cont aggregate that works on PostgreSQL and on SQLite.

PostgreSQL has the ordered-set aggregate `percentile_cont(f) WITHIN GROUP (ORDER BY x)`, which
interpolates linearly between the two closest ranks. SQLite has nothing like it, so on SQLite we register
a Python aggregate of the same name with exactly the same semantics (the embedded development install
and the SQLite test run then give the same numbers as production).
"""

import math

from django.db import connections
from django.db.backends.signals import connection_created
from django.db.models import Aggregate, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.sql import Query


def interpolate(sorted_values: list[float], fraction: float) -> float | None:
    """percentile_cont: the value at rank fraction * (n - 1), interpolated linearly between neighbours."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    low_value = sorted_values[lower]
    return low_value + (sorted_values[upper] - low_value) * (position - lower)


class _SqlitePercentileCont:
    """SQLite aggregate `percentile_cont(value, fraction)`: NULL values are ignored, like in PostgreSQL."""

    def __init__(self):
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction):
        if value is not None:
            self.values.append(float(value))
        self.fraction = float(fraction)

    def finalize(self):
        return interpolate(sorted(self.values), self.fraction)


def register_sqlite_functions(sqlite_connection) -> None:
    sqlite_connection.create_aggregate("percentile_cont", 2, _SqlitePercentileCont)


def _on_connection_created(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        register_sqlite_functions(connection.connection)


connection_created.connect(_on_connection_created, dispatch_uid="reports.stats.percentile_cont")


def prepare_connection(using: str = "default"):
    """The connection to run statistics on, with the SQLite aggregate registered (also when the connection
    was opened before this module was imported, e.g. by a management command's checks)."""
    connection = connections[using]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        register_sqlite_functions(connection.connection)
    return connection


class PercentileCont(Aggregate):
    """The continuous percentile of an expression: PercentileCont("score", 0.25) is the first quartile."""

    function = "percentile_cont"
    name = "PercentileCont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile fraction lies between 0 and 1.")
        # A validated float, so it can be written into the SQL text safely.
        super().__init__(expression, fraction=repr(fraction), **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="%(function)s(%(expressions)s, %(fraction)s)", **extra_context
        )


def percentile_sql(column_sql: str, fraction: float, connection) -> str:
    """The SQL text of PercentileCont over a column of a hand-written query, for the connection's database.

    Percentiles of per-organization averages need a FROM over an aggregated subquery (a CTE), which the ORM
    cannot express; compiling the same Aggregate keeps one definition of the SQL for both databases."""
    compiler = Query(None).get_compiler(connection=connection)
    sql, params = compiler.compile(PercentileCont(RawSQL(column_sql, ()), fraction))  # noqa: S611 (our own column name)
    assert not params
    return sql
