//! Parsing commands: a batch line or the command line (after the global flags) into a
//! [`ParsedCommand`]. Pure: no I/O, no URL interpretation (that is `location.rs`'s
//! job during planning, so URL errors are reported as s5cmd reports them).
//!
//! Steps: [`lex::lex_line`] splits a line into words (sh-like quoting, see
//! `grammar/batch.ebnf`); the first word names the command ([`verbs::COMMANDS`]);
//! `scan.rs` walks the following words with s5cmd's (Go `flag` package's) rules and
//! looks every flag up in the one table of [`flags::FLAGS`]; `build.rs` checks the
//! command's arity, writes each flag's value into its typed field (the row's `apply`)
//! and checks the I/O-free flag combinations. Error texts follow s5cmd's where s5cmd
//! has one (reference §0.1, §2.x, §5.3).
//!
//! Files, lowest first: `limits.rs` (size and age values), `value.rs` (value kinds
//! and checks), `bind.rs` (how a value is
//! stored in a field), `verbs.rs` (the command table), `flags.rs` (the flag table),
//! `globals.rs` (the global flags), `help.rs`, `error.rs`, `lex.rs`, `scan.rs`,
//! `build.rs`, and this file, which ties them together.

mod bind;
mod build;
mod error;
pub mod flags;
pub mod globals;
mod help;
pub mod lex;
mod limits;
mod scan;
mod value;
pub mod verbs;

use crate::command::ParsedCommand;

pub use error::ParseError;
pub use help::{command_help, overview_help};
pub use lex::{LexedLine, Word, lex_line};
pub use value::ValueKind;
pub use verbs::command_names;

use build::{Ctx, build};
use scan::{Source, flag_body, global_flag_error, scan_flags};
use verbs::Cmd;

/// What a successfully parsed line asks for.
///
/// Not boxed although `Command` is much larger than `Help`: one outcome exists per
/// line and is moved straight to the planner, so a box would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ParseOutcome {
    /// A command to plan and run.
    Command(ParsedCommand),
    /// `<cmd> --help|-h` or `help [cmd]`: the help text to print.
    Help(String),
}

/// Parses one batch line: `None` for blank and comment lines.
pub fn parse_line(line: &str) -> Result<Option<ParseOutcome>, ParseError> {
    match lex_line(line)? {
        LexedLine::Blank => Ok(None),
        LexedLine::Words(words) => parse_words(&words).map(Some),
    }
}

/// Parses the words of one batch line (command name first).
pub fn parse_words(words: &[Word]) -> Result<ParseOutcome, ParseError> {
    parse(words, Source::Batch)
}

/// Parses the command line after the global flags (`["cp", "-n", "a", "b"]`). Columns
/// in errors are 1-based argument indexes into `args`.
pub fn parse_args(args: &[String]) -> Result<ParseOutcome, ParseError> {
    let words: Vec<Word> = args
        .iter()
        .enumerate()
        .map(|(i, a)| Word::new(a.clone(), i + 1))
        .collect();
    parse(&words, Source::CommandLine)
}

fn parse(words: &[Word], source: Source) -> Result<ParseOutcome, ParseError> {
    let Some(first) = words.first() else {
        return Ok(ParseOutcome::Help(overview_help()));
    };
    let name = first.text.as_str();
    let (info, rest) = match name {
        "run" => {
            return Err(ParseError::new(
                first.column,
                "\"run\" command is not permitted in run-mode",
            ));
        }
        "help" | "h" => return help_command(&words[1..]),
        "select" => match words.get(1).map(|w| w.text.as_str()) {
            Some(sub @ ("json" | "csv" | "parquet")) => {
                let info = verbs::command_info(&format!("select {sub}")).expect("select forms");
                (info, &words[2..])
            }
            _ => (verbs::command_info_of(Cmd::Select), &words[1..]),
        },
        _ => {
            if let Some(long) = flag_body(name)
                .map(|b| b.split_once('=').map_or(b, |(n, _)| n))
                .and_then(globals::global_flag)
            {
                return Err(global_flag_error(first.column, long, source));
            }
            match verbs::command_info(name).filter(|c| !c.name.contains(' ')) {
                Some(info) => (info, &words[1..]),
                None => {
                    return Err(ParseError::new(
                        first.column,
                        format!("\"{name}\" command not found"),
                    ));
                }
            }
        }
    };
    let scan = scan_flags(info.cmd, rest, source)?;
    if scan.help {
        return Ok(ParseOutcome::Help(
            command_help(info.name).expect("every command has help"),
        ));
    }
    let display = scan.display(info.name);
    let ctx = Ctx {
        column: first.column,
        display: &display,
    };
    let command = build(info, &scan, &ctx)?;
    Ok(ParseOutcome::Command(ParsedCommand { command, display }))
}

/// `help [cmd [sub]]`.
fn help_command(words: &[Word]) -> Result<ParseOutcome, ParseError> {
    let Some(first) = words.first() else {
        return Ok(ParseOutcome::Help(overview_help()));
    };
    let mut name = first.text.clone();
    if name == "select"
        && let Some(sub) = words.get(1)
        && matches!(sub.text.as_str(), "json" | "csv" | "parquet")
    {
        name = format!("select {}", sub.text);
    }
    command_help(&name)
        .map(ParseOutcome::Help)
        .ok_or_else(|| ParseError::new(first.column, format!("\"{name}\" command not found")))
}

#[cfg(test)]
mod bind_tests;
#[cfg(test)]
mod table_tests;
#[cfg(test)]
mod tests;
