//! Loaded source files, addressed by [`FileId`].

use crate::syntax::span::{FileId, floor_char_boundary};

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in messages.
    pub name: String,
    pub text: String,
    /// Where each line starts, so that a position is found by a binary
    /// search rather than a scan from the top (messages of a large file).
    line_starts: Vec<usize>,
    /// The text with control and invisible characters masked, when it has
    /// any (see `diagnostics::visible::masked`), for showing its lines.
    masked: Option<String>,
}

impl SourceFile {
    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset);
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The byte offset where a 1-based line starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text as it may be shown on a terminal, byte offsets intact.
    pub fn shown(&self) -> &str {
        self.masked.as_deref().unwrap_or(&self.text)
    }

    /// How many lines the file has.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

/// The largest agreement file read, in bytes: far above any agreement,
/// and a bound on memory when a path names something endless (a device, a
/// file still growing).
pub const MAX_SOURCE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads an agreement file, refusing one larger than [`MAX_SOURCE_BYTES`]
/// and anything but a regular file (a FIFO would block, a device never
/// end).
pub fn read_source(path: &std::path::Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    // Asked before opening: opening a FIFO waits for a writer.
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(MAX_SOURCE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SOURCE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB, far more than any agreement",
                MAX_SOURCE_BYTES / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).expect("fewer than 4 billion files"));
        let text: String = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let masked = match crate::diagnostics::visible::masked(&text) {
            std::borrow::Cow::Owned(masked) => Some(masked),
            std::borrow::Cow::Borrowed(_) => None,
        };
        self.files.push(SourceFile {
            name: name.into(),
            text,
            line_starts,
            masked,
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::span::line_col;

    #[test]
    fn positions_match_a_scan_from_the_top() {
        let text = "ab\nçd\n\nlast é line\n";
        let mut sources = SourceMap::new();
        let id = sources.add("x", text);
        let file = sources.get(id);
        for offset in 0..=text.len() + 3 {
            assert_eq!(file.line_col(offset), line_col(text, offset), "{offset}");
        }
        assert_eq!(file.line_count(), 5);
        assert_eq!(file.line_start(3), 7);
    }
}
