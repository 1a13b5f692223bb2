//! Flag values: the kinds a flag's value may have ([`ValueKind`]), and checking and
//! converting one flag's text according to its kind, with s5cmd's (Go `flag`
//! package's) syntax and error wording.
//!
//! Integers follow Go's `strconv.ParseInt(s, 0, 64)` (`12`, `+12`, `0x1f`, `0o17`,
//! `0b101`, `017`), durations Go's `time.ParseDuration`, and durations are rendered
//! back as Go's `Duration.String()` (`1h30m0s`) because s5cmd's command strings show
//! them that way.

use std::time::Duration;

use crate::command::AgeLimit;

use super::limits::{parse_age, parse_size};

/// What a flag's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// No value; `--flag` or `--flag=true|false`.
    Bool,
    /// Any string.
    Text,
    /// A non-negative integer (Go `strconv.ParseInt` base 0 syntax: `12`, `+12`, `0x1f`).
    Count,
    /// A Go duration (`90s`, `1h30m`, `3h0m0s`).
    Duration,
    /// One of the given values, matched case-insensitively, stored in the spelling given
    /// here. The list is printed in error messages.
    Choice(&'static [&'static str]),
    /// `key=value` (`--metadata`); keys must be unique across repetitions.
    KeyValue,
    /// An `http://` or `https://` URL.
    Url,
    /// An RFC 3339 timestamp (`--expires`).
    Rfc3339,
    /// `k=v&k2=v2` (`--tagging`).
    Tagging,
    /// A string in which backslash escapes (`\t`, `\n` …) are interpreted (`--delimiter`).
    Escaped,
    /// A size in bytes with an optional unit (`10K`, `5MiB`, `1G`; `parse/limits.rs`).
    Size,
    /// A duration (`7d`) or an RFC 3339 instant (`parse/limits.rs`).
    Age,
    /// A regular expression (the `regex` crate's syntax), checked by compiling it.
    Regex,
}

/// A checked flag value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A bool flag's value.
    Bool(bool),
    /// A string (text, URL, timestamp, tagging, unescaped delimiter).
    Text(String),
    /// A non-negative integer.
    Count(u64),
    /// A duration.
    Duration(Duration),
    /// A choice, in the table's spelling.
    Choice(&'static str),
    /// A `key=value` pair.
    Pair(String, String),
    /// A size in bytes.
    Size(u64),
    /// An age bound.
    Age(AgeLimit),
}

impl Value {
    /// How the value is shown in a command display string.
    pub fn display(&self, raw: &str) -> String {
        match self {
            Value::Bool(b) => b.to_string(),
            Value::Count(n) => n.to_string(),
            Value::Duration(d) => format_go_duration(*d),
            Value::Pair(k, v) => format!("{k}={v}"),
            // As given: s5cmd shows `--set=eNaBled`, `--delimiter=\t`; sizes and ages
            // as typed (`--min-size=10K`).
            Value::Text(_) | Value::Choice(_) | Value::Size(_) | Value::Age(_) => raw.to_string(),
        }
    }
}

/// Go's `strconv.ParseBool`.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Why an integer did not parse, worded as Go's `strconv` errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntError {
    /// Not a number.
    Syntax,
    /// Beyond the 64-bit signed range.
    Range,
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub fn parse_go_int(s: &str) -> Result<i64, IntError> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d, true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d, true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    let digits: String = if prefixed {
        digits.chars().filter(|&c| c != '_').collect()
    } else {
        digits.to_string()
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(IntError::Syntax);
    }
    let magnitude = u64::from_str_radix(&digits, radix).map_err(|_| IntError::Range)?;
    if neg {
        if magnitude > i64::MAX as u64 + 1 {
            return Err(IntError::Range);
        }
        Ok((magnitude as i64).wrapping_neg())
    } else {
        i64::try_from(magnitude).map_err(|_| IntError::Range)
    }
}

/// Go's `time.ParseDuration`, as nanoseconds (may be negative). `None` on bad syntax
/// or overflow.
pub fn parse_go_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(after_dot) = rest.strip_prefix('.') {
            let frac_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &after_dot[..frac_len];
            rest = &after_dot[frac_len..];
        }
        if int_part.is_empty() && frac_part.is_empty() {
            return None;
        }
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(rest.len(), |(i, _)| i);
        let unit: i128 = match &rest[..unit_len] {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return None,
        };
        rest = &rest[unit_len..];
        let whole: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().ok()?
        };
        let mut value = whole.checked_mul(unit)?;
        let mut scale = unit;
        for d in frac_part.bytes().take(30) {
            scale /= 10;
            value += i128::from(d - b'0') * scale;
        }
        total = total.checked_add(value)?;
        if total > i128::from(i64::MAX) {
            return None;
        }
    }
    Some(if neg { -total } else { total })
}

/// Go's `time.Duration.String()` for a non-negative duration (`3h0m0s`, `1m30s`,
/// `1.5s`, `500ms`, `0s`).
pub fn format_go_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".into();
    }
    let frac = |value: u128, digits: u32| -> String {
        let base = 10u128.pow(digits);
        let (w, f) = (value / base, value % base);
        if f == 0 {
            w.to_string()
        } else {
            let f = format!("{f:0width$}", width = digits as usize);
            format!("{w}.{}", f.trim_end_matches('0'))
        }
    };
    if ns < 1_000 {
        return format!("{ns}ns");
    }
    if ns < 1_000_000 {
        return format!("{}µs", frac(ns, 3));
    }
    if ns < 1_000_000_000 {
        return format!("{}ms", frac(ns, 6));
    }
    let secs_ns = ns % 60_000_000_000;
    let total_min = ns / 60_000_000_000;
    let (h, m) = (total_min / 60, total_min % 60);
    let s = format!("{}s", frac(secs_ns, 9));
    if h > 0 {
        format!("{h}h{m}m{s}")
    } else if m > 0 {
        format!("{m}m{s}")
    } else {
        s
    }
}

/// Interprets backslash escapes as Go's `strconv.Unquote` does for the common cases
/// (`\t`, `\n`, `\r`, `\\`, `\"`, `\'`, `\0`, `\a`, `\b`, `\f`, `\v`, `\xHH`); other
/// backslashes are kept.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some('\'') => out.push('\''),
            Some('0') => out.push('\0'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('f') => out.push('\x0c'),
            Some('v') => out.push('\x0b'),
            Some('x') => {
                chars.next();
                let hex: String = chars.clone().take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(b) if hex.len() == 2 => {
                        out.push(char::from(b));
                        chars.next();
                        chars.next();
                    }
                    _ => out.push_str("\\x"),
                }
                continue;
            }
            _ => {
                out.push('\\');
                continue;
            }
        }
        chars.next();
    }
    out
}

/// Checks `raw` against `kind`. `Err` carries the reason after
/// `invalid value "<raw>" for flag -<name>: ` (Go's wording).
pub fn check(kind: ValueKind, raw: &str) -> Result<Value, String> {
    match kind {
        ValueKind::Bool => parse_bool(raw)
            .map(Value::Bool)
            .ok_or_else(|| "parse error".into()),
        ValueKind::Text => Ok(Value::Text(raw.to_string())),
        ValueKind::Count => match parse_go_int(raw) {
            Ok(n) if n < 0 => Err("must not be negative".into()),
            Ok(n) => Ok(Value::Count(n as u64)),
            Err(IntError::Syntax) => Err("parse error".into()),
            Err(IntError::Range) => Err("value out of range".into()),
        },
        ValueKind::Duration => match parse_go_duration(raw) {
            None => Err("parse error".into()),
            Some(ns) if ns < 0 => Err("must not be negative".into()),
            Some(ns) => Ok(Value::Duration(Duration::from_nanos(ns as u64))),
        },
        ValueKind::Choice(allowed) => allowed
            .iter()
            .find(|a| a.eq_ignore_ascii_case(raw))
            .map(|a| Value::Choice(a))
            .ok_or_else(|| format!("allowed values: [{}]", allowed.join(", "))),
        ValueKind::KeyValue => {
            if raw.is_empty() {
                return Err("flag can't be passed empty. Format: key=value".into());
            }
            match raw.split_once('=') {
                Some((k, v)) if !k.is_empty() => Ok(Value::Pair(k.into(), v.into())),
                _ => Err(format!("the key value pair([{raw}]) has invalid format")),
            }
        }
        ValueKind::Url => {
            if raw.starts_with("http://") || raw.starts_with("https://") {
                Ok(Value::Text(raw.to_string()))
            } else {
                Err("scheme is missing. Must be of the form http://<hostname>/ or https://<hostname>/".into())
            }
        }
        ValueKind::Rfc3339 => chrono::DateTime::parse_from_rfc3339(raw)
            .map(|_| Value::Text(raw.to_string()))
            .map_err(|e| format!("not an RFC 3339 time (e.g. 2024-10-01T20:30:00Z): {e}")),
        ValueKind::Tagging => {
            let ok = !raw.is_empty()
                && raw
                    .split('&')
                    .all(|pair| pair.split('=').next().is_some_and(|k| !k.is_empty()));
            if ok {
                Ok(Value::Text(raw.to_string()))
            } else {
                Err("expected URL-query encoded tags such as key1=value1&key2=value2".into())
            }
        }
        ValueKind::Escaped => Ok(Value::Text(unescape(raw))),
        ValueKind::Size => parse_size(raw).map(Value::Size),
        ValueKind::Age => parse_age(raw).map(Value::Age),
        ValueKind::Regex => match regex::Regex::new(raw) {
            Ok(_) => Ok(Value::Text(raw.to_string())),
            // The crate's message points at the pattern over several lines; its last
            // line says what is wrong.
            Err(e) => Err(format!(
                "not a regular expression: {}",
                e.to_string().lines().last().unwrap_or_default().trim()
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_ints() {
        assert_eq!(parse_go_int("12"), Ok(12));
        assert_eq!(parse_go_int("+3"), Ok(3));
        assert_eq!(parse_go_int("-3"), Ok(-3));
        assert_eq!(parse_go_int("0x10"), Ok(16));
        assert_eq!(parse_go_int("0o17"), Ok(15));
        assert_eq!(parse_go_int("017"), Ok(15));
        assert_eq!(parse_go_int("0b101"), Ok(5));
        assert_eq!(parse_go_int("0"), Ok(0));
        assert_eq!(parse_go_int("1.5"), Err(IntError::Syntax));
        assert_eq!(parse_go_int(""), Err(IntError::Syntax));
        assert_eq!(parse_go_int("abc"), Err(IntError::Syntax));
        assert_eq!(parse_go_int("99999999999999999999"), Err(IntError::Range));
    }

    #[test]
    fn go_durations() {
        let s = 1_000_000_000i128;
        assert_eq!(parse_go_duration("90s"), Some(90 * s));
        assert_eq!(parse_go_duration("24h"), Some(24 * 3600 * s));
        assert_eq!(parse_go_duration("3h0m0s"), Some(3 * 3600 * s));
        assert_eq!(parse_go_duration("1h30m"), Some(5400 * s));
        assert_eq!(parse_go_duration("1.5h"), Some(5400 * s));
        assert_eq!(parse_go_duration(".5s"), Some(s / 2));
        assert_eq!(parse_go_duration("1h2m3s4ms"), Some(3723 * s + 4_000_000));
        assert_eq!(parse_go_duration("-5s"), Some(-5 * s));
        assert_eq!(parse_go_duration("0"), Some(0));
        assert_eq!(parse_go_duration("10"), None);
        assert_eq!(parse_go_duration(""), None);
        assert_eq!(parse_go_duration("1x"), None);
        assert_eq!(parse_go_duration("h"), None);
        assert_eq!(parse_go_duration("9999999999h"), None);
    }

    #[test]
    fn go_duration_strings() {
        let f = |secs: u64| format_go_duration(Duration::from_secs(secs));
        assert_eq!(f(3 * 3600), "3h0m0s");
        assert_eq!(f(5400), "1h30m0s");
        assert_eq!(f(90), "1m30s");
        assert_eq!(f(0), "0s");
        assert_eq!(
            format_go_duration(Duration::from_millis(3_723_004)),
            "1h2m3.004s"
        );
        assert_eq!(format_go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(format_go_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_go_duration(Duration::from_nanos(1500)), "1.5µs");
        assert_eq!(format_go_duration(Duration::from_nanos(7)), "7ns");
    }

    #[test]
    fn unescaping() {
        assert_eq!(unescape(r"\t"), "\t");
        assert_eq!(unescape(r"a\,b"), r"a\,b");
        assert_eq!(unescape(r"\x41\\"), "A\\");
        assert_eq!(unescape(r"\"), "\\");
        assert_eq!(unescape(";"), ";");
    }

    #[test]
    fn checks() {
        assert_eq!(check(ValueKind::Bool, "yes"), Err("parse error".into()));
        assert_eq!(check(ValueKind::Bool, "F"), Ok(Value::Bool(false)));
        assert_eq!(
            check(ValueKind::Count, "-1"),
            Err("must not be negative".into())
        );
        assert_eq!(
            check(ValueKind::Choice(&["COPY", "REPLACE"]), "copy"),
            Ok(Value::Choice("COPY"))
        );
        assert_eq!(
            check(ValueKind::KeyValue, "a=b=c"),
            Ok(Value::Pair("a".into(), "b=c".into()))
        );
        assert!(check(ValueKind::Url, "localhost:9000").is_err());
        assert!(check(ValueKind::Rfc3339, "2024-10-01T20:30:00Z").is_ok());
        assert!(check(ValueKind::Rfc3339, "tomorrow").is_err());
        assert!(check(ValueKind::Tagging, "a=1&b=2").is_ok());
        assert!(check(ValueKind::Tagging, "a=1&=2").is_err());
        assert_eq!(check(ValueKind::Size, "2K"), Ok(Value::Size(2048)));
        assert!(check(ValueKind::Size, "2X").is_err());
        assert_eq!(
            check(ValueKind::Age, "90s"),
            Ok(Value::Age(AgeLimit::Ago(Duration::from_secs(90))))
        );
        assert_eq!(
            check(ValueKind::Regex, "^a.*\\.txt$"),
            Ok(Value::Text("^a.*\\.txt$".into()))
        );
        assert_eq!(
            check(ValueKind::Regex, "a(b"),
            Err("not a regular expression: error: unclosed group".into())
        );
    }
}
