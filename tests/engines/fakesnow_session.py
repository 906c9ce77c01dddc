"""A Snowflake stand-in session for the tests: fakesnow (Snowflake's SQL
translated by sqlglot and run on DuckDB) behind a line protocol.

Each line on standard input is a JSON request; each answer is one JSON
line on standard output:
  {"sql": "..."}                 -> {"rows": [[cell, ...], ...]}
  {"load": TABLE, "columns": [...], "quoted_columns": [...], "file": CSV}
                                 -> {"rows": []} (the file's rows inserted
                                    by DuckDB underneath; an empty field is
                                    NULL)
  any failure                    -> {"error": "..."}
Cells are text (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS`,
booleans `true`/`false`) or null.
"""

import datetime
import decimal
import json
import sys

import fakesnow
import snowflake.connector


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


def main():
    with fakesnow.patch():
        connection = snowflake.connector.connect(database="pactum", schema="public")
        cursor = connection.cursor()
        for line in sys.stdin:
            request = json.loads(line)
            try:
                if "load" in request:
                    # Loaded by DuckDB underneath: what the stand-in proves
                    # is the queries, and a row at a time through it takes
                    # 5 ms a row.
                    names = ", ".join(request["quoted_columns"])
                    read = ", ".join('"' + c.replace('"', '""') + '"' for c in request["columns"])
                    connection._duck_conn.execute(
                        f"INSERT INTO {request['load']} ({names}) SELECT {read} "
                        "FROM read_csv(?, header = true, all_varchar = true, "
                        "nullstr = '', quote = '\"', escape = '\"')",
                        [request["file"]],
                    )
                    answer = {"rows": []}
                else:
                    cursor.execute(request["sql"])
                    rows = cursor.fetchall() if cursor.description else []
                    answer = {"rows": [[cell(v) for v in row] for row in rows]}
            except Exception as error:  # the test shows the stand-in's message
                answer = {"error": f"{type(error).__name__}: {error}"}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()


main()
