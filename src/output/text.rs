//! Text rendering of records, byte-compatible with s5cmd's lines: `cp <src> <dst>`,
//! `ERROR "<command>": <message>`, `DEBUG "<job>": <reason>` — and the escaping of
//! control characters that keeps a key or a server's message from driving the
//! terminal (an ESC in a key would otherwise reach it raw).

use std::borrow::Cow;

use crate::record::Record;

/// Whether `c` is a control character: C0, DEL or C1.
fn is_control(c: char) -> bool {
    c.is_control()
}

/// A quick byte scan that may say yes wrongly (any U+0080–U+00BF starts with 0xC2)
/// but never wrongly no: most lines have no control character and skip the rest.
fn may_have_control(line: &str) -> bool {
    line.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2)
}

/// Text output's quoting style, Go's `%q` escapes without the quotes: `\n`, `\t`,
/// `\r`, `\xNN` for the other C0 controls and DEL, `\u00NN` for C1 controls
/// (U+0080–U+009F, a CSI among them). Everything else, backslashes included, is
/// left as is, so printable names stay byte-identical to s5cmd's lines.
pub fn escape_controls(line: &str) -> Cow<'_, str> {
    if !may_have_control(line) || !line.chars().any(is_control) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x80 && is_control(c) => {
            out.push_str(&format!("\\x{:02x}", c as u32));
        }
        c if is_control(c) => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push(c),
    }
}

/// A JSON line with DEL and the C1 controls (which JSON allows raw inside strings,
/// and some terminals obey) written as `\u00NN`: the same strings once parsed.
/// serde_json already escapes C0 controls; these characters occur only inside
/// strings, so replacing them cannot change the structure.
pub fn json_safe(line: &str) -> Cow<'_, str> {
    if !may_have_control(line) || !line.chars().any(is_control) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if is_control(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `cp src dst`, `rm url`, `rm <url padded to 50> <version>`, `mb s3://b`.
pub fn result_line(record: &Record) -> String {
    let mut line = String::with_capacity(64);
    line.push_str(&record.operation);
    if let Some(source) = &record.source {
        line.push(' ');
        match &record.version_id {
            Some(version) if record.destination.is_none() => {
                line.push_str(&format!("{source:<50} {version}"));
            }
            _ => line.push_str(source),
        }
    }
    if let Some(destination) = &record.destination {
        line.push(' ');
        line.push_str(destination);
    }
    line
}

/// `ERROR "<command>": <message>`, with the message flattened to one line and the
/// command quoted like Go's `%q`.
pub fn error_line(record: &Record) -> String {
    let message = flatten(record.error.as_deref().unwrap_or(""));
    match record.command.as_deref() {
        Some(command) if !command.is_empty() => {
            format!("ERROR {}: {}", go_quote(command), message)
        }
        _ => format!("ERROR {message}"),
    }
}

/// `DEBUG "<op> <src> <dst>": <reason>`.
pub fn debug_line(record: &Record, reason: &str) -> String {
    let mut job = record.operation.clone();
    for part in [&record.source, &record.destination].into_iter().flatten() {
        job.push(' ');
        job.push_str(part);
    }
    format!("DEBUG {}: {}", go_quote(&job), reason)
}

/// s5cmd's `cleanupError`, for text and JSON alike: newlines and tabs become spaces,
/// then every double space one space in a single pass (so three spaces leave two),
/// ends trimmed (reference §0.7).
pub fn flatten(message: &str) -> String {
    let replaced: String = message
        .chars()
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect();
    replaced.replace("  ", " ").trim().to_string()
}

/// Quotes a string as Go's `%q` does for printable text: backslash and double quote
/// escaped, control characters as `\n`, `\t`, `\r` or `\xNN`.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => push_escaped(&mut out, c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn renders_like_s5cmd() {
        let mut r = Record::ok("cp");
        r.source = Some("s3://b/k".into());
        r.destination = Some("k".into());
        assert_eq!(result_line(&r), "cp s3://b/k k");
        let mut rm = Record::ok("rm");
        rm.source = Some("s3://b/f".into());
        rm.version_id = Some("v1".into());
        assert_eq!(result_line(&rm), format!("rm {:<50} v1", "s3://b/f"));
        let e = Record::failed(
            "cp",
            "cp s3://b/testfile1.txt *".into(),
            "target \"*\" can not contain glob characters".into(),
            ErrorKind::Usage,
        );
        assert_eq!(
            error_line(&e),
            r#"ERROR "cp s3://b/testfile1.txt *": target "*" can not contain glob characters"#
        );
        assert_eq!(
            debug_line(&r, "object already exists"),
            r#"DEBUG "cp s3://b/k k": object already exists"#
        );
    }

    #[test]
    fn escapes_control_characters_in_text_and_keeps_json_exact() {
        assert_eq!(escape_controls("plain/k\\ey"), "plain/k\\ey");
        assert_eq!(
            escape_controls("a\u{1b}[31mred\n\t\u{7f}\u{9b}é"),
            "a\\x1b[31mred\\n\\t\\x7f\\u009bé"
        );
        let json = serde_json::to_string("a\u{1b}\u{7f}\u{9b}").unwrap();
        let safe = json_safe(&json);
        assert!(!safe.chars().any(char::is_control), "{safe}");
        assert_eq!(
            serde_json::from_str::<String>(&safe).unwrap(),
            "a\u{1b}\u{7f}\u{9b}"
        );
        assert_eq!(go_quote("a\u{1b}\u{9b}"), "\"a\\x1b\\u009b\"");
    }

    #[test]
    fn flattens_messages() {
        assert_eq!(flatten("a\nb\tc  d  e "), "a b c d e");
        assert_eq!(flatten("x    y"), "x  y");
        assert_eq!(
            flatten("Code: \n\tstatus code: 409, host id: "),
            "Code:  status code: 409, host id:"
        );
    }
}
