//! The extension → Content-Type table that Go's `mime` package builds on Unix, which is
//! what s5cmd 2.3 (built with Go 1.22) stores for uploads: Go's small built-in table,
//! then either a shared-mime-info `globs2` file or `mime.types` files.
//!
//! The rules copied from Go (src/mime/type.go and type_unix.go), each visible in s5cmd's
//! stored types:
//! * Keys are extensions with their dot (`.py`), kept twice: as written (case-sensitive
//!   lookups) and lower-cased; a lookup tries the name as written, then lower-cased.
//! * `globs2` lines are `weight:type:*.ext[:flags]`, sorted by weight; an extension
//!   already known as written (the built-in table or a heavier line) keeps its type, and
//!   globs with `?`, `*` or `[` after the `*.` are skipped.
//! * `mime.types` lines are `type ext ext … [# comment]`; every entry is set, so a later
//!   line — and any file line — replaces an earlier or built-in type.
//! * A type must parse as a media type (`token/token`), else the entry is skipped; a type
//!   starting with `text/` and no charset is lower-cased and gets `; charset=utf-8`.

use std::collections::HashMap;

/// Go's built-in table (Go 1.22: no `.ico`), loaded before any system file.
const GO_BUILTIN: &[(&str, &str)] = &[
    (".avif", "image/avif"),
    (".css", "text/css; charset=utf-8"),
    (".gif", "image/gif"),
    (".htm", "text/html; charset=utf-8"),
    (".html", "text/html; charset=utf-8"),
    (".jpeg", "image/jpeg"),
    (".jpg", "image/jpeg"),
    (".js", "text/javascript; charset=utf-8"),
    (".json", "application/json"),
    (".mjs", "text/javascript; charset=utf-8"),
    (".pdf", "application/pdf"),
    (".png", "image/png"),
    (".svg", "image/svg+xml"),
    (".wasm", "application/wasm"),
    (".webp", "image/webp"),
    (".xml", "text/xml; charset=utf-8"),
];

/// An extension table with Go's two maps.
#[derive(Debug, Clone)]
pub struct MimeDb {
    exact: HashMap<String, String>,
    lower: HashMap<String, String>,
}

impl MimeDb {
    /// Only Go's built-in table.
    pub fn builtin() -> MimeDb {
        let mut db = MimeDb {
            exact: HashMap::new(),
            lower: HashMap::new(),
        };
        for (ext, t) in GO_BUILTIN {
            db.exact.insert((*ext).to_string(), (*t).to_string());
            db.lower.insert((*ext).to_string(), (*t).to_string());
        }
        db
    }

    /// The type for an extension with its dot (`.py`): as written, then lower-cased.
    pub fn lookup(&self, ext: &str) -> Option<&str> {
        let t = match self.exact.get(ext) {
            Some(t) => t,
            None => self.lower.get(&ext.to_lowercase())?,
        };
        // Go stores "" for a text type it cannot format, and "" means "unknown".
        (!t.is_empty()).then_some(t.as_str())
    }

    /// Adds the lines of a shared-mime-info `globs2` file (Go's `loadMimeGlobsFile`).
    pub fn load_globs2(&mut self, text: &str) {
        for line in text.lines() {
            let fields: Vec<&str> = line.split(':').collect();
            if fields.len() < 3 || fields[0].is_empty() || fields[2].len() < 3 {
                continue;
            }
            if fields[0].starts_with('#') || !fields[2].starts_with("*.") {
                continue;
            }
            let ext = &fields[2][1..];
            if ext.contains(['?', '*', '[']) || self.exact.contains_key(ext) {
                continue;
            }
            self.set(ext, fields[1]);
        }
    }

    /// Adds the lines of a `mime.types` file (Go's `loadMimeFile`).
    pub fn load_mime_types(&mut self, text: &str) {
        for line in text.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.len() <= 1 || fields[0].starts_with('#') {
                continue;
            }
            for ext in fields[1..].iter().take_while(|e| !e.starts_with('#')) {
                self.set(&format!(".{ext}"), fields[0]);
            }
        }
    }

    /// Go's `setExtensionType`: validates the type, applies the charset rule, stores it.
    fn set(&mut self, ext: &str, mime_type: &str) {
        let (base, params) = match mime_type.split_once(';') {
            Some((b, p)) => (b, Some(p)),
            None => (mime_type, None),
        };
        if !is_media_type(&base.trim().to_ascii_lowercase()) || !params.is_none_or(params_ok) {
            return;
        }
        let has_charset = params.is_some_and(|p| {
            p.split(';')
                .any(|kv| kv.trim().to_ascii_lowercase().starts_with("charset="))
        });
        let value = if mime_type.starts_with("text/") && !has_charset {
            format_with_utf8(mime_type)
        } else {
            mime_type.to_string()
        };
        self.lower.insert(ext.to_lowercase(), value.clone());
        self.exact.insert(ext.to_string(), value);
    }
}

/// Go's `FormatMediaType(t, {charset: utf-8})`: `""` when `t` is not `token[/token]`.
fn format_with_utf8(t: &str) -> String {
    let ok = match t.split_once('/') {
        Some((major, sub)) => is_token(major) && is_token(sub),
        None => is_token(t),
    };
    if ok {
        format!("{}; charset=utf-8", t.to_ascii_lowercase())
    } else {
        String::new()
    }
}

/// Go's parameter parsing, loosely: each `; key=value` has a token key and a value
/// (trailing semicolons are allowed).
fn params_ok(params: &str) -> bool {
    let pieces: Vec<&str> = params.split(';').map(str::trim).collect();
    let last = pieces
        .iter()
        .rposition(|p| !p.is_empty())
        .map_or(0, |i| i + 1);
    pieces[..last].iter().all(|p| {
        p.split_once('=')
            .is_some_and(|(k, v)| is_token(k.trim()) && !v.trim().is_empty())
    })
}

/// Go's `checkMediaTypeDisposition`: `token` or `token/token`.
fn is_media_type(s: &str) -> bool {
    match s.split_once('/') {
        Some((major, sub)) => is_token(major) && is_token(sub),
        None => is_token(s),
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c > 0x20 && c < 0x7f && !b"()<>@,;:\\\"/[]?=".contains(&c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types(text: &str) -> MimeDb {
        let mut db = MimeDb::builtin();
        db.load_mime_types(text);
        db
    }

    fn globs(text: &str) -> MimeDb {
        let mut db = MimeDb::builtin();
        db.load_globs2(text);
        db
    }

    #[test]
    fn builtin_table_alone() {
        let db = MimeDb::builtin();
        assert_eq!(db.lookup(".html"), Some("text/html; charset=utf-8"));
        assert_eq!(db.lookup(".JSON"), Some("application/json"));
        assert_eq!(db.lookup(".ico"), None);
        assert_eq!(db.lookup(".py"), None);
    }

    #[test]
    fn mime_types_lines_comments_and_charset() {
        let db = types(
            "# a comment line\n\
             text/x-python\t\t\tpy pyw\n\
             application/x-fix  fx1 fx2 # fx3 is commented out\n\
             \x20#indented comment  ind\n\
             lonely\n\
             text/X-Upper\tupc\n\
             TEXT/odd\todd\n\
             Application/X-Mixed\tmix\n",
        );
        assert_eq!(db.lookup(".py"), Some("text/x-python; charset=utf-8"));
        assert_eq!(db.lookup(".pyw"), Some("text/x-python; charset=utf-8"));
        assert_eq!(db.lookup(".fx1"), Some("application/x-fix"));
        assert_eq!(db.lookup(".fx2"), Some("application/x-fix"));
        assert_eq!(db.lookup(".fx3"), None);
        assert_eq!(db.lookup(".ind"), None);
        assert_eq!(db.lookup(".lonely"), None);
        // Go lower-cases a text type when it adds the charset, and only then.
        assert_eq!(db.lookup(".upc"), Some("text/x-upper; charset=utf-8"));
        assert_eq!(db.lookup(".UPC"), Some("text/x-upper; charset=utf-8"));
        assert_eq!(db.lookup(".odd"), Some("TEXT/odd"));
        assert_eq!(db.lookup(".mix"), Some("Application/X-Mixed"));
    }

    #[test]
    fn mime_types_lines_replace_builtin_and_earlier_lines() {
        let db = types(
            "application/javascript js\n\
             application/x-first log\n\
             text/plain log\n\
             bad(type)/x bad\n\
             text/plain;charset=latin1 lat\n",
        );
        assert_eq!(db.lookup(".js"), Some("application/javascript"));
        assert_eq!(db.lookup(".log"), Some("text/plain; charset=utf-8"));
        assert_eq!(db.lookup(".bad"), None);
        assert_eq!(db.lookup(".lat"), Some("text/plain;charset=latin1"));
        assert_eq!(db.lookup(".html"), Some("text/html; charset=utf-8"));
    }

    #[test]
    fn globs2_weight_order_and_builtin_win() {
        let db = globs(
            "# generated by update-mime-database\n\
             80:text/x-high:*.s5g\n\
             50:text/x-low:*.s5g\n\
             50:application/x-globs:*.s5b\n\
             50:text/x-not-json:*.json\n\
             50:application/x-man:*.[1-9]\n\
             50:text/x-star:*.s5*x\n\
             50:text/x-q:*.s5?\n\
             50:text/x-name:Makefile\n\
             50:application/x-cs:*.S5C:cs\n\
             40:text/x-short:*.a\n\
             #50:text/x-commented:*.s5c\n\
             50:bad type:*.s5bad\n\
             50:text/x-tooshort:*.\n",
        );
        assert_eq!(db.lookup(".s5g"), Some("text/x-high; charset=utf-8"));
        assert_eq!(db.lookup(".s5b"), Some("application/x-globs"));
        assert_eq!(db.lookup(".json"), Some("application/json"));
        assert_eq!(db.lookup(".1"), None);
        assert_eq!(db.lookup(".s5ax"), None);
        assert_eq!(db.lookup(".s5?"), None);
        assert_eq!(db.lookup("Makefile"), None);
        assert_eq!(db.lookup(".S5C"), Some("application/x-cs"));
        assert_eq!(db.lookup(".s5c"), Some("application/x-cs"));
        assert_eq!(db.lookup(".a"), Some("text/x-short; charset=utf-8"));
        assert_eq!(db.lookup(".s5bad"), None);
    }

    #[test]
    fn globs2_case_variants_follow_go_maps() {
        let db = globs(
            "50:image/x-upper:*.UPG\n\
             50:image/x-lower:*.upg\n\
             50:image/x-lower2:*.dng\n\
             50:image/x-upper2:*.DNG\n",
        );
        // Values seen with s5cmd 2.3 on the same globs2 file.
        assert_eq!(db.lookup(".UPG"), Some("image/x-upper"));
        assert_eq!(db.lookup(".Upg"), Some("image/x-lower"));
        assert_eq!(db.lookup(".upg"), Some("image/x-lower"));
        assert_eq!(db.lookup(".DNG"), Some("image/x-upper2"));
        assert_eq!(db.lookup(".Dng"), Some("image/x-upper2"));
        assert_eq!(db.lookup(".dng"), Some("image/x-lower2"));
    }

    #[test]
    fn unformattable_text_type_reads_as_unknown() {
        // Go's FormatMediaType gives "" for "text/plain;foo=bar" (the subtype runs to
        // the end), and a bad parameter makes the entry invalid.
        let db = types("text/plain;foo=bar weird\napplication/x;junk junk\n");
        assert_eq!(db.lookup(".weird"), None);
        assert_eq!(db.lookup(".junk"), None);
    }
}
