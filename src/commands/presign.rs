//! `presign` (reference §2.12): prints a presigned GET URL (with `--json`, a record
//! `{"source":…,"url":…}`); `--version-id` is put into the URL (s5cmd ignores it,
//! §9.2 item 15).

use std::sync::Arc;

use crate::command::PresignCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::record::{PresignRecord, QueryResult};

/// Runs a presign line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &PresignCmd) {
    let Some(url) = super::remote_target(
        ctx,
        line,
        &cmd.target,
        false,
        "source must be a remote object",
    )
    .await
    else {
        return;
    };
    if url.is_bucket() || url.is_prefix() {
        return line
            .fail(ctx, "remote source must be an object", ErrorKind::Usage)
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
    let client = match ctx.clients.default_client().await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    match client.presign_get(&url.bucket, &url.key, cmd.version_id.as_deref(), cmd.expire) {
        Ok(signed) => {
            let record = PresignRecord {
                source: url.to_string(),
                url: signed,
            };
            line.show(ctx, QueryResult::Presigned(record)).await
        }
        Err(e) => line.fail(ctx, e.to_string(), e.kind).await,
    }
}
