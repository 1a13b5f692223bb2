//! Deletes: S3 keys in DeleteObjects batches of up to 1,000 (one record per key, a
//! per-key failure naming the key), local files one at a time.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ctx::Ctx;
use crate::op::{DeleteLocal, DeleteRemote};
use crate::record::Record;
use crate::storage::StorageError;
use crate::storage::local;

/// Deletes a batch of keys; one record per key.
pub async fn run_remote(ctx: &Arc<Ctx>, d: DeleteRemote) -> Vec<Record> {
    let url = |key: &str| format!("s3://{}/{}", d.bucket, key);
    let ok_record = |key: &str, version: &Option<String>| {
        let mut r = Record::ok(d.operation);
        r.source = Some(url(key));
        r.version_id = version.clone();
        r
    };
    let failed = |key: &str, version: &Option<String>, e: &StorageError| {
        let mut r = Record::failed(
            d.operation,
            format!("{} {}", d.operation, url(key)),
            e.to_string(),
            e.kind,
        );
        r.source = Some(url(key));
        r.version_id = version.clone();
        r
    };
    if ctx.config.dry_run {
        return d.keys.iter().map(|(k, v)| ok_record(k, v)).collect();
    }
    let client = match ctx.clients.get(&d.client).await {
        Ok(c) => c,
        Err(e) => return d.keys.iter().map(|(k, v)| failed(k, v, &e)).collect(),
    };
    let outcome = if d.keys.len() == 1 {
        let (key, version) = &d.keys[0];
        client
            .delete_object(&d.bucket, key, version.as_deref())
            .await
            .map(|_| vec![None])
    } else {
        client
            .delete_objects(&d.bucket, &d.keys)
            .await
            .map(|outcomes| {
                // Match outcomes to requested keys; a key the server did not mention
                // counts as deleted (quiet mode semantics). Indexed by key: a linear
                // search per key would be quadratic in the batch (1,000 keys).
                let mut by_key: HashMap<&str, Vec<_>> = HashMap::with_capacity(outcomes.len());
                for o in &outcomes {
                    by_key.entry(o.key.as_str()).or_default().push(o);
                }
                d.keys
                    .iter()
                    .map(|(k, v)| {
                        by_key
                            .get(k.as_str())
                            .into_iter()
                            .flatten()
                            .find(|o| {
                                &o.key == k
                                    && (v.is_none() || o.version_id == *v || o.error.is_some())
                            })
                            .and_then(|o| o.error.clone())
                    })
                    .collect()
            })
    };
    match outcome {
        Ok(errors) => d
            .keys
            .iter()
            .zip(errors)
            .map(|((k, v), e)| match e {
                None => ok_record(k, v),
                Some(e) => failed(k, v, &e),
            })
            .collect(),
        Err(e) => d.keys.iter().map(|(k, v)| failed(k, v, &e)).collect(),
    }
}

/// Deletes one local file.
pub async fn run_local(ctx: &Arc<Ctx>, d: DeleteLocal) -> Record {
    let mut r = Record::ok(d.operation);
    r.source = Some(d.path.clone());
    if ctx.config.dry_run {
        return r;
    }
    match tokio::fs::remove_file(&d.path).await {
        Ok(()) => {
            if let Some(root) = &d.prune_empty_dirs_below {
                local::remove_empty_dirs(std::path::Path::new(root), std::path::Path::new(&d.path));
            }
            r
        }
        Err(e) => {
            let e = StorageError::io("remove", &d.path, &e);
            let mut f = Record::failed(
                d.operation,
                format!("{} {}", d.operation, d.path),
                e.to_string(),
                e.kind,
            );
            f.source = Some(d.path);
            f
        }
    }
}
