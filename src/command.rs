//! The Command AST: what a user asked for, in the user's words.
//!
//! Produced by `parse/` from a batch line or from the command line after the global
//! flags; consumed by `plan/`. Locations stay strings here: they are interpreted
//! (URL model, wildcards) by `location.rs` during planning, so that invalid URLs are
//! reported the way s5cmd reports them (as command errors, not usage errors).

use std::time::Duration;

/// Default `-c/--concurrency` (parts in flight per file), as s5cmd.
pub const DEFAULT_CONCURRENCY: usize = 5;
/// Default `-p/--part-size` in bytes (50 MiB), as s5cmd.
pub const DEFAULT_PART_SIZE: u64 = 50 * 1024 * 1024;
/// Part size used for `-p 0` (5 MiB, the S3 minimum; s5cmd's "SDK default").
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Default `presign --expire` (3 hours).
pub const DEFAULT_PRESIGN_EXPIRE: Duration = Duration::from_secs(3 * 3600);

pub use crate::checksum::ChecksumAlgorithm;
use crate::storage::s3::SseCKey;
use crate::storage::{MetadataDirective, ObjectHeaders};

/// A bound of `--min-age`/`--max-age` (s5rs): an age relative to when the line starts,
/// or a fixed instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeLimit {
    /// A duration (`90s`, `15m`, `36h`, `7d`): that long before the line starts.
    Ago(Duration),
    /// An RFC 3339 instant.
    At(chrono::DateTime<chrono::Utc>),
}

/// The size, age and regular-expression filters (s5rs) of `cp`, `mv`, `rm`, `sync`,
/// `ls` and `du`; they combine with `--include`/`--exclude` (every filter must pass).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FilterFlags {
    /// `--min-size`: only objects of at least this many bytes.
    pub min_size: Option<u64>,
    /// `--max-size`: only objects of at most this many bytes.
    pub max_size: Option<u64>,
    /// `--min-age`: only objects modified at or before this bound (at least this old).
    pub min_age: Option<AgeLimit>,
    /// `--max-age`: only objects modified at or after this bound (at most this old).
    pub max_age: Option<AgeLimit>,
    /// `--include-regex` patterns (checked by the parser; empty ones dropped).
    pub include_regex: Vec<String>,
    /// `--exclude-regex` patterns (checked by the parser; empty ones dropped).
    pub exclude_regex: Vec<String>,
}

/// One parsed command with what is needed to report on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedCommand {
    /// The command, e.g. `Command::Copy`.
    pub command: Command,
    /// The command string used in error messages, built as s5cmd does (§0.8 of the
    /// reference): name, explicitly set flags in definition order as `--flag=value`
    /// (bools as `=true`), then the arguments, joined by single spaces.
    pub display: String,
}

/// The client of one side (source or destination) of a copy: its endpoint and
/// credentials profile. Per line in [`TransferFlags`] (`--source-endpoint-url` …),
/// run-wide defaults in `Config` (the same flags before the command).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SideClient {
    /// `--source-endpoint-url` / `--destination-endpoint-url` (s5rs).
    pub endpoint_url: Option<String>,
    /// `--source-profile` / `--destination-profile` (s5rs).
    pub profile: Option<String>,
}

/// `--sse-c` and `--sse-c-key` (s5rs): the customer-provided key of the objects a
/// command reads or writes (cp, mv, sync, pipe, cat, head).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerKeyFlags {
    /// `--sse-c`: server-side encryption with the key of `--sse-c-key`.
    pub sse_c: bool,
    /// `--sse-c-key`: base64, `file:PATH` or `env:VAR`; read when the line runs.
    pub key: Option<String>,
}

impl CustomerKeyFlags {
    /// The key, read (`file:`/`env:`) and checked; `--sse-c` without `--sse-c-key`
    /// is an error that names the missing flag.
    pub fn object_key(&self) -> Result<Option<SseCKey>, String> {
        if self.sse_c && self.key.is_none() {
            return Err(
                "--sse-c needs the key: --sse-c-key KEY (base64, file:PATH or env:VAR)".into(),
            );
        }
        self.key.as_deref().map(SseCKey::from_spec).transpose()
    }
}

/// `--force-glacier-transfer` and `--ignore-glacier-warnings` (cp, mv, sync, select).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GlacierFlags {
    /// `--force-glacier-transfer`: read archived objects without checking for a restore.
    pub force_transfer: bool,
    /// `--ignore-glacier-warnings`: skip unreadable archived objects without an error.
    pub ignore_warnings: bool,
}

/// How one object is split for a multipart transfer (cp, mv, sync, pipe, cat).
/// `Default` gives s5cmd's: 5 parts in flight, 50 MiB parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// `-c/--concurrency`: parts in flight per file.
    pub concurrency: usize,
    /// `-p/--part-size` in bytes (the flag's value is MiB).
    pub part_size: u64,
}

impl Default for Parts {
    fn default() -> Self {
        Parts {
            concurrency: DEFAULT_CONCURRENCY,
            part_size: DEFAULT_PART_SIZE,
        }
    }
}

/// Flags shared by every command that writes objects (cp, mv, sync, pipe).
/// `Default` gives s5cmd's defaults (5 parts in flight, 50 MiB parts).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TransferFlags {
    /// What is written with each object: `--content-type`, `--content-encoding`,
    /// `--content-disposition`, `--cache-control`, `--expires` (already an HTTP date),
    /// `--metadata` (in order given; keys unique), `--storage-class`, `--acl`, `--sse`,
    /// `--sse-kms-key-id` (planning drops it without `--sse`), `--tagging` and
    /// `--checksum-algorithm` (s5rs).
    pub headers: ObjectHeaders,
    /// `-c/--concurrency` and `-p/--part-size`.
    pub parts: Parts,
    /// `--metadata-directive COPY|REPLACE`.
    pub metadata_directive: Option<MetadataDirective>,
    /// `--sse-c` and `--sse-c-key` (s5rs): the object's customer-provided key.
    pub customer_key: CustomerKeyFlags,
    /// `--sse-c-copy-source-key` (s5rs): the SSE-C key of an S3 source.
    pub sse_c_copy_source_key: Option<String>,
    /// `--no-follow-symlinks`.
    pub no_follow_symlinks: bool,
    /// `--force-glacier-transfer`, `--ignore-glacier-warnings`.
    pub glacier: GlacierFlags,
    /// `--create-bucket` (s5rs, cp/mv/sync): create a missing destination bucket.
    pub create_bucket: bool,
    /// `--raw`: no wildcard expansion.
    pub raw: bool,
    /// `--exclude` patterns (empty strings dropped).
    pub exclude: Vec<String>,
    /// `--include` patterns (empty strings dropped).
    pub include: Vec<String>,
    /// `--source-region`.
    pub source_region: Option<String>,
    /// `--destination-region`.
    pub destination_region: Option<String>,
    /// The source side's client (s5rs, cp/mv/sync).
    pub source: SideClient,
    /// The destination side's client (s5rs, cp/mv/sync/pipe).
    pub destination: SideClient,
    /// `--source-inventory` (s5rs, cp/mv/sync): an S3 Inventory `manifest.json` URL
    /// read as the source listing.
    pub source_inventory: Option<String>,
}

/// `cp` and `mv`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CopyCmd {
    /// True for `mv`.
    pub is_move: bool,
    /// Source argument.
    pub src: String,
    /// Destination argument.
    pub dst: String,
    /// `-f/--flatten`.
    pub flatten: bool,
    /// `-n/--no-clobber`.
    pub no_clobber: bool,
    /// `-s/--if-size-differ`.
    pub if_size_differ: bool,
    /// `-u/--if-source-newer`.
    pub if_source_newer: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// `--all-versions` (s5rs): copy every version of every matching key, oldest first.
    pub all_versions: bool,
    /// `--sp/--show-progress`.
    pub show_progress: bool,
    /// Size, age and regex filters.
    pub filter: FilterFlags,
    /// Shared transfer flags.
    pub flags: TransferFlags,
}

/// `ls`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LsCmd {
    /// The URL or path; `None` lists buckets.
    pub target: Option<String>,
    /// `-e/--etag`.
    pub etag: bool,
    /// `-H/--humanize`.
    pub humanize: bool,
    /// `-s/--storage-class`.
    pub storage_class: bool,
    /// `--exclude` patterns.
    pub exclude: Vec<String>,
    /// `--all-versions`.
    pub all_versions: bool,
    /// `--show-fullpath`.
    pub show_fullpath: bool,
    /// `--format` (s5rs): `batchops-csv` writes an S3 Batch Operations manifest.
    pub format: Option<String>,
    /// Size, age and regex filters.
    pub filter: FilterFlags,
}

/// `rm`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RmCmd {
    /// One or more URLs or paths.
    pub targets: Vec<String>,
    /// `--raw`.
    pub raw: bool,
    /// `--exclude`.
    pub exclude: Vec<String>,
    /// `--include`.
    pub include: Vec<String>,
    /// `--all-versions`.
    pub all_versions: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// `--source-inventory` (s5rs): an S3 Inventory `manifest.json` URL read as the
    /// listing of a wildcard.
    pub source_inventory: Option<String>,
    /// Size, age and regex filters.
    pub filter: FilterFlags,
    /// `--show-progress` (s5rs for rm).
    pub show_progress: bool,
}

/// `sync`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncCmd {
    /// Source argument.
    pub src: String,
    /// Destination argument.
    pub dst: String,
    /// `--delete`.
    pub delete: bool,
    /// `--size-only`.
    pub size_only: bool,
    /// `--checksum` (s5rs): compare content.
    pub checksum: bool,
    /// `--exit-on-error`.
    pub exit_on_error: bool,
    /// `--max-delete N` (s5rs).
    pub max_delete: Option<u64>,
    /// `--show-progress` (s5rs for sync).
    pub show_progress: bool,
    /// `--all-versions` (s5rs): copy every version of every matching key, oldest first.
    pub all_versions: bool,
    /// Size, age and regex filters.
    pub filter: FilterFlags,
    /// Shared transfer flags.
    pub flags: TransferFlags,
}

/// `du`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DuCmd {
    /// URL or path.
    pub target: String,
    /// `-g/--group`.
    pub group: bool,
    /// `-H/--humanize`.
    pub humanize: bool,
    /// `--exclude`.
    pub exclude: Vec<String>,
    /// `--all-versions`.
    pub all_versions: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// Size, age and regex filters.
    pub filter: FilterFlags,
}

/// `cat`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CatCmd {
    /// URL.
    pub target: String,
    /// `--raw`.
    pub raw: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// `-c/--concurrency` and `-p/--part-size`.
    pub parts: Parts,
    /// `--sse-c` and `--sse-c-key` (s5rs): the object's SSE-C key.
    pub customer_key: CustomerKeyFlags,
}

/// `pipe`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PipeCmd {
    /// Destination URL.
    pub dst: String,
    /// `-n/--no-clobber`.
    pub no_clobber: bool,
    /// Shared transfer flags (raw, headers, metadata, concurrency, part size).
    pub flags: TransferFlags,
}

/// `head`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HeadCmd {
    /// URL of an object or bucket.
    pub target: String,
    /// `--raw`.
    pub raw: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// `--sse-c` and `--sse-c-key` (s5rs): the object's SSE-C key.
    pub customer_key: CustomerKeyFlags,
}

/// `presign`.
#[derive(Debug, Clone, PartialEq)]
pub struct PresignCmd {
    /// Object URL.
    pub target: String,
    /// `--expire` (default 3h).
    pub expire: Duration,
    /// `--version-id`.
    pub version_id: Option<String>,
}

impl Default for PresignCmd {
    fn default() -> Self {
        PresignCmd {
            target: String::new(),
            expire: DEFAULT_PRESIGN_EXPIRE,
            version_id: None,
        }
    }
}

/// Input format of `select`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectFormat {
    /// JSON (lines or document).
    Json,
    /// CSV.
    Csv,
    /// Parquet.
    Parquet,
}

/// `select json|csv|parquet`.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectCmd {
    /// Input format (bare `select` = json with structure lines).
    pub format: SelectFormat,
    /// URL.
    pub target: String,
    /// `-e/--query`.
    pub query: String,
    /// `--output-format` (json|csv, lower-cased); `None` = same as input.
    pub output_format: Option<String>,
    /// `--compression` (GZIP|BZIP2|NONE, upper-cased).
    pub compression: Option<String>,
    /// `--structure` lines|document (json; `Some("lines")` by default, `None` for
    /// csv/parquet).
    pub structure: Option<String>,
    /// `--delimiter` (csv; `Some(",")` by default, `None` otherwise), escapes unquoted.
    pub delimiter: Option<String>,
    /// `--use-header` (csv): USE|IGNORE|NONE (`Some("NONE")` by default, `None` otherwise).
    pub use_header: Option<String>,
    /// `--exclude`.
    pub exclude: Vec<String>,
    /// `--raw`.
    pub raw: bool,
    /// `--all-versions`.
    pub all_versions: bool,
    /// `--version-id`.
    pub version_id: Option<String>,
    /// `--force-glacier-transfer`, `--ignore-glacier-warnings`.
    pub glacier: GlacierFlags,
}

impl SelectCmd {
    /// A query of `target` in `format` with every flag at its default (an empty query,
    /// which the parser refuses).
    pub fn new(format: SelectFormat, target: String) -> SelectCmd {
        SelectCmd {
            format,
            target,
            query: String::new(),
            output_format: None,
            compression: None,
            structure: (format == SelectFormat::Json).then(|| "lines".into()),
            delimiter: (format == SelectFormat::Csv).then(|| ",".into()),
            use_header: (format == SelectFormat::Csv).then(|| "NONE".into()),
            exclude: Vec::new(),
            raw: false,
            all_versions: false,
            version_id: None,
            glacier: GlacierFlags::default(),
        }
    }
}

/// `bucket-version`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BucketVersionCmd {
    /// Bucket URL.
    pub target: String,
    /// `--set Enabled|Suspended`, normalised to that capitalisation.
    pub set: Option<String>,
}

/// A command of a batch line or of the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// `ls`.
    Ls(LsCmd),
    /// `cp` / `mv`.
    Copy(CopyCmd),
    /// `rm`.
    Rm(RmCmd),
    /// `sync`.
    Sync(SyncCmd),
    /// `du`.
    Du(DuCmd),
    /// `cat`.
    Cat(CatCmd),
    /// `pipe`.
    Pipe(PipeCmd),
    /// `head`.
    Head(HeadCmd),
    /// `mb s3://bucket`.
    MakeBucket {
        /// Bucket URL.
        target: String,
    },
    /// `rb [--force] s3://bucket`.
    RemoveBucket {
        /// Bucket URL.
        target: String,
        /// `--force` (s5rs): empty the bucket (all versions) first.
        force: bool,
    },
    /// `presign`.
    Presign(PresignCmd),
    /// `select`.
    Select(SelectCmd),
    /// `bucket-version`.
    BucketVersion(BucketVersionCmd),
    /// `version`.
    Version,
    /// `wait` (batch lines only, s5rs): barrier; earlier lines finish before later start.
    Wait,
}

impl Command {
    /// The operation name used in records and `--stat` (`cp`, `mv`, `select csv` …).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Ls(_) => "ls",
            Command::Copy(c) if c.is_move => "mv",
            Command::Copy(_) => "cp",
            Command::Rm(_) => "rm",
            Command::Sync(_) => "sync",
            Command::Du(_) => "du",
            Command::Cat(_) => "cat",
            Command::Pipe(_) => "pipe",
            Command::Head(_) => "head",
            Command::MakeBucket { .. } => "mb",
            Command::RemoveBucket { .. } => "rb",
            Command::Presign(_) => "presign",
            Command::Select(s) => match s.format {
                SelectFormat::Json => "select json",
                SelectFormat::Csv => "select csv",
                SelectFormat::Parquet => "select parquet",
            },
            Command::BucketVersion(_) => "bucket-version",
            Command::Version => "version",
            Command::Wait => "wait",
        }
    }
}
