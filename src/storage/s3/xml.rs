//! XML in and out with `quick-xml`. Responses are read into a tiny element tree
//! (name, text, children) that the operation code queries by child name.
//!
//! quick-xml ≥ 0.38 reports entity and character references (`&amp;`, `&#13;`) as
//! separate `GeneralRef` events between text events, so text is accumulated across
//! `Text`, `GeneralRef` and `CData` events — reading only the first `Text` event
//! would truncate a key like `a&b` to `a`.

use std::borrow::Cow;

use quick_xml::events::Event;

use crate::error::ErrorKind;
use crate::storage::StorageError;

/// One XML element: local name (namespace prefix stripped), text, children.
#[derive(Debug, Default, Clone)]
pub(crate) struct Element {
    /// Local name (the names of listing responses are shared, not allocated:
    /// a 1,000-entry page has some 7,000 elements).
    pub name: Cow<'static, str>,
    /// Concatenated text content (entities resolved).
    pub text: String,
    /// Child elements, in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.as_str())
    }

    /// All children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
}

pub(crate) fn bad(msg: impl std::fmt::Display) -> StorageError {
    StorageError::new(
        ErrorKind::InvalidResponse,
        format!("invalid XML response: {msg}"),
    )
}

/// The element names of listing pages, in rough order of frequency.
const KNOWN_NAMES: [&str; 18] = [
    "Key",
    "LastModified",
    "ETag",
    "Size",
    "StorageClass",
    "Contents",
    "Prefix",
    "CommonPrefixes",
    "Owner",
    "ID",
    "DisplayName",
    "VersionId",
    "IsLatest",
    "Version",
    "DeleteMarker",
    "ChecksumAlgorithm",
    "ChecksumType",
    "RestoreStatus",
];

fn local_name(raw: &[u8]) -> Cow<'static, str> {
    let name = match raw.iter().rposition(|&b| b == b':') {
        Some(i) => &raw[i + 1..],
        None => raw,
    };
    match KNOWN_NAMES.iter().find(|k| k.as_bytes() == name) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(String::from_utf8_lossy(name).into_owned()),
    }
}

/// Appends the text an event carries (a text or CDATA run, an entity or character
/// reference resolved) to `out`; other events carry none.
pub(crate) fn push_text(ev: &Event<'_>, out: &mut String) -> Result<(), StorageError> {
    match ev {
        Event::Text(t) => out.push_str(&t.decode().map_err(bad)?),
        Event::CData(t) => out.push_str(&t.decode().map_err(bad)?),
        Event::GeneralRef(r) if r.is_char_ref() => match r.resolve_char_ref().map_err(bad)? {
            Some(c) => out.push(c),
            None => return Err(bad("bad character reference")),
        },
        Event::GeneralRef(r) => {
            let s = format!("&{};", r.decode().map_err(bad)?);
            out.push_str(&quick_xml::escape::unescape(&s).map_err(bad)?);
        }
        _ => {}
    }
    Ok(())
}

/// Parses a whole document and returns its root element.
pub(crate) fn parse(body: &[u8]) -> Result<Element, StorageError> {
    let mut reader = quick_xml::Reader::from_reader(body);
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut buf = Vec::new();
    loop {
        let ev = reader.read_event_into(&mut buf).map_err(bad)?;
        match ev {
            Event::Start(e) => stack.push(Element {
                name: local_name(e.name().as_ref()),
                ..Element::default()
            }),
            Event::Empty(e) => {
                let el = Element {
                    name: local_name(e.name().as_ref()),
                    ..Element::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| bad("unbalanced end tag"))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(_) | Event::CData(_) | Event::GeneralRef(_) => {
                if let Some(cur) = stack.last_mut() {
                    push_text(&ev, &mut cur.text)?;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !stack.is_empty() {
        return Err(bad("unexpected end of document"));
    }
    root.ok_or_else(|| bad("empty document"))
}

/// Appends `s` to `out` with XML special characters escaped.
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed literally in XML 1.0 text (and CR
            // would be normalised away): send them as character references.
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("&#{};", c as u32));
            }
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_do_not_truncate_text() {
        let doc =
            br#"<?xml version="1.0"?><R xmlns="x"><Key>a&amp;b&lt;c&#13;d&#x41;</Key><E/></R>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "R");
        assert_eq!(root.text_of("Key"), Some("a&b<c\rdA"));
        assert!(root.child("E").is_some());
    }

    #[test]
    fn bad_xml_is_invalid_response() {
        let err = parse(b"<a><b></a>").unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidResponse);
    }

    #[test]
    fn escaping_round_trips() {
        let mut s = String::from("<K>");
        push_escaped(&mut s, "a&<>'\"\r\x01z");
        s.push_str("</K>");
        assert_eq!(parse(s.as_bytes()).unwrap().text, "a&<>'\"\r\x01z");
    }
}
