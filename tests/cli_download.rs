//! `cp` S3→local acceptance cases (reference §8.3): destinations, flatten, wildcards,
//! filters, raw keys, overwrite rules, failures that leave files intact, dry runs,
//! file modes and modification times.

mod common;

use common::{TestEnv, mode, sorted};

#[test]
fn single_object_destinations() {
    let env = TestEnv::new();
    env.put("file1.txt", b"hello");
    for (dst, printed) in [
        (".", "file1.txt"),
        ("file1.txt", "file1.txt"),
        ("dir/", "dir/file1.txt"),
        ("dir2/file1.txt", "dir2/file1.txt"),
    ] {
        let out = env.run(&["cp", "s3://bkt/file1.txt", dst]);
        out.ok();
        assert_eq!(out.stdout, format!("cp s3://bkt/file1.txt {printed}\n"));
        assert_eq!(env.read_file(printed).as_deref(), Some(&b"hello"[..]));
        assert_eq!(mode(&env.local(printed)), 0o644);
    }
}

#[test]
fn adjacent_slashes_in_keys() {
    let env = TestEnv::new();
    env.put("/a/b///c////file1.txt", b"x");
    let out = env.run(&["cp", "s3://bkt//a/b///c////file1.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt//a/b///c////file1.txt file1.txt\n");
    assert_eq!(env.read_file("file1.txt").unwrap(), b"x");
    let out = env.run(&["cp", "s3://bkt//a/b///c////file1.txt", "dir/"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "cp s3://bkt//a/b///c////file1.txt dir/file1.txt\n"
    );
}

#[test]
fn json_record() {
    let env = TestEnv::new();
    env.put("testfile1.txt", &[b'a'; 22]);
    env.put("empty", b"");
    let out = env.run(&["--json", "cp", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    let r = &out.records()[0];
    assert!(r.success);
    assert_eq!(r.operation, "cp");
    assert_eq!(r.source.as_deref(), Some("s3://bkt/testfile1.txt"));
    assert_eq!(r.destination.as_deref(), Some("testfile1.txt"));
    let o = r.object.as_ref().unwrap();
    assert_eq!((o.kind.as_str(), o.size), ("file", Some(22)));
    let out = env.run(&["--json", "cp", "s3://bkt/empty", "."]);
    out.ok();
    assert_eq!(out.records()[0].object.as_ref().unwrap().size, Some(0));
    assert_eq!(env.read_file("empty").unwrap(), b"");
}

#[test]
fn validation_errors() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"x");
    env.put("prefix/file1.txt", b"x");
    let out = env.run(&["cp", "s3://bkt/testfile1.txt", "*"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"cp s3://bkt/testfile1.txt *\": target \"*\" can not contain glob characters\n"
    );
    let out = env.run(&["cp", "s3://bkt/prefix/", "."]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"cp s3://bkt/prefix/ .\": source argument must contain wildcard character\n"
    );
    assert!(env.files().is_empty());
}

fn put_all(env: &TestEnv, keys: &[&str]) {
    for k in keys {
        env.put(k, k.as_bytes());
    }
}

#[test]
fn flatten() {
    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "testfile1.txt",
            "a/readme.md",
            "a/filename-with-hypen.gz",
            "b/another_test_file.txt",
        ],
    );
    let out = env.run(&["cp", "--flatten", "s3://bkt/*", "."]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/a/filename-with-hypen.gz filename-with-hypen.gz",
            "cp s3://bkt/a/readme.md readme.md",
            "cp s3://bkt/b/another_test_file.txt another_test_file.txt",
            "cp s3://bkt/testfile1.txt testfile1.txt",
        ])
    );
    assert_eq!(
        env.files(),
        sorted(&[
            "another_test_file.txt",
            "filename-with-hypen.gz",
            "readme.md",
            "testfile1.txt"
        ])
    );
    assert_eq!(env.read_file("readme.md").unwrap(), b"a/readme.md");
}

#[test]
fn flatten_with_patterns() {
    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "testfile1.txt",
            "readme.md",
            "filename-with-hypen.gz",
            "dir/another_test_file.txt",
        ],
    );
    let out = env.run(&["cp", "--flatten", "s3://bkt/*.txt", "."]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/dir/another_test_file.txt another_test_file.txt",
            "cp s3://bkt/testfile1.txt testfile1.txt",
        ])
    );
    let env = TestEnv::new();
    put_all(&env, &["testfile1.txt", "a/readme.md", "a/b/testfile2.txt"]);
    let out = env.run(&["cp", "--flatten", "s3://bkt/*/*.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt/a/b/testfile2.txt testfile2.txt\n");
}

#[test]
fn wildcard_recreates_the_tree() {
    let env = TestEnv::new();
    let keys = [
        "testfile1.txt",
        "a/readme.md",
        "a/b/filename-with-hypen.gz",
        "b/another_test_file.txt",
        "c/d/e/another_test_file.txt",
    ];
    put_all(&env, &keys);
    let out = env.run(&["cp", "s3://bkt/*", "."]);
    out.ok();
    let want: Vec<String> = keys
        .iter()
        .map(|k| format!("cp s3://bkt/{k} {k}"))
        .collect();
    let mut want = want;
    want.sort();
    assert_eq!(out.sorted(), want);
    assert_eq!(env.files(), sorted(&keys));
    assert_eq!(
        env.read_file("c/d/e/another_test_file.txt").unwrap(),
        b"c/d/e/another_test_file.txt"
    );
    let env2 = TestEnv::new();
    put_all(&env2, &keys);
    let out = env2.run(&["cp", "s3://bkt/*/*.txt", "."]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/b/another_test_file.txt b/another_test_file.txt",
            "cp s3://bkt/c/d/e/another_test_file.txt c/d/e/another_test_file.txt",
        ])
    );
}

#[test]
fn wildcard_into_a_new_directory() {
    let env = TestEnv::new();
    put_all(&env, &["f1.txt", "f2.txt", "a/f3.txt", "a/b/f4.txt"]);
    let out = env.run(&["cp", "s3://bkt/*", "given-directory"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/a/b/f4.txt given-directory/a/b/f4.txt",
            "cp s3://bkt/a/f3.txt given-directory/a/f3.txt",
            "cp s3://bkt/f1.txt given-directory/f1.txt",
            "cp s3://bkt/f2.txt given-directory/f2.txt",
        ])
    );
    assert_eq!(
        env.read_file("given-directory/a/b/f4.txt").unwrap(),
        b"a/b/f4.txt"
    );
}

#[test]
fn overwrite_rules() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"this is the content\n");
    env.write_file("testfile1.txt", b"this is the content");
    // -n alone: skip, reported at debug level on stderr.
    let out = env.run(&["--log=debug", "cp", "-n", "s3://bkt/testfile1.txt", "."]);
    out.code(0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "DEBUG \"cp s3://bkt/testfile1.txt testfile1.txt\": object already exists\n"
    );
    assert_eq!(
        env.read_file("testfile1.txt").unwrap(),
        b"this is the content"
    );
    // -n -s: sizes differ, overwritten.
    let out = env.run(&["cp", "-n", "-s", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt/testfile1.txt testfile1.txt\n");
    assert_eq!(
        env.read_file("testfile1.txt").unwrap(),
        b"this is the content\n"
    );
    // -s with equal sizes: skipped (JSON: success with a reason).
    let out = env.run(&["--json", "cp", "-s", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    let r = &out.records()[0];
    assert!(r.success);
    assert_eq!(r.skipped.as_deref(), Some("object size matches"));
    // Plain cp overwrites.
    env.write_file("testfile1.txt", b"old");
    let out = env.run(&["cp", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    assert_eq!(
        env.read_file("testfile1.txt").unwrap(),
        b"this is the content\n"
    );
}

#[test]
fn if_source_newer() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"remote");
    env.write_file("testfile1.txt", b"local");
    env.set_mtime("testfile1.txt", -60);
    let out = env.run(&["cp", "-n", "-u", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt/testfile1.txt testfile1.txt\n");
    assert_eq!(env.read_file("testfile1.txt").unwrap(), b"remote");

    env.write_file("testfile1.txt", b"local");
    env.set_mtime("testfile1.txt", 60);
    let out = env.run(&[
        "--log=debug",
        "cp",
        "-n",
        "-u",
        "s3://bkt/testfile1.txt",
        ".",
    ]);
    out.code(0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "DEBUG \"cp s3://bkt/testfile1.txt testfile1.txt\": object is newer or same age\n"
    );
    assert_eq!(env.read_file("testfile1.txt").unwrap(), b"local");
    // Without --log=debug the skip prints nothing at all.
    let out = env.run(&["cp", "-u", "s3://bkt/testfile1.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "");
}

#[test]
fn size_and_newer_into_hidden_dirs() {
    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "config/.local/folder1/file1.txt",
            "config/.local/folder2/file2.txt",
        ],
    );
    let w = env.path().to_str().unwrap().to_string();
    let out = env.run(&[
        "cp",
        "-u",
        "-s",
        "s3://bkt/config/.local/*",
        &format!("{w}/.local"),
    ]);
    out.ok();
    assert_eq!(
        out.sorted(),
        vec![
            format!("cp s3://bkt/config/.local/folder1/file1.txt {w}/.local/folder1/file1.txt"),
            format!("cp s3://bkt/config/.local/folder2/file2.txt {w}/.local/folder2/file2.txt"),
        ]
    );
    assert_eq!(mode(&env.local(".local/folder1")), 0o755);
    assert_eq!(mode(&env.local(".local/folder1/file1.txt")), 0o644);
}

#[test]
fn missing_object_creates_nothing_and_keeps_files() {
    let env = TestEnv::new();
    let out = env.run(&["cp", "s3://bkt/testfile1.txt", "testfile1.txt"]);
    out.code(1);
    assert!(
        out.stderr
            .starts_with("ERROR \"cp s3://bkt/testfile1.txt testfile1.txt\": NoSuchKey"),
        "{}",
        out.stderr
    );
    assert!(env.files().is_empty());
    env.write_file("testfile1.txt", b"precious");
    let out = env.run(&["--json", "cp", "s3://bkt/testfile1.txt", "testfile1.txt"]);
    out.code(1);
    let r = &out.records()[0];
    assert!(!r.success);
    assert_eq!(r.error_kind.as_deref(), Some("no_such_key"));
    assert_eq!(
        r.command.as_deref(),
        Some("cp s3://bkt/testfile1.txt testfile1.txt")
    );
    assert_eq!(env.files(), ["testfile1.txt"]);
    assert_eq!(env.read_file("testfile1.txt").unwrap(), b"precious");
}

#[test]
fn multipart_download_with_progress() {
    let env = TestEnv::new();
    let data: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    env.put("log.txt", &data);
    let out = env.run(&[
        "cp",
        "--show-progress",
        "--concurrency",
        "3",
        "--part-size",
        "1",
        "s3://bkt/log.txt",
        ".",
    ]);
    out.code(0);
    assert_eq!(env.read_file("log.txt").unwrap(), data);
    assert_eq!(env.files(), ["log.txt"]);
}

#[test]
fn dry_run_changes_nothing() {
    let env = TestEnv::new();
    put_all(&env, &["file1.txt", "c/file2.txt"]);
    let out = env.run(&["--dry-run", "cp", "s3://bkt/*", "dir/"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/c/file2.txt dir/c/file2.txt",
            "cp s3://bkt/file1.txt dir/file1.txt"
        ])
    );
    assert!(!env.local("dir").exists());
}

#[test]
fn exclude_and_include() {
    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "file1.txt",
            "file2.txt",
            "file.py",
            "a.py",
            "src/file.py",
            "main.c",
        ],
    );
    let out = env.run(&["cp", "--exclude", "*.py", "s3://bkt/*", "."]);
    out.ok();
    assert_eq!(env.files(), sorted(&["file1.txt", "file2.txt", "main.c"]));
    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "file1.txt",
            "file2.txt",
            "file.py",
            "a.py",
            "src/file.py",
            "main.c",
        ],
    );
    let out = env.run(&[
        "cp",
        "--exclude",
        "*.py",
        "--exclude",
        "file*",
        "s3://bkt/*",
        ".",
    ]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt/main.c main.c\n");
}

#[test]
fn exclude_relative_to_a_partial_prefix() {
    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "abc/file.txt",
            "abc/file2.txt",
            "abc/abc/file3.txt",
            "abcd/main.py",
            "ab/file.py",
            "a/helper.c",
            "abc.pdf",
        ],
    );
    let out = env.run(&["cp", "--exclude", "*.txt", "s3://bkt/abc*", "."]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/abc.pdf abc.pdf",
            "cp s3://bkt/abcd/main.py abcd/main.py"
        ])
    );
}

#[test]
fn include_filters() {
    let env = TestEnv::new();
    put_all(
        &env,
        &["file1.py", "file2.py", "file.txt", "a.txt", "src/file.txt"],
    );
    let out = env.run(&["cp", "--include", "*.py", "s3://bkt/*", "."]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp s3://bkt/file1.py file1.py",
            "cp s3://bkt/file2.py file2.py"
        ])
    );

    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "file1.py",
            "file2.py",
            "test.py",
            "app.py",
            "docs/readme.md",
        ],
    );
    let out = env.run(&[
        "cp",
        "--include",
        "file*",
        "--exclude",
        "*.py",
        "s3://bkt/*",
        ".",
    ]);
    out.ok();
    assert_eq!(out.stdout, "");
    assert!(env.files().is_empty());

    let env = TestEnv::new();
    put_all(
        &env,
        &[
            "file1.py",
            "file2.py",
            "file1.go",
            "file2.go",
            "test.py",
            "app.py",
            "app.go",
            "vendor/package.go",
            "docs/readme.md",
        ],
    );
    let out = env.run(&[
        "cp",
        "--exclude",
        "file*",
        "--exclude",
        "vendor/*",
        "--include",
        "*.py",
        "--include",
        "*.go",
        "s3://bkt/*",
        ".",
    ]);
    out.ok();
    assert_eq!(env.files(), sorted(&["app.go", "app.py", "test.py"]));
}

#[test]
fn raw_keys() {
    let env = TestEnv::new();
    put_all(&env, &["file*.txt", "file*1.txt", "file*2.txt"]);
    let out = env.run(&["cp", "--raw", "s3://bkt/file*.txt", "."]);
    out.ok();
    assert_eq!(out.stdout, "cp s3://bkt/file*.txt file*.txt\n");
    assert_eq!(env.files(), ["file*.txt"]);
    let out = env.run(&["cp", "s3://bkt/file*.txt", "d/"]);
    out.ok();
    assert_eq!(out.lines().len(), 3);

    let env = TestEnv::new();
    put_all(&env, &["a*/file.txt", "a*/file1.txt", "a*/file2.txt"]);
    let out = env.run(&["cp", "s3://bkt/a*/file.txt", "."]);
    out.ok();
    assert_eq!(env.files(), ["a*/file.txt"]);
}

#[test]
fn rename_onto_a_directory_fails_and_leaves_no_temp_file() {
    let env = TestEnv::new();
    put_all(&env, &["up1/f1.txt", "up1/f2.txt"]);
    std::fs::create_dir_all(env.local("pf/f1.txt")).unwrap();
    let out = env.run(&["cp", "s3://bkt/up1/*", "pf/"]);
    out.code(1);
    assert_eq!(out.stdout, "cp s3://bkt/up1/f2.txt pf/f2.txt\n");
    assert!(
        out.stderr
            .starts_with("ERROR \"cp s3://bkt/up1/f1.txt pf/f1.txt\": "),
        "{}",
        out.stderr
    );
    let names: Vec<String> = std::fs::read_dir(env.local("pf"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        sorted(&names.iter().map(String::as_str).collect::<Vec<_>>()),
        ["f1.txt", "f2.txt"]
    );
}

#[test]
fn downloads_get_the_object_mtime() {
    let env = TestEnv::new();
    env.put("plain.txt", b"x");
    let lm = env.head_in("bkt", "plain.txt").last_modified.unwrap();
    // Uploaded by s5rs: the file's mtime travels in `mtime` metadata.
    env.write_file("src.txt", b"y");
    env.set_mtime("src.txt", -86_400);
    let want = std::fs::metadata(env.local("src.txt"))
        .unwrap()
        .modified()
        .unwrap();
    env.run(&["cp", "src.txt", "s3://bkt/"]).ok();
    env.run(&["cp", "s3://bkt/plain.txt", "s3://bkt/src.txt", "out/"])
        .code(2);
    env.run(&["cp", "s3://bkt/*.txt", "out/"]).ok();
    let got = std::fs::metadata(env.local("out/src.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let diff = got.duration_since(want).unwrap_or_else(|e| e.duration());
    assert!(diff.as_millis() < 1000, "mtime {got:?} vs {want:?}");
    let got: chrono::DateTime<chrono::Utc> = std::fs::metadata(env.local("out/plain.txt"))
        .unwrap()
        .modified()
        .unwrap()
        .into();
    assert!((got - lm).num_milliseconds().abs() < 1000, "{got} vs {lm}");
}

/// Many small downloads into one directory go through the file-system threads
/// (`storage/fs_pool.rs`) in batches: every file lands whole, with its own mtime;
/// the one whose rename fails (its destination is a directory) is reported, and no
/// temp file is left anywhere.
#[test]
fn many_small_downloads_into_one_directory_land_whole_with_their_mtimes() {
    let env = TestEnv::new();
    let n = 400usize;
    let body = |i: usize| -> Vec<u8> { (0..(i * 7) % 3000).map(|j| (i * 31 + j) as u8).collect() };
    let name = |i: usize| format!("f{i:04}.bin");
    for i in 0..n {
        env.write_file(&format!("src/{}", name(i)), &body(i));
        // Minutes apart: a file stamped with another file's mtime is caught.
        env.set_mtime(&format!("src/{}", name(i)), -(i as i64 * 60 + 7));
    }
    env.run(&["cp", "src/*", "s3://bkt/up/"]).ok();
    // Object 200's destination is a directory that is not empty: its rename fails.
    let blocked = name(200);
    env.write_file(&format!("out/{blocked}/keep"), b"k");
    let out = env.run(&["--numworkers", "64", "cp", "s3://bkt/up/*", "out/"]);
    out.code(1);
    assert_eq!(out.lines().len(), n - 1, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "ERROR \"cp s3://bkt/up/{blocked} out/{blocked}\": "
        )),
        "{}",
        out.stderr
    );
    for i in (0..n).filter(|&i| i != 200) {
        let rel = format!("out/{}", name(i));
        assert_eq!(env.read_file(&rel).unwrap(), body(i), "{rel}");
        let want = std::fs::metadata(env.local(&format!("src/{}", name(i))))
            .unwrap()
            .modified()
            .unwrap();
        let got = std::fs::metadata(env.local(&rel))
            .unwrap()
            .modified()
            .unwrap();
        let diff = got.duration_since(want).unwrap_or_else(|e| e.duration());
        assert!(diff.as_millis() < 1000, "{rel}: mtime {got:?} vs {want:?}");
    }
    let mut expected: Vec<String> = (0..n)
        .filter(|&i| i != 200)
        .map(|i| format!("out/{}", name(i)))
        .collect();
    expected.push(format!("out/{blocked}/keep"));
    expected.sort();
    let files: Vec<String> = env
        .files()
        .into_iter()
        .filter(|f| f.starts_with("out/"))
        .collect();
    assert_eq!(files, expected, "no temp file left, nothing else written");
}
