//! Client CPU per request: 20,000 PUTs, GETs and HEADs of 1 KiB objects, 256 in
//! flight, against a canned-response server (`canned_s3`, a separate process), with
//! the full s5rs S3 client path (signing, pooled HTTP, response parsing, body
//! reading). Prints the client process's CPU time (user + system, `getrusage`)
//! divided by the request count, per kind.
//!
//! Usage: `client_bench ENDPOINT [REQUESTS] [IN_FLIGHT]`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use bytes::Bytes;
use s5rs::storage::ObjectHeaders;
use s5rs::storage::s3::{PutBody, S3Client, S3Config};

fn cpu_micros() -> f64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

#[derive(Clone, Copy, Debug)]
enum Kind {
    Put,
    Get,
    Head,
}

async fn one(client: &S3Client, kind: Kind, i: usize, body: &Bytes) {
    let key = format!("bench/obj-{}", i % 1000);
    match kind {
        Kind::Put => {
            client
                .put_object(
                    "bench",
                    &key,
                    PutBody::Bytes(body.clone()),
                    &ObjectHeaders::default(),
                )
                .await
                .expect("put");
        }
        Kind::Get => {
            let mut out = client
                .get_object("bench", &key, None, None)
                .await
                .expect("get");
            let mut n = 0;
            while let Some(c) = out.body.next_chunk().await {
                n += c.expect("body").len();
            }
            assert_eq!(n, 1024);
        }
        Kind::Head => {
            let m = client
                .head_object("bench", &key, None, None)
                .await
                .expect("head");
            assert_eq!(m.size, 1024);
        }
    }
}

async fn run(client: &S3Client, kind: Kind, total: usize, in_flight: usize) -> (f64, f64) {
    let next = Arc::new(AtomicUsize::new(0));
    let body = Bytes::from(vec![b'y'; 1024]);
    let cpu0 = cpu_micros();
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(in_flight);
    for _ in 0..in_flight {
        let client = client.clone();
        let next = next.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    break;
                }
                one(&client, kind, i, &body).await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let cpu = cpu_micros() - cpu0;
    (
        cpu / total as f64,
        total as f64 / t0.elapsed().as_secs_f64(),
    )
}

fn main() {
    let mut args = std::env::args().skip(1);
    let endpoint = args
        .next()
        .expect("usage: client_bench ENDPOINT [REQUESTS] [IN_FLIGHT]");
    let total: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let in_flight: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(256);
    let dir = std::env::temp_dir().join(format!("s5rs-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let creds = dir.join("credentials");
    std::fs::write(
        &creds,
        "[bench]\naws_access_key_id = AKIDBENCH000000\naws_secret_access_key = bench-secret-0000000000\n",
    )
    .expect("credentials");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let client = S3Client::new(S3Config {
            endpoint_url: Some(endpoint),
            region: Some("us-east-1".into()),
            profile: Some("bench".into()),
            credentials_file: Some(creds),
            retry_count: 3,
            max_connections: in_flight,
            ..S3Config::default()
        })
        .await
        .expect("client");
        // Warm up: credentials cached, connections open.
        run(&client, Kind::Head, in_flight * 4, in_flight).await;
        for kind in [Kind::Put, Kind::Get, Kind::Head] {
            let (us, rps) = run(&client, kind, total, in_flight).await;
            println!("{kind:?} {us:.1} us/request ({rps:.0} requests/s)");
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
