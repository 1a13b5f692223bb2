//! A canned-response "S3" server for the client CPU benchmark: answers every PUT
//! with 200 + ETag, every GET with a fixed 1 KiB body and every HEAD with the same
//! headers, on 127.0.0.1, without checking signatures. It exists so that
//! `client_bench` measures the client's CPU and nothing else; run it as a separate
//! process (its own CPU is not counted).
//!
//! Usage: `canned_s3 [PORT]` (0 or absent: any free port); prints `listening on ADDR`.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};

const ETAG: &str = "\"0f343b0931126a20f133d67c2b018a3b\"";
const LAST_MODIFIED: &str = "Sat, 01 Nov 2025 12:00:00 GMT";

async fn handle(req: Request<Incoming>, body: Bytes) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = req.method().clone();
    // Drain the request body so the connection can be reused.
    let _ = req.into_body().collect().await;
    let resp = Response::builder()
        .header("etag", ETAG)
        .header("x-amz-request-id", "CANNED")
        .header("last-modified", LAST_MODIFIED);
    let resp = match method {
        hyper::Method::GET => resp
            .header("content-type", "application/octet-stream")
            .body(Full::new(body)),
        hyper::Method::HEAD => resp
            .header("content-type", "application/octet-stream")
            .header("content-length", body.len())
            .body(Full::new(Bytes::new())),
        _ => resp.body(Full::new(Bytes::new())),
    };
    Ok(resp.expect("valid response"))
}

fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind");
        println!("listening on {}", listener.local_addr().expect("addr"));
        let body = Bytes::from(vec![b'x'; 1024]);
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                continue;
            };
            let _ = sock.set_nodelay(true);
            let body = body.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(move |req| handle(req, body.clone()));
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(sock), svc)
                    .await;
            });
        }
    });
}
