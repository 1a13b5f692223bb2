//! `du` (reference §2.6): sums sizes and counts of what `ls` would list (one level for
//! a plain URL, recursive for a wildcard), optionally grouped by storage class, and
//! sends the totals to `output/` as [`DuTotal`]s. Unlike s5cmd, a listing error makes
//! the exit code non-zero (§9.2 item 2).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::command::DuCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::{LocalPath, Location, RemoteUrl};
use crate::output::Message;
use crate::plan::filter::ObjectFilter;
use crate::record::{DuTotal, QueryResult};
use crate::storage::s3::S3Client;
use crate::storage::{EntryKind, ListRequest, ObjectInfo};
use crate::wildcard::{self, Pattern};

/// Counts and bytes per storage class: `STANDARD` when a listing names none; local
/// files and delete markers have no class and make a group of their own (printed
/// without a class, last), as in s5cmd.
#[derive(Default)]
struct Totals(BTreeMap<Option<String>, (u64, u64)>);

impl Totals {
    fn add(&mut self, class: Option<String>, size: u64) {
        let t = self.0.entry(class).or_default();
        t.0 += 1;
        t.1 += size;
    }

    /// An object of a remote listing.
    fn add_remote(&mut self, info: &ObjectInfo) {
        let class = (!info.is_delete_marker).then(|| {
            info.storage_class
                .clone()
                .unwrap_or_else(|| "STANDARD".into())
        });
        self.add(class, info.size);
    }
}

/// Runs a du line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &DuCmd) {
    let location = match Location::parse(&cmd.target, false) {
        Ok(l) => l,
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    let mut totals = Totals::default();
    match &location {
        Location::Remote(url) => {
            let client = match ctx.clients.default_client().await {
                Ok(c) => c,
                Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
            };
            sum_listing(ctx, line, cmd, &client, url, &mut totals).await;
        }
        Location::Local(path) => sum_local(ctx, line, cmd, path, &mut totals).await,
    }
    // Named as s5cmd prints the URL: `s3://b/` is the bucket `s3://b`.
    send_totals(ctx, cmd, &location.to_string(), totals).await;
}

/// One level of a plain URL, or everything a wildcard matches; with `--version-id`
/// only that version, found in a version listing as s5cmd does (a HEAD of the
/// version fails on servers where the key's latest version is a delete marker).
async fn sum_listing(
    ctx: &Ctx,
    line: &LineCtx,
    cmd: &DuCmd,
    client: &S3Client,
    url: &RemoteUrl,
    totals: &mut Totals,
) {
    let filters = ObjectFilter::new(&cmd.exclude, &[], &cmd.filter);
    let wildcard = url.is_wildcard();
    let pattern = wildcard.then(|| Pattern::remote(&url.key));
    let prefix = wildcard::literal_prefix(&url.key).to_string();
    let mut rx = client.list(
        &url.bucket,
        ListRequest {
            prefix: if wildcard {
                prefix.clone()
            } else {
                url.key.clone()
            },
            recursive: wildcard,
            all_versions: cmd.all_versions || cmd.version_id.is_some(),
        },
    );
    let mut found = false;
    let mut failed = false;
    while let Some(item) = rx.recv().await {
        match item {
            Ok(info) => {
                if pattern.as_ref().is_some_and(|p| !p.matches(&info.key)) {
                    continue;
                }
                if cmd.version_id.is_some() && info.version_id != cmd.version_id {
                    continue;
                }
                // As s5cmd: a listed prefix (`du s3://b/dir` lists `dir/`) or an
                // excluded object counts as found; only objects are summed.
                found = true;
                if info.kind == EntryKind::Directory {
                    continue;
                }
                if !filters.keep(wildcard::filter_subject(&info.key, &prefix), &info) {
                    continue;
                }
                totals.add_remote(&info);
            }
            Err(e) => {
                failed = true;
                line.fail(ctx, e.to_string(), e.kind).await;
            }
        }
    }
    if !found && !failed && !url.is_bucket() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

/// A local file, directory (walked) or glob.
async fn sum_local(ctx: &Ctx, line: &LineCtx, cmd: &DuCmd, path: &LocalPath, totals: &mut Totals) {
    let filters = ObjectFilter::new(&cmd.exclude, &[], &cmd.filter);
    let mut rx = crate::plan::expand::local(path, true, &filters);
    while let Some(item) = rx.recv().await {
        match item {
            Ok(o) => totals.add(None, o.info.size),
            Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
        }
    }
}

/// One total, or one per storage class with `-g`.
async fn send_totals(ctx: &Ctx, cmd: &DuCmd, source: &str, totals: Totals) {
    let lines: Vec<(Option<String>, u64, u64)> = if cmd.group {
        let mut groups: Vec<_> = totals.0.into_iter().map(|(c, (n, s))| (c, n, s)).collect();
        // Classes in name order, then the group without a class.
        groups.sort_by_key(|(class, _, _)| class.is_none());
        groups
    } else {
        let (n, s) = totals
            .0
            .values()
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        vec![(None, n, s)]
    };
    for (storage_class, count, size) in lines {
        let total = DuTotal {
            source: source.to_string(),
            storage_class,
            count,
            size,
            humanize: cmd.humanize,
        };
        ctx.output
            .send(Message::Query(QueryResult::DiskUsage(total)))
            .await;
    }
}
