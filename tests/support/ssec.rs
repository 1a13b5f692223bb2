//! An SSE-C gate in front of the in-process server (s3s-fs and moto ignore SSE-C):
//! when `Faults::require_sse_c` is on, it remembers which objects were written with
//! a customer key (by the key's MD5) and answers like S3 when a request does not
//! carry the right key:
//!
//! * GetObject / HeadObject of an SSE-C object without the key: 400
//!   `InvalidRequest`; with another key: 403 `AccessDenied`; SSE-C headers on a
//!   plain object: 400 `InvalidRequest`.
//! * UploadPart (and UploadPartCopy) must carry the key the upload was created
//!   with; CopyObject and UploadPartCopy must carry the source's key in the
//!   `x-amz-copy-source-server-side-encryption-customer-*` headers.
//! * Headers must be complete and consistent: `AES256`, a 32-byte base64 key and
//!   its MD5 (else 400 `InvalidArgument`).
//!
//! Answers to requests that carried a key echo the algorithm and key MD5, as S3
//! does, so the client can tell an SSE-C object. [`SseCGate::counts`] says how many
//! requests carried a valid key and how many were refused.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use md5::Digest;

const OBJECT: [&str; 3] = [
    "x-amz-server-side-encryption-customer-algorithm",
    "x-amz-server-side-encryption-customer-key",
    "x-amz-server-side-encryption-customer-key-md5",
];
const COPY_SOURCE: [&str; 3] = [
    "x-amz-copy-source-server-side-encryption-customer-algorithm",
    "x-amz-copy-source-server-side-encryption-customer-key",
    "x-amz-copy-source-server-side-encryption-customer-key-md5",
];

/// What the gate saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseCCounts {
    /// Requests that carried a valid customer key (object or copy source).
    pub keyed: u64,
    /// Requests refused for a missing, wrong or malformed key.
    pub refused: u64,
    /// `METHOD /path?query` of each keyed request, with the header sets it carried.
    pub keyed_requests: Vec<String>,
}

/// The gate's memory: key MD5 per object and per pending multipart upload.
#[derive(Default)]
pub struct SseCGate {
    objects: Mutex<HashMap<String, String>>,
    uploads: Mutex<HashMap<String, String>>,
    counts: Mutex<SseCCounts>,
}

/// What to remember once the request succeeds.
pub enum Note {
    /// Nothing.
    None,
    /// A new object at the path, with this key MD5 (or none).
    Write(String, Option<String>),
    /// A multipart upload created at the path.
    Create(String, Option<String>),
    /// The path's multipart upload completed.
    Complete(String),
    /// The path's object deleted.
    Delete(String),
}

/// A refusal: status, code, message.
pub type Refusal = (u16, &'static str, &'static str);

fn decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

/// The MD5 of a valid header set, `None` when absent.
fn key_md5(h: &http::HeaderMap, names: [&str; 3]) -> Result<Option<String>, Refusal> {
    let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
    let bad = (400, "InvalidArgument", "invalid SSE-C headers");
    match (get(names[0]), get(names[1]), get(names[2])) {
        (None, None, None) => Ok(None),
        (Some("AES256"), Some(key), Some(md5)) => {
            let b64 = base64::engine::general_purpose::STANDARD;
            let raw = b64.decode(key).map_err(|_| bad)?;
            if raw.len() != 32 || b64.encode(md5::Md5::digest(&raw)) != md5 {
                return Err(bad);
            }
            Ok(Some(md5.to_owned()))
        }
        _ => Err(bad),
    }
}

/// An object read with `given` against what it was stored with.
fn read_check(stored: Option<&String>, given: Option<&String>) -> Result<(), Refusal> {
    match (stored, given) {
        (None, None) => Ok(()),
        (Some(s), Some(g)) if s == g => Ok(()),
        (Some(_), Some(_)) => Err((403, "AccessDenied", "Access Denied")),
        (Some(_), None) => Err((
            400,
            "InvalidRequest",
            "The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.",
        )),
        (None, Some(_)) => Err((
            400,
            "InvalidRequest",
            "The encryption parameters are not applicable to this object.",
        )),
    }
}

impl SseCGate {
    /// What the gate has seen.
    pub fn counts(&self) -> SseCCounts {
        self.counts.lock().unwrap().clone()
    }

    /// Checks a request; `Ok` with what to remember when it succeeds (and the
    /// key MD5 to echo), `Err` with the refusal.
    pub fn check<B>(&self, req: &http::Request<B>) -> Result<(Note, Option<String>), Refusal> {
        let result = self.check_inner(req);
        let mut c = self.counts.lock().unwrap();
        match &result {
            Err(_) => c.refused += 1,
            Ok(_) => {
                let h = req.headers();
                let object = h.contains_key(OBJECT[1]);
                let copy = h.contains_key(COPY_SOURCE[1]);
                if object || copy {
                    c.keyed += 1;
                    c.keyed_requests.push(format!(
                        "{} {}{}{}",
                        req.method(),
                        req.uri().path_and_query().map_or("", |p| p.as_str()),
                        if object { " object-key" } else { "" },
                        if copy { " copy-source-key" } else { "" },
                    ));
                }
            }
        }
        result
    }

    fn check_inner<B>(&self, req: &http::Request<B>) -> Result<(Note, Option<String>), Refusal> {
        let path = decode(req.uri().path());
        let path = path.trim_start_matches('/').to_owned();
        let h = req.headers();
        let given = key_md5(h, OBJECT)?;
        let copy_given = key_md5(h, COPY_SOURCE)?;
        if !path.contains('/') {
            return Ok((Note::None, None));
        }
        let query = req.uri().query().unwrap_or("");
        let has = |k: &str| {
            query
                .split('&')
                .any(|p| p == k || p.starts_with(&format!("{k}=")))
        };
        let objects = self.objects.lock().unwrap();
        let mut uploads = self.uploads.lock().unwrap();
        let method = req.method().clone();
        if method == http::Method::GET || method == http::Method::HEAD {
            read_check(objects.get(&path), given.as_ref())?;
            return Ok((Note::None, given));
        }
        if method == http::Method::DELETE {
            if has("uploadId") {
                uploads.remove(&path);
                return Ok((Note::None, None));
            }
            return Ok((Note::Delete(path), None));
        }
        if method == http::Method::POST && has("uploads") {
            return Ok((Note::Create(path, given.clone()), given));
        }
        if method == http::Method::POST && has("uploadId") {
            return Ok((Note::Complete(path), None));
        }
        if method != http::Method::PUT || has("tagging") || has("acl") {
            return Ok((Note::None, None));
        }
        if let Some(src) = h.get("x-amz-copy-source").and_then(|v| v.to_str().ok()) {
            let src = decode(src.split('?').next().unwrap_or(src));
            let src = src.trim_start_matches('/');
            read_check(objects.get(src), copy_given.as_ref())?;
        } else if copy_given.is_some() {
            return Err((
                400,
                "InvalidArgument",
                "copy-source key without a copy source",
            ));
        }
        if has("uploadId") {
            if uploads.get(&path) != given.as_ref() {
                return Err((
                    400,
                    "InvalidRequest",
                    "The part must be sent with the upload's SSE-C key.",
                ));
            }
            return Ok((Note::None, given));
        }
        Ok((Note::Write(path, given.clone()), given))
    }

    /// Remembers what a successful request did.
    pub fn commit(&self, note: Note) {
        let mut objects = self.objects.lock().unwrap();
        let mut uploads = self.uploads.lock().unwrap();
        match note {
            Note::None => {}
            Note::Write(path, Some(md5)) => {
                objects.insert(path, md5);
            }
            Note::Write(path, None) | Note::Delete(path) => {
                objects.remove(&path);
            }
            Note::Create(path, md5) => match md5 {
                Some(m) => {
                    uploads.insert(path, m);
                }
                None => {
                    uploads.remove(&path);
                }
            },
            Note::Complete(path) => match uploads.remove(&path) {
                Some(m) => {
                    objects.insert(path, m);
                }
                None => {
                    objects.remove(&path);
                }
            },
        }
    }
}

/// Adds the SSE-C answer headers.
pub fn echo(headers: &mut http::HeaderMap, md5: &str) {
    headers.insert(OBJECT[0], http::HeaderValue::from_static("AES256"));
    if let Ok(v) = http::HeaderValue::from_str(md5) {
        headers.insert(OBJECT[2], v);
    }
}
