//! The flag scanner: walks the words after the command name with s5cmd's (Go `flag`
//! package's) rules — one or two dashes, `--flag=value` or `--flag value`, bools
//! optionally `=true|false`, only the aliases of the table, no bundling, flags end at
//! the first positional argument or at `--` — looks every flag up in
//! [`FLAGS`](super::flags::FLAGS) and checks its value. It also renders the command
//! string of §0.8 (flags in definition order).

use super::error::ParseError;
use super::flags::{self, FlagSpec};
use super::globals;
use super::lex::Word;
use super::value::{self, Value, ValueKind};
use super::verbs::Cmd;

/// Where the words came from; only changes the wording of some messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A line of a batch file or of stdin.
    Batch,
    /// The process arguments after the global flags.
    CommandLine,
}

/// The error for a global flag given after the command name (or as a batch line's
/// first word).
pub fn global_flag_error(column: usize, long: &str, source: Source) -> ParseError {
    let message = match source {
        Source::Batch => format!(
            "global flag \"--{long}\" is not allowed on a batch line: give it to the s5rs command"
        ),
        Source::CommandLine => {
            format!("global flag \"--{long}\" must come before the command name")
        }
    };
    ParseError::new(column, message)
}

/// Strips the one or two leading dashes of a flag word; `None` if not a flag word.
pub fn flag_body(text: &str) -> Option<&str> {
    if text.len() < 2 || !text.starts_with('-') {
        return None;
    }
    Some(text.strip_prefix("--").unwrap_or(&text[1..]))
}

/// One flag as given.
#[derive(Debug)]
pub struct Occurrence {
    /// Row index in [`flags::FLAGS`] (definition order).
    pub index: usize,
    /// The row.
    pub spec: &'static FlagSpec,
    /// The checked value.
    pub value: Value,
    /// The value as typed (`true` for a bare bool flag).
    pub raw: String,
    /// Column of the flag word.
    pub column: usize,
}

/// The flags and positional arguments of one command.
#[derive(Debug)]
pub struct Scan<'w> {
    /// Flags in the order given.
    pub flags: Vec<Occurrence>,
    /// Positional arguments.
    pub args: &'w [Word],
    /// `--help`/`-h` was given.
    pub help: bool,
}

/// Walks the words after the command name with Go `flag` package rules.
pub fn scan_flags(cmd: Cmd, words: &[Word], source: Source) -> Result<Scan<'_>, ParseError> {
    let mut scan = Scan {
        flags: Vec::new(),
        args: &[],
        help: false,
    };
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        if word.text == "--" {
            i += 1;
            break;
        }
        let Some(body) = flag_body(&word.text) else {
            break;
        };
        if body.is_empty() || body.starts_with('-') || body.starts_with('=') {
            return Err(ParseError::new(
                word.column,
                format!("bad flag syntax: {}", word.text),
            ));
        }
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (body, None),
        };
        if name == "help" || name == "h" {
            let raw = inline.unwrap_or("true");
            scan.help = value::parse_bool(raw).ok_or_else(|| {
                ParseError::new(
                    word.column,
                    format!("invalid boolean value \"{raw}\" for -{name}: parse error"),
                )
            })?;
            i += 1;
            continue;
        }
        let Some((index, spec)) = flags::lookup(cmd, name) else {
            if let Some(long) = globals::global_flag(name) {
                return Err(global_flag_error(word.column, long, source));
            }
            return Err(ParseError::new(
                word.column,
                format!("flag provided but not defined: -{name}"),
            ));
        };
        let (raw, value_column) = match (spec.kind, inline) {
            (ValueKind::Bool, v) => (v.unwrap_or("true"), word.column),
            (_, Some(v)) => (v, word.column),
            (_, None) => {
                i += 1;
                let value_word = words.get(i).ok_or_else(|| {
                    ParseError::new(word.column, format!("flag needs an argument: -{name}"))
                })?;
                (value_word.text.as_str(), value_word.column)
            }
        };
        let value = checked(spec, name, raw, value_column, &scan)?;
        scan.flags.push(Occurrence {
            index,
            spec,
            value,
            raw: raw.to_string(),
            column: word.column,
        });
        i += 1;
    }
    scan.args = &words[i..];
    Ok(scan)
}

/// Checks the value of flag `name` (as typed) against its row; a `key=value` must not
/// repeat a key already given.
fn checked(
    spec: &FlagSpec,
    name: &str,
    raw: &str,
    column: usize,
    scan: &Scan,
) -> Result<Value, ParseError> {
    let value = value::check(spec.kind, raw).map_err(|reason| {
        let message = if spec.kind == ValueKind::Bool {
            format!("invalid boolean value \"{raw}\" for -{name}: {reason}")
        } else if spec.kind == ValueKind::Secret {
            format!("invalid value \"***\" for flag -{name}: {reason}")
        } else {
            format!("invalid value \"{raw}\" for flag -{name}: {reason}")
        };
        ParseError::new(column, message)
    })?;
    if let Value::Pair(key, _) = &value
        && scan
            .flags
            .iter()
            .any(|o| o.spec.name == spec.name && matches!(&o.value, Value::Pair(k, _) if k == key))
    {
        return Err(ParseError::new(
            column,
            format!("invalid value \"{raw}\" for flag -{name}: key \"{key}\" is already defined"),
        ));
    }
    Ok(value)
}

impl Scan<'_> {
    /// The occurrences that count, in the order given: every occurrence of a
    /// repeatable flag, the last one of any other.
    pub fn effective(&self) -> impl Iterator<Item = &Occurrence> {
        self.flags.iter().enumerate().filter_map(|(pos, occ)| {
            let overridden =
                !occ.spec.repeatable && self.flags[pos + 1..].iter().any(|o| o.index == occ.index);
            (!overridden).then_some(occ)
        })
    }

    /// The command string of §0.8: name, explicitly set flags in definition order as
    /// `--flag=value` (repeatable flags once per value, others with their last value),
    /// then the arguments.
    pub fn display(&self, name: &str) -> String {
        let mut shown: Vec<&Occurrence> = self.effective().collect();
        shown.sort_by_key(|o| o.index);
        let mut parts = vec![name.to_string()];
        parts.extend(
            shown
                .iter()
                .map(|o| format!("--{}={}", o.spec.name, o.value.display(&o.raw))),
        );
        parts.extend(self.args.iter().map(|w| w.text.clone()));
        parts.join(" ")
    }

    /// The column of the last occurrence of the flag whose long name is `name` (for
    /// errors about flag combinations). `name` must be a defined flag.
    pub fn column_of(&self, name: &str) -> Option<usize> {
        debug_assert!(
            flags::FLAGS.iter().any(|f| f.name == name),
            "no flag --{name}"
        );
        self.flags
            .iter()
            .rev()
            .find(|o| o.spec.name == name)
            .map(|o| o.column)
    }
}
