//! `rm` planning (reference §2.4): validation, expansion of every argument (wildcards
//! listed, directories walked, plain keys used as they are), filters relative to the
//! first argument, remote keys grouped into DeleteObjects batches of 1,000. Arguments
//! that match nothing are ignored as long as another one matched; if none did,
//! `no object found`.

use std::sync::Arc;

use crate::command::RmCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec;
use crate::location::Location;
use crate::op::ClientSpec;
use crate::op::{DeleteLocal, DeleteRemote, Op};
use crate::wildcard::{self, Filters};

use crate::plan::expand::{self, ExpandOptions};

/// Keys per DeleteObjects request.
pub const DELETE_BATCH: usize = 1000;

/// Plans and submits an rm line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &RmCmd) {
    let mut locations = Vec::with_capacity(cmd.targets.len());
    for t in &cmd.targets {
        match Location::parse(t, cmd.raw) {
            Ok(l) => locations.push(l),
            Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
        }
    }
    let remote_count = locations.iter().filter(|l| l.is_remote()).count();
    if remote_count != 0 && remote_count != locations.len() {
        return line
            .fail(
                ctx,
                "arguments cannot have both local and remote sources",
                ErrorKind::Usage,
            )
            .await;
    }
    let mut bucket: Option<&str> = None;
    for l in &locations {
        if let Location::Remote(r) = l {
            if !r.is_wildcard() && (r.is_bucket() || r.is_prefix()) {
                return line
                    .fail(
                        ctx,
                        "s3 bucket/prefix cannot be used for delete operations (forgot wildcard character?)",
                        ErrorKind::Usage,
                    )
                    .await;
            }
            match bucket {
                Some(b) if b != r.bucket => {
                    return line
                        .fail(
                            ctx,
                            "removal of objects with different buckets in a single command is not allowed",
                            ErrorKind::Usage,
                        )
                        .await;
                }
                _ => bucket = Some(&r.bucket),
            }
        } else if cmd.all_versions || cmd.version_id.is_some() {
            return line
                .fail(
                    ctx,
                    "\"all-versions\", and \"version-id\" flags can only be used with remote objects",
                    ErrorKind::Usage,
                )
                .await;
        }
    }
    // Filters are relative to the first argument's prefix (s5cmd).
    let first_prefix = match &locations[0] {
        Location::Remote(r) if !r.raw => wildcard::literal_prefix(&r.key).to_string(),
        Location::Local(l) if !l.raw => wildcard::literal_prefix(&l.path).to_string(),
        _ => String::new(),
    };
    let filters = Filters::new(&cmd.exclude, &cmd.include);
    let mut produced = 0u64;
    let mut batch: Vec<(String, Option<String>)> = Vec::new();
    let spec = ClientSpec::default();
    for location in &locations {
        if ctx.stopping() {
            break;
        }
        match location {
            Location::Remote(r) if !r.is_wildcard() && !cmd.all_versions => {
                let subject = wildcard::filter_subject(&r.key, &first_prefix);
                if !filters.keep(subject) {
                    continue;
                }
                produced += 1;
                batch.push((r.key.clone(), cmd.version_id.clone()));
                if batch.len() == DELETE_BATCH {
                    submit_batch(ctx, line, &spec, &r.bucket, std::mem::take(&mut batch)).await;
                }
            }
            Location::Remote(r) => {
                let client = match ctx.clients.get(&spec).await {
                    Ok(c) => c,
                    Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
                };
                let mut rx = if r.is_wildcard() {
                    let opts = ExpandOptions {
                        filters: &filters,
                        not_after: None,
                        all_versions: cmd.all_versions,
                    };
                    expand::remote_wildcard(&client, r, &opts)
                } else {
                    expand::remote_key_versions(&client, r)
                };
                while let Some(item) = rx.recv().await {
                    match item {
                        Ok(o) => {
                            produced += 1;
                            let version = if cmd.all_versions {
                                o.info.version_id.clone()
                            } else {
                                None
                            };
                            batch.push((o.info.key, version));
                            if batch.len() == DELETE_BATCH {
                                submit_batch(
                                    ctx,
                                    line,
                                    &spec,
                                    &r.bucket,
                                    std::mem::take(&mut batch),
                                )
                                .await;
                            }
                        }
                        Err(e) if e.kind == ErrorKind::NoMatch => {}
                        Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
                    }
                }
            }
            Location::Local(l) => {
                let mut rx = expand::local(l, true, &filters);
                while let Some(item) = rx.recv().await {
                    match item {
                        Ok(o) => {
                            produced += 1;
                            let op = Op::DeleteLocal(DeleteLocal {
                                operation: "rm",
                                path: o.info.key,
                                prune_empty_dirs_below: None,
                            });
                            exec::submit(ctx, line, op).await;
                        }
                        Err(e) if matches!(e.kind, ErrorKind::NoMatch | ErrorKind::NoSuchKey) => {}
                        Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
                    }
                }
            }
        }
    }
    if let (Some(bucket), false) = (bucket, batch.is_empty()) {
        submit_batch(ctx, line, &spec, bucket, batch).await;
    }
    if produced == 0 && !ctx.stopping() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

async fn submit_batch(
    ctx: &Arc<Ctx>,
    line: &Arc<LineCtx>,
    spec: &ClientSpec,
    bucket: &str,
    keys: Vec<(String, Option<String>)>,
) {
    let op = Op::DeleteRemote(DeleteRemote {
        operation: "rm",
        client: spec.clone(),
        bucket: bucket.to_string(),
        keys,
    });
    exec::submit(ctx, line, op).await;
}
