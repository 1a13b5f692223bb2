//! What verifies a download, decided from the first response alone (a pure
//! function, [`verification_plan`]), and the final comparison of what was hashed
//! with what was expected ([`Plan::check`]). The fetchers in `download.rs` only feed
//! the hashers this plan asks for; see its module docs for the rules in prose.

use super::etag_hash::EtagHasher;
use crate::checksum::{self, ChecksumAlgorithm};
use crate::storage::ObjectMeta;
use crate::storage::s3::S3Client;

/// What a download is checked against.
pub enum Plan {
    /// Nothing comparable (or `--no-verify`).
    None,
    /// A stored full-object checksum (only for objects fetched in one stream).
    Sum(ChecksumAlgorithm, String),
    /// The ETag: the plain MD5 (`part_size == u64::MAX`) or the multipart ETag of
    /// parts of `part_size` bytes.
    Etag {
        /// The ETag, without quotes.
        etag: String,
        /// The part size the ETag was computed with.
        part_size: u64,
    },
}

/// A digest fed while data streams in.
pub enum StreamHash {
    /// A full-object checksum.
    Sum(checksum::Hasher),
    /// MD5s of the parts of a (multipart) ETag.
    Etag(EtagHasher),
}

impl StreamHash {
    /// Feeds the next bytes of the stream.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            StreamHash::Sum(h) => h.update(data),
            StreamHash::Etag(h) => h.update(data),
        }
    }
}

/// The part size of a multipart object (HeadObject partNumber=1), when its ETag is a
/// multipart ETag whose part count matches uniform parts of that size.
pub async fn learn_part_size(
    client: &S3Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Option<(String, u64)> {
    let (meta, part_len) = client
        .head_object_part(bucket, key, version, 1)
        .await
        .ok()?;
    let etag = meta.etag?;
    let parts = checksum::multipart_etag_parts(&etag)?;
    (part_len > 0 && meta.size.div_ceil(part_len) == parts).then_some((etag, part_len))
}

/// A plan, or the one fact still missing to make it: the part size of a multipart
/// ETag (learnt with one HeadObject partNumber=1).
pub enum Planned {
    /// The plan.
    Ready(Plan),
    /// A multipart ETag whose part size is not known yet.
    NeedsPartSize(String),
}

/// What verifies a download, from the first response's metadata. `single_stream`: the
/// whole object comes in that one response. `layout`: an (ETag, part size) already
/// learnt before the first request.
pub fn verification_plan(
    verify: bool,
    meta: &ObjectMeta,
    single_stream: bool,
    layout: Option<&(String, u64)>,
) -> Planned {
    if !verify {
        return Planned::Ready(Plan::None);
    }
    if let Some((alg, value)) = checksum::full_object(&meta.checksums).filter(|_| single_stream) {
        return Planned::Ready(Plan::Sum(alg, value));
    }
    let Some(etag) = meta.etag.clone().filter(|_| !etag_not_md5(meta)) else {
        return Planned::Ready(Plan::None);
    };
    if checksum::is_plain_md5(&etag) {
        return Planned::Ready(Plan::Etag {
            etag,
            part_size: u64::MAX,
        });
    }
    match checksum::multipart_etag_parts(&etag) {
        Some(1) if meta.size > 0 => Planned::Ready(Plan::Etag {
            part_size: meta.size,
            etag,
        }),
        Some(_) => match layout {
            Some((e, part_len)) if *e == etag => Planned::Ready(Plan::Etag {
                etag,
                part_size: *part_len,
            }),
            Some(_) => Planned::Ready(Plan::None),
            None => Planned::NeedsPartSize(etag),
        },
        None => Planned::Ready(Plan::None),
    }
}

/// True for an SSE-KMS or SSE-C object, whose ETag is not the MD5 of its data: such
/// a download is verified by a stored full-object checksum or not at all.
pub fn etag_not_md5(meta: &ObjectMeta) -> bool {
    meta.sse.as_deref().is_some_and(|s| s.contains("kms")) || meta.sse_customer_algorithm.is_some()
}

/// What the streams hashed: a full-object checksum, or part MD5s in order.
#[derive(Default)]
pub struct Hashed {
    /// The full-object checksum's hasher.
    pub sum: Option<checksum::Hasher>,
    /// MD5 of each part, in part order (one digest for a plain MD5).
    pub digests: Vec<[u8; 16]>,
}

impl Hashed {
    /// What one stream's hasher holds.
    pub fn from_stream(hash: Option<StreamHash>) -> Hashed {
        match hash {
            Some(StreamHash::Etag(h)) => Hashed {
                sum: None,
                digests: h.finish(),
            },
            Some(StreamHash::Sum(h)) => Hashed {
                sum: Some(h),
                digests: Vec::new(),
            },
            None => Hashed::default(),
        }
    }
}

impl Plan {
    /// Whether streams can be hashed as they arrive: every stream is a whole number
    /// of the object's parts (else the file is hashed behind the download).
    pub fn hashes_while_streaming(&self, single_stream: bool, range_size: u64) -> bool {
        match self {
            Plan::None => false,
            Plan::Sum(..) => true,
            Plan::Etag { part_size, .. } => single_stream || *part_size == range_size,
        }
    }

    /// The hasher for the first stream, when streams are hashed as they arrive.
    pub fn stream_hash(&self, streamed: bool) -> Option<StreamHash> {
        match self {
            Plan::Sum(alg, _) => Some(StreamHash::Sum(checksum::Hasher::new(*alg))),
            Plan::Etag { part_size, .. } if streamed => {
                Some(StreamHash::Etag(EtagHasher::new(*part_size)))
            }
            _ => None,
        }
    }

    /// Compares what was hashed with what was expected: the `verified` name on a
    /// match, else (what, got, expected). `unhashed`: an object gathered in memory
    /// but not hashed while streaming, hashed here.
    pub fn check(
        self,
        mut hashed: Hashed,
        unhashed: Option<&[u8]>,
    ) -> Result<&'static str, (&'static str, String, String)> {
        match self {
            Plan::None => Ok("none"),
            Plan::Sum(alg, expected) => {
                let got = hashed
                    .sum
                    .map(checksum::Hasher::finish_b64)
                    .unwrap_or_default();
                let name = checksum::record_name(alg);
                if got != expected {
                    return Err((name, got, expected));
                }
                Ok(name)
            }
            Plan::Etag { etag, part_size } => {
                if let Some(d) = unhashed {
                    let mut h = EtagHasher::new(part_size);
                    h.update(d);
                    hashed.digests = h.finish();
                }
                let (got, name) = if part_size == u64::MAX {
                    let md5 = hashed.digests.first().map(hex::encode).unwrap_or_default();
                    (md5, "md5")
                } else {
                    (checksum::multipart_etag(&hashed.digests), "etag-multipart")
                };
                if !got.eq_ignore_ascii_case(&etag) {
                    return Err((name, got, etag));
                }
                Ok(name)
            }
        }
    }
}
