//! `cp` local→S3 acceptance cases (reference §8.4): keys from relative paths, globs,
//! flatten, raw paths, headers and metadata, overwrite rules, symlinks, special files,
//! dry runs and failures.

mod common;

use common::{TestEnv, sorted};

#[test]
fn content_type_is_sniffed_and_headers_are_sent() {
    let env = TestEnv::new();
    env.write_file("dir/index", b"<html><body>hi</body></html>");
    let out = env.run(&[
        "cp",
        "--content-disposition",
        "inline",
        "dir/index",
        "s3://bkt/",
    ]);
    out.ok();
    assert_eq!(out.stdout, "cp dir/index s3://bkt/index\n");
    let m = env.head_in("bkt", "index");
    assert_eq!(
        m.content.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(m.content.content_disposition.as_deref(), Some("inline"));
}

#[test]
fn headers_flags() {
    let env = TestEnv::new();
    env.write_file("f.txt", b"data");
    let out = env.run(&[
        "cp",
        "--cache-control",
        "public, max-age=3600",
        "--expires",
        "2025-01-01T00:00:00Z",
        "--content-type",
        "text/html; charset=utf-8",
        "--content-disposition",
        "inline",
        "--content-encoding",
        "utf-8",
        "f.txt",
        "s3://bkt/",
    ]);
    out.ok();
    let m = env.head_in("bkt", "f.txt");
    assert_eq!(
        m.content.cache_control.as_deref(),
        Some("public, max-age=3600")
    );
    assert_eq!(
        m.content.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(m.content.content_encoding.as_deref(), Some("utf-8"));
    assert_eq!(m.content.content_disposition.as_deref(), Some("inline"));
    assert_eq!(
        m.content.expires.as_deref(),
        Some("Wed, 01 Jan 2025 00:00:00 GMT")
    );
}

#[test]
fn content_type_by_extension_and_flag() {
    let env = TestEnv::new();
    env.write_file("a.txt", b"plain");
    env.write_file("d/x.bin", b"\x00\x01\x02");
    env.write_file("d/y.txt", b"yy");
    env.run(&["cp", "a.txt", "s3://bkt/"]).ok();
    assert_eq!(
        env.head_in("bkt", "a.txt").content.content_type.as_deref(),
        Some("text/plain; charset=utf-8")
    );
    env.run(&["cp", "d/x.bin", "s3://bkt/"]).ok();
    assert_eq!(
        env.head_in("bkt", "x.bin").content.content_type.as_deref(),
        Some("application/octet-stream")
    );
    env.run(&["cp", "--content-type", "video/mp4", "a.txt", "s3://bkt/m/"])
        .ok();
    assert_eq!(
        env.head_in("bkt", "m/a.txt")
            .content
            .content_type
            .as_deref(),
        Some("video/mp4")
    );
    env.run(&["cp", "--content-type", "video/avi", "d/*", "s3://bkt/v/"])
        .ok();
    for k in ["v/x.bin", "v/y.txt"] {
        assert_eq!(
            env.head_in("bkt", k).content.content_type.as_deref(),
            Some("video/avi"),
            "{k}"
        );
    }
}

#[test]
fn user_metadata() {
    let env = TestEnv::new();
    env.write_file("f.txt", b"data");
    env.run(&[
        "cp",
        "--metadata",
        "Key1=foo",
        "--metadata",
        "Key2=bar=baz",
        "f.txt",
        "s3://bkt/",
    ])
    .ok();
    let m = env.head_in("bkt", "f.txt");
    assert_eq!(m.metadata.get("key1").map(String::as_str), Some("foo"));
    assert_eq!(m.metadata.get("key2").map(String::as_str), Some("bar=baz"));
    assert!(m.metadata.contains_key("mtime"), "{:?}", m.metadata);
}

#[test]
fn prefixes_are_kept_verbatim() {
    let env = TestEnv::new();
    env.write_file("index.txt", b"i");
    for prefix in [
        "/a/b/",
        "a//b/",
        "a/b//",
        "/a///b/",
        "a//b///",
        "a//b//c//d///",
        "bar/s3://",
    ] {
        let dst = format!("s3://bkt/{prefix}");
        let out = env.run(&["cp", "index.txt", &dst]);
        out.ok();
        assert_eq!(
            out.stdout,
            format!("cp index.txt s3://bkt/{prefix}index.txt\n")
        );
        assert_eq!(
            env.get(&format!("{prefix}index.txt")).as_deref(),
            Some(&b"i"[..]),
            "{prefix}"
        );
    }
}

#[test]
fn json_record() {
    let env = TestEnv::new();
    env.write_file("dir/testfile1.txt", &[b'a'; 19]);
    env.write_file("empty", b"");
    let out = env.run(&["--json", "cp", "dir/testfile1.txt", "s3://bkt/"]);
    out.ok();
    let r = &out.records()[0];
    assert_eq!(r.operation, "cp");
    assert!(r.success);
    assert_eq!(r.source.as_deref(), Some("dir/testfile1.txt"));
    assert_eq!(r.destination.as_deref(), Some("s3://bkt/testfile1.txt"));
    let o = r.object.as_ref().unwrap();
    assert_eq!((o.kind.as_str(), o.size), ("file", Some(19)));
    let out = env.run(&["--json", "cp", "empty", "s3://bkt/"]);
    out.ok();
    assert_eq!(out.records()[0].object.as_ref().unwrap().size, Some(0));
    assert_eq!(env.get("empty").unwrap(), b"");
}

fn tree(env: &TestEnv) {
    for f in ["dir/file1.txt", "dir/readme.md", "dir/c/file2.txt"] {
        env.write_file(f, f.as_bytes());
    }
}

#[test]
fn directory_with_trailing_slash() {
    let env = TestEnv::new();
    tree(&env);
    let out = env.run(&["cp", "dir/", "s3://bkt/"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp dir/c/file2.txt s3://bkt/c/file2.txt",
            "cp dir/file1.txt s3://bkt/file1.txt",
            "cp dir/readme.md s3://bkt/readme.md",
        ])
    );
    assert_eq!(env.get("c/file2.txt").unwrap(), b"dir/c/file2.txt");
    let env = TestEnv::new();
    tree(&env);
    env.run(&["cp", "--flatten", "dir/", "s3://bkt/"]).ok();
    assert_eq!(env.keys(), sorted(&["file1.txt", "file2.txt", "readme.md"]));
}

#[test]
fn directory_without_trailing_slash_keeps_its_name() {
    let env = TestEnv::new();
    tree(&env);
    env.run(&["cp", "dir", "s3://bkt/p/"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&["p/dir/c/file2.txt", "p/dir/file1.txt", "p/dir/readme.md"])
    );
}

#[test]
fn backslash_in_names() {
    let env = TestEnv::new();
    env.write_file("dir/t\\est/filetest.txt", b"x");
    env.run(&["cp", "dir/", "s3://bkt/"]).ok();
    assert_eq!(env.keys(), ["t\\est/filetest.txt"]);
}

fn tree2(env: &TestEnv) {
    for f in [
        "dir/testfile1.txt",
        "dir/readme.md",
        "dir/a/another_test_file.txt",
        "dir/b/filename-with-hypen.gz",
    ] {
        env.write_file(f, f.as_bytes());
    }
}

#[test]
fn globs_and_flatten() {
    let env = TestEnv::new();
    tree2(&env);
    env.run(&["cp", "dir/*", "s3://bkt/"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&[
            "a/another_test_file.txt",
            "b/filename-with-hypen.gz",
            "readme.md",
            "testfile1.txt"
        ])
    );
    let env = TestEnv::new();
    tree2(&env);
    env.run(&["cp", "--flatten", "dir/*", "s3://bkt/"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&[
            "another_test_file.txt",
            "filename-with-hypen.gz",
            "readme.md",
            "testfile1.txt"
        ])
    );
    let env = TestEnv::new();
    tree2(&env);
    env.run(&["cp", "dir/*", "s3://bkt/prefix/"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&[
            "prefix/a/another_test_file.txt",
            "prefix/b/filename-with-hypen.gz",
            "prefix/readme.md",
            "prefix/testfile1.txt"
        ])
    );
    let env = TestEnv::new();
    tree2(&env);
    let out = env.run(&["cp", "--flatten", "dir/", "s3://bkt/prefix/"]);
    out.ok();
    assert!(
        out.stdout
            .contains("cp dir/b/filename-with-hypen.gz s3://bkt/prefix/filename-with-hypen.gz\n")
    );
}

#[test]
fn glob_in_the_middle() {
    let env = TestEnv::new();
    env.write_file("dir/parent/child1/name.txt", b"1");
    env.write_file("dir/parent/child2/name.txt", b"2");
    for pattern in ["dir/parent/*/name.txt", "dir/parent/c*/name.txt"] {
        let out = env.run(&["cp", pattern, "s3://bkt/newfolder/"]);
        out.ok();
        assert_eq!(
            out.sorted(),
            sorted(&[
                "cp dir/parent/child1/name.txt s3://bkt/newfolder/child1/name.txt",
                "cp dir/parent/child2/name.txt s3://bkt/newfolder/child2/name.txt",
            ])
        );
    }
    let out = env.run(&["cp", "dir/parent/c*1/name.txt", "s3://bkt/one/"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "cp dir/parent/child1/name.txt s3://bkt/one/child1/name.txt\n"
    );
}

#[test]
fn batch_source_needs_a_prefix() {
    let env = TestEnv::new();
    tree2(&env);
    let out = env.run(&["cp", "dir/*", "s3://bkt/prefix"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"cp dir/* s3://bkt/prefix\": target \"s3://bkt/prefix\" must be a bucket or a prefix\n"
    );
    let out = env.run(&["cp", "dir/", "s3://bkt/prefix"]);
    out.code(1);
    assert_eq!(
        out.stderr,
        "ERROR \"cp dir/ s3://bkt/prefix\": target \"s3://bkt/prefix\" must be a bucket or a prefix\n"
    );
    assert!(env.keys().is_empty());
}

#[test]
fn glob_matching_directories() {
    let env = TestEnv::new();
    for f in [
        "abc*/file1.txt",
        "abc*/file2.txt",
        "abcd/file1.txt",
        "abcde/file1.txt",
        "abcde/file2.txt",
    ] {
        env.write_file(&format!("dir/{f}"), b"x");
    }
    env.run(&["cp", "dir/abc*", "s3://bkt"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&[
            "abc*/file1.txt",
            "abc*/file2.txt",
            "abcd/file1.txt",
            "abcde/file1.txt",
            "abcde/file2.txt"
        ])
    );
}

#[test]
fn overwrite_rules() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"old content");
    env.write_file("testfile1.txt", b"newer content");
    let out = env.run(&["--log=debug", "cp", "-n", "testfile1.txt", "s3://bkt"]);
    out.code(0);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "DEBUG \"cp testfile1.txt s3://bkt/testfile1.txt\": object already exists\n"
    );
    assert_eq!(env.get("testfile1.txt").unwrap(), b"old content");
    let out = env.run(&["cp", "-n", "-s", "testfile1.txt", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "cp testfile1.txt s3://bkt/testfile1.txt\n");
    assert_eq!(env.get("testfile1.txt").unwrap(), b"newer content");
    let out = env.run(&["cp", "testfile1.txt", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "cp testfile1.txt s3://bkt/testfile1.txt\n");
    let out = env.run(&["cp", "-n", "testfile1.txt", "s3://bkt/other.txt"]);
    out.ok();
    assert_eq!(env.get("other.txt").unwrap(), b"newer content");
}

#[test]
fn if_source_newer() {
    let env = TestEnv::new();
    env.put("testfile1.txt", b"remote");
    env.write_file("testfile1.txt", b"local1");
    env.set_mtime("testfile1.txt", 60);
    let out = env.run(&["cp", "-n", "-u", "testfile1.txt", "s3://bkt"]);
    out.ok();
    assert_eq!(env.get("testfile1.txt").unwrap(), b"local1");
    env.write_file("testfile1.txt", b"local2");
    env.set_mtime("testfile1.txt", -3600);
    let out = env.run(&["--log=debug", "cp", "-n", "-u", "testfile1.txt", "s3://bkt"]);
    out.code(0);
    assert_eq!(
        out.stderr,
        "DEBUG \"cp testfile1.txt s3://bkt/testfile1.txt\": object is newer or same age\n"
    );
    assert_eq!(env.get("testfile1.txt").unwrap(), b"local1");
    // -u after an upload of the same file: the stored mtime equals the file's, no re-upload.
    env.run(&["cp", "testfile1.txt", "s3://bkt"]).ok();
    let out = env.run(&["--json", "cp", "-u", "testfile1.txt", "s3://bkt"]);
    out.ok();
    assert_eq!(
        out.records()[0].skipped.as_deref(),
        Some("object is newer or same age")
    );
}

#[test]
fn any_readable_mode_uploads() {
    use std::os::unix::fs::PermissionsExt;
    let env = TestEnv::new();
    for m in [0o400, 0o440, 0o444, 0o600, 0o644, 0o700, 0o755] {
        let p = env.write_file("testfile1.txt", b"x");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(m)).unwrap();
        env.run(&["cp", "testfile1.txt", "s3://bkt/testfile1.txt"])
            .ok();
        assert_eq!(common::mode(&p), m);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

#[test]
fn destination_forms() {
    let env = TestEnv::new();
    env.write_file("testfile1.txt", b"x");
    env.run(&["cp", "testfile1.txt", "s3://bkt/s5cmdtest/"])
        .ok();
    env.run(&["cp", "testfile1.txt", "s3://bkt"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&["s5cmdtest/testfile1.txt", "testfile1.txt"])
    );
}

#[test]
fn star_in_the_working_directory() {
    let env = TestEnv::new();
    for f in ["a/file1.txt", "a/readme.md", "b/c/file2.txt"] {
        env.write_file(f, b"x");
    }
    let out = env.run(&["cp", "*", "s3://bkt/prefix/"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp a/file1.txt s3://bkt/prefix/a/file1.txt",
            "cp a/readme.md s3://bkt/prefix/a/readme.md",
            "cp b/c/file2.txt s3://bkt/prefix/b/c/file2.txt",
        ])
    );
}

#[test]
fn symlinks() {
    use std::os::unix::fs::symlink;
    let env = TestEnv::new();
    env.write_file("a/f1.txt", b"target");
    std::fs::create_dir_all(env.local("b")).unwrap();
    std::fs::create_dir_all(env.local("c")).unwrap();
    symlink("../a/f1.txt", env.local("b/link1")).unwrap();
    symlink("../b/link1", env.local("c/link2")).unwrap();
    let out = env.run(&["cp", "--no-follow-symlinks", "b/link1", "s3://bkt/prefix/"]);
    out.ok();
    assert_eq!(out.stdout, "");
    assert!(env.keys().is_empty());
    let out = env.run(&["cp", "--no-follow-symlinks", "*", "s3://bkt/prefix/"]);
    out.ok();
    assert_eq!(out.stdout, "cp a/f1.txt s3://bkt/prefix/a/f1.txt\n");
    env.run(&["cp", "*", "s3://bkt/prefix/"]).ok();
    assert_eq!(
        env.keys(),
        sorted(&["prefix/a/f1.txt", "prefix/b/link1", "prefix/c/link2"])
    );
    assert_eq!(env.get("prefix/c/link2").unwrap(), b"target");
}

#[test]
fn dangling_symlink_is_an_error() {
    let env = TestEnv::new();
    env.write_file("a/f1.txt", b"x");
    std::fs::create_dir_all(env.local("b")).unwrap();
    std::os::unix::fs::symlink("../a/nothere", env.local("b/link1")).unwrap();
    let out = env.run(&["cp", "*", "s3://bkt/prefix/"]);
    out.code(1);
    assert_eq!(out.stdout, "cp a/f1.txt s3://bkt/prefix/a/f1.txt\n");
    assert_eq!(
        out.stderr,
        "ERROR \"cp * s3://bkt/prefix/\": given object b/link1 not found\n"
    );
}

#[test]
fn dry_run_uploads_nothing() {
    let env = TestEnv::new();
    env.write_file("dir/a.txt", b"a");
    env.write_file("dir/b/c.txt", b"c");
    let out = env.run(&["--dry-run", "cp", "dir/", "s3://bkt/"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp dir/a.txt s3://bkt/a.txt",
            "cp dir/b/c.txt s3://bkt/b/c.txt"
        ])
    );
    assert!(env.keys().is_empty());
}

#[test]
fn raw_local_paths() {
    let env = TestEnv::new();
    for f in ["file*.txt", "file*1.txt", "file*file.txt", "file*2.txt"] {
        env.write_file(&format!("dir/{f}"), b"x");
    }
    let out = env.run(&["cp", "--raw", "dir/file*.txt", "s3://bkt"]);
    out.ok();
    assert_eq!(out.stdout, "cp dir/file*.txt s3://bkt/file*.txt\n");
    assert_eq!(env.keys(), ["file*.txt"]);
    env.run(&["cp", "dir/file*.txt", "s3://bkt/all/"]).ok();
    assert_eq!(env.keys().len(), 5);

    let env = TestEnv::new();
    for f in [
        "a*/file*.txt",
        "a*/file*1.txt",
        "a*b/file*.txt",
        "a*b/file*1.txt",
    ] {
        env.write_file(&format!("dir/{f}"), b"x");
    }
    let out = env.run(&["cp", "--raw", "dir/a*", "s3://bkt"]);
    out.ok();
    assert_eq!(
        out.sorted(),
        sorted(&[
            "cp dir/a*/file*.txt s3://bkt/a*/file*.txt",
            "cp dir/a*/file*1.txt s3://bkt/a*/file*1.txt"
        ])
    );
    let env = TestEnv::new();
    env.put("test*/file.txt", b"x");
    env.write_file("dir/testfile.txt", b"x");
    let out = env.run(&["cp", "--raw", "dir/testfile.txt", "s3://bkt/test*/"]);
    out.ok();
    assert_eq!(
        out.stdout,
        "cp dir/testfile.txt s3://bkt/test*/testfile.txt\n"
    );
}

#[test]
fn exclude_local_files() {
    for src in ["dir/", "dir//", "dir//*"] {
        let env = TestEnv::new();
        tree2(&env);
        env.run(&["cp", "--exclude", "*.gz", src, "s3://bkt/prefix/"])
            .ok();
        assert_eq!(
            env.keys(),
            sorted(&[
                "prefix/a/another_test_file.txt",
                "prefix/readme.md",
                "prefix/testfile1.txt"
            ]),
            "{src}"
        );
    }
    let env = TestEnv::new();
    tree2(&env);
    let out = env.run(&[
        "cp",
        "--exclude",
        "*.gz",
        "--exclude",
        "*.txt",
        "dir/",
        "s3://bkt/prefix/",
    ]);
    out.ok();
    assert_eq!(out.stdout, "cp dir/readme.md s3://bkt/prefix/readme.md\n");
}

#[test]
fn special_files_fail() {
    let env = TestEnv::new();
    let sock = env.local("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    let out = env.run(&["cp", "sock", "s3://bkt/"]);
    out.code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("is not a regular file"),
        "{}",
        out.stderr
    );
}

#[test]
fn unreachable_endpoint_fails() {
    let env = TestEnv::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut cmd = env.bare_command();
    let out = cmd
        .args([
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
            "-r",
            "0",
            "cp",
            "s3://bucket/*",
            "dir/",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn multipart_upload_and_small_part_size() {
    let env = TestEnv::new();
    let data: Vec<u8> = (0..12 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    env.write_file("big.bin", &data);
    let out = env.run(&["cp", "-p", "1", "big.bin", "s3://bkt/"]);
    out.code(1);
    assert!(
        out.stderr
            .contains("part size must be at least 5242880 bytes"),
        "{}",
        out.stderr
    );
    env.run(&["cp", "-p", "5", "-c", "2", "big.bin", "s3://bkt/"])
        .ok();
    assert_eq!(env.get("big.bin").unwrap(), data);
}
