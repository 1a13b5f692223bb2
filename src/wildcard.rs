//! Wildcard patterns and include/exclude filters, with s5cmd's two dialects.
//!
//! s5cmd matches S3 keys and local paths differently (reference §0.3), and this module
//! is the one place that knows both:
//!
//! * **remote** ([`Pattern::remote`], also used by `--include`/`--exclude`): only `*`
//!   (any run of characters, *including* `/`; `**` is the same as `*`) and `?` (exactly
//!   one character, including `/`) are special; everything else — `[`, `{`, `\` … — is
//!   literal; the pattern is anchored at both ends and `*` matches newlines.
//! * **local** ([`Pattern::local`]): Go `filepath.Match`, used per path component by the
//!   local glob: `*` and `?` never cross `/`, `[...]` classes (`^` negates, ranges) are
//!   honoured, `\` escapes the next character, braces are literal.
//!
//! Both compile to a `globset` matcher; the translation escapes what globset would
//! otherwise interpret. globset matches bytes, so `?` (and a `[...]` class) matches
//! exactly one *byte*: for ASCII that is one character, as in s5cmd, but a `?` does not
//! match a multi-byte UTF-8 character (s5cmd's regexp `.` does). This is a documented
//! difference; `*` is unaffected.
//!
//! The helpers [`literal_prefix`], [`filter_subject`] and [`relative_name`] implement the
//! string rules of §0.5/§0.6 (what a listing is asked for, what a filter is matched
//! against, what name an object gets under the destination).

use std::path::Path;

use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

/// True when `s` contains a wildcard character as s5cmd counts them (`*` or `?`).
pub fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// The part of `s` before its first `*` or `?` (all of `s` when it has none).
pub fn literal_prefix(s: &str) -> &str {
    match s.find(['*', '?']) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// A pattern that could not be compiled (only local patterns can fail: an unclosed or
/// malformed `[...]` class).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("syntax error in pattern {pattern:?}: {reason}")]
pub struct PatternError {
    /// The pattern as given.
    pub pattern: String,
    /// What globset objected to.
    pub reason: String,
}

/// A compiled wildcard pattern in one of s5cmd's two dialects (see the module docs).
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as the user wrote it.
    source: String,
    /// The compiled, anchored matcher.
    matcher: GlobMatcher,
}

impl Pattern {
    /// Compiles an S3 (remote) wildcard: `*` and `?` cross `/`, everything else literal.
    /// Never fails: every other character is escaped before globset sees it.
    pub fn remote(pattern: &str) -> Pattern {
        let glob = remote_glob(pattern);
        let matcher = GlobBuilder::new(&glob)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .expect("an escaped remote pattern always compiles")
            .compile_matcher();
        Pattern {
            source: pattern.to_string(),
            matcher,
        }
    }

    /// Compiles a local (Go `filepath.Match`) pattern: `*`, `?` and `[...]` match within
    /// one path component; `\` escapes; braces are literal.
    pub fn local(pattern: &str) -> Result<Pattern, PatternError> {
        let glob = local_glob(pattern);
        let matcher = GlobBuilder::new(&glob)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| PatternError {
                pattern: pattern.to_string(),
                reason: e.kind().to_string(),
            })?
            .compile_matcher();
        Ok(Pattern {
            source: pattern.to_string(),
            matcher,
        })
    }

    /// True when the whole of `s` matches the pattern.
    pub fn matches(&self, s: &str) -> bool {
        self.matcher.is_match(Path::new(s))
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

/// Translates a remote pattern to globset syntax: escape every globset metacharacter
/// except `*`/`?`, and collapse runs of `*` (globset gives `**` a recursive meaning that
/// may match an empty directory part; s5cmd's `**` is just `.*`).
fn remote_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut prev_star = false;
    for c in pattern.chars() {
        match c {
            '*' if prev_star => continue,
            '*' => out.push('*'),
            '?' => out.push('?'),
            '\\' | '[' | ']' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        prev_star = c == '*';
    }
    out
}

/// Translates a Go `filepath.Match` pattern to globset syntax: braces become literal,
/// runs of `*` collapse to one, escapes (`\x`) and classes pass through.
fn local_glob(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars();
    let mut prev_star = false;
    let mut in_class = false;
    while let Some(c) = chars.next() {
        let mut star = false;
        match c {
            '\\' => {
                out.push('\\');
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                // A leading `]` (after an optional negation) is a member, not the end.
                let rest = chars.as_str();
                let neg = rest.starts_with('^');
                if neg {
                    out.push('^');
                    chars.next();
                }
                if chars.as_str().starts_with(']') {
                    out.push(']');
                    chars.next();
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '{' | '}' if !in_class => {
                out.push('\\');
                out.push(c);
            }
            '*' if !in_class => {
                star = true;
                if !prev_star {
                    out.push('*');
                }
            }
            c => out.push(c),
        }
        prev_star = star;
    }
    out
}

/// `--include`/`--exclude` filters, compiled once per command (remote pattern syntax,
/// `*` crosses `/`; see reference §0.6).
#[derive(Debug, Clone)]
pub struct Filters {
    /// Exclude patterns; any match drops the entry.
    exclude: Option<GlobSet>,
    /// Include patterns; when present, an entry must match one of them.
    include: Option<GlobSet>,
}

impl Filters {
    /// Compiles the filters; empty pattern strings are ignored (s5cmd does the same).
    pub fn new(exclude: &[String], include: &[String]) -> Filters {
        Filters {
            exclude: build_set(exclude),
            include: build_set(include),
        }
    }

    /// True when neither excludes nor includes were given.
    pub fn is_empty(&self) -> bool {
        self.exclude.is_none() && self.include.is_none()
    }

    /// Whether an entry with this filter subject (see [`filter_subject`]) is kept:
    /// any exclude match drops it; otherwise, when includes exist, one must match.
    pub fn keep(&self, subject: &str) -> bool {
        let path = Path::new(subject);
        if let Some(ex) = &self.exclude
            && ex.is_match(path)
        {
            return false;
        }
        match &self.include {
            Some(inc) => inc.is_match(path),
            None => true,
        }
    }
}

/// A glob set of remote patterns, or `None` when no non-empty pattern was given.
fn build_set(patterns: &[String]) -> Option<GlobSet> {
    let mut builder = GlobSetBuilder::new();
    let mut any = false;
    for p in patterns.iter().filter(|p| !p.is_empty()) {
        let glob = GlobBuilder::new(&remote_glob(p))
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .expect("an escaped remote pattern always compiles");
        builder.add(glob);
        any = true;
    }
    any.then(|| {
        builder
            .build()
            .expect("escaped remote patterns always compile")
    })
}

/// The string filters are matched against (§0.6): `path` (S3 key or local path as
/// walked) with the source's literal prefix stripped. The prefix is the part of
/// `source_prefix` before its first wildcard, with a `/` appended when it does not end
/// in one; when `path` does not start with it (or it is empty, as for `--raw` sources)
/// the whole path is the subject.
pub fn filter_subject<'a>(path: &'a str, source_prefix: &str) -> &'a str {
    let prefix = literal_prefix(source_prefix);
    if prefix.is_empty() {
        return path;
    }
    let stripped = if prefix.ends_with('/') {
        path.strip_prefix(prefix)
    } else {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('/'))
    };
    stripped.unwrap_or(path)
}

/// The relative name of an object listed by an S3 wildcard source (§0.5): the key with
/// everything up to and including the last `/` before the first wildcard of
/// `source_pattern_path` removed (`up1/*` + `up1/a/f2.txt` → `a/f2.txt`); the whole key
/// when there is no such `/` (`up*/a/*` + `up1/a/b/f3.log` → `up1/a/b/f3.log`) or the key
/// does not start with that directory.
pub fn relative_name<'a>(key: &'a str, source_pattern_path: &str) -> &'a str {
    let prefix = literal_prefix(source_pattern_path);
    match prefix.rfind('/') {
        Some(i) => key.strip_prefix(&prefix[..=i]).unwrap_or(key),
        None => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    /// Applies `keep` to every key after computing its subject against `source`.
    fn kept<'a>(keys: &[&'a str], source: &str, ex: &[&str], inc: &[&str]) -> Vec<&'a str> {
        let f = Filters::new(&strings(ex), &strings(inc));
        keys.iter()
            .copied()
            .filter(|k| f.keep(filter_subject(k, source)))
            .collect()
    }

    /// Remote matching: the keys of `keys` matching `pattern`.
    fn remote_matches<'a>(pattern: &str, keys: &[&'a str]) -> Vec<&'a str> {
        let p = Pattern::remote(pattern);
        keys.iter().copied().filter(|k| p.matches(k)).collect()
    }

    #[test]
    fn has_wildcard_and_literal_prefix() {
        assert!(has_wildcard("a*"));
        assert!(has_wildcard("a?b"));
        assert!(!has_wildcard("a[b]{c}"));
        assert_eq!(literal_prefix("up1/a/*.txt"), "up1/a/");
        assert_eq!(literal_prefix("abc?d*"), "abc");
        assert_eq!(literal_prefix("plain/key"), "plain/key");
        assert_eq!(literal_prefix("*"), "");
    }

    #[test]
    fn remote_star_crosses_slash() {
        // §0.3: `*.txt` matches nested keys, `*/f1.txt` matches deeper keys, `**` == `*`.
        assert!(Pattern::remote("*.txt").matches("a/b/c.txt"));
        assert!(Pattern::remote("*/f1.txt").matches("up2/src/f1.txt"));
        assert!(Pattern::remote("**/f1.txt").matches("up2/src/f1.txt"));
        assert!(!Pattern::remote("**/f1.txt").matches("f1.txt"));
        assert!(!Pattern::remote("*/f1.txt").matches("f1.txt"));
        assert!(Pattern::remote("a**b").matches("a/x/b"));
        assert!(Pattern::remote("?").matches("/"));
        assert!(Pattern::remote("a?c").matches("a/c"));
        assert!(!Pattern::remote("a?c").matches("ac"));
        // Anchored both ends.
        assert!(!Pattern::remote("*.txt").matches("a.txt.gz"));
        assert!(!Pattern::remote("a*").matches("ba"));
    }

    #[test]
    fn remote_other_characters_are_literal() {
        assert!(Pattern::remote("[ab]*").matches("[ab]x"));
        assert!(!Pattern::remote("[ab]*").matches("a"));
        assert!(Pattern::remote("{a,b}*").matches("{a,b}.txt"));
        assert!(!Pattern::remote("{a,b}*").matches("a.txt"));
        assert!(Pattern::remote("t\\e*").matches("t\\est"));
        assert!(Pattern::remote("a.c").matches("a.c"));
        assert!(!Pattern::remote("a.c").matches("abc"));
        assert!(Pattern::remote("a+(b)^$|*").matches("a+(b)^$|zz"));
        assert!(Pattern::remote("!x*").matches("!xy"));
    }

    #[test]
    fn remote_star_matches_newlines() {
        // §8.2 case 18: `n*.txt` matches `newli\ne.txt`.
        let keys = ["normal.txt", "another.txt", "newli\ne.txt", "nap.txt"];
        assert_eq!(
            remote_matches("n*.txt", &keys),
            vec!["normal.txt", "newli\ne.txt", "nap.txt"]
        );
        assert!(Pattern::remote("newli?e").matches("newli\ne"));
    }

    #[test]
    fn remote_ls_cases_19_20() {
        let keys = [
            "a/testfile1.txt",
            "a/testfile2.txt",
            "b/testfile3.txt",
            "b/testfile4.txt",
            "c/testfile5.gz",
            "c/testfile6.txt.gz",
            "d/foo/bar/file7.txt",
            "d/foo/bar/testfile8.txt",
            "e/txt/testfile9.txt.gz",
            "f/txt/testfile10.txt",
        ];
        assert_eq!(
            remote_matches("*/testfile*.txt", &keys),
            vec![
                "a/testfile1.txt",
                "a/testfile2.txt",
                "b/testfile3.txt",
                "b/testfile4.txt",
                "d/foo/bar/testfile8.txt",
                "f/txt/testfile10.txt"
            ]
        );
        assert_eq!(
            remote_matches("a/testfile*.txt", &keys),
            vec!["a/testfile1.txt", "a/testfile2.txt"]
        );
    }

    #[test]
    fn remote_cp_cases_48_49_51() {
        let keys = [
            "testfile1.txt",
            "readme.md",
            "filename-with-hypen.gz",
            "dir/another_test_file.txt",
        ];
        assert_eq!(
            remote_matches("*.txt", &keys),
            vec!["testfile1.txt", "dir/another_test_file.txt"]
        );
        let keys = ["testfile1.txt", "a/readme.md", "a/b/testfile2.txt"];
        assert_eq!(remote_matches("*/*.txt", &keys), vec!["a/b/testfile2.txt"]);
        // Case 70/71: wildcard characters in keys are matched by themselves too.
        let keys = ["file*.txt", "file*1.txt", "file*2.txt"];
        assert_eq!(remote_matches("file*.txt", &keys), keys.to_vec());
        assert_eq!(
            remote_matches("a*/file.txt", &["a*/file.txt", "a*/file1.txt"]),
            vec!["a*/file.txt"]
        );
    }

    #[test]
    fn local_pattern_is_go_filepath_match() {
        // (pattern, a path it matches, a path it does not)
        let cases = [
            ("*.txt", "a.txt", "d/a.txt"),
            ("*.txt", ".hidden.txt", "a.log"),
            ("a?c", "abc", "a/c"),
            ("f[0-2].log", "f1.log", "f3.log"),
            ("f[^0-2].log", "f3.log", "f1.log"),
            ("**", "abc", "a/b"),
            ("{a,b}", "{a,b}", "a"),
            ("\\*x", "*x", "ax"),
            ("src/*/f?.txt", "src/a/f1.txt", "src/a/b/f1.txt"),
        ];
        for (pattern, yes, no) in cases {
            let p = Pattern::local(pattern).unwrap();
            assert!(p.matches(yes), "{pattern} should match {yes}");
            assert!(!p.matches(no), "{pattern} should not match {no}");
        }
        assert!(Pattern::local("[abc").is_err());
        assert_eq!(Pattern::local("a*").unwrap().as_str(), "a*");
    }

    #[test]
    fn filters_basic_decision() {
        let f = Filters::new(&[], &[]);
        assert!(f.is_empty());
        assert!(f.keep("anything"));
        // Empty patterns are ignored (§8.2 case 30).
        let f = Filters::new(&strings(&[""]), &strings(&[""]));
        assert!(f.is_empty());
        assert!(f.keep("file.txt"));
        // Not a basename match (§0.6, issue #827).
        let f = Filters::new(&strings(&["alpha.txt"]), &[]);
        assert!(!f.keep("alpha.txt"));
        assert!(f.keep("inner/alpha.txt"));
    }

    #[test]
    fn ls_case_28_exclude_txt() {
        let keys = [
            "a/file.c",
            "a/try.py",
            "a/try.txt",
            "file.py",
            "file.txt",
            "file2.txt",
            "file2.txt.extension",
            "hasan.txt",
            "newli\ne",
            "newli\ne.txt",
        ];
        assert_eq!(
            kept(&keys, "*", &["*.txt"], &[]),
            vec![
                "a/file.c",
                "a/try.py",
                "file.py",
                "file2.txt.extension",
                "newli\ne"
            ]
        );
    }

    #[test]
    fn ls_cases_29_30_non_wildcard_bucket() {
        // `ls s3://b` lists one level: objects file.py, file.txt, file2.txt, hasan.txt and
        // the common prefix `a/`; the prefix is empty, so subjects are whole keys.
        let entries = ["a/", "file.py", "file.txt", "file2.txt", "hasan.txt"];
        assert_eq!(kept(&entries, "", &["*.txt", "*.py"], &[]), vec!["a/"]);
        assert_eq!(kept(&entries, "", &[""], &[]), entries.to_vec());
    }

    /// Keys nested three `some-dir/` deep under `root`, listed from `source`, with the
    /// full-path exclude `some-dir/some-dir/file.txt`: only that one key goes.
    fn assert_full_path_exclude(root: &str, source: &str) {
        let keys: Vec<String> = (0..4)
            .map(|depth| format!("{root}{}file.txt", "some-dir/".repeat(depth)))
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let mut expected = keys.clone();
        expected.remove(2);
        assert_eq!(
            kept(&keys, source, &["some-dir/some-dir/file.txt"], &[]),
            expected
        );
    }

    #[test]
    fn ls_case_31_full_path_exclude() {
        assert_full_path_exclude("", "*");
    }

    #[test]
    fn ls_cases_32_33_34_local_dir_subjects() {
        // Paths as walked from `dir`, `dir/` (keys start `dir/`), and the glob `dir/*`.
        let keys = [
            "dir/file1.txt",
            "dir/main.c",
            "dir/main.py",
            "dir/main.txt",
            "dir/main/try.txt",
            "dir/main2.txt",
            "dir/readme.md",
        ];
        for source in ["dir", "dir/", "dir/*"] {
            assert_eq!(
                kept(&keys, source, &["main*"], &[]),
                vec!["dir/file1.txt", "dir/readme.md"],
                "source {source}"
            );
            assert_eq!(
                kept(&keys, source, &["main*", "*.txt"], &[]),
                vec!["dir/readme.md"],
                "source {source}"
            );
        }
        // Case 34: glob `dir/*.txt` (only direct .txt files) with --exclude main*.
        let globbed = ["dir/file1.txt", "dir/main.txt", "dir/main2.txt"];
        assert_eq!(
            kept(&globbed, "dir/*.txt", &["main*"], &[]),
            vec!["dir/file1.txt"]
        );
        // `./dir` keeps its `./` in walked paths; the prefix strips the same way.
        assert_eq!(filter_subject("./dir/main.py", "./dir"), "main.py");
    }

    #[test]
    fn ls_case_35_local_nested() {
        assert_full_path_exclude("d/", "d");
    }

    #[test]
    fn cp_cases_64_65() {
        let keys = ["a.py", "file.py", "file1.txt", "file2.txt", "src/file.py"];
        assert_eq!(
            kept(&keys, "*", &["*.py"], &[]),
            vec!["file1.txt", "file2.txt"]
        );
        let keys = [
            "a.py",
            "file.py",
            "file1.txt",
            "file2.txt",
            "main.c",
            "src/file.py",
        ];
        assert_eq!(kept(&keys, "*", &["*.py", "file*"], &[]), vec!["main.c"]);
    }

    #[test]
    fn cp_case_66_prefix_without_slash() {
        let listed = [
            "abc.pdf",
            "abc/abc/file3.txt",
            "abc/file.txt",
            "abc/file2.txt",
            "abcd/main.py",
        ];
        // `abc*` lists keys starting with `abc` (so not ab/file.py, a/helper.c).
        let matched = remote_matches("abc*", &listed);
        assert_eq!(matched, listed.to_vec());
        assert_eq!(
            kept(&matched, "abc*", &["*.txt"], &[]),
            vec!["abc.pdf", "abcd/main.py"]
        );
        assert_eq!(filter_subject("abc/file.txt", "abc*"), "file.txt");
        assert_eq!(filter_subject("abcd/main.py", "abc*"), "abcd/main.py");
        assert_eq!(filter_subject("abc.pdf", "abc*"), "abc.pdf");
    }

    #[test]
    fn cp_cases_67_68_69_includes() {
        let keys = ["a.txt", "file.txt", "file1.py", "file2.py", "src/file.txt"];
        assert_eq!(
            kept(&keys, "*", &[], &["*.py"]),
            vec!["file1.py", "file2.py"]
        );
        let keys = [
            "app.py",
            "docs/readme.md",
            "file1.py",
            "file2.py",
            "test.py",
        ];
        assert!(kept(&keys, "*", &["*.py"], &["file*"]).is_empty());
        let keys = [
            "app.go",
            "app.py",
            "docs/readme.md",
            "file1.go",
            "file1.py",
            "file2.go",
            "file2.py",
            "test.py",
            "vendor/package.go",
        ];
        assert_eq!(
            kept(&keys, "*", &["file*", "vendor/*"], &["*.py", "*.go"]),
            vec!["app.go", "app.py", "test.py"]
        );
    }

    #[test]
    fn subject_rules_of_section_0_6() {
        assert_eq!(filter_subject("a/try.txt", "*"), "a/try.txt");
        assert_eq!(filter_subject("up1/a/f2.txt", "up1/*"), "a/f2.txt");
        let f = Filters::new(&strings(&["a/*"]), &[]);
        assert!(!f.keep(filter_subject("up1/a/f2.txt", "up1/*")));
        assert!(f.keep(filter_subject("up1/b/f2.txt", "up1/*")));
        // Raw sources have an empty prefix: the full path is the subject.
        assert_eq!(filter_subject("sy/main2.py", ""), "sy/main2.py");
        // A literal prefix already ending in `/`.
        assert_eq!(filter_subject("dir/x/y", "dir/"), "x/y");
        assert_eq!(filter_subject("dirx/y", "dir"), "dirx/y");
    }

    #[test]
    fn relative_names_of_section_0_5() {
        assert_eq!(relative_name("up1/a/f2.txt", "up1/*"), "a/f2.txt");
        assert_eq!(relative_name("up1/a/b/f3.log", "up*/a/*"), "up1/a/b/f3.log");
        assert_eq!(
            relative_name("a/b/filename-with-hypen.gz", "*"),
            "a/b/filename-with-hypen.gz"
        );
        assert_eq!(
            relative_name("c/d/e/another_test_file.txt", "*/*.txt"),
            "c/d/e/another_test_file.txt"
        );
        assert_eq!(
            relative_name("config/.local/folder1/file1.txt", "config/.local/*"),
            "folder1/file1.txt"
        );
        assert_eq!(
            relative_name("a/testfile1.txt", "a/testfile*.txt"),
            "testfile1.txt"
        );
        assert_eq!(relative_name("abc/file.txt", "abc*"), "abc/file.txt");
        assert_eq!(relative_name("x//y/z", "x//*"), "y/z");
    }
}
