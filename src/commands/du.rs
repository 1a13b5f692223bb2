//! `du` (reference §2.6): sums sizes and counts of what `ls` would list (one level for
//! a plain URL, recursive for a wildcard), optionally grouped by storage class. Unlike
//! s5cmd, a listing error makes the exit code non-zero (§9.2 item 2).

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::command::DuCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::Location;
use crate::output::Message;
use crate::plan::filter::ObjectFilter;
use crate::record::DuRecord;
use crate::storage::{EntryKind, ListRequest, ObjectInfo};
use crate::wildcard::{self, Pattern};

use super::humanize;

/// Runs a du line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &DuCmd) {
    let location = match Location::parse(&cmd.target, false) {
        Ok(l) => l,
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    let filters = ObjectFilter::new(&cmd.exclude, &[], &cmd.filter);
    let mut totals: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut add = |info: &ObjectInfo| {
        let class = info
            .storage_class
            .clone()
            .unwrap_or_else(|| "STANDARD".into());
        let t = totals.entry(class).or_default();
        t.0 += 1;
        t.1 += info.size;
    };
    match &location {
        Location::Remote(url) => {
            let client = match ctx.clients.default_client().await {
                Ok(c) => c,
                Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
            };
            if let Some(version) = &cmd.version_id {
                match client
                    .head_object(&url.bucket, &url.key, Some(version), None)
                    .await
                {
                    Ok(meta) => {
                        let mut info = ObjectInfo::file(url.key.clone(), meta.size);
                        info.storage_class = meta.storage_class;
                        info.last_modified = meta.last_modified;
                        if filters.keep_metadata(&info) {
                            add(&info);
                        }
                    }
                    Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
                }
            } else {
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
                        all_versions: cmd.all_versions,
                    },
                );
                let mut found = false;
                let mut failed = false;
                while let Some(item) = rx.recv().await {
                    match item {
                        Ok(info) => {
                            if info.kind == EntryKind::Directory {
                                continue;
                            }
                            if pattern.as_ref().is_some_and(|p| !p.matches(&info.key)) {
                                continue;
                            }
                            if !filters.keep(wildcard::filter_subject(&info.key, &prefix), &info) {
                                continue;
                            }
                            found = true;
                            add(&info);
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
        }
        Location::Local(path) => {
            let mut rx = crate::plan::expand::local(path, true, &filters);
            while let Some(item) = rx.recv().await {
                match item {
                    Ok(o) => {
                        let mut info = o.info;
                        info.storage_class = None;
                        add(&info);
                    }
                    Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
                }
            }
        }
    }
    let lines: Vec<(Option<String>, u64, u64)> = if cmd.group {
        totals
            .into_iter()
            .map(|(c, (n, s))| (Some(c), n, s))
            .collect()
    } else {
        let (n, s) = totals.values().fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        vec![(None, n, s)]
    };
    for (class, count, size) in lines {
        let text = if ctx.output.json() {
            serde_json::to_string(&DuRecord {
                source: cmd.target.clone(),
                storage_class: class,
                count,
                size,
            })
            .expect("du records serialize")
        } else {
            let size = if cmd.humanize {
                humanize(size)
            } else {
                size.to_string()
            };
            let mut t = format!("{size} bytes in {count} objects: {}", cmd.target);
            if let Some(c) = class {
                t.push_str(&format!(" [{c}]"));
            }
            t
        };
        ctx.output.send(Message::Line(text)).await;
    }
}
