"""A BigQuery stand-in for the tests: BigQuery's SQL translated by sqlglot
into DuckDB's and run on an in-memory DuckDB database, behind the line
protocol of session_protocol.py."""

import duckdb
import sqlglot
from sqlglot import exp

from session_protocol import read_csv_sql, serve


def as_duckdb(node):
    """Where sqlglot's translation changes a type or a name DuckDB does not
    know: BigQuery's DATE_ADD of a DATE is a DATE (DuckDB's date plus an
    interval is a timestamp), its ISOWEEK is DuckDB's WEEK, and its
    CURRENT_DATETIME() the local time without a zone."""
    if isinstance(node, exp.CurrentDatetime):
        return exp.Cast(this=exp.CurrentTimestamp(), to=exp.DataType.build("timestamp"))
    if (
        isinstance(node, exp.DateAdd)
        and isinstance(node.this, exp.Cast)
        and node.this.to.is_type("date")
    ):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("date"))
    if isinstance(node, exp.DateTrunc):
        unit = node.args.get("unit")
        if isinstance(unit, exp.Literal) and unit.this.upper() == "ISOWEEK":
            node = node.copy()
            node.set("unit", exp.Literal.string("WEEK"))
            return node
    return node


def duck(sql):
    """One BigQuery statement as DuckDB's."""
    tree = sqlglot.parse_one(sql, read="bigquery")
    return tree.transform(as_duckdb).sql(dialect="duckdb")


def main():
    connection = duckdb.connect()

    def run_sql(sql):
        result = connection.execute(duck(sql))
        return result.fetchall() if result.description else []

    def load(request):
        # The table's and columns' BigQuery names, as DuckDB's.
        table = duck(f"SELECT * FROM {request['load']}")[len("SELECT * FROM "):]
        names = ", ".join(
            duck(f"SELECT {c} FROM t")[len("SELECT "):-len(" FROM t")]
            for c in request["quoted_columns"]
        )
        connection.execute(
            f"INSERT INTO {table} ({names}) {read_csv_sql(request)}",
            [request["file"]],
        )

    serve(run_sql, load)


main()
