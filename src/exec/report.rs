//! Building the records of transfers: success, skip and failure share a shape
//! (`operation`, `source`, `destination`), failures add s5cmd's per-object command
//! string `<op> <src> <dst>` (no flags, destination fully resolved).

use crate::record::{ObjectRecord, Record};
use crate::storage::StorageError;

/// A success record for `op src dst`.
pub fn done(operation: &str, src: &str, dst: &str) -> Record {
    let mut r = Record::ok(operation);
    r.source = Some(src.to_string());
    r.destination = Some(dst.to_string());
    r
}

/// A skip record (success with a reason).
pub fn skipped(operation: &str, src: &str, dst: &str, reason: &str) -> Record {
    let mut r = done(operation, src, dst);
    r.skipped = Some(reason.to_string());
    r
}

/// A failure record for `op src dst`.
pub fn failed(operation: &str, src: &str, dst: &str, err: &StorageError) -> Record {
    let mut r = Record::failed(
        operation,
        format!("{operation} {src} {dst}"),
        err.to_string(),
        err.kind,
    );
    r.source = Some(src.to_string());
    r.destination = Some(dst.to_string());
    r
}

/// The `object` of a transfer record: a file of `size` bytes.
pub fn file_object(size: u64, storage_class: Option<&String>) -> ObjectRecord {
    ObjectRecord {
        kind: "file".to_string(),
        size: Some(size),
        storage_class: storage_class.cloned(),
        ..Default::default()
    }
}
