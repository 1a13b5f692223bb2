//! Binding flags to typed fields: each row of the flag table carries an [`Apply`]
//! function, written with the [`into!`] macro, that stores the flag's checked value in
//! the field of the [`Command`] it belongs to.
//!
//! Modelled on ripgrep's `flags/defs.rs` (one definition per flag whose update writes
//! the typed field): a field name spelt wrong does not compile, and a row that names a
//! command but has no field for it returns `Ok(false)`, which `parse/build.rs` treats
//! as a bug and the binding tests (`parse/bind_tests.rs`) catch for every row.
//!
//! How a value is stored follows from the field's type ([`Store`]): a bool takes the
//! flag's truth, an `Option<String>` the text, a `Vec` collects every occurrence.
//! Flags whose value is converted (`-c`, `-p`) name their converter with `with`.

use std::time::Duration;

use crate::command::{
    AgeLimit, ChecksumAlgorithm, Command, DEFAULT_CONCURRENCY, FilterFlags, MIN_PART_SIZE,
    TransferFlags,
};
use crate::storage::MetadataDirective;

use super::value::Value;

/// Writes one checked value into the command's field for the flag. `Ok(false)`: the
/// command has no field for this flag (a table bug); `Err`: the value is refused, with
/// the reason that follows `invalid value "<raw>" for flag -<name>: `.
pub type Apply = fn(&mut Command, &Value) -> Result<bool, String>;

/// Largest `--part-size` in MiB: S3 parts are at most 5 GiB.
pub const MAX_PART_SIZE_MIB: u64 = 5 * 1024;

/// How a checked value is stored in a field of this type.
pub trait Store {
    /// Stores `value` (the last occurrence of a flag, or each occurrence of a
    /// repeatable one, in the order given).
    fn store(&mut self, value: &Value) -> Result<(), String>;
}

impl Store for bool {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        *self = matches!(value, Value::Bool(true));
        Ok(())
    }
}

impl Store for String {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        if let Some(text) = text_of(value) {
            *self = text;
        }
        Ok(())
    }
}

impl Store for Option<String> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        *self = text_of(value);
        Ok(())
    }
}

/// Repeatable patterns (`--exclude`, `--include`): empty ones are dropped.
impl Store for Vec<String> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        if let Value::Text(s) = value
            && !s.is_empty()
        {
            self.push(s.clone());
        }
        Ok(())
    }
}

/// Repeatable `key=value` pairs (`--metadata`).
impl Store for Vec<(String, String)> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        if let Value::Pair(k, v) = value {
            self.push((k.clone(), v.clone()));
        }
        Ok(())
    }
}

/// A count (`--max-delete`) or a size in bytes (`--min-size`).
impl Store for Option<u64> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        if let Value::Count(n) | Value::Size(n) = value {
            *self = Some(*n);
        }
        Ok(())
    }
}

impl Store for Option<AgeLimit> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        if let Value::Age(a) = value {
            *self = Some(*a);
        }
        Ok(())
    }
}

impl Store for Duration {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        if let Value::Duration(d) = value {
            *self = *d;
        }
        Ok(())
    }
}

impl Store for Option<MetadataDirective> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        *self = text_of(value).map(|d| {
            if d == "COPY" {
                MetadataDirective::Copy
            } else {
                MetadataDirective::Replace
            }
        });
        Ok(())
    }
}

impl Store for Option<ChecksumAlgorithm> {
    fn store(&mut self, value: &Value) -> Result<(), String> {
        *self = text_of(value).and_then(|a| checksum_algorithm(&a));
        Ok(())
    }
}

/// The text of a text or choice value.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Text(s) | Value::Secret(s) => Some(s.clone()),
        Value::Choice(c) => Some((*c).to_string()),
        _ => None,
    }
}

/// Maps a validated `--checksum-algorithm` value to its enum.
pub fn checksum_algorithm(value: &str) -> Option<ChecksumAlgorithm> {
    Some(match value {
        "CRC64NVME" => ChecksumAlgorithm::Crc64Nvme,
        "CRC32C" => ChecksumAlgorithm::Crc32c,
        "CRC32" => ChecksumAlgorithm::Crc32,
        "SHA256" => ChecksumAlgorithm::Sha256,
        "SHA1" => ChecksumAlgorithm::Sha1,
        _ => return None,
    })
}

/// `-c`: 0 means the default, as in s5cmd (the SDK's default of 5).
pub fn concurrency(field: &mut usize, value: &Value) -> Result<(), String> {
    if let Value::Count(n) = value {
        *field = match *n {
            0 => DEFAULT_CONCURRENCY,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        };
    }
    Ok(())
}

/// `--expires`: the RFC 3339 time (checked by the parser) as the HTTP date S3 is sent.
pub fn http_date(field: &mut Option<String>, value: &Value) -> Result<(), String> {
    if let Value::Text(rfc3339) = value {
        let t = chrono::DateTime::parse_from_rfc3339(rfc3339)
            .map_err(|e| format!("parsing time {rfc3339:?}: {e}"))?;
        *field = Some(httpdate::fmt_http_date(t.into()));
    }
    Ok(())
}

/// `-p` in bytes: MiB × 2²⁰; 0 means 5 MiB; more than 5 GiB is refused.
pub fn part_size(field: &mut u64, value: &Value) -> Result<(), String> {
    if let Value::Count(n) = value {
        *field = match *n {
            0 => MIN_PART_SIZE,
            n if n > MAX_PART_SIZE_MIB => {
                return Err(format!("must be at most {MAX_PART_SIZE_MIB} (MiB, 5 GiB)"));
            }
            n => n * 1024 * 1024,
        };
    }
    Ok(())
}

/// The shared transfer flags of the commands that write objects (cp, mv, sync, pipe).
pub fn transfer(cmd: &mut Command) -> Option<&mut TransferFlags> {
    match cmd {
        Command::Copy(c) => Some(&mut c.flags),
        Command::Sync(c) => Some(&mut c.flags),
        Command::Pipe(c) => Some(&mut c.flags),
        _ => None,
    }
}

/// The size, age and regex filters of the commands that take them (cp, mv, sync, rm,
/// ls, du).
pub fn filter(cmd: &mut Command) -> Option<&mut FilterFlags> {
    match cmd {
        Command::Copy(c) => Some(&mut c.filter),
        Command::Sync(c) => Some(&mut c.filter),
        Command::Rm(c) => Some(&mut c.filter),
        Command::Ls(c) => Some(&mut c.filter),
        Command::Du(c) => Some(&mut c.filter),
        _ => None,
    }
}

/// The [`Apply`] function of one flag-table row, from the fields it writes:
///
/// - `into!(Command::Ls(c) => c.etag, Command::Du(c) => c.humanize)`: one arm per
///   command variant, each naming the field;
/// - `into!(transfer.headers.acl)`: the field of [`TransferFlags`] (cp, mv, sync, pipe),
///   optionally followed by arms for other commands;
/// - `into!(with bind::part_size; …)`: stored by a converter instead of [`Store`];
/// - `into!(filter.min_size)`: the field of [`FilterFlags`] (cp, mv, sync, rm, ls, du).
///
/// The caller has `bind`, `into` and `Command` in scope (as `flags.rs` does).
macro_rules! into {
    (@ $conv:path; [$(transfer $(.$tf:ident)+)?]; $($pat:pat => $place:expr),*) => {{
        #[allow(unreachable_code)]
        let apply: bind::Apply = |cmd, value| {
            $(
                if let Some(t) = bind::transfer(cmd) {
                    $conv(&mut t$(.$tf)+, value)?;
                    return Ok(true);
                }
            )?
            #[allow(unreachable_patterns)]
            match cmd {
                $($pat => $conv(&mut $place, value)?,)*
                _ => return Ok(false),
            }
            Ok(true)
        };
        apply
    }};
    (filter.$ff:ident) => {{
        let apply: bind::Apply = |cmd, value| match bind::filter(cmd) {
            Some(f) => {
                bind::Store::store(&mut f.$ff, value)?;
                Ok(true)
            }
            None => Ok(false),
        };
        apply
    }};
    (with $conv:path; transfer$(.$tf:ident)+ $(, $pat:pat => $place:expr)* $(,)?) => {
        into!(@ $conv; [transfer $(.$tf)+]; $($pat => $place),*)
    };
    (with $conv:path; $($pat:pat => $place:expr),+ $(,)?) => {
        into!(@ $conv; []; $($pat => $place),*)
    };
    (transfer$(.$tf:ident)+ $(, $pat:pat => $place:expr)* $(,)?) => {
        into!(@ bind::Store::store; [transfer $(.$tf)+]; $($pat => $place),*)
    };
    ($($pat:pat => $place:expr),+ $(,)?) => {
        into!(@ bind::Store::store; []; $($pat => $place),*)
    };
}
pub(crate) use into;
