//! The URL/path model (reference §0.2): an argument is remote when it contains `://`
//! (then it must be `s3://bucket[/key]`), otherwise a local path. Knows whether a
//! location is a bucket, a prefix, a wildcard, and how it prints.

use std::fmt;

use crate::wildcard::has_wildcard;

/// A remote location `s3://bucket/key`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RemoteUrl {
    /// Bucket name.
    pub bucket: String,
    /// Everything after the first `/` following the bucket, verbatim (adjacent slashes kept).
    pub key: String,
    /// `--raw`: never a wildcard.
    pub raw: bool,
}

impl RemoteUrl {
    /// `s3://bucket` or `s3://bucket/`.
    pub fn is_bucket(&self) -> bool {
        self.key.is_empty()
    }

    /// The key ends with `/` (and is not empty).
    pub fn is_prefix(&self) -> bool {
        self.key.ends_with('/')
    }

    /// The key contains `*` or `?` and `--raw` was not given.
    pub fn is_wildcard(&self) -> bool {
        !self.raw && has_wildcard(&self.key)
    }

    /// A location with `name` appended to the key (plain string concatenation, as s5cmd).
    pub fn join(&self, name: &str) -> RemoteUrl {
        RemoteUrl {
            bucket: self.bucket.clone(),
            key: format!("{}{}", self.key, name),
            raw: true,
        }
    }

    /// A location for another key in the same bucket.
    pub fn with_key(&self, key: impl Into<String>) -> RemoteUrl {
        RemoteUrl {
            bucket: self.bucket.clone(),
            key: key.into(),
            raw: true,
        }
    }
}

impl fmt::Display for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.key.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.key)
        }
    }
}

/// A local path as the user gave it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocalPath {
    /// The path, verbatim.
    pub path: String,
    /// `--raw`: never a glob.
    pub raw: bool,
}

impl LocalPath {
    /// Contains `*` or `?` and `--raw` was not given.
    pub fn is_wildcard(&self) -> bool {
        !self.raw && has_wildcard(&self.path)
    }
}

/// Either side of a command.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Location {
    /// `s3://…`.
    Remote(RemoteUrl),
    /// A local path.
    Local(LocalPath),
}

impl Location {
    /// Parses an argument; the errors are s5cmd's messages.
    pub fn parse(arg: &str, raw: bool) -> Result<Location, String> {
        let Some(scheme_end) = arg.find("://") else {
            return Ok(Location::Local(LocalPath {
                path: arg.to_string(),
                raw,
            }));
        };
        if &arg[..scheme_end] != "s3" {
            return Err("s3 url should start with \"s3://\"".to_string());
        }
        let rest = &arg[scheme_end + 3..];
        let (bucket, key) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        if bucket.is_empty() {
            return Err("s3 url should have a bucket".to_string());
        }
        if has_wildcard(bucket) {
            return Err("bucket name cannot contain wildcards".to_string());
        }
        Ok(Location::Remote(RemoteUrl {
            bucket: bucket.to_string(),
            key: key.to_string(),
            raw,
        }))
    }

    /// True for `s3://…`.
    pub fn is_remote(&self) -> bool {
        matches!(self, Location::Remote(_))
    }

    /// A wildcard (remote or local glob).
    pub fn is_wildcard(&self) -> bool {
        match self {
            Location::Remote(r) => r.is_wildcard(),
            Location::Local(l) => l.is_wildcard(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Remote(r) => r.fmt(f),
            Location::Local(l) => f.write_str(&l.path),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remote(s: &str) -> RemoteUrl {
        match Location::parse(s, false).unwrap() {
            Location::Remote(r) => r,
            other => panic!("expected remote, got {other:?}"),
        }
    }

    #[test]
    fn classifies_remote_urls() {
        let b = remote("s3://bkt");
        assert!(b.is_bucket() && !b.is_prefix() && !b.is_wildcard());
        assert_eq!(b.to_string(), "s3://bkt");
        assert!(remote("s3://bkt/").is_bucket());
        assert!(remote("s3://bkt/a/").is_prefix());
        assert!(remote("s3://bkt/a*").is_wildcard());
        assert!(remote("s3://bkt/a?b").is_wildcard());
        let k = remote("s3://bkt//a/b///c/");
        assert_eq!(k.key, "/a/b///c/");
        assert_eq!(k.to_string(), "s3://bkt//a/b///c/");
        assert_eq!(remote("s3://bkt/bar/s3://").key, "bar/s3://");
    }

    #[test]
    fn raw_is_never_wildcard() {
        let Location::Remote(r) = Location::parse("s3://b/file*.txt", true).unwrap() else {
            panic!()
        };
        assert!(!r.is_wildcard());
        let l = Location::parse("dir/*", true).unwrap();
        assert!(!l.is_wildcard());
    }

    #[test]
    fn reports_s5cmd_errors() {
        assert_eq!(
            Location::parse("gs://b/k", false).unwrap_err(),
            "s3 url should start with \"s3://\""
        );
        assert_eq!(
            Location::parse("s3://", false).unwrap_err(),
            "s3 url should have a bucket"
        );
        assert_eq!(
            Location::parse("s3:///k", false).unwrap_err(),
            "s3 url should have a bucket"
        );
        assert_eq!(
            Location::parse("s3://b*/k", false).unwrap_err(),
            "bucket name cannot contain wildcards"
        );
    }

    #[test]
    fn local_paths_are_verbatim() {
        let l = Location::parse("./back.txt", false).unwrap();
        assert!(!l.is_remote());
        assert_eq!(l.to_string(), "./back.txt");
        assert!(Location::parse("src/*.txt", false).unwrap().is_wildcard());
    }
}
