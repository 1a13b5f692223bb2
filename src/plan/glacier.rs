//! Archived objects (S3 Glacier Flexible Retrieval, Deep Archive): which storage
//! classes can't be read without a restore, and whether a listed object has been
//! restored. `cp`, `sync` and `select` skip unreadable ones unless
//! `--force-glacier-transfer` (s5cmd's rule, reference §2.2).

use crate::command::GlacierFlags;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::RemoteUrl;
use crate::op::ClientSpec;
use crate::storage::ObjectInfo;

/// Archive storage classes whose objects can't be read without a restore: S3 Glacier
/// Flexible Retrieval (`GLACIER`) and Deep Archive (`DEEP_ARCHIVE`). Glacier Instant
/// Retrieval (`GLACIER_IR`) is read like any other class; Intelligent-Tiering's
/// archive tiers show as `INTELLIGENT_TIERING` in listings and are reported by the GET.
pub fn is_archived(storage_class: Option<&str>) -> bool {
    matches!(storage_class, Some("GLACIER" | "DEEP_ARCHIVE"))
}

/// True when `x-amz-restore` says a restored copy is available
/// (`ongoing-request="false", expiry-date="…"`): such an archived object can be read.
pub fn is_restored(restore: Option<&str>) -> bool {
    restore.is_some_and(|r| r.replace(' ', "").contains("ongoing-request=\"false\""))
}

/// For a listed archived object: whether it is still unreadable (not restored).
/// Costs one HeadObject, only for objects in an archive class.
pub async fn archived_unreadable(
    ctx: &Ctx,
    spec: &ClientSpec,
    src: &RemoteUrl,
    info: &ObjectInfo,
) -> bool {
    if !is_archived(info.storage_class.as_deref()) {
        return false;
    }
    let Ok(client) = ctx.clients.get(spec).await else {
        return true;
    };
    match client
        .head_object(&src.bucket, &info.key, info.version_id.as_deref(), None)
        .await
    {
        Ok(meta) => !is_restored(meta.restore.as_deref()),
        Err(_) => true,
    }
}

/// The rule of `cp`, `sync` and `select` for one listed object: true when it is
/// skipped, being archived and not restored without `--force-glacier-transfer`. The
/// skip fails the line (`object '<shown()>' is on Glacier storage`) unless
/// `--ignore-glacier-warnings`.
pub async fn skip_unreadable(
    ctx: &Ctx,
    line: &LineCtx,
    flags: GlacierFlags,
    object: (&ClientSpec, &RemoteUrl, &ObjectInfo),
    shown: impl FnOnce() -> String,
) -> bool {
    let (spec, src, info) = object;
    if flags.force_transfer || !archived_unreadable(ctx, spec, src, info).await {
        return false;
    }
    if !flags.ignore_warnings {
        let message = format!("object '{}' is on Glacier storage", shown());
        line.fail(ctx, message, ErrorKind::Glacier).await;
    }
    true
}
