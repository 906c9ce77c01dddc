//! Turns what pest expected (rule names, literal tokens) into human words.
//! Raw rule names never reach the user.

use super::parser::Rule;

/// Keywords that start an item of an agreement body.
pub const ITEM_KEYWORDS: &[&str] = &[
    "version",
    "effective",
    "currency",
    "timezone",
    "journey",
    "no",
    "party",
    "goal",
    "source",
    "event",
    "attribution",
    "segment",
    "metric",
    "target",
    "pilot",
    "scorecard",
    "review",
    "initiative",
    "evidence",
    "amendment",
    "incentive",
    "audit",
    "dispute",
];

/// The token found where the error occurred.
pub struct Found {
    pub text: String,
    /// Byte length of the found token (0 at the end of the input).
    pub len: usize,
    pub is_word: bool,
    pub at_end_of_file: bool,
}

impl Found {
    /// The token at `position`, not reading past `end`.
    pub fn at(text: &str, position: usize, end: usize) -> Found {
        let position = super::span::floor_char_boundary(text, position);
        let rest = &text[position..end.max(position).min(text.len())];
        if rest.starts_with("///") {
            return Found {
                text: "a doc comment (`///`)".into(),
                len: 3,
                is_word: false,
                at_end_of_file: false,
            };
        }
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !word.is_empty() {
            let is_word = word
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_');
            // Long words are shortened in the message and in the label.
            let shown: String = word.chars().take(40).collect();
            return Found {
                len: shown.len(),
                text: format!("`{shown}`"),
                is_word,
                at_end_of_file: false,
            };
        }
        match rest.chars().next() {
            None if position >= text.len() => Found {
                text: "the end of the file".into(),
                len: 0,
                is_word: false,
                at_end_of_file: true,
            },
            None | Some('\n') | Some('\r') => Found {
                text: "the end of the line".into(),
                len: 0,
                is_word: false,
                at_end_of_file: false,
            },
            Some(c) => Found {
                text: format!("`{}`", c.escape_default()),
                len: c.len_utf8(),
                is_word: false,
                at_end_of_file: false,
            },
        }
    }
}

pub struct Description {
    pub message: String,
    pub label: String,
    pub help: Option<String>,
}

pub fn describe_error(positives: &[Rule], literals: &[String], found: &Found) -> Description {
    let mut words: Vec<String> = Vec::new();
    let mut keywords: Vec<String> = Vec::new();
    let mut subject_words: Vec<String> = Vec::new();
    for rule in positives {
        if *rule == Rule::item_probe {
            keywords.extend(ITEM_KEYWORDS.iter().map(|k| k.to_string()));
            words.extend(ITEM_KEYWORDS.iter().map(|k| format!("`{k}`")));
            continue;
        }
        if matches!(
            rule,
            Rule::subject_list | Rule::subject | Rule::subject_kind | Rule::single_subject
        ) {
            // For "did you mean": `atribution` is close to `attribution`.
            subject_words.extend(
                crate::syntax::ast::SubjectKind::ALL
                    .iter()
                    .map(|k| k.word().to_string()),
            );
        }
        if let Some(keyword) = leading_keyword(*rule) {
            keywords.push(keyword.to_string());
            push_unique(&mut words, format!("`{keyword}`"));
        } else if let Some(phrase) = phrase(*rule) {
            push_unique(&mut words, phrase.to_string());
        }
    }
    for literal in literals {
        if let Some(word) = literal_phrase(literal) {
            push_unique(&mut words, word);
        }
    }
    let item_count = keywords
        .iter()
        .filter(|k| ITEM_KEYWORDS.contains(&k.as_str()))
        .count();
    if item_count >= 6 {
        words.retain(|w| !ITEM_KEYWORDS.iter().any(|k| *w == format!("`{k}`")));
        words.insert(
            0,
            "an item such as `party`, `source`, `metric` or `target`".to_string(),
        );
    }
    let expected = if words.is_empty() {
        "something else".to_string()
    } else {
        join_or(&words)
    };

    let mut help = None;
    if found.is_word {
        let bare = found.text.trim_matches('`');
        let mut candidates: Vec<&str> = keywords.iter().map(String::as_str).collect();
        if item_count >= 6 {
            candidates.extend(ITEM_KEYWORDS);
        }
        candidates.extend(subject_words.iter().map(String::as_str));
        if let Some(best) = closest(bare, &candidates) {
            help = Some(format!("did you mean `{best}`?"));
        }
    }
    if help.is_none() {
        help = Some(hint(&words, found));
    }
    Description {
        message: format!("expected {expected}, found {}", found.text),
        label: if found.at_end_of_file {
            format!("expected {expected}")
        } else {
            "unexpected here".to_string()
        },
        help,
    }
}

fn hint(words: &[String], found: &Found) -> String {
    let wants = |needle: &str| words.iter().any(|w| w.contains(needle));
    if found.text.starts_with("a doc comment") {
        "doc comments document items (parties, sources, metrics, ...) and columns; use `//` for a plain comment".into()
    } else if wants("what changed") {
        "name each change as `pactum diff` does: `target METRIC`, `party NAME`, `metric NAME`, \
         `attribution NAME` (or goal, source, event, segment, pilot, scorecard, review, \
         initiative, evidence, incentive, audit), or `effective`, `currency`, `timezone`, \
         `journey`, `dispute`"
            .into()
    } else if wants("a date") {
        "dates are written YYYY-MM-DD, for example 2026-03-31".into()
    } else if wants("a duration") {
        "durations are a number and a unit: 30 days, 24 hours, 6 months".into()
    } else if wants("a percentage") {
        "percentages are written with a % sign, such as 40%".into()
    } else if wants("a string") && found.is_word {
        format!(
            "text is written in double quotes: \"{}\"",
            found.text.trim_matches('`')
        )
    } else if found.at_end_of_file {
        "the file ends too early; complete the last item".into()
    } else if wants("a name") {
        "names start with a letter or `_` and contain only letters, digits and `_`".into()
    } else {
        "see docs/language.md for the syntax of each item".into()
    }
}

fn push_unique(words: &mut Vec<String>, word: String) {
    if !words.contains(&word) {
        words.push(word);
    }
}

fn join_or(words: &[String]) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The closest candidate within a third of the word's length (at least 1).
pub fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    if word.chars().count() > 40 {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        if *candidate == word {
            continue;
        }
        let distance = edit_distance(word, candidate);
        if distance <= limit
            && best.is_none_or(|(d, c)| distance < d || (distance == d && *candidate < c))
        {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

fn literal_phrase(literal: &str) -> Option<String> {
    match literal {
        "{" | "}" | "(" | ")" | "[" | "]" | "," | "%" | "=" => Some(format!("`{literal}`")),
        "\"" => Some("a string in double quotes".into()),
        _ => None,
    }
}

/// The keyword a rule starts with, for rules that start with a keyword.
fn leading_keyword(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        use_decl | k_use => "use",
        agreement | strict_agreement | k_agreement => "agreement",
        catalog | strict_catalog | k_catalog => "catalog",
        version_field | k_version => "version",
        effective_field | k_effective => "effective",
        currency_field | k_currency => "currency",
        timezone_field | k_timezone => "timezone",
        journey_field | k_journey => "journey",
        no_goal_field | k_no => "no",
        party | party_field_ref | k_party => "party",
        goal | goal_ref_field | k_goal => "goal",
        source | k_source => "source",
        event | k_event => "event",
        attribution | k_attribution => "attribution",
        segment | k_segment => "segment",
        metric | k_metric => "metric",
        target | k_target => "target",
        pilot | k_pilot => "pilot",
        scorecard | review_scorecard_field | k_scorecard => "scorecard",
        review | k_review => "review",
        initiative | k_initiative => "initiative",
        evidence | k_evidence => "evidence",
        amendment | k_amendment => "amendment",
        incentive | k_incentive => "incentive",
        audit | k_audit => "audit",
        dispute | k_dispute => "dispute",
        role_field | k_role => "role",
        contact_field | k_contact => "contact",
        owner_text_field | owner_field | k_owner => "owner",
        identified_field | k_identified => "identified",
        outcome_field | k_outcome => "outcome",
        measured_field | k_measured => "measured",
        table_field | k_table => "table",
        customer_field | k_customer => "customer",
        time_field | k_time => "time",
        id_field | k_id => "id",
        physical_name | k_named => "named",
        column | k_column => "column",
        pii | k_pii => "pii",
        freshness_field | k_freshness => "freshness",
        where_clause | k_where => "where",
        stage_clause | k_stage => "stage",
        touches_field | k_touches => "touches",
        credit_field | k_credit => "credit",
        channel_field | k_channel => "channel",
        conversions_field | k_conversions => "conversions",
        value_path_field | value_expr_field | k_value => "value",
        lookback_field | k_lookback => "lookback",
        max_touches_field | k_max => "max",
        repeats_field | k_repeats => "repeats",
        ignore_field | k_ignore => "ignore",
        model_field | k_model => "model",
        data_driven | k_data_driven => "data_driven",
        attributed_field | k_attributed => "attributed",
        by_field | by_date | k_by => "by",
        indicator_field | k_indicator => "indicator",
        unit_field | k_unit => "unit",
        partners_field | control_partners | k_partners => "partners",
        during_field | k_during => "during",
        baseline_field | k_baseline => "baseline",
        control_field | k_control => "control",
        hypothesis_field | k_hypothesis => "hypothesis",
        inputs_field | k_inputs => "inputs",
        outputs_field | k_outputs => "outputs",
        expect_field | k_expect => "expect",
        shared_field | k_shared => "shared",
        metrics_field | k_metrics => "metrics",
        minimum_field | k_minimum => "minimum",
        on_track_field | k_on => "on",
        at_risk_field | at_least | at_most | k_at => "at",
        cadence_field | k_cadence => "cadence",
        attendees_field | k_attendees => "attendees",
        agenda_field | k_agenda => "agenda",
        reporting_field | k_reporting => "reporting",
        action | k_action => "action",
        due_field | k_due => "due",
        k_done => "done",
        depends_field | k_depends => "depends",
        supports_field | k_supports => "supports",
        status_field | k_status => "status",
        kind_field | k_kind => "kind",
        link_field | k_link => "link",
        recorded_field | k_recorded => "recorded",
        approved_field | k_approved => "approved",
        changes_field | k_changes => "changes",
        removes_field | k_removes => "removes",
        pay_field | k_pay => "pay",
        when_field | k_when => "when",
        cap_field | k_cap => "cap",
        drift_field | k_drift => "drift",
        checks_field | k_checks => "checks",
        escalate_field | k_escalate => "escalate",
        between | k_between => "between",
        baseline_ref | k_over => "over",
        per_period | k_per => "per",
        within | k_within => "within",
        negation | k_not => "not",
        is_null | k_is => "is",
        in_list | k_in => "in",
        k_for => "for",
        k_acquisition => "acquisition",
        k_retention => "retention",
        k_text => "text",
        k_number => "number",
        k_money => "money",
        k_timestamp => "timestamp",
        k_instant => "instant",
        k_date => "date",
        k_boolean => "boolean",
        k_from => "from",
        k_channels => "channels",
        k_collapse => "collapse",
        k_keep => "keep",
        k_leading => "leading",
        k_lagging => "lagging",
        k_count => "count",
        k_ratio => "ratio",
        k_percent => "percent",
        k_days => "days",
        k_score => "score",
        k_or => "or",
        k_and => "and",
        k_null => "null",
        k_to => "to",
        k_least => "least",
        k_most => "most",
        k_increase => "increase",
        k_decrease => "decrease",
        k_day => "day",
        k_week => "week",
        k_month => "month",
        k_quarter => "quarter",
        k_year => "year",
        k_of => "of",
        k_customers | control_customers => "customers",
        k_with => "with",
        k_group => "group",
        k_track => "track",
        k_risk => "risk",
        k_sigma => "sigma",
        k_true => "true",
        k_false => "false",
        _ => return None,
    })
}

/// Words for the value rules.
fn phrase(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "the end of the file",
        ident | arg_label => "a name",
        ident_list => "a name (several are separated by commas)",
        string | string_body | string_list => "a string in double quotes",
        date => "a date like 2026-01-31",
        date_range => "a date range like 2026-01-01 to 2026-12-31",
        integer => "a whole number",
        number | unsigned => "a number",
        percent => "a percentage like 40%",
        money => "an amount with a currency, like 500 USD",
        currency => "a three-letter currency code like USD",
        duration | duration_range => "a duration like 30 days",
        time_unit => "a time unit (hours, days, weeks, months, quarters or years)",
        boolean => "true or false",
        list => "a list like [\"a\", \"b\"]",
        expr | term | factor | call | path | arg | neg => "an expression",
        add_op | mul_op => "an operator",
        condition | cond_and | cond_not | comparison => "a condition like plan = \"pro\"",
        compare | cmp_op => "a comparison (=, !=, <, <=, >, >=)",
        outcome => "an outcome (acquisition, retention or value)",
        column_type => "a column type (text, number, money, timestamp, date or boolean)",
        model | fixed_model => "an attribution model, such as `last_touch`",
        model_setting | setting_words => "a setting, such as `first 40%`",
        repeats_mode => "`collapse` or `keep`",
        indicator => "`leading` or `lagging`",
        unit => "a unit (count, money, ratio, percent, days or score)",
        period => "a period (day, week, month, quarter or year)",
        segment_source => "`stage` or a column like orders.plan",
        change | direction => "`increase`, `decrease`",
        metric_condition => "a condition on a metric, like retention_180d at least 85%",
        share_of_attributed | share_of_metric => "a rate like 10%",
        amount_per_metric => "an amount like 50 USD",
        docs | doc_comment => "a doc comment",
        subject_list | subject | subject_kind | single_subject => {
            "what changed, like `target new_customers` or `effective`"
        }
        approval_list | approval => "a party, like `acme on 2026-03-30`",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("version", "version"), 0);
        assert_eq!(edit_distance("versoin", "version"), 2);
        assert_eq!(edit_distance("rol", "role"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn closest_suggests_only_near_words() {
        assert_eq!(
            closest("versoin", &["version", "currency"]),
            Some("version")
        );
        assert_eq!(closest("rol", &["role", "owner"]), Some("role"));
        assert_eq!(closest("frobnicate", &["party", "goal"]), None);
        // Ties go to the alphabetically first candidate, for stable output.
        assert_eq!(closest("cat", &["cut", "bat"]), Some("bat"));
    }
}
