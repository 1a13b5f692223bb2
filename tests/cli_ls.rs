//! `ls` acceptance cases (reference §8.2): buckets, one-level listings with DIR lines,
//! wildcard listings, filters, local paths, text columns and JSON lines.

mod common;

use common::TestEnv;

/// The name column of text lines (everything after the size column).
fn names(out: &common::Outcome) -> Vec<String> {
    out.lines()
        .iter()
        .map(|l| l.get(39..).unwrap_or("").to_string())
        .collect()
}

#[test]
fn lists_buckets_sorted_text_and_json() {
    let env = TestEnv::empty();
    for b in ["p-1", "p-2", "p-4", "p-3"] {
        env.make_bucket(b);
    }
    let out = env.run(&["ls"]);
    out.ok();
    let ends: Vec<&str> = out.lines().iter().map(|l| &l[l.len() - 8..]).collect();
    assert_eq!(ends, ["s3://p-1", "s3://p-2", "s3://p-3", "s3://p-4"]);
    assert!(out.lines()[0].ends_with("  s3://p-1"));
    let out = env.run(&["--json", "ls"]);
    out.ok();
    let names: Vec<String> = out.buckets().into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["p-1", "p-2", "p-3", "p-4"]);
}

#[test]
fn exact_key_text_and_json() {
    let env = TestEnv::new();
    env.put("testfile1.txt", &[b'a'; 22]);
    env.put("testfile2.txt", b"x");
    let out = env.run(&["ls", "s3://bkt/testfile1.txt"]);
    out.ok();
    assert_eq!(out.lines().len(), 1);
    assert!(
        out.lines()[0].ends_with("                22  testfile1.txt"),
        "{}",
        out.stdout
    );
    let out = env.run(&["--json", "ls", "s3://bkt/testfile1.txt"]);
    out.ok();
    assert!(
        out.stdout
            .starts_with(r#"{"key":"s3://bkt/testfile1.txt","#)
    );
    let objs = out.objects();
    assert_eq!(objs.len(), 1);
    assert_eq!(objs[0].kind, "file");
    assert_eq!(objs[0].size, Some(22));
    assert!(objs[0].etag.is_some() && objs[0].last_modified.is_some());
}

#[test]
fn wildcard_listing_is_aligned() {
    let env = TestEnv::new();
    env.put("testfile1.txt", &[b'a'; 22]);
    env.put("testfile2.txt", &[b'a'; 27]);
    env.put("testfile3.txt", &[b'a'; 35]);
    let out = env.run(&["ls", "s3://bkt/*.txt"]);
    out.ok();
    let lines = out.lines();
    assert_eq!(lines.len(), 3);
    for (l, want) in lines.iter().zip([
        "22  testfile1.txt",
        "27  testfile2.txt",
        "35  testfile3.txt",
    ]) {
        assert!(l.ends_with(want), "{l}");
        assert_eq!(l.len(), 19 + 6 + 12 + 2 + "testfile1.txt".len(), "{l:?}");
    }
}

#[test]
fn key_with_newline_is_printed_escaped() {
    let env = TestEnv::new();
    env.put("normal.txt", &[b'a'; 22]);
    env.put("another.txt", b"x");
    env.put("newli\ne.txt", &[b'a'; 32]);
    env.put("nap.txt", &[b'a'; 28]);
    let out = env.run(&["ls", "s3://bkt/n*.txt"]);
    out.ok();
    let lines = out.lines();
    // s5cmd prints the newline raw (the line breaks in two); s5rs escapes control
    // characters in text output (README "Output"), so each key is one line.
    assert_eq!(lines.len(), 3, "{}", out.stdout);
    assert!(lines[0].ends_with("28  nap.txt"));
    assert!(lines[1].ends_with("32  newli\\ne.txt"), "{}", lines[1]);
    assert!(lines[2].ends_with("22  normal.txt"));
    let out = env.run(&["--json", "ls", "s3://bkt/n*.txt"]);
    let keys: Vec<_> = out.objects().into_iter().filter_map(|o| o.key).collect();
    assert!(
        keys.contains(&"s3://bkt/newli\ne.txt".to_string()),
        "JSON keeps it exact"
    );
}

#[test]
fn star_crosses_slashes() {
    let env = TestEnv::new();
    for k in [
        "a/testfile1.txt",
        "a/testfile2.txt",
        "b/testfile3.txt",
        "b/testfile4.txt",
        "c/testfile5.gz",
        "c/testfile6.txt.gz",
        "d/foo/bar/file7.txt",
        "d/foo/bar/testfile8.txt",
        "e/txt/testfile9.txt.gz",
        "f/txt/testfile10.txt",
    ] {
        env.put(k, b"content");
    }
    let out = env.run(&["ls", "s3://bkt/*/testfile*.txt"]);
    out.ok();
    let want = [
        "7  a/testfile1.txt",
        "7  a/testfile2.txt",
        "7  b/testfile3.txt",
        "7  b/testfile4.txt",
        "7  d/foo/bar/testfile8.txt",
        "7  f/txt/testfile10.txt",
    ];
    assert_eq!(out.lines().len(), want.len(), "{}", out.stdout);
    for (l, w) in out.lines().iter().zip(want) {
        assert!(l.ends_with(w), "{l}");
    }
    let out = env.run(&["ls", "s3://bkt/a/testfile*.txt"]);
    out.ok();
    assert_eq!(names(&out), ["testfile1.txt", "testfile2.txt"]);
}

fn tree(env: &TestEnv) {
    for k in [
        "testfile1.txt",
        "report.gz",
        "a/testfile2.txt",
        "b/testfile3.txt",
        "c/testfile4.txt",
        "d/testfile5.txt",
        "e/testfile6.txt",
        "f/testfile7.txt",
        "a/b/testfile8.txt",
        "f/g/testfile9.txt",
    ] {
        env.put(k, b"content");
    }
}

#[test]
fn bucket_listing_shows_dirs_first() {
    let env = TestEnv::new();
    tree(&env);
    let out = env.run(&["ls", "s3://bkt"]);
    out.ok();
    let mut want: Vec<String> = ["a/", "b/", "c/", "d/", "e/", "f/"]
        .iter()
        .map(|d| format!("{:>19} {:>2} {:<1} {:>12}  {d}", "", "", "", "DIR"))
        .collect();
    let lines = out.lines();
    assert_eq!(&lines[..6], &want[..], "{}", out.stdout);
    want.clear();
    assert!(lines[6].ends_with("                 7  report.gz"));
    assert!(lines[7].ends_with("                 7  testfile1.txt"));
    assert_eq!(lines.len(), 8);
    let out = env.run(&["--json", "ls", "s3://bkt"]);
    out.ok();
    let objs = out.objects();
    assert_eq!(objs[0].key.as_deref(), Some("s3://bkt/a/"));
    assert_eq!(objs[0].kind, "directory");
    assert_eq!(objs[7].key.as_deref(), Some("s3://bkt/testfile1.txt"));
}

#[test]
fn show_fullpath_lists_urls() {
    let env = TestEnv::new();
    tree(&env);
    let out = env.run(&["ls", "--show-fullpath", "s3://bkt/*"]);
    out.ok();
    let mut keys = env.keys();
    keys.sort();
    let want: Vec<String> = keys.iter().map(|k| format!("s3://bkt/{k}")).collect();
    assert_eq!(out.lines(), want);
    let out = env.run(&["ls", "--show-fullpath", "s3://bkt/a"]);
    out.ok();
    assert_eq!(out.lines(), ["s3://bkt/a/"]);
}

#[test]
fn prefix_listing_is_one_level() {
    let env = TestEnv::new();
    for k in [
        "testfile1.txt",
        "report.gz",
        "a/testfile2.txt",
        "t/testfile3.txt",
    ] {
        env.put(k, b"content");
    }
    let out = env.run(&["ls", "s3://bkt/t"]);
    out.ok();
    assert_eq!(names(&out), ["t/", "testfile1.txt"]);
    assert!(out.lines()[0].contains("DIR"));
}

#[test]
fn no_match_is_an_error() {
    let env = TestEnv::new();
    let out = env.run(&["ls", "s3://bkt/*/testfile*.txt"]);
    out.code(1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "ERROR \"ls s3://bkt/*/testfile*.txt\": no object found\n"
    );
    let out = env.run(&["ls", "s3://bkt/nosuchobject"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"ls s3://bkt/nosuchobject\": no object found\n"
    );
    let out = env.run(&["--json", "ls", "s3://bkt/nosuchobject"]);
    out.code(1);
    let r = &out.records()[0];
    assert!(!r.success);
    assert_eq!(r.operation, "ls");
    assert_eq!(r.command.as_deref(), Some("ls s3://bkt/nosuchobject"));
    assert_eq!(r.error_kind.as_deref(), Some("no_match"));
    assert_eq!(out.stderr, "");
}

#[test]
fn etag_and_humanize_columns() {
    let env = TestEnv::new();
    env.put("testfile1.txt", &vec![b'x'; 220_000]);
    env.put("testfile2.txt", &vec![b'y'; 270_000]);
    let out = env.run(&["ls", "-e", "s3://bkt"]);
    out.ok();
    for (l, name) in out.lines().iter().zip(["testfile1.txt", "testfile2.txt"]) {
        let rest: Vec<&str> = l[19..].split_whitespace().collect();
        assert_eq!(rest.len(), 3, "{l}");
        assert!(
            rest[0].chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "{l}"
        );
        assert!(rest[1].parse::<u64>().is_ok());
        assert_eq!(rest[2], name);
    }
    let out = env.run(&["ls", "-H", "s3://bkt"]);
    out.ok();
    assert!(
        out.lines()[0].ends_with("214.8K  testfile1.txt"),
        "{}",
        out.stdout
    );
    assert!(out.lines()[1].ends_with("263.7K  testfile2.txt"));
}

#[test]
fn exclude_filters_remote_listings() {
    let env = TestEnv::new();
    for k in [
        "file.txt",
        "file.py",
        "hasan.txt",
        "a/try.txt",
        "a/try.py",
        "a/file.c",
        "file2.txt",
        "file2.txt.extension",
        "newli\ne",
        "newli\ne.txt",
    ] {
        env.put(k, b"content");
    }
    let out = env.run(&["ls", "--show-fullpath", "--exclude", "*.txt", "s3://bkt/*"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "s3://bkt/a/file.c\ns3://bkt/a/try.py\ns3://bkt/file.py\ns3://bkt/file2.txt.extension\ns3://bkt/newli\\ne\n"
    );
    let out = env.run(&["ls", "--exclude", "*.txt", "--exclude", "*.py", "s3://bkt"]);
    out.ok();
    assert_eq!(names(&out)[..3], ["a/", "file2.txt.extension", "newli\\ne"]);
    assert!(out.stdout.ends_with("  newli\\ne\n"));
    let out = env.run(&["ls", "--exclude", "", "s3://bkt"]);
    out.ok();
    // One DIR, seven objects; the keys with a newline print escaped, one line each.
    assert_eq!(out.lines().len(), 1 + 7, "{}", out.stdout);
}

#[test]
fn exclude_is_matched_against_the_whole_relative_path() {
    let env = TestEnv::new();
    for k in [
        "file.txt",
        "some-dir/file.txt",
        "some-dir/some-dir/file.txt",
        "some-dir/some-dir/some-dir/file.txt",
    ] {
        env.put(k, b"content");
    }
    let out = env.run(&[
        "ls",
        "--exclude",
        "some-dir/some-dir/file.txt",
        "s3://bkt/*",
    ]);
    out.ok();
    assert_eq!(
        names(&out),
        [
            "file.txt",
            "some-dir/file.txt",
            "some-dir/some-dir/some-dir/file.txt"
        ]
    );
}

fn local_tree(env: &TestEnv) {
    for f in [
        "main/try.txt",
        "file1.txt",
        "main.py",
        "main.c",
        "main.txt",
        "main2.txt",
        "readme.md",
    ] {
        env.write_file(&format!("dir/{f}"), b"content");
    }
}

fn basenames(out: &common::Outcome) -> Vec<String> {
    let mut v: Vec<String> = names(out)
        .iter()
        .map(|l| l.rsplit('/').next().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn exclude_filters_local_listings() {
    let env = TestEnv::new();
    local_tree(&env);
    for arg in ["dir", "dir/", "dir/*"] {
        let out = env.run(&["ls", "--exclude", "main*", arg]);
        out.ok();
        assert_eq!(basenames(&out), ["file1.txt", "readme.md"], "{arg}");
    }
    let out = env.run(&["ls", "--exclude", "main*", "--exclude", "*.txt", "dir"]);
    out.ok();
    assert_eq!(basenames(&out), ["readme.md"]);
    let out = env.run(&["ls", "--exclude", "main*", "dir/*.txt"]);
    out.ok();
    assert_eq!(basenames(&out), ["file1.txt"]);
}

#[test]
fn local_nested_exclude() {
    let env = TestEnv::new();
    for f in [
        "file.txt",
        "some-dir/file.txt",
        "some-dir/some-dir/file.txt",
        "some-dir/some-dir/some-dir/file.txt",
    ] {
        env.write_file(&format!("dir/{f}"), b"content");
    }
    let out = env.run(&["ls", "--exclude", "some-dir/some-dir/file.txt", "dir"]);
    out.ok();
    assert_eq!(out.lines().len(), 3, "{}", out.stdout);
    assert!(out.lines().iter().all(|l| l.ends_with("file.txt")));
}

#[test]
fn empty_bucket_lists_nothing() {
    let env = TestEnv::new();
    let out = env.run(&["ls", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "");
}

#[test]
fn missing_bucket_is_a_service_error() {
    let env = TestEnv::new();
    let out = env.run(&["ls", "s3://nosuch"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"ls s3://nosuch\": NoSuchBucket: "),
        "{}",
        out.stderr
    );
}

#[test]
fn local_directory_names() {
    let env = TestEnv::new();
    env.write_file("src/a/b/f3.log", b"333");
    env.write_file("src/f1.txt", b"1");
    let out = env.run(&["ls", "src"]);
    out.ok();
    assert_eq!(names(&out), ["src/a/b/f3.log", "src/f1.txt"]);
    let out = env.run(&["ls", "src/"]);
    out.ok();
    assert_eq!(names(&out), ["a/b/f3.log", "f1.txt"]);
    let out = env.run(&["--json", "ls", "src/"]);
    out.ok();
    let objs = out.objects();
    assert_eq!(objs[0].key.as_deref(), Some("src/a/b/f3.log"));
    assert_eq!(objs[0].size, Some(3));
    let out = env.run(&["ls", "nothere"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"ls nothere\": given object nothere not found\n"
    );
}
