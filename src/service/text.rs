//! The one rule for the characters of members' text, applied by every service to every text
//! field it stores or searches with (lengths are each field's own, in config.toml).
//!
//! - Single-line fields (display names, school names and cities, mail subjects, posting and
//!   group titles, chat client ids, search queries) refuse every control character (C0
//!   including tab, DEL, C1) and the Unicode line and paragraph separators. A line break or
//!   an escape sequence there could fake lines of the platform's own text where the field is
//!   shown (e-mail headers and bodies, notifications, logs read in a terminal).
//! - Multi-line fields (bios, mail and comment bodies, descriptions, chat messages, an NSO's
//!   refusal reason, which the UI asks for in a text area) keep line breaks and tabs
//!   (`\n`, `\r`, `\t`) and refuse every other control character: NUL, ESC, BEL and the rest
//!   have no place in prose and can corrupt what reads it.
//!
//! Format characters (zero-width joiners, bidirectional marks) stay allowed: scripts and
//! emoji need them. Passwords are not text in this sense: they are never shown, only hashed,
//! so they may hold any character.

use crate::error::AppError;

/// One line: no control character, no line or paragraph separator.
pub(crate) fn single_line(field: &str, value: &str) -> Result<(), AppError> {
    if value.chars().any(breaks_a_line_or_controls) {
        return Err(AppError::Validation(format!(
            "{field}: line breaks and control characters are not allowed"
        )));
    }
    Ok(())
}

/// Prose: line breaks and tabs allowed, no other control character.
pub(crate) fn multi_line(field: &str, value: &str) -> Result<(), AppError> {
    let layout = |c: char| matches!(c, '\n' | '\r' | '\t');
    if value.chars().any(|c| c.is_control() && !layout(c)) {
        return Err(AppError::Validation(format!(
            "{field}: control characters other than line breaks and tabs are not allowed"
        )));
    }
    Ok(())
}

/// [`single_line`] for an optional field (absent is fine).
pub(crate) fn single_line_opt(field: &str, value: Option<&str>) -> Result<(), AppError> {
    value.map_or(Ok(()), |v| single_line(field, v))
}

/// [`multi_line`] for an optional field (absent is fine).
pub(crate) fn multi_line_opt(field: &str, value: Option<&str>) -> Result<(), AppError> {
    value.map_or(Ok(()), |v| multi_line(field, v))
}

fn breaks_a_line_or_controls(c: char) -> bool {
    c.is_control() || c == '\u{2028}' || c == '\u{2029}'
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROLS: [&str; 7] = [
        "\0",
        "\u{7}",
        "\u{1b}[31m",
        "\u{7f}",
        "\u{85}",
        "\u{8}",
        "\u{b}",
    ];

    #[test]
    fn single_lines_refuse_every_control_and_line_break() {
        for bad in CONTROLS
            .iter()
            .chain(&["\n", "\r", "\t", "\u{2028}", "\u{2029}"])
        {
            let err = single_line("city", &format!("Lyon{bad}x")).unwrap_err();
            assert!(matches!(&err, AppError::Validation(m) if m.starts_with("city: ")));
        }
        single_line("city", "Saint-Étienne (Île-de-France) 👩‍🏫 ‏שלום").unwrap();
    }

    #[test]
    fn multi_lines_keep_line_breaks_and_tabs_only() {
        multi_line("body", "Hello,\r\n\tsee you\nsoon\u{2028}").unwrap();
        for bad in CONTROLS {
            let err = multi_line("body", &format!("Hello{bad}")).unwrap_err();
            assert!(matches!(&err, AppError::Validation(m) if m.starts_with("body: ")));
        }
        assert!(multi_line_opt("bio", None).is_ok());
        assert!(single_line_opt("name", Some("a\nb")).is_err());
    }
}
