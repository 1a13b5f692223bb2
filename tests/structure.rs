//! The source tree's shape, checked: the layer order that `src/lib.rs` documents (a
//! module imports only from its own layer or below), no import cycles between files,
//! and the size limits (no file over 800 lines, no function over 120 lines; tests
//! aside). Reads `src/` as text: a light lexer blanks comments, strings and character
//! literals, then the `crate::…`, `super::…` and `self::…` paths are resolved to the
//! files that define those modules.
//!
//! Rule for parents and children: a child file may use its ancestors' items (the
//! parent is its namespace), so an edge from a file to one of its ancestors is not
//! counted; every other edge is, including a parent's `pub use child::X`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// One source file: its module path (`exec::copy`) and its text with comments,
/// strings and test modules blanked.
struct SourceFile {
    module: String,
    path: PathBuf,
    code: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn module_of(path: &Path) -> String {
    let rel = path.strip_prefix(src_dir()).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts.join("::")
}

/// Test-only files: unit-test modules kept in files of their own.
fn is_test_file(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    name == "tests.rs" || name.ends_with("_tests.rs")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Blanks comments, string literals and character literals (keeping newlines), so
/// braces and paths are only the code's own.
fn blank_non_code(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !ident_before(&b, i) {
            // Raw string r"…", r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), or a lifetime ('a).
            let is_char = next == Some('\\') || b.get(i + 2) == Some(&'\'');
            if is_char {
                out.push(' ');
                i += 1;
                while i < b.len() && b[i] != '\'' {
                    if b[i] == '\\' {
                        out.push(' ');
                        i += 1;
                    }
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// Index of the `}` matching the `{` at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (k, &ch) in code.iter().enumerate().skip(open) {
        match ch {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len() - 1
}

/// Blanks every `#[cfg(test)]` item (a `mod tests { … }` block or a `mod x;` line).
fn blank_test_modules(code: &str) -> String {
    let mut bytes = code.as_bytes().to_vec();
    let mut from = 0;
    while let Some(pos) = find(&bytes, b"#[cfg(test)]", from) {
        let end = match (find(&bytes, b"{", pos), find(&bytes, b";", pos)) {
            (Some(brace), Some(semi)) if semi < brace => semi,
            (Some(brace), _) => matching_brace(&bytes, brace),
            (None, Some(semi)) => semi,
            (None, None) => bytes.len() - 1,
        };
        for b in &mut bytes[pos..=end] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        from = end;
    }
    String::from_utf8(bytes).unwrap()
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn load() -> Vec<SourceFile> {
    let mut paths = Vec::new();
    rust_files(&src_dir(), &mut paths);
    paths.sort();
    paths
        .into_iter()
        .filter(|p| p.file_name().unwrap() != "main.rs" && !is_test_file(p))
        .map(|path| {
            let text = fs::read_to_string(&path).unwrap();
            SourceFile {
                module: module_of(&path),
                code: blank_test_modules(&blank_non_code(&text)),
                path,
            }
        })
        .collect()
}

/// The paths a file names: `crate::a::b`, `super::a`, `self::a`, a group's members
/// (`crate::a::{b, c::d}` gives `a::b` and `a::c::d`), and, in a `mod.rs`/`lib.rs`,
/// `use child::…` of its own children — each as absolute segments.
fn referenced_paths(file: &SourceFile, modules: &BTreeSet<String>) -> Vec<Vec<String>> {
    let is_dir_module = matches!(
        file.path.file_name().unwrap().to_str(),
        Some("mod.rs" | "lib.rs")
    );
    // The module that `self::` names and the one `super::` names.
    let own: Vec<String> = segments(&file.module);
    let code: Vec<char> = file.code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < code.len() {
        if ident_before(&code, i) || !code[i].is_alphabetic() {
            i += 1;
            continue;
        }
        let (path, group, end) = read_path(&code, i);
        i = end.max(i + 1);
        let Some(first) = path.first() else { continue };
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => own.clone(),
            "super" => {
                // `super` is the parent of this file's module (for a mod.rs, of the
                // directory module); each further `super` goes one up.
                let mut b = own.clone();
                for _ in path.iter().take_while(|s| *s == "super") {
                    b.pop();
                }
                b
            }
            name if is_dir_module && path.len() > 1 => {
                let mut child = own.clone();
                child.push(name.to_string());
                if !modules.contains(&child.join("::")) {
                    continue;
                }
                own.clone()
            }
            _ => continue,
        };
        let rest: Vec<String> = path
            .iter()
            .skip_while(|s| matches!(s.as_str(), "crate" | "self" | "super"))
            .cloned()
            .collect();
        base.extend(rest);
        if group.is_empty() {
            found.push(base);
        } else {
            for member in group {
                let mut p = base.clone();
                p.extend(member);
                found.push(p);
            }
        }
    }
    found
}

fn segments(module: &str) -> Vec<String> {
    if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").map(str::to_string).collect()
    }
}

/// Reads `a::b::c` (and a following `::{x, y::z}` group, one level) at `start`.
fn read_path(code: &[char], start: usize) -> (Vec<String>, Vec<Vec<String>>, usize) {
    let mut path = Vec::new();
    let mut i = start;
    loop {
        let begin = i;
        while i < code.len() && (code[i].is_alphanumeric() || code[i] == '_') {
            i += 1;
        }
        if i == begin {
            break;
        }
        path.push(code[begin..i].iter().collect::<String>());
        if code.get(i) == Some(&':') && code.get(i + 1) == Some(&':') {
            i += 2;
            if code.get(i) == Some(&'{') {
                let close = matching_brace_chars(code, i);
                let inner: String = code[i + 1..close].iter().collect();
                let group = split_group(&inner)
                    .into_iter()
                    .map(|m| {
                        m.split("::")
                            .map(|s| s.trim().to_string())
                            .take_while(|s| !s.is_empty() && !s.contains(' ') && s != "{")
                            .collect()
                    })
                    .collect();
                return (path, group, close + 1);
            }
        } else {
            break;
        }
    }
    if path.len() < 2 {
        path.clear();
    }
    (path, Vec::new(), i)
}

fn matching_brace_chars(code: &[char], open: usize) -> usize {
    let mut depth = 0;
    for (k, &ch) in code.iter().enumerate().skip(open) {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len() - 1
}

/// Splits a use group's members at top-level commas.
fn split_group(inner: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for ch in inner.chars() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The longest prefix of `path` that is a module of the crate.
fn resolve(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|m| modules.contains(m))
}

fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor.is_empty() || module.starts_with(&format!("{ancestor}::"))
}

/// File-level import graph: module → modules it uses (ancestors excluded).
fn graph(files: &[SourceFile]) -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = files.iter().map(|f| f.module.clone()).collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let entry = edges.entry(file.module.clone()).or_default();
        for path in referenced_paths(file, &modules) {
            if let Some(target) = resolve(&path, &modules)
                && target != file.module
                && !target.is_empty()
                && !is_ancestor(&target, &file.module)
            {
                entry.insert(target);
            }
        }
    }
    edges
}

/// The layer table in `src/lib.rs`: lines `//! N. a, b, c` between the markers.
fn layers() -> BTreeMap<String, usize> {
    let lib = fs::read_to_string(src_dir().join("lib.rs")).unwrap();
    let mut map = BTreeMap::new();
    let mut inside = false;
    for line in lib.lines() {
        let line = line.trim_start_matches("//!").trim();
        if line.starts_with("# Layers") {
            inside = true;
            continue;
        }
        if inside && line.starts_with('#') {
            break;
        }
        if !inside {
            continue;
        }
        let Some((number, names)) = line.split_once(". ") else {
            continue;
        };
        let Ok(layer) = number.parse::<usize>() else {
            continue;
        };
        let names = names.split(" — ").next().unwrap();
        for name in names.split(',') {
            let name = name.trim().trim_matches('`');
            if !name.is_empty() {
                map.insert(name.to_string(), layer);
            }
        }
    }
    assert!(
        map.len() > 5,
        "src/lib.rs must list the layers under a `# Layers` heading"
    );
    map
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap()
}

#[test]
fn every_module_is_in_a_layer_and_imports_only_downwards() {
    let files = load();
    let layers = layers();
    let mut problems = Vec::new();
    for file in &files {
        if file.module.is_empty() {
            continue;
        }
        if !layers.contains_key(top(&file.module)) {
            problems.push(format!(
                "{}: module `{}` is not in lib.rs's layer list",
                file.path.display(),
                top(&file.module)
            ));
        }
    }
    for (from, targets) in graph(&files) {
        if from.is_empty() {
            continue;
        }
        for to in targets {
            let (Some(a), Some(b)) = (layers.get(top(&from)), layers.get(top(&to))) else {
                continue;
            };
            if b > a {
                problems.push(format!(
                    "{from} (layer {a}) imports {to} (layer {b}), a higher layer"
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_import_cycles_between_files() {
    let edges = graph(&load());
    let mut cycles = Vec::new();
    // A cycle exists iff some edge a → b has a path b →* a.
    for (from, targets) in &edges {
        for to in targets {
            if let Some(path) = path_between(&edges, to, from) {
                cycles.push(format!("{from} -> {}", path.join(" -> ")));
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

fn path_between(
    edges: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![from.to_string()]];
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        if last == to {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for next in edges.get(last).into_iter().flatten() {
            let mut p = path.clone();
            p.push(next.clone());
            stack.push(p);
        }
    }
    None
}

#[test]
fn files_and_functions_stay_small() {
    let mut problems = Vec::new();
    let mut paths = Vec::new();
    rust_files(&src_dir(), &mut paths);
    for path in paths.iter().filter(|p| !is_test_file(p)) {
        let text = fs::read_to_string(path).unwrap();
        let code = blank_test_modules(&blank_non_code(&text));
        let lines = text.lines().count();
        // Lines of tests kept in the file do not count against its size.
        let test_lines = text
            .lines()
            .zip(code.lines())
            .filter(|(t, c)| !t.trim().is_empty() && c.trim().is_empty())
            .count();
        if lines - test_lines.min(lines) > 800 {
            problems.push(format!(
                "{}: {} lines without its tests (limit 800)",
                path.display(),
                lines - test_lines
            ));
        }
        problems.extend(long_functions(path, &code));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Functions longer than 120 lines (signature to closing brace).
fn long_functions(path: &Path, code: &str) -> Vec<String> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(pos) = find(bytes, b"fn ", from) {
        from = pos + 3;
        if pos > 0 && (bytes[pos - 1].is_ascii_alphanumeric() || bytes[pos - 1] == b'_') {
            continue;
        }
        let name_end = bytes[from..]
            .iter()
            .position(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .map(|n| from + n)
            .unwrap_or(bytes.len());
        let name = &code[from..name_end];
        if name.is_empty() {
            continue;
        }
        // The body starts at the first `{` that is not inside the signature's `<…>`
        // or `(…)`; a `;` first means a declaration without a body.
        let (Some(brace), semi) = (find(bytes, b"{", name_end), find(bytes, b";", name_end)) else {
            continue;
        };
        if semi.is_some_and(|s| s < brace) {
            continue;
        }
        let end = matching_brace(bytes, brace);
        let start_line = code[..pos].lines().count().max(1);
        let end_line = code[..end].lines().count();
        let length = end_line + 1 - start_line;
        if length > 120 {
            out.push(format!(
                "{}:{}: fn {} is {} lines (limit 120)",
                path.display(),
                start_line,
                name,
                length
            ));
        }
    }
    out
}

#[test]
fn the_checker_sees_what_it_must() {
    // The lexer keeps code and blanks comments, strings and chars.
    let code =
        blank_non_code("let a = \"crate::x::y {\"; // crate::z\nlet c = '{'; use crate::q::r;");
    assert!(!code.contains("crate::x"));
    assert!(!code.contains("crate::z"));
    assert!(!code.contains('{'), "{code}");
    assert!(code.contains("crate::q::r"));
    // Groups expand to their members.
    let chars: Vec<char> = "crate::a::{b, c::d}".chars().collect();
    let (path, group, _) = read_path(&chars, 0);
    assert_eq!(path, ["crate", "a"]);
    assert_eq!(
        group,
        vec![
            vec!["b".to_string()],
            vec!["c".to_string(), "d".to_string()]
        ]
    );
    // Test modules are not code.
    let code = blank_test_modules("fn a() {}\n#[cfg(test)]\nmod tests {\n use crate::z::y;\n}\n");
    assert!(!code.contains("crate::z"));
    // A long function is found.
    let long = format!("fn big() {{\n{}}}\n", "    x();\n".repeat(130));
    assert_eq!(long_functions(Path::new("x.rs"), &long).len(), 1);
    let short = format!("fn small() {{\n{}}}\n", "    x();\n".repeat(100));
    assert!(long_functions(Path::new("x.rs"), &short).is_empty());
}
