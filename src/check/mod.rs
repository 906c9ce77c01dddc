//! Checking: resolve every name, infer units, and apply the domain rules to
//! every agreement and catalog of a workspace.
//!
//! [`workspace::Workspace::load`] reads the files and their imports; [`run`]
//! checks each loaded file (on all cores) and returns the findings sorted,
//! deduplicated and with the severities `pactum.yaml` asks for.

pub mod config;
pub mod dates;
pub mod rules;
pub mod scope;
pub mod units;
pub mod workspace;

use crate::diagnostics::Diagnostic;
use crate::syntax::ast::{File, Root};
use scope::Scope;
use workspace::{Workspace, parallel_map};

/// Checks every loaded file and returns all findings of the workspace,
/// loading problems included, in a stable order.
pub fn run(ws: &Workspace) -> Vec<Diagnostic> {
    let jobs: Vec<usize> = (0..ws.units.len())
        .filter(|&i| ws.units[i].tree.is_some())
        .collect();
    let per_unit = parallel_map(&jobs, |&i| check_unit(ws, i));
    let mut all: Vec<Diagnostic> = ws.diagnostics.clone();
    all.extend(per_unit.into_iter().flatten());
    finish(ws, all)
}

/// The findings of one file, in the scope of its imports.
pub fn check_unit(ws: &Workspace, index: usize) -> Vec<Diagnostic> {
    let unit = &ws.units[index];
    let Some(tree) = &unit.tree else {
        return Vec::new();
    };
    let closure = ws.imported_closure(index);
    // With an import missing or broken, most names would be reported as
    // unknown: report the import alone.
    let complete = unit.imports.len() == tree.uses.len()
        && closure.iter().all(|&u| ws.units[u].tree.is_some());
    if !complete {
        return Vec::new();
    }
    let imports: Vec<&File> = closure
        .iter()
        .filter_map(|&u| ws.units[u].tree.as_ref())
        .filter(|f| matches!(f.root, Root::Catalog(_)))
        .collect();
    let mut diagnostics = Vec::new();
    let scope = Scope::build(tree, unit.file, &imports, &mut diagnostics);
    rules::check(&scope, &mut diagnostics);
    diagnostics
}

/// Applies `pactum.yaml` severities, drops findings reported twice (a
/// catalog checked on its own and through each agreement importing it), and
/// sorts by file, position and code. Settled findings may go through again,
/// with more added.
pub fn finish(ws: &Workspace, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter_map(|mut d| {
            // Syntax errors (P00xx) cannot be silenced: nothing else can
            // run; nor can errors in pactum.yaml itself.
            if crate::diagnostics::codes::severity_is_fixed(d.code) {
                return Some(d);
            }
            d.severity = ws.settings.severity(d.code, d.severity)?;
            Some(d)
        })
        .collect();
    kept.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            let span = d.primary_span().unwrap_or_default();
            (span.file, span.start, span.end, d.code)
        };
        key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
    });
    kept.dedup_by(|a, b| a.code == b.code && a.message == b.message && a.labels == b.labels);
    kept
}

/// Counts of findings by severity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

pub fn count(diagnostics: &[Diagnostic]) -> Counts {
    let mut counts = Counts::default();
    for d in diagnostics {
        match d.severity {
            crate::diagnostics::Severity::Error => counts.errors += 1,
            crate::diagnostics::Severity::Warning => counts.warnings += 1,
            crate::diagnostics::Severity::Note => counts.notes += 1,
        }
    }
    counts
}
