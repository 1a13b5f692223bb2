//! Which MIME database files are read, in Go's order, and the one table built from them
//! per process (on first use, not per file).
//!
//! Go on Unix reads the first shared-mime-info `globs2` file that opens
//! (`/usr/local/share/mime/globs2`, then `/usr/share/mime/globs2`) and then stops; only
//! when neither opens does it read every `mime.types` file that opens, in order
//! (`/etc/mime.types`, `/etc/apache2/mime.types`, `/etc/apache/mime.types`,
//! `/etc/httpd/conf/mime.types`).
//!
//! `S5RS_MIME_TYPES_FILES` (a `:`-separated list of paths) replaces that list, for tests
//! and packagers: paths whose file name ends in `globs2` are read as `globs2` files, the
//! others as `mime.types` files, with the same rule; an empty value means no system
//! database.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::mime_db::MimeDb;

/// The environment variable that replaces the system file list.
pub const FILES_ENV: &str = "S5RS_MIME_TYPES_FILES";

const SYSTEM_GLOBS2: &[&str] = &["/usr/local/share/mime/globs2", "/usr/share/mime/globs2"];

const SYSTEM_MIME_TYPES: &[&str] = &[
    "/etc/mime.types",
    "/etc/apache2/mime.types",
    "/etc/apache/mime.types",
    "/etc/httpd/conf/mime.types",
];

/// The files to try, split by format, each list in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// shared-mime-info `globs2` files.
    pub globs2: Vec<PathBuf>,
    /// `mime.types` files.
    pub mime_types: Vec<PathBuf>,
}

impl Sources {
    /// The system list, or the override in `S5RS_MIME_TYPES_FILES`.
    pub fn from_env() -> Sources {
        match std::env::var_os(FILES_ENV) {
            Some(list) => Sources::from_list(std::env::split_paths(&list)),
            None => Sources {
                globs2: SYSTEM_GLOBS2.iter().map(PathBuf::from).collect(),
                mime_types: SYSTEM_MIME_TYPES.iter().map(PathBuf::from).collect(),
            },
        }
    }

    /// Splits a list of paths by format (a file name ending in `globs2` is one).
    pub fn from_list(paths: impl IntoIterator<Item = PathBuf>) -> Sources {
        let mut s = Sources::default();
        for p in paths.into_iter().filter(|p| !p.as_os_str().is_empty()) {
            let is_globs2 = p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with("globs2"));
            if is_globs2 {
                s.globs2.push(p);
            } else {
                s.mime_types.push(p);
            }
        }
        s
    }

    /// Go's table from these files.
    pub fn load(&self) -> Loaded {
        let mut db = MimeDb::builtin();
        for path in &self.globs2 {
            if let Some(text) = read(path) {
                db.load_globs2(&text);
                return Loaded { db, system: true };
            }
        }
        let mut system = false;
        for path in &self.mime_types {
            if let Some(text) = read(path) {
                db.load_mime_types(&text);
                system = true;
            }
        }
        Loaded { db, system }
    }
}

/// A loaded table.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Go's built-in table plus whatever was read.
    pub db: MimeDb,
    /// Whether any file was read; if not, there is no system database and the caller
    /// may fall back to another table.
    pub system: bool,
}

/// The process-wide table, loaded on first use.
pub fn loaded() -> &'static Loaded {
    static DB: OnceLock<Loaded> = OnceLock::new();
    DB.get_or_init(|| Sources::from_env().load())
}

fn read(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn list_is_split_by_file_name() {
        let s = Sources::from_list(std::env::split_paths("a/globs2::b/mime.types:c.globs2:d"));
        assert_eq!(s.globs2, vec![PathBuf::from("a/globs2"), "c.globs2".into()]);
        assert_eq!(
            s.mime_types,
            vec![PathBuf::from("b/mime.types"), "d".into()]
        );
        assert_eq!(
            Sources::from_list(std::env::split_paths("")),
            Sources::default()
        );
    }

    #[test]
    fn first_readable_globs2_wins_and_mime_types_are_then_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let s = Sources {
            globs2: vec![
                d.join("missing/globs2"),
                write(d, "one.globs2", "50:text/x-one:*.s5o\n"),
                write(d, "two.globs2", "50:text/x-two:*.s5t\n"),
            ],
            mime_types: vec![write(d, "mime.types", "text/x-python py\n")],
        };
        let loaded = s.load();
        assert!(loaded.system);
        let db = loaded.db;
        assert_eq!(db.lookup(".s5o"), Some("text/x-one; charset=utf-8"));
        assert_eq!(db.lookup(".s5t"), None);
        assert_eq!(db.lookup(".py"), None);
    }

    #[test]
    fn every_readable_mime_types_file_is_read_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let s = Sources {
            globs2: vec![d.join("missing/globs2")],
            mime_types: vec![
                write(d, "a.types", "text/x-python py\napplication/x-a both\n"),
                d.join("missing.types"),
                write(d, "b.types", "application/x-b both\n"),
            ],
        };
        let loaded = s.load();
        assert!(loaded.system);
        let db = loaded.db;
        assert_eq!(db.lookup(".py"), Some("text/x-python; charset=utf-8"));
        assert_eq!(db.lookup(".both"), Some("application/x-b"));
    }

    #[test]
    fn nothing_readable_is_no_database() {
        let s = Sources {
            globs2: vec!["/nonexistent/globs2".into()],
            mime_types: vec!["/nonexistent/mime.types".into()],
        };
        let loaded = s.load();
        assert!(!loaded.system);
        assert_eq!(loaded.db.lookup(".html"), Some("text/html; charset=utf-8"));
        assert!(!Sources::default().load().system);
    }
}
