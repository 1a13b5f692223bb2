//! Real S3 servers for tests, on 127.0.0.1 only.
//!
//! [`TestServer::start`] runs an in-process s3s + s3s-fs server (one per test, own
//! temp dir, own port, real SigV4 checking) on a dedicated thread with its own
//! tokio runtime, so it works from `#[tokio::test]`, from plain `#[test]`s that run
//! the built `s5rs` binary, and survives the test's runtime. Two layers sit in front
//! of s3s-fs:
//!
//! * [`Faults`] — a hyper service layer that can answer the next N requests with
//!   503 SlowDown or 500 InternalError, drop the connection before answering, cut
//!   a response body in the middle (abort or clean short end), answer with a 200
//!   carrying an `<Error>`, answer Range requests with 200 (whole object, or the
//!   range with Content-Range like rclone), redirect requests signed for the wrong
//!   region (301 + `x-amz-bucket-region`), or add a delay. Change them at
//!   any time with [`TestServer::set_faults`]; [`TestServer::requests`] counts
//!   requests that reached the server. For integrity tests it can also flip one
//!   byte of an object GET body or of a PUT request body, check every PUT body
//!   against its Content-MD5 (s3s-fs does not for UploadPart), stream GET bodies
//!   slowly (to kill the client mid-download), and inject random faults at a seeded
//!   rate ([`RandomFaults`]); [`TestServer::fault_counts`] says what fired and
//!   [`TestServer::request_log`] lists every request line.
//! * `Fill` — an `S3` trait wrapper that fills s3s-fs gaps so the server behaves
//!   like S3: keys are stored under an injective file-name encoding (so `a//b`,
//!   `../x`, `dir/` and control characters round-trip), listings (v1, v2 and a
//!   versions listing with version id `null`) are computed here with real
//!   prefix/delimiter/pagination semantics and `encoding-type=url`, a missing
//!   bucket is `NoSuchBucket`, deleting a non-empty bucket is `BucketNotEmpty`, and
//!   bucket versioning status is remembered; HeadObject with `partNumber` answers
//!   with that part's length, Content-Range and parts count, like S3.
//!
//! [`Target::from_env`] selects an external server instead when
//! `S5RS_TEST_ENDPOINT` (+ `S5RS_TEST_ACCESS_KEY`, `S5RS_TEST_SECRET_KEY`,
//! `S5RS_TEST_SERVER=moto|rclone`) is set.

#![allow(dead_code)]

pub mod run;
pub mod ssec;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::BodyExt;
use http_body_util::combinators::BoxBody;
use s3s::dto::*;
use s3s::{S3, S3Request, S3Response, S3Result, s3_error};

/// Access key of the in-process server.
pub const ACCESS_KEY: &str = "AKIDTEST12345678";
/// Secret key of the in-process server.
pub const SECRET_KEY: &str = "test-secret-123456";

/// Faults to inject. Counters apply to the next N requests that match
/// `only_method` (all requests when `None`) and count down as they fire, in the
/// order the fields are listed.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Answer 503 `SlowDown`.
    pub slow_down: u32,
    /// Answer 500 `InternalError`.
    pub internal_error: u32,
    /// Close the connection without answering.
    pub reset_before_response: u32,
    /// Send half of a response body, then abort the connection.
    pub reset_mid_body: u32,
    /// Send half of a response body (Content-Length unchanged), then end it cleanly.
    pub truncate_body: u32,
    /// Answer Range requests with 200 and the whole object (some servers do).
    pub ignore_range: bool,
    /// Answer Range requests with status 200 but the range's bytes and a
    /// Content-Range header (what rclone 1.75 does).
    pub range_as_200: bool,
    /// Answer a 200 whose body is an S3 `<Error>` document (`InternalError`), as
    /// CopyObject and CompleteMultipartUpload may.
    pub ok_error_body: u32,
    /// The region every bucket lives in: a request signed for another region is
    /// answered 301 `PermanentRedirect` with `x-amz-bucket-region` (not counted down).
    pub bucket_region: Option<String>,
    /// Wait this long before handling each request.
    pub delay: Option<Duration>,
    /// Only requests with this method are affected.
    pub only_method: Option<http::Method>,
    /// Flip one byte of the next N object GET bodies (same length, status 200/206).
    pub flip_body_byte: u32,
    /// Flip one byte of the next N PUT request bodies (object data) before the
    /// server sees them.
    pub flip_request_byte: u32,
    /// Check every PUT body against its Content-MD5 (400 BadDigest on mismatch).
    pub check_content_md5: bool,
    /// Send object GET bodies in 64 KiB chunks with this pause between them.
    pub body_chunk_delay: Option<Duration>,
    /// Random faults at a seeded rate.
    pub random: Option<RandomFaults>,
    /// Require and check SSE-C keys like S3 ([`ssec`]).
    pub require_sse_c: bool,
}

/// Random faults: each request draws a number; with probability `per_mille`/1000 it
/// gets one fault, chosen uniformly among 503 SlowDown, 500 InternalError, a reset
/// before the response, a delay, and — for object GETs only, so no non-idempotent
/// request is ever half-done — a reset mid-body, a truncated body and a flipped byte.
#[derive(Debug, Clone)]
pub struct RandomFaults {
    /// RNG seed (the sequence of draws is deterministic; which request gets which
    /// draw depends on arrival order).
    pub seed: u64,
    /// Fault probability per request, in thousandths.
    pub per_mille: u32,
    /// Longest injected delay.
    pub max_delay: Duration,
}

/// How many faults of each kind fired.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaultCounts {
    /// 503 SlowDown answers.
    pub slow_down: u64,
    /// 500 InternalError answers.
    pub internal_error: u64,
    /// Connections closed before answering.
    pub reset_before_response: u64,
    /// Bodies cut by an aborted connection.
    pub reset_mid_body: u64,
    /// Bodies ended cleanly but short.
    pub truncated_body: u64,
    /// Object GET bodies with a flipped byte.
    pub flipped_get_byte: u64,
    /// PUT bodies with a flipped byte.
    pub flipped_put_byte: u64,
    /// Delayed requests.
    pub delayed: u64,
    /// PUT bodies refused because they did not match their Content-MD5.
    pub bad_digest: u64,
    /// PUT bodies that came without a Content-MD5 (counted when checking).
    pub put_without_md5: u64,
}

impl FaultCounts {
    /// Faults that a client must have recovered from (everything but delays and
    /// the bookkeeping counts).
    pub fn injected(&self) -> u64 {
        self.slow_down
            + self.internal_error
            + self.reset_before_response
            + self.reset_mid_body
            + self.truncated_body
            + self.flipped_get_byte
            + self.flipped_put_byte
    }
}

/// Shared state of the fault layer.
#[derive(Default)]
struct FaultState {
    counts: Mutex<FaultCounts>,
    rng: Mutex<Option<fastrand::Rng>>,
    log: Mutex<Vec<String>>,
    sse_c: ssec::SseCGate,
    /// Requests that may change a bucket (anything but GET and HEAD), so far.
    writes: AtomicU64,
}

/// A running in-process server; stops when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// Access key id.
    pub access_key: String,
    /// Secret key.
    pub secret_key: String,
    root: tempfile::TempDir,
    faults: Arc<Mutex<Faults>>,
    requests: Arc<AtomicU64>,
    state: Arc<FaultState>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Starts a server without faults.
    pub fn start() -> TestServer {
        TestServer::start_with(Faults::default())
    }

    /// Starts a server with the given faults.
    pub fn start_with(faults: Faults) -> TestServer {
        TestServer::start_full(faults, ACCESS_KEY, SECRET_KEY)
    }

    /// Starts a server that accepts only these credentials (two servers with
    /// different keys: cross-endpoint copies).
    pub fn start_with_keys(access_key: &str, secret_key: &str) -> TestServer {
        TestServer::start_full(Faults::default(), access_key, secret_key)
    }

    fn start_full(faults: Faults, access_key: &str, secret_key: &str) -> TestServer {
        let root = tempfile::tempdir().expect("temp dir");
        let faults = Arc::new(Mutex::new(faults));
        let requests = Arc::new(AtomicU64::new(0));
        let state = Arc::new(FaultState::default());
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let data = root.path().to_owned();
        let (f2, r2, s2) = (faults.clone(), requests.clone(), state.clone());
        let keys = (access_key.to_owned(), secret_key.to_owned());
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("server runtime");
            rt.block_on(serve(data, keys, f2, r2, s2, addr_tx, stop_rx));
        });
        let addr: std::net::SocketAddr = addr_rx.recv().expect("server address");
        TestServer {
            endpoint: format!("http://{addr}"),
            access_key: access_key.into(),
            secret_key: secret_key.into(),
            root,
            faults,
            requests,
            state,
            shutdown: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Replaces the faults.
    pub fn set_faults(&self, faults: Faults) {
        *self.state.rng.lock().unwrap() = faults
            .random
            .as_ref()
            .map(|r| fastrand::Rng::with_seed(r.seed));
        *self.faults.lock().unwrap() = faults;
    }

    /// What the fault layer has injected so far.
    pub fn fault_counts(&self) -> FaultCounts {
        self.state.counts.lock().unwrap().clone()
    }

    /// Every request so far, as `METHOD /path?query`.
    pub fn request_log(&self) -> Vec<String> {
        self.state.log.lock().unwrap().clone()
    }

    /// Where the server keeps the data of `bucket/key` (bypassing the fault layer).
    pub fn object_path(&self, bucket: &str, key: &str) -> PathBuf {
        self.root.path().join(bucket).join(enc(key))
    }

    /// The stored bytes of `bucket/key`, read from disk.
    pub fn object_bytes(&self, bucket: &str, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.object_path(bucket, key)).ok()
    }

    /// What the SSE-C gate saw (with `Faults::require_sse_c`).
    pub fn sse_c_counts(&self) -> ssec::SseCCounts {
        self.state.sse_c.counts()
    }

    /// Requests received so far.
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::SeqCst)
    }

    /// The directory the objects are stored in.
    pub fn root(&self) -> &Path {
        self.root.path()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

type RespBody = BoxBody<Bytes, Box<dyn std::error::Error + Send + Sync>>;

async fn serve(
    data: PathBuf,
    keys: (String, String),
    faults: Arc<Mutex<Faults>>,
    requests: Arc<AtomicU64>,
    state: Arc<FaultState>,
    addr_tx: std::sync::mpsc::Sender<std::net::SocketAddr>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let fs = s3s_fs::FileSystem::new(&data).expect("s3s-fs");
    let fill = Fill {
        inner: fs,
        root: data,
        faults: faults.clone(),
        versioning: Mutex::new(HashMap::new()),
        upload_parts: Mutex::new(HashMap::new()),
        layouts: Mutex::new(HashMap::new()),
        state: state.clone(),
        listings: Mutex::new(HashMap::new()),
    };
    let mut builder = s3s::service::S3ServiceBuilder::new(fill);
    builder.set_auth(s3s::auth::SimpleAuth::from_single(
        keys.0.clone(),
        keys.1.clone(),
    ));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    addr_tx.send(listener.local_addr().unwrap()).unwrap();
    let http = hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    loop {
        let (sock, _) = tokio::select! {
            r = listener.accept() => match r { Ok(x) => x, Err(_) => continue },
            _ = &mut stop => return,
        };
        let service = service.clone();
        let faults = faults.clone();
        let requests = requests.clone();
        let state = state.clone();
        let svc = hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
            let service = service.clone();
            let faults = faults.clone();
            let requests = requests.clone();
            let state = state.clone();
            async move { handle(service, faults, requests, state, req).await }
        });
        let conn = http
            .serve_connection(hyper_util::rt::TokioIo::new(sock), svc)
            .into_owned();
        tokio::spawn(conn);
    }
}

/// What to do with one request.
#[derive(Clone, PartialEq, Eq)]
enum Action {
    Pass,
    OkError,
    Redirect(String),
    Status(u16, &'static str, &'static str),
    Reset,
    CutBody { abort: bool },
    FlipBody,
}

const SLOW_DOWN: Action = Action::Status(503, "SlowDown", "Please reduce your request rate.");
const INTERNAL: Action = Action::Status(
    500,
    "InternalError",
    "We encountered an internal error. Please try again.",
);

/// A random fault for one request, if the draw says so.
fn draw(f: &Faults, state: &FaultState) -> (Action, Option<Duration>) {
    let Some(r) = &f.random else {
        return (Action::Pass, None);
    };
    let mut rng = state.rng.lock().unwrap();
    let rng = rng.get_or_insert_with(|| fastrand::Rng::with_seed(r.seed));
    if rng.u32(0..1000) >= r.per_mille {
        return (Action::Pass, None);
    }
    match rng.u32(0..7) {
        0 => (SLOW_DOWN, None),
        1 => (INTERNAL, None),
        2 => (Action::Reset, None),
        3 => (Action::CutBody { abort: true }, None),
        4 => (Action::CutBody { abort: false }, None),
        5 => (Action::FlipBody, None),
        _ => {
            let ms = r.max_delay.as_millis().max(1) as u64;
            (Action::Pass, Some(Duration::from_millis(rng.u64(1..=ms))))
        }
    }
}

fn decide(
    faults: &Mutex<Faults>,
    state: &FaultState,
    method: &http::Method,
    signed_region: Option<&str>,
) -> (Action, Option<Duration>, bool) {
    let mut f = faults.lock().unwrap();
    if let (Some(want), Some(got)) = (&f.bucket_region, signed_region)
        && want != got
    {
        return (Action::Redirect(want.clone()), f.delay, f.range_as_200);
    }
    let delay = f.delay;
    let range_as_200 = f.range_as_200;
    if f.only_method.as_ref().is_some_and(|m| m != method) {
        return (Action::Pass, delay, range_as_200);
    }
    let (random, random_delay) = draw(&f, state);
    if random != Action::Pass {
        return (random, delay, range_as_200);
    }
    if let Some(d) = random_delay {
        state.counts.lock().unwrap().delayed += 1;
        return (
            Action::Pass,
            Some(d + delay.unwrap_or_default()),
            range_as_200,
        );
    }
    let action = if f.slow_down > 0 {
        f.slow_down -= 1;
        Action::Status(503, "SlowDown", "Please reduce your request rate.")
    } else if f.internal_error > 0 {
        f.internal_error -= 1;
        Action::Status(
            500,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )
    } else if f.reset_before_response > 0 {
        f.reset_before_response -= 1;
        Action::Reset
    } else if f.reset_mid_body > 0 {
        f.reset_mid_body -= 1;
        Action::CutBody { abort: true }
    } else if f.truncate_body > 0 {
        f.truncate_body -= 1;
        Action::CutBody { abort: false }
    } else if f.ok_error_body > 0 {
        f.ok_error_body -= 1;
        Action::OkError
    } else if f.flip_body_byte > 0 && method == http::Method::GET {
        f.flip_body_byte -= 1;
        Action::FlipBody
    } else {
        Action::Pass
    };
    (action, delay, range_as_200)
}

#[derive(Debug)]
struct Injected(&'static str);
impl std::fmt::Display for Injected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}
impl std::error::Error for Injected {}

/// The SSE-C gate (when required) around [`handle_faults`].
async fn handle(
    service: s3s::service::S3Service,
    faults: Arc<Mutex<Faults>>,
    requests: Arc<AtomicU64>,
    state: Arc<FaultState>,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<RespBody>, Box<dyn std::error::Error + Send + Sync>> {
    if !faults.lock().unwrap().require_sse_c {
        return handle_faults(service, faults, requests, state, req).await;
    }
    let (note, echo) = match state.sse_c.check(&req) {
        Ok(x) => x,
        Err((status, code, message)) => {
            requests.fetch_add(1, Ordering::SeqCst);
            let _ = req.into_body().collect().await;
            return Ok(error_response(status, code, message));
        }
    };
    let mut resp = handle_faults(service, faults, requests, state.clone(), req).await?;
    if resp.status().is_success() {
        state.sse_c.commit(note);
        if let Some(md5) = echo {
            ssec::echo(resp.headers_mut(), &md5);
        }
    }
    Ok(resp)
}

async fn handle_faults(
    service: s3s::service::S3Service,
    faults: Arc<Mutex<Faults>>,
    requests: Arc<AtomicU64>,
    state: Arc<FaultState>,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<RespBody>, Box<dyn std::error::Error + Send + Sync>> {
    requests.fetch_add(1, Ordering::SeqCst);
    // A write is counted when it arrives and again when it has been answered, so a
    // listing read while it ran is not reused after it.
    let writes = req.method() != http::Method::GET && req.method() != http::Method::HEAD;
    if writes {
        state.writes.fetch_add(1, Ordering::SeqCst);
    }
    let state2 = state.clone();
    let answer = handle_counted(service, faults, state, req).await;
    if writes {
        state2.writes.fetch_add(1, Ordering::SeqCst);
    }
    answer
}

async fn handle_counted(
    service: s3s::service::S3Service,
    faults: Arc<Mutex<Faults>>,
    state: Arc<FaultState>,
    req: http::Request<hyper::body::Incoming>,
) -> Result<http::Response<RespBody>, Box<dyn std::error::Error + Send + Sync>> {
    // The region of the credential scope: `Credential=AKID/20250101/REGION/s3/aws4_request`.
    let signed_region = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(2))
        .map(str::to_owned);
    let has_bucket = req.uri().path().len() > 1;
    {
        // `METHOD /path?query` plus the names of any x-amz-checksum-* headers.
        let mut line = format!(
            "{} {}",
            req.method(),
            req.uri().path_and_query().map_or("", |p| p.as_str())
        );
        for (name, value) in req.headers() {
            if name.as_str().starts_with("x-amz-checksum-") || name.as_str() == "content-md5" {
                line.push_str(&format!(" {}={}", name, value.to_str().unwrap_or("?")));
            }
        }
        state.log.lock().unwrap().push(line);
    }
    let (action, delay, range_as_200) = decide(
        &faults,
        &state,
        req.method(),
        signed_region.as_deref().filter(|_| has_bucket),
    );
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let count = |f: fn(&mut FaultCounts) -> &mut u64| *f(&mut state.counts.lock().unwrap()) += 1;
    match action {
        Action::Status(status, code, message) => {
            count(if status == 503 {
                |c| &mut c.slow_down
            } else {
                |c| &mut c.internal_error
            });
            // Drain the request body so the connection stays usable.
            let _ = req.into_body().collect().await;
            Ok(error_response(status, code, message))
        }
        Action::Reset => {
            count(|c| &mut c.reset_before_response);
            Err(Box::new(Injected("injected connection reset")))
        }
        Action::Redirect(region) => {
            let _ = req.into_body().collect().await;
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Region>{region}</Region></Error>"
            );
            Ok(http::Response::builder()
                .status(301)
                .header("x-amz-bucket-region", region)
                .header("content-type", "application/xml")
                .body(full(Bytes::from(body)))
                .unwrap())
        }
        Action::OkError => {
            let _ = req.into_body().collect().await;
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message><RequestId>injected-200</RequestId><HostId>test</HostId></Error>";
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "application/xml")
                .body(full(Bytes::from_static(body.as_bytes())))
                .unwrap())
        }
        Action::Pass | Action::CutBody { .. } | Action::FlipBody => {
            let is_get = req.method() == http::Method::GET;
            let (check_md5, flip_put, chunk_delay) = {
                let mut f = faults.lock().unwrap();
                let data_put = req.method() == http::Method::PUT
                    && !req.headers().contains_key("x-amz-copy-source");
                let flip = data_put && f.flip_request_byte > 0;
                if flip {
                    f.flip_request_byte -= 1;
                }
                (data_put && f.check_content_md5, flip, f.body_chunk_delay)
            };
            let resp = if check_md5 || flip_put {
                let (parts, body) = req.into_parts();
                let mut data = body.collect().await?.to_bytes().to_vec();
                if flip_put && !data.is_empty() {
                    let i = data.len() / 2;
                    data[i] ^= 0x01;
                    count(|c| &mut c.flipped_put_byte);
                }
                if check_md5 {
                    use base64::Engine;
                    use md5::Digest;
                    let got =
                        base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&data));
                    match parts
                        .headers
                        .get("content-md5")
                        .and_then(|v| v.to_str().ok())
                    {
                        None => count(|c| &mut c.put_without_md5),
                        Some(want) if want != got => {
                            count(|c| &mut c.bad_digest);
                            return Ok(error_response(
                                400,
                                "BadDigest",
                                "The Content-MD5 you specified did not match what we received.",
                            ));
                        }
                        Some(_) => {}
                    }
                }
                let req = http::Request::from_parts(parts, s3s::Body::from(Bytes::from(data)));
                service.call(req).await
            } else {
                hyper::service::Service::call(&service, req).await
            }
            .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> {
                format!("s3s: {e:?}").into()
            })?;
            let (mut parts, body) = resp.into_parts();
            if range_as_200 && parts.status == http::StatusCode::PARTIAL_CONTENT {
                parts.status = http::StatusCode::OK;
            }
            let bytes = body
                .collect()
                .await
                .map_err(|e| -> Box<dyn std::error::Error + Send + Sync> {
                    format!("s3s body: {e:?}").into()
                })?
                .to_bytes();
            // Body faults only touch object data (a GET answer with an ETag), never
            // listings or the answers of non-idempotent requests.
            let object_get = is_get
                && parts.status.is_success()
                && parts.headers.contains_key("etag")
                && bytes.len() > 1;
            let body = match action {
                Action::CutBody { abort } if object_get => {
                    count(if abort {
                        |c| &mut c.reset_mid_body
                    } else {
                        |c| &mut c.truncated_body
                    });
                    let half = bytes.slice(..bytes.len() / 2);
                    let mut frames: Vec<
                        Result<http_body::Frame<Bytes>, Box<dyn std::error::Error + Send + Sync>>,
                    > = vec![Ok(http_body::Frame::data(half))];
                    if abort {
                        frames.push(Err(Box::new(Injected("injected reset mid-body"))));
                    }
                    BoxBody::new(http_body_util::StreamBody::new(futures_util::stream::iter(
                        frames,
                    )))
                }
                Action::FlipBody if object_get => {
                    count(|c| &mut c.flipped_get_byte);
                    let mut data = bytes.to_vec();
                    let i = fastrand::usize(..data.len());
                    data[i] ^= 0x20;
                    full(Bytes::from(data))
                }
                _ if object_get && chunk_delay.is_some() => {
                    let pause = chunk_delay.unwrap_or_default();
                    let chunks: Vec<Bytes> = bytes
                        .chunks(64 * 1024)
                        .map(Bytes::copy_from_slice)
                        .collect();
                    let stream = futures_util::stream::unfold(
                        chunks.into_iter(),
                        move |mut it| async move {
                            let next = it.next()?;
                            tokio::time::sleep(pause).await;
                            Some((
                                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(
                                    http_body::Frame::data(next),
                                ),
                                it,
                            ))
                        },
                    );
                    BoxBody::new(http_body_util::StreamBody::new(stream))
                }
                _ => full(bytes),
            };
            Ok(http::Response::from_parts(parts, body))
        }
    }
}

fn error_response(status: u16, code: &str, message: &str) -> http::Response<RespBody> {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>{message}</Message><RequestId>injected</RequestId><HostId>test</HostId></Error>"
    );
    http::Response::builder()
        .status(status)
        .header("content-type", "application/xml")
        .header("x-amz-request-id", "injected")
        .body(full(Bytes::from(body)))
        .unwrap()
}

fn full(b: Bytes) -> RespBody {
    BoxBody::new(http_body_util::Full::new(b).map_err(|e| match e {}))
}

// ---------------------------------------------------------------------------
// Fill: s3s-fs with S3 semantics for keys, listings, versioning status.

/// Key → file name: every byte outside `[A-Za-z0-9_-]` as `%XX`, so any key
/// (with `/`, `.`, `..`, control characters) is one plain file name.
fn enc(key: &str) -> String {
    let mut s = String::with_capacity(key.len() * 2);
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn dec(name: &str) -> String {
    percent_encoding::percent_decode_str(name)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-encoding for `encoding-type=url` answers (as AWS: all but unreserved and `/`).
fn url_enc(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

struct Fill {
    inner: s3s_fs::FileSystem,
    root: PathBuf,
    faults: Arc<Mutex<Faults>>,
    versioning: Mutex<HashMap<String, String>>,
    /// Sizes of the parts uploaded so far, per upload id and part number.
    upload_parts: Mutex<HashMap<String, std::collections::BTreeMap<i32, i64>>>,
    /// Part sizes of completed multipart objects, per (bucket, key), for
    /// HeadObject with partNumber (s3s-fs ignores it).
    layouts: Mutex<HashMap<(String, String), Vec<i64>>>,
    /// The fault layer's state (for its count of write requests).
    state: Arc<FaultState>,
    /// The last listing read per bucket, with the write count and directory mtime
    /// it was read at: reused until either changes (reading every file per
    /// ListObjects request would make the server, not the client, what a listing
    /// test or benchmark measures).
    listings: Mutex<HashMap<String, Snapshot>>,
}

/// A bucket's objects as read at a write count and directory mtime.
struct Snapshot {
    writes: u64,
    mtime: Option<std::time::SystemTime>,
    objects: Arc<Vec<Object>>,
}

impl std::fmt::Debug for Fill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fill")
    }
}

/// One listing answer, computed from all keys.
struct Listed {
    objects: Vec<Object>,
    prefixes: Vec<String>,
    truncated: bool,
    next: Option<String>,
}

impl Fill {
    fn bucket_exists(&self, bucket: &str) -> bool {
        self.root.join(bucket).is_dir()
    }

    fn check_bucket(&self, bucket: &str) -> S3Result<()> {
        if self.bucket_exists(bucket) {
            Ok(())
        } else {
            Err(s3_error!(
                NoSuchBucket,
                "The specified bucket does not exist"
            ))
        }
    }

    /// All objects of a bucket with decoded keys, sorted by key: the bucket
    /// directory's files (s3s-fs keeps one file per object there, named by
    /// [`enc`], and its metadata and upload parts outside it), with their size,
    /// mtime and MD5 as ETag (as S3 lists a single-part object). Read once per
    /// change (see `listings`).
    async fn all_objects<T>(
        &self,
        _req: &S3Request<T>,
        bucket: &str,
    ) -> S3Result<Arc<Vec<Object>>> {
        self.check_bucket(bucket)?;
        let dir = self.root.join(bucket);
        let writes = self.state.writes.load(Ordering::SeqCst);
        let mtime = std::fs::metadata(&dir).and_then(|m| m.modified()).ok();
        if let Some(s) = self.listings.lock().unwrap().get(bucket)
            && s.writes == writes
            && s.mtime == mtime
        {
            return Ok(s.objects.clone());
        }
        let objects = Arc::new(read_bucket_dir(&dir)?);
        self.listings.lock().unwrap().insert(
            bucket.to_owned(),
            Snapshot {
                writes,
                mtime,
                objects: objects.clone(),
            },
        );
        Ok(objects)
    }

    /// Fills in the ETag S3 lists for each object (the MD5 of a single-part object)
    /// that has none yet (the snapshot hashes every object once).
    fn with_etags(&self, bucket: &str, objects: Vec<Object>) -> Vec<Object> {
        objects
            .into_iter()
            .map(|mut o| {
                if o.e_tag.is_none()
                    && let Some(k) = &o.key
                    && let Ok(data) = std::fs::read(self.root.join(bucket).join(enc(k)))
                {
                    use md5::Digest;
                    o.e_tag = Some(ETag::Strong(hex::encode(md5::Md5::digest(&data))));
                }
                o
            })
            .collect()
    }

    fn list(
        all: &[Object],
        prefix: &str,
        delimiter: Option<&str>,
        after: Option<&str>,
        max_keys: usize,
    ) -> Listed {
        let mut objects = Vec::new();
        let mut prefixes = BTreeSet::new();
        let mut count = 0;
        let mut last: Option<&str> = None;
        let mut truncated = false;
        // Sorted keys: start at the first one at or after the prefix (and after the
        // marker), stop at the first one past the prefix's range.
        let mut i = all.partition_point(|o| {
            let k = o.key.as_deref().unwrap_or_default();
            k < prefix || after.is_some_and(|a| k <= a)
        });
        while i < all.len() {
            let o = &all[i];
            i += 1;
            let key = o.key.as_deref().unwrap_or_default();
            if !key.starts_with(prefix) {
                break;
            }
            // The object's key, or the common prefix it rolls up into (a slice of it).
            let (item, is_prefix) = match delimiter.filter(|d| !d.is_empty()) {
                Some(d) => match key[prefix.len()..].find(d) {
                    Some(i) => (&key[..prefix.len() + i + d.len()], true),
                    None => (key, false),
                },
                None => (key, false),
            };
            if after.is_some_and(|a| item <= a) || prefixes.contains(item) {
                if is_prefix {
                    i += skip_prefix(&all[i..], item);
                }
                continue;
            }
            if count == max_keys {
                truncated = true;
                break;
            }
            count += 1;
            last = Some(item);
            if is_prefix {
                // Skip the rest of the common prefix's keys (contiguous: sorted).
                i += skip_prefix(&all[i..], item);
                prefixes.insert(item.to_owned());
            } else {
                objects.push(o.clone());
            }
        }
        Listed {
            objects,
            prefixes: prefixes.into_iter().collect(),
            next: if truncated {
                last.map(str::to_owned)
            } else {
                None
            },
            truncated,
        }
    }
}

/// How many of the (sorted) objects at the start of `rest` are under `prefix`.
fn skip_prefix(rest: &[Object], prefix: &str) -> usize {
    rest.partition_point(|o| o.key.as_deref().unwrap_or_default().starts_with(prefix))
}

/// The objects stored in a bucket directory, sorted by key.
fn read_bucket_dir(dir: &Path) -> S3Result<Vec<Object>> {
    use md5::Digest;
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir).map_err(|e| s3_error!(InternalError, "{e}"))?;
    for entry in entries {
        let entry = entry.map_err(|e| s3_error!(InternalError, "{e}"))?;
        let Ok(meta) = entry.metadata() else {
            continue; // deleted while listing
        };
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !meta.is_file() {
            continue;
        }
        let Ok(data) = std::fs::read(entry.path()) else {
            continue;
        };
        out.push(Object {
            key: Some(dec(&name)),
            size: Some(meta.len() as i64),
            last_modified: meta.modified().ok().map(Timestamp::from),
            e_tag: Some(ETag::Strong(hex::encode(md5::Md5::digest(&data)))),
            ..Default::default()
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

fn url_mode(e: &Option<EncodingType>) -> bool {
    e.as_ref().is_some_and(|e| e.as_str() == EncodingType::URL)
}

fn map_copy_source(cs: &mut CopySource) {
    if let CopySource::Bucket { key, .. } = cs {
        *key = enc(key).into_boxed_str();
    }
}

#[async_trait::async_trait]
impl S3 for Fill {
    async fn create_bucket(
        &self,
        req: S3Request<CreateBucketInput>,
    ) -> S3Result<S3Response<CreateBucketOutput>> {
        self.inner.create_bucket(req).await
    }

    async fn delete_bucket(
        &self,
        req: S3Request<DeleteBucketInput>,
    ) -> S3Result<S3Response<DeleteBucketOutput>> {
        let bucket = req.input.bucket.clone();
        if !self.all_objects(&req, &bucket).await?.is_empty() {
            return Err(s3_error!(
                BucketNotEmpty,
                "The bucket you tried to delete is not empty"
            ));
        }
        self.versioning.lock().unwrap().remove(&bucket);
        self.inner.delete_bucket(req).await
    }

    async fn head_bucket(
        &self,
        req: S3Request<HeadBucketInput>,
    ) -> S3Result<S3Response<HeadBucketOutput>> {
        self.inner.head_bucket(req).await
    }

    async fn list_buckets(
        &self,
        req: S3Request<ListBucketsInput>,
    ) -> S3Result<S3Response<ListBucketsOutput>> {
        // S3 lists buckets sorted by name; s3s-fs in directory order.
        let mut resp = self.inner.list_buckets(req).await?;
        if let Some(b) = resp.output.buckets.as_mut() {
            b.sort_by(|x, y| x.name.cmp(&y.name));
        }
        Ok(resp)
    }

    async fn get_bucket_location(
        &self,
        req: S3Request<GetBucketLocationInput>,
    ) -> S3Result<S3Response<GetBucketLocationOutput>> {
        self.inner.get_bucket_location(req).await
    }

    async fn get_bucket_versioning(
        &self,
        req: S3Request<GetBucketVersioningInput>,
    ) -> S3Result<S3Response<GetBucketVersioningOutput>> {
        self.check_bucket(&req.input.bucket)?;
        let status = self
            .versioning
            .lock()
            .unwrap()
            .get(&req.input.bucket)
            .cloned();
        Ok(S3Response::new(GetBucketVersioningOutput {
            status: status.map(BucketVersioningStatus::from),
            ..Default::default()
        }))
    }

    async fn put_bucket_versioning(
        &self,
        req: S3Request<PutBucketVersioningInput>,
    ) -> S3Result<S3Response<PutBucketVersioningOutput>> {
        self.check_bucket(&req.input.bucket)?;
        if let Some(s) = &req.input.versioning_configuration.status {
            self.versioning
                .lock()
                .unwrap()
                .insert(req.input.bucket.clone(), s.as_str().to_owned());
        }
        Ok(S3Response::new(PutBucketVersioningOutput::default()))
    }

    async fn head_object(
        &self,
        mut req: S3Request<HeadObjectInput>,
    ) -> S3Result<S3Response<HeadObjectOutput>> {
        self.check_bucket(&req.input.bucket)?;
        let id = (req.input.bucket.clone(), req.input.key.clone());
        req.input.key = enc(&req.input.key);
        let part = req.input.part_number.take();
        let mut resp = self.inner.head_object(req).await?;
        if let Some(n) = part {
            let layout = self.layouts.lock().unwrap().get(&id).cloned();
            let total = resp.output.content_length.unwrap_or(0);
            match layout {
                Some(sizes) if n >= 1 && (n as usize) <= sizes.len() => {
                    let start: i64 = sizes[..(n - 1) as usize].iter().sum();
                    let len = sizes[(n - 1) as usize];
                    resp.output.content_length = Some(len);
                    resp.output.content_range =
                        Some(format!("bytes {start}-{}/{total}", start + len - 1));
                    resp.output.parts_count = Some(sizes.len() as i32);
                }
                None if n == 1 => {}
                _ => {
                    return Err(s3_error!(
                        InvalidArgument,
                        "Part number must be an integer between 1 and 10000"
                    ));
                }
            }
        }
        Ok(resp)
    }

    async fn get_object(
        &self,
        mut req: S3Request<GetObjectInput>,
    ) -> S3Result<S3Response<GetObjectOutput>> {
        self.check_bucket(&req.input.bucket)?;
        req.input.key = enc(&req.input.key);
        if self.faults.lock().unwrap().ignore_range {
            // Like rclone: answer a Range request with 200 and the whole object.
            req.input.range = None;
        }
        self.inner.get_object(req).await
    }

    async fn put_object(
        &self,
        mut req: S3Request<PutObjectInput>,
    ) -> S3Result<S3Response<PutObjectOutput>> {
        self.check_bucket(&req.input.bucket)?;
        self.layouts
            .lock()
            .unwrap()
            .remove(&(req.input.bucket.clone(), req.input.key.clone()));
        req.input.key = enc(&req.input.key);
        self.inner.put_object(req).await
    }

    async fn copy_object(
        &self,
        mut req: S3Request<CopyObjectInput>,
    ) -> S3Result<S3Response<CopyObjectOutput>> {
        self.check_bucket(&req.input.bucket)?;
        req.input.key = enc(&req.input.key);
        map_copy_source(&mut req.input.copy_source);
        self.inner.copy_object(req).await
    }

    async fn delete_object(
        &self,
        mut req: S3Request<DeleteObjectInput>,
    ) -> S3Result<S3Response<DeleteObjectOutput>> {
        self.check_bucket(&req.input.bucket)?;
        req.input.key = enc(&req.input.key);
        self.inner.delete_object(req).await
    }

    async fn delete_objects(
        &self,
        mut req: S3Request<DeleteObjectsInput>,
    ) -> S3Result<S3Response<DeleteObjectsOutput>> {
        self.check_bucket(&req.input.bucket)?;
        for o in &mut req.input.delete.objects {
            o.key = enc(&o.key);
        }
        let mut resp = self.inner.delete_objects(req).await?;
        for d in resp.output.deleted.iter_mut().flatten() {
            d.key = d.key.as_deref().map(dec);
        }
        for e in resp.output.errors.iter_mut().flatten() {
            e.key = e.key.as_deref().map(dec);
        }
        Ok(resp)
    }

    async fn create_multipart_upload(
        &self,
        mut req: S3Request<CreateMultipartUploadInput>,
    ) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
        self.check_bucket(&req.input.bucket)?;
        let key = req.input.key.clone();
        req.input.key = enc(&key);
        let mut resp = self.inner.create_multipart_upload(req).await?;
        resp.output.key = Some(key);
        Ok(resp)
    }

    async fn upload_part(
        &self,
        mut req: S3Request<UploadPartInput>,
    ) -> S3Result<S3Response<UploadPartOutput>> {
        let (upload_id, number, len) = (
            req.input.upload_id.clone(),
            req.input.part_number,
            req.input.content_length.unwrap_or(0),
        );
        req.input.key = enc(&req.input.key);
        let resp = self.inner.upload_part(req).await?;
        self.upload_parts
            .lock()
            .unwrap()
            .entry(upload_id)
            .or_default()
            .insert(number, len);
        Ok(resp)
    }

    async fn upload_part_copy(
        &self,
        mut req: S3Request<UploadPartCopyInput>,
    ) -> S3Result<S3Response<UploadPartCopyOutput>> {
        req.input.key = enc(&req.input.key);
        map_copy_source(&mut req.input.copy_source);
        self.inner.upload_part_copy(req).await
    }

    async fn complete_multipart_upload(
        &self,
        mut req: S3Request<CompleteMultipartUploadInput>,
    ) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
        let key = req.input.key.clone();
        let bucket = req.input.bucket.clone();
        let upload_id = req.input.upload_id.clone();
        let numbers: Vec<i32> = req
            .input
            .multipart_upload
            .as_ref()
            .and_then(|m| m.parts.as_ref())
            .map(|ps| ps.iter().filter_map(|p| p.part_number).collect())
            .unwrap_or_default();
        req.input.key = enc(&key);
        let mut resp = self.inner.complete_multipart_upload(req).await?;
        let sizes = self.upload_parts.lock().unwrap().remove(&upload_id);
        if let Some(sizes) = sizes {
            let layout: Vec<i64> = numbers
                .iter()
                .filter_map(|n| sizes.get(n).copied())
                .collect();
            self.layouts
                .lock()
                .unwrap()
                .insert((bucket, key.clone()), layout);
        }
        resp.output.key = Some(key);
        Ok(resp)
    }

    async fn abort_multipart_upload(
        &self,
        mut req: S3Request<AbortMultipartUploadInput>,
    ) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
        req.input.key = enc(&req.input.key);
        self.inner.abort_multipart_upload(req).await
    }

    async fn list_objects_v2(
        &self,
        req: S3Request<ListObjectsV2Input>,
    ) -> S3Result<S3Response<ListObjectsV2Output>> {
        let i = &req.input;
        let all = self.all_objects(&req, &i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let after = match (i.continuation_token.as_deref(), i.start_after.as_deref()) {
            (Some(t), _) => Some(dec(t)),
            (None, s) => s.map(str::to_owned),
        };
        let max = i.max_keys.unwrap_or(1000).clamp(0, 1000) as usize;
        let l = Fill::list(&all, &prefix, i.delimiter.as_deref(), after.as_deref(), max);
        let url = url_mode(&i.encoding_type);
        let e = |s: String| if url { url_enc(&s) } else { s };
        let count = (l.objects.len() + l.prefixes.len()) as i32;
        Ok(S3Response::new(ListObjectsV2Output {
            name: Some(i.bucket.clone()),
            prefix: Some(e(prefix)),
            delimiter: i.delimiter.clone().map(&e),
            max_keys: Some(max as i32),
            key_count: Some(count),
            is_truncated: Some(l.truncated),
            continuation_token: i.continuation_token.clone(),
            next_continuation_token: l.next.map(|n| enc(&n)),
            encoding_type: i.encoding_type.clone(),
            common_prefixes: Some(
                l.prefixes
                    .into_iter()
                    .map(|p| CommonPrefix { prefix: Some(e(p)) })
                    .collect(),
            ),
            contents: Some(
                self.with_etags(&i.bucket, l.objects)
                    .into_iter()
                    .map(|mut o| {
                        o.key = o.key.map(&e);
                        o
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    async fn list_objects(
        &self,
        req: S3Request<ListObjectsInput>,
    ) -> S3Result<S3Response<ListObjectsOutput>> {
        let i = &req.input;
        let all = self.all_objects(&req, &i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let max = i.max_keys.unwrap_or(1000).clamp(0, 1000) as usize;
        let l = Fill::list(
            &all,
            &prefix,
            i.delimiter.as_deref(),
            i.marker.as_deref(),
            max,
        );
        let url = url_mode(&i.encoding_type);
        let e = |s: String| if url { url_enc(&s) } else { s };
        Ok(S3Response::new(ListObjectsOutput {
            name: Some(i.bucket.clone()),
            prefix: Some(e(prefix)),
            delimiter: i.delimiter.clone().map(&e),
            marker: i.marker.clone().map(&e),
            max_keys: Some(max as i32),
            is_truncated: Some(l.truncated),
            next_marker: l.next.filter(|_| i.delimiter.is_some()).map(&e),
            encoding_type: i.encoding_type.clone(),
            common_prefixes: Some(
                l.prefixes
                    .into_iter()
                    .map(|p| CommonPrefix { prefix: Some(e(p)) })
                    .collect(),
            ),
            contents: Some(
                self.with_etags(&i.bucket, l.objects)
                    .into_iter()
                    .map(|mut o| {
                        o.key = o.key.map(&e);
                        o
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }

    async fn list_object_versions(
        &self,
        req: S3Request<ListObjectVersionsInput>,
    ) -> S3Result<S3Response<ListObjectVersionsOutput>> {
        let i = &req.input;
        let all = self.all_objects(&req, &i.bucket).await?;
        let prefix = i.prefix.clone().unwrap_or_default();
        let max = i.max_keys.unwrap_or(1000).clamp(0, 1000) as usize;
        let l = Fill::list(
            &all,
            &prefix,
            i.delimiter.as_deref(),
            i.key_marker.as_deref(),
            max,
        );
        let url = url_mode(&i.encoding_type);
        let e = |s: String| if url { url_enc(&s) } else { s };
        Ok(S3Response::new(ListObjectVersionsOutput {
            name: Some(i.bucket.clone()),
            prefix: Some(e(prefix)),
            delimiter: i.delimiter.clone().map(&e),
            max_keys: Some(max as i32),
            is_truncated: Some(l.truncated),
            next_key_marker: l.next.clone().map(&e),
            next_version_id_marker: l.next.map(|_| "null".to_owned()),
            encoding_type: i.encoding_type.clone(),
            common_prefixes: Some(
                l.prefixes
                    .into_iter()
                    .map(|p| CommonPrefix { prefix: Some(e(p)) })
                    .collect(),
            ),
            versions: Some(
                self.with_etags(&i.bucket, l.objects)
                    .into_iter()
                    .map(|o| ObjectVersion {
                        key: o.key.map(&e),
                        size: o.size,
                        last_modified: o.last_modified,
                        e_tag: o.e_tag,
                        is_latest: Some(true),
                        version_id: Some("null".to_owned()),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        }))
    }
}

// ---------------------------------------------------------------------------
// Selecting the server under test.

/// Which server a test runs against.
pub enum Target {
    /// The in-process server.
    Local(TestServer),
    /// An external server named by the environment.
    External {
        /// Endpoint URL.
        endpoint: String,
        /// Access key.
        access_key: String,
        /// Secret key.
        secret_key: String,
        /// `S5RS_TEST_SERVER` (`moto`, `rclone`, or empty).
        server: String,
    },
}

impl Target {
    /// The external server from `S5RS_TEST_ENDPOINT` etc., else a fresh in-process one.
    pub fn from_env() -> Target {
        match std::env::var("S5RS_TEST_ENDPOINT") {
            Ok(endpoint) if !endpoint.is_empty() => Target::External {
                endpoint,
                access_key: std::env::var("S5RS_TEST_ACCESS_KEY").unwrap_or_default(),
                secret_key: std::env::var("S5RS_TEST_SECRET_KEY").unwrap_or_default(),
                server: std::env::var("S5RS_TEST_SERVER").unwrap_or_default(),
            },
            _ => Target::Local(TestServer::start()),
        }
    }

    /// Endpoint URL.
    pub fn endpoint(&self) -> &str {
        match self {
            Target::Local(s) => &s.endpoint,
            Target::External { endpoint, .. } => endpoint,
        }
    }

    /// (access key, secret key).
    pub fn keys(&self) -> (&str, &str) {
        match self {
            Target::Local(s) => (&s.access_key, &s.secret_key),
            Target::External {
                access_key,
                secret_key,
                ..
            } => (access_key, secret_key),
        }
    }

    /// `local`, `moto`, `rclone` …
    pub fn server(&self) -> &str {
        match self {
            Target::Local(_) => "local",
            Target::External { server, .. } => server,
        }
    }

    /// The in-process server, when that is the target (fault injection).
    pub fn local(&self) -> Option<&TestServer> {
        match self {
            Target::Local(s) => Some(s),
            Target::External { .. } => None,
        }
    }
}

/// Writes a shared-credentials file with profile `s5rs-test` into `dir`.
pub fn write_credentials(dir: &Path, access_key: &str, secret_key: &str) -> PathBuf {
    let path = dir.join("credentials");
    std::fs::write(
        &path,
        format!(
            "[s5rs-test]\naws_access_key_id = {access_key}\naws_secret_access_key = {secret_key}\n"
        ),
    )
    .unwrap();
    path
}
