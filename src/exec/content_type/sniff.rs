//! Content sniffing as Go's `http.DetectContentType` does it (Go 1.22, which s5cmd 2.3
//! calls on the first 512 bytes of a file whose extension has no type): the WHATWG
//! MIME-sniffing table, in Go's order, the first match winning.

/// How much of the content is looked at.
pub const SNIFF_LEN: usize = 512;

/// One row of Go's `sniffSignatures`.
enum Sig {
    /// An HTML tag, case-insensitive, followed by a space or `>` (after leading space).
    Html(&'static [u8]),
    /// `data & mask == pat` over the mask's length, optionally after leading space.
    Masked {
        mask: &'static [u8],
        pat: &'static [u8],
        skip_ws: bool,
        ct: &'static str,
    },
    /// A plain prefix.
    Exact(&'static [u8], &'static str),
    /// An ISO base media `ftyp` box naming an `mp4` brand.
    Mp4,
}

const fn masked(mask: &'static [u8], pat: &'static [u8], ct: &'static str) -> Sig {
    Sig::Masked {
        mask,
        pat,
        skip_ws: false,
        ct,
    }
}

const RIFF_MASK: &[u8] = b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF";

const SIGNATURES: &[Sig] = &[
    Sig::Html(b"<!DOCTYPE HTML"),
    Sig::Html(b"<HTML"),
    Sig::Html(b"<HEAD"),
    Sig::Html(b"<SCRIPT"),
    Sig::Html(b"<IFRAME"),
    Sig::Html(b"<H1"),
    Sig::Html(b"<DIV"),
    Sig::Html(b"<FONT"),
    Sig::Html(b"<TABLE"),
    Sig::Html(b"<A"),
    Sig::Html(b"<STYLE"),
    Sig::Html(b"<TITLE"),
    Sig::Html(b"<B"),
    Sig::Html(b"<BODY"),
    Sig::Html(b"<BR"),
    Sig::Html(b"<P"),
    Sig::Html(b"<!--"),
    Sig::Masked {
        mask: b"\xFF\xFF\xFF\xFF\xFF",
        pat: b"<?xml",
        skip_ws: true,
        ct: "text/xml; charset=utf-8",
    },
    Sig::Exact(b"%PDF-", "application/pdf"),
    Sig::Exact(b"%!PS-Adobe-", "application/postscript"),
    // UTF byte order marks.
    masked(
        b"\xFF\xFF\x00\x00",
        b"\xFE\xFF\x00\x00",
        "text/plain; charset=utf-16be",
    ),
    masked(
        b"\xFF\xFF\x00\x00",
        b"\xFF\xFE\x00\x00",
        "text/plain; charset=utf-16le",
    ),
    masked(
        b"\xFF\xFF\xFF\x00",
        b"\xEF\xBB\xBF\x00",
        "text/plain; charset=utf-8",
    ),
    // Images.
    Sig::Exact(b"\x00\x00\x01\x00", "image/x-icon"),
    Sig::Exact(b"\x00\x00\x02\x00", "image/x-icon"),
    Sig::Exact(b"BM", "image/bmp"),
    Sig::Exact(b"GIF87a", "image/gif"),
    Sig::Exact(b"GIF89a", "image/gif"),
    masked(
        b"\xFF\xFF\xFF\xFF\x00\x00\x00\x00\xFF\xFF\xFF\xFF\xFF\xFF",
        b"RIFF\x00\x00\x00\x00WEBPVP",
        "image/webp",
    ),
    Sig::Exact(b"\x89PNG\x0D\x0A\x1A\x0A", "image/png"),
    Sig::Exact(b"\xFF\xD8\xFF", "image/jpeg"),
    // Audio and video.
    masked(RIFF_MASK, b"FORM\x00\x00\x00\x00AIFF", "audio/aiff"),
    masked(b"\xFF\xFF\xFF", b"ID3", "audio/mpeg"),
    masked(b"\xFF\xFF\xFF\xFF\xFF", b"OggS\x00", "application/ogg"),
    masked(
        b"\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF",
        b"MThd\x00\x00\x00\x06",
        "audio/midi",
    ),
    masked(RIFF_MASK, b"RIFF\x00\x00\x00\x00AVI ", "video/avi"),
    masked(RIFF_MASK, b"RIFF\x00\x00\x00\x00WAVE", "audio/wave"),
    Sig::Mp4,
    Sig::Exact(b"\x1A\x45\xDF\xA3", "video/webm"),
    // Fonts: 34 bytes of anything, then "LP".
    masked(
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF",
        b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00LP",
        "application/vnd.ms-fontobject",
    ),
    Sig::Exact(b"\x00\x01\x00\x00", "font/ttf"),
    Sig::Exact(b"OTTO", "font/otf"),
    Sig::Exact(b"ttcf", "font/collection"),
    Sig::Exact(b"wOFF", "font/woff"),
    Sig::Exact(b"wOF2", "font/woff2"),
    // Archives.
    Sig::Exact(b"\x1F\x8B\x08", "application/x-gzip"),
    Sig::Exact(b"PK\x03\x04", "application/zip"),
    Sig::Exact(b"Rar!\x1A\x07\x00", "application/x-rar-compressed"),
    Sig::Exact(b"Rar!\x1A\x07\x01\x00", "application/x-rar-compressed"),
    Sig::Exact(b"\x00\x61\x73\x6D", "application/wasm"),
];

/// The type of content starting with `data` (only the first [`SNIFF_LEN`] bytes count).
pub fn detect(data: &[u8]) -> &'static str {
    let data = &data[..data.len().min(SNIFF_LEN)];
    let first_non_ws = data.iter().position(|&b| !is_ws(b)).unwrap_or(data.len());
    let rest = &data[first_non_ws..];
    for sig in SIGNATURES {
        if let Some(ct) = sig.matches(data, rest) {
            return ct;
        }
    }
    if rest.iter().any(|&b| is_binary(b)) {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

impl Sig {
    fn matches(&self, data: &[u8], rest: &[u8]) -> Option<&'static str> {
        let hit = match self {
            Sig::Html(tag) => {
                rest.len() > tag.len()
                    && rest[..tag.len()].eq_ignore_ascii_case(tag)
                    && matches!(rest[tag.len()], b' ' | b'>')
            }
            Sig::Masked {
                mask, pat, skip_ws, ..
            } => {
                let d = if *skip_ws { rest } else { data };
                d.len() >= mask.len()
                    && mask
                        .iter()
                        .zip(pat.iter())
                        .zip(d)
                        .all(|((m, p), b)| b & m == *p)
            }
            Sig::Exact(sig, _) => data.starts_with(sig),
            Sig::Mp4 => is_mp4(data),
        };
        hit.then_some(match self {
            Sig::Html(_) => "text/html; charset=utf-8",
            Sig::Masked { ct, .. } | Sig::Exact(_, ct) => ct,
            Sig::Mp4 => "video/mp4",
        })
    }
}

fn is_mp4(data: &[u8]) -> bool {
    if data.len() < 12 {
        return false;
    }
    let box_size = u32::from_be_bytes([data[0], data[1], data[2], data[3]]) as usize;
    if data.len() < box_size || !box_size.is_multiple_of(4) || &data[4..8] != b"ftyp" {
        return false;
    }
    (8..box_size)
        .step_by(4)
        .any(|st| st != 12 && &data[st..st + 3] == b"mp4")
}

fn is_ws(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_binary(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_xml_and_text() {
        assert_eq!(detect(b"  <HtMl><body>"), "text/html; charset=utf-8");
        assert_eq!(detect(b"<!-- x -->"), "text/html; charset=utf-8");
        // Go wants a space or '>' after every tag, "<!--" included.
        assert_eq!(detect(b"<!--x-->"), "text/plain; charset=utf-8");
        assert_eq!(detect(b"<html"), "text/plain; charset=utf-8");
        assert_eq!(detect(b"\n<?xml version"), "text/xml; charset=utf-8");
        assert_eq!(detect(b""), "text/plain; charset=utf-8");
        assert_eq!(detect(b" \t\r\n"), "text/plain; charset=utf-8");
        assert_eq!(detect(b"plain words\n"), "text/plain; charset=utf-8");
        assert_eq!(detect(b"\xEF\xBB\xBFbom"), "text/plain; charset=utf-8");
        assert_eq!(detect(b"\xFF\xFEa\x00"), "text/plain; charset=utf-16le");
    }

    #[test]
    fn binary_signatures_use_go_names() {
        assert_eq!(detect(b"\x1F\x8B\x08\x00\x00"), "application/x-gzip");
        assert_eq!(detect(b"PK\x03\x04rest"), "application/zip");
        assert_eq!(detect(b"\x00\x00\x01\x00\x01\x00"), "image/x-icon");
        assert_eq!(detect(b"RIFF\x10\x00\x00\x00WEBPVP8 "), "image/webp");
        assert_eq!(detect(b"RIFF\x10\x00\x00\x00WAVEfmt "), "audio/wave");
        assert_eq!(detect(b"\x00asm\x01\x00\x00\x00"), "application/wasm");
        assert_eq!(detect(b"%PDF-1.7"), "application/pdf");
        assert_eq!(
            detect(b"\x7FELF\x02\x01\x01\x00"),
            "application/octet-stream"
        );
        assert_eq!(detect(&[0u8, 1, 2, 3]), "application/octet-stream");
    }

    #[test]
    fn mp4_box() {
        let mut mp4 = b"\x00\x00\x00\x1Cftypisom\x00\x00\x02\x00isomiso2mp41".to_vec();
        assert_eq!(detect(&mp4), "video/mp4");
        mp4[3] = 0x1D; // not a multiple of 4
        assert_ne!(detect(&mp4), "video/mp4");
    }

    #[test]
    fn only_the_first_512_bytes_count() {
        let mut data = vec![b'a'; SNIFF_LEN];
        data.push(0);
        assert_eq!(detect(&data), "text/plain; charset=utf-8");
    }
}
