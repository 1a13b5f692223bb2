//! The journal's bytes: a segment is an 8-byte magic (`S5RSJNL1`) followed by
//! fixed-size records, each a 16-byte operation key and the CRC-32C of that key
//! (little-endian). Reading stops at the first record that is short or whose checksum
//! does not match: a segment torn by a crash (`kill -9` mid-write) loses only its
//! tail, never yields a wrong key.

/// The first bytes of every segment.
pub const MAGIC: &[u8; 8] = b"S5RSJNL1";
/// Bytes per record: key and checksum.
pub const RECORD_LEN: usize = 20;

/// The identity of one finished operation (a truncated SHA-256, see [`super::op_key`]).
pub type OpKey = [u8; 16];

/// Appends the records of `keys` to `out` (no magic: see [`segment_start`]).
pub fn encode(keys: &[OpKey], out: &mut Vec<u8>) {
    out.reserve(keys.len() * RECORD_LEN);
    for key in keys {
        out.extend_from_slice(key);
        out.extend_from_slice(&crc32c::crc32c(key).to_le_bytes());
    }
}

/// The bytes a new segment starts with.
pub fn segment_start() -> Vec<u8> {
    MAGIC.to_vec()
}

/// What a segment held.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Every intact record's key, in order.
    pub keys: Vec<OpKey>,
    /// Bytes after the last intact record (a torn tail), ignored.
    pub torn_bytes: usize,
}

/// Reads a segment; an unknown magic is an error (not a journal segment).
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if bytes.len() < MAGIC.len() {
        // A segment torn before its magic was complete holds nothing.
        return Ok(Decoded {
            keys: Vec::new(),
            torn_bytes: bytes.len(),
        });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err("not an s5rs journal segment (bad magic)".into());
    }
    let body = &bytes[MAGIC.len()..];
    let mut keys = Vec::with_capacity(body.len() / RECORD_LEN);
    let mut at = 0;
    while at + RECORD_LEN <= body.len() {
        let record = &body[at..at + RECORD_LEN];
        let key: OpKey = record[..16].try_into().expect("16 bytes");
        let sum = u32::from_le_bytes(record[16..].try_into().expect("4 bytes"));
        if crc32c::crc32c(&key) != sum {
            break;
        }
        keys.push(key);
        at += RECORD_LEN;
    }
    Ok(Decoded {
        keys,
        torn_bytes: body.len() - at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> OpKey {
        [n; 16]
    }

    #[test]
    fn round_trips() {
        let mut seg = segment_start();
        encode(&[key(1), key(2), key(3)], &mut seg);
        let d = decode(&seg).unwrap();
        assert_eq!(d.keys, vec![key(1), key(2), key(3)]);
        assert_eq!(d.torn_bytes, 0);
    }

    #[test]
    fn a_torn_tail_is_ignored() {
        let mut seg = segment_start();
        encode(&[key(1), key(2)], &mut seg);
        for cut in 1..RECORD_LEN {
            let d = decode(&seg[..seg.len() - cut]).unwrap();
            assert_eq!(d.keys, vec![key(1)], "cut {cut}");
            assert_eq!(d.torn_bytes, RECORD_LEN - cut);
        }
        assert_eq!(decode(&seg[..5]).unwrap().keys, Vec::<OpKey>::new());
    }

    #[test]
    fn a_corrupt_record_ends_the_segment() {
        let mut seg = segment_start();
        encode(&[key(1), key(2), key(3)], &mut seg);
        seg[MAGIC.len() + RECORD_LEN + 3] ^= 0xff;
        assert_eq!(decode(&seg).unwrap().keys, vec![key(1)]);
    }

    #[test]
    fn foreign_files_are_refused() {
        assert!(decode(b"hello world, not a journal").is_err());
    }
}
