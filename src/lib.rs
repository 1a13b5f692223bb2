//! s5rs: a fast, s5cmd-compatible S3 batch command executor.
pub mod command;
pub mod error;
pub mod parse;
pub mod storage;
