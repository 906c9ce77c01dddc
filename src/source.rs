//! Loaded source files, addressed by [`FileId`].

use crate::syntax::span::FileId;

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (or `<stdin>`), used in messages.
    pub name: String,
    pub text: String,
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
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
        });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
}
