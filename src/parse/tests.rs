//! Unit tests of the parser (the AST built for each command, defaults, display strings,
//! errors) and the golden cases of `testdata/parse/cases.txt`.

use std::time::Duration;

use super::*;
use crate::command::*;
use crate::storage::MetadataDirective;

fn cmd(line: &str) -> ParsedCommand {
    match parse_line(line) {
        Ok(Some(ParseOutcome::Command(c))) => c,
        other => panic!("{line:?}: expected a command, got {other:?}"),
    }
}

fn err(line: &str) -> ParseError {
    match parse_line(line) {
        Err(e) => e,
        other => panic!("{line:?}: expected an error, got {other:?}"),
    }
}

#[test]
fn cp_defaults() {
    let c = cmd("cp s3://b/k .");
    assert_eq!(c.display, "cp s3://b/k .");
    let Command::Copy(cp) = c.command else {
        panic!()
    };
    assert!(!cp.is_move);
    assert_eq!((cp.src.as_str(), cp.dst.as_str()), ("s3://b/k", "."));
    assert!(!cp.flatten && !cp.no_clobber && !cp.if_size_differ && !cp.if_source_newer);
    assert_eq!(cp.version_id, None);
    assert_eq!(
        cp.flags,
        TransferFlags {
            parts: Parts {
                concurrency: 5,
                part_size: 50 * 1024 * 1024,
            },
            ..TransferFlags::default()
        }
    );
}

#[test]
fn cp_every_flag() {
    let c = cmd(
        "mv -f -n -s -u --version-id v1 --sp --no-follow-symlinks --storage-class GLACIER \
         -c 8 -p 0 --metadata a=1 --metadata b=x=y --metadata-directive replace --sse aws:kms \
         --sse-kms-key-id key --acl public-read --cache-control 'max-age=1' \
         --expires 2024-10-01T20:30:00Z --force-glacier-transfer --ignore-glacier-warnings \
         --source-region eu-west-1 --destination-region us-east-2 --exclude '*.tmp' --exclude '' \
         --include '*.txt' --raw --content-type text/plain --content-encoding gzip \
         --content-disposition attachment --tagging 'k=v' --checksum-algorithm sha256 \
         --source-profile p1 --source-endpoint-url http://a:1 --destination-profile p2 \
         --destination-endpoint-url https://b/ 's3://b/*' s3://c/",
    );
    let Command::Copy(cp) = c.command else {
        panic!()
    };
    assert!(cp.is_move && cp.flatten && cp.no_clobber && cp.if_size_differ);
    assert!(cp.if_source_newer && cp.show_progress);
    assert_eq!(cp.version_id.as_deref(), Some("v1"));
    let f = cp.flags;
    assert_eq!(f.headers.storage_class.as_deref(), Some("GLACIER"));
    assert_eq!(f.parts.concurrency, 8);
    assert_eq!(f.parts.part_size, MIN_PART_SIZE);
    assert_eq!(
        f.headers.metadata,
        vec![("a".into(), "1".into()), ("b".into(), "x=y".into())]
    );
    assert_eq!(f.metadata_directive, Some(MetadataDirective::Replace));
    assert_eq!(f.headers.sse.as_deref(), Some("aws:kms"));
    assert_eq!(f.headers.sse_kms_key_id.as_deref(), Some("key"));
    assert_eq!(f.headers.acl.as_deref(), Some("public-read"));
    assert_eq!(
        f.headers.content.cache_control.as_deref(),
        Some("max-age=1")
    );
    assert_eq!(
        f.headers.content.expires.as_deref(),
        Some("Tue, 01 Oct 2024 20:30:00 GMT")
    );
    assert!(f.glacier.force_transfer && f.glacier.ignore_warnings && f.no_follow_symlinks);
    assert_eq!(f.source_region.as_deref(), Some("eu-west-1"));
    assert_eq!(f.destination_region.as_deref(), Some("us-east-2"));
    assert_eq!(f.exclude, vec!["*.tmp".to_string()]);
    assert_eq!(f.include, vec!["*.txt".to_string()]);
    assert!(f.raw);
    assert_eq!(
        f.headers.content.content_type.as_deref(),
        Some("text/plain")
    );
    assert_eq!(f.headers.content.content_encoding.as_deref(), Some("gzip"));
    assert_eq!(
        f.headers.content.content_disposition.as_deref(),
        Some("attachment")
    );
    assert_eq!(f.headers.tagging.as_deref(), Some("k=v"));
    assert_eq!(
        f.headers.checksum_algorithm,
        Some(ChecksumAlgorithm::Sha256)
    );
    assert_eq!(f.source.profile.as_deref(), Some("p1"));
    assert_eq!(f.source.endpoint_url.as_deref(), Some("http://a:1"));
    assert_eq!(f.destination.profile.as_deref(), Some("p2"));
    assert_eq!(f.destination.endpoint_url.as_deref(), Some("https://b/"));
    assert_eq!(cp.src, "s3://b/*");
}

#[test]
fn part_size_and_concurrency_values() {
    let Command::Copy(cp) = cmd("cp -p 16 -c 0 a b").command else {
        panic!()
    };
    assert_eq!(cp.flags.parts.part_size, 16 * 1024 * 1024);
    assert_eq!(cp.flags.parts.concurrency, DEFAULT_CONCURRENCY);
    let Command::Cat(cat) = cmd("cat -c 3 -p 5120 s3://b/k").command else {
        panic!()
    };
    assert_eq!(
        (cat.parts.concurrency, cat.parts.part_size),
        (3, 5120 * 1024 * 1024)
    );
}

#[test]
fn ls_variants() {
    assert_eq!(cmd("ls").command, Command::Ls(LsCmd::default()));
    let Command::Ls(ls) =
        cmd("ls -e -H -s --exclude a --exclude b --all-versions --show-fullpath s3://b/").command
    else {
        panic!()
    };
    assert_eq!(
        ls,
        LsCmd {
            target: Some("s3://b/".into()),
            etag: true,
            humanize: true,
            storage_class: true,
            exclude: vec!["a".into(), "b".into()],
            all_versions: true,
            show_fullpath: true,
            format: None,
            filter: FilterFlags::default(),
        }
    );
    // `-s` is ls's bool storage-class; it takes no value.
    let Command::Ls(ls) = cmd("ls --storage-class=false s3://b/").command else {
        panic!()
    };
    assert!(!ls.storage_class);
}

#[test]
fn rm_du_cat_head() {
    let Command::Rm(rm) = cmd("rm --raw --exclude x --include y --all-versions a b c").command
    else {
        panic!()
    };
    assert_eq!(rm.targets, ["a", "b", "c"]);
    assert!(rm.raw && rm.all_versions);
    assert_eq!(
        (rm.exclude, rm.include),
        (vec!["x".into()], vec!["y".into()])
    );
    let Command::Rm(rm) = cmd("rm --version-id v s3://b/k").command else {
        panic!()
    };
    assert_eq!(rm.version_id.as_deref(), Some("v"));

    let Command::Du(du) = cmd("du -g -H --all-versions s3://b/*").command else {
        panic!()
    };
    assert!(du.group && du.humanize && du.all_versions);
    assert_eq!(du.target, "s3://b/*");

    let Command::Cat(cat) = cmd("cat --raw --version-id v s3://b/k").command else {
        panic!()
    };
    assert!(cat.raw);
    assert_eq!(cat.version_id.as_deref(), Some("v"));
    assert_eq!(
        (cat.parts.concurrency, cat.parts.part_size),
        (5, DEFAULT_PART_SIZE)
    );

    let Command::Head(head) = cmd("head --raw s3://b/k*").command else {
        panic!()
    };
    assert_eq!(
        head,
        HeadCmd {
            target: "s3://b/k*".into(),
            raw: true,
            version_id: None,
            ..Default::default()
        }
    );
}

#[test]
fn sync_pipe_buckets() {
    let Command::Sync(s) =
        cmd("sync --delete --size-only --exit-on-error --max-delete 0x10 -c 2 a/ s3://b/").command
    else {
        panic!()
    };
    assert!(s.delete && s.size_only && s.exit_on_error && !s.checksum);
    assert_eq!(s.max_delete, Some(16));
    assert_eq!(s.flags.parts.concurrency, 2);
    assert_eq!((s.src.as_str(), s.dst.as_str()), ("a/", "s3://b/"));

    let Command::Pipe(p) = cmd("pipe -n --content-type application/json s3://b/k").command else {
        panic!()
    };
    assert!(p.no_clobber);
    assert_eq!(p.dst, "s3://b/k");
    assert_eq!(
        p.flags.headers.content.content_type.as_deref(),
        Some("application/json")
    );
    assert_eq!(p.flags.parts.part_size, DEFAULT_PART_SIZE);

    assert_eq!(
        cmd("mb s3://b").command,
        Command::MakeBucket {
            target: "s3://b".into()
        }
    );
    assert_eq!(
        cmd("rb s3://b").command,
        Command::RemoveBucket {
            target: "s3://b".into(),
            force: false
        }
    );
    assert_eq!(
        cmd("rb --force s3://b").command,
        Command::RemoveBucket {
            target: "s3://b".into(),
            force: true
        }
    );
}

#[test]
fn presign_and_bucket_version() {
    let Command::Presign(p) = cmd("presign s3://b/k").command else {
        panic!()
    };
    assert_eq!(p.expire, Duration::from_secs(3 * 3600));
    let Command::Presign(p) = cmd("presign --expire 1h30m --version-id v s3://b/k").command else {
        panic!()
    };
    assert_eq!(p.expire, Duration::from_secs(5400));
    assert_eq!(p.version_id.as_deref(), Some("v"));

    for (given, normal) in [
        ("Enabled", "Enabled"),
        ("eNaBlEd", "Enabled"),
        ("sUsPenDeD", "Suspended"),
    ] {
        let Command::BucketVersion(b) =
            cmd(&format!("bucket-version --set {given} s3://b")).command
        else {
            panic!()
        };
        assert_eq!(b.set.as_deref(), Some(normal));
    }
    let Command::BucketVersion(b) = cmd("bucket-version s3://b").command else {
        panic!()
    };
    assert_eq!(b.set, None);
}

#[test]
fn select_forms() {
    let Command::Select(s) = cmd("select -e 'SELECT 1' s3://b/k").command else {
        panic!()
    };
    assert_eq!(s.format, SelectFormat::Json);
    assert_eq!(s.structure.as_deref(), Some("lines"));
    assert_eq!((s.delimiter, s.use_header), (None, None));
    assert_eq!(s.query, "SELECT 1");

    let Command::Select(s) = cmd(
        "select csv --delimiter '\\t' --use-header use --compression gzip \
         --output-format JSON -e q --exclude x --raw --all-versions --version-id v \
         --force-glacier-transfer --ignore-glacier-warnings s3://b/k",
    )
    .command
    else {
        panic!()
    };
    assert_eq!(s.format, SelectFormat::Csv);
    assert_eq!(s.delimiter.as_deref(), Some("\t"));
    assert_eq!(s.use_header.as_deref(), Some("USE"));
    assert_eq!(s.compression.as_deref(), Some("GZIP"));
    assert_eq!(s.output_format.as_deref(), Some("json"));
    assert_eq!(s.structure, None);
    assert_eq!(s.exclude, vec!["x".to_string()]);
    assert!(s.raw && s.all_versions && s.glacier.force_transfer && s.glacier.ignore_warnings);
    assert_eq!(s.version_id.as_deref(), Some("v"));

    let Command::Select(s) = cmd("select csv -e q s3://b/k").command else {
        panic!()
    };
    assert_eq!(
        (s.delimiter.as_deref(), s.use_header.as_deref()),
        (Some(","), Some("NONE"))
    );

    let c = cmd("select json --structure DOCUMENT -e q s3://b/k");
    assert_eq!(c.command.name(), "select json");
    let Command::Select(s) = c.command else {
        panic!()
    };
    assert_eq!(s.structure.as_deref(), Some("document"));

    let c = cmd("select parquet --output-format csv -e q s3://b/k");
    assert_eq!(c.command.name(), "select parquet");
    assert_eq!(
        c.display,
        "select parquet --query=q --output-format=csv s3://b/k"
    );
}

#[test]
fn wait_and_version() {
    assert_eq!(cmd("wait").command, Command::Wait);
    assert_eq!(cmd("version").command, Command::Version);
    assert_eq!(parse_line("  # only a comment").unwrap(), None);
    assert_eq!(parse_line("").unwrap(), None);
}

#[test]
fn help_outcomes() {
    for name in command_names() {
        let line = format!("{name} --help");
        match parse_line(&line).unwrap() {
            Some(ParseOutcome::Help(text)) => {
                assert_eq!(Some(text), command_help(name), "{name}")
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    let Some(ParseOutcome::Help(overview)) = parse_line("help").unwrap() else {
        panic!()
    };
    for name in command_names() {
        assert!(overview.contains(name), "{name}");
    }
}

#[test]
fn errors_carry_the_command_string_only_after_flags() {
    let e = err("cp a");
    assert_eq!(e.command.as_deref(), Some("cp a"));
    assert_eq!(
        e.to_string(),
        "column 1: expected source and destination arguments"
    );
    assert_eq!(err("cp --bogus a b").command, None);
    assert_eq!(err("nope").command, None);
    assert_eq!(err("cp 'a").command, None);
}

#[test]
fn command_line_arguments() {
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let Ok(ParseOutcome::Command(c)) = parse_args(&args(&["cp", "-n", "a b", "s3://b/*"])) else {
        panic!()
    };
    assert_eq!(c.display, "cp --no-clobber=true a b s3://b/*");
    let Command::Copy(cp) = c.command else {
        panic!()
    };
    // No lexing on the command line: words are taken as given, `#` and `*` included.
    assert_eq!(cp.src, "a b");
    let e = parse_args(&args(&["ls", "a", "#b"])).unwrap_err();
    assert_eq!(
        (e.column, e.message.as_str()),
        (3, "expected only 1 argument")
    );
    let e = parse_args(&args(&["ls", "--json"])).unwrap_err();
    assert_eq!(
        (e.column, e.message.as_str()),
        (
            2,
            "global flag \"--json\" must come before the command name"
        )
    );
    let e = parse_args(&args(&["cp", "-x", "a", "b"])).unwrap_err();
    assert_eq!(
        (e.column, e.message.as_str()),
        (2, "flag provided but not defined: -x")
    );
    assert!(matches!(parse_args(&[]), Ok(ParseOutcome::Help(_))));
}

#[test]
fn parse_words_uses_given_columns() {
    let words = [Word::new("du", 5), Word::new("a", 9), Word::new("b", 20)];
    let e = parse_words(&words).unwrap_err();
    assert_eq!(
        (e.column, e.message.as_str()),
        (20, "expected only 1 argument")
    );
}

/// One case of `testdata/parse/cases.txt`.
struct Case {
    /// Line number of the `in:` line in the cases file.
    at: usize,
    /// The input line.
    input: String,
    /// `(kind, value)` expectations.
    expect: Vec<(String, String)>,
}

fn read_cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/parse/cases.txt");
    let text = std::fs::read_to_string(path).expect("read cases");
    let mut cases: Vec<Case> = Vec::new();
    // Split on '\n' only, so a '\r' before it stays part of an input line.
    for (i, raw) in text.split('\n').enumerate() {
        if let Some(input) = raw.strip_prefix("in: ") {
            cases.push(Case {
                at: i + 1,
                input: input.to_string(),
                expect: Vec::new(),
            });
            continue;
        }
        let line = raw.trim_end_matches('\r');
        if line.is_empty() || line.starts_with("##") {
            continue;
        }
        let (kind, value) = line.split_once(": ").unwrap_or((line, ""));
        let case = cases
            .last_mut()
            .unwrap_or_else(|| panic!("line {}: expectation before any in:", i + 1));
        case.expect.push((kind.to_string(), value.to_string()));
    }
    cases
}

fn check_case(case: &Case) -> Result<(), String> {
    if case.expect.is_empty() {
        return Err("no expectations".into());
    }
    let lexed = lex_line(&case.input);
    let parsed = parse_line(&case.input);
    for (kind, want) in &case.expect {
        match kind.as_str() {
            "words" => {
                let want: Vec<(usize, String)> =
                    serde_json::from_str(want).map_err(|e| format!("bad words JSON: {e}"))?;
                let got: Vec<(usize, String)> = match &lexed {
                    Ok(LexedLine::Words(w)) => {
                        w.iter().map(|w| (w.column, w.text.clone())).collect()
                    }
                    other => return Err(format!("lex: want words, got {other:?}")),
                };
                if got != want {
                    return Err(format!("words: want {want:?}, got {got:?}"));
                }
            }
            "blank" => {
                if lexed != Ok(LexedLine::Blank) || parsed != Ok(None) {
                    return Err(format!("want blank, got {lexed:?} / {parsed:?}"));
                }
            }
            "display" | "name" => {
                let Ok(Some(ParseOutcome::Command(c))) = &parsed else {
                    return Err(format!("want a command, got {parsed:?}"));
                };
                let got = if kind == "display" {
                    c.display.clone()
                } else {
                    c.command.name().to_string()
                };
                if &got != want {
                    return Err(format!("{kind}: want {want:?}, got {got:?}"));
                }
            }
            "error" => {
                let Err(e) = &parsed else {
                    return Err(format!("want error {want:?}, got {parsed:?}"));
                };
                let got = format!("{}: {}", e.column, e.message);
                if &got != want {
                    return Err(format!("error: want {want:?}, got {got:?}"));
                }
            }
            "command" => {
                let got = parsed.as_ref().err().and_then(|e| e.command.clone());
                if got.as_deref() != Some(want.as_str()) {
                    return Err(format!("command: want {want:?}, got {got:?}"));
                }
            }
            "help" => {
                let Ok(Some(ParseOutcome::Help(text))) = &parsed else {
                    return Err(format!("want help, got {parsed:?}"));
                };
                if Some(text) != command_help(want).as_ref() {
                    return Err(format!("help: not the help of {want:?}:\n{text}"));
                }
            }
            other => return Err(format!("unknown expectation kind {other:?}")),
        }
    }
    Ok(())
}

#[test]
fn golden_cases() {
    let cases = read_cases();
    assert!(cases.len() > 100, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            check_case(c)
                .err()
                .map(|e| format!("cases.txt:{} {:?}: {e}", c.at, c.input))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} golden cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn filter_flags_on_every_command_that_takes_them() {
    let line = "--min-size 10K --max-size=5MiB --min-age 7d --max-age 2024-10-01T20:30:00Z \
                --include-regex '\\.txt$' --include-regex ^a --exclude-regex tmp";
    let expected = FilterFlags {
        min_size: Some(10 * 1024),
        max_size: Some(5 * 1024 * 1024),
        min_age: Some(AgeLimit::Ago(Duration::from_secs(7 * 86400))),
        max_age: Some(AgeLimit::At(
            chrono::DateTime::parse_from_rfc3339("2024-10-01T20:30:00Z")
                .unwrap()
                .to_utc(),
        )),
        include_regex: vec!["\\.txt$".into(), "^a".into()],
        exclude_regex: vec!["tmp".into()],
    };
    let of = |verb: &str, args: &str| cmd(&format!("{verb} {line} {args}")).command;
    let filters = [
        match of("cp", "s3://b/* d/") {
            Command::Copy(c) => c.filter,
            other => panic!("{other:?}"),
        },
        match of("mv", "s3://b/* d/") {
            Command::Copy(c) => c.filter,
            other => panic!("{other:?}"),
        },
        match of("sync", "s3://b/* d/") {
            Command::Sync(c) => c.filter,
            other => panic!("{other:?}"),
        },
        match of("rm", "s3://b/*") {
            Command::Rm(c) => c.filter,
            other => panic!("{other:?}"),
        },
        match of("ls", "s3://b/*") {
            Command::Ls(c) => c.filter,
            other => panic!("{other:?}"),
        },
        match of("du", "s3://b/*") {
            Command::Du(c) => c.filter,
            other => panic!("{other:?}"),
        },
    ];
    for f in filters {
        assert_eq!(f, expected);
    }
    // Shown as typed in the command string, in definition order.
    assert_eq!(
        cmd("rm --max-age 36h --min-size 1.5G s3://b/*").display,
        "rm --min-size=1.5G --max-age=36h s3://b/*"
    );
}

#[test]
fn bad_filter_values_are_errors_at_their_column() {
    let e = err("cp --min-size 10X s3://b/* d/");
    assert_eq!(e.column, 15, "{e}");
    assert!(
        e.message
            .starts_with(r#"invalid value "10X" for flag -min-size: unknown size unit"#),
        "{e}"
    );
    let e = err("rm --include-regex=a(b s3://b/*");
    assert_eq!(
        (e.column, e.message.as_str()),
        (
            4,
            r#"invalid value "a(b" for flag -include-regex: not a regular expression: error: unclosed group"#
        )
    );
    let e = err("ls --max-age yesterday s3://b/");
    assert_eq!(e.column, 14, "{e}");
    assert!(
        e.message
            .starts_with(r#"invalid value "yesterday" for flag -max-age: "#),
        "{e}"
    );
    let e = err("sync --exclude-regex [ s3://b/* d/");
    assert_eq!(e.column, 22, "{e}");
    // Not a flag of cat, pipe, head or select.
    assert_eq!(
        err("cat --min-size 1 s3://b/k").message,
        "flag provided but not defined: -min-size"
    );
}

#[test]
fn sse_c_keys_are_hidden_in_command_strings_and_errors() {
    use base64::Engine;
    let key = base64::engine::general_purpose::STANDARD.encode([5u8; 32]);
    let words: Vec<String> = ["cp", "--sse-c", "--sse-c-key", &key, "a", "s3://b/a"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let Ok(ParseOutcome::Command(parsed)) = parse_args(&words) else {
        panic!("parses")
    };
    assert_eq!(parsed.display, "cp --sse-c=true --sse-c-key=*** a s3://b/a");
    let Command::Copy(c) = &parsed.command else {
        panic!("a copy")
    };
    assert_eq!(c.flags.customer_key.key.as_deref(), Some(key.as_str()));
    assert_eq!(redacted(&words), "cp --sse-c --sse-c-key *** a s3://b/a");
    let eq: Vec<String> = vec!["cat".into(), format!("-sse-c-key={key}"), "s3://b/a".into()];
    assert_eq!(redacted(&eq), "cat -sse-c-key=*** s3://b/a");
    // A malformed key is refused without being echoed.
    let bad = vec![
        "cp".to_string(),
        "--sse-c-key=c2hvcnQ=".to_string(),
        "a".to_string(),
        "s3://b/a".to_string(),
    ];
    let Err(e) = parse_args(&bad) else {
        panic!("refused")
    };
    assert!(!e.message.contains("c2hvcnQ"), "{}", e.message);
    assert!(e.message.contains("32 bytes"), "{}", e.message);
}
