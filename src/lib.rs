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
//! commands/, plan/ (lists, expands wildcards, resolves destinations, filters)
//!    │                           → op.rs: Op (upload / download / copy / delete one object)
//!    ▼  exec/: N worker slots (backpressure on planning); transfers, multipart
//! output/ (the only writer of stdout) ──► text line | JSON line | --stat summary
//!    ▼
//! exit.rs: exit code from the summary
//! ```
//!
//! `checksum.rs` holds the digests and encodings of end-to-end integrity checks.
//! `storage/` holds the backends: `s3/` (the only code that speaks HTTP/XML/SigV4) and
//! `local.rs`; `location.rs` and `wildcard.rs` the URL and pattern models; `record.rs`
//! the public JSON schema; `limit.rs` the rate limits (`governor`).

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
pub mod limit;
pub mod location;
pub mod op;
pub mod output;
pub mod parse;
pub mod plan;
pub mod record;
pub mod run;
pub mod storage;
pub mod wildcard;
