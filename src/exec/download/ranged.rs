//! A download in parallel ranges of `part_size` bytes into one file, verified while
//! it streams: each range is written at its offset and hashed the way the plan asks
//! ([`RangeHashing`]) — its own part MD5s or CRC, computed in parallel with the other
//! ranges, or chunks handed to the in-order hasher of a sequential digest. Nothing is
//! read back from the file.

use std::fs::File;
use std::sync::Arc;

use futures_util::StreamExt;
use futures_util::stream;

use super::super::download_verify::{Hashed, Plan, RangeHashing, StreamHash};
use super::super::hash_budget::Budget;
use super::super::in_order_hash::{InOrder, WINDOW};
use super::{Feed, short_body, write_stream};
use crate::error::ErrorKind;
use crate::storage::StorageError;
use crate::storage::s3::{ObjectBody, S3Client};

/// A download in parallel ranges of `part_size` bytes into one file.
pub(super) struct Ranged<'a> {
    pub client: &'a S3Client,
    pub bucket: &'a str,
    pub key: &'a str,
    pub version: Option<&'a str>,
    pub total: u64,
    pub part_size: u64,
    /// Ranges in flight at once, the first one included.
    pub concurrency: usize,
    /// The first response's ETag: every range must carry the same.
    pub etag: Option<String>,
}

/// One finished range: its index, length and what it hashed on its own.
type RangeDone = (u64, u64, Option<StreamHash>);

impl Ranged<'_> {
    /// Streams the first range's `body` while fetching the others; returns what the
    /// ranges hashed, assembled in order.
    pub async fn fetch(
        &self,
        body: ObjectBody,
        f: Arc<File>,
        plan: &Plan,
    ) -> Result<Hashed, StorageError> {
        let mode = plan.range_hashing(self.part_size);
        let in_order = match mode {
            RangeHashing::InOrder => plan
                .stream_hash()
                .map(|h| InOrder::start(h, self.total, WINDOW, Budget::global())),
            _ => None,
        };
        let order = in_order.as_ref();
        // One write into the file at a time (see `write_stream`).
        let write_turn = tokio::sync::Mutex::new(());
        let turn = &write_turn;
        // The first part's body streams while the other parts are fetched:
        // `--concurrency` parts in flight in all, the first one included (with
        // `--concurrency 1`, one after the other).
        let first_part = self.stream_range(0, body, f.clone(), mode, order, turn);
        let rest = stream::iter(1..self.total.div_ceil(self.part_size))
            .map(|i| {
                let f = f.clone();
                async move {
                    let body = self.get_range(i).await?;
                    self.stream_range(i, body, f, mode, order, turn).await
                }
            })
            .buffer_unordered(self.concurrency.saturating_sub(1).max(1))
            .collect::<Vec<Result<RangeDone, StorageError>>>();
        let rest = async {
            rest.await
                .into_iter()
                .collect::<Result<Vec<_>, StorageError>>()
        };
        let (first, mut ranges) = if self.concurrency > 1 {
            futures_util::future::try_join(first_part, rest).await?
        } else {
            (first_part.await?, rest.await?)
        };
        ranges.push(first);
        ranges.sort_by_key(|(i, _, _)| *i);
        match in_order {
            Some(o) => Ok(Hashed::from_stream(Some(o.finish().await?))),
            None => Ok(Hashed::from_ranges(
                mode,
                ranges.into_iter().map(|(_, len, h)| (len, h)).collect(),
            )),
        }
    }

    /// GetObject of range `i`, checked to be of the same object as the first range.
    async fn get_range(&self, i: u64) -> Result<ObjectBody, StorageError> {
        let start = i * self.part_size;
        let end = (start + self.part_size).min(self.total) - 1;
        let part = self
            .client
            .get_object(self.bucket, self.key, self.version, Some((start, end)))
            .await?;
        if self.etag.is_some() && part.meta.etag != self.etag {
            return Err(StorageError::new(
                ErrorKind::PreconditionFailed,
                format!("object {} changed during download", self.key),
            ));
        }
        Ok(part.body)
    }

    /// Writes range `i`'s body at its offset, hashing it as `mode` asks.
    async fn stream_range(
        &self,
        i: u64,
        body: ObjectBody,
        f: Arc<File>,
        mode: RangeHashing,
        order: Option<&InOrder>,
        turn: &tokio::sync::Mutex<()>,
    ) -> Result<RangeDone, StorageError> {
        let start = i * self.part_size;
        let len = self.part_size.min(self.total - start);
        let mut hash = mode.range_hash();
        let feed = match (hash.as_mut(), order) {
            (Some(h), _) => Feed::Hash(h),
            (None, Some(o)) => Feed::InOrder(o),
            (None, None) => Feed::None,
        };
        let n = write_stream(body, f, start, feed, Some(turn)).await?;
        if n != len {
            return Err(short_body(self.key, len, n));
        }
        Ok((i, len, hash))
    }
}
