//! Output: the only writer of stdout and stderr.
//!
//! Every producer (line tasks, workers) sends [`Message`]s through one bounded channel
//! to a dedicated writer thread, which renders records as text or JSON, applies the log
//! level, counts `--stat` figures and failures, and flushes whenever the channel runs
//! dry (so interactive output appears at once while bulk output is written in large
//! blocks), then lets the next messages gather for a millisecond before waiting for
//! them (one wake-up per batch, not per record). A stdout that cannot be written (closed by its reader:
//! EPIPE; a full device: ENOSPC) is noticed, reported as `stdout_closed` with its
//! reason in the summary (the run stops starting work and fails, exit 1), and
//! everything after it is dropped.
//!
//! A producer with many records at once (the batch reader of a dry run) sends them
//! as one [`Message::Batch`] through [`Batches`], and gets the written batch back to
//! free on its own thread.
//!
//! Records of operations are rendered by `text` (or as JSON), the query commands'
//! results ([`QueryResult`]: `ls`, `du`, `head`, `bucket-version`) by `query`, the
//! `--stat` table by `stats`: no other module formats a result line.
//!
//! Streams: results on stdout; in text mode failures (`ERROR "…": …`), debug lines and
//! warnings on stderr; in `--json` mode every record, failures included, on stdout.

pub mod batchops;
pub mod progress;
mod query;
mod shard;
mod stats;
pub mod summary;
mod text;

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use bytes::Bytes;
use tokio::sync::mpsc;

pub use progress::Progress;
pub use stats::Stats;

use crate::record::{QueryResult, Record};

/// Log levels, least to most severe (reference §0.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    /// Everything, including per-request details.
    Trace,
    /// Skips and retries too.
    Debug,
    /// Results (default).
    Info,
    /// Only errors.
    Error,
}

/// What producers send to the writer.
///
/// Records travel unboxed: each is moved once into the channel and out again, and
/// boxing would add an allocation per operation on the hot path.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Message {
    /// The outcome of one operation or command.
    Record(Record),
    /// A result line of `ls`, `du`, `head`, `bucket-version` or `presign`, rendered
    /// here as text or JSON; shown at info level. In a batch (`line` set) its JSON
    /// record also carries `operation` and `line`.
    Query {
        /// What was found.
        result: QueryResult,
        /// The command that found it (`ls` …).
        operation: &'static str,
        /// Its batch line, `None` for a command-line command.
        line: Option<u64>,
        /// `--shard K/N`: the shard that ran it (its JSON record carries it).
        shard: Option<crate::shard::Shard>,
    },
    /// A plain line for stdout (`version`), shown at info level.
    Line(String),
    /// Raw bytes for stdout (`cat`), always written.
    Raw(Bytes),
    /// A debug line for stderr (`DEBUG …`), shown at debug level and below.
    Debug(String),
    /// A warning for stderr, always shown.
    Warn(String),
    /// `--shard K/N`: write this shard's summary (the run's last record).
    ShardSummary(String),
    /// Ends the writer: everything sent before it is written, then `--stat`.
    Shutdown,
    /// Messages of one producer in their order, sent at once ([`Output::send_batch`]).
    Batch(Batch),
    /// A command invocation finished: counted by `--stat` (reference §7).
    CommandDone {
        /// Command name (`cp`, `select csv` …).
        name: &'static str,
        /// Whether it reported no error.
        ok: bool,
    },
}

/// How many messages may wait for the writer before producers block.
const CHANNEL_CAPACITY: usize = 10_000;

/// How many batches may wait for the writer before their producers block: a batch
/// is one message in the channel, and the channel alone would not bound its records.
const BATCHES_WAITING: usize = 8;

/// Messages sent as one ([`Message::Batch`]), holding one of the writer's batch slots
/// until it has been written, then handed back to their producer.
#[derive(Debug)]
pub struct Batch {
    messages: Vec<Message>,
    back: std::sync::mpsc::Sender<Vec<Message>>,
    _slot: tokio::sync::OwnedSemaphorePermit,
}

/// A producer's way of sending many messages at once ([`Message::Batch`]). The writer
/// hands each written batch back, and the producer drops its records: memory is then
/// freed by the thread that allocated it. With one malloc arena per two cores, the
/// writer freeing a producer's records contended for the arena's lock with the
/// producer's allocations, a futex wait several times per batch.
pub struct Batches {
    back_tx: std::sync::mpsc::Sender<Vec<Message>>,
    back_rx: std::sync::mpsc::Receiver<Vec<Message>>,
}

impl Default for Batches {
    fn default() -> Self {
        let (back_tx, back_rx) = std::sync::mpsc::channel();
        Batches { back_tx, back_rx }
    }
}

impl Batches {
    /// Sends `messages` in their order as one message: one trip through the channel
    /// and one wake-up of the writer for many records. Waits while
    /// [`BATCHES_WAITING`] batches are unwritten.
    pub async fn send(&mut self, output: &Output, messages: Vec<Message>) {
        if messages.is_empty() {
            return;
        }
        let slot = match output.batches.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => match output.batches.clone().acquire_owned().await {
                Ok(slot) => slot,
                Err(_) => return,
            },
        };
        let batch = Batch {
            messages,
            back: self.back_tx.clone(),
            _slot: slot,
        };
        output.send(Message::Batch(batch)).await;
    }

    /// An empty vector for the next batch: a written one when one came back (its
    /// messages dropped here, the others too), else a new one of `capacity`.
    pub fn next(&self, capacity: usize) -> Vec<Message> {
        let mut next = self.back_rx.try_recv().ok();
        while let Ok(spent) = self.back_rx.try_recv() {
            drop(spent);
        }
        match &mut next {
            Some(spent) => spent.clear(),
            None => return Vec::with_capacity(capacity),
        }
        next.unwrap_or_default()
    }
}

/// How long the writer lets messages gather after writing a batch.
const GATHER: std::time::Duration = std::time::Duration::from_millis(1);

/// A cloneable handle producers use to send messages.
#[derive(Clone)]
pub struct Output {
    tx: mpsc::Sender<Message>,
    closed: Arc<AtomicBool>,
    progress: Arc<Progress>,
    batches: Arc<tokio::sync::Semaphore>,
}

impl Output {
    /// Sends a message (waits while the writer is behind).
    pub async fn send(&self, message: Message) {
        // The writer only goes away after every sender is dropped; a send error means
        // the process is shutting down and the message has nowhere to go. With room in
        // the channel (nearly always) the message goes in at once, without building
        // the waiting send's future around it: a saving per record at a million lines.
        if let Err(mpsc::error::TrySendError::Full(message)) = self.tx.try_send(message) {
            let _ = self.tx.send(message).await;
        }
    }

    /// Asks the writer to finish (after what was sent before).
    pub async fn shutdown(&self) {
        self.send(Message::Shutdown).await;
    }

    /// The run's progress counters (`--show-progress`).
    pub fn progress(&self) -> &Arc<Progress> {
        &self.progress
    }

    /// True once stdout has been closed by the reader (EPIPE): producers may stop.
    pub fn stdout_closed(&self) -> bool {
        self.closed.load(Ordering::Relaxed)
    }
}

/// What the writer saw, returned when every sender is gone.
#[derive(Debug, Default)]
pub struct Summary {
    /// Records with `success: false`.
    pub failures: u64,
    /// Records with `success: true` (skips included).
    pub successes: u64,
    /// stdout was closed by its reader.
    pub stdout_closed: bool,
    /// Why stdout could not be written (`broken pipe …`, `No space left on device …`):
    /// set with `stdout_closed`; the run reports it with what did not run.
    pub stdout_error: Option<String>,
}

/// Starts the writer thread. Drop every [`Output`] clone, then join the handle to get
/// the [`Summary`]; `--stat` figures are printed when the channel closes.
pub fn start(
    json: bool,
    level: LogLevel,
    print_stats: bool,
) -> (Output, std::thread::JoinHandle<Summary>) {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let closed = Arc::new(AtomicBool::new(false));
    let progress = Arc::new(Progress::default());
    let output = Output {
        tx,
        closed: closed.clone(),
        progress: progress.clone(),
        batches: Arc::new(tokio::sync::Semaphore::new(BATCHES_WAITING)),
    };
    let writer = Writer {
        json,
        level,
        stats: print_stats.then(Stats::default),
        run_summary: print_stats.then(summary::Summary::default),
        progress,
        stdout: io::BufWriter::with_capacity(64 * 1024, io::stdout()),
        stderr: io::BufWriter::new(io::stderr()),
        summary: Summary::default(),
        tally: shard::Tally::default(),
        closed,
    };
    let handle = std::thread::Builder::new()
        .name("s5rs-output".into())
        .spawn(move || writer.run(rx))
        .expect("spawning the output thread");
    (output, handle)
}

struct Writer {
    json: bool,
    level: LogLevel,
    stats: Option<Stats>,
    /// `--stat`: s5rs's summary, printed after the per-command table.
    run_summary: Option<summary::Summary>,
    progress: Arc<Progress>,
    stdout: io::BufWriter<io::Stdout>,
    stderr: io::BufWriter<io::Stderr>,
    summary: Summary,
    /// Records per outcome, for `--shard`'s summary.
    tally: shard::Tally,
    closed: Arc<AtomicBool>,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Message>) -> Summary {
        'outer: while let Some(message) = rx.blocking_recv() {
            if matches!(message, Message::Shutdown) {
                break;
            }
            self.handle(message);
            while let Ok(message) = rx.try_recv() {
                if matches!(message, Message::Shutdown) {
                    break 'outer;
                }
                self.handle(message);
            }
            self.flush();
            // Let the next messages gather before waiting for them: a writer that
            // parks as soon as the channel is empty is woken (a futex call and a
            // context switch on both sides) for nearly every record of a fast run.
            // A millisecond is far below what anyone sees, and bounds the wake-ups
            // to about a thousand a second.
            std::thread::sleep(GATHER);
        }
        if let Some(stats) = self.stats.take() {
            let rendered = if self.json {
                stats.render_json()
            } else {
                stats.render_text()
            };
            if !rendered.is_empty() {
                self.out(rendered.as_bytes());
            }
        }
        self.flush();
        self.progress.finish();
        if let Some(run_summary) = self.run_summary.take().filter(|s| !s.is_empty()) {
            let rendered = if self.json {
                run_summary.render_json()
            } else {
                run_summary.render_text()
            };
            self.out(rendered.as_bytes());
        }
        self.flush();
        self.summary
    }

    fn handle(&mut self, message: Message) {
        match message {
            Message::Record(mut record) => self.record(&mut record),
            Message::Batch(mut batch) => {
                for message in &mut batch.messages {
                    match message {
                        Message::Record(record) => self.record(record),
                        other => self.handle(std::mem::replace(other, Message::Shutdown)),
                    }
                }
                // A producer that has gone drops nothing more: the batch is dropped here.
                let _ = batch.back.send(std::mem::take(&mut batch.messages));
            }
            Message::Query {
                result,
                operation,
                line,
                shard,
            } => {
                if self.level <= LogLevel::Info {
                    let origin = query::Origin::of(operation, line, shard);
                    let json = self.json || query::always_json(&result);
                    self.write_line(&query::render(&result, self.json, origin), json);
                }
            }
            Message::Line(line) => {
                if self.level <= LogLevel::Info {
                    self.out_line(&line);
                }
            }
            Message::Raw(bytes) => self.out(&bytes),
            Message::Debug(line) => {
                if self.level <= LogLevel::Debug {
                    self.err_line(&line);
                }
            }
            Message::Warn(line) => self.err_line(&line),
            Message::Shutdown => {}
            Message::ShardSummary(label) => {
                let summary = self.tally.summary(&label);
                let line = if self.json {
                    serde_json::to_string(&summary).expect("records always serialize")
                } else {
                    shard::render_text(&summary)
                };
                self.out_line(&line);
            }
            Message::CommandDone { name, ok } => {
                if let Some(stats) = &mut self.stats {
                    stats.count(name, ok);
                }
            }
        }
    }

    fn record(&mut self, record: &mut Record) {
        self.progress.done(record);
        if let Some(run_summary) = &mut self.run_summary {
            run_summary.count(record);
        }
        self.tally.count(record);
        if record.success {
            self.summary.successes += 1;
        } else {
            self.summary.failures += 1;
        }
        if self.json {
            let show = !record.success || self.level <= LogLevel::Info;
            if show {
                // One line per error in JSON too, as s5cmd's `error` field.
                if let Some(error) = &mut record.error {
                    *error = text::flatten(error);
                }
                let line = serde_json::to_string(record).expect("records always serialize");
                self.out_line(&line);
            }
            return;
        }
        if !record.success {
            self.err_line(&text::error_line(record));
        } else if let Some(reason) = &record.skipped {
            if self.level <= LogLevel::Debug {
                self.err_line(&text::debug_line(record, reason));
            }
        } else if self.level <= LogLevel::Info {
            self.out_line(&text::result_line(record));
        }
    }

    /// A result line: text is escaped (no control character reaches the terminal),
    /// JSON keeps its exact strings (only DEL and C1 controls, which JSON may carry
    /// raw, are written as `\u00NN` escapes).
    fn out_line(&mut self, line: &str) {
        self.write_line(line, self.json);
    }

    fn write_line(&mut self, line: &str, json: bool) {
        let line = if json {
            text::json_safe(line)
        } else {
            text::escape_controls(line)
        };
        self.out(line.as_bytes());
        self.out(b"\n");
    }

    fn out(&mut self, bytes: &[u8]) {
        if self.summary.stdout_closed {
            return;
        }
        if let Err(e) = self.stdout.write_all(bytes) {
            self.stdout_failed(e);
        }
    }

    fn err_line(&mut self, line: &str) {
        let line = text::escape_controls(line);
        let _ = self.stderr.write_all(line.as_bytes());
        let _ = self.stderr.write_all(b"\n");
    }

    fn flush(&mut self) {
        if self.stdout.buffer().is_empty() && self.stderr.buffer().is_empty() {
            return;
        }
        // With a progress bar on the terminal, lines are written with the bar hidden.
        let progress = self.progress.clone();
        progress.suspend(|| {
            if !self.summary.stdout_closed
                && let Err(e) = self.stdout.flush()
            {
                self.stdout_failed(e);
            }
            let _ = self.stderr.flush();
        });
    }

    /// stdout cannot take more: producers stop (see `Ctx::stopping`), and the run
    /// reports the failure with what did not run (`run.rs`).
    fn stdout_failed(&mut self, e: io::Error) {
        self.summary.stdout_closed = true;
        self.closed.store(true, Ordering::Relaxed);
        let reason = if e.kind() == io::ErrorKind::BrokenPipe {
            "broken pipe (its reader closed it)".to_string()
        } else {
            e.to_string()
        };
        self.summary.stdout_error = Some(reason);
    }
}
