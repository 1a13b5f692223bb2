//! A download in parallel ranges of `part_size` bytes into one file, verified while
//! it streams: each range is written at its offset and hashed the way the plan asks
//! ([`RangeHashing`]) — its own part MD5s or CRC, computed in parallel with the other
//! ranges, or chunks handed to the in-order hasher of a sequential digest. Nothing is
//! read back from the file.
//!
//! For a sequential digest the range size is free (no part MD5 has to line up with
//! the ranges), and ranges of `part_size` would not fit the in-order hasher's window
//! (50 MiB ranges, 5 in flight, a 64 MiB window): only the lowest range could stream
//! while the others stalled. So after the first range (the first response, which
//! covers `part_size` bytes) the ranges are smaller, [`in_order_range`], so that all
//! those in flight fit the window and every connection keeps streaming.

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

/// The smallest range [`in_order_range`] picks.
const MIN_RANGE: u64 = 1024 * 1024;

/// The size of the ranges after the first one when they are hashed in order: the
/// window less its lead, shared by the `concurrency` ranges in flight (whole MiB, at
/// least [`MIN_RANGE`]), at most `part_size`.
pub(super) fn in_order_range(part_size: u64, concurrency: usize) -> u64 {
    let ahead = (WINDOW - WINDOW / 8) as u64 / concurrency.max(1) as u64;
    (ahead / MIN_RANGE * MIN_RANGE)
        .max(MIN_RANGE)
        .min(part_size)
}

/// Where the ranges lie: the first one (the first response) of `first` bytes, the
/// others of `size` bytes, up to `total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Layout {
    first: u64,
    size: u64,
    total: u64,
}

impl Layout {
    /// How many ranges.
    fn count(&self) -> u64 {
        1 + self.total.saturating_sub(self.first).div_ceil(self.size)
    }

    /// Range `i`'s offset and length.
    fn range(&self, i: u64) -> (u64, u64) {
        let start = if i == 0 {
            0
        } else {
            self.first + (i - 1) * self.size
        };
        let len = if i == 0 { self.first } else { self.size };
        (start, len.min(self.total - start))
    }
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
        let layout = Layout {
            first: self.part_size,
            size: match mode {
                RangeHashing::InOrder => in_order_range(self.part_size, self.concurrency),
                _ => self.part_size,
            },
            total: self.total,
        };
        let layout = &layout;
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
        let first_part = self.stream_range(layout.range(0), body, f.clone(), mode, order, turn);
        let rest = stream::iter(1..layout.count())
            .map(|i| {
                let f = f.clone();
                async move {
                    let (start, len) = layout.range(i);
                    let body = self.get_range(start, len).await?;
                    let (_, len, hash) = self
                        .stream_range((start, len), body, f, mode, order, turn)
                        .await?;
                    Ok((i, len, hash))
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
        let first = (0, first.1, first.2);
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

    /// GetObject of the `len` bytes at `start`, checked to be of the same object as
    /// the first range.
    async fn get_range(&self, start: u64, len: u64) -> Result<ObjectBody, StorageError> {
        let end = start + len - 1;
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

    /// Writes the body of the range of `len` bytes at `start`, hashing it as `mode`
    /// asks.
    async fn stream_range(
        &self,
        (start, len): (u64, u64),
        body: ObjectBody,
        f: Arc<File>,
        mode: RangeHashing,
        order: Option<&InOrder>,
        turn: &tokio::sync::Mutex<()>,
    ) -> Result<RangeDone, StorageError> {
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
        Ok((start, len, hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[test]
    fn in_order_ranges_in_flight_fit_the_window() {
        // 64 MiB window, 56 MiB past the lead, 5 in flight: 11 MiB each.
        assert_eq!(in_order_range(50 * MIB, 5), 11 * MIB);
        assert!(5 * in_order_range(50 * MIB, 5) <= (WINDOW - WINDOW / 8) as u64);
        assert_eq!(in_order_range(5 * MIB, 5), 5 * MIB);
        assert_eq!(in_order_range(50 * MIB, 1000), MIB);
        assert_eq!(in_order_range(50 * MIB, 0), 50 * MIB);
    }

    #[test]
    fn the_layout_covers_the_object_once_in_order() {
        let l = Layout {
            first: 50,
            size: 11,
            total: 100,
        };
        let ranges: Vec<_> = (0..l.count()).map(|i| l.range(i)).collect();
        assert_eq!(
            ranges,
            vec![(0, 50), (50, 11), (61, 11), (72, 11), (83, 11), (94, 6)]
        );
        let same = Layout {
            first: 50,
            size: 50,
            total: 120,
        };
        let ranges: Vec<_> = (0..same.count()).map(|i| same.range(i)).collect();
        assert_eq!(ranges, vec![(0, 50), (50, 50), (100, 20)]);
    }
}
