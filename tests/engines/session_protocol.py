"""The line protocol of the engines the tests drive through Python
(`*_session.py`, see `PythonEngine` in mod.rs).

Each line on standard input is a JSON request; each answer is one JSON
line on standard output:
  {"sql": "..."}                 -> {"rows": [[cell, ...], ...]}
  {"load": TABLE, "columns": [...], "quoted_columns": [...], "file": CSV}
                                 -> {"rows": []} (the file's rows inserted
                                    into TABLE; an empty field is NULL)
  any failure                    -> {"error": "..."}
Cells are text (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS`,
booleans `true`/`false`) or null.
"""

import datetime
import decimal
import json
import sys


def cell(value):
    """A result value as the tests compare it."""
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


def serve(run_sql, load):
    """Answers requests until standard input ends: `run_sql(sql)` returns
    the rows of one statement, `load(request)` loads a file."""
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "load" in request:
                load(request)
                answer = {"rows": []}
            else:
                rows = run_sql(request["sql"])
                answer = {"rows": [[cell(v) for v in row] for row in rows]}
        except Exception as error:  # the test shows the engine's message
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def read_csv_sql(request):
    """DuckDB's reading of a load request's file: the columns named, as
    text, an empty field NULL."""
    read = ", ".join('"' + c.replace('"', '""') + '"' for c in request["columns"])
    return (
        f"SELECT {read} FROM read_csv(?, header = true, all_varchar = true, "
        "nullstr = '', quote = '\"', escape = '\"')"
    )
