//! Result files: one CSV and one JSON file per query, named after it, with
//! the manifest's columns. `pactum run` writes them; `pactum report
//! --results` reads the CSV files back, whichever engine produced them.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Cell, DataError, Table};
use crate::diagnostics::codes;
use crate::sql::plan::{ColumnKind, OutputColumn, Planned};

/// A number as text: integers without a point, others in the shortest form
/// that reads back as the same value.
pub fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Null => String::new(),
        Cell::Integer(n) => n.to_string(),
        Cell::Number(x) => number_text(*x),
        Cell::Text(t) => t.clone(),
    }
}

/// What a spreadsheet reads as the start of a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether a text value, past any leading apostrophes, starts like a
/// formula.
fn formula_like(text: &str) -> bool {
    text.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A text cell as a result file writes it: one that would start a formula
/// in a spreadsheet (`=`, `+`, `-`, `@`, a tab, a carriage return, after
/// any apostrophes) gets a `'` in front, which spreadsheets show as text.
/// Reading result files back takes it off again; the JSON files keep the
/// raw value.
fn spreadsheet_safe(text: &str) -> String {
    if formula_like(text) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// RFC 4180: quoted when the field holds a comma, a quote or a line break.
fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// A table as CSV; an empty field is NULL.
pub fn to_csv(table: &Table) -> String {
    let mut out = Vec::new();
    write_csv(&mut out, table).expect("writing to memory");
    String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
}

/// Writes a table as CSV, a row at a time.
fn write_csv(out: &mut impl std::io::Write, table: &Table) -> std::io::Result<()> {
    let names: Vec<String> = table.columns.iter().map(|c| csv_field(&c.name)).collect();
    writeln!(out, "{}", names.join(","))?;
    for row in &table.rows {
        for (i, cell) in row.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            let field = match cell {
                Cell::Text(t) => csv_field(&spreadsheet_safe(t)),
                other => csv_field(&cell_text(other)),
            };
            out.write_all(field.as_bytes())?;
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// A table's rows as JSON objects, serialized a row at a time (the same
/// text as [`rows_json`]: keys in the order of their names).
struct JsonRows<'a> {
    table: &'a Table,
    /// Column positions, by name.
    order: Vec<usize>,
}

struct JsonRow<'a> {
    table: &'a Table,
    order: &'a [usize],
    row: &'a [Cell],
}

struct JsonCell<'a>(&'a Cell);

impl serde::Serialize for JsonRows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.table.rows.len()))?;
        for row in &self.table.rows {
            seq.serialize_element(&JsonRow {
                table: self.table,
                order: &self.order,
                row,
            })?;
        }
        seq.end()
    }
}

impl serde::Serialize for JsonRow<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.order.len()))?;
        for &i in self.order {
            map.serialize_entry(&self.table.columns[i].name, &JsonCell(&self.row[i]))?;
        }
        map.end()
    }
}

impl serde::Serialize for JsonCell<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Cell::Null => serializer.serialize_unit(),
            Cell::Integer(n) => serializer.serialize_i64(*n),
            // As `Value` has it: a number that is not finite is null.
            Cell::Number(x) if x.is_finite() => serializer.serialize_f64(*x),
            Cell::Number(_) => serializer.serialize_unit(),
            Cell::Text(t) => serializer.serialize_str(t),
        }
    }
}

/// Writes a table's rows as pretty JSON (as `rows_json` prints), a row at a
/// time.
fn write_json(out: &mut impl std::io::Write, table: &Table) -> std::io::Result<()> {
    let mut order: Vec<usize> = (0..table.columns.len()).collect();
    order.sort_by(|&a, &b| table.columns[a].name.cmp(&table.columns[b].name));
    serde_json::to_writer_pretty(&mut *out, &JsonRows { table, order })?;
    out.write_all(b"\n")
}

pub fn cell_json(cell: &Cell) -> Value {
    match cell {
        Cell::Null => Value::Null,
        Cell::Integer(n) => (*n).into(),
        Cell::Number(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
        Cell::Text(t) => t.clone().into(),
    }
}

/// A table's rows as JSON objects keyed by column name.
pub fn rows_json(table: &Table) -> Value {
    Value::Array(
        table
            .rows
            .iter()
            .map(|row| {
                Value::Object(
                    table
                        .columns
                        .iter()
                        .zip(row)
                        .map(|(c, cell)| (c.name.clone(), cell_json(cell)))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// Writes every table to `out` (`<query>.csv`, `<query>.json`), replacing
/// what was there only once everything is written: the files go to a
/// fresh folder beside `out`, which then takes its place. An interrupted
/// run leaves the previous results as they were.
pub fn write_folder(out: &Path, tables: &[Table]) -> std::io::Result<()> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent)?;
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".to_string());
    let staging = parent.join(format!(".{name}.pactum-new-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    std::fs::create_dir(&staging)?;
    let written = (|| {
        let mut files = Vec::with_capacity(tables.len() * 2);
        for table in tables {
            let csv = format!("{}.csv", table.name);
            let mut file = std::io::BufWriter::new(std::fs::File::create(staging.join(&csv))?);
            write_csv(&mut file, table)?;
            std::io::Write::flush(&mut file)?;
            let json_file = format!("{}.json", table.name);
            let mut file =
                std::io::BufWriter::new(std::fs::File::create(staging.join(&json_file))?);
            write_json(&mut file, table)?;
            std::io::Write::flush(&mut file)?;
            files.extend([csv, json_file]);
        }
        // What a later run may replace (`output::claim`).
        std::fs::write(
            staging.join(crate::output::MARKER),
            crate::output::marker("run", &files),
        )?;
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    // Swap: the old folder steps aside, the new one takes its name, then the
    // old one goes.
    let old = parent.join(format!(".{name}.pactum-old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old)?;
    }
    if let Err(e) = std::fs::rename(&staging, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    if had_old {
        std::fs::remove_dir_all(&old)?;
    }
    Ok(())
}

/// Reads `<dir>/<query>.csv` for each planned query, typed by its columns.
/// Queries without a file are returned in the second list (their sections
/// are left out of a report). A file that does not fit its query's columns
/// is a data error, as the sources' files are for `run`.
pub fn read_folder(
    dir: &Path,
    planned: &[Planned],
) -> Result<(Vec<Table>, Vec<String>), Box<DataError>> {
    let mut tables = Vec::new();
    let mut missing = Vec::new();
    for query in planned {
        let file = dir.join(format!("{}.csv", query.name()));
        if !file.exists() {
            missing.push(query.name());
            continue;
        }
        tables.push(read_table(&file, &query.name(), &query.columns)?);
    }
    Ok((tables, missing))
}

fn read_table(file: &Path, name: &str, columns: &[OutputColumn]) -> Result<Table, Box<DataError>> {
    let error = |code, line: Option<u64>, column: Option<(usize, String)>, message, help| {
        Box::new(DataError {
            code,
            file: Some(file.to_path_buf()),
            line,
            column,
            message,
            help,
        })
    };
    let names = || {
        columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(file)
        .map_err(|e| {
            error(
                codes::MISSING_DATA_FILE,
                None,
                None,
                format!(
                    "the results of `{name}` cannot be read: {}",
                    super::io_text(&e)
                ),
                format!(
                    "export the query's rows as CSV with a header row naming {}",
                    names()
                ),
            )
        })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| {
            error(
                codes::UNREADABLE_ROW,
                Some(1),
                None,
                format!("the header row cannot be read: {}", super::csv_text(&e)),
                "save the file as UTF-8 CSV with a header row".to_string(),
            )
        })?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut positions = Vec::new();
    for column in columns {
        let position = header
            .iter()
            .position(|h| *h == column.name)
            .ok_or_else(|| {
                error(
                    codes::MISSING_DATA_COLUMN,
                    Some(1),
                    None,
                    format!("the header has no column `{}`", column.name),
                    format!("the manifest gives `{name}` the columns {}", names()),
                )
            })?;
        positions.push(position);
    }
    let mut rows = Vec::new();
    for record in reader.into_records() {
        let record = record.map_err(|e| {
            error(
                codes::UNREADABLE_ROW,
                e.position().map(|p| p.line()),
                None,
                format!("the row cannot be read: {}", super::csv_text(&e)),
                "every row needs as many fields as the header; quote fields that hold commas"
                    .to_string(),
            )
        })?;
        let line = record.position().map(|p| p.line());
        let mut row = Vec::with_capacity(columns.len());
        for (column, &position) in columns.iter().zip(&positions) {
            let raw = record.get(position).unwrap_or("");
            // A text written with a `'` in front to keep spreadsheets from
            // running it (`spreadsheet_safe`) gets its value back.
            let raw = match raw.strip_prefix('\'') {
                Some(rest) if column.kind == ColumnKind::Text && formula_like(rest) => rest,
                _ => raw,
            };
            // Text, dates and timestamps take any value.
            let expected = match column.kind {
                ColumnKind::Integer => "an integer",
                _ => "a number",
            };
            row.push(parse_cell(raw, column).ok_or_else(|| {
                error(
                    codes::DATA_TYPE,
                    line,
                    Some((position + 1, column.name.clone())),
                    format!("`{raw}` is not {expected}"),
                    format!(
                        "write {expected} as the manifest declares column `{}`, or leave the field empty for no value",
                        column.name
                    ),
                )
            })?);
        }
        rows.push(row);
    }
    Ok(Table {
        name: name.to_string(),
        columns: columns.to_vec(),
        rows,
    })
}

/// A result field by its column's kind. Warehouses write dates and
/// timestamps their own way; the first ten characters of a date are kept.
pub(crate) fn parse_cell(raw: &str, column: &OutputColumn) -> Option<Cell> {
    if raw.is_empty() {
        return Some(Cell::Null);
    }
    Some(match column.kind {
        ColumnKind::Integer => match raw.trim().parse::<i64>() {
            Ok(n) => Cell::Integer(n),
            Err(_) => {
                let x: f64 = raw.trim().parse().ok()?;
                (x.fract() == 0.0).then_some(Cell::Integer(x as i64))?
            }
        },
        ColumnKind::Number => Cell::Number(raw.trim().parse().ok()?),
        ColumnKind::Date => Cell::Text(raw.trim().chars().take(10).collect()),
        ColumnKind::Text | ColumnKind::Timestamp => Cell::Text(raw.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::plan::out;

    #[test]
    fn text_that_would_start_a_formula_is_written_as_text_and_read_back_as_it_was() {
        let values = [
            "=HYPERLINK(\"http://x\",\"y\")",
            "+1",
            "-x",
            "@SUM(A1)",
            "\tTab",
            "'=already quoted",
            "'plain apostrophe",
            "plain",
            "a, b",
        ];
        let table = Table {
            name: "t".to_string(),
            columns: vec![out("v", ColumnKind::Text, "a text")],
            rows: values
                .iter()
                .map(|v| vec![Cell::Text(v.to_string())])
                .collect(),
        };
        let csv = to_csv(&table);
        let lines: Vec<&str> = csv.lines().collect();
        // Quoted for its commas and quotes, after the apostrophe.
        assert_eq!(lines[1], r#""'=HYPERLINK(""http://x"",""y"")""#);
        assert_eq!(lines[2], "'+1");
        assert_eq!(lines[3], "'-x");
        assert_eq!(lines[4], "'@SUM(A1)");
        assert_eq!(lines[6], "''=already quoted");
        assert_eq!(lines[7], "'plain apostrophe");
        assert_eq!(lines[8], "plain");
        // No field a spreadsheet would run.
        for line in &lines[1..] {
            let field = line.trim_start_matches('"');
            assert!(!field.starts_with(FORMULA_STARTS), "{line}");
        }
        // Read back: the values as they were; the JSON never changed them.
        let dir = std::env::temp_dir().join(format!("pactum-formula-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("t.csv");
        std::fs::write(&file, &csv).unwrap();
        let back = read_table(&file, "t", &table.columns).unwrap();
        assert_eq!(back.rows, table.rows);
        assert_eq!(rows_json(&table)[0]["v"], values[0]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
