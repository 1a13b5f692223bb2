//! Where journal segments live: a local directory, or an S3 prefix. Each run attempt
//! writes segments of its own (named by shard, start time, process id and a random
//! tag), so two processes running the same shard at once never write the same file
//! or object; a reader takes the union of every segment it finds.
//!
//! Local: one file per attempt, appended group by group, each group followed by
//! `fdatasync`. S3: objects are immutable, so each flushed group is an object of its
//! own (`<segment>-<sequence>.s5j`).

use std::io::Write;
use std::path::PathBuf;

use bytes::Bytes;

use super::format;
use crate::error::ErrorKind;
use crate::location::Location;
use crate::storage::s3::{PutBody, S3Client};
use crate::storage::{ListRequest, ObjectHeaders, StorageError};

/// File-name ending of every segment.
pub const SEGMENT_SUFFIX: &str = ".s5j";

/// A journal location as given (`--journal`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JournalLocation {
    /// A local directory (created when missing).
    Local(PathBuf),
    /// An S3 bucket and key prefix (ending in `/` unless empty).
    Remote {
        /// Bucket.
        bucket: String,
        /// Key prefix.
        prefix: String,
    },
}

impl JournalLocation {
    /// Parses a local path or an `s3://bucket/prefix/` URL.
    pub fn parse(arg: &str) -> Result<JournalLocation, String> {
        match Location::parse(arg, true)? {
            Location::Local(l) => Ok(JournalLocation::Local(PathBuf::from(l.path))),
            Location::Remote(r) => {
                let mut prefix = r.key;
                if !prefix.is_empty() && !prefix.ends_with('/') {
                    prefix.push('/');
                }
                Ok(JournalLocation::Remote {
                    bucket: r.bucket,
                    prefix,
                })
            }
        }
    }
}

/// An opened location.
pub enum Store {
    /// A local directory.
    Local(PathBuf),
    /// An S3 prefix, with the client that reaches it.
    Remote {
        /// The client.
        client: S3Client,
        /// Bucket.
        bucket: String,
        /// Key prefix.
        prefix: String,
    },
}

impl Store {
    /// The names of every segment there, sorted.
    pub async fn segments(&self) -> Result<Vec<String>, StorageError> {
        let mut names = Vec::new();
        match self {
            Store::Local(dir) => {
                let entries = match std::fs::read_dir(dir) {
                    Ok(e) => e,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(names),
                    Err(e) => {
                        return Err(StorageError::io("read journal", &dir.to_string_lossy(), &e));
                    }
                };
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.ends_with(SEGMENT_SUFFIX) {
                        names.push(name);
                    }
                }
            }
            Store::Remote {
                client,
                bucket,
                prefix,
            } => {
                let mut lister = client.list(
                    bucket,
                    ListRequest {
                        prefix: prefix.clone(),
                        recursive: false,
                        all_versions: false,
                    },
                );
                while let Some(item) = lister.recv().await {
                    let info = item?;
                    let name = info.key[prefix.len().min(info.key.len())..].to_string();
                    if name.ends_with(SEGMENT_SUFFIX) && !name.contains('/') {
                        names.push(name);
                    }
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// A segment's bytes.
    pub async fn read(&self, name: &str) -> Result<Vec<u8>, StorageError> {
        match self {
            Store::Local(dir) => {
                let path = dir.join(name);
                std::fs::read(&path)
                    .map_err(|e| StorageError::io("read journal", &path.to_string_lossy(), &e))
            }
            Store::Remote {
                client,
                bucket,
                prefix,
            } => {
                let key = format!("{prefix}{name}");
                let mut out = client.get_object(bucket, &key, None, None).await?;
                let mut data = Vec::with_capacity(out.meta.size as usize);
                while let Some(chunk) = out.body.next_chunk().await {
                    data.extend_from_slice(&chunk?);
                }
                Ok(data)
            }
        }
    }

    /// Writes one flushed group of `records` (encoded, without magic) into the
    /// segment `segment`; `sequence` counts this attempt's groups from 0.
    pub async fn write_group(
        &self,
        segment: &str,
        sequence: u64,
        records: &[u8],
    ) -> Result<(), StorageError> {
        match self {
            Store::Local(dir) => {
                let path = dir.join(format!("{segment}{SEGMENT_SUFFIX}"));
                let records = records.to_vec();
                let dir = dir.clone();
                tokio::task::spawn_blocking(move || append_local(&dir, &path, &records))
                    .await
                    .map_err(|e| StorageError::new(ErrorKind::Io, format!("journal writer: {e}")))?
            }
            Store::Remote {
                client,
                bucket,
                prefix,
            } => {
                let key = format!("{prefix}{segment}-{sequence:08}{SEGMENT_SUFFIX}");
                let mut body = format::segment_start();
                body.extend_from_slice(records);
                client
                    .put_object(
                        bucket,
                        &key,
                        PutBody::Bytes(Bytes::from(body)),
                        &ObjectHeaders::default(),
                    )
                    .await
                    .map(|_| ())
            }
        }
    }
}

/// Appends to the segment file (creating it, with its magic, on the first group)
/// and makes the group durable before returning.
fn append_local(
    dir: &std::path::Path,
    path: &std::path::Path,
    records: &[u8],
) -> Result<(), StorageError> {
    let err = |e: std::io::Error| StorageError::io("write journal", &path.to_string_lossy(), &e);
    std::fs::create_dir_all(dir).map_err(err)?;
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(err)?;
    if new {
        file.write_all(format::MAGIC).map_err(err)?;
    }
    file.write_all(records).map_err(err)?;
    file.sync_data().map_err(err)
}
