//! Loading a workspace: the files asked for, every catalog they import
//! (each file loaded and parsed once, however many files import it), the
//! import graph, and `pactum.yaml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::config::{self, Settings};
use crate::diagnostics::{Diagnostic, codes};
use crate::source::SourceMap;
use crate::syntax::ast;
use crate::syntax::span::FileId;

/// One loaded `.pactum` file.
#[derive(Debug)]
pub struct Unit {
    pub file: FileId,
    /// The tree, when the file parsed without errors.
    pub tree: Option<ast::File>,
    /// Loaded units this file imports, in the order of its `use` lines
    /// (imports that failed to load are left out).
    pub imports: Vec<Import>,
    /// Asked for on the command line (as opposed to only imported).
    pub requested: bool,
}

#[derive(Debug, Clone, Copy)]
pub struct Import {
    /// The imported unit.
    pub unit: usize,
    /// Which `use` line of the importing file (an index into `File::uses`).
    pub line: usize,
}

#[derive(Debug, Default)]
pub struct Workspace {
    pub sources: SourceMap,
    pub units: Vec<Unit>,
    pub settings: Settings,
    /// Problems found while loading: syntax errors, imports, `pactum.yaml`.
    pub diagnostics: Vec<Diagnostic>,
}

/// Something that stops loading altogether: a file that cannot be read.
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl Workspace {
    /// Loads `files` (already expanded from folders), their imports and the
    /// `pactum.yaml` found from `config_start` upwards.
    pub fn load(files: &[PathBuf], config_start: &Path) -> Result<Workspace, LoadError> {
        let mut ws = Workspace::default();
        ws.load_settings(config_start)?;
        let mut by_key: HashMap<PathBuf, usize> = HashMap::new();

        // Read every requested file, then parse them on all cores.
        let mut first_new = ws.units.len();
        for path in files {
            let key = canonical(path);
            if by_key.contains_key(&key) {
                continue;
            }
            let bytes = crate::source::read_source(path).map_err(|error| LoadError {
                path: path.clone(),
                error,
            })?;
            let index = ws.add_unit(&path.display().to_string(), bytes, true);
            by_key.insert(key, index);
        }
        ws.parse_new(first_new);

        // Follow `use` lines breadth-first; each new batch is parsed together.
        let mut cursor = 0;
        while cursor < ws.units.len() {
            first_new = ws.units.len();
            while cursor < first_new {
                ws.resolve_imports(cursor, &mut by_key);
                cursor += 1;
            }
            ws.parse_new(first_new);
        }
        ws.check_import_kinds();
        ws.check_cycles();
        Ok(ws)
    }

    fn load_settings(&mut self, start: &Path) -> Result<(), LoadError> {
        let (settings, diagnostics) =
            config::load(start, &mut self.sources).map_err(|error| LoadError {
                path: config::find(start).unwrap_or_else(|| start.to_path_buf()),
                error,
            })?;
        self.settings = settings;
        self.diagnostics.extend(diagnostics);
        Ok(())
    }

    fn add_unit(&mut self, name: &str, bytes: Vec<u8>, requested: bool) -> usize {
        let (file, problem) = crate::decode(&mut self.sources, name, bytes);
        self.diagnostics.extend(problem);
        self.units.push(Unit {
            file,
            tree: None,
            imports: Vec::new(),
            requested,
        });
        self.units.len() - 1
    }

    /// Parses units `from..` in parallel. Files that failed to decode keep
    /// no tree: their one diagnostic says why.
    fn parse_new(&mut self, from: usize) {
        let undecoded: Vec<FileId> = self
            .diagnostics
            .iter()
            .filter(|d| d.code == codes::INVALID_UTF8)
            .filter_map(|d| d.primary_span().map(|s| s.file))
            .collect();
        let jobs: Vec<FileId> = self.units[from..]
            .iter()
            .map(|u| u.file)
            .filter(|f| !undecoded.contains(f))
            .collect();
        let sources = &self.sources;
        let results = parallel_map(&jobs, |file| crate::parse(sources, *file));
        for (file, parsed) in jobs.into_iter().zip(results) {
            let unit = self.units[from..]
                .iter_mut()
                .find(|u| u.file == file)
                .expect("every job comes from a unit");
            unit.tree = parsed.file;
            self.diagnostics.extend(parsed.diagnostics);
        }
    }

    fn resolve_imports(&mut self, index: usize, by_key: &mut HashMap<PathBuf, usize>) {
        let Some(tree) = &self.units[index].tree else {
            return;
        };
        let importer = self.sources.get(self.units[index].file).name.clone();
        let dir = Path::new(&importer)
            .parent()
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let uses: Vec<ast::Use> = tree.uses.clone();
        let mut imports = Vec::new();
        for (line, use_line) in uses.into_iter().enumerate() {
            let path = dir.join(&use_line.path.value);
            let key = canonical(&path);
            if let Some(&existing) = by_key.get(&key) {
                imports.push(Import {
                    unit: existing,
                    line,
                });
                continue;
            }
            match crate::source::read_source(&path) {
                Ok(bytes) => {
                    let loaded = self.add_unit(&path.display().to_string(), bytes, false);
                    by_key.insert(key, loaded);
                    imports.push(Import { unit: loaded, line });
                }
                Err(error) => {
                    let reason = match error.kind() {
                        std::io::ErrorKind::NotFound => "no such file".to_string(),
                        std::io::ErrorKind::IsADirectory => "it is a folder".to_string(),
                        _ => error.to_string(),
                    };
                    let near = near_names(&path);
                    let help = match crate::syntax::expected::closest(
                        &use_line.path.value,
                        &near.iter().map(String::as_str).collect::<Vec<_>>(),
                    ) {
                        Some(name) => format!("did you mean \"{name}\"?"),
                        None => "the path is relative to the folder of this file and uses \
                                 forward slashes"
                            .to_string(),
                    };
                    self.diagnostics.push(
                        Diagnostic::new(
                            codes::MISSING_IMPORT,
                            format!("cannot import \"{}\": {reason}", use_line.path.value),
                        )
                        .with_label(
                            use_line.path.span,
                            format!("looked for `{}`", path.display()),
                        )
                        .with_help(help),
                    );
                }
            }
        }
        self.units[index].imports = imports;
    }

    /// Only catalogs can be imported.
    fn check_import_kinds(&mut self) {
        for unit in &self.units {
            let Some(tree) = &unit.tree else { continue };
            for import in &unit.imports {
                let use_line = &tree.uses[import.line];
                if let Some(ast::File {
                    root: ast::Root::Agreement(agreement),
                    ..
                }) = &self.units[import.unit].tree
                {
                    self.diagnostics.push(
                        Diagnostic::new(
                            codes::IMPORT_NOT_CATALOG,
                            format!("\"{}\" is an agreement, not a catalog", use_line.path.value),
                        )
                        .with_label(use_line.path.span, "imported here")
                        .with_label(agreement.name.span, "this file holds an agreement")
                        .with_help(
                            "only catalogs (sources, events, segments) can be imported; move \
                             the shared definitions into a `catalog` file",
                        ),
                    );
                }
            }
        }
        // Imports of agreements are dropped so that later stages never merge
        // two agreements.
        let is_agreement: Vec<bool> = self
            .units
            .iter()
            .map(|u| matches!(&u.tree, Some(f) if matches!(f.root, ast::Root::Agreement(_))))
            .collect();
        for unit in &mut self.units {
            unit.imports.retain(|i| !is_agreement[i.unit]);
        }
    }

    /// Reports each import cycle once, at the `use` line that closes it.
    fn check_cycles(&mut self) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Open,
            Done,
        }
        let mut marks = vec![Mark::New; self.units.len()];
        let mut found = Vec::new();
        for start in 0..self.units.len() {
            if marks[start] != Mark::New {
                continue;
            }
            // Iterative depth-first search: (unit, next import to visit).
            let mut stack = vec![(start, 0usize)];
            marks[start] = Mark::Open;
            while let Some(&mut (unit, ref mut next)) = stack.last_mut() {
                if let Some(&Import { unit: target, .. }) = self.units[unit].imports.get(*next) {
                    let edge = *next;
                    *next += 1;
                    match marks[target] {
                        Mark::New => {
                            marks[target] = Mark::Open;
                            stack.push((target, 0));
                        }
                        Mark::Open => {
                            let from = stack.iter().position(|&(u, _)| u == target).unwrap_or(0);
                            let mut chain: Vec<usize> =
                                stack[from..].iter().map(|&(u, _)| u).collect();
                            chain.push(target);
                            found.push((unit, edge, chain));
                        }
                        Mark::Done => {}
                    }
                } else {
                    marks[unit] = Mark::Done;
                    stack.pop();
                }
            }
        }
        for (unit, edge, chain) in found {
            let Some(tree) = &self.units[unit].tree else {
                continue;
            };
            let use_line = &tree.uses[self.units[unit].imports[edge].line];
            let names: Vec<String> = chain
                .iter()
                .map(|&u| self.sources.get(self.units[u].file).name.clone())
                .collect();
            self.diagnostics.push(
                Diagnostic::new(
                    codes::IMPORT_CYCLE,
                    format!("import cycle: {}", names.join(" -> ")),
                )
                .with_label(use_line.path.span, "this import closes the cycle")
                .with_help("catalogs may import each other only in one direction; move the shared definitions into a third catalog"),
            );
        }
    }

    /// Every unit reachable through imports from `index`, excluding itself,
    /// in a stable order (depth-first, in `use` order).
    pub fn imported_closure(&self, index: usize) -> Vec<usize> {
        let mut seen = vec![false; self.units.len()];
        seen[index] = true;
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.units[index]
            .imports
            .iter()
            .rev()
            .map(|i| i.unit)
            .collect();
        while let Some(unit) = stack.pop() {
            if std::mem::replace(&mut seen[unit], true) {
                continue;
            }
            out.push(unit);
            stack.extend(self.units[unit].imports.iter().rev().map(|i| i.unit));
        }
        out
    }

    /// The requested units that hold an agreement, in load order.
    pub fn agreements(&self) -> Vec<usize> {
        self.units
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.requested
                    && matches!(
                        &u.tree,
                        Some(ast::File {
                            root: ast::Root::Agreement(_),
                            ..
                        })
                    )
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The scope of unit `index` (parsed) with everything it imports.
    /// Resolution findings are left out: `check` reports them.
    pub fn scope(&self, index: usize) -> super::scope::Scope<'_> {
        let unit = &self.units[index];
        let imports: Vec<&ast::File> = self
            .imported_closure(index)
            .iter()
            .filter_map(|&u| self.units[u].tree.as_ref())
            .collect();
        let tree = unit.tree.as_ref().expect("a parsed unit");
        super::scope::Scope::build(tree, unit.file, &imports, &mut Vec::new())
    }
}

/// A path's canonical form when it exists, so that `a/../b.pactum` and
/// `b.pactum` are one file; the path itself otherwise.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// `.pactum` files in the folder of a missing import, for "did you mean".
fn near_names(path: &Path) -> Vec<String> {
    let Some(dir) = path.parent() else {
        return Vec::new();
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.ends_with(".pactum"))
        .collect();
    names.sort();
    names
}

/// Runs `work` on every item, on as many threads as there are cores, and
/// returns the results in the items' order.
pub fn parallel_map<T: Sync, R: Send>(items: &[T], work: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(work).collect();
    }
    let work = &work;
    let mut slots: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    // Interleaved so that large and small files spread evenly.
                    (t..items.len())
                        .step_by(threads)
                        .map(|i| (i, work(&items[i])))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (i, result) in handle.join().expect("a worker thread panicked") {
                slots[i] = Some(result);
            }
        }
    });
    slots
        .into_iter()
        .map(|s| s.expect("every slot is filled"))
        .collect()
}
