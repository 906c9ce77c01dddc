//! What every engine does, and the schedule that runs an agreement's plan
//! on one. An engine loads the agreement's data (or reads it where it
//! is), runs rounds of queries that read nothing from one
//! another, may keep some results as tables that later queries read
//! instead of computing them again, and can be cancelled from another
//! thread. The embedded SQLite engine ([`super::Embedded`]) and a
//! PostgreSQL server ([`super::postgres::Server`]) implement it; the
//! schedule is the same for both.

use std::path::Path;
use std::sync::Arc;

use super::{DataError, Progress, Table};
use crate::diagnostics::codes;
use crate::model::Agreement;
use crate::sql::plan::{Options, Planned, QueryId};

/// Where an agreement's queries run.
pub trait Engine {
    /// Puts the agreement's data where its queries read it, from one CSV
    /// file per source in `dir` (`<source>.csv`), and returns the rows
    /// loaded. An engine that reads its tables where they already are (a
    /// warehouse) refuses, and is run without loading.
    fn load(
        &mut self,
        agreement: &Agreement<'_>,
        _dir: &Path,
        _options: &Options,
        _progress: &dyn Progress,
    ) -> Result<u64, Box<DataError>> {
        Err(Box::new(DataError {
            code: codes::ENGINE_TABLE,
            file: None,
            line: None,
            column: None,
            message: format!(
                "this engine reads the tables of `{}` where they are; it loads no files",
                agreement.name
            ),
            help: "leave out `--data`, or use the embedded engine to load CSV files".to_string(),
        }))
    }

    /// The queries whose results this engine keeps for later queries to
    /// read (`Options::reuse`); none by default.
    fn keeps(&self, _agreement: &Agreement<'_>) -> Vec<QueryId> {
        Vec::new()
    }

    /// Runs queries that read nothing from one another and returns their
    /// tables in the order given.
    fn run_round(
        &mut self,
        queries: &[Planned],
        progress: &(dyn Progress + Sync),
    ) -> Result<Vec<Table>, Box<DataError>>;

    /// Keeps a query's results where later queries read them. Called only
    /// for the queries [`Engine::keeps`] names.
    fn keep(&mut self, _id: &QueryId, _table: &Table) -> Result<(), Box<DataError>> {
        Ok(())
    }

    /// A handle that stops the running queries from another thread (on
    /// Ctrl-C, say): they end with [`cancelled`].
    fn canceller(&self) -> Canceller;

    /// What the run's summary adds about where results were kept, for an
    /// engine where that depends on the user's rights.
    fn keeping_note(&self) -> Option<String> {
        None
    }
}

/// Stops an engine's running queries; cheap to clone and to send to
/// another thread.
#[derive(Clone)]
pub struct Canceller(Arc<dyn Fn() + Send + Sync>);

impl Canceller {
    pub fn new(cancel: impl Fn() + Send + Sync + 'static) -> Canceller {
        Canceller(Arc::new(cancel))
    }

    pub fn cancel(&self) {
        (self.0)()
    }
}

/// The error of a run that was cancelled.
pub fn cancelled(query: &str) -> Box<DataError> {
    Box::new(DataError {
        code: codes::CANCELLED,
        file: None,
        line: None,
        column: None,
        message: format!("the run was cancelled during query `{query}`"),
        help: "nothing was written; run again to get results".to_string(),
    })
}

/// Plans the agreement for `engine` (reading the results it keeps) and
/// runs every query, a round at a time: a query runs in the round after
/// the last round of the queries whose kept results it reads, so the
/// queries that read none start at once. Tables come back in the plan's
/// order, with what could not be planned.
pub fn run(
    engine: &mut dyn Engine,
    agreement: &Agreement<'_>,
    options: &Options,
    progress: &(dyn Progress + Sync),
) -> Result<(Vec<Table>, Vec<String>), Box<DataError>> {
    let options = Options {
        reuse: engine.keeps(agreement),
        ..options.clone()
    };
    let plan = crate::sql::plan(agreement, &options);
    let depth = rounds(&plan.queries);
    let mut tables: Vec<(usize, Table)> = Vec::with_capacity(plan.queries.len());
    for round in 0..=depth.iter().copied().max().unwrap_or(0) {
        let positions: Vec<usize> = (0..plan.queries.len())
            .filter(|&i| depth[i] == round)
            .collect();
        let queries: Vec<Planned> = positions.iter().map(|&i| plan.queries[i].clone()).collect();
        let done = engine.run_round(&queries, progress)?;
        for (query, table) in queries.iter().zip(&done) {
            if options.reuse.contains(&query.id) {
                engine.keep(&query.id, table)?;
            }
        }
        tables.extend(positions.into_iter().zip(done));
    }
    tables.sort_by_key(|(position, _)| *position);
    Ok((
        tables.into_iter().map(|(_, table)| table).collect(),
        plan.not_compiled,
    ))
}

/// The round each query runs in: 0 when it reads no kept results, else one
/// more than the latest round of the queries whose results it reads.
pub fn rounds(queries: &[Planned]) -> Vec<usize> {
    let reads: Vec<Vec<usize>> = queries
        .iter()
        .map(|q| {
            q.reads
                .iter()
                .filter_map(|id| queries.iter().position(|other| other.id == *id))
                .collect()
        })
        .collect();
    // Deepened until nothing changes; a chain is at most as long as the
    // list, which also bounds a (never planned) cycle.
    let mut depth = vec![0; queries.len()];
    for _ in 0..queries.len() {
        let mut changed = false;
        for (i, read) in reads.iter().enumerate() {
            let wanted = read.iter().map(|&r| depth[r] + 1).max().unwrap_or(0);
            if wanted > depth[i] && wanted <= queries.len() {
                depth[i] = wanted;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
}
