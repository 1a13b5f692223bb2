//! `ls` (reference §2.1): buckets; one level of a prefix (DIR lines first, then
//! objects); a wildcard listed recursively; local paths walked. Each entry goes to
//! `output/` as a [`ListEntry`], which renders it as s5cmd's text or JSON line.

use std::sync::Arc;

use crate::command::LsCmd;
use crate::error::ErrorKind;
use crate::exec::{Ctx, LineCtx};
use crate::location::{Location, RemoteUrl};
use crate::output::Message;
use crate::record::{BucketEntry, ListEntry, ListStyle, QueryResult};
use crate::storage::{EntryKind, ListRequest};
use crate::wildcard::{self, Filters, Pattern};

/// Runs an ls line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &LsCmd) {
    let Some(target) = &cmd.target else {
        return list_buckets(ctx, line).await;
    };
    let location = match Location::parse(target, false) {
        Ok(l) => l,
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    match location {
        Location::Remote(url) => list_remote(ctx, line, cmd, &url).await,
        Location::Local(path) => {
            if cmd.all_versions {
                return line
                    .fail(
                        ctx,
                        "\"all-versions\", and \"version-id\" flags can only be used with remote objects",
                        ErrorKind::Usage,
                    )
                    .await;
            }
            let filters = Filters::new(&cmd.exclude, &[]);
            let mut rx = crate::plan::expand::local(&path, true, &filters);
            while let Some(item) = rx.recv().await {
                if ctx.stopping() {
                    return;
                }
                match item {
                    Ok(o) => {
                        // Names relative to the argument as s5cmd shows them
                        // (`src/a/f` for `ls src`, `a/f` for `ls src/`).
                        let entry = ListEntry {
                            name: o.relative,
                            url: o.info.key.clone(),
                            info: o.info,
                            local: true,
                            style: style(cmd),
                        };
                        ctx.output
                            .send(Message::Query(QueryResult::Entry(entry)))
                            .await;
                    }
                    Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
                }
            }
        }
    }
}

async fn list_buckets(ctx: &Arc<Ctx>, line: &Arc<LineCtx>) {
    let client = match ctx.clients.default_client().await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    match client.list_buckets().await {
        Ok(buckets) => {
            for b in buckets {
                let bucket = BucketEntry {
                    name: b.name,
                    created: b.created,
                };
                ctx.output
                    .send(Message::Query(QueryResult::Bucket(bucket)))
                    .await;
            }
        }
        Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
    }
}

async fn list_remote(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &LsCmd, url: &RemoteUrl) {
    let client = match ctx.clients.default_client().await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    let wildcard = url.is_wildcard();
    let prefix = if wildcard {
        wildcard::literal_prefix(&url.key).to_string()
    } else {
        url.key.clone()
    };
    let pattern = wildcard.then(|| Pattern::remote(&url.key));
    let filters = Filters::new(&cmd.exclude, &[]);
    let filter_prefix = wildcard::literal_prefix(&url.key).to_string();
    // Names: relative for wildcards, children of a prefix/bucket, full keys otherwise.
    let strip = if url.is_bucket() || url.is_prefix() {
        url.key.clone()
    } else {
        String::new()
    };
    let mut rx = client.list(
        &url.bucket,
        ListRequest {
            prefix,
            recursive: wildcard,
            all_versions: cmd.all_versions,
        },
    );
    let mut found = false;
    let mut failed = false;
    while let Some(item) = rx.recv().await {
        if ctx.stopping() {
            return;
        }
        let info = match item {
            Ok(info) => info,
            Err(e) => {
                failed = true;
                line.fail(ctx, e.to_string(), e.kind).await;
                continue;
            }
        };
        if let Some(p) = &pattern
            && (info.kind == EntryKind::Directory || !p.matches(&info.key))
        {
            continue;
        }
        if !filters.keep(wildcard::filter_subject(&info.key, &filter_prefix)) {
            continue;
        }
        found = true;
        let name = if wildcard {
            wildcard::relative_name(&info.key, &url.key)
        } else {
            info.key.strip_prefix(strip.as_str()).unwrap_or(&info.key)
        };
        let entry = ListEntry {
            name: name.to_string(),
            url: format!("s3://{}/{}", url.bucket, info.key),
            info,
            local: false,
            style: style(cmd),
        };
        ctx.output
            .send(Message::Query(QueryResult::Entry(entry)))
            .await;
    }
    if !found && !failed && !url.is_bucket() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

/// The text-only flags of an ls line.
fn style(cmd: &LsCmd) -> ListStyle {
    ListStyle {
        etag: cmd.etag,
        humanize: cmd.humanize,
        storage_class: cmd.storage_class,
        full_path: cmd.show_fullpath,
        versions: cmd.all_versions,
    }
}
