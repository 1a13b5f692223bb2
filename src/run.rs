//! The top of a run: one command from the command line, or a batch (`run FILE` /
//! stdin) streamed line by line — each line parsed, then run as its own task while
//! later lines are read (at most `--numworkers` lines in planning at once; their ops
//! share the worker pool). In a dry run, a copy line of one object is planned and
//! described on the reader itself without awaiting (`commands/dry_line.rs`), its
//! record sent with those of the lines around it in one batch — flushed before
//! any other line reports and before the reader waits for input, so records keep
//! their order and an interactive batch sees them at once. A `wait` line is a
//! barrier: every earlier line and all of its ops finish before any later line
//! starts. A stdout that can no longer be written stops the run like an interrupt;
//! the lines left in the input are counted and reported with the ops not started
//! (exit 1). Ctrl-C once stops reading and planning and lets running ops finish
//! (exit 130); twice aborts the multipart uploads in flight and exits.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use futures_util::FutureExt;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, BufReader};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::command::Command;
use crate::commands::dry_line::DryLines;
use crate::config::{Config, Invocation};
use crate::ctx::Ctx;
use crate::error::ErrorKind;
use crate::exit::ExitCode;
use crate::lifecycle;
use crate::output::{self, Batches, Message};
use crate::parse::{self, ParseOutcome};
use crate::record::Record;

/// Runs what the configuration asks for and returns the exit code.
pub async fn run(config: Config) -> ExitCode {
    let config = Arc::new(config);
    let (out, writer) = output::start(config.json, config.log, config.stat);
    let ctx = Ctx::new(config.clone(), out.clone());
    if config.show_progress {
        out.progress().enable();
    }
    lifecycle::watch_signals(&ctx);
    let code = match lifecycle::open_journal(&ctx).await {
        Err(message) => {
            out.send(Message::Warn(format!("ERROR {message}"))).await;
            ExitCode::Usage
        }
        Ok(()) => {
            let code = match &config.invocation {
                Invocation::Command(words) => run_single(&ctx, words).await,
                Invocation::Run(path) => run_batch(&ctx, path.as_deref()).await,
            };
            code.merge(lifecycle::close_journal(&ctx).await)
        }
    };
    if let Some(shard) = config.shard {
        out.send(Message::ShardSummary(shard.to_string())).await;
    }
    let interrupted = ctx.interrupted.load(Ordering::Relaxed);
    let terminated = ctx.terminated.load(Ordering::Relaxed);
    // Every line and op has finished: the counts are final.
    let not_run = (
        ctx.not_run.lines.load(Ordering::Relaxed),
        ctx.not_run.operations.load(Ordering::Relaxed),
    );
    drop(ctx);
    out.shutdown().await;
    drop(out);
    let summary = writer.join().unwrap_or_default();
    let mut code = code;
    if summary.failures > 0 {
        code = code.merge(ExitCode::Failure);
    }
    if let Some(reason) = &summary.stdout_error {
        // Records were lost and work skipped: a failure, never a quiet exit 0
        // (README "Exit codes").
        eprintln!(
            "ERROR writing to stdout: {reason}: stopped early; did not run: {} batch lines, \
             {} operations; rerun to finish",
            not_run.0, not_run.1,
        );
        code = code.merge(ExitCode::Failure);
    }
    if terminated {
        // Lines were left unread: retryable (README "Exit codes").
        eprintln!("terminated: stopped early; rerun (with the same --journal) to finish");
        code = code.merge(ExitCode::Failure);
    }
    if interrupted {
        code = code.merge(ExitCode::Interrupted);
    }
    code
}

async fn run_single(ctx: &Arc<Ctx>, words: &[String]) -> ExitCode {
    match parse::parse_args(words) {
        Ok(ParseOutcome::Help(text)) => {
            ctx.output
                .send(Message::Raw(text.into_bytes().into()))
                .await;
            ExitCode::Success
        }
        Ok(ParseOutcome::Command(parsed)) => {
            if matches!(parsed.command, Command::Wait) {
                usage_error(ctx, words, "\"wait\" is only meaningful in a batch").await;
                return ExitCode::Usage;
            }
            crate::commands::run(ctx, parsed, None).await;
            ExitCode::Success
        }
        Err(e) => {
            usage_error(ctx, words, &e.message).await;
            ExitCode::Usage
        }
    }
}

async fn usage_error(ctx: &Ctx, words: &[String], message: &str) {
    let operation = words.first().map_or("s5rs", String::as_str);
    let record = Record::failed(
        operation,
        parse::redacted(words),
        message.to_string(),
        ErrorKind::Parse,
    );
    ctx.output.send(Message::Record(record)).await;
}

async fn run_batch(ctx: &Arc<Ctx>, path: Option<&std::path::Path>) -> ExitCode {
    let display = match path {
        Some(p) => format!("run {}", p.display()),
        None => "run".to_string(),
    };
    match path {
        Some(p) if p.to_str().is_some_and(|s| s.starts_with("s3://")) => {
            run_remote_batch(ctx, p.to_str().unwrap_or_default(), &display).await
        }
        Some(p) => match tokio::fs::File::open(p).await {
            Ok(f) => run_lines(ctx, BufReader::with_capacity(256 * 1024, f), &display).await,
            Err(e) => {
                let record = Record::failed(
                    "run",
                    display,
                    format!("open {}: {}", p.display(), io_message(&e)),
                    ErrorKind::Io,
                );
                ctx.output.send(Message::Record(record)).await;
                ExitCode::Usage
            }
        },
        None => {
            let stdin = tokio::io::stdin();
            run_lines(ctx, BufReader::with_capacity(256 * 1024, stdin), &display).await
        }
    }
}

/// `run s3://bucket/key`: the batch file streamed from S3 (every shard of an array job
/// reads the same batch without a shared file system). A failure to open it is a
/// usage error (exit 2); a failure part-way is a failed record (exit 1), since the
/// lines after it never ran.
async fn run_remote_batch(ctx: &Arc<Ctx>, url: &str, display: &str) -> ExitCode {
    let fail = |message: String, kind: ErrorKind| {
        Message::Record(Record::failed("run", display.to_string(), message, kind))
    };
    let source = match crate::location::Location::parse(url, true) {
        Ok(crate::location::Location::Remote(r)) if !r.key.is_empty() => r,
        _ => {
            let message = format!("{url}: a batch URL names an object (s3://bucket/key)");
            ctx.output.send(fail(message, ErrorKind::Usage)).await;
            return ExitCode::Usage;
        }
    };
    let opened = match ctx.clients.get(&crate::op::ClientSpec::default()).await {
        Ok(client) => {
            client
                .get_object(&source.bucket, &source.key, None, None)
                .await
        }
        Err(e) => Err(e),
    };
    let mut object = match opened {
        Ok(o) => o,
        Err(e) => {
            ctx.output
                .send(fail(format!("open {url}: {e}"), e.kind))
                .await;
            return ExitCode::Usage;
        }
    };
    // The body is pumped through a bounded in-memory pipe into the line reader.
    let (mut writer, reader) = tokio::io::duplex(256 * 1024);
    let pump = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        while let Some(chunk) = object.body.next_chunk().await {
            // A closed pipe means the reader stopped: nothing more to deliver.
            if writer.write_all(&chunk?).await.is_err() {
                break;
            }
        }
        Ok::<(), crate::storage::StorageError>(())
    });
    let code = run_lines(ctx, BufReader::with_capacity(256 * 1024, reader), display).await;
    if let Ok(Err(e)) = pump.await {
        let message = format!("reading {source}: {e}");
        ctx.output.send(fail(message, e.kind)).await;
    }
    code
}

/// Go-like I/O error texts (`no such file or directory`).
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => e.to_string(),
    }
}

async fn run_lines<R: AsyncBufRead + Unpin>(ctx: &Arc<Ctx>, input: R, display: &str) -> ExitCode {
    // The batch's totals grow until its last line is read.
    ctx.output.progress().begin_planning();
    let code = read_lines(ctx, input, display).await;
    ctx.output.progress().end_planning();
    code
}

async fn read_lines<R: AsyncBufRead + Unpin>(
    ctx: &Arc<Ctx>,
    mut input: R,
    display: &str,
) -> ExitCode {
    let line_slots = Arc::new(Semaphore::new(ctx.config.numworkers));
    let mut lines: JoinSet<()> = JoinSet::new();
    let mut quick = Quick::default();
    let mut buf = Vec::with_capacity(256);
    let mut number: u64 = 0;
    let mut code = ExitCode::Success;
    loop {
        if ctx.stopping() {
            break;
        }
        if quick.is_full() || !(quick.is_empty() || buffered(&mut input)) {
            // Written before the reader may wait for more input, as any other line
            // would have been by then.
            quick.flush(ctx).await;
        }
        buf.clear();
        match input.read_until(b'\n', &mut buf).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                quick.flush(ctx).await;
                let record = Record::failed(
                    "run",
                    display.to_string(),
                    format!("reading input: {}", io_message(&e)),
                    ErrorKind::Io,
                );
                ctx.output.send(Message::Record(record)).await;
                // Unreadable from the start (a directory, say): nothing was done.
                code = if number == 0 {
                    ExitCode::Usage
                } else {
                    ExitCode::Failure
                };
                break;
            }
        }
        number += 1;
        let text = match utf8_line(&buf) {
            Ok(text) => text,
            Err((column, message)) => {
                quick.flush(ctx).await;
                parse_failure(ctx, display, (number, column), &message).await;
                continue;
            }
        };
        let parsed = parse::parse_line(text);
        if let Ok(Some(ParseOutcome::Command(parsed))) = &parsed
            && quick.plan(ctx, parsed, number)
        {
            continue;
        }
        if !matches!(parsed, Ok(None)) {
            // What this line reports comes after the lines planned before it.
            quick.flush(ctx).await;
        }
        match parsed {
            Ok(None) => {}
            Ok(Some(ParseOutcome::Help(_))) if ctx.config.json => {
                // Help is text: under --json every stdout line is a record.
                let message = "help is text, not a JSON record: not shown in a --json batch";
                parse_failure(ctx, display, (number, 1), message).await;
            }
            Ok(Some(ParseOutcome::Help(help))) => {
                ctx.output
                    .send(Message::Raw(help.into_bytes().into()))
                    .await;
            }
            Ok(Some(ParseOutcome::Command(parsed))) => {
                if matches!(parsed.command, Command::Wait) {
                    while lines.join_next().await.is_some() {}
                    continue;
                }
                if crate::commands::runs_inline(&ctx.config, &parsed.command) {
                    crate::commands::run_inline(ctx, parsed, Some(number)).await;
                    continue;
                }
                let permit = line_slots
                    .clone()
                    .acquire_owned()
                    .await
                    .expect("line semaphore is never closed");
                let ctx = ctx.clone();
                lines.spawn(async move {
                    crate::commands::run(&ctx, parsed, Some(number)).await;
                    drop(permit);
                });
                while lines.try_join_next().is_some() {}
            }
            Err(e) => parse_failure(ctx, display, (number, e.column), &e.message).await,
        }
    }
    quick.flush(ctx).await;
    while lines.join_next().await.is_some() {}
    let signalled =
        ctx.interrupted.load(Ordering::Relaxed) || ctx.terminated.load(Ordering::Relaxed);
    if ctx.output.stdout_closed() && !signalled {
        // stdout failed: the lines left in the input did not run; count them so the
        // run can say how much is left (the input is read to its end, not run).
        let left = count_command_lines(&mut input, &mut buf).await;
        ctx.not_run.lines.fetch_add(left, Ordering::Relaxed);
    }
    code
}

/// Lines planned on the reader itself ([`DryLines`]) and their messages, sent to the
/// output in batches: one trip through its channel per batch, not per line.
#[derive(Default)]
struct Quick {
    planner: DryLines,
    pending: Vec<Message>,
    batches: Batches,
}

impl Quick {
    /// Plans batch line `number` here if it can be (see [`DryLines::plan`]).
    fn plan(&mut self, ctx: &Ctx, parsed: &crate::command::ParsedCommand, number: u64) -> bool {
        self.planner.plan(ctx, parsed, number, &mut self.pending)
    }

    fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn is_full(&self) -> bool {
        self.pending.len() >= BATCH_MESSAGES
    }

    /// Sends what is pending.
    async fn flush(&mut self, ctx: &Ctx) {
        if !self.pending.is_empty() {
            let batch = std::mem::replace(&mut self.pending, self.batches.next(BATCH_MESSAGES));
            self.batches.send(&ctx.output, batch).await;
        }
    }
}

/// Messages of lines planned on the reader sent to the output at once, at most.
const BATCH_MESSAGES: usize = 512;

/// Whether input is at hand without waiting (buffered, or the end of it).
fn buffered<R: AsyncBufRead + Unpin>(input: &mut R) -> bool {
    matches!(input.fill_buf().now_or_never(), Some(Ok(_)))
}

/// Reads the rest of the input, counting the lines that hold a command (not blank,
/// not a comment, not `wait`).
async fn count_command_lines<R: AsyncBufRead + Unpin>(input: &mut R, buf: &mut Vec<u8>) -> u64 {
    let mut count = 0;
    loop {
        buf.clear();
        match input.read_until(b'\n', buf).await {
            Ok(0) | Err(_) => return count,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(buf);
        let text = text.trim();
        if !(text.is_empty() || text.starts_with('#') || text == "wait") {
            count += 1;
        }
    }
}

/// A batch line as text, without its line end; a line that is not UTF-8 is an
/// error naming the column (in characters) of the first bad byte — such a line
/// would otherwise name an S3 key nobody asked for (U+FFFD in place of the byte).
fn utf8_line(buf: &[u8]) -> Result<&str, (usize, String)> {
    match std::str::from_utf8(buf) {
        Ok(text) => Ok(text.trim_end_matches(['\n', '\r'])),
        Err(e) => {
            let good = e.valid_up_to();
            let column = std::str::from_utf8(&buf[..good]).map_or(good, |t| t.chars().count()) + 1;
            let message = format!(
                "invalid UTF-8 byte 0x{:02X}: lines must be UTF-8, as S3 keys are",
                buf[good]
            );
            Err((column, message))
        }
    }
}

/// Reports a batch line that cannot be run, with its line number and column.
/// Counted by `--stat` as a failed `run` line, like any failed command.
async fn parse_failure(ctx: &Ctx, display: &str, (number, column): (u64, usize), message: &str) {
    let message = format!("line {number}, column {column}: {message}");
    let mut record = Record::failed("run", display.to_string(), message, ErrorKind::Parse);
    record.line = Some(number);
    ctx.output.send(Message::Record(record)).await;
    let done = Message::CommandDone {
        name: "run",
        ok: false,
    };
    ctx.output.send(done).await;
}
