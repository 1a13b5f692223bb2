//! `ls` (reference §2.1): buckets; one level of a prefix (DIR lines first, then
//! objects); a wildcard listed recursively; local paths walked. Text lines follow
//! s5cmd's `%19s %2s %-1s %12s  %s` layout; JSON lines are s5cmd's object shape.

use std::sync::Arc;

use chrono::{DateTime, Local, Utc};

use crate::command::LsCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::{Location, RemoteUrl};
use crate::output::Message;
use crate::record::{BucketRecord, ObjectRecord, format_local, format_utc};
use crate::storage::{EntryKind, ListRequest, ObjectInfo};
use crate::wildcard::{self, Filters, Pattern};

use super::humanize;

/// Runs an ls line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &LsCmd) {
    let Some(target) = &cmd.target else {
        return list_buckets(ctx, line).await;
    };
    let location = match Location::parse(target, false) {
        Ok(l) => l,
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    let batchops = cmd.format.as_deref() == Some("batchops-csv");
    match location {
        Location::Local(_) if batchops => {
            let m = "--format batchops-csv lists S3 objects only";
            line.fail(ctx, m, ErrorKind::Usage).await
        }
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
                        let entry = Entry {
                            name: &o.relative,
                            url: o.info.key.clone(),
                            info: &o.info,
                            local: true,
                        };
                        ctx.output
                            .send(Message::Line(render(ctx, cmd, &entry)))
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
                let text = if ctx.output.json() {
                    serde_json::to_string(&BucketRecord {
                        created_at: b.created.as_ref().map(format_utc),
                        name: b.name,
                    })
                    .expect("bucket records serialize")
                } else {
                    format!("{}  s3://{}", date_column(b.created, false), b.name)
                };
                ctx.output.send(Message::Line(text)).await;
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
        if cmd.format.as_deref() == Some("batchops-csv") {
            if let Some(l) = crate::output::batchops::line(&url.bucket, &info) {
                ctx.output.send(Message::Line(l)).await;
            }
            continue;
        }
        let name = if wildcard {
            wildcard::relative_name(&info.key, &url.key)
        } else {
            info.key.strip_prefix(strip.as_str()).unwrap_or(&info.key)
        };
        let entry = Entry {
            name,
            url: format!("s3://{}/{}", url.bucket, info.key),
            info: &info,
            local: false,
        };
        ctx.output
            .send(Message::Line(render(ctx, cmd, &entry)))
            .await;
    }
    if !found && !failed && !url.is_bucket() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

struct Entry<'a> {
    name: &'a str,
    url: String,
    info: &'a ObjectInfo,
    local: bool,
}

fn render(ctx: &Ctx, cmd: &LsCmd, e: &Entry<'_>) -> String {
    let dir = e.info.kind == EntryKind::Directory;
    if ctx.output.json() {
        let record = ObjectRecord {
            key: Some(e.url.clone()),
            etag: e.info.etag.clone(),
            last_modified: e.info.last_modified.as_ref().map(|t| {
                if e.local {
                    format_local(t)
                } else {
                    format_utc(t)
                }
            }),
            kind: if dir { "directory" } else { "file" }.to_string(),
            size: (!dir).then_some(e.info.size),
            storage_class: if dir || e.local {
                None
            } else {
                Some(
                    e.info
                        .storage_class
                        .clone()
                        .unwrap_or_else(|| "STANDARD".into()),
                )
            },
            version_id: e.info.version_id.clone(),
            delete_marker: e.info.is_delete_marker,
        };
        return serde_json::to_string(&record).expect("object records serialize");
    }
    if cmd.show_fullpath {
        return e.url.clone();
    }
    let date = if dir {
        String::new()
    } else {
        date_column(e.info.last_modified, e.local)
    };
    let class = if cmd.storage_class && !dir && !e.local {
        e.info
            .storage_class
            .clone()
            .unwrap_or_else(|| "STANDARD".into())
    } else {
        String::new()
    };
    let size = if dir {
        "DIR".to_string()
    } else if cmd.humanize {
        humanize(e.info.size)
    } else {
        e.info.size.to_string()
    };
    let mut line = if cmd.etag {
        let etag = e.info.etag.clone().unwrap_or_default();
        format!("{date:>19} {class:>2} {etag:<38} {size:>12}  ")
    } else {
        format!("{date:>19} {class:>2} {:<1} {size:>12}  ", "")
    };
    match &e.info.version_id {
        Some(v) if cmd.all_versions => line.push_str(&format!("{:<50} {v}", e.name)),
        _ => line.push_str(e.name),
    }
    line
}

/// `2006/01/02 15:04:05`: UTC for S3, local time for files.
fn date_column(t: Option<DateTime<Utc>>, local: bool) -> String {
    match t {
        Some(t) if local => t
            .with_timezone(&Local)
            .format("%Y/%m/%d %H:%M:%S")
            .to_string(),
        Some(t) => t.format("%Y/%m/%d %H:%M:%S").to_string(),
        None => String::new(),
    }
}
