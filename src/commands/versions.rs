//! `cp --all-versions` and `sync --all-versions`: every version (and delete marker)
//! of every matching key of a versioned bucket, copied oldest first into another
//! versioned bucket, so the destination's version list of each key ends with the
//! source's, in the same order.
//!
//! How a rerun knows what is there: each copied version carries the source's
//! version id in its metadata ([`SOURCE_VERSION`], `x-amz-meta-s5rs-source-version`).
//! Per key, the destination's versions are listed; its newest real version names
//! the last source version copied, and the delete markers after it stand for the
//! source's markers that followed. Only the source versions after those are copied,
//! so a rerun of a finished copy copies nothing, and a rerun of an interrupted one
//! goes on where it stopped. A delete marker is copied as a DeleteObject of the
//! destination key, which creates a marker in a versioned bucket.
//!
//! The versions of one key are copied in order as one chain on one worker slot
//! ([`exec::submit_chain`]); keys run in parallel. A version is copied with the
//! REPLACE directive: the source version's own headers and metadata plus
//! [`SOURCE_VERSION`] (the flags' storage class, ACL, encryption and SSE-C keys
//! apply as for any copy).

use std::sync::Arc;

use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec;
use crate::location::{Location, RemoteUrl};
use crate::op::{DeleteRemote, Op, ServerCopy, TransferOpts};
use crate::plan::dest;
use crate::plan::expand::{self, ExpandOptions, SourceObject, basename};
use crate::plan::filter::ObjectFilter;
use crate::storage::s3::S3Client;
use crate::storage::{ListRequest, MetadataDirective, ObjectHeaders, ObjectInfo, StorageError};

/// The user metadata key naming the source version a destination version came from.
pub const SOURCE_VERSION: &str = "s5rs-source-version";

/// Copies every version of the keys `src` names into `dst` (both S3); `flatten`:
/// destination names are base names (`cp --flatten`).
pub async fn run(
    ctx: &Arc<Ctx>,
    line: &Arc<LineCtx>,
    opts: &Arc<TransferOpts>,
    filters: &ObjectFilter,
    (src, dst): (&Location, &Location),
    flatten: bool,
) {
    let (Location::Remote(src), Location::Remote(dst)) = (src, dst) else {
        return line
            .fail(
                ctx,
                "--all-versions copies between S3 buckets: source and destination must be remote",
                ErrorKind::Usage,
            )
            .await;
    };
    let client = match ctx.clients.get(&opts.src_client).await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    let batch = src.is_wildcard();
    let mut rx = if batch {
        let expand_opts = ExpandOptions {
            filters,
            not_after: Some(chrono::Utc::now()),
            all_versions: true,
            inventory: None,
            in_key_order: true,
        };
        expand::remote_wildcard(&client, src, &expand_opts)
    } else {
        expand::remote_key_versions(&client, src, filters)
    };
    let mut group: Vec<SourceObject> = Vec::new();
    while let Some(item) = rx.recv().await {
        if ctx.stopping() {
            return;
        }
        match item {
            Ok(object) => {
                if group.first().is_some_and(|g| g.info.key != object.info.key) {
                    let versions = std::mem::take(&mut group);
                    submit_key(ctx, line, opts, (src, dst), versions, batch && !flatten).await;
                }
                group.push(object);
            }
            Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
        }
    }
    if !group.is_empty() {
        submit_key(ctx, line, opts, (src, dst), group, batch && !flatten).await;
    }
}

/// Submits the chain that copies the missing versions of one key.
async fn submit_key(
    ctx: &Arc<Ctx>,
    line: &Arc<LineCtx>,
    opts: &Arc<TransferOpts>,
    (src, dst): (&RemoteUrl, &RemoteUrl),
    versions: Vec<SourceObject>,
    relative: bool,
) {
    let first = &versions[0];
    let shard_name = if relative {
        first.relative.clone()
    } else {
        first.info.key.clone()
    };
    if !ctx.owns(&shard_name) {
        return;
    }
    let name = if relative {
        first.relative.clone()
    } else {
        basename(&first.info.key).to_string()
    };
    let dst = dest::remote(dst, &name, src.is_wildcard());
    let src = src.with_key(first.info.key.clone());
    let mut versions: Vec<ObjectInfo> = versions.into_iter().map(|o| o.info).collect();
    oldest_first(&mut versions);
    let (ctx2, opts) = (ctx.clone(), opts.clone());
    exec::submit_chain(ctx, line, async move {
        plan_key(&ctx2, &opts, &src, &dst, versions)
            .await
            .map_err(|e| {
                exec::report::failed(opts.operation, &src.to_string(), &dst.to_string(), &e)
            })
    })
    .await;
}

/// Sorts one key's versions oldest first: by LastModified, the latest version last
/// among equal times, other ties in reverse listing order (S3 lists a key's versions
/// newest first; moto lists delete markers after all versions, with times in whole
/// seconds, so the latest flag places a marker made in the same second).
pub fn oldest_first(versions: &mut [ObjectInfo]) {
    versions.reverse();
    versions.sort_by_key(|v| (v.last_modified, v.is_latest));
}

/// The ops that bring `dst` up to date with the source versions (oldest first).
async fn plan_key(
    ctx: &Arc<Ctx>,
    opts: &Arc<TransferOpts>,
    src: &RemoteUrl,
    dst: &RemoteUrl,
    versions: Vec<ObjectInfo>,
) -> Result<Vec<Op>, StorageError> {
    let src_client = ctx.clients.get(&opts.src_client).await?;
    let dst_client = ctx.clients.get(&opts.dst_client).await?;
    let existing = destination_versions(&dst_client, dst).await?;
    let done = copied_count(&versions, &existing, &dst_client, dst).await?;
    let mut ops = Vec::new();
    for v in versions.into_iter().skip(done) {
        if v.is_delete_marker {
            ops.push(Op::DeleteRemote(DeleteRemote {
                operation: "rm",
                client: opts.dst_client.clone(),
                bucket: dst.bucket.clone(),
                keys: vec![(dst.key.clone(), None)],
            }));
            continue;
        }
        let version = v.version_id.clone();
        let meta = src_client
            .head_object(&src.bucket, &src.key, version.as_deref(), None)
            .await?;
        let mut metadata: Vec<(String, String)> = meta.metadata.into_iter().collect();
        metadata.retain(|(k, _)| k != SOURCE_VERSION);
        metadata.push((
            SOURCE_VERSION.to_string(),
            version.clone().unwrap_or_else(|| "null".into()),
        ));
        let headers = ObjectHeaders {
            content: meta.content,
            metadata,
            storage_class: opts.headers.storage_class.clone().or(meta.storage_class),
            ..opts.headers.clone()
        };
        let version_opts = TransferOpts {
            headers,
            headers_given: true,
            metadata_directive: Some(MetadataDirective::Replace),
            ..(**opts).clone()
        };
        ops.push(Op::Copy(ServerCopy {
            opts: Arc::new(version_opts),
            src: src.clone(),
            version_id: version,
            dst: dst.clone(),
            info: Some(v),
        }));
    }
    Ok(ops)
}

/// Every version and delete marker of exactly `dst`'s key, oldest first.
async fn destination_versions(
    client: &S3Client,
    dst: &RemoteUrl,
) -> Result<Vec<ObjectInfo>, StorageError> {
    let mut lister = client.list(
        &dst.bucket,
        ListRequest {
            prefix: dst.key.clone(),
            recursive: true,
            all_versions: true,
        },
    );
    let mut out = Vec::new();
    while let Some(item) = lister.recv().await {
        let info = item?;
        if info.key == dst.key {
            out.push(info);
        }
    }
    oldest_first(&mut out);
    Ok(out)
}

/// How many of the source versions (oldest first) the destination already holds:
/// up to the one its newest real version was copied from, plus the source's delete
/// markers matched by the destination's markers after it.
async fn copied_count(
    versions: &[ObjectInfo],
    existing: &[ObjectInfo],
    dst_client: &S3Client,
    dst: &RemoteUrl,
) -> Result<usize, StorageError> {
    let trailing_markers = existing
        .iter()
        .rev()
        .take_while(|v| v.is_delete_marker)
        .count();
    let mut done = 0;
    if let Some(last) = existing.iter().rev().find(|v| !v.is_delete_marker) {
        let meta = dst_client
            .head_object(&dst.bucket, &dst.key, last.version_id.as_deref(), None)
            .await?;
        let Some(from) = meta.metadata.get(SOURCE_VERSION) else {
            return Ok(0);
        };
        match versions
            .iter()
            .position(|v| v.version_id.as_deref().unwrap_or("null") == from)
        {
            Some(i) => done = i + 1,
            None => return Ok(0),
        }
    }
    Ok(done
        + versions[done..]
            .iter()
            .take(trailing_markers)
            .take_while(|v| v.is_delete_marker)
            .count())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn v(id: &str, secs: i64, marker: bool, latest: bool) -> ObjectInfo {
        ObjectInfo {
            version_id: Some(id.into()),
            last_modified: DateTime::from_timestamp(secs, 0),
            is_delete_marker: marker,
            is_latest: latest,
            ..ObjectInfo::file("k", 1)
        }
    }

    fn ids(l: &[ObjectInfo]) -> Vec<String> {
        l.iter().map(|x| x.version_id.clone().unwrap()).collect()
    }

    #[test]
    fn oldest_first_by_time_then_latest_then_reverse_listing_order() {
        // S3: listed newest first; "b" and "c" share a second.
        let mut l = vec![
            v("d", 3, true, true),
            v("c", 2, false, false),
            v("b", 2, false, false),
            v("a", 1, false, false),
        ];
        oldest_first(&mut l);
        assert_eq!(ids(&l), ["a", "b", "c", "d"]);
        // moto: the (latest) marker listed after the versions, all in one second.
        let mut l = vec![
            v("c", 5, false, false),
            v("b", 5, false, false),
            v("a", 5, false, false),
            v("m", 5, true, true),
        ];
        oldest_first(&mut l);
        assert_eq!(ids(&l), ["a", "b", "c", "m"]);
    }
}
