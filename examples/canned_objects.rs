//! A canned-response S3 server for benchmarks: answers PUT, GET, HEAD, DELETE, batch
//! delete, CopyObject, ListObjects (v1 and v2), CreateBucket and HeadBucket on
//! 127.0.0.1 with fixed answers and stores nothing, so nearly all CPU a benchmark sees
//! is the client's.
//!
//! Every listing of any bucket and prefix shows `--objects` keys `<prefix>f0000000` …
//! (1,000 per page), each `--size` bytes of the same body whose MD5 is the ETag; GETs
//! return that body (honouring `Range`), PUT bodies are read and dropped. Signatures are
//! not checked.
//!
//! `--delay-ms N` answers every request N ms late (the request is read first), a
//! stand-in for a remote endpoint's round trip. The server counts accepted TCP
//! connections and requests; `GET /__stats` answers `connections C requests R` (its own
//! connection is counted, its request is not), so a benchmark can report new
//! connections per 1,000 requests for each client.
//!
//! Usage: `cargo run --release --example canned_objects -- --port 9000 --objects 5000 --size 10240 [--delay-ms 20]`

use std::convert::Infallible;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use md5::{Digest, Md5};

/// What every answer is made from.
struct Canned {
    /// Keys per listing.
    objects: usize,
    /// The object body.
    body: Bytes,
    /// Its quoted MD5.
    etag: String,
    /// How late every answer is.
    delay: Duration,
    /// Accepted TCP connections so far.
    connections: AtomicU64,
    /// Requests answered so far (stats requests aside).
    requests: AtomicU64,
}

const LAST_MODIFIED: &str = "Mon, 01 Jan 2024 00:00:00 GMT";
const LIST_TIME: &str = "2024-01-01T00:00:00.000Z";
const PAGE: usize = 1000;

fn main() {
    let mut port = 9000u16;
    let mut objects = 5000usize;
    let mut size = 10 * 1024usize;
    let mut delay_ms = 0u64;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().unwrap_or_default();
        match a.as_str() {
            "--port" => port = v.parse().expect("--port N"),
            "--objects" => objects = v.parse().expect("--objects N"),
            "--size" => size = v.parse().expect("--size N"),
            "--delay-ms" => delay_ms = v.parse().expect("--delay-ms N"),
            _ => panic!("unknown argument {a}"),
        }
    }
    let body: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let etag = format!("\"{}\"", hex::encode(Md5::digest(&body)));
    let canned = Arc::new(Canned {
        objects,
        body: Bytes::from(body),
        etag,
        delay: Duration::from_millis(delay_ms),
        connections: AtomicU64::new(0),
        requests: AtomicU64::new(0),
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                continue;
            };
            canned.connections.fetch_add(1, Ordering::Relaxed);
            let _ = sock.set_nodelay(true);
            let canned = canned.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req| handle(canned.clone(), req));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(sock), svc)
                    .await;
            });
        }
    });
}

/// The value of query parameter `name` (percent-decoded).
fn param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == name).then(|| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn xml(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .body(Full::new(Bytes::from(body)))
        .expect("response")
}

async fn handle(
    c: Arc<Canned>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = percent_encoding::percent_decode_str(req.uri().path())
        .decode_utf8_lossy()
        .into_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let path = path.trim_start_matches('/');
    if path == "__stats" {
        let stats = format!(
            "connections {} requests {}\n",
            c.connections.load(Ordering::Relaxed),
            c.requests.load(Ordering::Relaxed)
        );
        return Ok(Response::new(Full::new(Bytes::from(stats))));
    }
    c.requests.fetch_add(1, Ordering::Relaxed);
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    let bucket = bucket.to_owned();
    let key = key.to_owned();
    let method = req.method().clone();
    let copy_source = req.headers().contains_key("x-amz-copy-source");
    let range = req
        .headers()
        .get("range")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Read (and drop) any request body.
    let data = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    if !c.delay.is_zero() {
        tokio::time::sleep(c.delay).await;
    }
    let resp = match (method, key.is_empty()) {
        (Method::GET, true) => list(&c, &bucket, &query),
        (Method::POST, true) if query.contains("delete") => delete_many(&data),
        (Method::PUT, true) | (Method::HEAD, true) => Response::new(Full::new(Bytes::new())),
        (Method::GET, false) | (Method::HEAD, false) => object(&c, range.as_deref()),
        (Method::PUT, false) if copy_source => xml(
            StatusCode::OK,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult><LastModified>{LIST_TIME}</LastModified><ETag>{}</ETag></CopyObjectResult>",
                c.etag.replace('"', "&quot;")
            ),
        ),
        (Method::PUT, false) => {
            let etag = format!("\"{}\"", hex::encode(Md5::digest(&data)));
            Response::builder()
                .header("etag", etag)
                .body(Full::new(Bytes::new()))
                .expect("response")
        }
        (Method::DELETE, false) => Response::builder()
            .status(StatusCode::NO_CONTENT)
            .body(Full::new(Bytes::new()))
            .expect("response"),
        _ => xml(
            StatusCode::NOT_IMPLEMENTED,
            "<Error><Code>NotImplemented</Code><Message>canned server</Message></Error>".into(),
        ),
    };
    Ok(resp)
}

/// GET/HEAD of any object: the canned body (hyper drops the body for HEAD).
fn object(c: &Canned, range: Option<&str>) -> Response<Full<Bytes>> {
    let len = c.body.len();
    let b = Response::builder()
        .header("etag", &c.etag)
        .header("last-modified", LAST_MODIFIED)
        .header("content-type", "application/octet-stream")
        .header("accept-ranges", "bytes");
    let parsed = range.and_then(|r| {
        let (a, z) = r.strip_prefix("bytes=")?.split_once('-')?;
        let a: usize = a.parse().ok()?;
        let z: usize = z
            .parse::<usize>()
            .map_or(len.saturating_sub(1), |z| z.min(len - 1));
        (a <= z && a < len).then_some((a, z))
    });
    match parsed {
        Some((a, z)) => b
            .status(StatusCode::PARTIAL_CONTENT)
            .header("content-range", format!("bytes {a}-{z}/{len}"))
            .body(Full::new(c.body.slice(a..=z)))
            .expect("response"),
        None => b.body(Full::new(c.body.clone())).expect("response"),
    }
}

/// ListObjects v1/v2: `objects` keys under the prefix, a page at a time.
fn list(c: &Canned, bucket: &str, query: &str) -> Response<Full<Bytes>> {
    let prefix = param(query, "prefix").unwrap_or_default();
    let v2 = param(query, "list-type").as_deref() == Some("2");
    let max = param(query, "max-keys")
        .and_then(|m| m.parse().ok())
        .unwrap_or(PAGE)
        .clamp(1, PAGE);
    let name = |i: usize| format!("{prefix}f{i:07}");
    let index = |k: String| {
        k.strip_prefix(&*prefix)
            .and_then(|s| s.strip_prefix('f'))
            .and_then(|s| s.parse::<usize>().ok())
    };
    // The continuation token is the next key; start-after and marker the last one seen.
    let start = match param(query, "continuation-token").and_then(index) {
        Some(i) => i,
        None => param(query, if v2 { "start-after" } else { "marker" })
            .and_then(index)
            .map_or(0, |i| i + 1),
    };
    let end = (start + max).min(c.objects);
    let truncated = end < c.objects;
    let mut x = String::with_capacity(300 * (end - start) + 500);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    let _ = write!(
        x,
        "<Name>{bucket}</Name><Prefix>{prefix}</Prefix><MaxKeys>{max}</MaxKeys>"
    );
    let _ = write!(x, "<IsTruncated>{truncated}</IsTruncated>");
    if v2 {
        let _ = write!(x, "<KeyCount>{}</KeyCount>", end - start);
        if truncated {
            let _ = write!(
                x,
                "<NextContinuationToken>{}</NextContinuationToken>",
                name(end)
            );
        }
    } else if truncated {
        let _ = write!(x, "<NextMarker>{}</NextMarker>", name(end - 1));
    }
    let etag = c.etag.replace('"', "&quot;");
    for i in start..end {
        let _ = write!(
            x,
            "<Contents><Key>{}</Key><LastModified>{LIST_TIME}</LastModified><ETag>{etag}</ETag><Size>{}</Size><StorageClass>STANDARD</StorageClass></Contents>",
            name(i),
            c.body.len()
        );
    }
    x.push_str("</ListBucketResult>");
    xml(StatusCode::OK, x)
}

/// DeleteObjects: every key in the request is reported deleted.
fn delete_many(body: &[u8]) -> Response<Full<Bytes>> {
    let text = String::from_utf8_lossy(body);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    );
    let mut rest = &*text;
    while let Some(i) = rest.find("<Key>") {
        rest = &rest[i + 5..];
        let Some(j) = rest.find("</Key>") else { break };
        let _ = write!(x, "<Deleted><Key>{}</Key></Deleted>", &rest[..j]);
        rest = &rest[j + 6..];
    }
    x.push_str("</DeleteResult>");
    xml(StatusCode::OK, x)
}
