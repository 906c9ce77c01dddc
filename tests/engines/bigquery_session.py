"""A BigQuery stand-in session for the tests: BigQuery's SQL translated by
sqlglot into DuckDB's and run on an in-memory DuckDB database, behind the
same line protocol as fakesnow_session.py.

Each line on standard input is a JSON request; each answer is one JSON
line on standard output:
  {"sql": "..."}                 -> {"rows": [[cell, ...], ...]}
  {"load": TABLE, "columns": [...], "quoted_columns": [...], "file": CSV}
                                 -> {"rows": []} (the file's rows inserted;
                                    an empty field is NULL)
  any failure                    -> {"error": "..."}
Cells are text (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS`,
booleans `true`/`false`) or null.
"""

import datetime
import decimal
import json
import sys

import duckdb
import sqlglot
from sqlglot import exp


def cell(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


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
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "load" in request:
                table = duck(f"SELECT * FROM {request['load']}")[len("SELECT * FROM "):]
                names = ", ".join(
                    duck(f"SELECT {c} FROM t")[len("SELECT "):-len(" FROM t")]
                    for c in request["quoted_columns"]
                )
                read = ", ".join('"' + c.replace('"', '""') + '"' for c in request["columns"])
                connection.execute(
                    f"INSERT INTO {table} ({names}) SELECT {read} "
                    "FROM read_csv(?, header = true, all_varchar = true, "
                    "nullstr = '', quote = '\"', escape = '\"')",
                    [request["file"]],
                )
                answer = {"rows": []}
            else:
                result = connection.execute(duck(request["sql"]))
                rows = result.fetchall() if result.description else []
                answer = {"rows": [[cell(v) for v in row] for row in rows]}
        except Exception as error:  # the test shows the stand-in's message
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


main()
