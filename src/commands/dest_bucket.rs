//! The destination bucket of cp/mv/sync, checked once per run before copying
//! (s5rs): with `--create-bucket` a missing bucket is created (in the destination
//! side's region and endpoint) and reported as an `mb` record; without it, a missing
//! bucket is one error for the command instead of one `NoSuchBucket` per object.
//!
//! Checked for a command that copies many objects (a wildcard or directory source)
//! or that asks for `--create-bucket`; a single-object copy fails once on its own.
//! Buckets found (or made) are remembered in [`Ctx::checked_buckets`], so a batch of
//! many lines costs one HeadBucket per bucket. A check that fails for another reason
//! (access denied to HeadBucket, say) lets the command go on as before, and is not
//! asked again for the bucket.

use std::sync::Arc;

use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::Location;
use crate::op::ClientSpec;
use crate::record::Record;

/// Whether the command may go on copying to `dst`; false after reporting the failure.
pub async fn ready(
    ctx: &Arc<Ctx>,
    line: &Arc<LineCtx>,
    dst: &Location,
    spec: &ClientSpec,
    (create, many): (bool, bool),
) -> bool {
    let Location::Remote(url) = dst else {
        return true;
    };
    if ctx.config.dry_run || !(create || many) {
        return true;
    }
    let key = format!("{:?}|{:?}|{}", spec.endpoint_url, spec.profile, url.bucket);
    let mut checked = ctx.checked_buckets.lock().await;
    if checked.contains(&key) {
        return true;
    }
    let client = match ctx.clients.get(spec).await {
        Ok(c) => c,
        Err(_) => return true,
    };
    match client.head_bucket(&url.bucket).await {
        Ok(()) => {}
        Err(e) if matches!(e.kind, ErrorKind::NoSuchBucket | ErrorKind::NotFound) => {
            if !create {
                let message = format!(
                    "NoSuchBucket: destination bucket \"{}\" does not exist; nothing was copied (add --create-bucket to create it)",
                    url.bucket
                );
                line.fail(ctx, message, ErrorKind::NoSuchBucket).await;
                return false;
            }
            if let Err(e) = client.create_bucket(&url.bucket).await
                && client.head_bucket(&url.bucket).await.is_err()
            {
                let message = format!("creating bucket \"{}\": {e}", url.bucket);
                line.fail(ctx, message, e.kind).await;
                return false;
            }
            let mut record = Record::ok("mb");
            record.source = Some(format!("s3://{}", url.bucket));
            line.report(ctx, record).await;
        }
        // Not asked again: the answer would not change what the command does.
        Err(_) => {}
    }
    checked.insert(key);
    true
}
