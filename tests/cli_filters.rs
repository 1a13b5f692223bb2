//! The size, age and regex filters (`--min-size`, `--max-size`, `--min-age`,
//! `--max-age`, `--include-regex`, `--exclude-regex`) against the in-process S3 server:
//! each alone and combined with each other and with the glob filters, on `ls`, `du`,
//! `cp` (download, upload), `mv`, `rm` and `sync`, in single commands and batch lines;
//! `sync --delete` never deletes what a filter excluded; bad values are parse errors
//! at their column.
//!
//! Objects get their age from the server's data file: the in-process server reports a
//! file's mtime as the object's LastModified, so setting it makes an object old.

mod common;

use std::time::{Duration, SystemTime};

use common::{BUCKET, TestEnv, sorted};

const HOUR: u64 = 3600;
const DAY: u64 = 24 * HOUR;

/// The fixture: name, size in bytes, age in seconds.
const OBJECTS: &[(&str, usize, u64)] = &[
    ("a.txt", 10, 0),
    ("big.txt", 3000, 10 * DAY),
    ("dir/old.log", 100, 30 * DAY),
    ("mid.log", 1500, 2 * HOUR),
    ("tmp/new.bin", 2048, 0),
];

/// Filter flags and the fixture names they keep (K is 1024 bytes).
fn cases() -> Vec<(Vec<String>, Vec<&'static str>)> {
    let day_ago = chrono::Utc::now() - chrono::Duration::days(1);
    let day_ago = day_ago.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let case = |flags: &[&str], kept: &[&'static str]| {
        (flags.iter().map(|s| s.to_string()).collect(), kept.to_vec())
    };
    vec![
        case(
            &["--min-size", "1K"],
            &["big.txt", "mid.log", "tmp/new.bin"],
        ),
        case(
            &["--max-size", "2K"],
            &["a.txt", "dir/old.log", "mid.log", "tmp/new.bin"],
        ),
        case(&["--min-size", "1500", "--max-size", "2KB"], &["mid.log"]),
        case(&["--min-age", "1d"], &["big.txt", "dir/old.log"]),
        case(&["--max-age", "3h"], &["a.txt", "mid.log", "tmp/new.bin"]),
        case(
            &["--max-age", &day_ago],
            &["a.txt", "mid.log", "tmp/new.bin"],
        ),
        case(&["--min-age", &day_ago], &["big.txt", "dir/old.log"]),
        case(&["--include-regex", r"\.log$"], &["dir/old.log", "mid.log"]),
        case(
            &["--exclude-regex", "^(tmp/|a)"],
            &["big.txt", "dir/old.log", "mid.log"],
        ),
        // Combined with each other and with the glob filters: all must pass.
        case(
            &["--min-size", "1K", "--max-age", "3h", "--exclude", "tmp/*"],
            &["mid.log"],
        ),
        case(
            &[
                "--max-size",
                "1000",
                "--min-age",
                "1h",
                "--include-regex",
                "^dir/",
            ],
            &["dir/old.log"],
        ),
        case(
            &[
                "--include-regex",
                "(txt|bin)$",
                "--exclude-regex",
                "^big",
                "--min-size",
                "20",
            ],
            &["tmp/new.bin"],
        ),
    ]
}

/// The fixture names a case does not keep.
fn dropped(kept: &[&str]) -> Vec<String> {
    OBJECTS
        .iter()
        .map(|o| o.0)
        .filter(|n| !kept.contains(n))
        .map(str::to_string)
        .collect()
}

fn args<'a>(head: &[&'a str], flags: &'a [String], tail: &[&'a str]) -> Vec<&'a str> {
    let mut v = head.to_vec();
    v.extend(flags.iter().map(String::as_str));
    v.extend_from_slice(tail);
    v
}

fn ago(secs: u64) -> filetime::FileTime {
    filetime::FileTime::from_system_time(SystemTime::now() - Duration::from_secs(secs))
}

/// Puts the fixture under `prefix` of `bucket`, each object aged.
fn put_fixture(env: &TestEnv, bucket: &str, prefix: &str) {
    for (name, size, age) in OBJECTS {
        let key = format!("{prefix}{name}");
        env.put_in(bucket, &key, &vec![b'x'; *size], &Default::default());
        filetime::set_file_mtime(env.server.object_path(bucket, &key), ago(*age)).unwrap();
    }
}

/// Writes the fixture as files under `dir/`, each with its age as mtime.
fn write_fixture(env: &TestEnv, dir: &str) {
    for (name, size, age) in OBJECTS {
        let path = env.write_file(&format!("{dir}/{name}"), &vec![b'x'; *size]);
        filetime::set_file_mtime(path, ago(*age)).unwrap();
    }
}

/// Keys of `bucket` under `prefix`, relative to it.
fn keys_under(env: &TestEnv, bucket: &str, prefix: &str) -> Vec<String> {
    env.keys_in(bucket)
        .into_iter()
        .filter_map(|k| k.strip_prefix(prefix).map(str::to_string))
        .collect()
}

/// Files under `dir/`, relative to it.
fn files_under(env: &TestEnv, dir: &str) -> Vec<String> {
    let prefix = format!("{dir}/");
    env.files()
        .into_iter()
        .filter_map(|f| f.strip_prefix(&prefix).map(str::to_string))
        .collect()
}

#[test]
fn fixture_ages_are_what_the_server_lists() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    let out = env.run(&["--json", "ls", "s3://bkt/big.txt"]);
    out.ok();
    let listed = out.objects()[0].last_modified.clone().unwrap();
    let listed = chrono::DateTime::parse_from_rfc3339(&listed).unwrap();
    let age = chrono::Utc::now().signed_duration_since(listed);
    assert!(age.num_days() >= 9, "big.txt is {age} old");
}

#[test]
fn ls_keeps_what_every_filter_passes() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    for (flags, kept) in cases() {
        let out = env.run(&args(&["--json", "ls"], &flags, &["s3://bkt/*"]));
        out.ok();
        let names: Vec<String> = out
            .objects()
            .into_iter()
            .map(|o| o.key.unwrap().trim_start_matches("s3://bkt/").to_string())
            .collect();
        assert_eq!(
            sorted(&names.iter().map(String::as_str).collect::<Vec<_>>()),
            kept,
            "ls {flags:?}"
        );
    }
}

#[test]
fn regexes_see_the_path_relative_to_the_source_root() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    // Below `dir/`, the subject is `old.log`: `^old` matches, `^dir/` does not.
    let out = env.run(&["ls", "--include-regex", "^old", "s3://bkt/dir/*"]);
    out.ok();
    assert_eq!(out.lines().len(), 1);
    assert!(out.stdout.trim_end().ends_with("old.log"), "{}", out.stdout);
    let out = env.run(&["cp", "--include-regex", "^dir/", "s3://bkt/dir/*", "out/"]);
    out.ok();
    assert!(env.files().is_empty(), "{:?}", env.files());
    let out = env.run(&["cp", "--include-regex", "^dir/", "s3://bkt/*", "out/"]);
    out.ok();
    assert_eq!(env.files(), ["out/dir/old.log"]);
}

#[test]
fn ls_and_du_of_local_paths_and_du_totals() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    write_fixture(&env, "src");
    let out = env.run(&["--json", "du", "--max-size", "2K", "s3://bkt/*"]);
    out.ok();
    let du: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (du["count"].as_u64(), du["size"].as_u64()),
        (Some(4), Some(10 + 100 + 1500 + 2048))
    );
    let out = env.run(&[
        "--json",
        "du",
        "--min-age",
        "1d",
        "--exclude-regex",
        "log",
        "src/",
    ]);
    out.ok();
    let du: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        (du["count"].as_u64(), du["size"].as_u64()),
        (Some(1), Some(3000))
    );
    let out = env.run(&["ls", "--max-age", "3h", "--min-size", "1K", "src/"]);
    out.ok();
    let mut names: Vec<&str> = out
        .lines()
        .iter()
        .map(|l| l.rsplit(' ').next().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["mid.log", "tmp/new.bin"]);
}

#[test]
fn cp_download_keeps_what_every_filter_passes() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    for (i, (flags, kept)) in cases().into_iter().enumerate() {
        let dir = format!("out{i}");
        let dest = format!("{dir}/");
        let out = env.run(&args(&["cp"], &flags, &["s3://bkt/*", &dest]));
        out.ok();
        assert_eq!(files_under(&env, &dir), kept, "cp {flags:?}");
    }
}

#[test]
fn cp_upload_filters_local_files_by_size_mtime_and_name() {
    let env = TestEnv::new();
    write_fixture(&env, "src");
    for (i, (flags, kept)) in cases().into_iter().enumerate() {
        let dest = format!("s3://bkt/up{i}/");
        let out = env.run(&args(&["cp"], &flags, &["src/", &dest]));
        out.ok();
        assert_eq!(
            keys_under(&env, BUCKET, &format!("up{i}/")),
            kept,
            "cp {flags:?}"
        );
    }
}

#[test]
fn mv_moves_only_what_passes() {
    let env = TestEnv::new();
    env.make_bucket("other");
    put_fixture(&env, BUCKET, "");
    let out = env.run(&[
        "--json",
        "mv",
        "--min-size",
        "1K",
        "--max-age",
        "1d",
        "s3://bkt/*",
        "s3://other/",
    ]);
    out.ok();
    let moved: Vec<String> = out
        .records()
        .into_iter()
        .map(|r| r.source.unwrap())
        .collect();
    assert_eq!(
        sorted(&moved.iter().map(String::as_str).collect::<Vec<_>>()),
        ["s3://bkt/mid.log", "s3://bkt/tmp/new.bin"]
    );
    assert_eq!(env.keys_in("other"), ["mid.log", "tmp/new.bin"]);
    assert_eq!(env.keys(), ["a.txt", "big.txt", "dir/old.log"]);
}

#[test]
fn rm_deletes_only_what_passes() {
    let env = TestEnv::new();
    for (flags, kept) in cases() {
        put_fixture(&env, BUCKET, "");
        let out = env.run(&args(&["rm"], &flags, &["s3://bkt/*"]));
        out.ok();
        assert_eq!(env.keys(), dropped(&kept), "rm {flags:?}");
    }
    write_fixture(&env, "src");
    let out = env.run(&["rm", "--min-age", "1d", "--max-size", "2K", "src/"]);
    out.ok();
    assert_eq!(
        files_under(&env, "src"),
        ["a.txt", "big.txt", "mid.log", "tmp/new.bin"]
    );
}

#[test]
fn single_named_objects_are_filtered_too() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    // cp of one object: its size comes from a HEAD.
    env.run(&["cp", "--max-size", "1K", "s3://bkt/big.txt", "one/"])
        .ok();
    env.run(&["cp", "--exclude-regex", "^a", "s3://bkt/a.txt", "one/"])
        .ok();
    env.run(&[
        "cp",
        "--max-size",
        "1K",
        "--max-age",
        "1h",
        "s3://bkt/a.txt",
        "one/",
    ])
    .ok();
    assert_eq!(env.files(), ["one/a.txt"]);
    // rm of a plain key.
    env.run(&["rm", "--max-age", "1h", "s3://bkt/big.txt"]);
    env.run(&["rm", "--min-age", "1d", "s3://bkt/dir/old.log"])
        .ok();
    assert_eq!(env.keys(), ["a.txt", "big.txt", "mid.log", "tmp/new.bin"]);
    // sync of one object.
    env.run(&["sync", "--min-size", "1K", "s3://bkt/a.txt", "two/"])
        .ok();
    env.run(&["sync", "--min-size", "1K", "s3://bkt/mid.log", "two/"])
        .ok();
    assert_eq!(files_under(&env, "two"), ["mid.log"]);
}

#[test]
fn sync_copies_only_what_passes() {
    let env = TestEnv::new();
    write_fixture(&env, "src");
    for (i, (flags, kept)) in cases().into_iter().enumerate() {
        let dest = format!("s3://bkt/s{i}/");
        env.run(&args(&["sync"], &flags, &["src/", &dest])).ok();
        assert_eq!(
            keys_under(&env, BUCKET, &format!("s{i}/")),
            kept,
            "sync {flags:?}"
        );
    }
}

#[test]
fn sync_delete_never_deletes_what_a_filter_excluded() {
    let env = TestEnv::new();
    // The source has none of the fixture's names: with --delete every destination
    // object the filters keep goes, and every one they exclude survives.
    env.write_file("src/zz-new", b"zz");
    for (i, (flags, kept)) in cases().into_iter().enumerate() {
        let prefix = format!("d{i}/");
        put_fixture(&env, BUCKET, &prefix);
        let dest = format!("s3://bkt/{prefix}");
        env.run(&args(&["sync", "--delete"], &flags, &["src/", &dest]))
            .ok();
        let left: Vec<String> = keys_under(&env, BUCKET, &prefix)
            .into_iter()
            .filter(|k| k != "zz-new")
            .collect();
        assert_eq!(left, dropped(&kept), "sync --delete {flags:?}");
    }
}

#[test]
fn sync_delete_keeps_a_destination_object_whose_source_a_filter_excluded() {
    let env = TestEnv::new();
    // The source `same.dat` is too big for the filter; the destination's is small
    // enough to pass. It is neither overwritten nor deleted.
    env.write_file("src/same.dat", &[b'S'; 3000]);
    env.write_file("src/small.txt", b"new");
    env.put("dst/same.dat", b"old");
    env.put("dst/gone.txt", b"x");
    let out = env.run(&[
        "--json",
        "sync",
        "--delete",
        "--max-size",
        "1K",
        "src/",
        "s3://bkt/dst/",
    ]);
    out.ok();
    assert_eq!(env.keys(), ["dst/same.dat", "dst/small.txt"]);
    assert_eq!(env.get("dst/same.dat").unwrap(), b"old");
    // Downloads too: an excluded local file is not deleted by an S3 → local sync.
    env.write_file("local/big.bin", &[b'B'; 4096]);
    env.write_file("local/stale.txt", b"s");
    env.run(&[
        "sync",
        "--delete",
        "--max-size",
        "1K",
        "s3://bkt/dst/*",
        "local/",
    ])
    .ok();
    assert_eq!(
        files_under(&env, "local"),
        ["big.bin", "same.dat", "small.txt"]
    );
}

#[test]
fn batch_lines_take_the_filters() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    write_fixture(&env, "src");
    let input = "\
cp --include-regex '\\.log$' 's3://bkt/*' logs/
cp --min-size 2K --exclude 'tmp/*' 's3://bkt/*' big/
cp --max-age 3h --max-size 1K 's3://bkt/*' fresh/
wait
sync --delete --min-age 1h --exclude-regex '^big' src/ s3://bkt/mirror/
rm --min-age 1d 's3://bkt/*'
";
    let out = env.run_stdin(&["run"], input);
    out.ok();
    assert_eq!(
        env.files()
            .into_iter()
            .filter(|f| !f.starts_with("src/"))
            .collect::<Vec<_>>(),
        [
            "big/big.txt",
            "fresh/a.txt",
            "logs/dir/old.log",
            "logs/mid.log"
        ]
    );
    assert_eq!(
        env.keys(),
        [
            "a.txt",
            "mid.log",
            "mirror/dir/old.log",
            "mirror/mid.log",
            "tmp/new.bin"
        ]
    );
}

#[test]
fn bad_filter_values_are_parse_errors_with_their_column() {
    let env = TestEnv::new();
    put_fixture(&env, BUCKET, "");
    let out = env.run(&["cp", "--min-size", "10X", "s3://bkt/*", "out/"]);
    out.code(2);
    assert!(
        out.stderr
            .contains(r#"invalid value "10X" for flag -min-size"#),
        "{}",
        out.stderr
    );
    let out = env.run(&["rm", "--exclude-regex", "a(b", "s3://bkt/*"]);
    out.code(2);
    assert!(
        out.stderr.contains("not a regular expression"),
        "{}",
        out.stderr
    );
    assert!(env.files().is_empty());
    assert_eq!(env.keys().len(), OBJECTS.len());
    // In a batch, each bad line fails alone with its column; the good line runs.
    let input = "rm --max-size 1Q 's3://bkt/*'\nrm --include-regex '[' 's3://bkt/*'\nls --min-age soon s3://bkt/\nrm --max-size 20 's3://bkt/*'\n";
    let out = env.run_stdin(&["--json", "run"], input);
    out.code(1);
    let records = out.records();
    let mut errors: Vec<String> = records
        .iter()
        .filter(|r| !r.success)
        .map(|r| r.error.clone().unwrap())
        .collect();
    errors.sort();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].starts_with(r#"line 1, column 15: invalid value "1Q" for flag -max-size: "#),
        "{errors:?}"
    );
    assert!(errors[1].starts_with(r#"line 2, column 20: invalid value "[" for flag -include-regex: not a regular expression"#), "{errors:?}");
    assert!(
        errors[2].starts_with(r#"line 3, column 14: invalid value "soon" for flag -min-age: "#),
        "{errors:?}"
    );
    assert_eq!(
        env.keys(),
        ["big.txt", "dir/old.log", "mid.log", "tmp/new.bin"]
    );
}
