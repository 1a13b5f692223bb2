//! `cat` (reference §2.7): an object's bytes on stdout — fetched as `--concurrency`
//! parallel ranged reads of `--part-size` that are written in order (memory bounded by
//! concurrency × part size); a prefix lists one level, a wildcard recursively, and the
//! objects are concatenated in key order; a prefix or wildcard that lists nothing is
//! `no object found` (an empty bucket is not). The first failure stops the command and is
//! reported (s5cmd exits 1 silently when a GET fails after the HEAD, §9.2 item 3).
//! In a `--json` batch `cat` is refused (a `usage` record): raw bytes in a stream of
//! JSON lines would break every consumer; a lone `s5rs --json cat` stays raw.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;

use crate::command::CatCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::location::RemoteUrl;
use crate::output::Message;
use crate::storage::s3::S3Client;
use crate::storage::{EntryKind, ListRequest, StorageError};
use crate::wildcard::{self, Pattern};

/// The error for a local target (s5cmd's words).
const NOT_REMOTE: &str = "source must be a remote object";

/// Runs a cat line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &CatCmd) {
    if let Some(message) = refused_in_json_batch(&ctx.config, line, "cat") {
        return line.fail(ctx, message, ErrorKind::Usage).await;
    }
    let Some(url) = super::remote_target(ctx, line, &cmd.target, cmd.raw, NOT_REMOTE).await else {
        return;
    };
    let listing = url.is_bucket() || url.is_prefix() || url.is_wildcard();
    if listing && cmd.version_id.is_some() {
        return line
            .fail(
                ctx,
                "wildcard/prefix operations are disabled with --version-id flag",
                ErrorKind::Usage,
            )
            .await;
    }
    let client = match super::object_client(ctx, &cmd.customer_key).await {
        Ok(c) => c,
        Err((message, kind)) => return line.fail(ctx, message, kind).await,
    };
    if !listing {
        let version = cmd.version_id.as_deref();
        let size = match client
            .head_object(&url.bucket, &url.key, version, None)
            .await
        {
            Ok(meta) => meta.size,
            Err(e) if matches!(e.kind, ErrorKind::NoSuchKey | ErrorKind::NotFound) => {
                return line
                    .fail(ctx, format!("given object {url} not found"), e.kind)
                    .await;
            }
            Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
        };
        if let Err(e) = stream_object(ctx, &client, &url, version, size, cmd).await {
            line.fail(ctx, e.to_string(), e.kind).await;
        }
        return;
    }
    let wildcard = url.is_wildcard();
    let pattern = wildcard.then(|| Pattern::remote(&url.key));
    let mut rx = client.list(
        &url.bucket,
        ListRequest {
            prefix: if wildcard {
                wildcard::literal_prefix(&url.key).to_string()
            } else {
                url.key.clone()
            },
            recursive: wildcard,
            all_versions: false,
        },
    );
    let mut found = false;
    while let Some(item) = rx.recv().await {
        let info = match item {
            Ok(i) => i,
            Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
        };
        if pattern.as_ref().is_some_and(|p| !p.matches(&info.key)) {
            continue;
        }
        // As s5cmd: a listed sub-prefix counts as found (and is skipped).
        found = true;
        if info.kind == EntryKind::Directory {
            continue;
        }
        let object = url.with_key(info.key.clone());
        if let Err(e) = stream_object(ctx, &client, &object, None, info.size, cmd).await {
            return line.fail(ctx, e.to_string(), e.kind).await;
        }
        if ctx.stopping() {
            return;
        }
    }
    if !found && !url.is_bucket() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

async fn stream_object(
    ctx: &Ctx,
    client: &S3Client,
    url: &RemoteUrl,
    version: Option<&str>,
    size: u64,
    cmd: &CatCmd,
) -> Result<(), StorageError> {
    let part = cmd.parts.part_size.max(1);
    if size <= part {
        let mut out = client
            .get_object(&url.bucket, &url.key, version, None)
            .await?;
        while let Some(chunk) = out.body.next_chunk().await {
            ctx.output.send(Message::Raw(chunk?)).await;
        }
        return Ok(());
    }
    let count = size.div_ceil(part);
    let mut parts = stream::iter(0..count)
        .map(|i| {
            let start = i * part;
            let end = (start + part).min(size) - 1;
            async move {
                let mut out = client
                    .get_object(&url.bucket, &url.key, version, Some((start, end)))
                    .await?;
                let mut chunks: Vec<Bytes> = Vec::new();
                let mut got = 0u64;
                while let Some(chunk) = out.body.next_chunk().await {
                    let chunk = chunk?;
                    got += chunk.len() as u64;
                    chunks.push(chunk);
                }
                if got != end - start + 1 {
                    return Err(StorageError::new(
                        ErrorKind::Network,
                        format!(
                            "short read of {url}: expected {} bytes, got {got}",
                            end - start + 1
                        ),
                    ));
                }
                Ok::<_, StorageError>(chunks)
            }
        })
        .buffered(cmd.parts.concurrency.max(1));
    while let Some(chunks) = parts.next().await {
        for chunk in chunks? {
            ctx.output.send(Message::Raw(chunk)).await;
        }
        if ctx.stopping() {
            break;
        }
    }
    Ok(())
}

/// Why a command that prints raw data (`cat`, `select`) cannot run on this batch
/// line: under `--json` every stdout line of a batch is a JSON record.
pub fn refused_in_json_batch(
    config: &crate::config::Config,
    line: &LineCtx,
    name: &str,
) -> Option<String> {
    (config.json && line.line.is_some()).then(|| {
        format!(
            "{name} prints raw data, which cannot be a JSON record: \
             not run in a --json batch (run it as a command of its own)"
        )
    })
}
