//! The command line: global flags (clap derive) before the command, then the command's
//! words, which go to the same parser as batch lines (one flag table for both).
//! clap types stop here: the result is a [`Config`] or something to print.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, ValueEnum};

use crate::config::{Config, Invocation};
use crate::output::LogLevel;

/// s5rs — fast, s5cmd-compatible S3 batch operations.
#[derive(Parser, Debug)]
#[command(
    name = "s5rs",
    version,
    about = "Fast, s5cmd-compatible S3 batch operations: cp, mv, rm, ls, sync and more, \
             from the command line, a batch file or stdin.",
    after_help = "Commands:\n  ls, cp, mv, rm, sync, du, cat, pipe, head, mb, rb, presign, select,\n  \
                  bucket-version, version, run [FILE], help [COMMAND], completion SHELL\n\n\
                  `s5rs COMMAND --help` shows a command's flags and examples.",
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

/// What `main` should do.
#[derive(Debug)]
pub enum Action {
    /// Run with this configuration.
    Run(Config),
    /// Print this text on stdout and exit 0.
    Print(String),
    /// Print this message on stderr and exit 2.
    Usage(String),
}

/// Global flags s5cmd accepts with one dash (`-json`).
const LONG_GLOBALS: &[&str] = &[
    "json",
    "numworkers",
    "retry-count",
    "endpoint-url",
    "no-verify-ssl",
    "log",
    "dry-run",
    "stat",
    "no-sign-request",
    "use-list-objects-v1",
    "request-payer",
    "profile",
    "credentials-file",
    "no-verify",
    "help",
    "version",
];

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
        let takes_value = matches!(
            base,
            "numworkers"
                | "retry-count"
                | "endpoint-url"
                | "log"
                | "request-payer"
                | "profile"
                | "credentials-file"
                | "r"
        );
        if !s.starts_with("--") && LONG_GLOBALS.contains(&base) {
            out.push(OsString::from(format!("--{name}")));
        } else {
            out.push(arg);
        }
        expect_value = takes_value && !name.contains('=');
    }
    out
}

/// Parses the process arguments.
pub fn parse(args: Vec<OsString>) -> Action {
    let cli = match Cli::try_parse_from(normalise(args)) {
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
    if cli.retry_count < 0 {
        return Action::Usage("ERROR retry count cannot be a negative value".into());
    }
    if cli.no_sign_request && cli.profile.is_some() {
        return Action::Usage(
            "ERROR \"no-sign-request\" and \"profile\" flags cannot be used together".into(),
        );
    }
    if cli.no_sign_request && cli.credentials_file.is_some() {
        return Action::Usage(
            "ERROR \"no-sign-request\" and \"credentials-file\" flags cannot be used together"
                .into(),
        );
    }
    if let Some(url) = &cli.endpoint_url
        && !url.starts_with("http://")
        && !url.starts_with("https://")
    {
        return Action::Usage(format!(
            "ERROR bad value for --endpoint-url {url}: scheme is missing. Must be of the form http://<hostname>/ or https://<hostname>/"
        ));
    }
    let numworkers = if cli.numworkers < 0 {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
        (cpus * -cli.numworkers) as usize
    } else {
        cli.numworkers as usize
    }
    .max(2);
    let words = cli.command;
    if let Some(first) = words.first()
        && first.starts_with('-')
    {
        let name = first.trim_start_matches('-');
        return Action::Usage(format!(
            "Incorrect Usage: flag provided but not defined: -{name}\nSee 's5rs --help' for usage"
        ));
    }
    let invocation = match words.first().map(String::as_str) {
        None => return Action::Print(Cli::command().render_long_help().to_string()),
        Some("help") | Some("h") => {
            return match words.get(1) {
                None => Action::Print(Cli::command().render_long_help().to_string()),
                Some(name) => match crate::parse::command_help(name) {
                    Some(text) => Action::Print(text),
                    None => Action::Usage(format!("ERROR \"{name}\": command not found")),
                },
            };
        }
        Some("completion") => {
            return match words.get(1).map(String::as_str) {
                Some(shell) => crate::completion::generate(shell, Cli::command()),
                None => Action::Usage("ERROR \"completion\": expected a shell name (bash, zsh, fish, powershell, elvish)".into()),
            };
        }
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
        request_payer: cli.request_payer,
        profile: cli.profile,
        credentials_file: cli.credentials_file,
        no_verify: cli.no_verify,
        invocation,
    })
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

/// The s5rs command for shell completion generation.
pub fn clap_command() -> clap::Command {
    Cli::command()
}

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
}
