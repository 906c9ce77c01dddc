//! Tables for source data: the `CREATE TABLE` of a source in a dialect, with
//! its physical column names and types. Used to load CSV files into the
//! embedded engine and by the tests that run queries on real engines.

use super::dialect::Dialect;
use super::plan::{Options, table_path};
use crate::syntax::ast::{ColumnType, Source, SourceField};

/// A source's physical columns with their types, in declaration order.
pub fn columns(source: &Source) -> Vec<(String, ColumnType)> {
    source
        .fields
        .iter()
        .filter_map(|f| {
            let (name, physical, ty) = match &f.value {
                SourceField::Customer(c) => (&c.name, &c.physical, ColumnType::Text),
                SourceField::Time(c) => (&c.name, &c.physical, ColumnType::Timestamp),
                SourceField::Id(c) => (&c.name, &c.physical, ColumnType::Text),
                SourceField::Column(c) => (&c.name, &c.physical, c.ty.value),
                _ => return None,
            };
            Some((
                physical
                    .as_ref()
                    .map_or(name.name.clone(), |p| p.value.clone()),
                ty,
            ))
        })
        .collect()
}

/// `CREATE TABLE` for a source's table.
pub fn create_table(source: &Source, dialect: &dyn Dialect, options: &Options) -> String {
    let path: Vec<String> = table_path(source, options)
        .iter()
        .map(|p| dialect.quote_ident(p))
        .collect();
    let columns: Vec<String> = columns(source)
        .iter()
        .map(|(name, ty)| {
            format!(
                "  {} {}",
                dialect.quote_ident(name),
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

/// Indexes that make the attribution join fast on engines without hash
/// joins (SQLite): the customer key and time of a source.
pub fn create_indexes(source: &Source, dialect: &dyn Dialect, options: &Options) -> String {
    let path: Vec<String> = table_path(source, options)
        .iter()
        .map(|p| dialect.quote_ident(p))
        .collect();
    let key = |role: fn(&SourceField) -> Option<&crate::syntax::ast::ColumnRef>| {
        source.fields.iter().find_map(|f| role(&f.value)).map(|c| {
            c.physical
                .as_ref()
                .map_or(c.name.name.clone(), |p| p.value.clone())
        })
    };
    let customer = key(|f| match f {
        SourceField::Customer(c) => Some(c),
        _ => None,
    });
    let time = key(|f| match f {
        SourceField::Time(c) => Some(c),
        _ => None,
    });
    let columns: Vec<String> = customer
        .into_iter()
        .chain(time)
        .map(|c| dialect.quote_ident(&c))
        .collect();
    if columns.is_empty() {
        return String::new();
    }
    // SQLite's form: a table in an attached database takes its index name
    // qualified and its own name bare.
    let (table, schema) = path.split_last().expect("a table path has a name");
    let mut index = schema.to_vec();
    index.push(dialect.quote_ident(&format!("{}_customer_time", source.name.name)));
    format!(
        "CREATE INDEX {} ON {table} ({});\n",
        index.join("."),
        columns.join(", ")
    )
}
