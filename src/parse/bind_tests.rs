//! Tests of the binding of flags to fields: every row of the flag table, given on a
//! line of each command that accepts it, changes the built `Command` (so no defined
//! flag goes unread), two different flags never change it the same way, and the
//! defaults shown in help are the values a line without the flag gets.

use super::flags::{FlagSpec, flags_of};
use super::lex::Word;
use super::value::ValueKind;
use super::verbs::{COMMANDS, Cmd, CommandInfo};
use super::{ParseOutcome, parse_words};
use crate::command::Command;

/// Positional arguments that make a valid line for `cmd`.
fn args_of(cmd: Cmd) -> &'static [&'static str] {
    match cmd {
        Cmd::Cp | Cmd::Mv | Cmd::Sync => &["s3://b/k", "dir/"],
        Cmd::Ls => &["s3://b/"],
        Cmd::Version | Cmd::Wait => &[],
        _ => &["s3://b/k"],
    }
}

/// Flags every line of `cmd` needs (`select` refuses an empty query).
fn required(cmd: Cmd) -> &'static [&'static str] {
    match cmd {
        Cmd::Select | Cmd::SelectJson | Cmd::SelectCsv | Cmd::SelectParquet => &["-e", "q"],
        _ => &[],
    }
}

/// The help default of `f` without the quotes help shows around some of them.
fn shown_default(f: &FlagSpec) -> Option<&'static str> {
    f.default.map(|d| d.trim_matches('"'))
}

/// A valid value of `f` that differs from its default and from the value of
/// [`required`].
fn sample(f: &FlagSpec) -> &'static str {
    match f.kind {
        ValueKind::Bool => "true",
        ValueKind::Text => "sample",
        ValueKind::Count => "7",
        ValueKind::Duration => "1h",
        ValueKind::Choice(values) => values
            .iter()
            .copied()
            .find(|v| Some(*v) != shown_default(f))
            .expect("a choice besides the default"),
        ValueKind::KeyValue => "k=v",
        ValueKind::Url => "http://127.0.0.1:1/",
        ValueKind::Rfc3339 => "2024-10-01T20:30:00Z",
        ValueKind::Tagging => "a=b",
        ValueKind::Escaped => "\\t",
        ValueKind::Size => "7K",
        ValueKind::Age => "7d",
        ValueKind::Regex => "^a",
    }
}

/// The command built from `info`'s name (words), `flags` and valid arguments.
fn built(info: &CommandInfo, flags: &[String]) -> Command {
    let words: Vec<Word> = info
        .name
        .split(' ')
        .map(str::to_string)
        .chain(required(info.cmd).iter().map(|s| s.to_string()))
        .chain(flags.iter().cloned())
        .chain(args_of(info.cmd).iter().map(|s| s.to_string()))
        .enumerate()
        .map(|(i, w)| Word::new(w, i + 1))
        .collect();
    match parse_words(&words) {
        Ok(ParseOutcome::Command(c)) => c.command,
        other => panic!("{words:?}: {other:?}"),
    }
}

fn given(f: &FlagSpec, value: &str) -> Vec<String> {
    vec![format!("--{}={value}", f.name)]
}

#[test]
fn every_flag_writes_its_field() {
    for info in COMMANDS {
        let without = built(info, &[]);
        let mut seen: Vec<(&str, Command)> = Vec::new();
        for f in flags_of(info.cmd) {
            let with = built(info, &given(f, sample(f)));
            assert_ne!(with, without, "{} --{} changes nothing", info.name, f.name);
            if let Some((other, _)) = seen.iter().find(|(_, c)| *c == with) {
                panic!("{}: --{} and --{other} write the same", info.name, f.name);
            }
            seen.push((f.name, with));
        }
    }
}

#[test]
fn help_defaults_are_the_defaults() {
    for info in COMMANDS {
        let without = built(info, &[]);
        for f in flags_of(info.cmd) {
            if let Some(default) = shown_default(f) {
                let with = built(info, &given(f, default));
                assert_eq!(with, without, "{} --{}={default}", info.name, f.name);
            }
        }
    }
}

#[test]
fn repeatable_flags_keep_every_value() {
    for info in COMMANDS {
        for f in flags_of(info.cmd).filter(|f| f.repeatable) {
            let once = built(info, &given(f, "a=1"));
            let twice = built(info, &[given(f, "a=1"), given(f, "b=2")].concat());
            assert_ne!(once, twice, "{} --{}", info.name, f.name);
        }
    }
}
