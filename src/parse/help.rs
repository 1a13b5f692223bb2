//! Help texts generated from the tables: a command's `--help` (its flags in
//! definition order, with aliases, defaults and examples) and the overview of `help`.

use super::flags::flags_of;
use super::value::ValueKind;
use super::verbs::{COMMANDS, command_info};

/// Help text for one command: name and summary, usage, every flag of the table with
/// alias, default and help, and examples. `None` for an unknown name.
pub fn command_help(name: &str) -> Option<String> {
    let info = command_info(name)?;
    let mut opts: Vec<(String, String)> = flags_of(info.cmd)
        .map(|f| {
            let value = if f.kind == ValueKind::Bool {
                ""
            } else {
                " value"
            };
            let mut left = format!("--{}{value}", f.name);
            if let Some(a) = f.alias {
                let dashes = if a.len() == 1 { "-" } else { "--" };
                left.push_str(&format!(", {dashes}{a}{value}"));
            }
            let mut right = f.help.to_string();
            if f.repeatable {
                right.push_str(" (repeatable)");
            }
            if let Some(d) = f.default {
                right.push_str(&format!(" (default: {d})"));
            }
            (left, right)
        })
        .collect();
    opts.push(("--help, -h".into(), "show help".into()));
    let width = opts.iter().map(|(l, _)| l.len()).max().unwrap_or(0);

    let mut out = format!(
        "Name:\n  {} - {}\n\nUsage:\n  {}",
        info.name, info.summary, info.name
    );
    if !info.usage.is_empty() {
        out.push(' ');
        out.push_str(info.usage);
    }
    out.push_str("\n\nOptions:\n");
    for (l, r) in &opts {
        out.push_str(&format!("  {l:width$}  {r}\n"));
    }
    out.push_str("\nExamples:\n");
    for (i, (what, line)) in info.examples.iter().enumerate() {
        out.push_str(&format!("  {:02}. {what}\n", i + 1));
        for l in line.lines() {
            out.push_str(&format!("     > s5rs {l}\n"));
        }
        out.push('\n');
    }
    Some(out)
}

/// The overview printed for `help` with no command: every command and its summary.
pub fn overview_help() -> String {
    let mut out = String::from("Commands:\n");
    for c in COMMANDS {
        out.push_str(&format!("  {:16} {}\n", c.name, c.summary));
    }
    out.push_str("\nRun '<command> --help' (or 'help <command>') for a command's flags.\n");
    out
}
