//! Tables for source data: the `CREATE TABLE` of a source in a dialect, with
//! its physical column names and types. Used to load CSV files into the
//! embedded engine and by the tests that run queries on real engines.

use super::dialect::Dialect;
use super::plan::{Options, table_path};
use crate::model::Source;
use crate::vocabulary::ColumnType;

/// A source's physical columns with their types, in declaration order.
pub fn columns(source: &Source<'_>) -> Vec<(String, ColumnType)> {
    source
        .layout
        .iter()
        .map(|&(name, ty)| (name.to_string(), ty))
        .collect()
}

/// `CREATE TABLE` for a source's table.
pub fn create_table(source: &Source<'_>, dialect: &dyn Dialect, options: &Options) -> String {
    let path: Vec<String> = table_path(source, options)
        .iter()
        .map(|p| dialect.source_name(p))
        .collect();
    let columns: Vec<String> = columns(source)
        .iter()
        .map(|(name, ty)| {
            format!(
                "  {} {}",
                dialect.source_name(name),
                dialect.column_type(*ty)
            )
        })
        .collect();
    format!(
        "CREATE TABLE {} (\n{}\n);\n",
        path.join("."),
        columns.join(",\n")
    )
}

/// DuckDB's `INSERT` of a source's rows from a CSV file (`file`, a SQL
/// expression): every field read as text and cast to its column's type,
/// an empty field NULL. The casts read values as Pactum does when they
/// are spelled the plain way (`crate::run::plain_field`).
pub fn duckdb_insert_csv(source: &Source<'_>, options: &Options, file: &str) -> String {
    use super::dialect::DuckDb;
    let path: Vec<String> = table_path(source, options)
        .iter()
        .map(|p| DuckDb.quote_ident(p))
        .collect();
    let wanted = columns(source);
    let names: Vec<String> = wanted.iter().map(|(n, _)| DuckDb.quote_ident(n)).collect();
    let casts: Vec<String> = wanted
        .iter()
        .map(|(n, ty)| {
            format!(
                "CAST({} AS {})",
                DuckDb.quote_ident(n),
                DuckDb.column_type(*ty)
            )
        })
        .collect();
    format!(
        "INSERT INTO {} ({}) SELECT {} FROM read_csv({file}, header = true, all_varchar = true, delim = ',', quote = '\"', escape = '\"', nullstr = '', max_line_size = 8388608);\n",
        path.join("."),
        names.join(", "),
        casts.join(", "),
    )
}

/// Indexes that make the attribution join fast on engines without hash
/// joins (SQLite): the customer key and time of a source.
pub fn create_indexes(source: &Source<'_>, dialect: &dyn Dialect, options: &Options) -> String {
    let path: Vec<String> = table_path(source, options)
        .iter()
        .map(|p| dialect.source_name(p))
        .collect();
    let customer = source.customer.map(|k| k.physical);
    let time = source.time.map(|k| k.physical);
    let columns: Vec<String> = customer
        .into_iter()
        .chain(time)
        .map(|c| dialect.source_name(c))
        .collect();
    if columns.is_empty() {
        return String::new();
    }
    // SQLite's form: a table in an attached database takes its index name
    // qualified and its own name bare.
    let (table, schema) = path.split_last().expect("a table path has a name");
    let mut index = schema.to_vec();
    index.push(dialect.quote_ident(&format!("{}_customer_time", source.name())));
    format!(
        "CREATE INDEX {} ON {table} ({});\n",
        index.join("."),
        columns.join(", ")
    )
}
