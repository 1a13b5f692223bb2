//! Bucket commands: `mb`, `rb` (with s5rs's `--force`: delete every object version and
//! delete marker, then the bucket), `bucket-version` (get/set; the state goes to
//! `output/` as a [`VersioningState`]).

use std::sync::Arc;

use super::rm::DELETE_BATCH;
use crate::command::BucketVersionCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::{Location, RemoteUrl};
use crate::output::Message;
use crate::record::{QueryResult, Record, VersioningState};
use crate::storage::s3::S3Client;
use crate::storage::{ListRequest, StorageError, VersioningStatus};

async fn bucket_url(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, target: &str) -> Option<RemoteUrl> {
    match Location::parse(target, false) {
        Ok(Location::Remote(u)) if u.key.is_empty() => Some(u),
        Ok(_) => {
            line.fail(ctx, "invalid s3 bucket", ErrorKind::Usage).await;
            None
        }
        Err(m) => {
            line.fail(ctx, m, ErrorKind::Usage).await;
            None
        }
    }
}

async fn client(ctx: &Arc<Ctx>, line: &Arc<LineCtx>) -> Option<S3Client> {
    match ctx.clients.default_client().await {
        Ok(c) => Some(c),
        Err(e) => {
            line.fail(ctx, e.to_string(), e.kind).await;
            None
        }
    }
}

fn bucket_record(op: &str, url: &RemoteUrl) -> Record {
    let mut r = Record::ok(op);
    r.source = Some(url.to_string());
    r
}

/// `mb s3://bucket`.
pub async fn make(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, target: &str) {
    let Some(url) = bucket_url(ctx, line, target).await else {
        return;
    };
    if !ctx.config.dry_run {
        let Some(client) = client(ctx, line).await else {
            return;
        };
        if let Err(e) = client.create_bucket(&url.bucket).await {
            return line.fail(ctx, e.to_string(), e.kind).await;
        }
    }
    line.report(ctx, bucket_record("mb", &url)).await;
}

/// `rb [--force] s3://bucket`.
pub async fn remove(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, target: &str, force: bool) {
    let Some(url) = bucket_url(ctx, line, target).await else {
        return;
    };
    if !ctx.config.dry_run {
        let Some(client) = client(ctx, line).await else {
            return;
        };
        if force && let Err(e) = empty_bucket(&client, &url.bucket).await {
            return line.fail(ctx, e.to_string(), e.kind).await;
        }
        if let Err(e) = client.delete_bucket(&url.bucket).await {
            return line.fail(ctx, e.to_string(), e.kind).await;
        }
    }
    line.report(ctx, bucket_record("rb", &url)).await;
}

/// Deletes every version and delete marker (or every object, where the server has no
/// versioning) of a bucket.
async fn empty_bucket(client: &S3Client, bucket: &str) -> Result<(), StorageError> {
    let versions = client
        .list_versions_page(bucket, "", None, None)
        .await
        .is_ok();
    let mut rx = client.list(
        bucket,
        ListRequest {
            prefix: String::new(),
            recursive: true,
            all_versions: versions,
        },
    );
    let mut batch = Vec::with_capacity(DELETE_BATCH);
    while let Some(item) = rx.recv().await {
        let info = item?;
        batch.push((info.key, info.version_id));
        if batch.len() == DELETE_BATCH {
            delete_all(client, bucket, std::mem::take(&mut batch)).await?;
        }
    }
    if !batch.is_empty() {
        delete_all(client, bucket, batch).await?;
    }
    Ok(())
}

async fn delete_all(
    client: &S3Client,
    bucket: &str,
    keys: Vec<(String, Option<String>)>,
) -> Result<(), StorageError> {
    for outcome in client.delete_objects(bucket, &keys).await? {
        if let Some(e) = outcome.error {
            return Err(e);
        }
    }
    Ok(())
}

/// `bucket-version [--set Enabled|Suspended] s3://bucket`.
pub async fn versioning(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &BucketVersionCmd) {
    let Some(url) = bucket_url(ctx, line, &cmd.target).await else {
        return;
    };
    let Some(client) = client(ctx, line).await else {
        return;
    };
    let bucket = &url.bucket;
    let (status, set) = match &cmd.set {
        Some(status) => {
            if !ctx.config.dry_run
                && let Err(e) = client
                    .put_bucket_versioning(bucket, status == "Enabled")
                    .await
            {
                return line.fail(ctx, e.to_string(), e.kind).await;
            }
            (status.clone(), true)
        }
        None => match client.get_bucket_versioning(bucket).await {
            Ok(VersioningStatus::Unversioned) => (String::new(), false),
            Ok(VersioningStatus::Enabled) => ("Enabled".to_string(), false),
            Ok(VersioningStatus::Suspended) => ("Suspended".to_string(), false),
            Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
        },
    };
    let state = VersioningState {
        bucket: bucket.clone(),
        status,
        set,
    };
    ctx.output
        .send(Message::Query(QueryResult::Versioning(state)))
        .await;
}
