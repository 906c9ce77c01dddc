//! The metric functions of the language, one entry each: the checker (its
//! names and usage in help lines), the planner (whether it compiles to SQL)
//! and `demo` (which argument names activity rows) read this table rather
//! than lists of their own. How a call is typed lives in
//! `check::units::Typer::call` and how it is computed in
//! `sql::plan::metrics`, each one match arm per function.

/// One metric function.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    pub name: &'static str,
    /// How a call is written.
    pub usage: &'static str,
    /// Whether the SQL planner computes it as a metric's aggregate. Metrics
    /// using one that is not are listed as not compiled, with why.
    pub planned: bool,
    /// The argument that names the rows in which customers are active,
    /// when the function reads activity (retention, churn, lifetime value).
    pub activity: Option<Argument>,
}

/// Where an argument stands in a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    /// The nth argument without a label, from 0.
    Positional(usize),
    /// The argument after this label (`activity product_usage`).
    Labelled(&'static str),
}

/// Every metric function, in the order the language reference lists them.
pub const FUNCTIONS: &[Function] = &[
    Function {
        name: "count",
        usage: "count(EVENT)",
        planned: true,
        activity: None,
    },
    Function {
        name: "count_distinct",
        usage: "count_distinct(EVENT.COLUMN)",
        planned: true,
        activity: None,
    },
    Function {
        name: "sum",
        usage: "sum(SOURCE.COLUMN)",
        planned: true,
        activity: None,
    },
    Function {
        name: "avg",
        usage: "avg(SOURCE.COLUMN) or avg(days_between(...))",
        planned: true,
        activity: None,
    },
    Function {
        name: "min",
        usage: "min(SOURCE.COLUMN)",
        planned: true,
        activity: None,
    },
    Function {
        name: "max",
        usage: "max(SOURCE.COLUMN)",
        planned: true,
        activity: None,
    },
    Function {
        name: "median",
        usage: "median(SOURCE.COLUMN) or median(days_between(...))",
        planned: true,
        activity: None,
    },
    Function {
        name: "percentile",
        usage: "percentile(SOURCE.COLUMN, 90%)",
        planned: true,
        activity: None,
    },
    Function {
        name: "nps",
        usage: "nps(SOURCE.COLUMN)",
        planned: true,
        activity: None,
    },
    Function {
        name: "retention",
        usage: "retention(EVENT, after N days, activity SOURCE)",
        planned: true,
        activity: Some(Argument::Labelled("activity")),
    },
    Function {
        name: "churn",
        usage: "churn(SOURCE, per PERIOD)",
        planned: true,
        activity: Some(Argument::Positional(0)),
    },
    Function {
        name: "clv",
        usage: "clv(SOURCE.COLUMN, activity SOURCE, per PERIOD)",
        planned: true,
        activity: Some(Argument::Labelled("activity")),
    },
    Function {
        name: "upsell_rate",
        usage: "upsell_rate(EVENT, EVENT, within N days)",
        planned: true,
        activity: None,
    },
    Function {
        name: "conversion_rate",
        usage: "conversion_rate(EVENT, EVENT, within N days)",
        planned: true,
        activity: None,
    },
    Function {
        name: "days_between",
        usage: "days_between(first EVENT, first EVENT), inside median, percentile or avg",
        // Computed per customer inside the aggregate that holds it.
        planned: false,
        activity: None,
    },
    Function {
        name: "convert",
        usage: "convert(FIGURE, rate N)",
        planned: false,
        activity: None,
    },
];

/// The function of a name.
pub fn lookup(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// Every function's name, for "did you mean" and help lines.
pub fn names() -> Vec<&'static str> {
    FUNCTIONS.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_function_is_listed_once() {
        let mut names = names();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count);
        assert_eq!(count, 16);
    }

    #[test]
    fn the_language_reference_shows_every_function() {
        let reference = include_str!("../docs/language.md");
        for f in FUNCTIONS {
            assert!(
                reference.contains(&format!("`{}(", f.name)),
                "docs/language.md does not show `{}`",
                f.name
            );
        }
    }

    #[test]
    fn only_the_activity_functions_name_activity_rows() {
        let reading: Vec<&str> = FUNCTIONS
            .iter()
            .filter(|f| f.activity.is_some())
            .map(|f| f.name)
            .collect();
        assert_eq!(reading, ["retention", "churn", "clv"]);
    }
}
