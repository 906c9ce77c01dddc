//! `pactum fmt`: rewrites files in the canonical layout.
//!
//! A file that does not parse is never touched. Writes go to a temporary
//! file in the same folder, then a rename, so a crash never leaves half a file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::{
    FAILURE, FINDINGS, Failure, SUCCESS, display_name, expand_paths, print_diagnostics, read_input,
};
use crate::source::SourceMap;

pub struct Options {
    pub paths: Vec<PathBuf>,
    pub check: bool,
}

enum Outcome {
    Unchanged,
    Changed,
    Broken,
}

pub fn run(options: &Options) -> Result<u8, Failure> {
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    if paths.iter().any(|p| p == Path::new("-")) {
        if paths.len() > 1 {
            return Err(Failure(
                "`-` (standard input) cannot be combined with other paths".into(),
            ));
        }
        return stdin(options.check);
    }
    let files = expand_paths(&paths)?;
    let (mut changed, mut unchanged, mut broken) = (0usize, 0usize, 0usize);
    let mut io_failed = false;
    for path in &files {
        match one_file(path, options.check) {
            Ok(Outcome::Unchanged) => unchanged += 1,
            Ok(Outcome::Changed) => changed += 1,
            Ok(Outcome::Broken) => broken += 1,
            Err(failure) => {
                eprintln!("pactum: {}", failure.0);
                io_failed = true;
            }
        }
    }
    let verb = if options.check {
        "would be reformatted"
    } else {
        "reformatted"
    };
    let mut summary = vec![
        plural(changed, "file", verb),
        plural(unchanged, "file", "already formatted"),
    ];
    if broken > 0 {
        summary.push(plural(broken, "file", "left alone (errors)"));
    }
    eprintln!("{}", summary.join(", "));
    if io_failed {
        Ok(FAILURE)
    } else if broken > 0 || (options.check && changed > 0) {
        Ok(FINDINGS)
    } else {
        Ok(SUCCESS)
    }
}

fn plural(n: usize, noun: &str, verb: &str) -> String {
    format!("{n} {noun}{} {verb}", if n == 1 { "" } else { "s" })
}

fn stdin(check: bool) -> Result<u8, Failure> {
    let bytes = read_input(Path::new("-"))?;
    let mut sources = SourceMap::new();
    let (id, encoding_error) = crate::decode(&mut sources, "<stdin>", bytes);
    if let Some(d) = encoding_error {
        print_diagnostics(&[d], &sources);
        return Ok(FINDINGS);
    }
    let parsed = crate::parse(&sources, id);
    print_diagnostics(&parsed.diagnostics, &sources);
    let Some(formatted) = crate::format(&sources, id, &parsed) else {
        return Ok(FINDINGS);
    };
    let original = &sources.get(id).text;
    if check {
        if *original != formatted {
            eprint!("{}", short_diff("<stdin>", original, &formatted));
            return Ok(FINDINGS);
        }
        return Ok(SUCCESS);
    }
    super::write_stdout(formatted.as_bytes())?;
    Ok(SUCCESS)
}

fn one_file(path: &Path, check: bool) -> Result<Outcome, Failure> {
    let bytes = read_input(path)?;
    let mut sources = SourceMap::new();
    let name = display_name(path);
    let (id, encoding_error) = crate::decode(&mut sources, &name, bytes);
    if let Some(d) = encoding_error {
        print_diagnostics(&[d], &sources);
        return Ok(Outcome::Broken);
    }
    let parsed = crate::parse(&sources, id);
    print_diagnostics(&parsed.diagnostics, &sources);
    let Some(formatted) = crate::format(&sources, id, &parsed) else {
        return Ok(Outcome::Broken);
    };
    let original = &sources.get(id).text;
    if *original == formatted {
        return Ok(Outcome::Unchanged);
    }
    if check {
        eprintln!("would reformat {name}");
        eprint!("{}", short_diff(&name, original, &formatted));
    } else {
        write_atomically(path, formatted.as_bytes())?;
        eprintln!("reformatted {name}");
    }
    Ok(Outcome::Changed)
}

/// A unified diff with a little context, cut after 40 lines.
pub fn short_diff(name: &str, old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(1)
        .header(
            &format!("{name} (original)"),
            &format!("{name} (formatted)"),
        )
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    const MAX: usize = 40;
    if lines.len() <= MAX {
        return text;
    }
    format!(
        "{}\n... ({} more diff lines)\n",
        lines[..MAX].join("\n"),
        lines.len() - MAX
    )
}

/// Writes to a temporary file beside `path`, then renames it over `path`,
/// keeping the original permissions; the data is on disk before the rename.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    replace_file(path, contents, true)
}

/// Like [`write_atomically`], for files that can be generated again: readers
/// never see half a file, but the data is not forced to disk first.
pub fn write_generated(path: &Path, contents: &[u8]) -> Result<(), Failure> {
    replace_file(path, contents, false)
}

/// Replaces a file's content all at once. Through a symbolic link, the
/// file it points to is replaced and the link stays; the file keeps its
/// mode and, where the process may set it, its owner; a read-only file is
/// refused rather than replaced.
fn replace_file(path: &Path, contents: &[u8], sync: bool) -> Result<(), Failure> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let existing = std::fs::metadata(&target).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.permissions().readonly())
    {
        return Err(Failure(format!(
            "`{}` is read-only; make it writable (chmod u+w) to have Pactum replace it",
            path.display()
        )));
    }
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("file");
    let temporary = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        if sync {
            file.sync_all()?;
        }
        if let Some(meta) = &existing {
            std::fs::set_permissions(&temporary, meta.permissions())?;
            keep_owner(&temporary, meta)?;
        }
        std::fs::rename(&temporary, &target)
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        Failure::io(path, "write", &e)
    })
}

/// Gives the new file the old one's owner and group, when they differ (a
/// root process would otherwise take the file over). Only root may give a
/// file away: for anyone else a refusal leaves the file theirs, as any
/// editor's save would.
#[cfg(unix)]
fn keep_owner(file: &Path, old: &std::fs::Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let new = std::fs::metadata(file)?;
    if (new.uid(), new.gid()) == (old.uid(), old.gid()) {
        return Ok(());
    }
    match std::os::unix::fs::chown(file, Some(old.uid()), Some(old.gid())) {
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => Ok(()),
        other => other,
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &Path, _old: &std::fs::Metadata) -> std::io::Result<()> {
    Ok(())
}
