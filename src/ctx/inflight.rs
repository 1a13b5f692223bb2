//! Multipart uploads in flight, so that an interrupted run leaves none behind.
//!
//! A failed multipart upload is aborted by the op itself. The first Ctrl-C lets
//! running ops finish (so their uploads complete or abort normally); the second
//! exits at once — before it does, `run.rs` calls [`InFlight::abort_all`], which
//! aborts every upload still registered here (each op registers its upload id
//! between CreateMultipartUpload and Complete/Abort with a [`Registration`] guard).
//! Only `kill -9` can leave an incomplete upload; a bucket lifecycle rule
//! (AbortIncompleteMultipartUpload) is the remedy for that.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::storage::s3::S3Client;

/// How long one abort may take when the process is about to exit.
const ABORT_TIMEOUT: Duration = Duration::from_secs(10);

/// One upload in flight.
struct Entry {
    client: S3Client,
    bucket: String,
    key: String,
    upload_id: String,
}

/// The registry (one per run, in [`crate::ctx::Ctx`]).
#[derive(Default)]
pub struct InFlight {
    next: AtomicU64,
    uploads: Mutex<HashMap<u64, Entry>>,
}

/// Removes its upload from the registry when dropped (completed, aborted, or the
/// op's future dropped).
pub struct Registration {
    owner: Arc<InFlight>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.owner
            .uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
    }
}

impl InFlight {
    /// Registers an upload until the returned guard is dropped.
    pub fn register(
        self: &Arc<Self>,
        client: &S3Client,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Registration {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                id,
                Entry {
                    client: client.clone(),
                    bucket: bucket.to_owned(),
                    key: key.to_owned(),
                    upload_id: upload_id.to_owned(),
                },
            );
        Registration {
            owner: self.clone(),
            id,
        }
    }

    /// How many uploads are registered.
    pub fn len(&self) -> usize {
        self.uploads.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Aborts every registered upload (concurrently, each within a timeout);
    /// returns how many aborts succeeded.
    pub async fn abort_all(&self) -> usize {
        let entries: Vec<Entry> = self
            .uploads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .drain()
            .map(|(_, e)| e)
            .collect();
        let aborts = entries.into_iter().map(|e| async move {
            let abort = e
                .client
                .abort_multipart_upload(&e.bucket, &e.key, &e.upload_id);
            matches!(tokio::time::timeout(ABORT_TIMEOUT, abort).await, Ok(Ok(())))
        });
        futures_util::future::join_all(aborts)
            .await
            .into_iter()
            .filter(|ok| *ok)
            .count()
    }
}
