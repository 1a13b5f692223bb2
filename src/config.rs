//! Run-wide settings, built from the global flags by `cli.rs`. clap types stop there;
//! everything else reads this plain struct.

use std::path::PathBuf;
use std::time::Duration;

use crate::command::SideClient;
use crate::journal::JournalLocation;
use crate::output::LogLevel;
use crate::shard::Shard;

/// What the process was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// `run [FILE]`: a batch from a file, or stdin when `None`.
    Run(Option<PathBuf>),
    /// One command given on the command line (its words after the global flags).
    Command(Vec<String>),
}

/// Global settings (reference §1 plus s5rs's additions).
#[derive(Debug, Clone)]
pub struct Config {
    /// `--json`.
    pub json: bool,
    /// `--numworkers`, after s5cmd's rules (negative = × CPUs, at least 2).
    pub numworkers: usize,
    /// `-r/--retry-count`.
    pub retry_count: u32,
    /// `--endpoint-url` (or `S3_ENDPOINT_URL`).
    pub endpoint_url: Option<String>,
    /// `--no-verify-ssl`.
    pub no_verify_ssl: bool,
    /// `--log`.
    pub log: LogLevel,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--stat`.
    pub stat: bool,
    /// `--no-sign-request`.
    pub no_sign_request: bool,
    /// `--use-list-objects-v1`.
    pub use_list_objects_v1: bool,
    /// `--list-concurrency`: prefixes a recursive listing lists at once.
    pub list_concurrency: Option<usize>,
    /// `--request-payer`.
    pub request_payer: Option<String>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--credentials-file`.
    pub credentials_file: Option<PathBuf>,
    /// `--no-verify`: skip download integrity checks (s5rs).
    pub no_verify: bool,
    /// `--rate-limit-objects N` (s5rs): object operations per second, all workers.
    pub rate_limit_objects: Option<u32>,
    /// `--rate-limit-bandwidth SIZE` (s5rs): bytes per second of object data.
    pub rate_limit_bandwidth: Option<u64>,
    /// `--source-endpoint-url`, `--source-profile` (s5rs): the source side's client
    /// for copies, unless a line gives its own.
    pub source: SideClient,
    /// `--destination-endpoint-url`, `--destination-profile` (s5rs): the same for the
    /// destination side.
    pub destination: SideClient,
    /// `--shard K/N` (or `auto`, resolved): this process's share.
    pub shard: Option<Shard>,
    /// `--journal`: where finished operations are logged.
    pub journal: Option<JournalLocation>,
    /// `--grace-period`: how long running operations may go on after SIGTERM.
    pub grace_period: Duration,
    /// `--show-progress` given before the command (s5rs): progress for the whole run.
    pub show_progress: bool,
    /// `--yes` (s5rs): never ask before mass deletes.
    pub yes: bool,
    /// `--confirm-above N` (s5rs): ask before one command deletes more than N objects.
    pub confirm_above: u64,
    /// The command or batch to run.
    pub invocation: Invocation,
}

impl Config {
    /// A configuration with s5cmd's defaults, for tests and embedding.
    pub fn new(invocation: Invocation) -> Config {
        Config {
            json: false,
            numworkers: 256,
            retry_count: 10,
            endpoint_url: None,
            no_verify_ssl: false,
            log: LogLevel::Info,
            dry_run: false,
            stat: false,
            no_sign_request: false,
            use_list_objects_v1: false,
            list_concurrency: None,
            request_payer: None,
            profile: None,
            credentials_file: None,
            no_verify: false,
            rate_limit_objects: None,
            rate_limit_bandwidth: None,
            source: SideClient::default(),
            destination: SideClient::default(),
            shard: None,
            journal: None,
            grace_period: Duration::from_secs(20),
            show_progress: false,
            yes: false,
            confirm_above: 1000,
            invocation,
        }
    }
}
