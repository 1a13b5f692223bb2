//! The command line: global flags (clap derive) before the command, then the command's
//! words, which go to the same parser as batch lines (one flag table for both).
//! clap types stop here: the result is a [`Config`] or something to print.
//!
//! The global flags are also listed in `parse::globals::GLOBAL_FLAGS` (the parser
//! refuses them on batch lines; `normalise` accepts their one-dash spelling); a test
//! checks that the clap arguments and that table are the same. The command list of
//! `s5rs --help` is generated from the command table (`parse::verbs`).

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::command::SideClient;
use crate::config::{Config, Invocation};
use crate::journal::JournalLocation;
use crate::output::LogLevel;
use crate::parse::{globals, verbs};
use crate::shard::Shard;

/// s5rs — fast, s5cmd-compatible S3 batch operations.
#[derive(Parser, Debug)]
#[command(
    name = "s5rs",
    version,
    about = "Fast, s5cmd-compatible S3 batch operations: cp, mv, rm, ls, sync and more, \
             from the command line, a batch file or stdin.",
    disable_help_subcommand = true
)]
struct Cli {
    /// Print results as JSON lines.
    #[arg(long)]
    json: bool,
    /// Worker pool size (negative = CPUs × |N|; at least 2).
    #[arg(long, default_value_t = 256, allow_negative_numbers = true)]
    numworkers: i64,
    /// Retries per request (exponential backoff).
    #[arg(
        short = 'r',
        long = "retry-count",
        default_value_t = 10,
        allow_negative_numbers = true
    )]
    retry_count: i64,
    /// Custom S3 endpoint (path-style addressing); also S3_ENDPOINT_URL, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL.
    #[arg(long)]
    endpoint_url: Option<String>,
    /// Do not verify TLS certificates.
    #[arg(long)]
    no_verify_ssl: bool,
    /// Log level.
    #[arg(long, value_enum, default_value_t = LogArg::Info)]
    log: LogArg,
    /// Show what would be done; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print per-command statistics at the end.
    #[arg(long)]
    stat: bool,
    /// Send anonymous (unsigned) requests.
    #[arg(long)]
    no_sign_request: bool,
    /// Use ListObjects (v1) instead of ListObjectsV2.
    #[arg(long)]
    use_list_objects_v1: bool,
    /// Prefixes a recursive listing lists at once, in key order (1: one sequential
    /// stream) (s5rs).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    list_concurrency: Option<u16>,
    /// Value of the x-amz-request-payer header.
    #[arg(long)]
    request_payer: Option<String>,
    /// Named profile from the shared AWS config/credentials files.
    #[arg(long)]
    profile: Option<String>,
    /// Shared credentials file to use.
    #[arg(long)]
    credentials_file: Option<PathBuf>,
    /// Do not verify downloaded data against ETags/checksums.
    #[arg(long)]
    no_verify: bool,
    /// Limit object operations to N per second, across all workers (s5rs).
    #[arg(long, value_name = "N")]
    rate_limit_objects: Option<u32>,
    /// Limit object data on the wire to SIZE bytes per second, both directions, across
    /// all workers; suffixes KiB, MiB, GiB (s5rs).
    #[arg(long, value_name = "SIZE", value_parser = crate::limit::parse_size)]
    rate_limit_bandwidth: Option<u64>,
    /// Default endpoint for the source side of cp/mv/sync (s5rs); lines may override it.
    #[arg(long, value_name = "URL")]
    source_endpoint_url: Option<String>,
    /// Default profile for the source side of cp/mv/sync (s5rs).
    #[arg(long, value_name = "NAME")]
    source_profile: Option<String>,
    /// Default endpoint for the destination side of cp/mv/sync/pipe (s5rs).
    #[arg(long, value_name = "URL")]
    destination_endpoint_url: Option<String>,
    /// Default profile for the destination side of cp/mv/sync/pipe (s5rs).
    #[arg(long, value_name = "NAME")]
    destination_profile: Option<String>,
    /// Run only this shard's share of every operation: K/N (0 ≤ K < N), or `auto` to
    /// read the array-job engine's variables (s5rs). Also S5RS_SHARD.
    #[arg(long, value_name = "K/N|auto", env = "S5RS_SHARD")]
    shard: Option<String>,
    /// Log finished operations here (a directory or s3://bucket/prefix/) and skip
    /// the ones an earlier run finished (s5rs).
    #[arg(long, value_name = "LOCATION")]
    journal: Option<String>,
    /// On SIGTERM, how long running operations may go on before they are aborted:
    /// seconds, or with a unit (500ms, 20s, 1m) (s5rs).
    #[arg(long, value_name = "DURATION", default_value = "20s", value_parser = parse_duration)]
    grace_period: std::time::Duration,
    /// Show progress on stderr for the whole run (a bar on a terminal, else a line
    /// every 10 s); as `--show-progress` on a cp/mv/sync/rm line (s5rs).
    #[arg(long)]
    show_progress: bool,
    /// Do not ask before deleting more than --confirm-above objects (s5rs).
    #[arg(long)]
    yes: bool,
    /// Ask before one command deletes more than N objects, when stdin and stderr are
    /// terminals (s5rs).
    #[arg(long, value_name = "N", default_value_t = 1000)]
    confirm_above: u64,
    /// The command and its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    command: Vec<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogArg {
    Trace,
    Debug,
    Info,
    Error,
}

/// What `main` should do. (Built once per process: the size of `Run` does not matter.)
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Action {
    /// Run with this configuration.
    Run(Config),
    /// Print this text on stdout and exit 0.
    Print(String),
    /// Print this message on stderr and exit 2.
    Usage(String),
}

/// The commands only the command line knows, as listed in `s5rs --help`.
const CLI_ONLY_COMMANDS: &[&str] = &[
    "run [FILE]",
    "help [COMMAND|batch|records]",
    "completion SHELL",
    "man [DIR]",
];

/// The text after the flags in `s5rs --help`: every command of the table (batch-only
/// ones aside), then the command-line-only ones, wrapped at 80 columns.
fn after_help() -> String {
    let names = verbs::top_level()
        .filter(|c| !c.batch_only)
        .map(|c| c.name)
        .chain(CLI_ONLY_COMMANDS.iter().copied());
    let mut lines = Vec::new();
    let mut line = String::new();
    for name in names {
        if !line.is_empty() && line.len() + ", ".len() + name.len() > 80 {
            line.push(',');
            lines.push(std::mem::take(&mut line));
        }
        line.push_str(if line.is_empty() { "  " } else { ", " });
        line.push_str(name);
    }
    lines.push(line);
    format!(
        "Commands:\n{}\n\n`s5rs COMMAND --help` shows a command's flags and examples.",
        lines.join("\n")
    )
}

/// The clap command of the global flags, with the generated `after_help`.
fn cli_command() -> clap::Command {
    Cli::command().after_help(after_help())
}

/// True for a global flag s5cmd accepts with one dash (`-json`): every long name.
fn is_long_global(name: &str) -> bool {
    matches!(name, "help" | "version") || globals::find(name).is_some_and(|g| g.long == name)
}

/// Rewrites `-json` into `--json` for global flags before the command word.
fn normalise(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut in_globals = true;
    let mut expect_value = false;
    for (i, arg) in args.into_iter().enumerate() {
        if i == 0 || !in_globals {
            out.push(arg);
            continue;
        }
        let s = arg.to_string_lossy().into_owned();
        if expect_value {
            expect_value = false;
            out.push(arg);
            continue;
        }
        if !s.starts_with('-') {
            in_globals = false;
            out.push(arg);
            continue;
        }
        let name = s.trim_start_matches('-');
        let base = name.split('=').next().unwrap_or(name);
        let takes_value = globals::find(base).is_some_and(|g| g.takes_value);
        if !s.starts_with("--") && is_long_global(base) {
            out.push(OsString::from(format!("--{name}")));
        } else {
            out.push(arg);
        }
        expect_value = takes_value && !name.contains('=');
    }
    out
}

/// The checks of the global flags that clap does not make, in s5cmd's words.
fn check(cli: &Cli) -> Result<(), String> {
    if cli.retry_count < 0 {
        return Err("ERROR retry count cannot be a negative value".into());
    }
    if cli.no_sign_request && cli.profile.is_some() {
        return Err(
            "ERROR \"no-sign-request\" and \"profile\" flags cannot be used together".into(),
        );
    }
    if cli.no_sign_request && cli.credentials_file.is_some() {
        return Err(
            "ERROR \"no-sign-request\" and \"credentials-file\" flags cannot be used together"
                .into(),
        );
    }
    for (flag, value) in [
        ("endpoint-url", &cli.endpoint_url),
        ("source-endpoint-url", &cli.source_endpoint_url),
        ("destination-endpoint-url", &cli.destination_endpoint_url),
    ] {
        if let Some(url) = value
            && !url.starts_with("http://")
            && !url.starts_with("https://")
        {
            return Err(format!(
                "ERROR bad value for --{flag} {url}: scheme is missing. Must be of the form http://<hostname>/ or https://<hostname>/"
            ));
        }
    }
    if cli.rate_limit_objects == Some(0) {
        return Err("ERROR --rate-limit-objects must be at least 1".into());
    }
    Ok(())
}

/// Parses the process arguments.
pub fn parse(args: Vec<OsString>) -> Action {
    let parsed = cli_command()
        .try_get_matches_from(normalise(args))
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Action::Print(e.to_string())
                }
                _ => Action::Usage(e.to_string()),
            };
        }
    };
    if let Err(message) = check(&cli) {
        return Action::Usage(message);
    }
    let numworkers = worker_count(cli.numworkers);
    let shard = match cli
        .shard
        .as_deref()
        .map(|s| Shard::parse(s, |k| std::env::var(k).ok()))
    {
        None => None,
        Some(Ok(shard)) => Some(shard),
        Some(Err(message)) => return Action::Usage(format!("ERROR {message}")),
    };
    let journal = match cli.journal.as_deref().map(JournalLocation::parse) {
        None => None,
        Some(Ok(location)) => Some(location),
        Some(Err(message)) => return Action::Usage(format!("ERROR --journal: {message}")),
    };
    let words = cli.command;
    if let Some(first) = words.first()
        && first.starts_with('-')
    {
        let name = first.trim_start_matches('-');
        return Action::Usage(format!(
            "Incorrect Usage: flag provided but not defined: -{name}\nSee 's5rs --help' for usage"
        ));
    }
    if let Some(action) = cli_only(&words) {
        return action;
    }
    let invocation = match words.first().map(String::as_str) {
        None => return Action::Print(cli_command().render_long_help().to_string()),
        Some("run") => {
            if words.len() > 2 {
                return Action::Usage(format!(
                    "ERROR \"{}\": expected only 1 file",
                    words.join(" ")
                ));
            }
            if words.get(1).is_some_and(|w| w == "--help" || w == "-h") {
                return Action::Print(RUN_HELP.to_string());
            }
            Invocation::Run(words.get(1).map(PathBuf::from))
        }
        Some(_) => Invocation::Command(words),
    };
    if shard.is_some() && invocation == Invocation::Run(None) {
        return Action::Usage(
            "ERROR --shard: every shard must read the same commands, so a batch cannot come \
             from stdin; give a batch file (run FILE)"
                .into(),
        );
    }
    Action::Run(Config {
        json: cli.json,
        numworkers,
        retry_count: cli.retry_count as u32,
        endpoint_url: cli.endpoint_url,
        no_verify_ssl: cli.no_verify_ssl,
        log: match cli.log {
            LogArg::Trace => LogLevel::Trace,
            LogArg::Debug => LogLevel::Debug,
            LogArg::Info => LogLevel::Info,
            LogArg::Error => LogLevel::Error,
        },
        dry_run: cli.dry_run,
        stat: cli.stat,
        no_sign_request: cli.no_sign_request,
        use_list_objects_v1: cli.use_list_objects_v1,
        list_concurrency: cli.list_concurrency.map(usize::from),
        request_payer: cli.request_payer,
        profile: cli.profile,
        credentials_file: cli.credentials_file,
        no_verify: cli.no_verify,
        rate_limit_objects: cli.rate_limit_objects,
        rate_limit_bandwidth: cli.rate_limit_bandwidth,
        source: SideClient {
            endpoint_url: cli.source_endpoint_url,
            profile: cli.source_profile,
        },
        destination: SideClient {
            endpoint_url: cli.destination_endpoint_url,
            profile: cli.destination_profile,
        },
        shard,
        journal,
        grace_period: cli.grace_period,
        show_progress: cli.show_progress,
        yes: cli.yes,
        confirm_above: cli.confirm_above,
        invocation,
    })
}

/// The commands only the command line knows that print something and exit: `help`,
/// `completion`, `man`. `None` for anything else.
fn cli_only(words: &[String]) -> Option<Action> {
    let action = match words.first().map(String::as_str)? {
        "help" | "h" => match words.get(1) {
            None => Action::Print(cli_command().render_long_help().to_string()),
            Some(name) => {
                match crate::parse::command_help(name).or_else(|| crate::help_topics::topic(name)) {
                    Some(text) => Action::Print(text),
                    None => Action::Usage(format!("ERROR \"{name}\": command not found")),
                }
            }
        },
        "completion" => match words.get(1).map(String::as_str) {
            Some(shell) => match crate::completion::generate(shell, cli_command()) {
                Ok(script) => Action::Print(script),
                Err(message) => Action::Usage(message),
            },
            None => Action::Usage(
                "ERROR \"completion\": expected a shell name (bash, zsh, fish, powershell, elvish)"
                    .into(),
            ),
        },
        "man" => match crate::help_topics::man(cli_command(), words.get(1).map(String::as_str)) {
            Ok(text) => Action::Print(text),
            Err(message) => Action::Usage(message),
        },
        _ => return None,
    };
    Some(action)
}

/// `--numworkers`: a count, or a negative number as a multiple of the CPU count; 2 at least.
fn worker_count(n: i64) -> usize {
    let count = if n < 0 {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
        (cpus * -n) as usize
    } else {
        n as usize
    };
    count.max(2)
}

/// `--grace-period`: seconds as a plain number, else a `humantime` duration
/// (`500ms`, `20s`, `1m`).
fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    match text.parse::<f64>() {
        Ok(seconds) if seconds >= 0.0 => Ok(std::time::Duration::from_secs_f64(seconds)),
        _ => humantime::parse_duration(text)
            .map_err(|e| format!("invalid duration {text:?}: {e} (e.g. 20s, 500ms or 1m)")),
    }
}

const RUN_HELP: &str = "\
Usage: s5rs [GLOBAL FLAGS] run [FILE]

Runs the commands of FILE (or stdin), one per line, concurrently. Lines use
POSIX-shell quoting; blank lines and `#` comments are ignored; a line `wait`
makes every earlier line finish before later ones start. Global flags given
to `s5rs` apply to every line.

Examples:
  s5rs run commands.txt
  generate-commands | s5rs --json run
";

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<OsString> {
        a.iter().map(OsString::from).collect()
    }

    #[test]
    fn single_dash_globals_and_command_words() {
        let Action::Run(c) = parse(args(&[
            "s5rs",
            "-json",
            "--numworkers",
            "8",
            "cp",
            "-n",
            "a",
            "s3://b/",
        ])) else {
            panic!()
        };
        assert!(c.json);
        assert_eq!(c.numworkers, 8);
        assert_eq!(
            c.invocation,
            Invocation::Command(vec!["cp".into(), "-n".into(), "a".into(), "s3://b/".into()])
        );
    }

    #[test]
    fn validations() {
        assert!(
            matches!(parse(args(&["s5rs", "-r", "-1", "ls"])), Action::Usage(m) if m.contains("negative"))
        );
        assert!(
            matches!(parse(args(&["s5rs", "--endpoint-url", "storage.googleapis.com", "ls"])), Action::Usage(m) if m.contains("scheme is missing"))
        );
        assert!(matches!(
            parse(args(&["s5rs", "--recursive", "ls"])),
            Action::Usage(_)
        ));
        let Action::Run(c) = parse(args(&["s5rs", "--numworkers", "-2", "run", "f.txt"])) else {
            panic!()
        };
        assert!(c.numworkers >= 2);
        assert_eq!(c.invocation, Invocation::Run(Some("f.txt".into())));
        assert!(matches!(parse(args(&["s5rs"])), Action::Print(_)));
    }

    #[test]
    fn global_flag_table_is_the_clap_arguments() {
        let per_line = |long: &str| crate::parse::flags::FLAGS.iter().any(|f| f.name == long);
        let command = Cli::command();
        let clap_flags: Vec<(String, Option<char>, bool, bool)> = command
            .get_arguments()
            .filter_map(|a| {
                let long = a.get_long()?;
                let takes_value = a.get_action().takes_values();
                Some((long.to_string(), a.get_short(), takes_value, per_line(long)))
            })
            .collect();
        let table: Vec<(String, Option<char>, bool, bool)> = globals::GLOBAL_FLAGS
            .iter()
            .map(|g| (g.long.to_string(), g.short, g.takes_value, g.per_line))
            .collect();
        assert_eq!(clap_flags, table);
        assert!(
            Cli::command()
                .get_arguments()
                .all(|a| a.get_long().is_some() || a.get_id() == "command")
        );
    }

    #[test]
    fn help_lists_the_commands_of_the_table() {
        assert_eq!(
            after_help(),
            "Commands:\n  ls, cp, mv, rm, sync, du, cat, pipe, head, mb, rb, presign, select,\n  \
             bucket-version, version, run [FILE], help [COMMAND|batch|records],\n  \
             completion SHELL, man [DIR]\n\n\
             `s5rs COMMAND --help` shows a command's flags and examples."
        );
        let Action::Print(help) = parse(args(&["s5rs", "--help"])) else {
            panic!()
        };
        assert!(
            help.contains("  bucket-version, version, run [FILE]"),
            "{help}"
        );
    }

    #[test]
    fn one_dash_globals_follow_the_table() {
        let Action::Run(c) = parse(args(&[
            "s5rs",
            "-no-verify",
            "-r",
            "3",
            "-rate-limit-objects",
            "7",
            "ls",
        ])) else {
            panic!()
        };
        assert!(c.no_verify);
        assert_eq!((c.retry_count, c.rate_limit_objects), (3, Some(7)));
    }

    #[test]
    fn rate_limits_and_side_defaults() {
        let Action::Run(c) = parse(args(&[
            "s5rs",
            "-rate-limit-objects",
            "50",
            "--rate-limit-bandwidth",
            "2MiB",
            "--source-endpoint-url",
            "http://127.0.0.1:1",
            "--destination-profile",
            "dst",
            "ls",
        ])) else {
            panic!()
        };
        assert_eq!(c.rate_limit_objects, Some(50));
        assert_eq!(c.rate_limit_bandwidth, Some(2 << 20));
        assert_eq!(c.source.endpoint_url.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(c.destination.profile.as_deref(), Some("dst"));
        assert!(matches!(
            parse(args(&["s5rs", "--rate-limit-bandwidth", "fast", "ls"])),
            Action::Usage(_)
        ));
        assert!(matches!(
            parse(args(&["s5rs", "--rate-limit-objects", "0", "ls"])),
            Action::Usage(_)
        ));
        assert!(
            matches!(parse(args(&["s5rs", "--destination-endpoint-url", "x.com", "ls"])), Action::Usage(m) if m.contains("scheme is missing"))
        );
    }
}
