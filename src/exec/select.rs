//! `select` per object: runs one S3 Select query ([`SelectObject`]) and writes the
//! result rows to stdout as they arrive (whole lines only, so rows of concurrent
//! queries never interleave). The `select` command (`commands/select.rs`) plans
//! these ops; this is the worker side.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};

use crate::ctx::Ctx;
use crate::op::SelectObject;
use crate::output::Message;
use crate::record::Record;
use crate::storage::StorageError;
use crate::storage::s3::SelectEvent;

/// Queries one object, writing its records to stdout as they arrive. Returns no
/// record on success (the records are the output), a failure record otherwise.
pub async fn run_object(ctx: &Arc<Ctx>, op: SelectObject) -> Vec<Record> {
    match query(ctx, &op).await {
        Ok(()) => Vec::new(),
        Err(e) => {
            let mut r = Record::failed(
                op.operation,
                format!("{} {}", op.operation, op.src),
                e.to_string(),
                e.kind,
            );
            r.source = Some(op.src.to_string());
            r.version_id = op.version_id.clone();
            vec![r]
        }
    }
}

async fn query(ctx: &Arc<Ctx>, op: &SelectObject) -> Result<(), StorageError> {
    let client = ctx.clients.get(&op.client).await?;
    let mut stream = client
        .select_object_content(
            &op.src.bucket,
            &op.src.key,
            op.version_id.as_deref(),
            &op.request,
        )
        .await?;
    let mut pending = BytesMut::new();
    while let Some(event) = stream.next_event().await {
        match event? {
            SelectEvent::Records(data) => {
                pending.extend_from_slice(&data);
                if let Some(last) = pending.iter().rposition(|b| *b == b'\n') {
                    let whole: Bytes = pending.split_to(last + 1).freeze();
                    ctx.output.send(Message::Raw(whole)).await;
                }
                if ctx.stopping() {
                    return Ok(());
                }
            }
            SelectEvent::End => break,
            SelectEvent::Stats { .. } | SelectEvent::Other(_) => {}
        }
    }
    if !pending.is_empty() {
        pending.extend_from_slice(b"\n");
        ctx.output.send(Message::Raw(pending.freeze())).await;
    }
    Ok(())
}
