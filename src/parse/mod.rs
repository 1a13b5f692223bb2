//! Parsing commands: a batch line or the command line (after the global flags) into a
//! [`ParsedCommand`]. Pure: no I/O, no URL interpretation (that is `location.rs`'s
//! job during planning, so URL errors are reported as s5cmd reports them).
//!
//! Steps: [`lex::lex_line`] splits a line into words (sh-like quoting, see
//! `grammar/batch.ebnf`); the first word names the command; the flag scanner walks the
//! following words with s5cmd's (Go `flag` package's) rules — one or two dashes,
//! `--flag=value` or `--flag value`, bools optionally `=true|false`, only the aliases of
//! the table, no bundling, flags end at the first positional argument or at `--`;
//! every flag is looked up in the one table of [`flags::FLAGS`]; then the command's
//! arity and I/O-free flag combinations are checked and the AST is built. Error texts
//! follow s5cmd's where s5cmd has one (reference §0.1, §2.x, §5.3).

pub mod flags;
pub mod lex;
mod value;

use std::fmt;

use crate::command::{
    BucketVersionCmd, CatCmd, Command, CopyCmd, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE,
    DEFAULT_PRESIGN_EXPIRE, DuCmd, HeadCmd, LsCmd, MIN_PART_SIZE, ParsedCommand, PipeCmd,
    PresignCmd, RmCmd, SelectCmd, SelectFormat, SyncCmd, TransferFlags,
};
use crate::storage::MetadataDirective;

pub use flags::{command_help, command_names};
pub use lex::{LexedLine, Word, lex_line};

use flags::{Cmd, FlagSpec, ValueKind};
use value::Value;

/// Largest `--part-size` in MiB: S3 parts are at most 5 GiB.
const MAX_PART_SIZE_MIB: u64 = 5 * 1024;

/// A line or command line that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column of the offending word (for [`parse_args`]: 1-based argument
    /// index); for lexing errors, of the offending character.
    pub column: usize,
    /// What is wrong, in s5cmd's words where it has them.
    pub message: String,
    /// The command string (§0.8 of the reference, e.g. `cp --raw=true a`) when the
    /// error was found after the command and its flags were understood (arity, flag
    /// combinations): s5cmd prints these as `ERROR "<command>": <message>`. `None` for
    /// lexing errors, unknown commands and flag errors (s5cmd's "Incorrect Usage").
    pub command: Option<String>,
}

impl ParseError {
    /// An error at `column` without a command string.
    pub fn new(column: usize, message: impl Into<String>) -> Self {
        ParseError {
            column,
            message: message.into(),
            command: None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

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

/// Where the words came from; only changes the wording of some messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A line of a batch file or of stdin.
    Batch,
    /// The process arguments after the global flags.
    CommandLine,
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

fn global_flag_error(column: usize, long: &str, source: Source) -> ParseError {
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
fn flag_body(text: &str) -> Option<&str> {
    if text.len() < 2 || !text.starts_with('-') {
        return None;
    }
    Some(text.strip_prefix("--").unwrap_or(&text[1..]))
}

fn parse(words: &[Word], source: Source) -> Result<ParseOutcome, ParseError> {
    let Some(first) = words.first() else {
        return Ok(ParseOutcome::Help(flags::overview_help()));
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
                let info = flags::command_info(&format!("select {sub}")).expect("select forms");
                (info, &words[2..])
            }
            _ => (flags::command_info_of(Cmd::Select), &words[1..]),
        },
        _ => {
            if let Some(long) = flag_body(name)
                .map(|b| b.split_once('=').map_or(b, |(n, _)| n))
                .and_then(flags::global_flag)
            {
                return Err(global_flag_error(first.column, long, source));
            }
            match flags::command_info(name).filter(|c| !c.name.contains(' ')) {
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
    let command = build(info.cmd, &scan, &ctx)?;
    Ok(ParseOutcome::Command(ParsedCommand { command, display }))
}

/// `help [cmd [sub]]`.
fn help_command(words: &[Word]) -> Result<ParseOutcome, ParseError> {
    let Some(first) = words.first() else {
        return Ok(ParseOutcome::Help(flags::overview_help()));
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

/// One flag as given.
#[derive(Debug)]
struct Occurrence {
    /// Row index in [`flags::FLAGS`] (definition order).
    index: usize,
    /// The row.
    spec: &'static FlagSpec,
    /// The checked value.
    value: Value,
    /// The value as typed (`true` for a bare bool flag).
    raw: String,
    /// Column of the flag word.
    column: usize,
}

/// The flags and positional arguments of one command.
#[derive(Debug)]
struct Scan<'w> {
    /// Flags in the order given.
    flags: Vec<Occurrence>,
    /// Positional arguments.
    args: &'w [Word],
    /// `--help`/`-h` was given.
    help: bool,
}

/// Walks the words after the command name with Go `flag` package rules.
fn scan_flags(cmd: Cmd, words: &[Word], source: Source) -> Result<Scan<'_>, ParseError> {
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
            if let Some(long) = flags::global_flag(name) {
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
        let value = value::check(spec.kind, raw).map_err(|reason| {
            let message = if spec.kind == ValueKind::Bool {
                format!("invalid boolean value \"{raw}\" for -{name}: {reason}")
            } else {
                format!("invalid value \"{raw}\" for flag -{name}: {reason}")
            };
            ParseError::new(value_column, message)
        })?;
        if let Value::Pair(key, _) = &value
            && scan.flags.iter().any(|o| {
                o.spec.name == spec.name && matches!(&o.value, Value::Pair(k, _) if k == key)
            })
        {
            return Err(ParseError::new(
                value_column,
                format!(
                    "invalid value \"{raw}\" for flag -{name}: key \"{key}\" is already defined"
                ),
            ));
        }
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

impl Scan<'_> {
    /// The command string of §0.8: name, explicitly set flags in definition order as
    /// `--flag=value` (repeatable flags once per value, others with their last value),
    /// then the arguments.
    fn display(&self, name: &str) -> String {
        let mut shown: Vec<&Occurrence> = Vec::new();
        for (pos, occ) in self.flags.iter().enumerate() {
            let overridden =
                !occ.spec.repeatable && self.flags[pos + 1..].iter().any(|o| o.index == occ.index);
            if !overridden {
                shown.push(occ);
            }
        }
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

    /// The last occurrence of flag `name`.
    fn get(&self, name: &str) -> Option<&Occurrence> {
        self.flags.iter().rev().find(|o| o.spec.name == name)
    }

    /// A bool flag's value (false when not given).
    fn flag(&self, name: &str) -> bool {
        matches!(self.get(name).map(|o| &o.value), Some(Value::Bool(true)))
    }

    /// A text or choice flag's value.
    fn text(&self, name: &str) -> Option<String> {
        match self.get(name).map(|o| &o.value) {
            Some(Value::Text(s)) => Some(s.clone()),
            Some(Value::Choice(c)) => Some((*c).to_string()),
            _ => None,
        }
    }

    /// A count flag's value.
    fn count(&self, name: &str) -> Option<u64> {
        match self.get(name).map(|o| &o.value) {
            Some(Value::Count(n)) => Some(*n),
            _ => None,
        }
    }

    /// Every non-empty value of a repeatable text flag, in order.
    fn patterns(&self, name: &str) -> Vec<String> {
        self.flags
            .iter()
            .filter(|o| o.spec.name == name)
            .filter_map(|o| match &o.value {
                Value::Text(s) if !s.is_empty() => Some(s.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every `key=value` of a repeatable key-value flag, in order.
    fn key_values(&self, name: &str) -> Vec<(String, String)> {
        self.flags
            .iter()
            .filter(|o| o.spec.name == name)
            .filter_map(|o| match &o.value {
                Value::Pair(k, v) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect()
    }
}

/// What errors after flag scanning need: the command word's column and the display.
struct Ctx<'a> {
    /// Column of the command name.
    column: usize,
    /// The command string.
    display: &'a str,
}

impl Ctx<'_> {
    fn err(&self, column: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            column,
            message: message.into(),
            command: Some(self.display.to_string()),
        }
    }

    /// Checks that there are exactly `n` arguments: too few points at the command
    /// name, too many at the first extra argument.
    fn exactly(&self, args: &[Word], n: usize, message: &str) -> Result<(), ParseError> {
        match args.len().cmp(&n) {
            std::cmp::Ordering::Equal => Ok(()),
            std::cmp::Ordering::Less => Err(self.err(self.column, message)),
            std::cmp::Ordering::Greater => Err(self.err(args[n].column, message)),
        }
    }
}

/// The text of argument `i`.
fn arg(args: &[Word], i: usize) -> String {
    args[i].text.clone()
}

/// The shared transfer flags of cp/mv/sync/pipe (and the part flags of cat).
fn transfer_flags(scan: &Scan, ctx: &Ctx) -> Result<TransferFlags, ParseError> {
    Ok(TransferFlags {
        storage_class: scan.text("storage-class"),
        concurrency: concurrency(scan),
        part_size: part_size(scan, ctx)?,
        metadata: scan.key_values("metadata"),
        metadata_directive: scan.text("metadata-directive").map(|d| {
            if d == "COPY" {
                MetadataDirective::Copy
            } else {
                MetadataDirective::Replace
            }
        }),
        sse: scan.text("sse"),
        sse_kms_key_id: scan.text("sse-kms-key-id"),
        acl: scan.text("acl"),
        cache_control: scan.text("cache-control"),
        expires: scan.text("expires"),
        content_type: scan.text("content-type"),
        content_encoding: scan.text("content-encoding"),
        content_disposition: scan.text("content-disposition"),
        tagging: scan.text("tagging"),
        no_follow_symlinks: scan.flag("no-follow-symlinks"),
        force_glacier_transfer: scan.flag("force-glacier-transfer"),
        ignore_glacier_warnings: scan.flag("ignore-glacier-warnings"),
        source_region: scan.text("source-region"),
        destination_region: scan.text("destination-region"),
        raw: scan.flag("raw"),
        exclude: scan.patterns("exclude"),
        include: scan.patterns("include"),
        checksum_algorithm: scan
            .text("checksum-algorithm")
            .and_then(|a| flags::checksum_algorithm(&a)),
        source_profile: scan.text("source-profile"),
        source_endpoint_url: scan.text("source-endpoint-url"),
        destination_profile: scan.text("destination-profile"),
        destination_endpoint_url: scan.text("destination-endpoint-url"),
    })
}

/// `-c`: 0 means the default, as in s5cmd (the SDK's default of 5).
fn concurrency(scan: &Scan) -> usize {
    match scan.count("concurrency") {
        None | Some(0) => DEFAULT_CONCURRENCY,
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
    }
}

/// `-p` in bytes: MiB × 2²⁰; 0 means 5 MiB; more than 5 GiB is refused.
fn part_size(scan: &Scan, ctx: &Ctx) -> Result<u64, ParseError> {
    match scan.count("part-size") {
        None => Ok(DEFAULT_PART_SIZE),
        Some(0) => Ok(MIN_PART_SIZE),
        Some(n) if n > MAX_PART_SIZE_MIB => {
            let occ = scan.get("part-size").expect("given");
            Err(ctx.err(
                occ.column,
                format!(
                    "invalid value \"{}\" for flag -part-size: must be at most {MAX_PART_SIZE_MIB} (MiB, 5 GiB)",
                    occ.raw
                ),
            ))
        }
        Some(n) => Ok(n * 1024 * 1024),
    }
}

/// Arity, flag combinations and the AST of one command.
fn build(cmd: Cmd, scan: &Scan, ctx: &Ctx) -> Result<Command, ParseError> {
    let args = scan.args;
    Ok(match cmd {
        Cmd::Ls => {
            if args.len() > 1 {
                return Err(ctx.err(args[1].column, "expected only 1 argument"));
            }
            Command::Ls(LsCmd {
                target: args.first().map(|w| w.text.clone()),
                etag: scan.flag("etag"),
                humanize: scan.flag("humanize"),
                storage_class: scan.flag("storage-class"),
                exclude: scan.patterns("exclude"),
                all_versions: scan.flag("all-versions"),
                show_fullpath: scan.flag("show-fullpath"),
            })
        }
        Cmd::Cp | Cmd::Mv => {
            ctx.exactly(args, 2, "expected source and destination arguments")?;
            Command::Copy(CopyCmd {
                is_move: cmd == Cmd::Mv,
                src: arg(args, 0),
                dst: arg(args, 1),
                flatten: scan.flag("flatten"),
                no_clobber: scan.flag("no-clobber"),
                if_size_differ: scan.flag("if-size-differ"),
                if_source_newer: scan.flag("if-source-newer"),
                version_id: scan.text("version-id"),
                show_progress: scan.flag("show-progress"),
                flags: transfer_flags(scan, ctx)?,
            })
        }
        Cmd::Sync => {
            ctx.exactly(args, 2, "expected source and destination arguments")?;
            if scan.flag("checksum") && scan.flag("size-only") {
                let col = scan.get("size-only").map_or(ctx.column, |o| o.column);
                return Err(ctx.err(
                    col,
                    "it is not allowed to combine \"checksum\" and \"size-only\" flags",
                ));
            }
            Command::Sync(SyncCmd {
                src: arg(args, 0),
                dst: arg(args, 1),
                delete: scan.flag("delete"),
                size_only: scan.flag("size-only"),
                checksum: scan.flag("checksum"),
                exit_on_error: scan.flag("exit-on-error"),
                max_delete: scan.count("max-delete"),
                flags: transfer_flags(scan, ctx)?,
            })
        }
        Cmd::Rm => {
            if args.is_empty() {
                return Err(ctx.err(ctx.column, "expected at least 1 object to remove"));
            }
            let version_id = scan.text("version-id");
            if scan.flag("all-versions") && version_id.is_some() {
                let col = scan
                    .get("all-versions")
                    .into_iter()
                    .chain(scan.get("version-id"))
                    .map(|o| o.column)
                    .max()
                    .unwrap_or(ctx.column);
                return Err(ctx.err(
                    col,
                    "it is not allowed to combine \"all-versions\" and \"version-id\" flags",
                ));
            }
            if version_id.is_some() && args.len() > 1 {
                return Err(ctx.err(
                    args[1].column,
                    "version-id flag can only be used with single source object",
                ));
            }
            Command::Rm(RmCmd {
                targets: args.iter().map(|w| w.text.clone()).collect(),
                raw: scan.flag("raw"),
                exclude: scan.patterns("exclude"),
                include: scan.patterns("include"),
                all_versions: scan.flag("all-versions"),
                version_id,
            })
        }
        Cmd::Du => {
            ctx.exactly(args, 1, "expected only 1 argument")?;
            Command::Du(DuCmd {
                target: arg(args, 0),
                group: scan.flag("group"),
                humanize: scan.flag("humanize"),
                exclude: scan.patterns("exclude"),
                all_versions: scan.flag("all-versions"),
                version_id: scan.text("version-id"),
            })
        }
        Cmd::Cat => {
            ctx.exactly(args, 1, "expected only one argument")?;
            Command::Cat(CatCmd {
                target: arg(args, 0),
                raw: scan.flag("raw"),
                version_id: scan.text("version-id"),
                concurrency: concurrency(scan),
                part_size: part_size(scan, ctx)?,
            })
        }
        Cmd::Pipe => {
            ctx.exactly(args, 1, "expected destination argument")?;
            Command::Pipe(PipeCmd {
                dst: arg(args, 0),
                no_clobber: scan.flag("no-clobber"),
                flags: transfer_flags(scan, ctx)?,
            })
        }
        Cmd::Head => {
            if args.len() > 1 {
                return Err(ctx.err(args[1].column, "object or bucket name is required"));
            }
            if args.is_empty() {
                return Err(ctx.err(ctx.column, "target should be remote object or bucket"));
            }
            Command::Head(HeadCmd {
                target: arg(args, 0),
                raw: scan.flag("raw"),
                version_id: scan.text("version-id"),
            })
        }
        Cmd::Mb => {
            ctx.exactly(args, 1, "expected only 1 argument")?;
            Command::MakeBucket {
                target: arg(args, 0),
            }
        }
        Cmd::Rb => {
            ctx.exactly(args, 1, "expected only 1 argument")?;
            Command::RemoveBucket {
                target: arg(args, 0),
                force: scan.flag("force"),
            }
        }
        Cmd::Presign => {
            ctx.exactly(args, 1, "expected remote object url")?;
            let expire = match scan.get("expire").map(|o| &o.value) {
                Some(Value::Duration(d)) => *d,
                _ => DEFAULT_PRESIGN_EXPIRE,
            };
            Command::Presign(PresignCmd {
                target: arg(args, 0),
                expire,
                version_id: scan.text("version-id"),
            })
        }
        Cmd::Select | Cmd::SelectJson | Cmd::SelectCsv | Cmd::SelectParquet => {
            ctx.exactly(args, 1, "expected source argument")?;
            let query = scan.text("query").unwrap_or_default();
            if query.is_empty() {
                let col = scan.get("query").map_or(ctx.column, |o| o.column);
                return Err(ctx.err(col, "query must be non-empty"));
            }
            let format = match cmd {
                Cmd::SelectCsv => SelectFormat::Csv,
                Cmd::SelectParquet => SelectFormat::Parquet,
                _ => SelectFormat::Json,
            };
            let csv = format == SelectFormat::Csv;
            Command::Select(SelectCmd {
                format,
                target: arg(args, 0),
                query,
                output_format: scan.text("output-format"),
                compression: scan.text("compression"),
                structure: (format == SelectFormat::Json)
                    .then(|| scan.text("structure").unwrap_or_else(|| "lines".into())),
                delimiter: csv.then(|| scan.text("delimiter").unwrap_or_else(|| ",".into())),
                use_header: csv.then(|| scan.text("use-header").unwrap_or_else(|| "NONE".into())),
                exclude: scan.patterns("exclude"),
                raw: scan.flag("raw"),
                all_versions: scan.flag("all-versions"),
                version_id: scan.text("version-id"),
                force_glacier_transfer: scan.flag("force-glacier-transfer"),
                ignore_glacier_warnings: scan.flag("ignore-glacier-warnings"),
            })
        }
        Cmd::BucketVersion => {
            ctx.exactly(args, 1, "expected only one argument")?;
            Command::BucketVersion(BucketVersionCmd {
                target: arg(args, 0),
                set: scan.text("set"),
            })
        }
        Cmd::Version | Cmd::Wait => {
            if let Some(extra) = args.first() {
                return Err(ctx.err(extra.column, "expected no arguments"));
            }
            if cmd == Cmd::Version {
                Command::Version
            } else {
                Command::Wait
            }
        }
    })
}

#[cfg(test)]
mod tests;
