//! The table of commands: every command (and `select` sub-command) once, with its
//! flag-table identity [`Cmd`], help text, examples and arity.
//!
//! Everything that lists commands is generated from [`COMMANDS`]: the names a line may
//! start with ([`command_names`]), the overview of `help`, the list in `s5rs --help`
//! (`cli.rs`), the shell completions (`completion.rs`) and the arity checks of
//! `parse/build.rs`. Adding a command is one entry here plus its `Cmd` variant, its
//! `Command` variant and its driver (see `docs/adding-flags.md`).

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

/// How many positional arguments a command takes. Too many is reported at the first
/// extra argument, too few at the command name.
#[derive(Debug, Clone, Copy)]
pub struct Arity {
    /// Fewest arguments.
    pub min: usize,
    /// The error when there are fewer than `min`.
    pub too_few: &'static str,
    /// Most arguments (`None`: no limit).
    pub max: Option<usize>,
    /// The error when there are more than `max`.
    pub too_many: &'static str,
}

/// Exactly `n` arguments; one message for too few and too many.
const fn exactly(n: usize, message: &'static str) -> Arity {
    Arity {
        min: n,
        too_few: message,
        max: Some(n),
        too_many: message,
    }
}

/// At most `n` arguments.
const fn at_most(n: usize, message: &'static str) -> Arity {
    Arity {
        min: 0,
        too_few: message,
        max: Some(n),
        too_many: message,
    }
}

/// At least `n` arguments.
const fn at_least(n: usize, message: &'static str) -> Arity {
    Arity {
        min: n,
        too_few: message,
        max: None,
        too_many: message,
    }
}

use Cmd::*;

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
    /// How many positional arguments it takes, and the errors otherwise.
    pub arity: Arity,
    /// Only meaningful on a batch line (`wait`): left out of `s5rs --help`'s list.
    pub batch_only: bool,
    /// `(description, command line)` examples.
    pub examples: &'static [(&'static str, &'static str)],
}

/// Every command, in help order.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "ls",
        cmd: Ls,
        arity: at_most(1, "expected only 1 argument"),
        batch_only: false,
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
        arity: exactly(2, "expected source and destination arguments"),
        batch_only: false,
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
        arity: exactly(2, "expected source and destination arguments"),
        batch_only: false,
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
        arity: at_least(1, "expected at least 1 object to remove"),
        batch_only: false,
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
        arity: exactly(2, "expected source and destination arguments"),
        batch_only: false,
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
            (
                "Sync a prefix (no wildcard needed, s5rs) into a bucket made if missing",
                "sync --sp --create-bucket s3://bucket/prefix/ s3://backup/prefix/",
            ),
        ],
    },
    CommandInfo {
        name: "du",
        cmd: Du,
        arity: exactly(1, "expected only 1 argument"),
        batch_only: false,
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
        arity: exactly(1, "expected only one argument"),
        batch_only: false,
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
        arity: exactly(1, "expected destination argument"),
        batch_only: false,
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
        arity: Arity {
            min: 1,
            too_few: "target should be remote object or bucket",
            max: Some(1),
            too_many: "object or bucket name is required",
        },
        batch_only: false,
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
        arity: exactly(1, "expected only 1 argument"),
        batch_only: false,
        summary: "make bucket",
        usage: "s3://bucketname",
        examples: &[("Create a bucket", "mb s3://bucket")],
    },
    CommandInfo {
        name: "rb",
        cmd: Rb,
        arity: exactly(1, "expected only 1 argument"),
        batch_only: false,
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
        arity: exactly(1, "expected remote object url"),
        batch_only: false,
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
        arity: exactly(1, "expected source argument"),
        batch_only: false,
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
        arity: exactly(1, "expected source argument"),
        batch_only: false,
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
        arity: exactly(1, "expected source argument"),
        batch_only: false,
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
        arity: exactly(1, "expected source argument"),
        batch_only: false,
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
        arity: exactly(1, "expected only one argument"),
        batch_only: false,
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
        arity: at_most(0, "expected no arguments"),
        batch_only: false,
        summary: "print version",
        usage: "",
        examples: &[("Print the version", "version")],
    },
    CommandInfo {
        name: "wait",
        cmd: Wait,
        arity: at_most(0, "expected no arguments"),
        batch_only: true,
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

/// The commands a line may start with (not the `select` sub-command forms), in table
/// order.
pub fn top_level() -> impl Iterator<Item = &'static CommandInfo> {
    COMMANDS.iter().filter(|c| !c.name.contains(' '))
}

/// The command names accepted on a batch line or after `s5rs` (without `run`, which
/// only the command line knows, and without the `select` sub-command forms).
pub fn command_names() -> Vec<&'static str> {
    top_level().map(|c| c.name).collect()
}
