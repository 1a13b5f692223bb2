//! Unit tests of the local backend against real temp directories: walk order and keys,
//! symlinks, non-regular files, globs, safe joins, temp files, mtimes.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use tempfile::TempDir;

use super::*;

/// What a listing item looks like, reduced for assertions.
#[derive(Debug, PartialEq, Eq)]
enum Got {
    /// An entry: key, kind, size.
    Entry(String, EntryKind, u64),
    /// An error: kind and message.
    Error(ErrorKind, String),
}

/// Drains a lister.
async fn drain(mut rx: Lister) -> Vec<Got> {
    let mut out = Vec::new();
    while let Some(item) = rx.recv().await {
        out.push(match item {
            Ok(o) => Got::Entry(o.key, o.kind, o.size),
            Err(e) => Got::Error(e.kind, e.message),
        });
    }
    out
}

/// Lists `path` with the given symlink policy.
async fn list(path: &str, follow: bool) -> Vec<Got> {
    let fs = LocalFs {
        follow_symlinks: follow,
    };
    drain(fs.list(ListRequest {
        prefix: path.to_string(),
        recursive: true,
        all_versions: false,
    }))
    .await
}

/// Keys of the entries, with `base` stripped; panics on error items.
fn keys(got: &[Got], base: &str) -> Vec<String> {
    got.iter()
        .map(|g| match g {
            Got::Entry(k, _, _) => k
                .strip_prefix(base)
                .unwrap_or_else(|| panic!("{k} does not start with {base}"))
                .to_string(),
            Got::Error(kind, m) => panic!("unexpected error {kind}: {m}"),
        })
        .collect()
}

/// Creates a file (and its parents) with `len` bytes.
fn touch(root: &Path, rel: &str, len: usize) {
    let p = root.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, vec![b'x'; len]).unwrap();
}

/// The temp dir's path as a string.
fn s(dir: &TempDir) -> String {
    dir.path().to_str().unwrap().to_string()
}

#[tokio::test]
async fn walk_is_in_byte_order_of_relative_path() {
    let t = TempDir::new().unwrap();
    for f in [
        "src/a-c",
        "src/a/b",
        "src/a/b-c/x",
        "src/a/b0/y",
        "src/a.txt",
        "src/a0",
        "src/é",
        "src/z",
        "src/Z",
        "src/a/b.d/q",
    ] {
        touch(t.path(), f, 1);
    }
    let got = list(&format!("{}/src", s(&t)), true).await;
    let rel = keys(&got, &format!("{}/src/", s(&t)));
    let expected = [
        "Z", "a-c", "a.txt", "a/b", "a/b-c/x", "a/b.d/q", "a/b0/y", "a0", "z", "é",
    ];
    assert_eq!(rel, expected);
    let mut sorted = rel.clone();
    sorted.sort();
    assert_eq!(rel, sorted, "byte order");
}

#[tokio::test]
async fn keys_start_with_the_path_as_given() {
    let t = TempDir::new().unwrap();
    touch(t.path(), "src/a/f2.txt", 3);
    touch(t.path(), "src/f1.txt", 2);
    let base = s(&t);
    for (given, prefix) in [
        (format!("{base}/src"), format!("{base}/src/")),
        (format!("{base}/src/"), format!("{base}/src/")),
        (format!("{base}/src//"), format!("{base}/src/")),
        (format!("{base}/./src"), format!("{base}/./src/")),
        (format!("{base}/./src/"), format!("{base}/./src/")),
    ] {
        let got = list(&given, true).await;
        assert_eq!(
            got,
            vec![
                Got::Entry(format!("{prefix}a/f2.txt"), EntryKind::File, 3),
                Got::Entry(format!("{prefix}f1.txt"), EntryKind::File, 2),
            ],
            "given {given}"
        );
    }
}

#[tokio::test]
async fn file_lists_itself_and_missing_root_is_no_such_key() {
    let t = TempDir::new().unwrap();
    touch(t.path(), "f.txt", 5);
    let p = format!("{}/f.txt", s(&t));
    let fs = LocalFs::default();
    let mut rx = fs.list(ListRequest {
        prefix: p.clone(),
        recursive: false,
        all_versions: false,
    });
    let one = rx.recv().await.unwrap().unwrap();
    assert!(rx.recv().await.is_none());
    assert_eq!(
        (one.key.as_str(), one.kind, one.size),
        (p.as_str(), EntryKind::File, 5)
    );
    let want = DateTime::<Utc>::from(fs::metadata(&p).unwrap().modified().unwrap());
    assert_eq!(one.last_modified, Some(want));

    let missing = format!("{}/nope", s(&t));
    assert_eq!(
        list(&missing, true).await,
        vec![Got::Error(
            ErrorKind::NoSuchKey,
            format!("given object {missing} not found")
        )]
    );
    // A file used as a directory is "not found" too.
    let under_file = format!("{p}/x");
    assert_eq!(
        list(&under_file, true).await,
        vec![Got::Error(
            ErrorKind::NoSuchKey,
            format!("given object {under_file} not found")
        )]
    );
}

#[tokio::test]
async fn empty_directory_lists_nothing() {
    let t = TempDir::new().unwrap();
    fs::create_dir_all(t.path().join("e/f/g")).unwrap();
    assert!(list(&format!("{}/e", s(&t)), true).await.is_empty());
}

#[tokio::test]
async fn default_follows_symlinks() {
    assert!(LocalFs::default().follow_symlinks);
}

#[tokio::test]
async fn symlinks_followed_or_skipped() {
    let t = TempDir::new().unwrap();
    let base = s(&t);
    touch(t.path(), "target/big.bin", 10);
    touch(t.path(), "src/a.txt", 1);
    symlink(
        t.path().join("target/big.bin"),
        t.path().join("src/link-file"),
    )
    .unwrap();
    symlink(t.path().join("target"), t.path().join("src/link-dir")).unwrap();

    let got = list(&format!("{base}/src"), true).await;
    assert_eq!(
        got,
        vec![
            Got::Entry(format!("{base}/src/a.txt"), EntryKind::File, 1),
            Got::Entry(format!("{base}/src/link-dir/big.bin"), EntryKind::File, 10),
            Got::Entry(format!("{base}/src/link-file"), EntryKind::File, 10),
        ]
    );
    let got = list(&format!("{base}/src"), false).await;
    assert_eq!(keys(&got, &format!("{base}/src/")), vec!["a.txt"]);

    // A symlink root: followed, or skipped silently.
    let got = list(&format!("{base}/src/link-file"), true).await;
    assert_eq!(
        got,
        vec![Got::Entry(
            format!("{base}/src/link-file"),
            EntryKind::File,
            10
        )]
    );
    assert!(
        list(&format!("{base}/src/link-file"), false)
            .await
            .is_empty()
    );
    assert!(
        list(&format!("{base}/src/link-dir"), false)
            .await
            .is_empty()
    );
    // With a trailing slash the OS resolves the link: the user named the directory.
    let got = list(&format!("{base}/src/link-dir/"), false).await;
    assert_eq!(
        keys(&got, &format!("{base}/src/link-dir/")),
        vec!["big.bin"]
    );
}

#[tokio::test]
async fn dangling_symlink_is_an_error_item_and_the_walk_goes_on() {
    let t = TempDir::new().unwrap();
    let base = s(&t);
    touch(t.path(), "d/a.txt", 1);
    touch(t.path(), "d/z.txt", 2);
    symlink(t.path().join("nowhere"), t.path().join("d/m-link")).unwrap();
    let got = list(&format!("{base}/d"), true).await;
    assert_eq!(
        got,
        vec![
            Got::Entry(format!("{base}/d/a.txt"), EntryKind::File, 1),
            Got::Error(
                ErrorKind::NoSuchKey,
                format!("given object {base}/d/m-link not found")
            ),
            Got::Entry(format!("{base}/d/z.txt"), EntryKind::File, 2),
        ]
    );
    // Not following: the dangling link is just skipped.
    let got = list(&format!("{base}/d"), false).await;
    assert_eq!(keys(&got, &format!("{base}/d/")), vec!["a.txt", "z.txt"]);
    // A dangling root.
    let got = list(&format!("{base}/d/m-link"), true).await;
    assert_eq!(
        got,
        vec![Got::Error(
            ErrorKind::NoSuchKey,
            format!("given object {base}/d/m-link not found")
        )]
    );
}

#[tokio::test]
async fn symlink_loop_is_reported_not_walked_forever() {
    let t = TempDir::new().unwrap();
    let base = s(&t);
    touch(t.path(), "d/sub/f.txt", 1);
    symlink("..", t.path().join("d/sub/up")).unwrap();
    symlink(".", t.path().join("d/self")).unwrap();
    let got = list(&format!("{base}/d"), true).await;
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        matches!(&got[0], Got::Error(ErrorKind::Io, m) if m.contains(&format!("{base}/d/self")) && m.contains("loop"))
    );
    assert_eq!(
        got[1],
        Got::Entry(format!("{base}/d/sub/f.txt"), EntryKind::File, 1)
    );
    assert!(
        matches!(&got[2], Got::Error(ErrorKind::Io, m) if m.contains(&format!("{base}/d/sub/up")) && m.contains("loop"))
    );
}

#[tokio::test]
async fn a_directory_linked_twice_is_walked_twice() {
    // Not a loop: the same directory reached by two paths is listed under both.
    let t = TempDir::new().unwrap();
    let base = s(&t);
    touch(t.path(), "shared/f", 1);
    fs::create_dir(t.path().join("d")).unwrap();
    symlink(t.path().join("shared"), t.path().join("d/l1")).unwrap();
    symlink(t.path().join("shared"), t.path().join("d/l2")).unwrap();
    let got = list(&format!("{base}/d"), true).await;
    assert_eq!(keys(&got, &format!("{base}/d/")), vec!["l1/f", "l2/f"]);
}

#[tokio::test]
async fn socket_is_other() {
    let t = TempDir::new().unwrap();
    let base = s(&t);
    touch(t.path(), "d/a.txt", 1);
    let _l = std::os::unix::net::UnixListener::bind(t.path().join("d/sock")).unwrap();
    let got = list(&format!("{base}/d"), true).await;
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0],
        Got::Entry(format!("{base}/d/a.txt"), EntryKind::File, 1)
    );
    assert!(
        matches!(&got[1], Got::Entry(k, EntryKind::Other, _) if *k == format!("{base}/d/sock"))
    );
}

#[tokio::test]
async fn unreadable_directory_is_an_error_item() {
    let t = TempDir::new().unwrap();
    let base = s(&t);
    touch(t.path(), "d/a/x", 1);
    touch(t.path(), "d/b/secret", 1);
    touch(t.path(), "d/c", 1);
    let locked = t.path().join("d/b");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    if fs::read_dir(&locked).is_ok() {
        // Running as root: permissions are not enforced; nothing to test.
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        return;
    }
    let got = list(&format!("{base}/d"), true).await;
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[0],
        Got::Entry(format!("{base}/d/a/x"), EntryKind::File, 1)
    );
    assert!(matches!(&got[1], Got::Error(ErrorKind::AccessDenied, m) if m.contains("d/b")));
    assert_eq!(
        got[2],
        Got::Entry(format!("{base}/d/c"), EntryKind::File, 1)
    );
}

#[tokio::test]
async fn dropping_the_lister_stops_the_walk() {
    let t = TempDir::new().unwrap();
    for i in 0..(LIST_CHANNEL_CAPACITY + 50) {
        touch(t.path(), &format!("d/f{i:05}"), 0);
    }
    let mut rx = LocalFs::default().list(ListRequest {
        prefix: format!("{}/d", s(&t)),
        recursive: true,
        all_versions: false,
    });
    let first = rx.recv().await.unwrap().unwrap();
    assert!(first.key.ends_with("/d/f00000"));
    drop(rx); // the blocked producer must notice and exit (the runtime shutting down proves it)
}

// ------------------------------------------------------------------ glob

/// Globs `pattern` under the temp dir and returns keys relative to it.
async fn glob_rel(t: &TempDir, pattern: &str, follow: bool) -> Vec<Got> {
    let base = format!("{}/", s(t));
    drain(glob(&format!("{base}{pattern}"), follow))
        .await
        .into_iter()
        .map(|g| match g {
            Got::Entry(k, kind, size) => {
                Got::Entry(k.strip_prefix(&base).unwrap().to_string(), kind, size)
            }
            e => e,
        })
        .collect()
}

/// Keys of a glob relative to the temp dir.
async fn glob_keys(t: &TempDir, pattern: &str) -> Vec<String> {
    keys(&glob_rel(t, pattern, true).await, "")
}

/// The tree of reference §8.2 cases 32–34, plus a nested dir.
fn glob_tree() -> TempDir {
    let t = TempDir::new().unwrap();
    for f in [
        "dir/main/try.txt",
        "dir/file1.txt",
        "dir/main.py",
        "dir/main.c",
        "dir/main.txt",
        "dir/main2.txt",
        "dir/readme.md",
        "dir/.hidden.txt",
        "dir/a-b/x.txt",
        "dir/sub/deep/f1.txt",
        "dir/sub/f2.txt",
        "dir/{a,b}.txt",
    ] {
        touch(t.path(), f, 1);
    }
    t
}

#[tokio::test]
async fn glob_star_stays_in_one_component() {
    let t = glob_tree();
    assert_eq!(
        glob_keys(&t, "dir/*.txt").await,
        vec![
            "dir/.hidden.txt",
            "dir/file1.txt",
            "dir/main.txt",
            "dir/main2.txt",
            "dir/{a,b}.txt"
        ]
    );
    assert_eq!(glob_keys(&t, "dir/*/f?.txt").await, vec!["dir/sub/f2.txt"]);
    assert_eq!(
        glob_keys(&t, "dir/*/*/f1.txt").await,
        vec!["dir/sub/deep/f1.txt"]
    );
    assert_eq!(glob_keys(&t, "dir/main?.*").await, vec!["dir/main2.txt"]);
    assert_eq!(glob_keys(&t, "dir/main[.2]txt").await, vec!["dir/main.txt"]);
    assert_eq!(glob_keys(&t, "dir/main[^.]*").await, vec!["dir/main2.txt"]);
    assert_eq!(
        glob_keys(&t, "d?r/sub/f2.txt").await,
        vec!["dir/sub/f2.txt"]
    );
    assert_eq!(glob_keys(&t, "dir/{a,b}.*").await, vec!["dir/{a,b}.txt"]);
    // A trailing slash keeps only directories (walked).
    assert_eq!(glob_keys(&t, "dir/ma*/").await, vec!["dir/main/try.txt"]);
}

#[tokio::test]
async fn glob_walks_directory_matches_in_byte_order() {
    let t = glob_tree();
    // `dir/*` is everything below dir; directories walked in place, byte order of path.
    let all = glob_keys(&t, "dir/*").await;
    assert_eq!(
        all,
        vec![
            "dir/.hidden.txt",
            "dir/a-b/x.txt",
            "dir/file1.txt",
            "dir/main.c",
            "dir/main.py",
            "dir/main.txt",
            "dir/main/try.txt",
            "dir/main2.txt",
            "dir/readme.md",
            "dir/sub/deep/f1.txt",
            "dir/sub/f2.txt",
            "dir/{a,b}.txt",
        ]
    );
    // The same as walking the directory.
    let walked = list(&format!("{}/dir", s(&t)), true).await;
    assert_eq!(keys(&walked, &format!("{}/", s(&t))), all);
    assert_eq!(
        glob_keys(&t, "di*").await,
        all,
        "a match that is the directory itself"
    );
    // `a` (dir) and `a-c` (file): `a-c` sorts before `a/…`.
    let t2 = TempDir::new().unwrap();
    touch(t2.path(), "r/a/b", 1);
    touch(t2.path(), "r/a-c", 1);
    touch(t2.path(), "r/a0", 1);
    assert_eq!(glob_keys(&t2, "r/a*").await, vec!["r/a-c", "r/a/b", "r/a0"]);
}

#[tokio::test]
async fn glob_keeps_the_literal_prefix_as_written() {
    let t = glob_tree();
    let base = s(&t);
    let got = drain(glob(&format!("{base}/./dir/m*.py"), true)).await;
    assert_eq!(
        got,
        vec![Got::Entry(
            format!("{base}/./dir/main.py"),
            EntryKind::File,
            1
        )]
    );
}

#[tokio::test]
async fn glob_no_match_and_bad_pattern() {
    let t = glob_tree();
    let pattern = format!("{}/dir/nofile*", s(&t));
    assert_eq!(
        drain(glob(&pattern, true)).await,
        vec![Got::Error(
            ErrorKind::NoMatch,
            format!("no match found for \"{pattern}\"")
        )]
    );
    let pattern = format!("{}/nodir/*/x", s(&t));
    assert!(matches!(
        &drain(glob(&pattern, true)).await[..],
        [Got::Error(ErrorKind::NoMatch, _)]
    ));
    let got = drain(glob(&format!("{}/dir/[a-*", s(&t)), true)).await;
    assert!(
        matches!(&got[..], [Got::Error(ErrorKind::Usage, _)]),
        "{got:?}"
    );
}

#[tokio::test]
async fn glob_and_symlinks() {
    let t = TempDir::new().unwrap();
    touch(t.path(), "real/f.txt", 4);
    touch(t.path(), "g/a.txt", 1);
    symlink(t.path().join("real/f.txt"), t.path().join("g/l.txt")).unwrap();
    symlink(t.path().join("real"), t.path().join("g/ldir")).unwrap();
    symlink(t.path().join("gone"), t.path().join("g/x.txt")).unwrap();
    assert_eq!(
        glob_rel(&t, "g/*", true).await,
        vec![
            Got::Entry("g/a.txt".into(), EntryKind::File, 1),
            Got::Entry("g/l.txt".into(), EntryKind::File, 4),
            Got::Entry("g/ldir/f.txt".into(), EntryKind::File, 4),
            Got::Error(
                ErrorKind::NoSuchKey,
                format!("given object {}/g/x.txt not found", s(&t))
            ),
        ]
    );
    assert_eq!(
        glob_rel(&t, "g/*", false).await,
        vec![Got::Entry("g/a.txt".into(), EntryKind::File, 1)]
    );
}

// ------------------------------------------------------------------ stat / delete

#[tokio::test]
async fn stat_and_delete() {
    let t = TempDir::new().unwrap();
    touch(t.path(), "f", 7);
    let p = format!("{}/f", s(&t));
    let fs_ = LocalFs::default();
    let meta = fs_.stat(&p, None).await.unwrap();
    assert_eq!(meta.size, 7);
    assert!(meta.last_modified.is_some());
    fs_.delete(&p, None).await.unwrap();
    assert!(!Path::new(&p).exists());
    let err = fs_.stat(&p, None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoSuchKey);
    assert_eq!(err.message, format!("given object {p} not found"));
    let err = fs_.delete(&p, None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoSuchKey);
}

// ------------------------------------------------------------------ safe_join

#[test]
fn safe_join_accepts_and_cleans() {
    let root = Path::new("/dst");
    for (rel, want) in [
        ("a.txt", "/dst/a.txt"),
        ("a/b/c.txt", "/dst/a/b/c.txt"),
        ("a//b/./c", "/dst/a/b/c"),
        ("./x", "/dst/x"),
        ("t\\est/file.txt", "/dst/t\\est/file.txt"),
        ("a\\b", "/dst/a\\b"),
        ("..a/b..", "/dst/..a/b.."),
        ("...", "/dst/..."),
        ("dir/", "/dst/dir"),
        ("é/ü", "/dst/é/ü"),
    ] {
        assert_eq!(safe_join(root, rel).unwrap(), Path::new(want), "{rel:?}");
    }
    let long = "x".repeat(255);
    assert!(safe_join(root, &long).is_ok());
}

#[test]
fn safe_join_refuses_escapes() {
    let root = Path::new("/dst");
    let long = format!("a/{}", "x".repeat(256));
    for rel in [
        "..",
        "../etc/passwd",
        "a/../../b",
        "a/..",
        "/etc/passwd",
        "//x",
        "a\0b",
        "\\x",
        "a\\..\\b",
        "..\\x",
        "x\\..",
        "",
        ".",
        "./",
        "//",
        long.as_str(),
    ] {
        let err = safe_join(root, rel).unwrap_err();
        assert_eq!(err.kind, ErrorKind::UnsafeKey, "{rel:?}");
        assert!(err.message.contains(&format!("{rel:?}")), "{}", err.message);
    }
}

// ------------------------------------------------------------------ temp files

#[test]
fn create_temp_names_and_mode() {
    let t = TempDir::new().unwrap();
    let (mut f, p) = create_temp(t.path(), "file1.txt").unwrap();
    std::io::Write::write_all(&mut f, b"hi").unwrap();
    let name = p.file_name().unwrap().to_str().unwrap().to_string();
    let want_head = format!("{TEMP_PREFIX}{}-", std::process::id());
    assert!(name.starts_with(&want_head), "{name}");
    assert!(name.ends_with("-file1.txt"), "{name}");
    assert_eq!(p.parent().unwrap(), t.path());
    let mode = fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & !0o644, 0, "no more than 0644: {mode:o}");
    assert_eq!(mode & 0o600, 0o600);

    let (_f2, p2) = create_temp(t.path(), "file1.txt").unwrap();
    assert_ne!(p, p2);

    let long = "é".repeat(200); // 400 bytes
    let (_f3, p3) = create_temp(t.path(), &long).unwrap();
    let n3 = p3.file_name().unwrap().to_str().unwrap();
    assert!(n3.len() <= 255 && n3.len() >= 250, "{}", n3.len());
    let (_f4, p4) = create_temp(t.path(), "sub/dir/base.bin").unwrap();
    assert_eq!(p4.parent().unwrap(), t.path());
    assert!(p4.to_str().unwrap().ends_with("-base.bin"));
    assert!(create_temp(&t.path().join("missing"), "x").is_err());
}

#[test]
fn cleanup_removes_only_temps_of_dead_processes() {
    let t = TempDir::new().unwrap();
    let (_f, mine) = create_temp(t.path(), "live.txt").unwrap();
    let dead = t
        .path()
        .join(format!("{TEMP_PREFIX}4294967290-0123456789abcdef-old.txt"));
    fs::write(&dead, b"partial").unwrap();
    let odd = t.path().join(format!("{TEMP_PREFIX}notapid-x"));
    fs::write(&odd, b"").unwrap();
    let user = t.path().join("data.txt");
    fs::write(&user, b"keep").unwrap();
    fs::create_dir(t.path().join(format!("{TEMP_PREFIX}1-dir"))).unwrap();
    let nested = t.path().join("sub");
    fs::create_dir(&nested).unwrap();
    let nested_dead = nested.join(format!("{TEMP_PREFIX}4294967290-00-x"));
    fs::write(&nested_dead, b"").unwrap();

    assert_eq!(cleanup_stale_temps(t.path()), 1);
    assert!(!dead.exists());
    assert!(mine.exists() && odd.exists() && user.exists() && nested_dead.exists());
    assert_eq!(cleanup_stale_temps(t.path()), 0);
    assert_eq!(cleanup_stale_temps(&t.path().join("missing")), 0);
}

// ------------------------------------------------------------------ mtime, empty dirs

#[test]
fn set_mtime_with_nanoseconds() {
    let t = TempDir::new().unwrap();
    touch(t.path(), "f", 1);
    let p = t.path().join("f");
    let when = Utc.timestamp_opt(1_600_000_000, 123_456_789).unwrap();
    set_mtime(&p, when).unwrap();
    let got = DateTime::<Utc>::from(fs::metadata(&p).unwrap().modified().unwrap());
    assert_eq!(got, when);
    let err = set_mtime(&t.path().join("nope"), when).unwrap_err();
    assert_eq!(err.kind, ErrorKind::NoSuchKey);
}

#[test]
fn remove_empty_dirs_up_to_root() {
    let t = TempDir::new().unwrap();
    let root = t.path().join("dst");
    touch(&root, "a/b/c/f", 1);
    touch(&root, "a/keep", 1);
    let f = root.join("a/b/c/f");
    fs::remove_file(&f).unwrap();
    remove_empty_dirs(&root, &f);
    assert!(!root.join("a/b").exists());
    assert!(root.join("a/keep").exists());
    // Root itself is never removed, even when empty.
    fs::remove_file(root.join("a/keep")).unwrap();
    remove_empty_dirs(&root, &root.join("a/keep"));
    assert!(!root.join("a").exists());
    assert!(root.exists());
    // A file outside root: nothing happens.
    fs::create_dir(t.path().join("other")).unwrap();
    remove_empty_dirs(&root, &t.path().join("other/x"));
    assert!(t.path().join("other").exists());
}

#[tokio::test]
async fn relative_paths_keep_their_form() {
    // Cargo runs unit tests in the package root, so these paths are relative to it.
    let got = drain(glob("src/storage/local*.rs", true)).await;
    assert_eq!(
        keys(&got, ""),
        vec!["src/storage/local.rs", "src/storage/local_tests.rs"]
    );
    let got = drain(glob("./src/storage/local.r?", true)).await;
    assert_eq!(keys(&got, ""), vec!["./src/storage/local.rs"]);
    let got = drain(glob("Cargo.tom?", true)).await;
    assert_eq!(keys(&got, ""), vec!["Cargo.toml"]);
    let got = list("./src/storage", true).await;
    let k = keys(&got, "./src/storage/");
    assert!(k.contains(&"local.rs".to_string()), "{k:?}");
    assert!(k.contains(&"s3/mod.rs".to_string()), "{k:?}");
}
