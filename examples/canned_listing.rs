//! A canned-listing S3 server on 127.0.0.1 for the sync memory benchmark
//! (`scripts/sync-memory.sh`): it answers ListObjectsV2 for any bucket with generated
//! pages of 1,000 keys — `src/k0000000 …` and `dst/k0000000 …` (N keys each, 1 KiB,
//! the destination written a year after the source, so a sync finds everything up to
//! date), plus `EXTRA` destination-only keys `dst/z…` that a `--delete` would remove.
//! Nothing is stored: a million-object listing costs the server nothing.
//!
//! Usage: `cargo run --release --example canned_listing -- N EXTRA`; prints
//! `endpoint=http://127.0.0.1:PORT` and serves until killed.

use std::convert::Infallible;
use std::io::Write;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};

const PAGE: usize = 1000;

struct Listing {
    n: usize,
    extra: usize,
}

impl Listing {
    /// The i-th key of a side, in key order.
    fn key(&self, side: &str, i: usize) -> String {
        if side == "dst/" && i >= self.n {
            format!("dst/z{:07}", i - self.n)
        } else {
            format!("{side}k{i:07}")
        }
    }

    fn len(&self, side: &str) -> usize {
        if side == "dst/" {
            self.n + self.extra
        } else {
            self.n
        }
    }

    fn page(&self, prefix: &str, start: usize) -> String {
        let side = if prefix.starts_with("dst/") {
            "dst/"
        } else {
            "src/"
        };
        let date = if side == "dst/" {
            "2021-01-01T00:00:00.000Z"
        } else {
            "2020-01-01T00:00:00.000Z"
        };
        let total = self.len(side);
        let end = (start + PAGE).min(total);
        let mut xml = String::with_capacity(200 * PAGE);
        xml.push_str(r#"<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#);
        xml.push_str(&format!("<Name>bkt</Name><Prefix>{prefix}</Prefix><KeyCount>{}</KeyCount><MaxKeys>1000</MaxKeys>", end - start));
        for i in start..end {
            xml.push_str(&format!(
                "<Contents><Key>{}</Key><LastModified>{date}</LastModified><ETag>&quot;0f343b0931126a20f133d67c2b018a3b&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>",
                self.key(side, i)
            ));
        }
        if end < total {
            xml.push_str(&format!("<IsTruncated>true</IsTruncated><NextContinuationToken>{end}</NextContinuationToken>"));
        } else {
            xml.push_str("<IsTruncated>false</IsTruncated>");
        }
        xml.push_str("</ListBucketResult>");
        xml
    }
}

fn query_param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

async fn handle(
    listing: Arc<Listing>,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let query = req.uri().query().unwrap_or("");
    if req.method() == hyper::Method::GET && query_param(query, "list-type") == Some("2") {
        let prefix = query_param(query, "prefix")
            .unwrap_or("")
            .replace("%2F", "/");
        let start = query_param(query, "continuation-token")
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let body = listing.page(&prefix, start);
        return Ok(Response::builder()
            .header("content-type", "application/xml")
            .body(Full::new(Bytes::from(body)))
            .expect("response"));
    }
    Ok(Response::builder()
        .status(501)
        .body(Full::new(Bytes::from_static(
            b"<Error><Code>NotImplemented</Code><Message>canned listing server</Message></Error>",
        )))
        .expect("response"))
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let n = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let extra = args.next().and_then(|a| a.parse().ok()).unwrap_or(0);
    let listing = Arc::new(Listing { n, extra });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    println!("endpoint=http://{}", listener.local_addr().expect("addr"));
    let _ = std::io::stdout().flush();
    let http = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        let listing = listing.clone();
        let service = hyper::service::service_fn(move |req| handle(listing.clone(), req));
        let conn = http
            .serve_connection(TokioIo::new(sock), service)
            .into_owned();
        tokio::spawn(conn);
    }
}
