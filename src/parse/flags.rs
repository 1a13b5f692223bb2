//! The one table of per-command flags, and the table of commands.
//!
//! [`FLAGS`] lists every command flag once per distinct definition: long name, short
//! alias, value kind, default shown in help, which commands accept it, help text. It
//! drives flag validation (`parse/mod.rs`), the `--help` text ([`command_help`]) and
//! the order of flags in command display strings (§0.8 of the reference: flags are
//! rendered in the command's *definition order*).
//!
//! Why a flag name can appear in more than one row: s5cmd defines the flags of each
//! command in its own order (`rm` lists `--raw` before `--exclude`, `cp` after it;
//! `pipe` lists `--no-clobber` last, `cp` second), and `ls -s` is a bool where `cp
//! --storage-class` takes a value. One ordered list with a row per distinct placement
//! reproduces every command's order; a test checks each command's order against
//! s5cmd's help and that no command sees a name twice.

use crate::command::ChecksumAlgorithm;

/// A command (or `select` sub-command) as far as flags are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cmd {
    /// `ls`.
    Ls,
    /// `cp`.
    Cp,
    /// `mv`.
    Mv,
    /// `rm`.
    Rm,
    /// `sync`.
    Sync,
    /// `du`.
    Du,
    /// `cat`.
    Cat,
    /// `pipe`.
    Pipe,
    /// `head`.
    Head,
    /// `mb`.
    Mb,
    /// `rb`.
    Rb,
    /// `presign`.
    Presign,
    /// bare `select` (json, structure lines).
    Select,
    /// `select json`.
    SelectJson,
    /// `select csv`.
    SelectCsv,
    /// `select parquet`.
    SelectParquet,
    /// `bucket-version`.
    BucketVersion,
    /// `version`.
    Version,
    /// `wait` (s5rs batch barrier).
    Wait,
}

/// What a flag's value must look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// No value; `--flag` or `--flag=true|false`.
    Bool,
    /// Any string.
    Text,
    /// A non-negative integer (Go `strconv.ParseInt` base 0 syntax: `12`, `+12`, `0x1f`).
    Count,
    /// A Go duration (`90s`, `1h30m`, `3h0m0s`).
    Duration,
    /// One of the given values, matched case-insensitively, stored in the spelling given
    /// here. The list is printed in error messages.
    Choice(&'static [&'static str]),
    /// `key=value` (`--metadata`); keys must be unique across repetitions.
    KeyValue,
    /// An `http://` or `https://` URL.
    Url,
    /// An RFC 3339 timestamp (`--expires`).
    Rfc3339,
    /// `k=v&k2=v2` (`--tagging`).
    Tagging,
    /// A string in which backslash escapes (`\t`, `\n` …) are interpreted (`--delimiter`).
    Escaped,
}

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

use Cmd::*;

const CP_MV: &[Cmd] = &[Cp, Mv];
const CP_MV_SYNC: &[Cmd] = &[Cp, Mv, Sync];
const WRITERS: &[Cmd] = &[Cp, Mv, Sync, Pipe];
const PARTS: &[Cmd] = &[Cp, Mv, Sync, Pipe, Cat];
const SELECTS: &[Cmd] = &[Select, SelectJson, SelectCsv, SelectParquet];

/// The allowed values of `--metadata-directive`.
pub const METADATA_DIRECTIVES: &[&str] = &["COPY", "REPLACE"];
/// The allowed values of `bucket-version --set` (s5cmd's order).
pub const VERSIONING_STATES: &[&str] = &["Suspended", "Enabled"];
/// The allowed values of `--checksum-algorithm`.
pub const CHECKSUM_ALGORITHMS: &[&str] = &["CRC64NVME", "CRC32C", "CRC32", "SHA256", "SHA1"];

/// Maps a validated `--checksum-algorithm` value to its enum.
pub fn checksum_algorithm(value: &str) -> Option<ChecksumAlgorithm> {
    Some(match value {
        "CRC64NVME" => ChecksumAlgorithm::Crc64Nvme,
        "CRC32C" => ChecksumAlgorithm::Crc32c,
        "CRC32" => ChecksumAlgorithm::Crc32,
        "SHA256" => ChecksumAlgorithm::Sha256,
        "SHA1" => ChecksumAlgorithm::Sha1,
        _ => return None,
    })
}

const fn flag(
    name: &'static str,
    alias: Option<&'static str>,
    kind: ValueKind,
    default: Option<&'static str>,
    commands: &'static [Cmd],
    help: &'static str,
) -> FlagSpec {
    FlagSpec {
        name,
        alias,
        kind,
        default,
        repeatable: false,
        commands,
        help,
    }
}

const fn bool_flag(
    name: &'static str,
    alias: Option<&'static str>,
    commands: &'static [Cmd],
    help: &'static str,
) -> FlagSpec {
    flag(name, alias, ValueKind::Bool, Some("false"), commands, help)
}

const fn text_flag(name: &'static str, commands: &'static [Cmd], help: &'static str) -> FlagSpec {
    flag(name, None, ValueKind::Text, None, commands, help)
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
pub const FLAGS: &[FlagSpec] = &[
    // ls / du / rm / cat / head / presign / bucket-version / rb
    bool_flag(
        "etag",
        Some("e"),
        &[Ls],
        "show entity tag (ETag) in the output",
    ),
    bool_flag("group", Some("g"), &[Du], "group sizes by storage class"),
    bool_flag(
        "humanize",
        Some("H"),
        &[Ls, Du],
        "human-readable output for object sizes",
    ),
    bool_flag(
        "storage-class",
        Some("s"),
        &[Ls],
        "display full name of the object class",
    ),
    bool_flag("raw", None, &[Rm, Cat], RAW_HELP),
    repeated(text_flag("exclude", &[Ls, Du, Rm], EXCLUDE_HELP)),
    repeated(text_flag("include", &[Rm], INCLUDE_HELP)),
    bool_flag("all-versions", None, &[Ls, Du, Rm], ALL_VERSIONS_HELP),
    bool_flag(
        "show-fullpath",
        None,
        &[Ls],
        "shows only the fullpath names of the object(s)",
    ),
    flag(
        "expire",
        None,
        ValueKind::Duration,
        Some("3h0m0s"),
        &[Presign],
        "url valid duration, a Go duration such as 90s, 1h30m or 24h",
    ),
    text_flag("version-id", &[Du, Rm, Cat, Head, Presign], VERSION_ID_HELP),
    flag(
        "set",
        None,
        ValueKind::Choice(VERSIONING_STATES),
        None,
        &[BucketVersion],
        "set versioning status of bucket: (Suspended, Enabled), case-insensitive",
    ),
    bool_flag(
        "force",
        None,
        &[Rb],
        "(s5rs) delete every object and version in the bucket first, then the bucket",
    ),
    // select
    flag(
        "structure",
        None,
        ValueKind::Choice(&["lines", "document"]),
        Some("lines"),
        &[SelectJson],
        "how objects are aligned in the json file, options:(lines, document)",
    ),
    flag(
        "delimiter",
        None,
        ValueKind::Escaped,
        Some("\",\""),
        &[SelectCsv],
        "delimiter of the csv file; escapes such as \\t are interpreted",
    ),
    flag(
        "use-header",
        None,
        ValueKind::Choice(&["USE", "IGNORE", "NONE"]),
        Some("\"NONE\""),
        &[SelectCsv],
        "use header of the csv file. (options: IGNORE, NONE, USE)",
    ),
    flag(
        "compression",
        None,
        ValueKind::Choice(&["GZIP", "BZIP2", "NONE"]),
        None,
        &[Select, SelectJson, SelectCsv],
        "input compression format (GZIP or BZIP2)",
    ),
    flag(
        "query",
        Some("e"),
        ValueKind::Text,
        None,
        SELECTS,
        "SQL expression to use to select from the objects (required)",
    ),
    flag(
        "output-format",
        None,
        ValueKind::Choice(&["json", "csv"]),
        None,
        SELECTS,
        "output format of the result (options: json, csv); default: the input format",
    ),
    repeated(text_flag("exclude", SELECTS, EXCLUDE_HELP)),
    bool_flag(
        "force-glacier-transfer",
        None,
        SELECTS,
        "force transfer of glacier objects whether they are restored or not",
    ),
    bool_flag(
        "ignore-glacier-warnings",
        None,
        SELECTS,
        "turns off glacier warnings: ignore errors encountered during selecting objects",
    ),
    bool_flag("raw", None, SELECTS, RAW_HELP),
    bool_flag("all-versions", None, SELECTS, ALL_VERSIONS_HELP),
    text_flag(
        "version-id",
        SELECTS,
        "use the specified version of the object",
    ),
    // sync
    bool_flag(
        "delete",
        None,
        &[Sync],
        "delete objects in destination but not in source",
    ),
    bool_flag(
        "size-only",
        None,
        &[Sync],
        "make size of object only criteria to decide whether an object should be synced",
    ),
    bool_flag(
        "exit-on-error",
        None,
        &[Sync],
        "stops the sync process if an error is received",
    ),
    bool_flag(
        "checksum",
        None,
        &[Sync],
        "(s5rs) compare content checksums instead of size and modification time",
    ),
    flag(
        "max-delete",
        None,
        ValueKind::Count,
        None,
        &[Sync],
        "(s5rs) refuse to delete more than N objects with --delete",
    ),
    // cp / mv / sync / pipe (and cat's part flags)
    bool_flag(
        "flatten",
        Some("f"),
        CP_MV,
        "flatten directory structure of source, starting from the first wildcard",
    ),
    bool_flag(
        "no-clobber",
        Some("n"),
        CP_MV,
        "do not overwrite destination if already exists",
    ),
    bool_flag(
        "if-size-differ",
        Some("s"),
        CP_MV,
        "only overwrite destination if size differs",
    ),
    bool_flag(
        "if-source-newer",
        Some("u"),
        CP_MV,
        "only overwrite destination if source modtime is newer",
    ),
    text_flag("version-id", CP_MV, VERSION_ID_HELP),
    bool_flag("show-progress", Some("sp"), CP_MV, "show a progress bar"),
    bool_flag(
        "no-follow-symlinks",
        None,
        CP_MV_SYNC,
        "do not follow symbolic links",
    ),
    text_flag(
        "storage-class",
        WRITERS,
        "set storage class for target ('STANDARD','REDUCED_REDUNDANCY','GLACIER','STANDARD_IA','ONEZONE_IA','INTELLIGENT_TIERING','DEEP_ARCHIVE')",
    ),
    flag(
        "concurrency",
        Some("c"),
        ValueKind::Count,
        Some("5"),
        PARTS,
        "number of concurrent parts transferred between host and remote server",
    ),
    flag(
        "part-size",
        Some("p"),
        ValueKind::Count,
        Some("50"),
        PARTS,
        "size of each part transferred between host and remote server, in MiB (0: 5 MiB)",
    ),
    repeated(flag(
        "metadata",
        None,
        ValueKind::KeyValue,
        None,
        WRITERS,
        "set arbitrary metadata for the object, e.g. --metadata 'foo=bar' --metadata 'fizz=buzz'",
    )),
    flag(
        "metadata-directive",
        None,
        ValueKind::Choice(METADATA_DIRECTIVES),
        None,
        CP_MV_SYNC,
        "set metadata directive for the object: COPY or REPLACE",
    ),
    text_flag(
        "sse",
        WRITERS,
        "perform server side encryption of the data at its destination, e.g. aws:kms",
    ),
    text_flag(
        "sse-kms-key-id",
        WRITERS,
        "customer master key (CMK) id for SSE-KMS encryption; leave it out if server-side generated key is desired",
    ),
    text_flag(
        "acl",
        WRITERS,
        "set acl for target, e.g. --acl 'public-read'",
    ),
    text_flag(
        "cache-control",
        WRITERS,
        "set cache control for target, e.g. --cache-control 'public, max-age=345600'",
    ),
    flag(
        "expires",
        None,
        ValueKind::Rfc3339,
        None,
        WRITERS,
        "set expires for target (RFC 3339), e.g. --expires '2024-10-01T20:30:00Z'",
    ),
    bool_flag(
        "force-glacier-transfer",
        None,
        CP_MV_SYNC,
        "force transfer of glacier objects whether they are restored or not",
    ),
    bool_flag(
        "ignore-glacier-warnings",
        None,
        CP_MV_SYNC,
        "turns off glacier warnings: ignore errors encountered during copying, downloading and moving glacier objects",
    ),
    text_flag(
        "source-region",
        CP_MV_SYNC,
        "set the region of source bucket; discovered automatically if not given",
    ),
    text_flag(
        "destination-region",
        CP_MV_SYNC,
        "set the region of destination bucket; discovered automatically if not given",
    ),
    repeated(text_flag("exclude", CP_MV_SYNC, EXCLUDE_HELP)),
    repeated(text_flag("include", CP_MV_SYNC, INCLUDE_HELP)),
    bool_flag("raw", None, &[Cp, Mv, Sync, Pipe, Head], RAW_HELP),
    text_flag(
        "content-type",
        WRITERS,
        "set content type for target, e.g. --content-type text/plain",
    ),
    text_flag(
        "content-encoding",
        WRITERS,
        "set content encoding for target, e.g. --content-encoding gzip",
    ),
    text_flag(
        "content-disposition",
        WRITERS,
        "set content disposition for target, e.g. --content-disposition 'attachment; filename=\"f.jpg\"'",
    ),
    bool_flag(
        "no-clobber",
        Some("n"),
        &[Pipe],
        "do not overwrite destination if already exists",
    ),
    flag(
        "tagging",
        None,
        ValueKind::Tagging,
        None,
        WRITERS,
        "(s5rs) set object tags, URL-query encoded, e.g. --tagging 'project=x&env=dev'",
    ),
    flag(
        "checksum-algorithm",
        None,
        ValueKind::Choice(CHECKSUM_ALGORITHMS),
        None,
        WRITERS,
        "(s5rs) store an additional checksum: CRC64NVME, CRC32C, CRC32, SHA256 or SHA1",
    ),
    text_flag(
        "source-profile",
        CP_MV_SYNC,
        "(s5rs) credentials profile for the source bucket",
    ),
    flag(
        "source-endpoint-url",
        None,
        ValueKind::Url,
        None,
        CP_MV_SYNC,
        "(s5rs) S3 endpoint for the source bucket; must be of the form http(s)://<hostname>/",
    ),
    text_flag(
        "destination-profile",
        CP_MV_SYNC,
        "(s5rs) credentials profile for the destination bucket",
    ),
    flag(
        "destination-endpoint-url",
        None,
        ValueKind::Url,
        None,
        CP_MV_SYNC,
        "(s5rs) S3 endpoint for the destination bucket; must be of the form http(s)://<hostname>/",
    ),
];

/// Global flags (given to `s5rs` itself, before the command): a batch line that uses
/// one is rejected with a clear message instead of "not defined". `(long, alias)`.
pub const GLOBAL_FLAGS: &[(&str, Option<&str>)] = &[
    ("json", None),
    ("numworkers", None),
    ("retry-count", Some("r")),
    ("endpoint-url", None),
    ("no-verify-ssl", None),
    ("log", None),
    ("install-completion", None),
    ("dry-run", None),
    ("stat", None),
    ("no-sign-request", None),
    ("use-list-objects-v1", None),
    ("request-payer", None),
    ("profile", None),
    ("credentials-file", None),
];

/// The global flag whose long name or alias is `name`, as its long name.
pub fn global_flag(name: &str) -> Option<&'static str> {
    GLOBAL_FLAGS
        .iter()
        .find(|(long, alias)| *long == name || *alias == Some(name))
        .map(|(long, _)| *long)
}

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

/// Help metadata of one command.
#[derive(Debug, Clone, Copy)]
pub struct CommandInfo {
    /// Name as typed (`select json` for sub-commands).
    pub name: &'static str,
    /// Flag-table identity.
    pub cmd: Cmd,
    /// One-line description.
    pub summary: &'static str,
    /// Usage after the name.
    pub usage: &'static str,
    /// `(description, command line)` examples.
    pub examples: &'static [(&'static str, &'static str)],
}

/// Every command, in help order.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "ls",
        cmd: Ls,
        summary: "list buckets and objects",
        usage: "[options] [argument]",
        examples: &[
            ("List all buckets", "ls"),
            (
                "List objects and prefixes under a prefix",
                "ls s3://bucket/prefix/",
            ),
            (
                "List all objects recursively with a wildcard",
                "ls 's3://bucket/*'",
            ),
            (
                "List every version of the objects with sizes humanised",
                "ls -H --all-versions 's3://bucket/*'",
            ),
        ],
    },
    CommandInfo {
        name: "cp",
        cmd: Cp,
        summary: "copy objects",
        usage: "[options] source destination",
        examples: &[
            (
                "Download an S3 object to the working directory",
                "cp s3://bucket/prefix/object.gz .",
            ),
            (
                "Upload matching files to a bucket",
                "cp 'dir/*.gz' s3://bucket/",
            ),
            (
                "Copy matching objects to another bucket, skipping existing ones",
                "cp -n 's3://bucket/*.gz' s3://target-bucket/prefix/",
            ),
            (
                "Upload with metadata and a content type",
                "cp --metadata 'camera=Nikon' --content-type image/png flowers.png s3://bucket/flowers.png",
            ),
        ],
    },
    CommandInfo {
        name: "mv",
        cmd: Mv,
        summary: "move/rename objects",
        usage: "[options] source destination",
        examples: &[
            (
                "Move an S3 object to the working directory",
                "mv s3://bucket/prefix/object.gz .",
            ),
            (
                "Move matching objects to another prefix",
                "mv 's3://bucket/logs/*' s3://bucket/archive/",
            ),
            ("Move local files to a bucket", "mv 'dir/*.gz' s3://bucket/"),
        ],
    },
    CommandInfo {
        name: "rm",
        cmd: Rm,
        summary: "remove objects",
        usage: "[options] argument [argument ...]",
        examples: &[
            ("Delete an S3 object", "rm s3://bucket/prefix/object.gz"),
            (
                "Delete all objects under a prefix",
                "rm 's3://bucket/prefix/*'",
            ),
            (
                "Delete a specific version of an object",
                "rm --version-id VERSION_ID s3://bucket/object",
            ),
            (
                "Delete every version of matching objects",
                "rm --all-versions 's3://bucket/logs/*'",
            ),
        ],
    },
    CommandInfo {
        name: "sync",
        cmd: Sync,
        summary: "sync objects",
        usage: "[options] source destination",
        examples: &[
            (
                "Sync a local directory to a prefix",
                "sync dir/ s3://bucket/prefix/",
            ),
            (
                "Sync a prefix to a local directory, deleting extra files",
                "sync --delete 's3://bucket/prefix/*' dir/",
            ),
            (
                "Sync comparing sizes only, deleting at most 100 objects",
                "sync --size-only --delete --max-delete 100 dir/ s3://bucket/",
            ),
        ],
    },
    CommandInfo {
        name: "du",
        cmd: Du,
        summary: "show object size usage",
        usage: "[options] argument",
        examples: &[
            ("Size of all objects in a bucket", "du 's3://bucket/*'"),
            (
                "Size per storage class, humanised",
                "du -g -H 's3://bucket/*'",
            ),
            ("Size of a local directory", "du dir/"),
        ],
    },
    CommandInfo {
        name: "cat",
        cmd: Cat,
        summary: "print remote object content",
        usage: "[options] source",
        examples: &[
            ("Print an object", "cat s3://bucket/prefix/object.txt"),
            (
                "Print all objects under a prefix, in key order",
                "cat 's3://bucket/prefix/*'",
            ),
            (
                "Print a specific version",
                "cat --version-id VERSION_ID s3://bucket/object.txt",
            ),
        ],
    },
    CommandInfo {
        name: "pipe",
        cmd: Pipe,
        summary: "stream to remote from stdin",
        usage: "[options] destination",
        examples: &[
            (
                "Stream stdin to an object",
                "pipe s3://bucket/prefix/object.gz",
            ),
            (
                "Stream with a content type, unless the object exists",
                "pipe -n --content-type application/json s3://bucket/data.json",
            ),
        ],
    },
    CommandInfo {
        name: "head",
        cmd: Head,
        summary: "print remote object metadata",
        usage: "[options] source",
        examples: &[
            ("Metadata of an object", "head s3://bucket/prefix/object.gz"),
            ("Check that a bucket exists", "head s3://bucket"),
        ],
    },
    CommandInfo {
        name: "mb",
        cmd: Mb,
        summary: "make bucket",
        usage: "s3://bucketname",
        examples: &[("Create a bucket", "mb s3://bucket")],
    },
    CommandInfo {
        name: "rb",
        cmd: Rb,
        summary: "remove bucket",
        usage: "[options] s3://bucketname",
        examples: &[
            ("Remove an empty bucket", "rb s3://bucket"),
            (
                "Empty a bucket (all versions) and remove it",
                "rb --force s3://bucket",
            ),
        ],
    },
    CommandInfo {
        name: "presign",
        cmd: Presign,
        summary: "print remote object presign url",
        usage: "[options] source",
        examples: &[
            (
                "Presigned URL valid for 3 hours",
                "presign s3://bucket/prefix/object.gz",
            ),
            (
                "Presigned URL valid for 90 minutes",
                "presign --expire 1h30m s3://bucket/object.gz",
            ),
        ],
    },
    CommandInfo {
        name: "select",
        cmd: Select,
        summary: "run SQL queries on objects (json lines; see also select json|csv|parquet)",
        usage: "[json|csv|parquet] [options] argument",
        examples: &[
            (
                "Query JSON lines objects",
                "select --query \"SELECT * FROM s3object s\" 's3://bucket/*.json'",
            ),
            (
                "Query CSV objects with a header line",
                "select csv --use-header USE -e \"SELECT s.name FROM s3object s\" s3://bucket/data.csv",
            ),
        ],
    },
    CommandInfo {
        name: "select json",
        cmd: SelectJson,
        summary: "run queries on json files",
        usage: "[options] argument",
        examples: &[
            (
                "Query JSON lines objects",
                "select json -e \"SELECT * FROM s3object s\" 's3://bucket/*.json'",
            ),
            (
                "Query one JSON document, output CSV",
                "select json --structure document --output-format csv -e \"SELECT * FROM s3object s\" s3://bucket/doc.json",
            ),
        ],
    },
    CommandInfo {
        name: "select csv",
        cmd: SelectCsv,
        summary: "run queries on csv files",
        usage: "[options] argument",
        examples: &[
            (
                "Query a tab-separated file with a header",
                "select csv --delimiter '\\t' --use-header USE -e \"SELECT s.id FROM s3object s\" s3://bucket/data.tsv",
            ),
            (
                "Query gzipped CSV objects",
                "select csv --compression GZIP -e \"SELECT * FROM s3object s\" 's3://bucket/*.csv.gz'",
            ),
        ],
    },
    CommandInfo {
        name: "select parquet",
        cmd: SelectParquet,
        summary: "run queries on parquet files",
        usage: "[options] argument",
        examples: &[(
            "Query parquet objects, output JSON",
            "select parquet --output-format json -e \"SELECT * FROM s3object s\" 's3://bucket/*.parquet'",
        )],
    },
    CommandInfo {
        name: "bucket-version",
        cmd: BucketVersion,
        summary: "configure bucket versioning",
        usage: "[options] s3://bucketname",
        examples: &[
            (
                "Show the versioning status of a bucket",
                "bucket-version s3://bucket",
            ),
            (
                "Enable versioning",
                "bucket-version --set Enabled s3://bucket",
            ),
            (
                "Suspend versioning",
                "bucket-version --set Suspended s3://bucket",
            ),
        ],
    },
    CommandInfo {
        name: "version",
        cmd: Version,
        summary: "print version",
        usage: "",
        examples: &[("Print the version", "version")],
    },
    CommandInfo {
        name: "wait",
        cmd: Wait,
        summary: "(s5rs, batch files) barrier: every operation of earlier lines finishes before any later line starts",
        usage: "",
        examples: &[(
            "Upload, then delete the local copies only after every upload finished",
            "cp 'dir/*' s3://bucket/dir/\nwait\nrm 'dir/*'",
        )],
    },
];

/// The help entry of `name` (`cp`, `select csv` …).
pub fn command_info(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// The help entry for a flag-table identity.
pub fn command_info_of(cmd: Cmd) -> &'static CommandInfo {
    COMMANDS
        .iter()
        .find(|c| c.cmd == cmd)
        .expect("every Cmd has a COMMANDS entry")
}

/// Help text for one command: name and summary, usage, every flag of the table with
/// alias, default and help, and examples. `None` for an unknown name.
pub fn command_help(name: &str) -> Option<String> {
    let info = command_info(name)?;
    let mut opts: Vec<(String, String)> = flags_of(info.cmd)
        .map(|f| {
            let value = if f.kind == ValueKind::Bool {
                ""
            } else {
                " value"
            };
            let mut left = format!("--{}{value}", f.name);
            if let Some(a) = f.alias {
                let dashes = if a.len() == 1 { "-" } else { "--" };
                left.push_str(&format!(", {dashes}{a}{value}"));
            }
            let mut right = f.help.to_string();
            if f.repeatable {
                right.push_str(" (repeatable)");
            }
            if let Some(d) = f.default {
                right.push_str(&format!(" (default: {d})"));
            }
            (left, right)
        })
        .collect();
    opts.push(("--help, -h".into(), "show help".into()));
    let width = opts.iter().map(|(l, _)| l.len()).max().unwrap_or(0);

    let mut out = format!(
        "Name:\n  {} - {}\n\nUsage:\n  {}",
        info.name, info.summary, info.name
    );
    if !info.usage.is_empty() {
        out.push(' ');
        out.push_str(info.usage);
    }
    out.push_str("\n\nOptions:\n");
    for (l, r) in &opts {
        out.push_str(&format!("  {l:width$}  {r}\n"));
    }
    out.push_str("\nExamples:\n");
    for (i, (what, line)) in info.examples.iter().enumerate() {
        out.push_str(&format!("  {:02}. {what}\n", i + 1));
        for l in line.lines() {
            out.push_str(&format!("     > s5rs {l}\n"));
        }
        out.push('\n');
    }
    Some(out)
}

/// The command names accepted on a batch line or after `s5rs` (without `run`, which
/// only the command line knows, and without the `select` sub-command forms).
pub fn command_names() -> &'static [&'static str] {
    &[
        "ls",
        "cp",
        "mv",
        "rm",
        "sync",
        "du",
        "cat",
        "pipe",
        "head",
        "mb",
        "rb",
        "presign",
        "select",
        "bucket-version",
        "version",
        "wait",
    ]
}

/// The overview printed for `help` with no command: every command and its summary.
pub fn overview_help() -> String {
    let mut out = String::from("Commands:\n");
    for c in COMMANDS {
        out.push_str(&format!("  {:16} {}\n", c.name, c.summary));
    }
    out.push_str("\nRun '<command> --help' (or 'help <command>') for a command's flags.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn order(cmd: Cmd) -> Vec<&'static str> {
        flags_of(cmd).map(|f| f.name).collect()
    }

    #[test]
    fn no_command_sees_a_name_or_alias_twice() {
        for info in COMMANDS {
            let mut seen = HashSet::new();
            for f in flags_of(info.cmd) {
                assert!(seen.insert(f.name), "{} twice in {}", f.name, info.name);
                if let Some(a) = f.alias {
                    assert!(seen.insert(a), "alias {a} twice in {}", info.name);
                }
            }
        }
    }

    #[test]
    fn no_command_flag_is_a_global_flag() {
        for f in FLAGS {
            assert!(global_flag(f.name).is_none(), "{}", f.name);
            if let Some(a) = f.alias {
                assert!(global_flag(a).is_none(), "{a}");
            }
        }
    }

    #[test]
    fn definition_order_matches_s5cmd() {
        // From `s5cmd <cmd> --help` (v2.3.0), s5rs extras appended.
        let s5cmd_cp = [
            "flatten",
            "no-clobber",
            "if-size-differ",
            "if-source-newer",
            "version-id",
            "show-progress",
            "no-follow-symlinks",
            "storage-class",
            "concurrency",
            "part-size",
            "metadata",
            "metadata-directive",
            "sse",
            "sse-kms-key-id",
            "acl",
            "cache-control",
            "expires",
            "force-glacier-transfer",
            "ignore-glacier-warnings",
            "source-region",
            "destination-region",
            "exclude",
            "include",
            "raw",
            "content-type",
            "content-encoding",
            "content-disposition",
            "tagging",
            "checksum-algorithm",
            "source-profile",
            "source-endpoint-url",
            "destination-profile",
            "destination-endpoint-url",
        ];
        assert_eq!(order(Cp), s5cmd_cp);
        assert_eq!(order(Mv), s5cmd_cp);
        let mut sync = vec![
            "delete",
            "size-only",
            "exit-on-error",
            "checksum",
            "max-delete",
        ];
        sync.extend(s5cmd_cp[6..].iter().copied());
        assert_eq!(order(Sync), sync);
        assert_eq!(
            order(Pipe),
            [
                "storage-class",
                "concurrency",
                "part-size",
                "metadata",
                "sse",
                "sse-kms-key-id",
                "acl",
                "cache-control",
                "expires",
                "raw",
                "content-type",
                "content-encoding",
                "content-disposition",
                "no-clobber",
                "tagging",
                "checksum-algorithm"
            ]
        );
        assert_eq!(
            order(Ls),
            [
                "etag",
                "humanize",
                "storage-class",
                "exclude",
                "all-versions",
                "show-fullpath"
            ]
        );
        assert_eq!(
            order(Rm),
            ["raw", "exclude", "include", "all-versions", "version-id"]
        );
        assert_eq!(
            order(Du),
            ["group", "humanize", "exclude", "all-versions", "version-id"]
        );
        assert_eq!(
            order(Cat),
            ["raw", "version-id", "concurrency", "part-size"]
        );
        assert_eq!(order(Head), ["version-id", "raw"]);
        assert_eq!(order(Presign), ["expire", "version-id"]);
        assert_eq!(order(BucketVersion), ["set"]);
        assert_eq!(order(Rb), ["force"]);
        assert!(order(Mb).is_empty() && order(Version).is_empty() && order(Wait).is_empty());
        let select_tail = [
            "query",
            "output-format",
            "exclude",
            "force-glacier-transfer",
            "ignore-glacier-warnings",
            "raw",
            "all-versions",
            "version-id",
        ];
        assert_eq!(order(SelectParquet), select_tail);
        let mut json = vec!["structure", "compression"];
        json.extend(select_tail);
        assert_eq!(order(SelectJson), json);
        assert_eq!(order(Select), json[1..]);
        let mut csv = vec!["delimiter", "use-header", "compression"];
        csv.extend(select_tail);
        assert_eq!(order(SelectCsv), csv);
    }

    #[test]
    fn every_command_has_help_with_every_flag() {
        for name in
            command_names()
                .iter()
                .copied()
                .chain(["select json", "select csv", "select parquet"])
        {
            let help = command_help(name).unwrap_or_else(|| panic!("no help for {name}"));
            let info = command_info(name).unwrap();
            assert!(help.starts_with(&format!("Name:\n  {name} - ")), "{help}");
            assert!(help.contains("Usage:\n") && help.contains("Examples:\n  01. "));
            assert!(help.contains("--help, -h"));
            assert!((1..=4).contains(&info.examples.len()), "{name}");
            for f in flags_of(info.cmd) {
                assert!(
                    help.contains(&format!("--{}", f.name)),
                    "{name} lacks {}",
                    f.name
                );
                assert!(help.contains(f.help), "{name} lacks help of {}", f.name);
            }
        }
        assert!(command_help("run").is_none());
        assert!(command_help("nope").is_none());
        let cp = command_help("cp").unwrap();
        assert!(cp.contains("--concurrency value, -c value"));
        assert!(cp.contains("--show-progress, --sp"));
        assert!(cp.contains("(default: 50)"));
    }
}
