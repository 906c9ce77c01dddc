//! Text from an agreement or from data, made safe to print on a terminal.
//! Control characters (ESC starts sequences that move the cursor, erase a
//! line or recolour it; a lone carriage return rewrites the line) and
//! invisible or direction-changing characters (Trojan Source) are shown as
//! escapes, so that what a message says is what the reader sees. Every
//! human-readable message goes through here on its way out.

use std::borrow::Cow;

/// The name of an invisible character, or of one that turns the direction
/// of the text around it.
pub fn invisible_name(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{061C}' => "ARABIC LETTER MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        _ => return None,
    })
}

/// Whether a character may not reach a terminal as it is. Line feeds and
/// tabs may: messages are written with them.
pub fn is_hazard(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || invisible_name(c).is_some()
}

/// The text with every hazard written as an escape (`\u{1B}`).
pub fn escaped(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hazard(c) {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The text with every hazard replaced by as many `?` as it has bytes, so
/// that byte offsets into it (the spans of diagnostics) still hold. A
/// carriage return before a line feed is a line ending and stays.
pub fn masked(text: &str) -> Cow<'_, str> {
    let hazard_at = |i: usize, c: char| {
        is_hazard(c) && !(c == '\r' && text.as_bytes().get(i + 1) == Some(&b'\n'))
    };
    if !text.char_indices().any(|(i, c)| hazard_at(i, c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.char_indices() {
        if hazard_at(i, c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_direction_changes_are_shown() {
        assert_eq!(
            escaped("ok\u{1b}[2K\rall good\u{202e}x"),
            "ok\\u{1B}[2K\\u{D}all good\\u{202E}x"
        );
        assert_eq!(
            escaped("line\nnext\tcolumn é 中"),
            "line\nnext\tcolumn é 中"
        );
        assert_eq!(escaped("\u{7f}\u{9b}"), "\\u{7F}\\u{9B}");
    }

    #[test]
    fn masking_keeps_every_byte_offset() {
        let text = "a\u{1b}b\u{202e}c\u{9b}d\r\ne\rf";
        let masked = masked(text);
        assert_eq!(masked, "a?b???c??d\r\ne?f");
        assert_eq!(masked.len(), text.len());
    }
}
