//! Beyond one machine, on one: `--shard K/N` processes that together do every
//! operation exactly once, and `--journal` reruns that skip what finished — after a
//! clean end, `kill -9`, SIGTERM, or with two processes on the same shard. The built
//! binary against the in-process S3 server on 127.0.0.1 (`tests/support`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::{BUCKET, Faults, TestEnv};
use s5rs::record::{Record, ShardSummary};

/// Writes `n` small files `src/dNN/fNNNNN.txt` whose content names them.
fn local_tree(env: &TestEnv, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let rel = format!("src/d{:02}/f{i:05}.txt", i % 37);
            env.write_file(&rel, rel.as_bytes());
            rel
        })
        .collect()
}

/// Parses every stdout line of a `--json` run strictly: the records, and the shard
/// summary a `--shard` run ends with (checked against the records).
fn records(stdout: &str) -> Vec<Record> {
    let mut lines: Vec<&str> = stdout.lines().collect();
    let summary: Option<ShardSummary> = match lines.last() {
        Some(last) if last.contains(r#""operation":"shard""#) => {
            let s =
                serde_json::from_str(last).unwrap_or_else(|e| panic!("bad summary {last:?}: {e}"));
            lines.pop();
            Some(s)
        }
        _ => None,
    };
    let recs: Vec<Record> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect();
    if let Some(s) = summary {
        assert_eq!(s.planned, recs.len() as u64, "{s:?}");
        assert_eq!(s.failed, recs.iter().filter(|r| !r.success).count() as u64);
        assert_eq!(
            s.skipped_journal,
            recs.iter()
                .filter(|r| r.skipped.as_deref() == Some("journal"))
                .count() as u64
        );
        assert!(
            recs.iter()
                .all(|r| r.shard.as_deref() == Some(s.shard.as_str())),
            "records carry the shard"
        );
    }
    recs
}

/// Object keys each finished (not skipped) record wrote.
fn written(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .filter(|r| r.success && r.skipped.is_none())
        .filter_map(|r| r.destination.clone())
        .collect()
}

#[test]
fn four_shards_at_once_write_every_object_exactly_once() {
    let env = TestEnv::new();
    let files = local_tree(&env, 20_000);
    let children: Vec<Child> = (0..4)
        .map(|k| {
            env.command(&[
                "--json",
                "--shard",
                &format!("{k}/4"),
                "cp",
                "src/*",
                "s3://bkt/dst/",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    let mut all = Vec::new();
    let mut per_shard = Vec::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let recs = records(&String::from_utf8(out.stdout).unwrap());
        assert!(recs.iter().all(|r| r.success), "every record succeeded");
        per_shard.push(recs.len());
        all.extend(written(&recs));
    }
    // Every record accounted for: one per file, none in two shards.
    assert_eq!(all.len(), files.len());
    let unique: BTreeSet<&String> = all.iter().collect();
    assert_eq!(unique.len(), files.len(), "no object written by two shards");
    // Server side: one PUT per destination key, and every object holds its file.
    let mut puts: BTreeMap<String, usize> = BTreeMap::new();
    for line in env.server.request_log() {
        if let Some(path) = line.strip_prefix("PUT /bkt/dst/") {
            *puts
                .entry(path.split('?').next().unwrap().to_string())
                .or_default() += 1;
        }
    }
    assert_eq!(puts.len(), files.len());
    assert!(puts.values().all(|&n| n == 1), "a key was written twice");
    let keys = env.keys();
    assert_eq!(keys.len(), files.len());
    for rel in files.iter().step_by(997) {
        let key = format!("dst/{}", rel.strip_prefix("src/").unwrap());
        assert_eq!(env.get(&key).unwrap(), rel.as_bytes());
    }
    // Balanced: no shard far above the mean.
    let mean = files.len() / 4;
    assert!(
        per_shard.iter().all(|&n| n <= mean * 12 / 10),
        "{per_shard:?}"
    );
}

#[test]
fn shards_of_a_sync_with_delete_leave_what_one_run_leaves() {
    let sharded = TestEnv::new();
    let single = TestEnv::new();
    for env in [&sharded, &single] {
        local_tree(env, 400);
        // Stale objects that --delete must remove, and one the filter protects.
        for i in 0..300 {
            env.put(&format!("dst/stale/s{i:04}.txt"), b"old");
        }
        env.put("dst/keep.log", b"excluded");
        env.put("dst/d01/f00001.txt", b"outdated content of another size");
    }
    let args = |shard: Option<String>| {
        let mut a: Vec<String> = vec!["--json".into()];
        if let Some(s) = shard {
            a.extend(["--shard".into(), s]);
        }
        a.extend(
            [
                "sync",
                "--delete",
                "--exclude",
                "*.log",
                "src/",
                "s3://bkt/dst/",
            ]
            .map(String::from),
        );
        a
    };
    let one = single.run(&args(None).iter().map(String::as_str).collect::<Vec<_>>());
    one.ok();
    let mut deleted = 0;
    for k in 0..4 {
        let a = args(Some(format!("{k}/4")));
        let out = sharded.run(&a.iter().map(String::as_str).collect::<Vec<_>>());
        out.ok();
        deleted += records(&out.stdout)
            .iter()
            .filter(|r| r.operation == "rm")
            .count();
    }
    assert_eq!(
        deleted, 300,
        "each stale object deleted by exactly one shard"
    );
    assert_eq!(sharded.keys(), single.keys());
    assert!(sharded.keys().contains(&"dst/keep.log".to_string()));
    assert_eq!(
        sharded.get("dst/d01/f00001.txt").unwrap(),
        b"src/d01/f00001.txt"
    );
}

#[test]
fn shard_spec_errors_and_stdin_are_refused() {
    let env = TestEnv::new();
    let out = env.run(&["--shard", "4/4", "ls", "s3://bkt"]);
    out.code(2);
    assert!(
        out.stderr.contains("the index must be below the count"),
        "{}",
        out.stderr
    );
    let out = env.run(&["--shard", "auto", "ls", "s3://bkt"]);
    out.code(2);
    assert!(
        out.stderr.contains("no array-job variables"),
        "{}",
        out.stderr
    );
    let out = env.run_stdin(&["--shard", "0/2", "run"], "ls s3://bkt\n");
    out.code(2);
    assert!(
        out.stderr.contains("cannot come from stdin"),
        "{}",
        out.stderr
    );
    // auto from Kubernetes' variable plus the count.
    let mut cmd = env.command(&["--json", "--shard", "auto", "cp", "src/*", "s3://bkt/k/"]);
    local_tree(&env, 50);
    let out = cmd
        .env("JOB_COMPLETION_INDEX", "1")
        .env("S5RS_SHARD_COUNT", "2")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let n1 = records(&String::from_utf8(out.stdout).unwrap()).len();
    let out = env.run(&["--json", "--shard", "0/2", "cp", "src/*", "s3://bkt/k/"]);
    out.ok();
    assert_eq!(n1 + records(&out.stdout).len(), 50);
    assert_eq!(env.keys().len(), 50);
}

/// Under `--shard`, the query commands' JSON lines (ls, du) carry the shard too, and a
/// command that is not split per object runs in exactly one of the shards.
#[test]
fn query_lines_of_a_sharded_batch_carry_the_shard() {
    let env = TestEnv::new();
    for i in 0..6 {
        env.put(&format!("q/o{i}.txt"), b"data");
    }
    env.write_file(
        "batch.txt",
        b"ls s3://bkt/q/*\ndu s3://bkt/q/*\nls s3://bkt\n",
    );
    let mut ls_lines = 0;
    let mut du_lines = 0;
    for k in 0..3 {
        let label = format!("{k}/3");
        let out = env.run(&["--json", "--shard", &label, "run", "batch.txt"]);
        out.ok();
        let lines: Vec<serde_json::Value> = out
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}")))
            .collect();
        let (summary, queries) = lines.split_last().expect("a summary line");
        assert_eq!(summary["operation"], "shard");
        for q in queries {
            assert_eq!(q["shard"], label.as_str(), "{q}");
            assert!(q["line"].as_u64().is_some(), "{q}");
            match q["operation"].as_str() {
                Some("ls") => ls_lines += 1,
                Some("du") => du_lines += 1,
                other => panic!("unexpected {other:?} in {q}"),
            }
        }
    }
    // The 6 objects of the wildcard ls and the one bucket of the plain ls, once each
    // across the shards; du's one total, once.
    assert_eq!((ls_lines, du_lines), (7, 1));
    // A lone command under --shard is tagged too, without operation or line.
    let outs: Vec<String> = (0..2)
        .map(|k| {
            let out = env.run(&[
                "--json",
                "--shard",
                &format!("{k}/2"),
                "ls",
                "s3://bkt/q/o1.txt",
            ]);
            out.ok();
            out.stdout
        })
        .collect();
    let entry: Vec<serde_json::Value> = outs
        .iter()
        .flat_map(|o| o.lines())
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["operation"] != "shard")
        .collect();
    assert_eq!(entry.len(), 1, "{outs:?}");
    assert!(entry[0]["key"].as_str().unwrap().ends_with("q/o1.txt"));
    assert!(entry[0]["shard"].as_str().unwrap().ends_with("/2"));
    assert!(entry[0].get("line").is_none() && entry[0].get("operation").is_none());
}

/// A run that prints records as it goes: (record, when it arrived).
struct Watched {
    child: Child,
    lines: std::sync::mpsc::Receiver<(String, Instant)>,
}

fn watch(mut child: Child) -> Watched {
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send((line, Instant::now())).is_err() {
                return;
            }
        }
    });
    Watched { child, lines: rx }
}

/// Runs an upload of `files` with a journal, kills it with `kill -9` once some work
/// is done, reruns it, and checks what the rerun repeated.
fn killed_and_resumed(env: &TestEnv, journal: &str, files: &[String]) {
    env.server.set_faults(Faults {
        delay: Some(Duration::from_millis(20)),
        ..Default::default()
    });
    let args = [
        "--json",
        "--numworkers",
        "8",
        "--journal",
        journal,
        "cp",
        "src/*",
        "s3://bkt/dst/",
    ];
    let child = env
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut w = watch(child);
    let started = Instant::now();
    let mut seen = Vec::new();
    while started.elapsed() < Duration::from_secs(5) {
        if let Ok(x) = w.lines.recv_timeout(Duration::from_millis(50)) {
            seen.push(x);
        }
    }
    let killed_at = Instant::now();
    w.child.kill().unwrap(); // SIGKILL
    w.child.wait().unwrap();
    // Records printed at least 3 s before the kill were flushed (every second).
    let settled = seen
        .iter()
        .filter(|(_, at)| killed_at.duration_since(*at) >= Duration::from_secs(3))
        .count();
    assert!(settled > 0, "the first run made progress before the kill");
    assert!(seen.len() < files.len(), "the kill came before the end");
    env.server.set_faults(Faults::default());
    let rerun = env.run(&args);
    rerun.ok();
    let recs = rerun.records();
    let skipped = recs
        .iter()
        .filter(|r| r.skipped.as_deref() == Some("journal"))
        .count();
    let copied = written(&recs).len();
    assert_eq!(skipped + copied, files.len(), "every file accounted for");
    assert!(
        skipped >= settled,
        "the rerun repeated flushed work: {skipped} skipped, {settled} settled"
    );
    assert!(copied <= files.len() - settled);
    for rel in files {
        let key = format!("dst/{}", rel.strip_prefix("src/").unwrap());
        assert_eq!(env.get(&key).as_deref(), Some(rel.as_bytes()), "{key}");
    }
    // A third run finds everything finished.
    let again = env.run(&args);
    again.ok();
    let recs = again.records();
    assert_eq!(recs.len(), files.len());
    assert!(recs.iter().all(|r| r.skipped.as_deref() == Some("journal")));
}

#[test]
fn kill_9_then_rerun_with_a_local_journal() {
    let env = TestEnv::new();
    let files = local_tree(&env, 3000);
    let journal = env.local("journal");
    killed_and_resumed(&env, journal.to_str().unwrap(), &files);
}

#[test]
fn kill_9_then_rerun_with_a_journal_on_s3() {
    let env = TestEnv::new();
    env.make_bucket("journals");
    let files = local_tree(&env, 3000);
    killed_and_resumed(&env, "s3://journals/run-1/", &files);
    let segments = env.keys_in("journals");
    assert!(!segments.is_empty());
    assert!(
        segments
            .iter()
            .all(|k| k.starts_with("run-1/all-") && k.ends_with(".s5j"))
    );
}

#[test]
fn two_processes_on_the_same_shard_keep_a_correct_journal() {
    let env = TestEnv::new();
    let files = local_tree(&env, 1500);
    let journal = env.local("journal");
    let journal = journal.to_str().unwrap();
    let args = [
        "--json",
        "--shard",
        "1/2",
        "--journal",
        journal,
        "cp",
        "src/*",
        "s3://bkt/dst/",
    ];
    let a = env.command(&args).stdout(Stdio::piped()).spawn().unwrap();
    let b = env.command(&args).stdout(Stdio::piped()).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)));
    let shard_files: BTreeSet<String> = written(&records(&String::from_utf8(a.stdout).unwrap()))
        .into_iter()
        .collect();
    assert_eq!(
        shard_files,
        written(&records(&String::from_utf8(b.stdout).unwrap()))
            .into_iter()
            .collect()
    );
    // Two segments, one per process; their union covers the shard.
    assert_eq!(std::fs::read_dir(journal).unwrap().count(), 2);
    let rerun = env.run(&args);
    rerun.ok();
    let recs = records(&rerun.stdout);
    assert_eq!(recs.len(), shard_files.len());
    assert!(recs.iter().all(|r| r.skipped.as_deref() == Some("journal")));
    // The other shard still has all its work to do.
    let other = env.run(&[
        "--json",
        "--shard",
        "0/2",
        "--journal",
        journal,
        "cp",
        "src/*",
        "s3://bkt/dst/",
    ]);
    other.ok();
    assert_eq!(
        written(&records(&other.stdout)).len(),
        files.len() - shard_files.len()
    );
    assert_eq!(env.keys().len(), files.len());
}

#[test]
fn sigterm_stops_a_batch_within_the_grace_period_and_the_rerun_finishes() {
    let env = TestEnv::new();
    let files = local_tree(&env, 600);
    let batch: String = files
        .iter()
        .map(|f| format!("cp {f} s3://{BUCKET}/t/{f}\n"))
        .collect();
    env.write_file("batch.txt", batch.as_bytes());
    env.server.set_faults(Faults {
        delay: Some(Duration::from_millis(50)),
        ..Default::default()
    });
    let journal = env.local("journal");
    let journal = journal.to_str().unwrap();
    let args = [
        "--json",
        "--numworkers",
        "4",
        "--grace-period",
        "2s",
        "--journal",
        journal,
        "run",
        "batch.txt",
    ];
    let child = env
        .command(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut w = watch(child);
    w.lines
        .recv_timeout(Duration::from_secs(20))
        .expect("a record");
    std::thread::sleep(Duration::from_secs(2));
    let sent = Instant::now();
    // SAFETY: sends SIGTERM to our own child process.
    unsafe { libc::kill(w.child.id() as i32, libc::SIGTERM) };
    let status = w.child.wait().unwrap();
    let took = sent.elapsed();
    assert_eq!(status.code(), Some(1), "SIGTERM exits 1 (retryable)");
    assert!(
        took < Duration::from_secs(10),
        "exited within the grace period: {took:?}"
    );
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut w.child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("terminated"), "{stderr}");
    let mut first_run: Vec<Record> = w
        .lines
        .try_iter()
        .map(|(l, _)| serde_json::from_str(&l).unwrap())
        .collect();
    first_run.push(Record::ok("cp")); // the record read above
    assert!(first_run.len() < files.len(), "stopped early");
    env.server.set_faults(Faults::default());
    let rerun = env.run(&args);
    rerun.ok();
    let recs = rerun.records();
    let skipped = recs
        .iter()
        .filter(|r| r.skipped.as_deref() == Some("journal"))
        .count();
    // Everything the first run reported done was flushed on SIGTERM.
    assert!(
        skipped >= first_run.len(),
        "{skipped} skipped after {} done",
        first_run.len()
    );
    assert_eq!(recs.len(), files.len());
    assert_eq!(env.keys().len(), files.len());
}
