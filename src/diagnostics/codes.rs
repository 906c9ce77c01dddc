//! Every diagnostic code, with its long explanation for `pactum explain`.

pub struct CodeInfo {
    pub code: &'static str,
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

pub const ALL: &[CodeInfo] = &[
    CodeInfo {
        code: SYNTAX,
        title: "syntax error",
        explanation: "The parser met something it did not expect. The message says what it \
expected at that point, in words; when the text looks like a misspelled keyword, the help line \
suggests the keyword.\n\nWrong:\n\n    party acme {\n      rol partner\n    }\n\nRight:\n\n    \
party acme {\n      role partner\n    }\n",
    },
    CodeInfo {
        code: UNTERMINATED_STRING,
        title: "unterminated string",
        explanation: "A string starts with `\"` and must end with `\"` on the same line. To put a \
quote inside a string, write `\\\"`.\n\nWrong:\n\n    contact \"li.wei@acme.example\n\nRight:\n\n    \
contact \"li.wei@acme.example\"\n",
    },
    CodeInfo {
        code: INVALID_CHARACTER,
        title: "invalid control character",
        explanation: "The file contains a control character (such as NUL, ESC or DEL) that is \
not allowed anywhere in a Pactum file, not even in a string or a comment. Control characters \
usually mean the file is binary or was corrupted. (A printable character out of place, such as \
`@`, is a syntax error, P0001.)\n\nWrong: `currency <ESC>USD`, with an invisible escape \
character before USD.\n\nRight:\n\n    currency USD\n",
    },
    CodeInfo {
        code: INVALID_UTF8,
        title: "file is not valid UTF-8",
        explanation: "Pactum files are UTF-8 text. The file contains a byte sequence that is not \
UTF-8, often because it was saved in a legacy encoding (Latin-1, Windows-1252) or is not a text \
file at all. Re-save it as UTF-8.\n\nWrong: a file saved as Latin-1 with `Café` in a title.\n\n\
Right: the same file saved as UTF-8.\n",
    },
    CodeInfo {
        code: TOO_DEEP,
        title: "nesting too deep",
        explanation: "Blocks, lists and parentheses can be nested at most 64 levels deep. No real \
agreement comes close; the limit keeps the parser safe from hostile input.\n\nWrong:\n\n    \
value ((((((((...))))))))\n\nRight:\n\n    value sum(orders.amount) / count_distinct(orders.customer)\n",
    },
    CodeInfo {
        code: EMPTY_FILE,
        title: "empty file",
        explanation: "A Pactum file holds one `agreement` or one `catalog`, optionally preceded \
by `use` imports. This file has nothing but whitespace and comments.\n\nWrong: an empty \
`referral.pactum`.\n\nRight:\n\n    agreement referral \"Referral partnership\" {\n      version 1\n    }\n",
    },
    CodeInfo {
        code: INVALID_DATE,
        title: "invalid date",
        explanation: "Dates are written `YYYY-MM-DD` and must exist in the calendar: months 01 to \
12, days within the month (February 29 only in leap years).\n\nWrong:\n\n    due 2026-02-30\n\n\
Right:\n\n    due 2026-02-28\n",
    },
    CodeInfo {
        code: NUMBER_OUT_OF_RANGE,
        title: "number out of range",
        explanation: "The number is too large to be represented. Integers (versions, counts, \
group sizes) must fit in 64 bits; decimals must be finite.\n\nWrong:\n\n    version 99999999999999999999999\n\n\
Right:\n\n    version 4\n",
    },
    CodeInfo {
        code: NEGATIVE_DURATION,
        title: "negative duration",
        explanation: "Durations (lookbacks, windows, freshness limits) measure a length of time \
and cannot be negative.\n\nWrong:\n\n    lookback -30 days\n\nRight:\n\n    lookback 30 days\n",
    },
    CodeInfo {
        code: INVALID_ESCAPE,
        title: "invalid escape in a string",
        explanation: "Inside a string, a backslash starts an escape: `\\\"`, `\\\\`, `\\n`, `\\t`, \
`\\r` or `\\u{...}` with a Unicode scalar value in hexadecimal.\n\nWrong:\n\n    hypothesis \
\"up \\q 15%\"\n\nRight:\n\n    hypothesis \"up 15%\"\n",
    },
    CodeInfo {
        code: UNBALANCED,
        title: "unbalanced delimiters",
        explanation: "Every `{`, `(` and `[` needs its matching `}`, `)` or `]`, in order. The \
message points at the opening delimiter that is never closed, or at the closing one that has no \
opening.\n\nWrong:\n\n    party acme {\n      role partner\n\nRight:\n\n    party acme {\n      \
role partner\n    }\n",
    },
    CodeInfo {
        code: TOO_MANY_ERRORS,
        title: "too many errors",
        explanation: "After 100 errors in one file, Pactum stops listing them: the file is \
probably not a Pactum agreement, or one early mistake confuses everything after it. Fix the \
first errors and run again.\n\nWrong: a file with thousands of broken lines.\n\nRight: fix the \
first reported errors, then check again.\n",
    },
];

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let wanted = code.trim().to_ascii_uppercase();
    ALL.iter().find(|c| c.code == wanted)
}
