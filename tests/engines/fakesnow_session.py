"""A Snowflake stand-in for the tests: fakesnow (Snowflake's SQL translated
by sqlglot and run on DuckDB), behind the line protocol of
session_protocol.py."""

import fakesnow
import snowflake.connector

from session_protocol import read_csv_sql, serve


def main():
    with fakesnow.patch():
        connection = snowflake.connector.connect(database="pactum", schema="public")
        cursor = connection.cursor()

        def run_sql(sql):
            cursor.execute(sql)
            return cursor.fetchall() if cursor.description else []

        def load(request):
            # Loaded by DuckDB underneath: what the stand-in proves is the
            # queries, and a row at a time through it takes 5 ms a row.
            names = ", ".join(request["quoted_columns"])
            connection._duck_conn.execute(
                f"INSERT INTO {request['load']} ({names}) {read_csv_sql(request)}",
                [request["file"]],
            )

        serve(run_sql, load)


main()
