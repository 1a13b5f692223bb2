//! Lexing one batch line into words (productions `line`, `word`, `piece` … of
//! `grammar/batch.ebnf`).
//!
//! The rules are POSIX `sh` word splitting without any expansion, as s5cmd's
//! go-shellquote does it: single quotes are literal, double quotes honour `\` before
//! `"` `\` `$` `` ` `` and newline (other backslashes stay), a backslash outside quotes
//! escapes the next character, and adjacent quoted and unquoted pieces form one word.
//! `*` and `?` reach the command unexpanded. One deliberate addition: a `#` that starts
//! a word (after whitespace) begins a trailing comment; a `#` inside a word is literal.
//!
//! Each word keeps the 1-based column (in characters, of the line as given) where it
//! starts, so errors can point at it. nom types stay inside this file.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{is_not, take_while, take_while1},
    character::complete::{anychar, char},
    combinator::{eof, not, opt, rest},
    multi::{fold_many0, fold_many1, many0},
    sequence::preceded,
};

use super::error::ParseError;

/// One word of a line after quote removal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word's text, quotes and escapes removed.
    pub text: String,
    /// 1-based column (in characters) of the word's first character in the line.
    pub column: usize,
}

impl Word {
    /// A word at `column` (convenience for callers and tests).
    pub fn new(text: impl Into<String>, column: usize) -> Self {
        Word {
            text: text.into(),
            column,
        }
    }
}

/// The result of lexing one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexedLine {
    /// Empty, whitespace only, or a full-line `#` comment.
    Blank,
    /// The words of a command line (never empty).
    Words(Vec<Word>),
}

/// Why lexing failed; carries the input at the offending character.
#[derive(Debug)]
struct LexError<'a> {
    /// Input starting at the character the error is about.
    at: &'a str,
    /// What went wrong.
    kind: LexErrorKind,
}

/// The kinds of lexing failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LexErrorKind {
    /// A nom combinator did not match (backtracking; never reported as such).
    Nom,
    /// `'` without its closing quote.
    UnterminatedSingle,
    /// `"` without its closing quote.
    UnterminatedDouble,
    /// `\` as the last character of the line, outside quotes.
    DanglingBackslash,
}

impl<'a> nom::error::ParseError<&'a str> for LexError<'a> {
    fn from_error_kind(input: &'a str, _kind: nom::error::ErrorKind) -> Self {
        LexError {
            at: input,
            kind: LexErrorKind::Nom,
        }
    }

    fn append(_input: &'a str, _kind: nom::error::ErrorKind, other: Self) -> Self {
        other
    }
}

type LexResult<'a, O> = IResult<&'a str, O, LexError<'a>>;

/// Production `ws`: the characters that separate words (and are trimmed at both ends).
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// Production `ws*`: optional run of separators.
fn ws0(input: &str) -> LexResult<'_, &str> {
    take_while(is_ws).parse(input)
}

/// Production `comment`: `#` and everything after it.
fn comment(input: &str) -> LexResult<'_, &str> {
    preceded(char('#'), rest).parse(input)
}

/// Production `single_quoted`: `'` any-but-`'`* `'`, taken literally.
fn single_quoted(input: &str) -> LexResult<'_, String> {
    let (after_open, _) = char('\'').parse(input)?;
    let (after_body, body) = take_while(|c| c != '\'').parse(after_open)?;
    match char::<&str, LexError>('\'').parse(after_body) {
        Ok((after, _)) => Ok((after, body.to_string())),
        Err(_) => Err(nom::Err::Failure(LexError {
            at: input,
            kind: LexErrorKind::UnterminatedSingle,
        })),
    }
}

/// Production `dq_escape`: `\` followed by any character inside double quotes. Only
/// `"` `\` `$` `` ` `` are unescaped and `\`+newline is removed; otherwise the
/// backslash stays.
fn dq_escape(input: &str) -> LexResult<'_, String> {
    let (after, c) = preceded(char('\\'), anychar).parse(input)?;
    let text = match c {
        '"' | '\\' | '$' | '`' => c.to_string(),
        '\n' => String::new(),
        other => format!("\\{other}"),
    };
    Ok((after, text))
}

/// Production `dq_char+`: a run of characters other than `"` and `\`.
fn dq_plain(input: &str) -> LexResult<'_, String> {
    is_not("\"\\").map(str::to_string).parse(input)
}

/// Production `double_quoted`: `"` ( dq_escape | dq_char )* `"`.
fn double_quoted(input: &str) -> LexResult<'_, String> {
    let (after_open, _) = char('"').parse(input)?;
    let (after_body, body) =
        fold_many0(alt((dq_escape, dq_plain)), String::new, |mut acc, piece| {
            acc.push_str(&piece);
            acc
        })
        .parse(after_open)?;
    match char::<&str, LexError>('"').parse(after_body) {
        Ok((after, _)) => Ok((after, body)),
        Err(_) => Err(nom::Err::Failure(LexError {
            at: input,
            kind: LexErrorKind::UnterminatedDouble,
        })),
    }
}

/// Production `escaped`: `\` followed by any character outside quotes; the character
/// stands for itself (`\`+newline is a line continuation and vanishes).
fn escaped(input: &str) -> LexResult<'_, String> {
    let (after_backslash, _) = char('\\').parse(input)?;
    match anychar::<&str, LexError>(after_backslash) {
        Ok((after, '\n')) => Ok((after, String::new())),
        Ok((after, c)) => Ok((after, c.to_string())),
        Err(_) => Err(nom::Err::Failure(LexError {
            at: input,
            kind: LexErrorKind::DanglingBackslash,
        })),
    }
}

/// Production `bare`: a run of characters that are not separators, quotes or `\`.
fn bare(input: &str) -> LexResult<'_, String> {
    take_while1(|c: char| !is_ws(c) && !matches!(c, '\'' | '"' | '\\'))
        .map(str::to_string)
        .parse(input)
}

/// Production `piece`: single_quoted | double_quoted | escaped | bare.
fn piece(input: &str) -> LexResult<'_, String> {
    alt((single_quoted, double_quoted, escaped, bare)).parse(input)
}

/// Production `word`: piece+, not starting with `#` (that starts a comment). Returns
/// the input where the word starts, for its column.
fn word(input: &str) -> LexResult<'_, (&str, String)> {
    let (after, text) = preceded(
        not(char('#')),
        fold_many1(piece, String::new, |mut acc, p| {
            acc.push_str(&p);
            acc
        }),
    )
    .parse(input)?;
    Ok((after, (input, text)))
}

/// Production `line`: ws* ( word ( ws+ word )* )? ws* comment? EOL.
fn line(input: &str) -> LexResult<'_, Vec<(&str, String)>> {
    let (after_words, words) = many0(preceded(ws0, word)).parse(input)?;
    let (after, _) = (ws0, opt(comment), eof).parse(after_words)?;
    Ok((after, words))
}

/// Lexes one line of a batch file (production `line` of `grammar/batch.ebnf`).
///
/// A trailing `\n`/`\r\n` and surrounding whitespace are ignored. Returns
/// [`LexedLine::Blank`] for empty, whitespace-only and comment lines. An unterminated
/// quote is an error at the column of its opening quote; a backslash ending the line
/// is an error at its own column.
pub fn lex_line(input: &str) -> Result<LexedLine, ParseError> {
    match split_plain(input) {
        Some(lexed) => Ok(lexed),
        None => lex_pieces(input),
    }
}

/// [`lex_line`] of a line without quotes and backslashes (nearly every line of a
/// generated batch), which the grammar splits at separators alone: each run of
/// non-separators is a word, and one starting with `#` begins the comment. `None`
/// for a line with a quote or a backslash. Spares the general lexer's allocation per
/// piece on the hot path of million-line batches.
fn split_plain(input: &str) -> Option<LexedLine> {
    if input.bytes().any(|b| matches!(b, b'\'' | b'"' | b'\\')) {
        return None;
    }
    let mut words = Vec::new();
    // The current word's start: its byte offset and its column.
    let mut start: Option<(usize, usize)> = None;
    for (column, (at, c)) in (1..).zip(input.char_indices()) {
        if is_ws(c) {
            if let Some((from, column)) = start.take() {
                words.push(Word::new(&input[from..at], column));
            }
        } else if start.is_none() {
            if c == '#' {
                break;
            }
            start = Some((at, column));
        }
    }
    if let Some((from, column)) = start {
        words.push(Word::new(&input[from..], column));
    }
    Some(if words.is_empty() {
        LexedLine::Blank
    } else {
        LexedLine::Words(words)
    })
}

/// [`lex_line`] by the grammar's productions, quotes and escapes included.
fn lex_pieces(input: &str) -> Result<LexedLine, ParseError> {
    let column_of = |at: &str| input[..input.len() - at.len()].chars().count() + 1;
    match line(input) {
        Ok((_, words)) if words.is_empty() => Ok(LexedLine::Blank),
        Ok((_, words)) => Ok(LexedLine::Words(
            words
                .into_iter()
                .map(|(at, text)| Word {
                    text,
                    column: column_of(at),
                })
                .collect(),
        )),
        Err(nom::Err::Failure(e)) | Err(nom::Err::Error(e)) => {
            let message = match e.kind {
                LexErrorKind::UnterminatedSingle => "unterminated single quote",
                LexErrorKind::UnterminatedDouble => "unterminated double quote",
                LexErrorKind::DanglingBackslash => "unterminated backslash escape",
                // Not reachable for complete input: every character starts some piece.
                LexErrorKind::Nom => "cannot split the line into words",
            };
            Err(ParseError::new(column_of(e.at), message))
        }
        Err(nom::Err::Incomplete(_)) => Err(ParseError::new(1, "incomplete line")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<(usize, String)> {
        match lex_line(line).expect("lexes") {
            LexedLine::Blank => panic!("blank: {line:?}"),
            LexedLine::Words(w) => w.into_iter().map(|w| (w.column, w.text)).collect(),
        }
    }

    fn texts(line: &str) -> Vec<String> {
        words(line).into_iter().map(|(_, t)| t).collect()
    }

    #[test]
    fn plain_lines_split_as_the_grammar_does() {
        // Every line of up to 5 characters over an alphabet of word characters,
        // separators, `#` and multi-byte characters: the quick split and the
        // grammar's lexer agree on words, columns and blank lines.
        let alphabet = ['a', ' ', '\t', '#', 'é', '\r', '\u{a0}', '*', '/'];
        let mut lines = vec![String::new()];
        let mut last = lines.clone();
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|l| alphabet.iter().map(move |c| format!("{l}{c}")))
                .collect();
            lines.extend(last.iter().cloned());
        }
        assert!(lines.len() > 60_000);
        for line in &lines {
            let quick = split_plain(line).expect("no quotes or backslashes");
            assert_eq!(quick, lex_pieces(line).unwrap(), "{line:?}");
        }
        for line in ["a 'b'", "a \"b\"", "a\\ b"] {
            assert!(split_plain(line).is_none(), "{line:?}");
        }
        assert_eq!(
            words("cp  s3://b/k\té/x #c"),
            [(1, "cp".into()), (5, "s3://b/k".into()), (14, "é/x".into())]
        );
    }

    #[test]
    fn blank_lines() {
        for l in [
            "",
            "   ",
            "\t\r\n",
            "# comment",
            "   # indented comment",
            "#",
            "\r",
        ] {
            assert_eq!(lex_line(l).unwrap(), LexedLine::Blank, "{l:?}");
        }
    }

    #[test]
    fn plain_words_and_columns() {
        assert_eq!(
            words("  ls   s3://b/k\t x"),
            vec![
                (3, "ls".to_string()),
                (8, "s3://b/k".to_string()),
                (18, "x".to_string())
            ]
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(
            texts(r#"cp 's3://b/a b.txt' dir/"#),
            ["cp", "s3://b/a b.txt", "dir/"]
        );
        assert_eq!(
            texts(r#"cp "a \"q\" \\ \$ \` \x" y"#),
            ["cp", r#"a "q" \ $ ` \x"#, "y"]
        );
        assert_eq!(texts(r"cp a\ b/e.txt c"), ["cp", "a b/e.txt", "c"]);
        assert_eq!(
            texts(r#"x pre'mid dle'"post"\ end"#),
            ["x", "premid dlepost end"]
        );
        assert_eq!(texts(r"x 'a\b'"), ["x", r"a\b"]);
        assert_eq!(texts(r#"x '' "" y"#), ["x", "", "", "y"]);
        assert_eq!(texts("x 's3://b/*' ?"), ["x", "s3://b/*", "?"]);
    }

    #[test]
    fn comments() {
        assert_eq!(texts("ls s3://b/k # note"), ["ls", "s3://b/k"]);
        assert_eq!(texts("ls s3://b/k #"), ["ls", "s3://b/k"]);
        assert_eq!(texts("ls a#b"), ["ls", "a#b"]);
        assert_eq!(
            texts("mv 's3://b/test #3 /bar.jpg' x"),
            ["mv", "s3://b/test #3 /bar.jpg", "x"]
        );
        assert_eq!(texts(r"ls \#x '#y' ''#z"), ["ls", "#x", "#y", "#z"]);
    }

    #[test]
    fn crlf_and_unicode_columns() {
        assert_eq!(texts("ls s3://b/k\r\n"), ["ls", "s3://b/k"]);
        assert_eq!(
            words("cp 中文 x"),
            vec![(1, "cp".into()), (4, "中文".into()), (7, "x".into())]
        );
    }

    #[test]
    fn lex_errors() {
        let e = lex_line("cp 'abc d").unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (4, "unterminated single quote")
        );
        let e = lex_line(r#"cp a b"c\""#).unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (7, "unterminated double quote")
        );
        let e = lex_line(r"cp a\").unwrap_err();
        assert_eq!(
            (e.column, e.message.as_str()),
            (5, "unterminated backslash escape")
        );
        let e = lex_line("é 'x").unwrap_err();
        assert_eq!(e.column, 3);
    }
}
