//! `pactum parse FILE`: the syntax tree as JSON.

use std::path::Path;

use super::{FINDINGS, Failure, SUCCESS, display_name, print_diagnostics, read_input};
use crate::source::SourceMap;

pub fn run(path: &Path) -> Result<u8, Failure> {
    let bytes = read_input(path)?;
    let mut sources = SourceMap::new();
    let (id, encoding_error) = crate::decode(&mut sources, &display_name(path), bytes);
    if let Some(d) = encoding_error {
        print_diagnostics(&[d], &sources);
        return Ok(FINDINGS);
    }
    let parsed = crate::parse(&sources, id);
    print_diagnostics(&parsed.diagnostics, &sources);
    match parsed.file {
        Some(tree) => {
            let json = serde_json::to_string_pretty(&tree)
                .map_err(|e| Failure(format!("cannot encode JSON: {e}")))?;
            super::write_stdout(format!("{json}\n").as_bytes())?;
            Ok(SUCCESS)
        }
        None => Ok(FINDINGS),
    }
}
