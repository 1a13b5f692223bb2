//! `pipe` (reference §2.8): stdin to one object. Up to one part is sent with a single
//! PutObject; more goes by multipart upload with `--concurrency` parts in flight, each
//! buffered in memory (so memory is bounded by concurrency × part size). Content-Type:
//! flag, else by the key's extension, else `application/octet-stream` (no sniffing).

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use tokio::io::AsyncReadExt;

use crate::command::PipeCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec::{content_type, report};
use crate::plan::compare;
use crate::plan::transfer::transfer_opts;
use crate::record::{ObjectRecord, Record};
use crate::storage::s3::{PutBody, S3Client};
use crate::storage::{CompletedPart, ObjectHeaders, StorageError};

/// Runs a pipe line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &PipeCmd) {
    let Some(url) = super::remote_target(
        ctx,
        line,
        &cmd.dst,
        cmd.flags.raw,
        "destination must be a bucket",
    )
    .await
    else {
        return;
    };
    if url.is_bucket() || url.is_prefix() {
        return line
            .fail(
                ctx,
                format!("target \"{url}\" must be an object"),
                ErrorKind::Usage,
            )
            .await;
    }
    if url.is_wildcard() {
        return line
            .fail(
                ctx,
                format!("target \"{url}\" can not contain glob characters"),
                ErrorKind::Usage,
            )
            .await;
    }
    let opts = match transfer_opts("pipe", false, &cmd.flags, false) {
        Ok(o) => o,
        Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
    };
    let client = match ctx.clients.get(&opts.dst_client).await {
        Ok(c) => c,
        Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
    };
    let dst = url.to_string();
    let record_for = |r: Result<(), StorageError>| -> Record {
        match r {
            Ok(()) => {
                let mut rec = Record::ok("pipe");
                rec.destination = Some(dst.clone());
                rec.object = Some(ObjectRecord {
                    kind: "file".into(),
                    storage_class: opts.storage_class.clone(),
                    ..Default::default()
                });
                rec
            }
            Err(e) => {
                let mut rec = Record::failed("pipe", format!("pipe {dst}"), e.to_string(), e.kind);
                rec.destination = Some(dst.clone());
                rec
            }
        }
    };
    if cmd.no_clobber {
        match client.head_object(&url.bucket, &url.key, None, None).await {
            Ok(_) => {
                let mut rec = report::skipped("pipe", &dst, "", compare::EXISTS);
                rec.source = None;
                rec.destination = Some(dst.clone());
                return line.report(ctx, rec).await;
            }
            Err(e) if matches!(e.kind, ErrorKind::NoSuchKey | ErrorKind::NotFound) => {}
            Err(e) => return line.report(ctx, record_for(Err(e))).await,
        }
    }
    if ctx.config.dry_run {
        return line.report(ctx, record_for(Ok(()))).await;
    }
    let mut headers = opts.headers.clone();
    headers.content.content_type = Some(
        opts.headers
            .content
            .content_type
            .clone()
            .or_else(|| content_type::by_extension(&url.key))
            .unwrap_or_else(|| "application/octet-stream".to_string()),
    );
    let result = upload_stdin(
        &client,
        &url.bucket,
        &url.key,
        &headers,
        opts.part_size,
        opts.concurrency,
    )
    .await;
    line.report(ctx, record_for(result)).await;
}

async fn read_part(stdin: &mut tokio::io::Stdin, size: u64) -> Result<Bytes, StorageError> {
    let mut buf = BytesMut::with_capacity(size as usize);
    while (buf.len() as u64) < size {
        let n = stdin
            .read_buf(&mut buf)
            .await
            .map_err(|e| StorageError::new(ErrorKind::Io, format!("reading stdin: {e}")))?;
        if n == 0 {
            break;
        }
    }
    Ok(buf.freeze())
}

async fn upload_stdin(
    client: &S3Client,
    bucket: &str,
    key: &str,
    headers: &ObjectHeaders,
    part_size: u64,
    concurrency: usize,
) -> Result<(), StorageError> {
    let mut stdin = tokio::io::stdin();
    let first = read_part(&mut stdin, part_size).await?;
    if (first.len() as u64) < part_size {
        client
            .put_object(bucket, key, PutBody::Bytes(first), headers)
            .await?;
        return Ok(());
    }
    let upload_id = client.create_multipart_upload(bucket, key, headers).await?;
    let id: &str = &upload_id;
    let result = async {
        let mut parts: Vec<CompletedPart> = Vec::new();
        let mut in_flight = FuturesUnordered::new();
        let mut next = Some(first);
        let mut number = 0u32;
        loop {
            while in_flight.len() < concurrency.max(1) {
                let Some(data) = next.take() else { break };
                if data.is_empty() && number > 0 {
                    break;
                }
                number += 1;
                let n = number;
                let full = data.len() as u64 == part_size;
                in_flight.push(async move {
                    client
                        .upload_part(bucket, key, id, n, PutBody::Bytes(data))
                        .await
                });
                if full {
                    next = Some(read_part(&mut stdin, part_size).await?);
                }
            }
            match in_flight.next().await {
                Some(part) => parts.push(part?),
                None => break,
            }
        }
        parts.sort_by_key(|p| p.part_number);
        client
            .complete_multipart_upload(bucket, key, id, &parts)
            .await?;
        Ok::<(), StorageError>(())
    }
    .await;
    if result.is_err() {
        let _ = client.abort_multipart_upload(bucket, key, &upload_id).await;
    }
    result
}
