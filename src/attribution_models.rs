//! The attribution models of the language, one entry each: how an
//! agreement writes it (`model position_based { first 40% last 40% }`),
//! its settings and their defaults, the checks of its settings, how each
//! touch's share of a conversion is computed in SQL, and how `doc` and the
//! manifest say it. The grammar reads any `model NAME { SETTING VALUE ... }`;
//! the checker, the model, the planner, `doc` and the generator of test
//! agreements read this table.
//!
//! Adding a fixed-rule model is one entry here, its row in
//! `docs/language.md` and its tests (an attribution case in
//! `tests/sql/attribution/` with credits from an independent
//! implementation).

use crate::diagnostics::{Diagnostic, codes};
use crate::sql::tree::{Expr, Op, bin, case, field, func, window};
use crate::syntax::ast::{Duration, Model, ModelSetting, Number, SettingValue};
use crate::syntax::format;
use crate::syntax::span::Span;

/// One attribution model.
pub struct ModelRule {
    /// The word after `model` (after `model data_driven` for a learned one).
    pub keyword: &'static str,
    /// Learned from all conversion paths rather than a fixed rule: written
    /// `model data_driven KEYWORD`, and not compiled to SQL.
    pub data_driven: bool,
    pub settings: &'static [Setting],
    /// How it is written after `model` (after `model data_driven` for a
    /// learned model), for help lines.
    pub example: &'static str,
    /// The model in words, for `doc`: "position-based attribution, ...".
    pub words: fn(&Settings<'_>) -> String,
    /// Short, with its settings, for the manifest and query comments.
    pub summary: fn(&Settings<'_>) -> String,
    /// Each touch's share of its conversion; `None` for a model that is
    /// not a fixed rule.
    pub share: Option<fn(&Settings<'_>, &Touch) -> Expr>,
    /// Each touch's weight from the seconds between it and the conversion,
    /// for a model whose shares follow a weight (`Touch::weight`).
    pub weight: Option<fn(&Settings<'_>, Expr) -> Expr>,
    /// Whether ignored channels are passed over when the touch is picked
    /// (the last touch outside them wins, and when all touches are in them,
    /// the last one), rather than removed before the model sees the path.
    pub picks_past_ignored: bool,
    /// Checks of the settings together (ranges, sums), beyond their kinds.
    pub check: fn(&Settings<'_>, Span) -> Option<Diagnostic>,
}

/// One setting of a model: `first 40%`, `half life 7 days`.
pub struct Setting {
    /// Its words, as written before the value.
    pub words: &'static str,
    pub kind: SettingKind,
    /// The value when it is not written; `None` when it must be.
    pub default: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    /// A share of a conversion, such as `40%`.
    Percent,
    /// A length of time, such as `7 days`.
    Duration,
}

impl SettingKind {
    pub fn word(self) -> &'static str {
        match self {
            SettingKind::Percent => "a percentage",
            SettingKind::Duration => "a duration",
        }
    }
}

/// A model's settings as written, with their defaults.
pub struct Settings<'a> {
    rule: &'static ModelRule,
    written: &'a [ModelSetting],
}

impl<'a> Settings<'a> {
    pub fn new(rule: &'static ModelRule, written: &'a [ModelSetting]) -> Self {
        Settings { rule, written }
    }

    fn written(&self, words: &str) -> Option<&'a ModelSetting> {
        self.written.iter().find(|s| s.words == words)
    }

    /// A percentage setting, written or its default (0 when it has none,
    /// which the checker does not let through).
    pub fn percent(&self, words: &str) -> f64 {
        match self.written(words).map(|s| &s.value) {
            Some(SettingValue::Percent(n)) => n.value,
            _ => self.default(words),
        }
    }

    /// A percentage setting as written, or its default, for sentences.
    pub fn percent_text(&self, words: &str) -> String {
        match self.written(words).map(|s| &s.value) {
            Some(SettingValue::Percent(n)) => format::percent(n),
            _ => format::percent(&Number {
                value: self.default(words),
                span: Span::default(),
            }),
        }
    }

    /// The written percentage setting, with its place in the file.
    pub fn written_percent(&self, words: &str) -> Option<&'a Number> {
        match self.written(words).map(|s| &s.value) {
            Some(SettingValue::Percent(n)) => Some(n),
            _ => None,
        }
    }

    /// A duration setting (durations have no defaults).
    pub fn duration(&self, words: &str) -> Option<&'a Duration> {
        match self.written(words).map(|s| &s.value) {
            Some(SettingValue::Duration(d)) => Some(d),
            _ => None,
        }
    }

    fn default(&self, words: &str) -> f64 {
        self.rule
            .settings
            .iter()
            .find(|s| s.words == words)
            .and_then(|s| s.default)
            .unwrap_or(0.0)
    }
}

/// The columns of one touch of a conversion path, as the attribution
/// planner names them.
pub struct Touch {
    /// Whether the agreement ignores some channels (see
    /// `ModelRule::picks_past_ignored`).
    pub ignoring: bool,
}

impl Touch {
    /// The touch's place in its path, from 1.
    pub fn position(&self) -> Expr {
        field("n", "position")
    }
    /// How many touches the path has.
    pub fn count(&self) -> Expr {
        field("n", "touch_count")
    }
    /// The touch's order among all touches of the customer.
    pub fn order(&self) -> Expr {
        field("n", "touch_order")
    }
    /// The order of the path's last touch outside the ignored channels
    /// (NULL when all are ignored), and of its last touch.
    pub fn last_kept_order(&self) -> Expr {
        field("n", "last_kept_order")
    }
    pub fn last_order(&self) -> Expr {
        field("n", "last_order")
    }
    /// The weight `ModelRule::weight` gave the touch.
    pub fn weight(&self) -> Expr {
        field("n", "weight")
    }
    /// The touch's weight over the weights of its conversion's path.
    pub fn weight_share(&self) -> Expr {
        bin(
            Op::Div,
            self.weight(),
            window(
                func("SUM", vec![self.weight()]),
                vec![field("n", "conversion_event"), field("n", "conversion_id")],
                vec![],
            ),
        )
    }
}

fn one() -> Expr {
    Expr::Float(1.0)
}

fn zero() -> Expr {
    Expr::Float(0.0)
}

fn is(e: Expr, v: i64) -> Expr {
    bin(Op::Eq, e, Expr::Int(v))
}

/// First `f`%, the middle touches `middle`% split equally, last `l`%; a
/// path of two splits `f:l`, a path of one takes all.
fn positional(t: &Touch, f: f64, middle: f64, l: f64) -> Expr {
    let fraction = |v: f64| Expr::Float(v / 100.0);
    case(
        vec![
            (is(t.count(), 1), one()),
            (
                is(t.count(), 2),
                case(
                    vec![(is(t.position(), 1), Expr::Float(f / (f + l)))],
                    Expr::Float(l / (f + l)),
                ),
            ),
            (is(t.position(), 1), fraction(f)),
            (bin(Op::Eq, t.position(), t.count()), fraction(l)),
        ],
        bin(
            Op::Div,
            fraction(middle),
            Expr::ToFloat(Box::new(bin(Op::Sub, t.count(), Expr::Int(2)))),
        ),
    )
}

/// Each weight between 0% and 100%: the first that is not, reported.
fn weights_in_range(
    settings: &Settings<'_>,
    names: &[&str],
    code: &'static str,
    what: &str,
) -> Option<Diagnostic> {
    names
        .iter()
        .filter_map(|name| settings.written_percent(name))
        .find(|w| !(0.0..=100.0).contains(&w.value))
        .map(|w| {
            Diagnostic::new(
                code,
                format!("a {what} weight of {}% is outside 0% to 100%", w.value),
            )
            .with_label(w.span, "out of range")
            .with_help("each weight is a share of the conversion, between 0% and 100%")
        })
}

fn trim(value: f64) -> String {
    let rounded = (value * 1e9).round() / 1e9;
    format!("{rounded}")
}

fn no_check(_: &Settings<'_>, _: Span) -> Option<Diagnostic> {
    None
}

/// A model learned from the conversion paths (`model data_driven NAME`):
/// named by the language, not compiled by fixed rules.
const fn data_driven(keyword: &'static str) -> ModelRule {
    ModelRule {
        keyword,
        data_driven: true,
        settings: &[],
        example: keyword,
        words: |_| "data-driven attribution".to_string(),
        summary: |_| "data-driven".to_string(),
        share: None,
        weight: None,
        picks_past_ignored: false,
        check: no_check,
    }
}

/// Every attribution model, in the order the language reference lists them.
pub const MODELS: &[ModelRule] = &[
    ModelRule {
        keyword: "first_touch",
        data_driven: false,
        settings: &[],
        example: "first_touch",
        words: |_| "first-touch attribution (all to the first touch)".to_string(),
        summary: |_| "first touch".to_string(),
        share: Some(|_, t| case(vec![(is(t.position(), 1), one())], zero())),
        weight: None,
        picks_past_ignored: false,
        check: no_check,
    },
    ModelRule {
        keyword: "last_touch",
        data_driven: false,
        settings: &[],
        example: "last_touch",
        words: |_| "last-touch attribution (all to the last touch)".to_string(),
        summary: |_| "last touch".to_string(),
        share: Some(|_, t| {
            if t.ignoring {
                let chosen = func("COALESCE", vec![t.last_kept_order(), t.last_order()]);
                case(vec![(bin(Op::Eq, t.order(), chosen), one())], zero())
            } else {
                case(vec![(bin(Op::Eq, t.position(), t.count()), one())], zero())
            }
        }),
        weight: None,
        picks_past_ignored: true,
        check: no_check,
    },
    ModelRule {
        keyword: "linear",
        data_driven: false,
        settings: &[],
        example: "linear",
        words: |_| "linear attribution (equal shares for every touch)".to_string(),
        summary: |_| "linear".to_string(),
        share: Some(|_, t| bin(Op::Div, one(), Expr::ToFloat(Box::new(t.count())))),
        weight: None,
        picks_past_ignored: false,
        check: no_check,
    },
    ModelRule {
        keyword: "position_based",
        data_driven: false,
        settings: &[
            Setting {
                words: "first",
                kind: SettingKind::Percent,
                default: Some(40.0),
            },
            Setting {
                words: "last",
                kind: SettingKind::Percent,
                default: Some(40.0),
            },
        ],
        example: "position_based { first 40% last 40% }",
        words: |s| {
            format!(
                "position-based attribution, {} to the first touch and {} to the last, the rest shared by the touches between",
                s.percent_text("first"),
                s.percent_text("last")
            )
        },
        summary: |s| {
            format!(
                "position based, {}% first and {}% last",
                s.percent("first"),
                s.percent("last")
            )
        },
        share: Some(|s, t| {
            let (f, l) = (s.percent("first"), s.percent("last"));
            positional(t, f, 100.0 - f - l, l)
        }),
        weight: None,
        picks_past_ignored: false,
        check: |s, _| {
            if let Some(d) =
                weights_in_range(s, &["first", "last"], codes::POSITION_WEIGHTS, "position")
            {
                return Some(d);
            }
            let (first, last) = (s.written_percent("first"), s.written_percent("last"));
            let sum = s.percent("first") + s.percent("last");
            if sum <= 100.0 + 1e-9 {
                return None;
            }
            let span = match (first, last) {
                (Some(f), Some(l)) => f.span.to(l.span),
                (Some(w), None) | (None, Some(w)) => w.span,
                (None, None) => return None,
            };
            Some(
                Diagnostic::new(
                    codes::POSITION_WEIGHTS,
                    format!(
                        "first and last touches get {}% together, more than the whole conversion",
                        sum
                    ),
                )
                .with_label(
                    span,
                    format!("{}% + {}%", s.percent("first"), s.percent("last")),
                )
                .with_help("first + last must be at most 100%; the middle touches share the rest"),
            )
        },
    },
    ModelRule {
        keyword: "time_decay",
        data_driven: false,
        settings: &[Setting {
            words: "half life",
            kind: SettingKind::Duration,
            default: None,
        }],
        example: "time_decay { half life 7 days }",
        words: |s| {
            format!(
                "time-decay attribution (a touch's weight halves every {})",
                s.duration("half life")
                    .map(format::duration)
                    .unwrap_or_default()
            )
        },
        summary: |s| {
            format!(
                "time decay, half life {} days",
                s.duration("half life")
                    .map_or(0.0, crate::check::dates::approx_days)
            )
        },
        share: Some(|_, t| t.weight_share()),
        // 2^(-seconds before / half life in seconds)
        weight: Some(|s, seconds_before| {
            let half_life_seconds = (s
                .duration("half life")
                .map_or(0.0, crate::check::dates::approx_days)
                * 86_400.0)
                .round();
            Expr::Power(
                Box::new(Expr::Float(2.0)),
                Box::new(bin(
                    Op::Div,
                    bin(
                        Op::Sub,
                        Expr::Int(0),
                        Expr::ToFloat(Box::new(seconds_before)),
                    ),
                    Expr::Float(half_life_seconds),
                )),
            )
        }),
        picks_past_ignored: false,
        check: |s, _| {
            let d = s.duration("half life")?;
            (d.amount <= 0.0).then(|| {
                Diagnostic::new(
                    codes::LOOKBACK,
                    "the half life must be longer than zero".to_string(),
                )
                .with_label(d.span, "zero half life")
                .with_help("a common half life is 7 days")
            })
        },
    },
    ModelRule {
        keyword: "custom",
        data_driven: false,
        settings: &[
            Setting {
                words: "first",
                kind: SettingKind::Percent,
                default: None,
            },
            Setting {
                words: "middle",
                kind: SettingKind::Percent,
                default: None,
            },
            Setting {
                words: "last",
                kind: SettingKind::Percent,
                default: None,
            },
        ],
        example: "custom { first 30% middle 40% last 30% }",
        words: |s| {
            format!(
                "custom attribution, {} to the first touch, {} shared by the middle ones and {} to the last",
                s.percent_text("first"),
                s.percent_text("middle"),
                s.percent_text("last")
            )
        },
        summary: |s| {
            format!(
                "custom weights {}% / {}% / {}%",
                s.percent("first"),
                s.percent("middle"),
                s.percent("last")
            )
        },
        share: Some(|s, t| {
            positional(
                t,
                s.percent("first"),
                s.percent("middle"),
                s.percent("last"),
            )
        }),
        weight: None,
        picks_past_ignored: false,
        check: |s, span| {
            if let Some(d) = weights_in_range(
                s,
                &["first", "middle", "last"],
                codes::CUSTOM_WEIGHTS,
                "custom",
            ) {
                return Some(d);
            }
            let (f, m, l) = (s.percent("first"), s.percent("middle"), s.percent("last"));
            let sum = f + m + l;
            ((sum - 100.0).abs() > 1e-9).then(|| {
                Diagnostic::new(
                    codes::CUSTOM_WEIGHTS,
                    format!("custom weights add up to {}%, not 100%", trim(sum)),
                )
                .with_label(span, format!("{}% + {}% + {}%", trim(f), trim(m), trim(l)))
                .with_help(
                    "first + middle + last must be exactly 100%, so that credits add up to the conversions",
                )
            })
        },
    },
    data_driven("shapley"),
    data_driven("fractribution"),
];

/// The model an agreement names.
pub fn lookup(model: &Model) -> Option<&'static ModelRule> {
    MODELS
        .iter()
        .find(|m| m.keyword == model.name.name && m.data_driven == model.data_driven)
}

/// The model of an attribution that names none.
pub fn last_touch() -> &'static ModelRule {
    &MODELS[1]
}

/// The keywords of the fixed-rule or of the data-driven models.
pub fn keywords(data_driven: bool) -> Vec<&'static str> {
    MODELS
        .iter()
        .filter(|m| m.data_driven == data_driven)
        .map(|m| m.keyword)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_is_last_touch() {
        assert_eq!(last_touch().keyword, "last_touch");
    }

    #[test]
    fn each_model_is_listed_once_and_in_the_reference() {
        let reference = include_str!("../docs/language.md");
        for (i, m) in MODELS.iter().enumerate() {
            assert!(
                !MODELS[..i]
                    .iter()
                    .any(|o| o.keyword == m.keyword && o.data_driven == m.data_driven),
                "{} twice",
                m.keyword
            );
            let written = if m.data_driven {
                format!("`model data_driven {}`", m.keyword)
            } else {
                format!("`model {}", m.keyword)
            };
            assert!(
                reference.contains(&written),
                "docs/language.md lacks {written}"
            );
            assert_eq!(m.share.is_some(), !m.data_driven, "{}", m.keyword);
        }
    }

    #[test]
    fn examples_write_every_setting() {
        for m in MODELS {
            for s in m.settings {
                assert!(m.example.contains(s.words), "{}: {}", m.keyword, s.words);
            }
        }
    }
}
