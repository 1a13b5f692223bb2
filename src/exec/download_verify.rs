//! What verifies a download, decided from the first response alone (a pure
//! function, [`verification_plan`]), how the ranges of a parallel download are hashed
//! ([`RangeHashing`]), and the final comparison of what was hashed with what was
//! expected ([`Plan::check`]). The fetchers in `download.rs` only feed the hashers
//! this plan asks for; see its module docs for the rules in prose.

use super::etag_hash::EtagHasher;
use crate::checksum::{self, ChecksumAlgorithm, Checksums, CrcJoin};
use crate::storage::ObjectMeta;
use crate::storage::s3::S3Client;

/// What a download is checked against.
pub enum Plan {
    /// Nothing comparable (or `--no-verify`).
    None,
    /// A stored full-object checksum.
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

/// The stored checksums of an object fetched in ranges (S3 sends none with a ranged
/// GetObject answer): one HeadObject with checksum mode, trusted only when its ETag
/// is the first response's (the same object).
pub async fn head_checksums(
    client: &S3Client,
    bucket: &str,
    key: &str,
    version: Option<&str>,
    etag: Option<&str>,
) -> Option<Checksums> {
    let meta = client.head_object(bucket, key, version, None).await.ok()?;
    (etag.is_some() && meta.etag.as_deref() == etag).then_some(meta.checksums)
}

/// A plan, or the one fact still missing to make it: the part size of a multipart
/// ETag (learnt with one HeadObject partNumber=1).
pub enum Planned {
    /// The plan.
    Ready(Plan),
    /// A multipart ETag whose part size is not known yet.
    NeedsPartSize(String),
}

/// What verifies a download, from the first response's metadata (with the stored
/// checksums a HeadObject found when a ranged first response carried none).
/// `layout`: an (ETag, part size) already learnt before the first request.
pub fn verification_plan(
    verify: bool,
    meta: &ObjectMeta,
    layout: Option<&(String, u64)>,
) -> Planned {
    if !verify {
        return Planned::Ready(Plan::None);
    }
    if let Some((alg, value)) = checksum::full_object(&meta.checksums) {
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
    /// The full-object checksum, base64 as S3 sends it.
    pub sum: Option<String>,
    /// MD5 of each part, in part order (one digest for a plain MD5).
    pub digests: Vec<[u8; 16]>,
}

impl Hashed {
    /// What one stream's (or the in-order) hasher holds.
    pub fn from_stream(hash: Option<StreamHash>) -> Hashed {
        match hash {
            Some(StreamHash::Etag(h)) => Hashed {
                sum: None,
                digests: h.finish(),
            },
            Some(StreamHash::Sum(h)) => Hashed {
                sum: Some(h.finish_b64()),
                digests: Vec::new(),
            },
            None => Hashed::default(),
        }
    }

    /// What the ranges of a parallel download hashed on their own (`mode`), given
    /// in range order with their lengths: part MD5s appended, CRCs joined. A range
    /// without its hash leaves a gap that fails the check.
    pub fn from_ranges(mode: RangeHashing, ranges: Vec<(u64, Option<StreamHash>)>) -> Hashed {
        let mut hashed = Hashed::default();
        let mut join = match mode {
            RangeHashing::Crc(alg) => CrcJoin::new(alg),
            _ => None,
        };
        for (len, hash) in ranges {
            match hash {
                Some(StreamHash::Etag(h)) => hashed.digests.extend(h.finish()),
                Some(StreamHash::Sum(h)) => {
                    if let (Some(j), Some(crc)) = (join.as_mut(), h.crc_value()) {
                        j.append(crc, len);
                    }
                }
                None => {}
            }
        }
        hashed.sum = join.map(|j| j.finish_b64());
        hashed
    }
}

/// How the ranges of a parallel download are hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeHashing {
    /// Not at all (nothing to verify).
    None,
    /// Each range is whole ETag parts of this size: their MD5s, as it streams.
    Parts(u64),
    /// Each range's CRC, as it streams; joined in order at the end.
    Crc(ChecksumAlgorithm),
    /// One sequential digest (plain MD5, a SHA, or ETag parts that do not line up
    /// with the ranges) fed in byte order (`in_order_hash.rs`).
    InOrder,
}

impl Plan {
    /// How ranges of `range_size` bytes are hashed for this plan.
    pub fn range_hashing(&self, range_size: u64) -> RangeHashing {
        match self {
            Plan::None => RangeHashing::None,
            Plan::Sum(alg, _) if CrcJoin::new(*alg).is_some() => RangeHashing::Crc(*alg),
            Plan::Etag { part_size, .. } if *part_size == range_size => {
                RangeHashing::Parts(*part_size)
            }
            _ => RangeHashing::InOrder,
        }
    }

    /// The hasher of a whole stream in order: the one stream of a small object, or
    /// what [`RangeHashing::InOrder`] feeds.
    pub fn stream_hash(&self) -> Option<StreamHash> {
        match self {
            Plan::None => None,
            Plan::Sum(alg, _) => Some(StreamHash::Sum(checksum::Hasher::new(*alg))),
            Plan::Etag { part_size, .. } => Some(StreamHash::Etag(EtagHasher::new(*part_size))),
        }
    }

    /// Compares what was hashed with what was expected: the `verified` name on a
    /// match, else (what, got, expected).
    pub fn check(self, hashed: Hashed) -> Result<&'static str, (&'static str, String, String)> {
        match self {
            Plan::None => Ok("none"),
            Plan::Sum(alg, expected) => {
                let got = hashed.sum.unwrap_or_default();
                let name = checksum::record_name(alg);
                if got != expected {
                    return Err((name, got, expected));
                }
                Ok(name)
            }
            Plan::Etag { etag, part_size } => {
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

impl RangeHashing {
    /// The hasher one range feeds as it streams (none for `None` and `InOrder`).
    pub fn range_hash(self) -> Option<StreamHash> {
        match self {
            RangeHashing::Parts(p) => Some(StreamHash::Etag(EtagHasher::new(p))),
            RangeHashing::Crc(alg) => Some(StreamHash::Sum(checksum::Hasher::new(alg))),
            RangeHashing::None | RangeHashing::InOrder => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranges(data: &[u8], size: usize, mode: RangeHashing) -> Vec<(u64, Option<StreamHash>)> {
        let mut out: Vec<(usize, u64, Option<StreamHash>)> = data
            .chunks(size)
            .enumerate()
            .map(|(i, c)| {
                let mut h = mode.range_hash();
                if let Some(h) = h.as_mut() {
                    h.update(c);
                }
                (i, c.len() as u64, h)
            })
            .collect();
        // Ranges finish in any order; they are assembled by index.
        out.reverse();
        out.sort_by_key(|(i, _, _)| *i);
        out.into_iter().map(|(_, len, h)| (len, h)).collect()
    }

    #[test]
    fn joined_range_crcs_check_like_the_whole_object() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i * 13 % 241) as u8).collect();
        let alg = ChecksumAlgorithm::Crc64Nvme;
        let plan = || Plan::Sum(alg, checksum::checksum_b64(alg, &data));
        assert_eq!(plan().range_hashing(300_000), RangeHashing::Crc(alg));
        let hashed = Hashed::from_ranges(
            RangeHashing::Crc(alg),
            ranges(&data, 300_000, RangeHashing::Crc(alg)),
        );
        assert_eq!(plan().check(hashed), Ok("crc64nvme"));
        let mut bad = data.clone();
        bad[650_000] ^= 1;
        let hashed = Hashed::from_ranges(
            RangeHashing::Crc(alg),
            ranges(&bad, 300_000, RangeHashing::Crc(alg)),
        );
        assert!(plan().check(hashed).is_err());
        // A missing range hash is a gap, never a pass.
        let mut r = ranges(&data, 300_000, RangeHashing::Crc(alg));
        r[1].1 = None;
        assert!(
            plan()
                .check(Hashed::from_ranges(RangeHashing::Crc(alg), r))
                .is_err()
        );
    }

    #[test]
    fn which_ranges_hash_how() {
        let md5 = Plan::Etag {
            etag: "0".repeat(32),
            part_size: u64::MAX,
        };
        assert_eq!(md5.range_hashing(8 << 20), RangeHashing::InOrder);
        let parts = Plan::Etag {
            etag: format!("{}-3", "0".repeat(32)),
            part_size: 5 << 20,
        };
        assert_eq!(parts.range_hashing(5 << 20), RangeHashing::Parts(5 << 20));
        assert_eq!(parts.range_hashing(8 << 20), RangeHashing::InOrder);
        let sha = Plan::Sum(ChecksumAlgorithm::Sha256, String::new());
        assert_eq!(sha.range_hashing(8 << 20), RangeHashing::InOrder);
        assert_eq!(Plan::None.range_hashing(8 << 20), RangeHashing::None);
    }
}
