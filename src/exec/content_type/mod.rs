//! Content-Type of uploads, as s5cmd (Go) picks it: the `--content-type` flag, else by
//! file extension, else by sniffing the first 512 bytes as Go does ([`sniff`]).
//!
//! The extension table is the one Go's `mime` package builds ([`mime_db`]) from the
//! system's MIME database ([`sources`]), read once per process. Only where no system
//! database exists does `mime_guess` stand in for it, behind Go's built-in table.

pub mod mime_db;
pub mod sniff;
pub mod sources;

use sources::Loaded;

/// Where there is no system database: shared-mime-info's types for extensions whose
/// `mime_guess` type differs, so common files get what a Linux s5cmd stores.
const FALLBACK_OVERRIDES: &[(&str, &str)] = &[
    ("log", "text/x-log; charset=utf-8"),
    ("py", "text/x-python; charset=utf-8"),
];

/// The type for a file or key name by its extension, if known.
pub fn by_extension(name: &str) -> Option<String> {
    lookup(sources::loaded(), name)
}

/// [`by_extension`] with a given table.
pub fn lookup(table: &Loaded, name: &str) -> Option<String> {
    let ext = extension(name)?;
    if let Some(t) = table.db.lookup(ext) {
        return Some(t.to_string());
    }
    if table.system {
        return None;
    }
    let bare = ext[1..].to_lowercase();
    if let Some((_, t)) = FALLBACK_OVERRIDES.iter().find(|(e, _)| *e == bare) {
        return Some((*t).to_string());
    }
    let guess = mime_guess::from_ext(&bare).first()?;
    let mut t = guess.essence_str().to_string();
    if guess.type_() == mime_guess::mime::TEXT {
        t.push_str("; charset=utf-8");
    }
    Some(t)
}

/// Go's `filepath.Ext`: from the last `.` of the last path element, dot included.
fn extension(name: &str) -> Option<&str> {
    let base = name.rsplit('/').next().unwrap_or(name);
    let dot = base.rfind('.')?;
    let ext = &base[dot..];
    (ext.len() > 1).then_some(ext)
}

/// Flag, else extension, else sniffed content.
pub fn for_upload(flag: Option<&str>, name: &str, head: &[u8]) -> String {
    if let Some(t) = flag {
        return t.to_string();
    }
    by_extension(name).unwrap_or_else(|| sniff::detect(head).to_string())
}

#[cfg(test)]
mod tests {
    use super::mime_db::MimeDb;
    use super::*;

    fn no_system_db() -> Loaded {
        Loaded {
            db: MimeDb::builtin(),
            system: false,
        }
    }

    fn fixture_db() -> Loaded {
        let mut db = MimeDb::builtin();
        db.load_mime_types("text/x-python py\napplication/x-fixture s5fx\n");
        Loaded { db, system: true }
    }

    #[test]
    fn extension_is_go_filepath_ext() {
        assert_eq!(extension("a/b.txt"), Some(".txt"));
        assert_eq!(extension("a.tar.gz"), Some(".gz"));
        assert_eq!(extension("dir.d/file"), None);
        assert_eq!(extension(".bashrc"), Some(".bashrc"));
        assert_eq!(extension("x."), None);
        assert_eq!(extension("index"), None);
    }

    #[test]
    fn system_database_alone_decides() {
        let t = fixture_db();
        assert_eq!(
            lookup(&t, "src/x.py").unwrap(),
            "text/x-python; charset=utf-8"
        );
        assert_eq!(lookup(&t, "X.PY").unwrap(), "text/x-python; charset=utf-8");
        assert_eq!(lookup(&t, "a.s5fx").unwrap(), "application/x-fixture");
        assert_eq!(lookup(&t, "a.json").unwrap(), "application/json");
        // Not in the database: no mime_guess, the caller sniffs like s5cmd.
        assert_eq!(lookup(&t, "a.txt"), None);
        assert_eq!(lookup(&t, "a.zip"), None);
    }

    #[test]
    fn without_system_database_mime_guess_stands_in() {
        let t = no_system_db();
        assert_eq!(lookup(&t, "a/b.txt").unwrap(), "text/plain; charset=utf-8");
        assert_eq!(lookup(&t, "x.md").unwrap(), "text/markdown; charset=utf-8");
        assert_eq!(lookup(&t, "x.log").unwrap(), "text/x-log; charset=utf-8");
        assert_eq!(lookup(&t, "x.py").unwrap(), "text/x-python; charset=utf-8");
        assert_eq!(lookup(&t, "x.zip").unwrap(), "application/zip");
        assert_eq!(lookup(&t, "x.JSON").unwrap(), "application/json");
        assert_eq!(lookup(&t, "x.s5fx"), None);
        assert_eq!(lookup(&t, "index"), None);
    }

    #[test]
    fn flag_then_sniffing_for_names_without_extension() {
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
