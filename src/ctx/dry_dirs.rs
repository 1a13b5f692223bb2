//! "Is this local destination a directory?" for a dry run, answered without a
//! per-line system call when the answer cannot be yes.
//!
//! A `cp s3://b/k out/dir/name` line asks whether `out/dir/name` is a directory (then
//! the object lands inside it). A dry run creates nothing, so whether `out/dir` exists
//! does not change during the run: it is asked once per parent and remembered. A path
//! whose parent is missing (or is not a directory, or cannot be looked up) cannot be a
//! directory either — the same answer a `stat` of the path itself gives — so a
//! million-line dry run into a directory that does not exist yet does one `stat` per
//! parent, not one per line. Under an existing parent the path itself is asked, as
//! before. Only a dry run may use this: a real run creates directories as it goes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Parents remembered at once; past this the memory is dropped and asked again, so a
/// batch that names a new directory per line stays small.
const REMEMBERED: usize = 4096;

/// The parents a dry run has looked up: whether each is an existing directory.
#[derive(Default)]
pub struct DryRunDirs {
    parents: Mutex<Parents>,
}

/// The remembered parents, and the last one asked apart: consecutive lines of a
/// batch mostly share their parent, which a comparison of bytes then answers
/// without hashing the path.
#[derive(Default)]
struct Parents {
    known: HashMap<PathBuf, bool>,
    last: Option<(PathBuf, bool)>,
}

impl DryRunDirs {
    /// Whether `path` is a directory (following symbolic links, as `stat` does).
    pub fn is_dir(&self, path: &Path) -> bool {
        let parent = match path.parent() {
            Some(p) if p.as_os_str().is_empty() => Path::new("."),
            Some(p) => p,
            None => return is_dir(path),
        };
        self.parent_is_dir(parent) && is_dir(path)
    }

    fn parent_is_dir(&self, parent: &Path) -> bool {
        let mut parents = self.parents.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((last, known)) = &parents.last
            && last.as_os_str() == parent.as_os_str()
        {
            return *known;
        }
        let known = match parents.known.get(parent) {
            Some(&known) => known,
            None => {
                if parents.known.len() >= REMEMBERED {
                    parents.known.clear();
                }
                let known = is_dir(parent);
                parents.known.insert(parent.to_path_buf(), known);
                known
            }
        };
        parents.last = Some((parent.to_path_buf(), known));
        known
    }
}

fn is_dir(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_stat_does() {
        let root = tempfile::tempdir().unwrap();
        let r = root.path();
        std::fs::create_dir_all(r.join("out/sub")).unwrap();
        std::fs::write(r.join("out/file"), b"x").unwrap();
        std::os::unix::fs::symlink(r.join("out"), r.join("link")).unwrap();
        let dirs = DryRunDirs::default();
        let cases = [
            "out",
            "out/sub",
            "out/file",
            "out/missing",
            "out/file/x",
            "missing/x",
            "missing/x/y",
            "link/sub",
            "link/file",
            "out/sub/..",
            "missing/../out",
            "out/./sub",
        ];
        // Twice: the second pass answers from the remembered parents.
        for _ in 0..2 {
            for case in cases {
                let path = r.join(case);
                assert_eq!(dirs.is_dir(&path), is_dir(&path), "{case}");
            }
        }
        assert!(dirs.is_dir(&r.join("link/sub")));
        assert!(!dirs.is_dir(&r.join("missing/x")));
    }

    #[test]
    fn forgets_past_its_bound() {
        let root = tempfile::tempdir().unwrap();
        let dirs = DryRunDirs::default();
        for i in 0..REMEMBERED + 10 {
            assert!(!dirs.is_dir(&root.path().join(format!("d{i}/f"))));
        }
        assert!(dirs.parents.lock().unwrap().known.len() <= REMEMBERED);
    }
}
