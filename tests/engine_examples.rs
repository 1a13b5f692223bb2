//! The array-job examples of the README ("Running on many machines") work as shown:
//! each file under `examples/` is in the README verbatim, and the command it runs —
//! with the engine's variables set, against a local S3 server holding the batch file
//! and the journal — runs its shard and ends with that shard's summary.

mod common;

use std::path::Path;

use common::TestEnv;
use s5rs::record::ShardSummary;

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .unwrap()
}

fn readme() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// An S3 server with the examples' bucket, a batch of 40 copies and its sources.
fn world() -> TestEnv {
    let env = TestEnv::new();
    env.make_bucket("ops-bucket");
    let mut batch = String::new();
    for i in 0..40 {
        env.put(
            &format!("src/o{i:02}.txt"),
            format!("object {i}").as_bytes(),
        );
        batch.push_str(&format!(
            "cp s3://bkt/src/o{i:02}.txt s3://bkt/dst/o{i:02}.txt\n"
        ));
    }
    batch.push_str("cp 's3://bkt/src/*' s3://bkt/all/\n");
    env.put_in(
        "ops-bucket",
        "batches/migrate.txt",
        batch.as_bytes(),
        &Default::default(),
    );
    env
}

/// Runs `argv` (starting with `s5rs`) with `vars`, against the world's server;
/// returns the shard summary it ended with.
fn run(env: &TestEnv, argv: &[String], vars: &[(&str, &str)]) -> ShardSummary {
    assert_eq!(argv[0], "s5rs", "the example runs s5rs");
    let mut cmd = env.command(&argv[1..].iter().map(String::as_str).collect::<Vec<_>>());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{argv:?}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout.lines().last().expect("output");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("summary line {last:?}: {e}"))
}

#[test]
fn the_readme_shows_the_example_files() {
    let readme = readme();
    for name in [
        "k8s-indexed-job.yaml",
        "aws-batch-submit-job.json",
        "slurm-array.sh",
    ] {
        assert!(
            readme.contains(&example(name)),
            "README shows examples/{name}"
        );
    }
}

#[test]
fn kubernetes_indexed_job_runs_its_index() {
    let job: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&example("k8s-indexed-job.yaml")).unwrap();
    assert_eq!(job["spec"]["completionMode"].as_str(), Some("Indexed"));
    let completions = job["spec"]["completions"].as_u64().unwrap();
    let container = &job["spec"]["template"]["spec"]["containers"][0];
    let mut argv: Vec<String> = serde_yaml_ng::from_value(container["command"].clone()).unwrap();
    let args: Vec<String> = serde_yaml_ng::from_value(container["args"].clone()).unwrap();
    argv.extend(args);
    let count_var = container["env"][0].clone();
    assert_eq!(count_var["name"].as_str(), Some("S5RS_SHARD_COUNT"));
    assert_eq!(
        count_var["value"].as_str(),
        Some(completions.to_string().as_str())
    );
    // The pod's grace period leaves room for s5rs's.
    assert!(job["spec"]["template"]["spec"]["terminationGracePeriodSeconds"].as_u64() > Some(20));
    let env = world();
    let mut planned = 0;
    for index in 0..completions {
        let index = index.to_string();
        let count = completions.to_string();
        let s = run(
            &env,
            &argv,
            &[
                ("JOB_COMPLETION_INDEX", &index),
                ("S5RS_SHARD_COUNT", &count),
            ],
        );
        assert_eq!(s.shard, format!("{index}/{completions}"));
        assert_eq!(s.failed, 0);
        planned += s.planned;
    }
    // 40 literal copies and 40 objects of the wildcard, each in exactly one shard.
    assert_eq!(planned, 80);
    assert_eq!(
        env.keys().iter().filter(|k| k.starts_with("dst/")).count(),
        40
    );
    assert_eq!(
        env.keys().iter().filter(|k| k.starts_with("all/")).count(),
        40
    );
    // The journal sits where the manifest says; a retried index skips its work.
    assert!(
        env.keys_in("ops-bucket")
            .iter()
            .any(|k| k.starts_with("journal/migrate-2026-12/"))
    );
    let again = run(
        &env,
        &argv,
        &[("JOB_COMPLETION_INDEX", "3"), ("S5RS_SHARD_COUNT", "8")],
    );
    assert_eq!(again.skipped_journal, again.planned);
}

#[test]
fn aws_batch_array_job_runs_its_child() {
    let job: serde_json::Value =
        serde_json::from_str(&example("aws-batch-submit-job.json")).unwrap();
    let size = job["arrayProperties"]["size"].as_u64().unwrap();
    let argv: Vec<String> =
        serde_json::from_value(job["containerOverrides"]["command"].clone()).unwrap();
    let rules = job["retryStrategy"]["evaluateOnExit"].as_array().unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["onExitCode"] == "2" && r["action"] == "EXIT")
    );
    assert!(
        rules
            .iter()
            .any(|r| r["onExitCode"] == "1" && r["action"] == "RETRY")
    );
    let env = world();
    let mut planned = 0;
    for index in 0..size {
        let (index, size) = (index.to_string(), size.to_string());
        let s = run(
            &env,
            &argv,
            &[
                ("AWS_BATCH_JOB_ARRAY_INDEX", &index),
                ("AWS_BATCH_JOB_ARRAY_SIZE", &size),
            ],
        );
        assert_eq!(s.failed, 0);
        planned += s.planned;
    }
    assert_eq!(planned, 80);
}

#[test]
fn slurm_array_runs_its_task() {
    let script = example("slurm-array.sh");
    let exec = script[script.find("exec s5rs").expect("an exec line")..].replace("\\\n", " ");
    let env = world();
    let local = env.path().join("shared");
    std::fs::create_dir_all(local.join("batches")).unwrap();
    std::fs::write(
        local.join("batches/migrate.txt"),
        "cp 's3://bkt/src/*' s3://bkt/slurm/\n",
    )
    .unwrap();
    let argv: Vec<String> = exec
        .split_whitespace()
        .skip(1)
        .map(|w| w.replace("/shared/", &format!("{}/", local.display())))
        .collect();
    let array = script
        .lines()
        .find(|l| l.starts_with("#SBATCH --array="))
        .unwrap();
    let count: u64 = array.rsplit('-').next().unwrap().parse::<u64>().unwrap() + 1;
    let mut planned = 0;
    for id in [0, 7, 31].iter().chain(
        (0..count)
            .filter(|i| ![0, 7, 31].contains(i))
            .collect::<Vec<_>>()
            .iter(),
    ) {
        let (id, count) = (id.to_string(), count.to_string());
        let s = run(
            &env,
            &argv,
            &[
                ("SLURM_ARRAY_TASK_ID", &id),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_COUNT", &count),
            ],
        );
        planned += s.planned;
    }
    assert_eq!(planned, 40);
    assert_eq!(
        env.keys()
            .iter()
            .filter(|k| k.starts_with("slurm/"))
            .count(),
        40
    );
}
