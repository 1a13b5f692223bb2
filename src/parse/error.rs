//! The error of parsing a line or a command line, with the column it points at and,
//! once the command and its flags were understood, the command string s5cmd prints.

use std::fmt;

/// A line or command line that cannot be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based column of the offending word (for `parse_args`: 1-based argument
    /// index); for lexing errors, of the offending character.
    pub column: usize,
    /// What is wrong, in s5cmd's words where it has them.
    pub message: String,
    /// The command string (§0.8 of the reference, e.g. `cp --raw=true a`) when the
    /// error was found after the command and its flags were understood (arity, flag
    /// combinations): s5cmd prints these as `ERROR "<command>": <message>`. `None` for
    /// lexing errors, unknown commands and flag errors (s5cmd's "Incorrect Usage").
    pub command: Option<String>,
}

impl ParseError {
    /// An error at `column` without a command string.
    pub fn new(column: usize, message: impl Into<String>) -> Self {
        ParseError {
            column,
            message: message.into(),
            command: None,
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}
