//! SQL: the dialect-neutral query tree, the dialects, the renderer and the
//! planners that turn a checked agreement into queries.

pub mod compile;
pub mod dialect;
pub mod load;
pub mod plan;
pub mod render;
pub mod tree;

use crate::check::scope::{Decl, Kind, Scope};
use plan::{Options, Planned};

/// Every query of an agreement, in a stable order: events, then
/// attribution.
pub fn plan_all(scope: &Scope<'_>, options: &Options) -> Vec<Planned> {
    let mut planned = Vec::new();
    for decl in scope.of_kind(Kind::Event) {
        if let Decl::Event(event) = decl
            && let Some(query) = plan::events::plan(scope, event, options)
        {
            planned.push(query);
        }
    }
    for decl in scope.of_kind(Kind::Attribution) {
        if let Decl::Attribution(attribution) = decl
            && let Some(queries) = plan::attribution::plan(scope, attribution, options)
        {
            planned.extend(queries);
        }
    }
    planned
}
