//! Text rendering of records, byte-compatible with s5cmd's lines: `cp <src> <dst>`,
//! `ERROR "<command>": <message>`, `DEBUG "<job>": <reason>`.

use crate::record::Record;

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
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
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
    fn flattens_messages() {
        assert_eq!(flatten("a\nb\tc  d  e "), "a b c d e");
        assert_eq!(flatten("x    y"), "x  y");
        assert_eq!(
            flatten("Code: \n\tstatus code: 409, host id: "),
            "Code:  status code: 409, host id:"
        );
    }
}
