//! Destination resolution (reference §0.5): remote destinations are string
//! concatenations (adjacent slashes kept); local ones are joined and cleaned like Go's
//! `path.Join`, and names that come from object keys are joined safely (a key with
//! `..` can never write outside the destination: `unsafe_key`).

use std::path::Path;

use crate::location::RemoteUrl;
use crate::storage::{StorageError, local};

/// The destination object for a source with relative name `name` (or base name).
pub fn remote(dst: &RemoteUrl, name: &str, batch_or_container: bool) -> RemoteUrl {
    if batch_or_container || dst.is_bucket() || dst.is_prefix() {
        let mut key = dst.key.clone();
        if !key.is_empty() && !key.ends_with('/') {
            key.push('/');
        }
        key.push_str(name);
        dst.with_key(key)
    } else {
        dst.with_key(dst.key.clone())
    }
}

/// Cleans a user-given local path lexically (Go `path.Clean` without resolving `..`
/// against earlier components): no empty or `.` components; `.` for nothing.
pub fn clean(path: &str) -> String {
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .collect();
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// `dir` joined with an object-derived relative name, refusing unsafe names.
pub fn local_join(dir: &str, name: &str) -> Result<String, StorageError> {
    let base = clean(dir);
    let joined = local::safe_join(Path::new(&base), name)?;
    let s = joined.to_string_lossy().into_owned();
    Ok(s.strip_prefix("./").map(str::to_string).unwrap_or(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(key: &str) -> RemoteUrl {
        RemoteUrl {
            bucket: "b".into(),
            key: key.into(),
            raw: false,
        }
    }

    #[test]
    fn remote_destinations_concatenate() {
        assert_eq!(
            remote(&url(""), "a/f.txt", true).to_string(),
            "s3://b/a/f.txt"
        );
        assert_eq!(
            remote(&url("p/"), "f.txt", false).to_string(),
            "s3://b/p/f.txt"
        );
        assert_eq!(
            remote(&url("a//b///"), "x", false).to_string(),
            "s3://b/a//b///x"
        );
        assert_eq!(
            remote(&url("exact.txt"), "f.txt", false).to_string(),
            "s3://b/exact.txt"
        );
    }

    #[test]
    fn local_paths_clean_like_go() {
        assert_eq!(clean("./dir//a/"), "dir/a");
        assert_eq!(clean("."), ".");
        assert_eq!(clean("/tmp/x/"), "/tmp/x");
    }
}
