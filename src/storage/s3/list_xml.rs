//! Listing documents (ListObjectsV2/v1, ListObjectVersions) read as a stream of
//! quick-xml events straight into [`ObjectInfo`]s, without the element tree of
//! `xml.rs`: a 1,000-entry page is some 7,000 elements, and a listing of millions
//! of keys spends most of its client CPU here. Only the fields a listing uses are
//! kept; each entry's text goes through one reused buffer, and a key that needs no
//! decoding is moved into its entry, not copied.
//!
//! The reading matches the tree's: an entry's field is the text of its first
//! direct child of that name (nested elements such as `Owner/ID` are skipped), a
//! page field is a direct child of the root, text runs, CDATA and references are
//! joined (`xml::push_text`). `EncodingType` may come after the entries (AWS sends
//! it late), so keys are decoded once the whole document is read.

use quick_xml::events::Event;

use super::{headers, xml};
use crate::storage::{EntryKind, ObjectInfo, StorageError};

/// One listing document, read.
#[derive(Debug, Default)]
pub(super) struct Page {
    /// The root element's local name.
    pub root: String,
    /// `<CommonPrefixes><Prefix>` as directory entries, in document order.
    pub prefixes: Vec<ObjectInfo>,
    /// The entry elements, in document order: `<Contents>`, or with `versions`
    /// `<Version>` and `<DeleteMarker>` (size 0, `is_delete_marker`).
    pub entries: Vec<ObjectInfo>,
    /// `<IsTruncated>true`.
    pub truncated: bool,
    /// `<NextContinuationToken>` (v2), as sent.
    pub next_token: Option<String>,
    /// `<NextMarker>` (v1), decoded.
    pub next_marker: Option<String>,
    /// `<NextKeyMarker>` (versions), decoded.
    pub next_key_marker: Option<String>,
    /// `<NextVersionIdMarker>` (versions), as sent.
    pub next_version_marker: Option<String>,
}

/// The element being read at depth 2 (a child of the root).
enum Open {
    /// An entry; true for a delete marker.
    Entry(bool, Fields),
    Prefixes(Option<String>),
    Field,
}

/// An entry's fields as read so far (the first of each name counts).
#[derive(Default)]
struct Fields {
    key: Option<String>,
    size: Option<u64>,
    time: Option<(Option<chrono::DateTime<chrono::Utc>>, u8)>,
    etag: Option<String>,
    storage_class: Option<String>,
    version_id: Option<String>,
    is_latest: Option<bool>,
}

impl Fields {
    /// Takes in the text of the direct child `name`.
    fn set(&mut self, name: &[u8], text: &str) {
        match name {
            b"Key" if self.key.is_none() => self.key = Some(text.to_owned()),
            b"Size" if self.size.is_none() => self.size = Some(text.trim().parse().unwrap_or(0)),
            b"LastModified" if self.time.is_none() => {
                self.time = Some((parse_time(text), fraction_digits(text)));
            }
            b"ETag" if self.etag.is_none() => self.etag = Some(headers::unquote(text)),
            b"StorageClass" if self.storage_class.is_none() => {
                self.storage_class = Some(text.to_owned());
            }
            b"VersionId" if self.version_id.is_none() => self.version_id = Some(text.to_owned()),
            b"IsLatest" if self.is_latest.is_none() => self.is_latest = Some(text.trim() == "true"),
            _ => {}
        }
    }

    /// The entry (key still as sent: decoded by [`Page::finish`]).
    fn into_info(self, delete_marker: bool) -> ObjectInfo {
        let (last_modified, time_digits) = self.time.unwrap_or((None, 0));
        ObjectInfo {
            kind: EntryKind::File,
            size: if delete_marker {
                0
            } else {
                self.size.unwrap_or(0)
            },
            last_modified,
            time_digits,
            etag: self.etag.filter(|e| !e.is_empty()),
            storage_class: self.storage_class.filter(|s| !s.is_empty()),
            version_id: self.version_id.filter(|s| !s.is_empty()),
            is_delete_marker: delete_marker,
            is_latest: self.is_latest.unwrap_or(true),
            key: self.key.unwrap_or_default(),
        }
    }
}

/// Page fields, first of each name, as sent.
#[derive(Default)]
struct Top {
    encoding: Option<String>,
    truncated: Option<String>,
    token: Option<String>,
    marker: Option<String>,
    key_marker: Option<String>,
    version_marker: Option<String>,
}

impl Top {
    fn set(&mut self, name: &[u8], text: &str) {
        let slot = match name {
            b"EncodingType" => &mut self.encoding,
            b"IsTruncated" => &mut self.truncated,
            b"NextContinuationToken" => &mut self.token,
            b"NextMarker" => &mut self.marker,
            b"NextKeyMarker" => &mut self.key_marker,
            b"NextVersionIdMarker" => &mut self.version_marker,
            _ => return,
        };
        if slot.is_none() {
            *slot = Some(text.to_owned());
        }
    }
}

fn local(raw: &[u8]) -> &[u8] {
    match raw.iter().rposition(|&b| b == b':') {
        Some(i) => &raw[i + 1..],
        None => raw,
    }
}

/// What is open at depth 2 when an element starts there.
fn open(name: &[u8], versions: bool) -> Option<Open> {
    Some(match name {
        b"Contents" if !versions => Open::Entry(false, Fields::default()),
        b"Version" if versions => Open::Entry(false, Fields::default()),
        b"DeleteMarker" if versions => Open::Entry(true, Fields::default()),
        b"Contents" | b"Version" | b"DeleteMarker" => return None,
        b"CommonPrefixes" => Open::Prefixes(None),
        _ => Open::Field,
    })
}

/// The reading state: the open root child and the texts of the open elements at
/// depths 2 (a root child) and 3 (an entry's field).
#[derive(Default)]
struct Reader {
    versions: bool,
    page: Page,
    top: Top,
    cur: Option<Open>,
    names: [Vec<u8>; 2],
    texts: [String; 2],
}

impl Reader {
    /// An element at `depth` (root: 1) starts.
    fn start(&mut self, depth: usize, name: &[u8]) {
        if depth == 1 && self.page.root.is_empty() {
            self.page.root = String::from_utf8_lossy(name).into_owned();
        }
        if depth == 2 {
            self.cur = open(name, self.versions);
        }
        if let Some(i) = depth.checked_sub(2).filter(|&i| i < 2) {
            self.names[i].clear();
            self.names[i].extend_from_slice(name);
            self.texts[i].clear();
        }
    }

    /// An element at `depth` ends.
    fn end(&mut self, depth: usize) {
        let [name2, name3] = &self.names;
        let [text2, text3] = &self.texts;
        match (depth, self.cur.as_mut()) {
            (3, Some(Open::Entry(_, fields))) => fields.set(name3, text3),
            (3, Some(Open::Prefixes(p))) if name3 == b"Prefix" && p.is_none() => {
                *p = Some(text3.clone());
            }
            (2, _) => match self.cur.take() {
                Some(Open::Entry(marker, fields)) => {
                    self.page.entries.push(fields.into_info(marker))
                }
                Some(Open::Prefixes(Some(p))) => self.page.prefixes.push(ObjectInfo::directory(p)),
                Some(Open::Field) => self.top.set(name2, text2),
                _ => {}
            },
            _ => {}
        }
    }
}

/// Decodes a value when the response says it is URL-encoded, the way AWS's own
/// SDKs do (botocore: `unquote_plus`): `+` is a space, `%XX` a byte. AWS and rclone
/// encode a space as `+` and a `+` as `%2B`; a server that echoes `encoding-type=url`
/// without encoding (s3s) would turn literal `+` into spaces — the in-process test
/// server's fill layer encodes properly for that reason.
pub(super) fn decode(s: &str, encoded: bool) -> String {
    if !encoded {
        return s.to_owned();
    }
    if s.contains('+') {
        let spaced = s.replace('+', " ");
        return percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned();
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

pub(super) fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|| headers::parse_http_date(s))
}

/// The precision of a listed time: the significant digits of its fractional second
/// (`…T10:00:00.123Z` → 3, `.120Z` → 2). Trailing zeros do not count: AWS and moto
/// keep whole seconds and write them as `.000Z` (→ 0), so a file written at X.4
/// is not newer than its object listed at X.000. A time from a millisecond server
/// that happens to end in zeros is only compared more coarsely. An HTTP date has
/// no fraction.
pub(super) fn fraction_digits(s: &str) -> u8 {
    s.split_once('.').map_or(0, |(_, rest)| {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        rest[..digits].trim_end_matches('0').len().min(9) as u8
    })
}

/// Reads a listing document: a ListObjects one, or with `versions` a
/// ListObjectVersions one.
pub(super) fn parse(body: &[u8], versions: bool) -> Result<Page, StorageError> {
    let mut events = quick_xml::Reader::from_reader(body);
    let mut r = Reader {
        versions,
        ..Reader::default()
    };
    // An entry takes some 250 bytes of XML; a page holds at most 1,000.
    r.page.entries.reserve((body.len() / 200).min(1000));
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let ev = events.read_event().map_err(xml::bad)?;
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                depth += 1;
                seen_root = true;
                r.start(depth, local(e.name().into_inner()));
                if matches!(ev, Event::Empty(_)) {
                    r.end(depth);
                    depth -= 1;
                }
            }
            Event::End(_) => {
                if depth == 0 {
                    return Err(xml::bad("unbalanced end tag"));
                }
                r.end(depth);
                depth -= 1;
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                match depth.checked_sub(2).and_then(|i| r.texts.get_mut(i)) {
                    Some(text) => xml::push_text(&ev, text)?,
                    // Elsewhere a reference is only checked (the tree refuses a bad one).
                    None if matches!(ev, Event::GeneralRef(_)) => {
                        xml::push_text(&ev, &mut String::new())?;
                    }
                    None => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(xml::bad("unexpected end of document"));
    }
    if !seen_root {
        return Err(xml::bad("empty document"));
    }
    let mut page = r.page;
    page.finish(r.top);
    Ok(page)
}

impl Page {
    /// The common prefixes, then the entries (taken out of the page).
    pub fn entries_with_prefixes(&mut self) -> Vec<ObjectInfo> {
        let mut entries = std::mem::take(&mut self.entries);
        if self.prefixes.is_empty() {
            return entries;
        }
        let mut all = std::mem::take(&mut self.prefixes);
        all.append(&mut entries);
        all
    }

    /// Decodes keys, prefixes and markers once the encoding is known; sets the
    /// page fields and each entry's kind.
    fn finish(&mut self, top: Top) {
        let encoded = top.encoding.is_some_and(|e| e.eq_ignore_ascii_case("url"));
        for p in &mut self.prefixes {
            p.key = decode_owned(std::mem::take(&mut p.key), encoded);
        }
        for e in &mut self.entries {
            e.key = decode_owned(std::mem::take(&mut e.key), encoded);
            if e.key.ends_with('/') && !e.is_delete_marker {
                e.kind = EntryKind::Directory;
            }
        }
        self.truncated = top
            .truncated
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("true"));
        self.next_token = top.token;
        self.next_marker = top.marker.map(|m| decode_owned(m, encoded));
        self.next_key_marker = top.key_marker.map(|m| decode_owned(m, encoded));
        self.next_version_marker = top.version_marker;
    }
}

/// [`decode`], keeping the string itself when there is nothing to decode.
fn decode_owned(s: String, encoded: bool) -> String {
    if encoded && s.bytes().any(|b| b == b'%' || b == b'+') {
        decode(&s, true)
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_aws_sdks() {
        assert_eq!(decode("a%2Bb+c%20d%0D%2F", true), "a+b c d\r/");
        assert_eq!(decode("a+b", false), "a+b");
        assert_eq!(decode("%E6%97%A5", true), "日");
    }

    #[test]
    fn listed_time_precision_is_its_significant_digits() {
        assert_eq!(fraction_digits("2026-12-01T09:35:05.000Z"), 0);
        assert_eq!(fraction_digits("2026-12-01T09:35:05.123Z"), 3);
        assert_eq!(fraction_digits("2026-12-01T09:35:05.120Z"), 2);
        assert_eq!(fraction_digits("2026-12-01T09:35:05.123456789012Z"), 9);
        assert_eq!(fraction_digits("2026-12-01T09:35:05.5+00:00"), 1);
        assert_eq!(fraction_digits("2026-12-01T09:35:05Z"), 0);
        assert_eq!(fraction_digits("Tue, 01 Dec 2026 09:35:05 GMT"), 0);
    }

    #[test]
    fn entries_without_etag_or_storage_class() {
        let page = parse(
            b"<ListBucketResult><Contents><Key>k%26</Key><Size>3</Size></Contents><Contents><Key>d/</Key><ETag>abc</ETag></Contents><EncodingType>url</EncodingType></ListBucketResult>",
            false,
        )
        .unwrap();
        let e = &page.entries;
        assert_eq!(e[0].key, "k&");
        assert_eq!(e[0].size, 3);
        assert_eq!(e[0].etag, None);
        assert_eq!(e[0].storage_class, None);
        assert_eq!(e[1].kind, EntryKind::Directory);
        assert_eq!(e[1].etag.as_deref(), Some("abc"));
    }

    #[test]
    fn reads_what_the_tree_reads() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<s3:ListVersionsResult xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/">
  <s3:IsTruncated>true</s3:IsTruncated>
  <NextKeyMarker>a+b%2B</NextKeyMarker><NextVersionIdMarker>v+2</NextVersionIdMarker>
  <Version><Key>a&amp;b<![CDATA[<c>]]>&#13;</Key><Key>second</Key><VersionId>v1</VersionId>
    <IsLatest>false</IsLatest><LastModified>2026-12-01T09:35:05.120Z</LastModified>
    <ETag>&quot;e1&quot;</ETag><Size> 12 </Size><StorageClass>GLACIER</StorageClass>
    <Owner><ID>Key-in-owner</ID><Key>nested</Key></Owner></Version>
  <DeleteMarker><Owner><Key>x</Key></Owner><Key>gone</Key><VersionId/></DeleteMarker>
  <CommonPrefixes><Prefix>p%2F/</Prefix></CommonPrefixes><CommonPrefixes/>
  <Empty/><EncodingType>URL</EncodingType>
</s3:ListVersionsResult>"#;
        let page = parse(doc, true).unwrap();
        assert_eq!(page.root, "ListVersionsResult");
        assert!(page.truncated);
        assert_eq!(page.next_key_marker.as_deref(), Some("a b+"));
        assert_eq!(page.next_version_marker.as_deref(), Some("v+2"));
        assert_eq!(page.prefixes.len(), 1);
        assert_eq!(page.prefixes[0].key, "p//");
        assert_eq!(page.prefixes[0].kind, EntryKind::Directory);
        let v = &page.entries[0];
        assert!(!v.is_delete_marker);
        assert_eq!(v.key, "a&b<c>\r");
        assert_eq!(v.version_id.as_deref(), Some("v1"));
        assert!(!v.is_latest);
        assert_eq!(v.time_digits, 2);
        assert_eq!(
            v.last_modified.map(|t| t.timestamp_millis()),
            Some(1_796_117_705_120)
        );
        assert_eq!(v.etag.as_deref(), Some("e1"));
        assert_eq!(v.size, 12);
        assert_eq!(v.storage_class.as_deref(), Some("GLACIER"));
        let d = &page.entries[1];
        assert!(d.is_delete_marker);
        assert_eq!(d.size, 0);
        assert_eq!(d.key, "gone");
        assert_eq!(d.version_id, None);
        assert!(d.is_latest);
        assert_eq!(page.entries.len(), 2);
        // Versions are not objects, nor objects versions.
        assert!(parse(doc, false).unwrap().entries.is_empty());
    }

    #[test]
    fn broken_documents_are_invalid_responses() {
        for doc in [
            &b""[..],
            b"<ListBucketResult><Contents><Key>a</Key>",
            b"<a><b></a>",
            b"</a>",
            b"<a>&bogus;</a>",
        ] {
            let err = parse(doc, false).unwrap_err();
            assert_eq!(
                err.kind,
                crate::error::ErrorKind::InvalidResponse,
                "{doc:?}"
            );
        }
    }
}
