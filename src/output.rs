//! Folders Pactum fills (`run --out`, `demo`): it writes into a folder only
//! when the folder is new, empty, or holds nothing but what an earlier
//! Pactum command wrote there, as its marker file lists. A folder of
//! someone else's files (the data itself, a project root, `.`) and an
//! existing file are refused before anything runs, so nothing Pactum did
//! not write is ever replaced or deleted.

use std::path::Path;

/// The file Pactum leaves in every folder it fills: the command that
/// wrote it, then one written file name a line.
pub const MARKER: &str = ".pactum-output";

/// Whether `dir` may be filled by `command` (`run`, `demo`, `compile`): refuses an
/// existing file, and a folder holding anything an earlier Pactum command
/// did not write there.
pub fn claim(dir: &Path, command: &str) -> Result<(), String> {
    let shown = dir.display();
    let meta = match std::fs::symlink_metadata(dir) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot read `{shown}`: {e}")),
    };
    if !meta.is_dir() {
        return Err(format!(
            "`{shown}` is not a folder; `pactum {command}` writes a folder of files: give a new or empty folder"
        ));
    }
    let mut entries: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read the folder `{shown}`: {e}"))?
        .map(|entry| {
            entry
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .map_err(|e| format!("cannot read the folder `{shown}`: {e}"))
        })
        .collect::<Result<_, _>>()?;
    if entries.is_empty() {
        return Ok(());
    }
    entries.sort();
    let Ok(marker) = std::fs::read_to_string(dir.join(MARKER)) else {
        return Err(format!(
            "`{shown}` holds files that Pactum did not write (such as `{}`); `pactum {command}` writes only into a new or empty folder, or one it filled before",
            entries[0]
        ));
    };
    let mut lines = marker.lines();
    let filled_by = lines.next().unwrap_or("");
    if filled_by != format!("pactum {command}") {
        // `demo` data is `run`'s input: never its output.
        return Err(format!(
            "`{shown}` was filled by `{filled_by}`, not by `pactum {command}`; give `pactum {command}` a folder of its own"
        ));
    }
    let ours: Vec<&str> = lines.collect();
    if let Some(foreign) = entries
        .iter()
        .find(|e| e.as_str() != MARKER && !ours.contains(&e.as_str()))
    {
        return Err(format!(
            "`{shown}` holds `{foreign}`, which Pactum did not write there; move it elsewhere or give another folder"
        ));
    }
    Ok(())
}

/// Writes the marker of a folder `command` filled: `files` it wrote now,
/// with the files an earlier fill listed that are still there (a compile
/// of another dialect adds to the folder).
pub fn mark(dir: &Path, command: &str, files: &[String]) -> std::io::Result<()> {
    let mut listed: Vec<String> = files.to_vec();
    if let Ok(earlier) = std::fs::read_to_string(dir.join(MARKER)) {
        listed.extend(
            earlier
                .lines()
                .skip(1)
                .filter(|f| dir.join(f).exists())
                .map(str::to_string),
        );
    }
    listed.sort();
    listed.dedup();
    std::fs::write(dir.join(MARKER), marker(command, &listed))
}

/// The marker's text for `files` written by `command`.
pub fn marker(command: &str, files: &[String]) -> String {
    let mut text = format!("pactum {command}\n");
    for file in files {
        text.push_str(file);
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("pactum-claim-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn new_empty_and_own_folders_may_be_filled() {
        let dir = scratch("own");
        claim(&dir, "run").unwrap();
        std::fs::create_dir_all(&dir).unwrap();
        claim(&dir, "run").unwrap();
        std::fs::write(dir.join("a.csv"), "x\n").unwrap();
        std::fs::write(dir.join(MARKER), marker("run", &["a.csv".to_string()])).unwrap();
        claim(&dir, "run").unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn foreign_files_and_files_for_folders_are_refused() {
        let dir = scratch("foreign");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("orders.csv"), "x\n").unwrap();
        let refused = claim(&dir, "run").unwrap_err();
        assert!(refused.contains("`orders.csv`"), "{refused}");
        // Listed files are ours; anything else is not.
        std::fs::write(dir.join(MARKER), marker("run", &["orders.csv".to_string()])).unwrap();
        claim(&dir, "run").unwrap();
        std::fs::create_dir(dir.join("notes")).unwrap();
        let refused = claim(&dir, "run").unwrap_err();
        assert!(
            refused.contains("`notes`, which Pactum did not write"),
            "{refused}"
        );
        // Another command's folder is not this one's.
        let refused = claim(&dir, "demo").unwrap_err();
        assert!(refused.contains("was filled by `pactum run`"), "{refused}");
        let file = dir.join("orders.csv");
        let refused = claim(&file, "demo").unwrap_err();
        assert!(refused.contains("is not a folder"), "{refused}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
