//! Tests of the tables: every command's flag order is s5cmd's, no command sees a
//! name twice, global and command flags do not overlap, every command has help.

use std::collections::HashSet;

use super::flags::{FLAGS, flags_of};
use super::globals::{GLOBAL_FLAGS, global_flag};
use super::help::command_help;
use super::verbs::{COMMANDS, Cmd, Cmd::*, command_info, command_names};

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
    // Except the per-line overrides of the global side defaults, which the global
    // table marks as such.
    let per_line: HashSet<&str> = GLOBAL_FLAGS
        .iter()
        .filter(|g| g.per_line)
        .map(|g| g.long)
        .collect();
    for f in FLAGS {
        if per_line.contains(f.name) {
            continue;
        }
        assert!(global_flag(f.name).is_none(), "{}", f.name);
        if let Some(a) = f.alias {
            assert!(global_flag(a).is_none(), "{a}");
        }
    }
    for long in per_line {
        assert!(
            FLAGS.iter().any(|f| f.name == long),
            "{long} is no line flag"
        );
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
        "create-bucket",
        "min-size",
        "max-size",
        "min-age",
        "max-age",
        "include-regex",
        "exclude-regex",
        "source-inventory",
    ];
    let sse_c = ["sse-c", "sse-c-key", "sse-c-copy-source-key"];
    let mut cp = s5cmd_cp.to_vec();
    cp.push("all-versions");
    cp.extend(sse_c);
    assert_eq!(order(Cp), cp);
    let mut mv = s5cmd_cp.to_vec();
    mv.extend(sse_c);
    assert_eq!(order(Mv), mv);
    let mut sync = vec![
        "delete",
        "size-only",
        "exit-on-error",
        "checksum",
        "max-delete",
    ];
    sync.extend(s5cmd_cp[5..].iter().copied());
    sync.push("all-versions");
    sync.extend(sse_c);
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
            "checksum-algorithm",
            "sse-c",
            "sse-c-key",
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
            "show-fullpath",
            "format",
            "min-size",
            "max-size",
            "min-age",
            "max-age",
            "include-regex",
            "exclude-regex",
        ]
    );
    assert_eq!(
        order(Rm),
        [
            "raw",
            "exclude",
            "include",
            "all-versions",
            "version-id",
            "show-progress",
            "min-size",
            "max-size",
            "min-age",
            "max-age",
            "include-regex",
            "exclude-regex",
            "source-inventory",
        ]
    );
    assert_eq!(
        order(Du),
        [
            "group",
            "humanize",
            "exclude",
            "all-versions",
            "version-id",
            "min-size",
            "max-size",
            "min-age",
            "max-age",
            "include-regex",
            "exclude-regex",
        ]
    );
    assert_eq!(
        order(Cat),
        [
            "raw",
            "version-id",
            "concurrency",
            "part-size",
            "sse-c",
            "sse-c-key"
        ]
    );
    assert_eq!(order(Head), ["version-id", "raw", "sse-c", "sse-c-key"]);
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
