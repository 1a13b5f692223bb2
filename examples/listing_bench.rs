//! The listing benchmark (`scripts/bench-listing.sh`): starts the in-process test
//! server (tests/support), stores KEYS objects spread evenly over PREFIXES first-level
//! prefixes (`p000/k0000000` …, written straight into its storage), adds DELAY_MS to
//! every GET (the fault layer's delay: a round trip to a far region), then runs
//! `s5rs ls 's3://bench/*'` once with one sequential listing stream
//! (`--list-concurrency 1`) and once split over the prefixes (the default), three
//! times each, alternating, checks every run printed exactly the stored keys in key
//! order (and the same lines as the first run), and prints each one's best time
//! (with the client's CPU time) and their ratio.
//!
//! Usage: `listing_bench S5RS_BINARY [KEYS] [PREFIXES] [DELAY_MS]`
//! (defaults 200000, 256, 20).

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let binary = args
        .get(1)
        .expect("usage: listing_bench S5RS_BINARY [KEYS] [PREFIXES] [DELAY_MS]");
    let arg = |i: usize, default: usize| {
        args.get(i)
            .map_or(default, |s| s.parse().expect("a number"))
    };
    let (keys, prefixes, delay_ms) = (arg(2, 200_000), arg(3, 256), arg(4, 20));

    let server = support::TestServer::start();
    let dir = server.root().join("bench");
    std::fs::create_dir_all(&dir).unwrap();
    let mut expected: Vec<String> = (0..keys)
        .map(|i| format!("p{:03}/k{i:07}", i % prefixes))
        .collect();
    for key in &expected {
        std::fs::write(server.object_path("bench", key), b"").unwrap();
    }
    expected.sort();
    // Warm the server's listing snapshot, so neither run pays for reading the files.
    let (_, reference) = ls(binary, &server, &["--list-concurrency", "1"]);
    check(&reference, &expected);
    server.set_faults(support::Faults {
        delay: Some(Duration::from_millis(delay_ms as u64)),
        only_method: Some(http::Method::GET),
        ..Default::default()
    });

    // Alternate the two, three runs each, and keep each one's best (the machine
    // may be shared); also the client's CPU time, to tell waiting from working.
    let mut single = (Duration::MAX, Duration::ZERO);
    let mut split = (Duration::MAX, Duration::ZERO);
    for _ in 0..3 {
        for (flags, best) in [
            (&["--list-concurrency", "1"][..], &mut single),
            (&[][..], &mut split),
        ] {
            let cpu = children_cpu();
            let (wall, out) = ls(binary, &server, flags);
            // Outside the timed part: the same lines as the warm-up, whose names
            // are the stored keys in order.
            assert!(out == reference, "{flags:?} listed other lines");
            if wall < best.0 {
                *best = (wall, children_cpu() - cpu);
            }
        }
    }
    println!("keys={keys} prefixes={prefixes} delay_per_request={delay_ms}ms (best of 3)");
    for (name, (wall, cpu)) in [("one stream", single), ("split     ", split)] {
        println!(
            "{name}: {:.2} s (client CPU {:.2} s)",
            wall.as_secs_f64(),
            cpu.as_secs_f64()
        );
    }
    println!(
        "ratio:      {:.1}x",
        single.0.as_secs_f64() / split.0.as_secs_f64()
    );
}

/// User + system CPU time of the finished child processes so far.
fn children_cpu() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage fills the struct it is given.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Checks that the `ls` output names exactly `expected` (sorted keys), in order.
fn check(out: &[u8], expected: &[String]) {
    let text = std::str::from_utf8(out).expect("UTF-8 output");
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.rsplit(' ').next().unwrap_or_default())
        .collect();
    assert_eq!(names.len(), expected.len(), "every key listed once");
    assert!(
        names
            .iter()
            .copied()
            .eq(expected.iter().map(String::as_str)),
        "keys listed in key order"
    );
}

/// Runs `s5rs [flags] ls s3://bench/*`; returns its wall time and output.
fn ls(binary: &str, server: &support::TestServer, flags: &[&str]) -> (Duration, Vec<u8>) {
    let start = Instant::now();
    let out = Command::new(binary)
        .env("AWS_ACCESS_KEY_ID", &server.access_key)
        .env("AWS_SECRET_ACCESS_KEY", &server.secret_key)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .args(["--endpoint-url", &server.endpoint])
        .args(flags)
        .args(["ls", "s3://bench/*"])
        .output()
        .expect("run s5rs");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (elapsed, out.stdout)
}
