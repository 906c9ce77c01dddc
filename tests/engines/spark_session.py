"""Apache Spark for the tests, in local mode (`pip install pyspark`, Java
17), behind the line protocol of session_protocol.py.

Tables are Parquet tables of an in-memory catalog in a scratch warehouse
folder; the session's time zone is UTC, so that timestamps read and print
as written.
"""

import os
import shutil
import tempfile

from pyspark.sql import SparkSession

from session_protocol import serve


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

    def run_sql(sql):
        return spark.sql(sql).collect()

    def load(request):
        table = spark.table(request["load"])
        data = (
            spark.read.option("header", True)
            .option("multiLine", True)
            .option("escape", '"')
            .csv(request["file"])
        )
        columns = [data[c].cast(table.schema[c].dataType) for c in request["columns"]]
        data.select(*columns).write.insertInto(request["load"])

    serve(run_sql, load)
    spark.stop()
    shutil.rmtree(warehouse, ignore_errors=True)


main()
