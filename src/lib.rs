//! s5rs: a fast, s5cmd-compatible S3 batch command executor.
//!
//! # Layout
//!
//! ```text
//! argv / batch file / stdin
//!    │  run.rs: numbered lines (from 1), streamed — never read whole
//!    ▼
//! parse/ (nom, pure, no I/O) ──► command.rs: Command (the user's words)
//!    │                           bad line → a failed record with line and column
//!    ▼
//! commands/<verb>.rs: one driver per verb; validates, lists, expands wildcards,
//!    │  resolves destinations, compares — using the blocks in plan/
//!    │                           → op.rs: Op (upload / download / copy / delete one object)
//!    ▼  exec/: submit runs ops on N worker slots (backpressure on planning);
//!    │  one file per kind of transfer (upload, download, copy, relay, delete, select)
//! output/ (the only writer of stdout) ──► text line | JSON line | --stat summary
//!    ▼
//! exit.rs: exit code from the summary
//! ```
//!
//! Where things go: a verb is one file `commands/<verb>.rs` (its driver); `plan/`
//! holds only building blocks that know no verb (expansion, destinations, the
//! comparison rules in `plan/compare.rs`, archived objects, transfer settings); the
//! run-wide services every task shares (configuration, output, S3 clients, worker
//! slots, interrupt flag) are `ctx/`. `checksum.rs` holds the digests and encodings
//! of end-to-end integrity checks. `storage/` holds the backends: `s3/` (the only
//! code that speaks HTTP/XML/SigV4) and `local.rs`; `location.rs` and `wildcard.rs`
//! the URL and pattern models; `record.rs` the public JSON schema; `limit.rs` the
//! rate limits (`governor`).
//!
//! # Layers
//!
//! A module imports only from its own layer or a lower one, and no two files import
//! each other, directly or through a cycle (a child file may use its ancestors'
//! items). `tests/structure.rs` reads this list and checks both.
//!
//! 1. error, exit, wildcard, limit, checksum, md5_digest, shard — foundations
//! 2. location — URLs and paths, wildcards split off
//! 3. storage — the backends (S3 over HTTP, local files)
//! 4. command, op, record — the user's words, the machine's words, the results
//! 5. parse — batch lines to commands
//! 6. output, config, journal — the writer of stdout and stderr; the run's settings;
//!    the log of finished operations (`--journal`)
//! 7. ctx — run-wide services shared by every task
//! 8. plan — planning blocks that know no verb
//! 9. exec — running ops
//! 10. commands — one driver per verb
//! 11. run, lifecycle — the batch reader; the run's lifetime (journal, signals)
//! 12. cli, completion, help_topics — the command line (clap), shell completions,
//!     the help topics and man pages
//!
//! # Other sections
//!
//! The binary (`main.rs`) sits above all of them.

pub mod checksum;
pub mod cli;
pub mod command;
pub mod commands;
pub mod completion;
pub mod config;
pub mod ctx;
pub mod error;
pub mod exec;
pub mod exit;
pub mod help_topics;
pub mod journal;
pub mod lifecycle;
pub mod limit;
pub mod location;
pub mod md5_digest;
pub mod op;
pub mod output;
pub mod parse;
pub mod plan;
pub mod record;
pub mod run;
pub mod shard;
pub mod storage;
pub mod wildcard;
