//! Content-Type of uploads, as s5cmd (Go) picks it: the `--content-type` flag, else by
//! file extension (Go's built-in table first, then the `mime_guess` database, `text/*`
//! getting `; charset=utf-8`), else by sniffing the first 512 bytes (HTML, XML, PDF,
//! images and archives via `infer`, plain text), else `application/octet-stream`.

/// Go's `mime` built-in table, which wins over any system database.
const GO_BUILTIN: &[(&str, &str)] = &[
    ("avif", "image/avif"),
    ("css", "text/css; charset=utf-8"),
    ("gif", "image/gif"),
    ("htm", "text/html; charset=utf-8"),
    ("html", "text/html; charset=utf-8"),
    ("jpeg", "image/jpeg"),
    ("jpg", "image/jpeg"),
    ("js", "text/javascript; charset=utf-8"),
    ("json", "application/json"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("pdf", "application/pdf"),
    ("png", "image/png"),
    ("svg", "image/svg+xml"),
    ("wasm", "application/wasm"),
    ("webp", "image/webp"),
    ("xml", "text/xml; charset=utf-8"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("log", "text/x-log; charset=utf-8"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
];

/// The type for a file or key name by its extension, if known.
pub fn by_extension(name: &str) -> Option<String> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let (_, ext) = base.rsplit_once('.')?;
    if ext.is_empty() {
        return None;
    }
    let ext = ext.to_ascii_lowercase();
    if let Some((_, t)) = GO_BUILTIN.iter().find(|(e, _)| *e == ext) {
        return Some((*t).to_string());
    }
    let guess = mime_guess::from_ext(&ext).first()?;
    let mut t = guess.essence_str().to_string();
    if guess.type_() == mime_guess::mime::TEXT {
        t.push_str("; charset=utf-8");
    }
    Some(t)
}

/// The type sniffed from the first bytes of the content (Go's `DetectContentType`).
pub fn sniff(head: &[u8]) -> String {
    let head = &head[..head.len().min(512)];
    let trimmed = trim_leading_ws(head);
    const HTML_TAGS: &[&[u8]] = &[
        b"<!DOCTYPE HTML",
        b"<HTML",
        b"<HEAD",
        b"<SCRIPT",
        b"<IFRAME",
        b"<H1",
        b"<DIV",
        b"<FONT",
        b"<TABLE",
        b"<A",
        b"<STYLE",
        b"<TITLE",
        b"<B",
        b"<BODY",
        b"<BR",
        b"<P",
        b"<!--",
    ];
    for tag in HTML_TAGS {
        if starts_with_tag(trimmed, tag) {
            return "text/html; charset=utf-8".to_string();
        }
    }
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8".to_string();
    }
    if head.starts_with(b"%PDF-") {
        return "application/pdf".to_string();
    }
    if let Some(kind) = infer::get(head) {
        return kind.mime_type().to_string();
    }
    if !head.is_empty() && head.iter().all(|&b| !is_binary_byte(b)) {
        return "text/plain; charset=utf-8".to_string();
    }
    if head.is_empty() {
        return "text/plain; charset=utf-8".to_string();
    }
    "application/octet-stream".to_string()
}

/// Flag, else extension, else sniffed content.
pub fn for_upload(flag: Option<&str>, name: &str, head: &[u8]) -> String {
    if let Some(t) = flag {
        return t.to_string();
    }
    by_extension(name).unwrap_or_else(|| sniff(head))
}

fn trim_leading_ws(b: &[u8]) -> &[u8] {
    let start = b
        .iter()
        .position(|c| !matches!(c, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
        .unwrap_or(b.len());
    &b[start..]
}

/// A case-insensitive tag match followed by a space or `>` (Go's htmlSig).
fn starts_with_tag(data: &[u8], tag: &[u8]) -> bool {
    if data.len() < tag.len() + 1 {
        return false;
    }
    if !data[..tag.len()].eq_ignore_ascii_case(tag) {
        return false;
    }
    tag == b"<!--" || matches!(data[tag.len()], b' ' | b'>')
}

fn is_binary_byte(b: u8) -> bool {
    matches!(b, 0x00..=0x08 | 0x0B | 0x0E..=0x1A | 0x1C..=0x1F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_then_sniffing() {
        assert_eq!(
            by_extension("a/b.txt").unwrap(),
            "text/plain; charset=utf-8"
        );
        assert_eq!(by_extension("x.json").unwrap(), "application/json");
        assert_eq!(by_extension("x.zip").unwrap(), "application/zip");
        assert_eq!(by_extension("index"), None);
        assert_eq!(
            for_upload(None, "index", b"<html><body>hi</body></html>"),
            "text/html; charset=utf-8"
        );
        assert_eq!(
            for_upload(None, "notes", b"just words\n"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            for_upload(None, "blob", &[0u8, 1, 2, 3]),
            "application/octet-stream"
        );
        assert_eq!(for_upload(Some("video/mp4"), "x.txt", b""), "video/mp4");
    }
}
