//! SSE-C: server-side encryption with a key the customer supplies on every request
//! that reads or writes the object's data.
//!
//! [`SseCKey`] holds a 256-bit key (as S3 wants it: base64) and its MD5; its `Debug`
//! shows neither, so no record, log line or error can carry them by accident. A
//! client made with [`super::S3Client::with_sse_c`] sends the
//! `x-amz-server-side-encryption-customer-*` headers on HeadObject, GetObject (and
//! every resumed range of its body), PutObject, CreateMultipartUpload and each
//! UploadPart, and the `x-amz-copy-source-server-side-encryption-customer-*`
//! headers on CopyObject and UploadPartCopy. CompleteMultipartUpload, listings and
//! deletes carry none. The request log never prints headers, so the key stays out
//! of `--log trace` too.

use std::fmt;

use base64::Engine;
use http::HeaderMap;

use super::request::put_header;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A customer-provided AES-256 key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SseCKey {
    /// The key, base64.
    key: String,
    /// MD5 of the raw key, base64.
    md5: String,
}

impl fmt::Debug for SseCKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SseCKey(***)")
    }
}

impl SseCKey {
    /// A key from its 32 raw bytes.
    pub fn from_bytes(raw: &[u8]) -> Result<SseCKey, String> {
        use md5::Digest;
        if raw.len() != 32 {
            return Err(format!(
                "an SSE-C key must be 32 bytes (AES-256), not {}",
                raw.len()
            ));
        }
        Ok(SseCKey {
            key: B64.encode(raw),
            md5: B64.encode(md5::Md5::digest(raw)),
        })
    }

    /// A key from its base64 text (surrounding whitespace ignored).
    pub fn from_base64(text: &str) -> Result<SseCKey, String> {
        let raw = B64
            .decode(text.trim())
            .map_err(|_| "an SSE-C key must be 32 bytes written as base64".to_string())?;
        SseCKey::from_bytes(&raw)
    }

    /// A key from a flag value: base64 text, `file:PATH` (32 raw bytes, or base64
    /// text) or `env:VAR` (base64 text). Errors name the file or variable, never
    /// the key.
    pub fn from_spec(spec: &str) -> Result<SseCKey, String> {
        if let Some(path) = spec.strip_prefix("file:") {
            let data = std::fs::read(path).map_err(|e| format!("SSE-C key file {path}: {e}"))?;
            if data.len() == 32 {
                return SseCKey::from_bytes(&data);
            }
            let text = String::from_utf8(data).map_err(|_| {
                format!("SSE-C key file {path}: neither 32 raw bytes nor base64 text")
            })?;
            return SseCKey::from_base64(&text).map_err(|e| format!("SSE-C key file {path}: {e}"));
        }
        if let Some(var) = spec.strip_prefix("env:") {
            let text = std::env::var(var)
                .map_err(|_| format!("SSE-C key variable {var} is not set (or not UTF-8)"))?;
            return SseCKey::from_base64(&text)
                .map_err(|e| format!("SSE-C key variable {var}: {e}"));
        }
        SseCKey::from_base64(spec)
    }

    /// Whether `text` (a header value, a log line, a record) contains this key or
    /// its MD5, as base64.
    pub fn appears_in(&self, text: &str) -> bool {
        text.contains(&self.key) || text.contains(&self.md5)
    }

    /// Adds the three headers named `names` (algorithm, key, key MD5).
    fn put(&self, headers: &mut HeaderMap, names: [&'static str; 3]) {
        put_header(headers, names[0], "AES256");
        put_header(headers, names[1], &self.key);
        put_header(headers, names[2], &self.md5);
    }
}

/// The SSE-C keys a client sends: for the object it reads or writes, and for the
/// source of a server-side copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SseC {
    /// `--sse-c-key` (or, on the source side of a copy, `--sse-c-copy-source-key`).
    pub object: Option<SseCKey>,
    /// `--sse-c-copy-source-key`, sent on CopyObject and UploadPartCopy.
    pub copy_source: Option<SseCKey>,
}

impl SseC {
    /// True when no key is set.
    pub fn is_empty(&self) -> bool {
        self.object.is_none() && self.copy_source.is_none()
    }

    /// Adds the object's key headers (requests that read or write its data).
    pub(crate) fn put_object(&self, headers: &mut HeaderMap) {
        if let Some(k) = &self.object {
            k.put(
                headers,
                [
                    "x-amz-server-side-encryption-customer-algorithm",
                    "x-amz-server-side-encryption-customer-key",
                    "x-amz-server-side-encryption-customer-key-md5",
                ],
            );
        }
    }

    /// Adds the copy source's key headers (CopyObject, UploadPartCopy).
    pub(crate) fn put_copy_source(&self, headers: &mut HeaderMap) {
        if let Some(k) = &self.copy_source {
            k.put(
                headers,
                [
                    "x-amz-copy-source-server-side-encryption-customer-algorithm",
                    "x-amz-copy-source-server-side-encryption-customer-key",
                    "x-amz-copy-source-server-side-encryption-customer-key-md5",
                ],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_from_base64_files_and_variables() {
        let raw = [7u8; 32];
        let b64 = B64.encode(raw);
        let k = SseCKey::from_spec(&b64).unwrap();
        assert_eq!(k, SseCKey::from_bytes(&raw).unwrap());
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("k.bin");
        std::fs::write(&bin, raw).unwrap();
        assert_eq!(
            SseCKey::from_spec(&format!("file:{}", bin.display())),
            Ok(k.clone())
        );
        let txt = dir.path().join("k.txt");
        std::fs::write(&txt, format!("{b64}\n")).unwrap();
        assert_eq!(
            SseCKey::from_spec(&format!("file:{}", txt.display())),
            Ok(k.clone())
        );
        // SAFETY: this test alone uses this variable.
        unsafe { std::env::set_var("S5RS_TEST_SSEC_KEY_UNIT", &b64) };
        assert_eq!(
            SseCKey::from_spec("env:S5RS_TEST_SSEC_KEY_UNIT"),
            Ok(k.clone())
        );
        assert!(SseCKey::from_spec("env:S5RS_TEST_SSEC_KEY_UNSET").is_err());
    }

    #[test]
    fn bad_keys_are_refused_without_echoing_them() {
        let short = B64.encode([1u8; 16]);
        let e = SseCKey::from_spec(&short).unwrap_err();
        assert!(e.contains("32 bytes") && !e.contains(&short), "{e}");
        let e = SseCKey::from_spec("not base64 at all!").unwrap_err();
        assert!(!e.contains("not base64 at all"), "{e}");
    }

    #[test]
    fn debug_hides_the_key_and_headers_carry_it() {
        let k = SseCKey::from_bytes(&[9u8; 32]).unwrap();
        let shown = format!(
            "{:?}",
            SseC {
                object: Some(k.clone()),
                copy_source: None
            }
        );
        assert!(!k.appears_in(&shown), "{shown}");
        let mut h = HeaderMap::new();
        SseC {
            object: Some(k.clone()),
            copy_source: Some(k.clone()),
        }
        .put_object(&mut h);
        assert_eq!(h.len(), 3);
        assert_eq!(
            h["x-amz-server-side-encryption-customer-algorithm"],
            "AES256"
        );
        assert!(
            k.appears_in(
                h["x-amz-server-side-encryption-customer-key"]
                    .to_str()
                    .unwrap()
            )
        );
    }
}
