//! The one table of per-command flags: every flag is defined once per distinct
//! placement, with its long name, short alias, value kind, default shown in help, the
//! commands that accept it, its help text and the typed field it writes (its
//! `Apply`, written with `into!`).
//!
//! [`FLAGS`] drives flag validation (`parse/scan.rs`), the values of the built
//! [`Command`] (`parse/build.rs` runs each row's `apply`; nothing reads a flag by
//! name), the `--help` text (`parse/help.rs`), the shell completions and the order of
//! flags in command display strings (§0.8 of the reference: flags are rendered in the
//! command's *definition order*).
//!
//! Why a flag name can appear in more than one row: s5cmd defines the flags of each
//! command in its own order (`rm` lists `--raw` before `--exclude`, `cp` after it;
//! `pipe` lists `--no-clobber` last, `cp` second), and `ls -s` is a bool where `cp
//! --storage-class` takes a value. One ordered list with a row per distinct placement
//! reproduces every command's order; a test checks each command's order against
//! s5cmd's help and that no command sees a name twice.

use crate::command::Command;

use super::bind::{self, Apply, into};
use super::value::ValueKind;
use super::verbs::Cmd::{self, *};

/// One row of the flag table.
#[derive(Debug, Clone, Copy)]
pub struct FlagSpec {
    /// Long name without dashes, e.g. `no-clobber`.
    pub name: &'static str,
    /// Short alias without dashes, e.g. `n` (or `sp` for `--show-progress`).
    pub alias: Option<&'static str>,
    /// The value the flag takes (or [`ValueKind::Bool`]).
    pub kind: ValueKind,
    /// Default shown in help (`None`: nothing shown).
    pub default: Option<&'static str>,
    /// May be given several times, every value kept (`--exclude`, `--metadata`).
    pub repeatable: bool,
    /// The commands that accept this row.
    pub commands: &'static [Cmd],
    /// One-line help text.
    pub help: &'static str,
    /// Stores the flag's value in the command's typed field.
    pub apply: Apply,
}

impl FlagSpec {
    /// True if `name` (without dashes) is this flag's long name or alias.
    pub fn matches(&self, name: &str) -> bool {
        self.name == name || self.alias == Some(name)
    }

    /// True if `cmd` accepts this row.
    pub fn applies_to(&self, cmd: Cmd) -> bool {
        self.commands.contains(&cmd)
    }
}

const CP_MV: &[Cmd] = &[Cp, Mv];
const CP_MV_SYNC: &[Cmd] = &[Cp, Mv, Sync];
const PROGRESS: &[Cmd] = &[Cp, Mv, Sync, Rm];
const WRITERS: &[Cmd] = &[Cp, Mv, Sync, Pipe];
const PARTS: &[Cmd] = &[Cp, Mv, Sync, Pipe, Cat];
/// The commands that read or write object data with an SSE-C key.
const SSE_C: &[Cmd] = &[Cp, Mv, Sync, Pipe, Cat, Head];
const SELECTS: &[Cmd] = &[Select, SelectJson, SelectCsv, SelectParquet];
/// The commands that take the size, age and regex filters.
const FILTERED: &[Cmd] = &[Ls, Du, Rm, Cp, Mv, Sync];

/// The allowed values of `--metadata-directive`.
pub const METADATA_DIRECTIVES: &[&str] = &["COPY", "REPLACE"];
/// The allowed values of `bucket-version --set` (s5cmd's order).
pub const VERSIONING_STATES: &[&str] = &["Suspended", "Enabled"];
/// The allowed values of `ls --format`.
pub const LS_FORMATS: &[&str] = &["batchops-csv"];
/// The allowed values of `--checksum-algorithm`.
pub const CHECKSUM_ALGORITHMS: &[&str] = &["CRC64NVME", "CRC32C", "CRC32", "SHA256", "SHA1"];

const fn flag(
    name: &'static str,
    alias: Option<&'static str>,
    kind: ValueKind,
    default: Option<&'static str>,
    commands: &'static [Cmd],
    help: &'static str,
    apply: Apply,
) -> FlagSpec {
    FlagSpec {
        name,
        alias,
        kind,
        default,
        repeatable: false,
        commands,
        help,
        apply,
    }
}

const fn bool_flag(
    name: &'static str,
    alias: Option<&'static str>,
    commands: &'static [Cmd],
    help: &'static str,
    apply: Apply,
) -> FlagSpec {
    flag(
        name,
        alias,
        ValueKind::Bool,
        Some("false"),
        commands,
        help,
        apply,
    )
}

const fn text_flag(
    name: &'static str,
    commands: &'static [Cmd],
    help: &'static str,
    apply: Apply,
) -> FlagSpec {
    flag(name, None, ValueKind::Text, None, commands, help, apply)
}

const fn repeated(mut spec: FlagSpec) -> FlagSpec {
    spec.repeatable = true;
    spec
}

const RAW_HELP: &str =
    "disable the wildcard operations, useful with filenames that contains glob characters";
const EXCLUDE_HELP: &str = "exclude objects with given pattern (accepts multiple inputs)";
const INCLUDE_HELP: &str = "include objects with given pattern (accepts multiple inputs)";
const ALL_VERSIONS_HELP: &str = "list all versions of object(s)";
const VERSION_ID_HELP: &str = "use the specified version of an object";

/// Every command flag, in definition order (see the module doc for why some names
/// appear twice).
#[rustfmt::skip]
pub const FLAGS: &[FlagSpec] = &[
    // ls / du / rm / cat / head / presign / bucket-version / rb
    bool_flag("etag", Some("e"), &[Ls], "show entity tag (ETag) in the output", into!(Command::Ls(c) => c.etag)),
    bool_flag("group", Some("g"), &[Du], "group sizes by storage class", into!(Command::Du(c) => c.group)),
    bool_flag("humanize", Some("H"), &[Ls, Du], "human-readable output for object sizes", into!(Command::Ls(c) => c.humanize, Command::Du(c) => c.humanize)),
    bool_flag("storage-class", Some("s"), &[Ls], "display full name of the object class", into!(Command::Ls(c) => c.storage_class)),
    bool_flag("raw", None, &[Rm, Cat], RAW_HELP, into!(Command::Rm(c) => c.raw, Command::Cat(c) => c.raw)),
    repeated(text_flag("exclude", &[Ls, Du, Rm], EXCLUDE_HELP, into!(Command::Ls(c) => c.exclude, Command::Du(c) => c.exclude, Command::Rm(c) => c.exclude))),
    repeated(text_flag("include", &[Rm], INCLUDE_HELP, into!(Command::Rm(c) => c.include))),
    bool_flag("all-versions", None, &[Ls, Du, Rm], ALL_VERSIONS_HELP, into!(Command::Ls(c) => c.all_versions, Command::Du(c) => c.all_versions, Command::Rm(c) => c.all_versions)),
    bool_flag("show-fullpath", None, &[Ls], "shows only the fullpath names of the object(s)", into!(Command::Ls(c) => c.show_fullpath)),
    flag("format", None, ValueKind::Choice(LS_FORMATS), None, &[Ls], "(s5rs) batchops-csv: print an S3 Batch Operations CSV manifest (bucket,key[,version id])", into!(Command::Ls(c) => c.format)),
    flag("expire", None, ValueKind::Duration, Some("3h0m0s"), &[Presign], "url valid duration, a Go duration such as 90s, 1h30m or 24h", into!(Command::Presign(c) => c.expire)),
    text_flag("version-id", &[Du, Rm, Cat, Head, Presign], VERSION_ID_HELP, into!(Command::Du(c) => c.version_id, Command::Rm(c) => c.version_id, Command::Cat(c) => c.version_id, Command::Head(c) => c.version_id, Command::Presign(c) => c.version_id)),
    flag("set", None, ValueKind::Choice(VERSIONING_STATES), None, &[BucketVersion], "set versioning status of bucket: (Suspended, Enabled), case-insensitive", into!(Command::BucketVersion(c) => c.set)),
    bool_flag("force", None, &[Rb], "(s5rs) delete every object and version in the bucket first, then the bucket", into!(Command::RemoveBucket { force, .. } => *force)),
    // select
    flag("structure", None, ValueKind::Choice(&["lines", "document"]), Some("lines"), &[SelectJson], "how objects are aligned in the json file, options:(lines, document)", into!(Command::Select(c) => c.structure)),
    flag("delimiter", None, ValueKind::Escaped, Some("\",\""), &[SelectCsv], "delimiter of the csv file; escapes such as \\t are interpreted", into!(Command::Select(c) => c.delimiter)),
    flag("use-header", None, ValueKind::Choice(&["USE", "IGNORE", "NONE"]), Some("\"NONE\""), &[SelectCsv], "use header of the csv file. (options: IGNORE, NONE, USE)", into!(Command::Select(c) => c.use_header)),
    flag("compression", None, ValueKind::Choice(&["GZIP", "BZIP2", "NONE"]), None, &[Select, SelectJson, SelectCsv], "input compression format (GZIP or BZIP2)", into!(Command::Select(c) => c.compression)),
    flag("query", Some("e"), ValueKind::Text, None, SELECTS, "SQL expression to use to select from the objects (required)", into!(Command::Select(c) => c.query)),
    flag("output-format", None, ValueKind::Choice(&["json", "csv"]), None, SELECTS, "output format of the result (options: json, csv); default: the input format", into!(Command::Select(c) => c.output_format)),
    repeated(text_flag("exclude", SELECTS, EXCLUDE_HELP, into!(Command::Select(c) => c.exclude))),
    bool_flag("force-glacier-transfer", None, SELECTS, "force transfer of glacier objects whether they are restored or not", into!(Command::Select(c) => c.glacier.force_transfer)),
    bool_flag("ignore-glacier-warnings", None, SELECTS, "turns off glacier warnings: ignore errors encountered during selecting objects", into!(Command::Select(c) => c.glacier.ignore_warnings)),
    bool_flag("raw", None, SELECTS, RAW_HELP, into!(Command::Select(c) => c.raw)),
    bool_flag("all-versions", None, SELECTS, ALL_VERSIONS_HELP, into!(Command::Select(c) => c.all_versions)),
    text_flag("version-id", SELECTS, "use the specified version of the object", into!(Command::Select(c) => c.version_id)),
    // sync
    bool_flag("delete", None, &[Sync], "delete objects in destination but not in source", into!(Command::Sync(c) => c.delete)),
    bool_flag("size-only", None, &[Sync], "make size of object only criteria to decide whether an object should be synced", into!(Command::Sync(c) => c.size_only)),
    bool_flag("exit-on-error", None, &[Sync], "stops the sync process if an error is received", into!(Command::Sync(c) => c.exit_on_error)),
    bool_flag("checksum", None, &[Sync], "(s5rs) compare content checksums instead of size and modification time", into!(Command::Sync(c) => c.checksum)),
    flag("max-delete", None, ValueKind::Count, None, &[Sync], "(s5rs) refuse to delete more than N objects with --delete", into!(Command::Sync(c) => c.max_delete)),
    // cp / mv / sync / pipe (and cat's part flags)
    bool_flag("flatten", Some("f"), CP_MV, "flatten directory structure of source, starting from the first wildcard", into!(Command::Copy(c) => c.flatten)),
    bool_flag("no-clobber", Some("n"), CP_MV, "do not overwrite destination if already exists", into!(Command::Copy(c) => c.no_clobber)),
    bool_flag("if-size-differ", Some("s"), CP_MV, "only overwrite destination if size differs", into!(Command::Copy(c) => c.if_size_differ)),
    bool_flag("if-source-newer", Some("u"), CP_MV, "only overwrite destination if source modtime is newer", into!(Command::Copy(c) => c.if_source_newer)),
    text_flag("version-id", CP_MV, VERSION_ID_HELP, into!(Command::Copy(c) => c.version_id)),
    bool_flag("show-progress", Some("sp"), PROGRESS, "show a progress bar (objects and bytes done of total, rate, ETA, failures)", into!(Command::Copy(c) => c.show_progress, Command::Sync(c) => c.show_progress, Command::Rm(c) => c.show_progress)),
    bool_flag("no-follow-symlinks", None, CP_MV_SYNC, "do not follow symbolic links", into!(transfer.no_follow_symlinks)),
    text_flag("storage-class", WRITERS, "set storage class for target ('STANDARD','REDUCED_REDUNDANCY','GLACIER','STANDARD_IA','ONEZONE_IA','INTELLIGENT_TIERING','DEEP_ARCHIVE')", into!(transfer.headers.storage_class)),
    flag("concurrency", Some("c"), ValueKind::Count, Some("5"), PARTS, "number of concurrent parts transferred between host and remote server", into!(with bind::concurrency; transfer.parts.concurrency, Command::Cat(c) => c.parts.concurrency)),
    flag("part-size", Some("p"), ValueKind::Count, Some("50"), PARTS, "size of each part transferred between host and remote server, in MiB (0: 5 MiB)", into!(with bind::part_size; transfer.parts.part_size, Command::Cat(c) => c.parts.part_size)),
    repeated(flag("metadata", None, ValueKind::KeyValue, None, WRITERS, "set arbitrary metadata for the object, e.g. --metadata 'foo=bar' --metadata 'fizz=buzz'", into!(transfer.headers.metadata))),
    flag("metadata-directive", None, ValueKind::Choice(METADATA_DIRECTIVES), None, CP_MV_SYNC, "set metadata directive for the object: COPY or REPLACE", into!(transfer.metadata_directive)),
    text_flag("sse", WRITERS, "perform server side encryption of the data at its destination, e.g. aws:kms", into!(transfer.headers.sse)),
    text_flag("sse-kms-key-id", WRITERS, "customer master key (CMK) id for SSE-KMS encryption; leave it out if server-side generated key is desired", into!(transfer.headers.sse_kms_key_id)),
    text_flag("acl", WRITERS, "set acl for target, e.g. --acl 'public-read'", into!(transfer.headers.acl)),
    text_flag("cache-control", WRITERS, "set cache control for target, e.g. --cache-control 'public, max-age=345600'", into!(transfer.headers.content.cache_control)),
    flag("expires", None, ValueKind::Rfc3339, None, WRITERS, "set expires for target (RFC 3339), e.g. --expires '2024-10-01T20:30:00Z'", into!(with bind::http_date; transfer.headers.content.expires)),
    bool_flag("force-glacier-transfer", None, CP_MV_SYNC, "force transfer of glacier objects whether they are restored or not", into!(transfer.glacier.force_transfer)),
    bool_flag("ignore-glacier-warnings", None, CP_MV_SYNC, "turns off glacier warnings: ignore errors encountered during copying, downloading and moving glacier objects", into!(transfer.glacier.ignore_warnings)),
    text_flag("source-region", CP_MV_SYNC, "set the region of source bucket; discovered automatically if not given", into!(transfer.source_region)),
    text_flag("destination-region", CP_MV_SYNC, "set the region of destination bucket; discovered automatically if not given", into!(transfer.destination_region)),
    repeated(text_flag("exclude", CP_MV_SYNC, EXCLUDE_HELP, into!(transfer.exclude))),
    repeated(text_flag("include", CP_MV_SYNC, INCLUDE_HELP, into!(transfer.include))),
    bool_flag("raw", None, &[Cp, Mv, Sync, Pipe, Head], RAW_HELP, into!(transfer.raw, Command::Head(c) => c.raw)),
    text_flag("content-type", WRITERS, "set content type for target, e.g. --content-type text/plain", into!(transfer.headers.content.content_type)),
    text_flag("content-encoding", WRITERS, "set content encoding for target, e.g. --content-encoding gzip", into!(transfer.headers.content.content_encoding)),
    text_flag("content-disposition", WRITERS, "set content disposition for target, e.g. --content-disposition 'attachment; filename=\"f.jpg\"'", into!(transfer.headers.content.content_disposition)),
    bool_flag("no-clobber", Some("n"), &[Pipe], "do not overwrite destination if already exists", into!(Command::Pipe(c) => c.no_clobber)),
    flag("tagging", None, ValueKind::Tagging, None, WRITERS, "(s5rs) set object tags, URL-query encoded, e.g. --tagging 'project=x&env=dev'", into!(transfer.headers.tagging)),
    flag("checksum-algorithm", None, ValueKind::Choice(CHECKSUM_ALGORITHMS), None, WRITERS, "(s5rs) store an additional checksum: CRC64NVME, CRC32C, CRC32, SHA256 or SHA1", into!(transfer.headers.checksum_algorithm)),
    text_flag("source-profile", CP_MV_SYNC, "(s5rs) credentials profile for the source bucket", into!(transfer.source.profile)),
    flag("source-endpoint-url", None, ValueKind::Url, None, CP_MV_SYNC, "(s5rs) S3 endpoint for the source bucket; must be of the form http(s)://<hostname>/", into!(transfer.source.endpoint_url)),
    text_flag("destination-profile", CP_MV_SYNC, "(s5rs) credentials profile for the destination bucket", into!(transfer.destination.profile)),
    flag("destination-endpoint-url", None, ValueKind::Url, None, CP_MV_SYNC, "(s5rs) S3 endpoint for the destination bucket; must be of the form http(s)://<hostname>/", into!(transfer.destination.endpoint_url)),
    bool_flag("create-bucket", None, CP_MV_SYNC, "create the destination bucket if it does not exist (s5rs)", into!(transfer.create_bucket)),
    // The size, age and regex filters (s5rs) of ls / du / rm / cp / mv / sync.
    flag("min-size", None, ValueKind::Size, None, FILTERED, "(s5rs) only objects of at least this size, e.g. 512, 10K, 5MiB, 1G (K, M, G: powers of 1024; KB, MB, GB: of 1000)", into!(filter.min_size)),
    flag("max-size", None, ValueKind::Size, None, FILTERED, "(s5rs) only objects of at most this size, e.g. 512, 10K, 5MiB, 1G", into!(filter.max_size)),
    flag("min-age", None, ValueKind::Age, None, FILTERED, "(s5rs) only objects at least this old (modified before), e.g. 90s, 15m, 36h, 7d or an RFC 3339 time", into!(filter.min_age)),
    flag("max-age", None, ValueKind::Age, None, FILTERED, "(s5rs) only objects at most this old (modified since), e.g. 90s, 15m, 36h, 7d or an RFC 3339 time", into!(filter.max_age)),
    repeated(flag("include-regex", None, ValueKind::Regex, None, FILTERED, "(s5rs) include objects whose relative path matches this regular expression", into!(filter.include_regex))),
    repeated(flag("exclude-regex", None, ValueKind::Regex, None, FILTERED, "(s5rs) exclude objects whose relative path matches this regular expression", into!(filter.exclude_regex))),
    text_flag("source-inventory", &[Cp, Mv, Sync, Rm], "(s5rs) list a wildcard source from this S3 Inventory report (s3://…/manifest.json, CSV or Parquet) instead of the bucket", into!(transfer.source_inventory, Command::Rm(c) => c.source_inventory)),
    // Every version (s5rs) of cp / sync, and SSE-C (s5rs).
    bool_flag("all-versions", None, &[Cp, Sync], "(s5rs) copy every version (and delete marker) of every matching key, oldest first, between versioned buckets", into!(Command::Copy(c) => c.all_versions, Command::Sync(c) => c.all_versions)),
    bool_flag("sse-c", None, SSE_C, "(s5rs) server side encryption with a customer-provided key (SSE-C, AES256), given by --sse-c-key", into!(transfer.customer_key.sse_c, Command::Cat(c) => c.customer_key.sse_c, Command::Head(c) => c.customer_key.sse_c)),
    flag("sse-c-key", None, ValueKind::Secret, None, SSE_C, "(s5rs) the SSE-C key: 32 bytes as base64, file:PATH or env:VAR; shown as *** in output", into!(transfer.customer_key.key, Command::Cat(c) => c.customer_key.key, Command::Head(c) => c.customer_key.key)),
    flag("sse-c-copy-source-key", None, ValueKind::Secret, None, CP_MV_SYNC, "(s5rs) the SSE-C key of an encrypted S3 source of a copy (base64, file:PATH or env:VAR)", into!(transfer.sse_c_copy_source_key)),
];

/// The table row for `name` (long or alias) accepted by `cmd`.
pub fn lookup(cmd: Cmd, name: &str) -> Option<(usize, &'static FlagSpec)> {
    FLAGS
        .iter()
        .enumerate()
        .find(|(_, f)| f.applies_to(cmd) && f.matches(name))
}

/// The rows `cmd` accepts, in definition order.
pub fn flags_of(cmd: Cmd) -> impl Iterator<Item = &'static FlagSpec> {
    FLAGS.iter().filter(move |f| f.applies_to(cmd))
}
