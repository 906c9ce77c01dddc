"""Apache Spark for the tests, in local mode (`pip install pyspark`, Java
17), behind the line protocol of the stand-ins (see fakesnow_session.py):
one JSON request per line on standard input, one JSON answer per line on
standard output.

Tables are Parquet tables of an in-memory catalog in a scratch warehouse
folder; the session's time zone is UTC, so that timestamps read and print
as written.
"""

import datetime
import decimal
import json
import os
import sys
import tempfile

from pyspark.sql import SparkSession


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
    warehouse = tempfile.mkdtemp(prefix="pactum-spark-")
    spark = (
        SparkSession.builder.master("local[2]")
        .appName("pactum-tests")
        .config("spark.sql.warehouse.dir", os.path.join(warehouse, "tables"))
        .config("spark.sql.legacy.createHiveTableByDefault", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # The plans of the largest queries (a scorecard of a hundred CTEs)
        # outgrow the default 1 GB heap when Spark ships them to its tasks.
        .config("spark.driver.memory", "4g")
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            if "load" in request:
                table = spark.table(request["load"])
                data = (
                    spark.read.option("header", True)
                    .option("multiLine", True)
                    .option("escape", '"')
                    .csv(request["file"])
                )
                columns = [
                    data[c].cast(table.schema[c].dataType) for c in request["columns"]
                ]
                data.select(*columns).write.insertInto(request["load"])
                answer = {"rows": []}
            else:
                rows = spark.sql(request["sql"]).collect()
                answer = {"rows": [[cell(v) for v in row] for row in rows]}
        except Exception as error:  # the test shows Spark's message
            answer = {"error": f"{type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    spark.stop()


main()
