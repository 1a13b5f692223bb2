//! Streamed listings: a task paginates into a bounded channel, so a listing of a
//! billion keys never sits in memory.
//!
//! A recursive listing is split when the client's list concurrency is above 1: one
//! ListObjectsV2 stream with the `/` delimiter discovers the prefix's children (the
//! objects directly under it and its common prefixes, in key order), and each common
//! prefix is listed recursively by a task of its own, up to `concurrency` of them at
//! a time, each running ahead into its own bounded channel. The entries are passed on
//! child by child in the discovery's order, so the result is exactly the single
//! stream's, in the same (UTF-8 binary) order: every key under a common prefix `p/`
//! sorts where `p/` sorts among its siblings. Sync's merge-join relies on that order;
//! cp and rm get a deterministic one for free.
//!
//! Memory: at most `concurrency` child channels of two pages (1,000 entries each)
//! plus the page being fetched, and at most [`LIST_CHANNEL_CAPACITY`] discovered
//! entries waiting their turn. Children hand over whole pages, so the merging
//! task wakes once per page, not once per entry.
//! When the discovery finds a single common prefix and nothing else (`data/` holding
//! everything), it looks one level deeper, a few levels at most.

use std::collections::VecDeque;

use tokio::sync::mpsc;

use super::S3Client;
use crate::error::ErrorKind;
use crate::storage::{
    EntryKind, LIST_CHANNEL_CAPACITY, ListRequest, Lister, ObjectInfo, StorageError,
};

type Tx = mpsc::Sender<Result<ObjectInfo, StorageError>>;
type Children = mpsc::Receiver<Result<ObjectInfo, StorageError>>;

/// Pages a child listing reads ahead of the consumer.
const CHILD_PAGES: usize = 2;

/// How many levels a discovery descends through lone common prefixes.
const MAX_DESCENT: usize = 4;

/// What a page-by-page listing asks for.
#[derive(Clone)]
struct Walk {
    client: S3Client,
    bucket: String,
    delimiter: Option<&'static str>,
    all_versions: bool,
}

impl Walk {
    async fn page(
        &self,
        prefix: &str,
        token: Option<&str>,
    ) -> Result<super::ListPage, StorageError> {
        if self.all_versions {
            self.client
                .list_versions_page(&self.bucket, prefix, self.delimiter, token)
                .await
        } else {
            self.client
                .list_objects_page(&self.bucket, prefix, self.delimiter, token)
                .await
        }
    }

    /// Sends every entry of `prefix` from `token` on (the first page's entries
    /// already sent when `token` is set); stops at an error (sent) or when the
    /// receiver is gone.
    async fn paginate(self, prefix: String, mut token: Option<String>, tx: Sink) {
        loop {
            let page = match self.page(&prefix, token.as_deref()).await {
                Ok(p) => p,
                Err(e) => return tx.fail(e).await,
            };
            if !tx.put(page.entries).await {
                return;
            }
            match page.next_token {
                Some(t) if Some(&t) != token.as_ref() => token = Some(t),
                Some(_) => return tx.fail(repeated_token()).await,
                None => return,
            }
        }
    }
}

/// Where a paginating task sends: entry by entry (a [`Lister`]), or page by page
/// (a child listing: one wake-up of the merging task per page, not per entry).
enum Sink {
    Entries(Tx),
    Pages(mpsc::Sender<Result<Vec<ObjectInfo>, StorageError>>),
}

impl Sink {
    /// Sends a page's entries; false when the receiver is gone.
    async fn put(&self, entries: Vec<ObjectInfo>) -> bool {
        match self {
            Sink::Entries(tx) => {
                for e in entries {
                    if tx.send(Ok(e)).await.is_err() {
                        return false;
                    }
                }
                true
            }
            Sink::Pages(tx) => entries.is_empty() || tx.send(Ok(entries)).await.is_ok(),
        }
    }

    async fn fail(&self, e: StorageError) {
        match self {
            Sink::Entries(tx) => drop(tx.send(Err(e)).await),
            Sink::Pages(tx) => drop(tx.send(Err(e)).await),
        }
    }
}

fn repeated_token() -> StorageError {
    StorageError::new(
        ErrorKind::InvalidResponse,
        "the server returned the same continuation token twice",
    )
}

impl S3Client {
    /// A streamed listing (a task paginates into a bounded channel).
    ///
    /// The channel holds [`LIST_CHANNEL_CAPACITY`] entries, a page or so: the task
    /// fetches the next page only while the consumer keeps up, so memory stays
    /// bounded however many keys the bucket has. Dropping the receiver stops the task.
    /// A recursive listing is split over common prefixes (module docs) when the
    /// client's list concurrency is above 1; the entries and their order are the same.
    pub fn list(&self, bucket: &str, request: ListRequest) -> Lister {
        let (tx, rx) = mpsc::channel(LIST_CHANNEL_CAPACITY);
        let walk = Walk {
            client: self.clone(),
            bucket: bucket.to_owned(),
            delimiter: (!request.recursive).then_some("/"),
            all_versions: request.all_versions,
        };
        let concurrency = self.list_concurrency();
        if request.recursive && concurrency > 1 {
            tokio::spawn(parallel(walk, request.prefix, concurrency, tx));
        } else {
            tokio::spawn(walk.paginate(request.prefix, None, Sink::Entries(tx)));
        }
        rx
    }
}

/// One child of the discovered prefix, in key order.
enum Child {
    /// An object directly under the prefix.
    Entry(ObjectInfo),
    /// A common prefix, being listed recursively by its own task.
    Listing(mpsc::Receiver<Result<Vec<ObjectInfo>, StorageError>>),
    /// The discovery failed here: the consumer gets every entry before it, then this.
    Failed(StorageError),
}

/// The parallel recursive listing of `prefix` (module docs).
async fn parallel(walk: Walk, prefix: String, concurrency: usize, tx: Tx) {
    let recursive = Walk {
        delimiter: None,
        ..walk.clone()
    };
    let discovery = Walk {
        delimiter: Some("/"),
        ..walk
    };
    let (parent, mut children) = match discover(discovery, prefix).await {
        Ok(found) => found,
        Err(e) => {
            let _ = tx.send(Err(e)).await;
            return;
        }
    };
    let mut queue: VecDeque<Child> = VecDeque::new();
    let mut running = 0;
    let mut discovered_all = false;
    loop {
        // Keep `concurrency` child listings running ahead of the consumer.
        while !discovered_all && running < concurrency && queue.len() < LIST_CHANNEL_CAPACITY {
            match children.recv().await {
                None => discovered_all = true,
                Some(Err(e)) => {
                    queue.push_back(Child::Failed(e));
                    discovered_all = true;
                }
                // A common prefix; not a folder object named like the prefix itself
                // (`a/` listed under `a/`), the only object a delimiter listing
                // can return with a `/` after the prefix.
                Some(Ok(info)) if info.kind == EntryKind::Directory && info.key != parent => {
                    let (ctx, crx) = mpsc::channel(CHILD_PAGES);
                    let sink = Sink::Pages(ctx);
                    tokio::spawn(recursive.clone().paginate(info.key, None, sink));
                    queue.push_back(Child::Listing(crx));
                    running += 1;
                }
                Some(Ok(info)) => queue.push_back(Child::Entry(info)),
            }
        }
        match queue.pop_front() {
            None if discovered_all => return,
            None => {}
            Some(Child::Failed(e)) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
            Some(Child::Entry(info)) => {
                let gone = tx.send(Ok(info)).await.is_err();
                if gone {
                    return;
                }
            }
            Some(Child::Listing(mut rx)) => {
                running -= 1;
                while let Some(page) = rx.recv().await {
                    let entries = match page {
                        Ok(entries) => entries,
                        Err(e) => {
                            let _ = tx.send(Err(e)).await;
                            return;
                        }
                    };
                    for e in entries {
                        if tx.send(Ok(e)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }
}

/// The children of `prefix` (delimited listing), streamed, with the prefix they
/// are the children of: it descends through a lone common prefix (a first and
/// only page holding just that prefix).
async fn discover(walk: Walk, mut prefix: String) -> Result<(String, Children), StorageError> {
    let mut depth = 0;
    loop {
        let page = walk.page(&prefix, None).await?;
        let lone = match page.entries.as_slice() {
            [only] if only.kind == EntryKind::Directory && page.next_token.is_none() => {
                Some(only.key.clone())
            }
            _ => None,
        };
        if let Some(child) = lone
            && depth < MAX_DESCENT
            && child != prefix
        {
            prefix = child;
            depth += 1;
            continue;
        }
        let (tx, rx) = mpsc::channel(LIST_CHANNEL_CAPACITY);
        let next = page.next_token.clone();
        let parent = prefix.clone();
        tokio::spawn(async move {
            for e in page.entries {
                if tx.send(Ok(e)).await.is_err() {
                    return;
                }
            }
            if next.is_some() {
                walk.paginate(prefix, next, Sink::Entries(tx)).await;
            }
        });
        return Ok((parent, rx));
    }
}
