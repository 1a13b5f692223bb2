//! Cases that need versioning, tagging, storage classes or S3 Select — which only
//! moto offers among the loopback servers — run against a moto server started by
//! `scripts/test-moto.sh` (`S5RS_TEST_MOTO_ENDPOINT=http://127.0.0.1:PORT`). Without
//! it every test prints `SKIP <name>: moto not running` and passes.
//!
//! Covered: reference §8.9 193 (du versions), §8.10 199 (cat --version-id), §8.11 209
//! (head --version-id, with s5rs's `version_id`), §8.7 148–149 (rm versions), §8.3 62
//! (cp --version-id), ls --all-versions, bucket-version, `rb --force` on a versioned
//! bucket, `--tagging` on cp/pipe and tags carried by S3→S3 copies, storage classes
//! (GLACIER, DEEP_ARCHIVE refused unless restored; GLACIER_IR read), and
//! `select json|csv` over S3 Select's event stream.

use std::io::Write;
use std::process::{Command, Stdio};

use s5rs::record::{DuRecord, HeadObjectRecord, ObjectRecord};

struct Moto {
    endpoint: String,
    bucket: String,
    dir: tempfile::TempDir,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    #[track_caller]
    fn ok(&self) -> &Self {
        assert_eq!(
            (self.code, self.stderr.as_str()),
            (0, ""),
            "stdout: {}",
            self.stdout
        );
        self
    }
}

/// The moto server, a fresh bucket named after the test, or `None` (test skipped).
fn moto(test: &str) -> Option<Moto> {
    let Some(endpoint) = std::env::var("S5RS_TEST_MOTO_ENDPOINT")
        .ok()
        .filter(|e| !e.is_empty())
    else {
        eprintln!("SKIP {test}: moto not running");
        return None;
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let bucket = format!("{}-{nanos}", test.replace('_', "-"));
    let m = Moto {
        endpoint,
        bucket: bucket.chars().take(60).collect(),
        dir: tempfile::tempdir().unwrap(),
    };
    m.run(&["mb", &format!("s3://{}", m.bucket)]).ok();
    Some(m)
}

impl Moto {
    fn url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_stdin(args, b"")
    }

    fn run_stdin(&self, args: &[&str], input: &[u8]) -> Out {
        let mut child = Command::new(env!("CARGO_BIN_EXE_s5rs"))
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("AWS_ACCESS_KEY_ID", "AKIDMOTO00000001")
            .env("AWS_SECRET_ACCESS_KEY", "moto-secret-0001")
            .env("AWS_REGION", "us-east-1")
            .arg("--endpoint-url")
            .arg(&self.endpoint)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        let out = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn pipe(&self, key: &str, data: &[u8], flags: &[&str]) {
        let url = self.url(key);
        let mut args = vec!["pipe"];
        args.extend_from_slice(flags);
        args.push(&url);
        self.run_stdin(&args, data).ok();
    }

    /// Version ids of `key`, newest first (from `ls --all-versions --json`).
    fn versions(&self, key: &str) -> Vec<ObjectRecord> {
        let out = self.run(&["--json", "ls", "--all-versions", &self.url(key)]);
        if out.code == 1 && out.stdout.contains("\"error\":\"no object found\"") {
            return Vec::new();
        }
        out.ok();
        out.stdout
            .lines()
            .map(|l| serde_json::from_str::<ObjectRecord>(l).unwrap())
            .collect()
    }

    /// Raw request (moto does not check signatures): used for what s5rs never sends.
    fn raw(&self, method: &str, path_and_query: &str, body: &str) -> String {
        let authority = self
            .endpoint
            .trim_start_matches("http://")
            .trim_end_matches('/');
        let mut s = std::net::TcpStream::connect(authority).unwrap();
        write!(
            s,
            "{method} {path_and_query} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDMOTO00000001/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\nx-amz-date: 20260101T000000Z\r\nx-amz-content-sha256: UNSIGNED-PAYLOAD\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut resp = String::new();
        std::io::Read::read_to_string(&mut s, &mut resp).unwrap();
        resp
    }
}

#[test]
fn versions_du_cat_head_cp_rm_ls() {
    let Some(m) = moto("versions_du_cat_head") else {
        return;
    };
    m.run(&[
        "bucket-version",
        "--set",
        "Enabled",
        &format!("s3://{}", m.bucket),
    ])
    .ok();
    let first = vec![b'1'; 21];
    let second = vec![b'2'; 47];
    m.pipe("f", &first, &[]);
    m.pipe("f", &second, &[]);
    let versions = m.versions("f");
    assert_eq!(versions.len(), 2, "{versions:?}");
    let newest = versions
        .iter()
        .map(|v| v.version_id.clone().unwrap())
        .collect::<Vec<_>>();

    let out = m.run(&["du", &m.url("f")]);
    out.ok();
    assert_eq!(
        out.stdout,
        format!("47 bytes in 1 objects: {}\n", m.url("f"))
    );
    let out = m.run(&["du", "--all-versions", &m.url("f")]);
    out.ok();
    assert_eq!(
        out.stdout,
        format!("68 bytes in 2 objects: {}\n", m.url("f"))
    );
    let mut sizes = Vec::new();
    for v in &newest {
        let out = m.run(&["--json", "du", "--version-id", v, &m.url("f")]);
        out.ok();
        let rec: DuRecord = serde_json::from_str(out.stdout.trim()).unwrap();
        sizes.push(rec.size);
        // cat and head of each version
        let out = m.run(&["cat", "--version-id", v, &m.url("f")]);
        out.ok();
        assert_eq!(out.stdout.len() as u64, rec.size);
        let out = m.run(&["head", "--version-id", v, &m.url("f")]);
        out.ok();
        let head: HeadObjectRecord = serde_json::from_str(out.stdout.trim()).unwrap();
        assert_eq!(head.size, rec.size);
        assert_eq!(head.version_id.as_deref(), Some(v.as_str()));
        // cp of each version
        let name = format!("f-{}", rec.size);
        m.run(&["cp", "--version-id", v, &m.url("f"), &name]).ok();
        assert_eq!(
            std::fs::read(m.dir.path().join(&name)).unwrap().len() as u64,
            rec.size
        );
    }
    sizes.sort();
    assert_eq!(sizes, [21, 47]);

    // rm without version: a delete marker; ls shows nothing, --all-versions 3 entries.
    m.run(&["rm", &m.url("f")]).ok();
    let out = m.run(&["ls", &m.url("f")]);
    assert_ne!(out.code, 0, "ls of a deleted key finds nothing");
    assert_eq!(m.versions("f").len(), 3);
    let out = m.run(&["rm", "--all-versions", &m.url("f")]);
    out.ok();
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    assert!(m.versions("f").is_empty());

    // rm --version-id for each version.
    m.pipe("g", b"one", &[]);
    m.pipe("g", b"two", &[]);
    for v in m.versions("g") {
        m.run(&[
            "rm",
            "--version-id",
            v.version_id.as_deref().unwrap(),
            &m.url("g"),
        ])
        .ok();
    }
    assert!(m.versions("g").is_empty());

    let out = m.run(&["bucket-version", &format!("s3://{}", m.bucket)]);
    out.ok();
    assert_eq!(
        out.stdout,
        format!("Bucket versioning for \"{}\" is \"Enabled\"\n", m.bucket)
    );

    // rb --force empties every version and delete marker first.
    m.pipe("h", b"1", &[]);
    m.pipe("h", b"2", &[]);
    m.run(&["rm", &m.url("h")]).ok();
    let out = m.run(&["rb", &format!("s3://{}", m.bucket)]);
    assert_eq!(out.code, 1, "non-empty versioned bucket");
    m.run(&["rb", "--force", &format!("s3://{}", m.bucket)])
        .ok();
    let out = m.run(&["ls"]);
    assert!(!out.stdout.contains(&m.bucket));
}

/// Delete markers as s5cmd 2.3 shows them: no storage class (`ls -s`, JSON) and a
/// `du -g` group of their own; `du --version-id` of a key whose latest version is a
/// delete marker (moto answers a HEAD of such a version with 400) finds the version.
#[test]
fn delete_markers_have_no_storage_class() {
    let Some(m) = moto("delete_markers_have_no_storage_class") else {
        return;
    };
    let bucket = format!("s3://{}", m.bucket);
    m.run(&["bucket-version", "--set", "Enabled", &bucket]).ok();
    m.pipe("f", b"one\n", &[]);
    m.run(&["rm", &m.url("f")]).ok();
    let versions = m.versions("f");
    assert_eq!(versions.len(), 2);
    let marker = versions
        .iter()
        .find(|v| v.delete_marker)
        .expect("a delete marker");
    assert_eq!(marker.storage_class, None);
    let object = versions.iter().find(|v| !v.delete_marker).unwrap();
    assert_eq!(object.storage_class.as_deref(), Some("STANDARD"));
    let out = m.run(&["ls", "-s", "--all-versions", &m.url("f")]);
    out.ok();
    let classes: Vec<&str> = out.stdout.lines().map(|l| &l[20..22]).collect();
    assert_eq!(classes, ["ST", "  "], "{}", out.stdout);
    let out = m.run(&["du", "-g", "--all-versions", &m.url("f")]);
    out.ok();
    assert_eq!(
        out.stdout,
        format!(
            "4 bytes in 1 objects: {0} [STANDARD]\n0 bytes in 1 objects: {0}\n",
            m.url("f")
        )
    );
    let v = object.version_id.as_deref().unwrap();
    let out = m.run(&["du", "--version-id", v, &m.url("f")]);
    out.ok();
    assert_eq!(
        out.stdout,
        format!("4 bytes in 1 objects: {}\n", m.url("f"))
    );
    // moto's <HostId> is in the body only; s5cmd's host id comes from the header.
    let out = m.run(&["rb", &bucket]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with(&format!("ERROR \"rb {bucket}\": BucketNotEmpty: "))
            && out.stderr.ends_with(", host id:\n"),
        "{}",
        out.stderr
    );
    m.run(&["rb", "--force", &bucket]).ok();
}

/// A folder object (a key ending in `/`) as s5cmd 2.3 lists it: a DIR line in a
/// wildcard listing too, no ETag in its text line, its listed fields in JSON.
#[test]
fn folder_objects_are_listed_as_s5cmd_lists_them() {
    let Some(m) = moto("folder_objects_are_listed_as_s5cmd_lists_them") else {
        return;
    };
    let resp = m.raw("PUT", &format!("/{}/dirobj/", m.bucket), "");
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    m.pipe("dirobj/inner.txt", b"abc", &[]);
    let dir_line = |etag: bool| {
        let width = if etag { 38 } else { 1 };
        format!("{:>19} {:>2} {:<width$} {:>12}  dirobj/", "", "", "", "DIR")
    };
    let out = m.run(&["ls", &m.url("*")]);
    out.ok();
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    assert_eq!(lines[0], dir_line(false));
    assert!(lines[1].ends_with("  dirobj/inner.txt"), "{}", lines[1]);
    let out = m.run(&["ls", "-e", &m.url("dirobj/")]);
    out.ok();
    assert_eq!(out.stdout.lines().next(), Some(dir_line(true).as_str()));
    let out = m.run(&["--json", "ls", &m.url("*")]);
    out.ok();
    let first: ObjectRecord = serde_json::from_str(out.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first.key.as_deref(), Some(m.url("dirobj/").as_str()));
    assert_eq!(first.kind, "directory");
    assert!(first.etag.is_some());
    assert_eq!(first.size, None);
    m.run(&["rb", "--force", &format!("s3://{}", m.bucket)])
        .ok();
}

fn tags_of(m: &Moto, key: &str) -> String {
    let resp = m.raw("GET", &format!("/{}/{key}?tagging", m.bucket), "");
    let mut tags: Vec<String> = Vec::new();
    for tag in resp.split("<Tag>").skip(1) {
        let k = tag
            .split("<Key>")
            .nth(1)
            .and_then(|s| s.split("</Key>").next())
            .unwrap_or("");
        let v = tag
            .split("<Value>")
            .nth(1)
            .and_then(|s| s.split("</Value>").next())
            .unwrap_or("");
        tags.push(format!("{k}={v}"));
    }
    tags.sort();
    tags.join("&")
}

#[test]
fn tagging_on_cp_pipe_and_copies() {
    let Some(m) = moto("tagging_on_cp_pipe") else {
        return;
    };
    std::fs::write(m.dir.path().join("local.txt"), b"tagged").unwrap();
    m.run(&[
        "cp",
        "--tagging",
        "project=s5rs&team=storage",
        "local.txt",
        &m.url("up.txt"),
    ])
    .ok();
    assert_eq!(tags_of(&m, "up.txt"), "project=s5rs&team=storage");
    m.pipe("piped.txt", b"p", &["--tagging", "from=pipe"]);
    assert_eq!(tags_of(&m, "piped.txt"), "from=pipe");
    // Server-side copy keeps the tags; --tagging replaces them.
    m.run(&["cp", &m.url("up.txt"), &m.url("copy.txt")]).ok();
    assert_eq!(tags_of(&m, "copy.txt"), "project=s5rs&team=storage");
    m.run(&[
        "cp",
        "--tagging",
        "new=1",
        &m.url("up.txt"),
        &m.url("copy2.txt"),
    ])
    .ok();
    assert_eq!(tags_of(&m, "copy2.txt"), "new=1");
    // A streamed copy (source named by its own endpoint flag) carries them too.
    m.run(&[
        "cp",
        "--source-endpoint-url",
        &m.endpoint.replace("127.0.0.1", "localhost"),
        &m.url("up.txt"),
        &m.url("relay.txt"),
    ])
    .ok();
    assert_eq!(tags_of(&m, "relay.txt"), "project=s5rs&team=storage");
}

#[test]
fn storage_classes_and_glacier_rules() {
    let Some(m) = moto("storage_classes") else {
        return;
    };
    for class in ["GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "STANDARD_IA"] {
        std::fs::write(m.dir.path().join(class), class.as_bytes()).unwrap();
        m.run(&[
            "cp",
            "--storage-class",
            class,
            class,
            &m.url(&format!("sc/{class}")),
        ])
        .ok();
    }
    m.pipe("sc/PIPED_GLACIER", b"pg", &["--storage-class", "GLACIER"]);
    let out = m.run(&["--json", "ls", "-s", &m.url("sc/*")]);
    out.ok();
    let classes: Vec<(String, String)> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str::<ObjectRecord>(l).unwrap())
        .map(|o| (o.key.unwrap(), o.storage_class.unwrap_or_default()))
        .collect();
    assert!(
        classes
            .iter()
            .any(|(k, c)| k.ends_with("sc/DEEP_ARCHIVE") && c == "DEEP_ARCHIVE"),
        "{classes:?}"
    );
    assert!(
        classes
            .iter()
            .any(|(k, c)| k.ends_with("sc/PIPED_GLACIER") && c == "GLACIER"),
        "{classes:?}"
    );

    let out = m.run(&["cp", &m.url("sc/*"), "down/"]);
    assert_eq!(out.code, 1);
    for archived in ["GLACIER", "DEEP_ARCHIVE", "PIPED_GLACIER"] {
        assert!(
            out.stderr.contains(&format!(
                "object '{}' is on Glacier storage",
                m.url(&format!("sc/{archived}"))
            )),
            "{archived}: {}",
            out.stderr
        );
        assert!(!m.dir.path().join("down").join(archived).exists());
    }
    for readable in ["GLACIER_IR", "STANDARD_IA"] {
        assert!(
            m.dir.path().join("down").join(readable).exists(),
            "{readable}"
        );
    }
    let out = m.run(&["cp", "--ignore-glacier-warnings", &m.url("sc/*"), "down2/"]);
    out.ok();
    // After a restore the object may be read.
    let resp = m.raw(
        "POST",
        &format!("/{}/sc/GLACIER?restore", m.bucket),
        "<RestoreRequest><Days>1</Days></RestoreRequest>",
    );
    assert!(resp.starts_with("HTTP/1.1 20"), "{resp}");
    let out = m.run(&["cp", "--ignore-glacier-warnings", &m.url("sc/*"), "down3/"]);
    out.ok();
    assert!(m.dir.path().join("down3/GLACIER").exists());
    assert!(!m.dir.path().join("down3/DEEP_ARCHIVE").exists());
}

#[test]
fn select_json_and_csv() {
    let Some(m) = moto("select_json_csv") else {
        return;
    };
    m.pipe(
        "data/a.json",
        b"{\"n\":1,\"s\":\"x\"}\n{\"n\":2,\"s\":\"y\"}\n",
        &[],
    );
    m.pipe("data/b.json", b"{\"n\":3,\"s\":\"y\"}\n", &[]);
    m.pipe("data/c.csv", b"n,s\n1,x\n2,y\n", &[]);
    let out = m.run(&[
        "select",
        "json",
        "-e",
        "SELECT * FROM s3object s WHERE s.s = 'y'",
        &m.url("data/a.json"),
    ]);
    out.ok();
    let records: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records, vec![serde_json::json!({"n": 2, "s": "y"})]);
    // Wildcard: every .json object, queried in parallel; records are whole lines.
    let out = m.run(&[
        "select",
        "-e",
        "SELECT * FROM s3object s WHERE s.s = 'y'",
        &m.url("data/*.json"),
    ]);
    out.ok();
    let mut ns: Vec<i64> = out
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["n"]
                .as_i64()
                .unwrap()
        })
        .collect();
    ns.sort();
    assert_eq!(ns, [2, 3]);
    // --exclude
    let out = m.run(&[
        "select",
        "json",
        "--exclude",
        "*b.json",
        "-e",
        "SELECT * FROM s3object s WHERE s.s = 'y'",
        &m.url("data/*.json"),
    ]);
    out.ok();
    assert_eq!(out.stdout.lines().count(), 1);
    // JSON → CSV uses ','.
    let out = m.run(&[
        "select",
        "json",
        "--output-format",
        "csv",
        "-e",
        "SELECT * FROM s3object s",
        &m.url("data/a.json"),
    ]);
    out.ok();
    assert_eq!(out.stdout.lines().collect::<Vec<_>>(), ["1,x", "2,y"]);
    // CSV with a header row.
    let out = m.run(&[
        "select",
        "csv",
        "--use-header",
        "USE",
        "-e",
        "SELECT * FROM s3object",
        &m.url("data/c.csv"),
    ]);
    out.ok();
    let lines: Vec<&str> = out.stdout.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines, ["1,x", "2,y"]);
}
