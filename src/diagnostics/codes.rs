//! Every diagnostic code, with its long explanation for `pactum explain`.
//!
//! Codes are stable: a code keeps its meaning forever, so that CI
//! configurations and `pactum.yaml` rule settings never silently change
//! meaning. P00xx are syntax errors, P01xx names and files, P02xx types and
//! units, P03xx domain rules, P04xx change review, P05xx data and engines
//! (`run`, `report`).

use super::Severity;

pub struct CodeInfo {
    pub code: &'static str,
    /// A short kebab-case name, usable instead of the code in `pactum.yaml`.
    pub name: &'static str,
    /// The severity a finding gets unless `pactum.yaml` says otherwise.
    pub severity: Severity,
    pub title: &'static str,
    pub explanation: &'static str,
}

pub const SYNTAX: &str = "P0001";
pub const UNTERMINATED_STRING: &str = "P0002";
pub const INVALID_CHARACTER: &str = "P0003";
pub const INVALID_UTF8: &str = "P0004";
pub const TOO_DEEP: &str = "P0005";
pub const EMPTY_FILE: &str = "P0006";
pub const INVALID_DATE: &str = "P0007";
pub const NUMBER_OUT_OF_RANGE: &str = "P0008";
pub const NEGATIVE_DURATION: &str = "P0009";
pub const INVALID_ESCAPE: &str = "P0010";
pub const UNBALANCED: &str = "P0011";
pub const TOO_MANY_ERRORS: &str = "P0012";
pub const HIDDEN_CHARACTER: &str = "P0013";

pub const UNKNOWN_NAME: &str = "P0101";
pub const DUPLICATE_NAME: &str = "P0102";
pub const MISSING_IMPORT: &str = "P0103";
pub const IMPORT_CYCLE: &str = "P0104";
pub const IMPORT_NOT_CATALOG: &str = "P0105";
pub const UNKNOWN_COLUMN: &str = "P0106";
pub const WRONG_KIND: &str = "P0107";
pub const MISSING_FIELD: &str = "P0108";
pub const REPEATED_FIELD: &str = "P0109";
pub const INVALID_CONFIG: &str = "P0110";
pub const RESERVED_NAME: &str = "P0111";
pub const UNKNOWN_FUNCTION: &str = "P0201";
pub const BAD_ARGUMENT: &str = "P0202";
pub const UNIT_MISMATCH: &str = "P0203";
pub const DECLARED_UNIT: &str = "P0204";
pub const TARGET_UNIT: &str = "P0205";
pub const CURRENCY_MISMATCH: &str = "P0206";
pub const CONDITION_TYPE: &str = "P0207";
pub const POSITION_WEIGHTS: &str = "P0301";
pub const CUSTOM_WEIGHTS: &str = "P0302";
pub const LOOKBACK: &str = "P0303";
pub const TOUCH_KEYS: &str = "P0304";
pub const ATTRIBUTION_VALUE: &str = "P0305";
pub const CREDIT_COLUMN: &str = "P0306";
pub const IGNORE_WITHOUT_CHANNEL: &str = "P0307";
pub const ATTRIBUTION_MODEL: &str = "P0308";
pub const RELATIVE_TARGET_BASELINE: &str = "P0310";
pub const DEADLINE_OUTSIDE: &str = "P0311";
pub const TARGET_RANGE: &str = "P0312";
pub const PILOT_PERIOD: &str = "P0320";
pub const PILOT_BASELINE: &str = "P0321";
pub const PILOT_WINDOW: &str = "P0322";
pub const PILOT_PARTNER_ROLE: &str = "P0323";
pub const PILOT_HYPOTHESIS: &str = "P0324";
pub const PILOT_COMPARISON: &str = "P0325";
pub const PILOT_CONTROL_UNSPLIT: &str = "P0326";
pub const METRIC_OWNER: &str = "P0330";
pub const SOURCE_OWNER: &str = "P0331";
pub const GOAL_WITHOUT_TARGET: &str = "P0340";
pub const VANITY_METRIC: &str = "P0341";
pub const OUTCOME_WITHOUT_GOAL: &str = "P0342";
pub const NO_LAGGING_METRIC: &str = "P0343";
pub const UNUSED_METRIC: &str = "P0344";
pub const INITIATIVE_CYCLE: &str = "P0350";
pub const INITIATIVE_ORDER: &str = "P0351";
pub const DATE_OUTSIDE: &str = "P0352";
pub const ACQUISITION_ONLY_INCENTIVE: &str = "P0360";
pub const PAYEE_ROLE: &str = "P0361";
pub const PAYMENT_UNIT: &str = "P0362";
pub const PII_SHARED: &str = "P0370";
pub const SHARED_WITHOUT_MINIMUM: &str = "P0371";
pub const STATUS_THRESHOLDS: &str = "P0372";
pub const CONFLICTING_EVENT: &str = "P0380";
pub const EVENT_WITHOUT_STAGE: &str = "P0381";
pub const UNKNOWN_STAGE: &str = "P0382";
pub const EVENT_MAY_REPEAT: &str = "P0383";
pub const ONCE_WITHOUT_PARTNER: &str = "P0384";
pub const DATE_ORDER: &str = "P0390";
pub const REVIEW_CADENCE: &str = "P0391";
pub const AUDIT_SCHEDULE: &str = "P0392";
pub const UNKNOWN_WORD: &str = "P0393";
pub const SHARED_IDENTIFIER: &str = "P0394";
pub const AMENDMENT_VERSION: &str = "P0395";
pub const AMENDMENT_SUBJECT: &str = "P0396";
pub const LATE_APPROVAL: &str = "P0397";
pub const VERSION_NOT_RAISED: &str = "P0401";
pub const AMENDMENT_MISSING: &str = "P0402";
pub const AMENDMENT_INCOMPLETE: &str = "P0403";
pub const APPROVAL_MISSING: &str = "P0404";
pub const MISSING_DATA_FILE: &str = "P0501";
pub const MISSING_DATA_COLUMN: &str = "P0502";
pub const DATA_TYPE: &str = "P0503";
pub const UNREADABLE_ROW: &str = "P0504";
pub const ENGINE_TABLE: &str = "P0505";
pub const QUERY_FAILED: &str = "P0506";
pub const DATABASE_UNREACHABLE: &str = "P0507";
pub const CANCELLED: &str = "P0508";

/// Syntax codes.
pub const ALL: &[CodeInfo] = &[
    CodeInfo {
        code: SYNTAX,
        name: "syntax-error",
        severity: Severity::Error,
        title: "syntax error",
        explanation: "The parser met something it did not expect. The message says what it \
expected at that point, in words; when the text looks like a misspelled keyword, the help line \
suggests the keyword.\n\nWrong:\n\n    party acme {\n      rol partner\n    }\n\nRight:\n\n    \
party acme {\n      role partner\n    }\n",
    },
    CodeInfo {
        code: UNTERMINATED_STRING,
        name: "unterminated-string",
        severity: Severity::Error,
        title: "unterminated string",
        explanation: "A string starts with `\"` and must end with `\"` on the same line. To put a \
quote inside a string, write `\\\"`.\n\nWrong:\n\n    contact \"li.wei@acme.example\n\nRight:\n\n    \
contact \"li.wei@acme.example\"\n",
    },
    CodeInfo {
        code: INVALID_CHARACTER,
        name: "invalid-character",
        severity: Severity::Error,
        title: "invalid control character",
        explanation: "The file contains a control character (such as NUL, ESC or DEL) that is \
not allowed anywhere in a Pactum file, not even in a string or a comment. Control characters \
usually mean the file is binary or was corrupted. (A printable character out of place, such as \
`@`, is a syntax error, P0001.)\n\nWrong: `currency <ESC>USD`, with an invisible escape \
character before USD.\n\nRight:\n\n    currency USD\n",
    },
    CodeInfo {
        code: INVALID_UTF8,
        name: "invalid-utf8",
        severity: Severity::Error,
        title: "file is not valid UTF-8",
        explanation: "Pactum files are UTF-8 text. The file contains a byte sequence that is not \
UTF-8, often because it was saved in a legacy encoding (Latin-1, Windows-1252) or is not a text \
file at all. Re-save it as UTF-8.\n\nWrong: a file saved as Latin-1 with `Café` in a title.\n\n\
Right: the same file saved as UTF-8.\n",
    },
    CodeInfo {
        code: TOO_DEEP,
        name: "too-deep",
        severity: Severity::Error,
        title: "nesting too deep",
        explanation: "Blocks, lists and parentheses can be nested at most 64 levels deep, and an \
expression can be at most 200 operations deep (a sum of 201 terms is 200 additions deep). No \
real agreement comes close; the limits keep every stage safe from hostile input.\n\nWrong:\n\n    \
value ((((((((...))))))))\n\nRight:\n\n    value sum(orders.amount) / count_distinct(orders.customer)\n",
    },
    CodeInfo {
        code: EMPTY_FILE,
        name: "empty-file",
        severity: Severity::Error,
        title: "empty file",
        explanation: "A Pactum file holds one `agreement` or one `catalog`, optionally preceded \
by `use` imports. This file has nothing but whitespace and comments.\n\nWrong: an empty \
`referral.pactum`.\n\nRight:\n\n    agreement referral \"Referral partnership\" {\n      version 1\n    }\n",
    },
    CodeInfo {
        code: INVALID_DATE,
        name: "invalid-date",
        severity: Severity::Error,
        title: "invalid date",
        explanation: "Dates are written `YYYY-MM-DD` and must exist in the calendar: months 01 to \
12, days within the month (February 29 only in leap years).\n\nWrong:\n\n    due 2026-02-30\n\n\
Right:\n\n    due 2026-02-28\n",
    },
    CodeInfo {
        code: NUMBER_OUT_OF_RANGE,
        name: "number-out-of-range",
        severity: Severity::Error,
        title: "number out of range",
        explanation: "The number is too large to be represented. Integers (versions, counts, \
group sizes) must fit in 64 bits; decimals must be finite.\n\nWrong:\n\n    version 99999999999999999999999\n\n\
Right:\n\n    version 4\n",
    },
    CodeInfo {
        code: NEGATIVE_DURATION,
        name: "negative-duration",
        severity: Severity::Error,
        title: "negative duration",
        explanation: "Durations (lookbacks, windows, freshness limits) measure a length of time \
and cannot be negative.\n\nWrong:\n\n    lookback -30 days\n\nRight:\n\n    lookback 30 days\n",
    },
    CodeInfo {
        code: INVALID_ESCAPE,
        name: "invalid-escape",
        severity: Severity::Error,
        title: "invalid escape in a string",
        explanation: "Inside a string, a backslash starts an escape: `\\\"`, `\\\\`, `\\n`, `\\t`, \
`\\r` or `\\u{...}` with a Unicode scalar value in hexadecimal.\n\nWrong:\n\n    hypothesis \
\"up \\q 15%\"\n\nRight:\n\n    hypothesis \"up 15%\"\n",
    },
    CodeInfo {
        code: UNBALANCED,
        name: "unbalanced-delimiters",
        severity: Severity::Error,
        title: "unbalanced delimiters",
        explanation: "Every `{`, `(` and `[` needs its matching `}`, `)` or `]`, in order. The \
message points at the opening delimiter that is never closed, or at the closing one that has no \
opening.\n\nWrong:\n\n    party acme {\n      role partner\n\nRight:\n\n    party acme {\n      \
role partner\n    }\n",
    },
    CodeInfo {
        code: TOO_MANY_ERRORS,
        name: "too-many-errors",
        severity: Severity::Error,
        title: "too many errors",
        explanation: "After 100 errors in one file, Pactum stops listing them: the file is \
probably not a Pactum agreement, or one early mistake confuses everything after it. Fix the \
first errors and run again.\n\nWrong: a file with thousands of broken lines.\n\nRight: fix the \
first reported errors, then check again.\n",
    },
    CodeInfo {
        code: HIDDEN_CHARACTER,
        name: "hidden-character",
        severity: Severity::Warning,
        title: "invisible or bidirectional character",
        explanation: "A string or a comment holds a character that is invisible or that changes \
the direction of the text around it: a bidirectional override or isolate (U+202A to U+202E, \
U+2066 to U+2069), a direction mark (U+200E, U+200F, U+061C) or a zero-width character (U+200B \
to U+200D, U+2060, U+FEFF). Such characters make an agreement read differently on screen from \
what it says (the \"Trojan Source\" attack), so a reviewer could approve a term that is not the \
one in force. Outside strings and comments they are syntax errors: names are plain ASCII. When \
the character is meant, write it as an escape, which stays visible.\n\nWrong: a title holding \
an invisible right-to-left override, `\"Acme<U+202E>ecnerefer\"`.\n\nRight:\n\n    \
agreement acme \"Acme reference\" {\n\nor, when it is meant, `\"Acme \\u{202E}\"`.\n",
    },
];

/// Finds a code by its code (`P0341`, any case) or its name (`vanity-metric`).
pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let wanted = code.trim();
    all().find(|c| c.code.eq_ignore_ascii_case(wanted) || c.name == wanted)
}

/// Every code any command can print, in code order.
pub fn all() -> impl Iterator<Item = &'static CodeInfo> {
    findings().chain(DATA.iter())
}

/// The codes `pactum check` can report (syntax, checker, change review):
/// the rules SARIF lists.
pub fn findings() -> impl Iterator<Item = &'static CodeInfo> {
    ALL.iter().chain(CHECK.iter())
}

/// Whether `pactum.yaml` may change a code's severity: not a syntax
/// error's, not its own errors', not a data error's (those stop a run
/// whatever the settings say), and not an unknown attribution model's
/// (nothing downstream could compute it).
pub fn severity_is_fixed(code: &str) -> bool {
    code.starts_with("P00")
        || code.starts_with("P05")
        || code == INVALID_CONFIG
        || code == ATTRIBUTION_MODEL
}

/// The default severity of a code (codes are all known at compile time).
pub fn default_severity(code: &str) -> Severity {
    lookup(code).map_or(Severity::Error, |c| c.severity)
}

/// Codes of the checker and of change review.
pub const CHECK: &[CodeInfo] = &[
    CodeInfo {
        code: UNKNOWN_NAME,
        name: "unknown-name",
        severity: Severity::Error,
        title: "unknown name",
        explanation: include_str!("../../docs/codes/P0101.md"),
    },
    CodeInfo {
        code: DUPLICATE_NAME,
        name: "duplicate-name",
        severity: Severity::Error,
        title: "name declared twice",
        explanation: include_str!("../../docs/codes/P0102.md"),
    },
    CodeInfo {
        code: MISSING_IMPORT,
        name: "missing-import",
        severity: Severity::Error,
        title: "imported file not found",
        explanation: include_str!("../../docs/codes/P0103.md"),
    },
    CodeInfo {
        code: IMPORT_CYCLE,
        name: "import-cycle",
        severity: Severity::Error,
        title: "import cycle",
        explanation: include_str!("../../docs/codes/P0104.md"),
    },
    CodeInfo {
        code: IMPORT_NOT_CATALOG,
        name: "import-not-catalog",
        severity: Severity::Error,
        title: "imported file is not a catalog",
        explanation: include_str!("../../docs/codes/P0105.md"),
    },
    CodeInfo {
        code: UNKNOWN_COLUMN,
        name: "unknown-column",
        severity: Severity::Error,
        title: "unknown column",
        explanation: include_str!("../../docs/codes/P0106.md"),
    },
    CodeInfo {
        code: WRONG_KIND,
        name: "wrong-kind",
        severity: Severity::Error,
        title: "name of the wrong kind",
        explanation: include_str!("../../docs/codes/P0107.md"),
    },
    CodeInfo {
        code: MISSING_FIELD,
        name: "missing-field",
        severity: Severity::Error,
        title: "required field missing",
        explanation: include_str!("../../docs/codes/P0108.md"),
    },
    CodeInfo {
        code: REPEATED_FIELD,
        name: "repeated-field",
        severity: Severity::Error,
        title: "field given more than once",
        explanation: include_str!("../../docs/codes/P0109.md"),
    },
    CodeInfo {
        code: INVALID_CONFIG,
        name: "invalid-config",
        severity: Severity::Error,
        title: "invalid pactum.yaml",
        explanation: include_str!("../../docs/codes/P0110.md"),
    },
    CodeInfo {
        code: RESERVED_NAME,
        name: "reserved-name",
        severity: Severity::Error,
        title: "reserved name",
        explanation: include_str!("../../docs/codes/P0111.md"),
    },
    CodeInfo {
        code: UNKNOWN_FUNCTION,
        name: "unknown-function",
        severity: Severity::Error,
        title: "unknown function",
        explanation: include_str!("../../docs/codes/P0201.md"),
    },
    CodeInfo {
        code: BAD_ARGUMENT,
        name: "bad-argument",
        severity: Severity::Error,
        title: "wrong argument",
        explanation: include_str!("../../docs/codes/P0202.md"),
    },
    CodeInfo {
        code: UNIT_MISMATCH,
        name: "unit-mismatch",
        severity: Severity::Error,
        title: "arithmetic on incompatible units",
        explanation: include_str!("../../docs/codes/P0203.md"),
    },
    CodeInfo {
        code: DECLARED_UNIT,
        name: "declared-unit",
        severity: Severity::Error,
        title: "declared unit differs from the value's unit",
        explanation: include_str!("../../docs/codes/P0204.md"),
    },
    CodeInfo {
        code: TARGET_UNIT,
        name: "target-unit",
        severity: Severity::Error,
        title: "threshold does not fit the metric's unit",
        explanation: include_str!("../../docs/codes/P0205.md"),
    },
    CodeInfo {
        code: CURRENCY_MISMATCH,
        name: "currency-mismatch",
        severity: Severity::Error,
        title: "amount in another currency",
        explanation: include_str!("../../docs/codes/P0206.md"),
    },
    CodeInfo {
        code: CONDITION_TYPE,
        name: "condition-type",
        severity: Severity::Error,
        title: "comparison value does not fit the column",
        explanation: include_str!("../../docs/codes/P0207.md"),
    },
    CodeInfo {
        code: POSITION_WEIGHTS,
        name: "position-weights",
        severity: Severity::Error,
        title: "position-based weights out of range",
        explanation: include_str!("../../docs/codes/P0301.md"),
    },
    CodeInfo {
        code: CUSTOM_WEIGHTS,
        name: "custom-weights",
        severity: Severity::Error,
        title: "custom weights do not add up to 100%",
        explanation: include_str!("../../docs/codes/P0302.md"),
    },
    CodeInfo {
        code: LOOKBACK,
        name: "lookback",
        severity: Severity::Error,
        title: "lookback or touch limit out of range",
        explanation: include_str!("../../docs/codes/P0303.md"),
    },
    CodeInfo {
        code: TOUCH_KEYS,
        name: "touch-keys",
        severity: Severity::Error,
        title: "touches or conversions without customer key or time",
        explanation: include_str!("../../docs/codes/P0304.md"),
    },
    CodeInfo {
        code: ATTRIBUTION_VALUE,
        name: "attribution-value",
        severity: Severity::Error,
        title: "attribution value is not money",
        explanation: include_str!("../../docs/codes/P0305.md"),
    },
    CodeInfo {
        code: CREDIT_COLUMN,
        name: "credit-column",
        severity: Severity::Error,
        title: "credit or channel column missing from a touch source",
        explanation: include_str!("../../docs/codes/P0306.md"),
    },
    CodeInfo {
        code: IGNORE_WITHOUT_CHANNEL,
        name: "ignore-without-channel",
        severity: Severity::Error,
        title: "ignored channels without a channel column",
        explanation: include_str!("../../docs/codes/P0307.md"),
    },
    CodeInfo {
        code: ATTRIBUTION_MODEL,
        name: "attribution-model",
        severity: Severity::Error,
        title: "unknown attribution model or setting",
        explanation: include_str!("../../docs/codes/P0308.md"),
    },
    CodeInfo {
        code: RELATIVE_TARGET_BASELINE,
        name: "relative-target-baseline",
        severity: Severity::Error,
        title: "relative target without a baseline",
        explanation: include_str!("../../docs/codes/P0310.md"),
    },
    CodeInfo {
        code: DEADLINE_OUTSIDE,
        name: "deadline-outside",
        severity: Severity::Error,
        title: "deadline outside the effective period",
        explanation: include_str!("../../docs/codes/P0311.md"),
    },
    CodeInfo {
        code: TARGET_RANGE,
        name: "target-range",
        severity: Severity::Error,
        title: "empty target range",
        explanation: include_str!("../../docs/codes/P0312.md"),
    },
    CodeInfo {
        code: PILOT_PERIOD,
        name: "pilot-period",
        severity: Severity::Error,
        title: "pilot period outside the agreement",
        explanation: include_str!("../../docs/codes/P0320.md"),
    },
    CodeInfo {
        code: PILOT_BASELINE,
        name: "pilot-baseline",
        severity: Severity::Error,
        title: "pilot baseline not before the pilot",
        explanation: include_str!("../../docs/codes/P0321.md"),
    },
    CodeInfo {
        code: PILOT_WINDOW,
        name: "pilot-window",
        severity: Severity::Warning,
        title: "expectation cannot be judged before the agreement ends",
        explanation: include_str!("../../docs/codes/P0322.md"),
    },
    CodeInfo {
        code: PILOT_PARTNER_ROLE,
        name: "pilot-partner-role",
        severity: Severity::Error,
        title: "pilot partner without a partner role",
        explanation: include_str!("../../docs/codes/P0323.md"),
    },
    CodeInfo {
        code: PILOT_HYPOTHESIS,
        name: "pilot-hypothesis",
        severity: Severity::Error,
        title: "pilot without a hypothesis",
        explanation: include_str!("../../docs/codes/P0324.md"),
    },
    CodeInfo {
        code: PILOT_COMPARISON,
        name: "pilot-comparison",
        severity: Severity::Error,
        title: "pilot with nothing to compare against",
        explanation: include_str!("../../docs/codes/P0325.md"),
    },
    CodeInfo {
        code: PILOT_CONTROL_UNSPLIT,
        name: "pilot-control-unsplit",
        severity: Severity::Error,
        title: "pilot against control partners on a metric not split by partner",
        explanation: include_str!("../../docs/codes/P0326.md"),
    },
    CodeInfo {
        code: METRIC_OWNER,
        name: "metric-owner",
        severity: Severity::Error,
        title: "metric without an owner",
        explanation: include_str!("../../docs/codes/P0330.md"),
    },
    CodeInfo {
        code: SOURCE_OWNER,
        name: "source-owner",
        severity: Severity::Error,
        title: "source without a data owner",
        explanation: include_str!("../../docs/codes/P0331.md"),
    },
    CodeInfo {
        code: GOAL_WITHOUT_TARGET,
        name: "goal-without-target",
        severity: Severity::Error,
        title: "goal not measured by a metric with a target",
        explanation: include_str!("../../docs/codes/P0340.md"),
    },
    CodeInfo {
        code: VANITY_METRIC,
        name: "vanity-metric",
        severity: Severity::Warning,
        title: "vanity metric",
        explanation: include_str!("../../docs/codes/P0341.md"),
    },
    CodeInfo {
        code: OUTCOME_WITHOUT_GOAL,
        name: "outcome-without-goal",
        severity: Severity::Warning,
        title: "outcome with no goal",
        explanation: include_str!("../../docs/codes/P0342.md"),
    },
    CodeInfo {
        code: NO_LAGGING_METRIC,
        name: "no-lagging-metric",
        severity: Severity::Warning,
        title: "scorecard without a lagging metric",
        explanation: include_str!("../../docs/codes/P0343.md"),
    },
    CodeInfo {
        code: UNUSED_METRIC,
        name: "unused-metric",
        severity: Severity::Warning,
        title: "metric used nowhere",
        explanation: include_str!("../../docs/codes/P0344.md"),
    },
    CodeInfo {
        code: INITIATIVE_CYCLE,
        name: "initiative-cycle",
        severity: Severity::Error,
        title: "initiative dependency cycle",
        explanation: include_str!("../../docs/codes/P0350.md"),
    },
    CodeInfo {
        code: INITIATIVE_ORDER,
        name: "initiative-order",
        severity: Severity::Error,
        title: "initiative due before what it depends on",
        explanation: include_str!("../../docs/codes/P0351.md"),
    },
    CodeInfo {
        code: DATE_OUTSIDE,
        name: "date-outside",
        severity: Severity::Error,
        title: "date outside the effective period",
        explanation: include_str!("../../docs/codes/P0352.md"),
    },
    CodeInfo {
        code: ACQUISITION_ONLY_INCENTIVE,
        name: "acquisition-only-incentive",
        severity: Severity::Warning,
        title: "incentive rewards acquisition only",
        explanation: include_str!("../../docs/codes/P0360.md"),
    },
    CodeInfo {
        code: PAYEE_ROLE,
        name: "payee-role",
        severity: Severity::Error,
        title: "incentive paid to a party without a partner role",
        explanation: include_str!("../../docs/codes/P0361.md"),
    },
    CodeInfo {
        code: PAYMENT_UNIT,
        name: "payment-unit",
        severity: Severity::Error,
        title: "payment does not fit the metric",
        explanation: include_str!("../../docs/codes/P0362.md"),
    },
    CodeInfo {
        code: PII_SHARED,
        name: "pii-shared",
        severity: Severity::Error,
        title: "personal data in a shared scorecard",
        explanation: include_str!("../../docs/codes/P0370.md"),
    },
    CodeInfo {
        code: SHARED_WITHOUT_MINIMUM,
        name: "shared-without-minimum",
        severity: Severity::Warning,
        title: "shared scorecard without a minimum group",
        explanation: include_str!("../../docs/codes/P0371.md"),
    },
    CodeInfo {
        code: STATUS_THRESHOLDS,
        name: "status-thresholds",
        severity: Severity::Error,
        title: "status thresholds out of order",
        explanation: include_str!("../../docs/codes/P0372.md"),
    },
    CodeInfo {
        code: CONFLICTING_EVENT,
        name: "conflicting-event",
        severity: Severity::Error,
        title: "event defined twice with different rows",
        explanation: include_str!("../../docs/codes/P0380.md"),
    },
    CodeInfo {
        code: EVENT_WITHOUT_STAGE,
        name: "event-without-stage",
        severity: Severity::Warning,
        title: "event in no journey stage",
        explanation: include_str!("../../docs/codes/P0381.md"),
    },
    CodeInfo {
        code: UNKNOWN_STAGE,
        name: "unknown-stage",
        severity: Severity::Error,
        title: "unknown journey stage",
        explanation: include_str!("../../docs/codes/P0382.md"),
    },
    CodeInfo {
        code: EVENT_MAY_REPEAT,
        name: "event-may-repeat",
        severity: Severity::Warning,
        title: "an event named for something done once can repeat",
        explanation: include_str!("../../docs/codes/P0383.md"),
    },
    CodeInfo {
        code: ONCE_WITHOUT_PARTNER,
        name: "once-without-partner",
        severity: Severity::Error,
        title: "`first per customer and partner` without partner codes",
        explanation: include_str!("../../docs/codes/P0384.md"),
    },
    CodeInfo {
        code: DATE_ORDER,
        name: "date-order",
        severity: Severity::Error,
        title: "date range ends before it starts",
        explanation: include_str!("../../docs/codes/P0390.md"),
    },
    CodeInfo {
        code: REVIEW_CADENCE,
        name: "review-cadence",
        severity: Severity::Error,
        title: "invalid review cadence",
        explanation: include_str!("../../docs/codes/P0391.md"),
    },
    CodeInfo {
        code: AUDIT_SCHEDULE,
        name: "audit-schedule",
        severity: Severity::Error,
        title: "invalid audit schedule",
        explanation: include_str!("../../docs/codes/P0392.md"),
    },
    CodeInfo {
        code: UNKNOWN_WORD,
        name: "unknown-word",
        severity: Severity::Error,
        title: "unknown word",
        explanation: include_str!("../../docs/codes/P0393.md"),
    },
    CodeInfo {
        code: SHARED_IDENTIFIER,
        name: "shared-identifier",
        severity: Severity::Error,
        title: "two parties share an identifier",
        explanation: include_str!("../../docs/codes/P0394.md"),
    },
    CodeInfo {
        code: AMENDMENT_VERSION,
        name: "amendment-version",
        severity: Severity::Error,
        title: "amendment for a version the agreement does not have",
        explanation: include_str!("../../docs/codes/P0395.md"),
    },
    CodeInfo {
        code: AMENDMENT_SUBJECT,
        name: "amendment-subject",
        severity: Severity::Error,
        title: "amendment names a change the agreement does not show",
        explanation: include_str!("../../docs/codes/P0396.md"),
    },
    CodeInfo {
        code: LATE_APPROVAL,
        name: "late-approval",
        severity: Severity::Warning,
        title: "approval dated after its amendment",
        explanation: include_str!("../../docs/codes/P0397.md"),
    },
    CodeInfo {
        code: VERSION_NOT_RAISED,
        name: "version-not-raised",
        severity: Severity::Error,
        title: "breaking change without a new version",
        explanation: include_str!("../../docs/codes/P0401.md"),
    },
    CodeInfo {
        code: AMENDMENT_MISSING,
        name: "amendment-missing",
        severity: Severity::Error,
        title: "breaking change without an amendment",
        explanation: include_str!("../../docs/codes/P0402.md"),
    },
    CodeInfo {
        code: AMENDMENT_INCOMPLETE,
        name: "amendment-incomplete",
        severity: Severity::Error,
        title: "amendment does not name every breaking change",
        explanation: include_str!("../../docs/codes/P0403.md"),
    },
    CodeInfo {
        code: APPROVAL_MISSING,
        name: "approval-missing",
        severity: Severity::Error,
        title: "amendment without every party's dated approval",
        explanation: include_str!("../../docs/codes/P0404.md"),
    },
];

/// Data and engine errors of `run` and `report` (always errors).
pub const DATA: &[CodeInfo] = &[
    CodeInfo {
        code: MISSING_DATA_FILE,
        name: "missing-data-file",
        severity: Severity::Error,
        title: "a source's data file is missing",
        explanation: include_str!("../../docs/codes/P0501.md"),
    },
    CodeInfo {
        code: MISSING_DATA_COLUMN,
        name: "missing-data-column",
        severity: Severity::Error,
        title: "a declared column is not in the header",
        explanation: include_str!("../../docs/codes/P0502.md"),
    },
    CodeInfo {
        code: DATA_TYPE,
        name: "data-type",
        severity: Severity::Error,
        title: "a value does not fit its column's type",
        explanation: include_str!("../../docs/codes/P0503.md"),
    },
    CodeInfo {
        code: UNREADABLE_ROW,
        name: "unreadable-row",
        severity: Severity::Error,
        title: "a row cannot be read",
        explanation: include_str!("../../docs/codes/P0504.md"),
    },
    CodeInfo {
        code: ENGINE_TABLE,
        name: "engine-table",
        severity: Severity::Error,
        title: "tables an engine cannot hold or load",
        explanation: include_str!("../../docs/codes/P0505.md"),
    },
    CodeInfo {
        code: QUERY_FAILED,
        name: "query-failed",
        severity: Severity::Error,
        title: "a query failed",
        explanation: include_str!("../../docs/codes/P0506.md"),
    },
    CodeInfo {
        code: DATABASE_UNREACHABLE,
        name: "database-unreachable",
        severity: Severity::Error,
        title: "the database cannot be used",
        explanation: include_str!("../../docs/codes/P0507.md"),
    },
    CodeInfo {
        code: CANCELLED,
        name: "cancelled",
        severity: Severity::Error,
        title: "the run was cancelled",
        explanation: include_str!("../../docs/codes/P0508.md"),
    },
];
