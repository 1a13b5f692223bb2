//! Source expansion (reference §0.3–0.5): a remote wildcard is listed recursively from
//! its literal prefix and matched (`*`/`?` cross `/`); a local directory is walked; a
//! local glob is expanded (no crossing `/`), matched directories walked. Each object
//! gets the relative name used for batch destinations and the subject its filters
//! (`plan/filter.rs`: globs, regexes, size, age) are matched against. Streams: nothing
//! is collected.

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::error::ErrorKind;
use crate::location::{LocalPath, Location, RemoteUrl};
use crate::storage::local::{self, LocalFs};
use crate::storage::s3::{InventoryRequest, S3Client};
use crate::storage::{EntryKind, ListRequest, Lister, ObjectInfo, Storage, StorageError};
use crate::wildcard::{self, Pattern};

use super::filter::ObjectFilter;

/// One object a source expands to.
#[derive(Debug, Clone)]
pub struct SourceObject {
    /// The listing entry; `key` is the full S3 key or the local path as walked.
    pub info: ObjectInfo,
    /// Name relative to the source root (§0.5), for batch destinations.
    pub relative: String,
}

/// What to do with listing results.
pub struct ExpandOptions<'a> {
    /// The line's filters.
    pub filters: &'a ObjectFilter,
    /// Skip objects modified after this instant (remote listings): the moment the
    /// listing starts, so `cp s3://b/* s3://b/dst/` never copies its own output.
    pub not_after: Option<DateTime<Utc>>,
    /// List every version (remote).
    pub all_versions: bool,
    /// `--source-inventory`: read a remote wildcard's objects from this S3 Inventory
    /// report (`s3://…/manifest.json`) instead of listing the bucket.
    pub inventory: Option<&'a str>,
    /// The expansion must come in key order (sync's merge-join): an inventory
    /// report whose rows are not sorted is refused rather than mis-compared.
    pub in_key_order: bool,
}

/// A stream of expanded objects; an `Err` is reported and expansion goes on.
pub type Expanded = mpsc::Receiver<Result<SourceObject, StorageError>>;

/// Expands a remote wildcard: recursive listing from the literal prefix, matched
/// against the pattern, filtered. Emits `no object found` (NoMatch) when nothing matched.
pub fn remote_wildcard(client: &S3Client, url: &RemoteUrl, opts: &ExpandOptions<'_>) -> Expanded {
    let prefix = wildcard::literal_prefix(&url.key).to_string();
    let lister = match opts.inventory {
        Some(manifest) => match inventory_request(manifest, url, prefix, opts) {
            Ok(request) => client.list_inventory(request),
            Err(e) => return failed(e),
        },
        None => client.list(
            &url.bucket,
            ListRequest {
                prefix,
                recursive: true,
                all_versions: opts.all_versions,
            },
        ),
    };
    let pattern = Pattern::remote(&url.key);
    let url = url.clone();
    let filters = opts.filters.clone();
    let not_after = opts.not_after;
    spawn_filter(lister, true, move |info| {
        if info.kind == EntryKind::Directory || !pattern.matches(&info.key) {
            return Decision::Skip;
        }
        if let (Some(limit), Some(t)) = (not_after, info.last_modified)
            && t > limit
        {
            return Decision::Found;
        }
        let subject = wildcard::filter_subject(&info.key, wildcard::literal_prefix(&url.key));
        if !filters.keep(subject, info) {
            return Decision::Found;
        }
        let relative = wildcard::relative_name(&info.key, &url.key).to_string();
        Decision::Emit(relative)
    })
}

/// What to read for `--source-inventory MANIFEST` in place of listing `url`.
fn inventory_request(
    manifest: &str,
    url: &RemoteUrl,
    prefix: String,
    opts: &ExpandOptions<'_>,
) -> Result<InventoryRequest, StorageError> {
    match Location::parse(manifest, true) {
        Ok(Location::Remote(m)) if !m.key.is_empty() && !m.is_wildcard() => Ok(InventoryRequest {
            manifest_bucket: m.bucket,
            manifest_key: m.key,
            bucket: url.bucket.clone(),
            prefix,
            in_key_order: opts.in_key_order,
            all_versions: opts.all_versions,
        }),
        _ => Err(StorageError::new(
            ErrorKind::Usage,
            format!(
                "--source-inventory {manifest:?} is not an s3://bucket/key URL of a manifest.json"
            ),
        )),
    }
}

/// An expansion that is only this error.
fn failed(e: StorageError) -> Expanded {
    let (tx, rx) = mpsc::channel(1);
    let _ = tx.try_send(Err(e));
    rx
}

/// Lists every version of one exact key (for `--all-versions` on a plain key) that
/// passes the size and age filters of `filter`.
pub fn remote_key_versions(client: &S3Client, url: &RemoteUrl, filter: &ObjectFilter) -> Expanded {
    let lister = client.list(
        &url.bucket,
        ListRequest {
            prefix: url.key.clone(),
            recursive: true,
            all_versions: true,
        },
    );
    let key = url.key.clone();
    let filter = filter.clone();
    spawn_filter(lister, true, move |info| {
        if info.key != key {
            return Decision::Skip;
        }
        if !filter.keep_metadata(info) {
            return Decision::Found;
        }
        Decision::Emit(basename(&info.key).to_string())
    })
}

/// Expands a local path: a glob, a directory (walked) or a file.
pub fn local(path: &LocalPath, follow_symlinks: bool, filters: &ObjectFilter) -> Expanded {
    let p = path.path.clone();
    let (lister, root): (Lister, String) = if path.is_wildcard() {
        let prefix = wildcard::literal_prefix(&p);
        let root = match prefix.rfind('/') {
            Some(i) => prefix[..=i].to_string(),
            None => String::new(),
        };
        (local::glob(&p, follow_symlinks), root)
    } else {
        let fs = LocalFs { follow_symlinks };
        let lister = fs.list(ListRequest {
            prefix: p.clone(),
            recursive: true,
            all_versions: false,
        });
        let root = if p.ends_with('/') {
            // The walk joins names to the path without its extra slashes (`dir//` → `dir/a`).
            format!("{}/", p.trim_end_matches('/'))
        } else {
            // `dir` (no slash): names relative to dir's parent, so `dir/a/f`.
            match p.trim_end_matches('/').rfind('/') {
                Some(i) => p[..=i].to_string(),
                None => String::new(),
            }
        };
        (lister, root)
    };
    let filter_prefix = if path.raw {
        String::new()
    } else {
        wildcard::literal_prefix(&p).to_string()
    };
    let filters = filters.clone();
    let given = p.clone();
    spawn_filter(lister, false, move |info| {
        if info.kind == EntryKind::Directory {
            return Decision::Skip;
        }
        if info.kind == EntryKind::Other {
            return Decision::Fail(StorageError::new(
                ErrorKind::NotRegularFile,
                format!("object '{}' is not a regular file", info.key),
            ));
        }
        let subject = wildcard::filter_subject(&info.key, &filter_prefix);
        if !filters.keep(subject, info) {
            return Decision::Found;
        }
        let relative = if info.key == given {
            basename(&info.key).to_string()
        } else {
            info.key
                .strip_prefix(root.as_str())
                .unwrap_or(&info.key)
                .to_string()
        };
        Decision::Emit(relative)
    })
}

/// The last path element.
pub fn basename(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rsplit('/').next().unwrap_or(trimmed)
}

enum Decision {
    /// Not a match.
    Skip,
    /// A match that is filtered out (still counts as found: no `no object found`).
    Found,
    /// Emit with this relative name.
    Emit(String),
    /// A match that cannot be used: report the error.
    Fail(StorageError),
}

/// Runs `decide` over a listing in a task, forwarding matches; with `report_no_match`,
/// reports `no object found` when the listing ended without a single match.
fn spawn_filter<F>(mut lister: Lister, report_no_match: bool, mut decide: F) -> Expanded
where
    F: FnMut(&ObjectInfo) -> Decision + Send + 'static,
{
    let (tx, rx) = mpsc::channel(crate::storage::LIST_CHANNEL_CAPACITY);
    tokio::spawn(async move {
        let mut found = false;
        let mut listing_failed = false;
        while let Some(item) = lister.recv().await {
            match item {
                Ok(info) => match decide(&info) {
                    Decision::Skip => {}
                    Decision::Found => found = true,
                    Decision::Fail(e) => {
                        found = true;
                        if tx.send(Err(e)).await.is_err() {
                            return;
                        }
                    }
                    Decision::Emit(relative) => {
                        found = true;
                        if tx.send(Ok(SourceObject { info, relative })).await.is_err() {
                            return;
                        }
                    }
                },
                Err(e) => {
                    listing_failed = listing_failed || e.kind != ErrorKind::NotRegularFile;
                    if tx.send(Err(e)).await.is_err() {
                        return;
                    }
                }
            }
        }
        if report_no_match && !found && !listing_failed {
            let _ = tx
                .send(Err(StorageError::new(
                    ErrorKind::NoMatch,
                    "no object found",
                )))
                .await;
        }
    });
    rx
}
