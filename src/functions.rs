//! The metric functions of the language, one entry each: the checker (its
//! names in help lines), the planner (whether it compiles to SQL)
//! and `demo` (which argument names activity rows) read this table rather
//! than lists of their own. How a call is typed lives in
//! `check::units::Typer::call` and how it is computed in
//! `sql::plan::metrics`, each one match arm per function.

/// One metric function.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    pub name: &'static str,
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
        planned: true,
        activity: None,
    },
    Function {
        name: "count_distinct",
        planned: true,
        activity: None,
    },
    Function {
        name: "sum",
        planned: true,
        activity: None,
    },
    Function {
        name: "avg",
        planned: true,
        activity: None,
    },
    Function {
        name: "min",
        planned: true,
        activity: None,
    },
    Function {
        name: "max",
        planned: true,
        activity: None,
    },
    Function {
        name: "median",
        planned: true,
        activity: None,
    },
    Function {
        name: "percentile",
        planned: true,
        activity: None,
    },
    Function {
        name: "nps",
        planned: true,
        activity: None,
    },
    Function {
        name: "retention",
        planned: true,
        activity: Some(Argument::Labelled("activity")),
    },
    Function {
        name: "churn",
        planned: true,
        activity: Some(Argument::Positional(0)),
    },
    Function {
        name: "clv",
        planned: true,
        activity: Some(Argument::Labelled("activity")),
    },
    Function {
        name: "upsell_rate",
        planned: true,
        activity: None,
    },
    Function {
        name: "conversion_rate",
        planned: true,
        activity: None,
    },
    Function {
        name: "days_between",
        // Computed per customer inside the aggregate that holds it.
        planned: false,
        activity: None,
    },
    Function {
        name: "convert",
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
