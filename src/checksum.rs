//! Checksums for end-to-end integrity, in one place: the hashers behind
//! `--checksum-algorithm` (CRC-64/NVME, CRC-32C, CRC-32, SHA-256, SHA-1), MD5, the
//! S3 multipart ETag (`md5(md5(part1) ‖ … ‖ md5(partN))-N`), and which stored checksum
//! of an object can check a whole download.
//!
//! Why here: uploads (the S3 client computes the `x-amz-checksum-*` header of each
//! request) and downloads (exec verifies what it wrote) must agree bit for bit on the
//! encodings — S3 sends checksums as base64 of the big-endian digest bytes.
//! The digests come from the crates (`crc64fast-nvme`, `crc32c`, `crc32fast`, `sha1`,
//! `sha2`, `md-5`); the CRC ones use SIMD where the CPU has it. [`CrcJoin`] combines
//! the CRCs of consecutive pieces (hashed in parallel) into the whole's CRC with
//! `crc-fast`'s combine, so a download in parallel ranges checks a full-object CRC
//! without hashing in order.

use base64::Engine;
use md5::Digest;

/// `--checksum-algorithm` (s5rs): the additional checksum asked of S3 on upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumAlgorithm {
    /// CRC-64/NVME (`x-amz-checksum-crc64nvme`).
    Crc64Nvme,
    /// CRC-32C (`x-amz-checksum-crc32c`).
    Crc32c,
    /// CRC-32 (`x-amz-checksum-crc32`).
    Crc32,
    /// SHA-256 (`x-amz-checksum-sha256`).
    Sha256,
    /// SHA-1 (`x-amz-checksum-sha1`).
    Sha1,
}

impl ChecksumAlgorithm {
    /// The name S3 uses (`x-amz-checksum-algorithm` value), e.g. `CRC32C`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChecksumAlgorithm::Crc64Nvme => "CRC64NVME",
            ChecksumAlgorithm::Crc32c => "CRC32C",
            ChecksumAlgorithm::Crc32 => "CRC32",
            ChecksumAlgorithm::Sha256 => "SHA256",
            ChecksumAlgorithm::Sha1 => "SHA1",
        }
    }
}

/// Stored checksums an object carries (`x-amz-checksum-*`), base64 as S3 sends them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checksums {
    /// CRC-32 (ISO-HDLC).
    pub crc32: Option<String>,
    /// CRC-32C (Castagnoli).
    pub crc32c: Option<String>,
    /// CRC-64/NVME.
    pub crc64nvme: Option<String>,
    /// SHA-1.
    pub sha1: Option<String>,
    /// SHA-256.
    pub sha256: Option<String>,
    /// `FULL_OBJECT` or `COMPOSITE`, when the server says.
    pub checksum_type: Option<String>,
}

/// A running digest of one of the `x-amz-checksum-*` algorithms.
#[derive(Clone)]
pub enum Hasher {
    /// CRC-64/NVME.
    Crc64Nvme(crc64fast_nvme::Digest),
    /// CRC-32C (Castagnoli), the running value.
    Crc32c(u32),
    /// CRC-32 (ISO-HDLC).
    Crc32(crc32fast::Hasher),
    /// SHA-256.
    Sha256(sha2::Sha256),
    /// SHA-1.
    Sha1(sha1::Sha1),
}

impl Hasher {
    /// A fresh hasher for `alg`.
    pub fn new(alg: ChecksumAlgorithm) -> Hasher {
        match alg {
            ChecksumAlgorithm::Crc64Nvme => Hasher::Crc64Nvme(crc64fast_nvme::Digest::new()),
            ChecksumAlgorithm::Crc32c => Hasher::Crc32c(0),
            ChecksumAlgorithm::Crc32 => Hasher::Crc32(crc32fast::Hasher::new()),
            ChecksumAlgorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            ChecksumAlgorithm::Sha1 => Hasher::Sha1(sha1::Sha1::new()),
        }
    }

    /// Feeds data.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc64Nvme(d) => d.write(data),
            Hasher::Crc32c(c) => *c = crc32c::crc32c_append(*c, data),
            Hasher::Crc32(h) => h.update(data),
            Hasher::Sha256(h) => h.update(data),
            Hasher::Sha1(h) => h.update(data),
        }
    }

    /// The CRC of what was fed so far (the SHAs have none).
    pub fn crc_value(&self) -> Option<u64> {
        match self {
            Hasher::Crc64Nvme(d) => Some(d.sum64()),
            Hasher::Crc32c(c) => Some(u64::from(*c)),
            Hasher::Crc32(h) => Some(u64::from(h.clone().finalize())),
            Hasher::Sha256(_) | Hasher::Sha1(_) => None,
        }
    }

    /// The digest as S3 sends it: base64 of the big-endian bytes.
    pub fn finish_b64(self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD;
        match self {
            Hasher::Crc64Nvme(d) => b64.encode(d.sum64().to_be_bytes()),
            Hasher::Crc32c(c) => b64.encode(c.to_be_bytes()),
            Hasher::Crc32(h) => b64.encode(h.finalize().to_be_bytes()),
            Hasher::Sha256(h) => b64.encode(h.finalize()),
            Hasher::Sha1(h) => b64.encode(h.finalize()),
        }
    }
}

/// The CRC of consecutive pieces of data, joined from the pieces' own CRCs in order
/// (each piece can be hashed on its own, in parallel with the others).
#[derive(Debug, Clone, Copy)]
pub struct CrcJoin {
    alg: ChecksumAlgorithm,
    value: u64,
}

impl CrcJoin {
    /// The CRC of no data yet; `None` for an algorithm that cannot be combined (SHA).
    pub fn new(alg: ChecksumAlgorithm) -> Option<CrcJoin> {
        let value = Hasher::new(alg).crc_value()?;
        Some(CrcJoin { alg, value })
    }

    /// Appends a piece of `len` bytes whose CRC (same algorithm) is `piece`.
    pub fn append(&mut self, piece: u64, len: u64) {
        let alg = match self.alg {
            ChecksumAlgorithm::Crc64Nvme => crc_fast::CrcAlgorithm::Crc64Nvme,
            ChecksumAlgorithm::Crc32c => crc_fast::CrcAlgorithm::Crc32Iscsi,
            ChecksumAlgorithm::Crc32 => crc_fast::CrcAlgorithm::Crc32IsoHdlc,
            ChecksumAlgorithm::Sha256 | ChecksumAlgorithm::Sha1 => {
                unreachable!("CrcJoin::new refuses the SHAs")
            }
        };
        self.value = crc_fast::checksum_combine(alg, self.value, piece, len);
    }

    /// The joined CRC as S3 sends it: base64 of the big-endian bytes.
    pub fn finish_b64(&self) -> String {
        let b64 = base64::engine::general_purpose::STANDARD;
        match self.alg {
            ChecksumAlgorithm::Crc64Nvme => b64.encode(self.value.to_be_bytes()),
            _ => b64.encode((self.value as u32).to_be_bytes()),
        }
    }
}

/// The base64 checksum of `data` with `alg`.
pub fn checksum_b64(alg: ChecksumAlgorithm, data: &[u8]) -> String {
    let mut h = Hasher::new(alg);
    h.update(data);
    h.finish_b64()
}

/// The request/response header carrying `alg`'s value (`x-amz-checksum-crc32c` …).
pub fn header_name(alg: ChecksumAlgorithm) -> &'static str {
    match alg {
        ChecksumAlgorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
        ChecksumAlgorithm::Crc32c => "x-amz-checksum-crc32c",
        ChecksumAlgorithm::Crc32 => "x-amz-checksum-crc32",
        ChecksumAlgorithm::Sha256 => "x-amz-checksum-sha256",
        ChecksumAlgorithm::Sha1 => "x-amz-checksum-sha1",
    }
}

/// The element of a CompleteMultipartUpload part carrying `alg`'s value.
pub fn xml_element(alg: ChecksumAlgorithm) -> &'static str {
    match alg {
        ChecksumAlgorithm::Crc64Nvme => "ChecksumCRC64NVME",
        ChecksumAlgorithm::Crc32c => "ChecksumCRC32C",
        ChecksumAlgorithm::Crc32 => "ChecksumCRC32",
        ChecksumAlgorithm::Sha256 => "ChecksumSHA256",
        ChecksumAlgorithm::Sha1 => "ChecksumSHA1",
    }
}

/// The name a record's `verified` field uses (`crc64nvme` …).
pub fn record_name(alg: ChecksumAlgorithm) -> &'static str {
    match alg {
        ChecksumAlgorithm::Crc64Nvme => "crc64nvme",
        ChecksumAlgorithm::Crc32c => "crc32c",
        ChecksumAlgorithm::Crc32 => "crc32",
        ChecksumAlgorithm::Sha256 => "sha256",
        ChecksumAlgorithm::Sha1 => "sha1",
    }
}

/// Whether S3 can store a full-object (not composite) checksum of a multipart
/// upload with `alg`: the CRCs can, the SHAs cannot.
pub fn supports_full_object(alg: ChecksumAlgorithm) -> bool {
    matches!(
        alg,
        ChecksumAlgorithm::Crc64Nvme | ChecksumAlgorithm::Crc32c | ChecksumAlgorithm::Crc32
    )
}

/// The stored checksum that covers the whole object's bytes, if any: a value of
/// one algorithm without the `-N` suffix of a composite (checksum of checksums), and
/// not declared `COMPOSITE`. The cheapest algorithm wins when several are stored.
pub fn full_object(c: &Checksums) -> Option<(ChecksumAlgorithm, String)> {
    if c.checksum_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("COMPOSITE"))
    {
        return None;
    }
    let candidates = [
        (ChecksumAlgorithm::Crc64Nvme, &c.crc64nvme),
        (ChecksumAlgorithm::Crc32c, &c.crc32c),
        (ChecksumAlgorithm::Crc32, &c.crc32),
        (ChecksumAlgorithm::Sha1, &c.sha1),
        (ChecksumAlgorithm::Sha256, &c.sha256),
    ];
    candidates.into_iter().find_map(|(alg, v)| {
        let v = v.as_deref()?.trim();
        (!v.is_empty() && !v.contains('-')).then(|| (alg, v.to_owned()))
    })
}

/// Whether an ETag is the plain hex MD5 of a single-part object.
pub fn is_plain_md5(etag: &str) -> bool {
    etag.len() == 32 && etag.bytes().all(|c| c.is_ascii_hexdigit())
}

/// The part count of a multipart ETag (`<32 hex>-N`), when it is one.
pub fn multipart_etag_parts(etag: &str) -> Option<u64> {
    let (hash, n) = etag.split_once('-')?;
    if !is_plain_md5(hash) {
        return None;
    }
    n.parse().ok().filter(|&n| n > 0)
}

/// The multipart ETag of parts with these MD5 digests: `hex(md5(d1 ‖ … ‖ dN))-N`.
pub fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    let mut h = crate::md5_digest::Md5::new();
    for d in part_md5s {
        h.update(d);
    }
    format!("{}-{}", hex::encode(h.finalize()), part_md5s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Values from the AWS SDKs' checksum test vectors for "Hello world".
        assert_eq!(
            checksum_b64(ChecksumAlgorithm::Crc32, b"Hello world"),
            "i9aeUg=="
        );
        assert_eq!(
            checksum_b64(ChecksumAlgorithm::Crc32c, b"Hello world"),
            "crUfeA=="
        );
        assert_eq!(
            checksum_b64(ChecksumAlgorithm::Sha1, b"Hello world"),
            "e1AsOh9IyGCa4hLN+2Od7jlnP14="
        );
        assert_eq!(
            checksum_b64(ChecksumAlgorithm::Sha256, b"Hello world"),
            "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="
        );
        assert_eq!(
            checksum_b64(ChecksumAlgorithm::Crc64Nvme, b""),
            "AAAAAAAAAAA="
        );
    }

    #[test]
    fn joined_crcs_equal_the_crc_of_the_whole() {
        let data: Vec<u8> = (0..300_007u32).map(|i| (i * 31 % 253) as u8).collect();
        for alg in [
            ChecksumAlgorithm::Crc64Nvme,
            ChecksumAlgorithm::Crc32c,
            ChecksumAlgorithm::Crc32,
        ] {
            // Uneven pieces, an empty one among them.
            let mut join = CrcJoin::new(alg).unwrap();
            for piece in [&data[..1], &data[1..1], &data[1..65_536], &data[65_536..]] {
                let mut h = Hasher::new(alg);
                h.update(piece);
                join.append(h.crc_value().unwrap(), piece.len() as u64);
            }
            assert_eq!(join.finish_b64(), checksum_b64(alg, &data), "{alg:?}");
            // A flipped byte in one piece changes the joined CRC.
            let mut bad = data.clone();
            bad[200_000] ^= 1;
            let mut join = CrcJoin::new(alg).unwrap();
            for piece in bad.chunks(100_000) {
                let mut h = Hasher::new(alg);
                h.update(piece);
                join.append(h.crc_value().unwrap(), piece.len() as u64);
            }
            assert_ne!(join.finish_b64(), checksum_b64(alg, &data), "{alg:?}");
        }
        assert!(CrcJoin::new(ChecksumAlgorithm::Sha256).is_none());
        let empty = CrcJoin::new(ChecksumAlgorithm::Crc64Nvme).unwrap();
        assert_eq!(empty.finish_b64(), "AAAAAAAAAAA=");
    }

    #[test]
    fn multipart_etags() {
        let d1: [u8; 16] = md5::Md5::digest(b"aaaa").into();
        let d2: [u8; 16] = md5::Md5::digest(b"bb").into();
        let etag = multipart_etag(&[d1, d2]);
        assert!(etag.ends_with("-2"));
        assert_eq!(multipart_etag_parts(&etag), Some(2));
        assert_eq!(multipart_etag_parts("abc-2"), None);
        assert_eq!(multipart_etag_parts(&hex::encode(d1)), None);
        assert!(is_plain_md5(&hex::encode(d1)));
    }

    #[test]
    fn full_object_checksums() {
        let mut c = Checksums {
            crc32c: Some("crUfeA==".into()),
            sha256: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(
            full_object(&c),
            Some((ChecksumAlgorithm::Crc32c, "crUfeA==".into()))
        );
        c.crc32c = Some("crUfeA==-3".into());
        assert_eq!(
            full_object(&c),
            Some((ChecksumAlgorithm::Sha256, "x".into()))
        );
        c.checksum_type = Some("COMPOSITE".into());
        assert_eq!(full_object(&c), None);
    }
}
