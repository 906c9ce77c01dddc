//! Text from an agreement or from data, written into Markdown (the report
//! and `doc --format md`) so that it reads as the text it is and never as
//! markup: no line break (a value cannot start a heading or a table row of
//! its own), no emphasis, link, image, raw HTML or cell separator, and no
//! control or direction-changing character. Only what would be markup is
//! escaped, so that conditions such as `amount > 0` or `plan in ["a"]` read
//! as written.

use crate::diagnostics::visible;

/// The text escaped for a Markdown paragraph, heading or table cell.
pub fn text(value: &str) -> String {
    let value = visible::escaped(value);
    let chars: Vec<char> = value.chars().collect();
    let mut out = String::with_capacity(value.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        match c {
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '<' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // `![` starts an image; `](`, `][` and `]:` make a link of the
            // brackets before them. Alone, brackets and `!` are text.
            '!' if after == Some('[') => out.push_str("\\!"),
            ']' if matches!(after, Some('(' | '[' | ':')) => out.push_str("\\]"),
            // Inside a word an underscore is no emphasis.
            '_' if before.is_some_and(char::is_alphanumeric)
                && after.is_some_and(char::is_alphanumeric) =>
            {
                out.push('_')
            }
            '_' => out.push_str("\\_"),
            // At the start, these begin a list item or underline a heading.
            '-' | '+' | '=' | '>' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            // `1.` or `1)` at the start begins a numbered list.
            '.' | ')'
                if i > 0
                    && chars[..i].iter().all(char::is_ascii_digit)
                    && after.is_none_or(char::is_whitespace) =>
            {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

/// The text as the content of a code span (between backticks): code spans
/// take no escapes, so a backtick becomes an apostrophe and a line break a
/// space, and hazards are shown escaped.
pub fn code(value: &str) -> String {
    visible::escaped(value)
        .chars()
        .map(|c| match c {
            '`' => '\'',
            '\n' | '\r' => ' ',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_cannot_forge_a_row_or_a_heading() {
        assert_eq!(
            text("EU | 999 | met |\n## Pilot verdict: met"),
            "EU \\| 999 \\| met \\| \\#\\# Pilot verdict: met"
        );
        assert_eq!(text("# heading"), "\\# heading");
        assert_eq!(text("- item"), "\\- item");
        assert_eq!(text("12. item"), "12\\. item");
        assert_eq!(text("1.5 days"), "1.5 days");
    }

    #[test]
    fn links_images_html_and_emphasis_are_text() {
        assert_eq!(
            text("![x](http://e/i.png) [click](javascript:alert(1)) <script>"),
            "\\![x\\](http://e/i.png) [click\\](javascript:alert(1)) \\<script>"
        );
        assert_eq!(text("*bold* _it_ `code`"), "\\*bold\\* \\_it\\_ \\`code\\`");
    }

    #[test]
    fn names_read_as_they_are() {
        assert_eq!(text("new_customers"), "new_customers");
        assert_eq!(text("Acme referral (2027)"), "Acme referral (2027)");
        assert_eq!(text("2026-01-01"), "2026-01-01");
        assert_eq!(text("a\u{1b}[2Kb\u{202e}"), "a\\\\u{1B}[2Kb\\\\u{202E}");
    }

    #[test]
    fn code_spans_cannot_be_closed_early() {
        assert_eq!(code("a`b\nc"), "a'b c");
    }
}
