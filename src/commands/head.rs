//! `head` (reference §2.9): an object's or a bucket's metadata, which `output/` prints
//! as a JSON line in either mode (as s5cmd), with `version_id` filled when the server
//! reports one (s5cmd never does).

use std::sync::Arc;

use crate::command::HeadCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::record::{HeadBucketRecord, HeadObjectRecord, QueryResult, format_utc};

/// The error for a local target (s5cmd's words).
const NOT_REMOTE: &str = "target should be remote object or bucket";

/// Runs a head line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &HeadCmd) {
    let Some(url) = super::remote_target(ctx, line, &cmd.target, cmd.raw, NOT_REMOTE).await else {
        return;
    };
    if url.is_prefix() {
        return line
            .fail(
                ctx,
                "target have to be a object or a bucket",
                ErrorKind::Usage,
            )
            .await;
    }
    if url.is_wildcard() {
        return line
            .fail(
                ctx,
                format!("remote source \"{url}\" can not contain glob characters"),
                ErrorKind::Usage,
            )
            .await;
    }
    let client = match super::object_client(ctx, &cmd.customer_key).await {
        Ok(c) => c,
        Err((message, kind)) => return line.fail(ctx, message, kind).await,
    };
    if url.is_bucket() {
        match client.head_bucket(&url.bucket).await {
            Ok(()) => {
                let record = HeadBucketRecord {
                    bucket: url.to_string(),
                };
                line.show(ctx, QueryResult::HeadBucket(record)).await;
            }
            Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
        }
        return;
    }
    match client
        .head_object(&url.bucket, &url.key, cmd.version_id.as_deref(), None)
        .await
    {
        Ok(meta) => {
            let record = HeadObjectRecord {
                key: url.to_string(),
                content_type: meta.content.content_type,
                server_side_encryption: meta.sse,
                last_modified: meta.last_modified.as_ref().map(format_utc),
                size: meta.size,
                storage_class: Some(meta.storage_class.unwrap_or_else(|| "STANDARD".into())),
                version_id: meta.version_id,
                etag: meta.etag,
                metadata: meta.metadata,
            };
            line.show(ctx, QueryResult::HeadObject(record)).await;
        }
        Err(e) if matches!(e.kind, ErrorKind::NoSuchKey | ErrorKind::NotFound) => {
            line.fail(ctx, format!("given object {url} not found"), e.kind)
                .await;
        }
        Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
    }
}
