//! The local file-system backend: sorted streaming walks, globs, stat, delete,
//! temp files for safe downloads, and safe joining of object keys under a directory.
//!
//! INTERFACE CONTRACT (bodies filled in by the local-backend work).

use std::path::{Path, PathBuf};

use super::{ListRequest, Lister, ObjectMeta, Storage, StorageError};

/// Prefix of every temp file s5rs creates next to a download's destination:
/// `.s5rs-tmp-<basename>-<random>`. Files with this prefix are removed by
/// [`cleanup_stale_temps`].
pub const TEMP_PREFIX: &str = ".s5rs-tmp-";

/// The local file system.
#[derive(Debug, Clone, Default)]
pub struct LocalFs {
    /// Follow symbolic links while walking (s5cmd default: true).
    pub follow_symlinks: bool,
}

impl Storage for LocalFs {
    /// Walks `request.prefix`: a file lists itself; a directory is walked recursively
    /// (files and non-regular entries, no directory entries), each entry's key being the
    /// path as walked (`root/a/b.txt`), in byte order of the path relative to the root;
    /// a missing path yields `StorageError` kind `NoSuchKey` with message
    /// `given object <path> not found`.
    fn list(&self, _request: ListRequest) -> Lister {
        unimplemented!()
    }

    async fn stat(
        &self,
        _key: &str,
        _version_id: Option<&str>,
    ) -> Result<ObjectMeta, StorageError> {
        unimplemented!()
    }

    async fn delete(&self, _key: &str, _version_id: Option<&str>) -> Result<(), StorageError> {
        unimplemented!()
    }
}

/// Expands a local glob (`*`, `?`, `[...]`; none crosses `/`), walking every matching
/// directory recursively; entries in byte order of their path. No match yields an error
/// of kind `NoMatch`: `no match found for "<pattern>"`.
pub fn glob(_pattern: &str, _follow_symlinks: bool) -> Lister {
    unimplemented!()
}

/// Joins an object's relative name under `root`, refusing names that would escape it
/// (`..` components, absolute paths, NUL, components over 255 bytes): error kind `UnsafeKey`.
pub fn safe_join(_root: &Path, _relative: &str) -> Result<PathBuf, StorageError> {
    unimplemented!()
}

/// Creates a new temp file in `dir` for a download whose final name is `basename`.
pub fn create_temp(_dir: &Path, _basename: &str) -> Result<(std::fs::File, PathBuf), StorageError> {
    unimplemented!()
}

/// Removes temp files left by an interrupted earlier run in `dir`; returns how many.
pub fn cleanup_stale_temps(_dir: &Path) -> usize {
    unimplemented!()
}
