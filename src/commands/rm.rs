//! `rm` planning (reference §2.4): validation, expansion of every argument (wildcards
//! listed, directories walked, plain keys used as they are), filters relative to the
//! first argument, remote keys grouped into DeleteObjects batches of 1,000. Arguments
//! that match nothing are ignored as long as another one matched; if none did,
//! `no object found`. On a terminal, a wildcard's keys are gathered (spilled to a
//! temp file) and a mass delete confirmed before any is deleted (`confirm.rs`).

use std::sync::Arc;

use crate::command::RmCmd;
use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;
use crate::exec;
use crate::location::{LocalPath, Location, RemoteUrl};
use crate::op::ClientSpec;
use crate::op::{DeleteLocal, DeleteRemote, Op};
use crate::shard;
use crate::storage::StorageError;
use crate::wildcard;

use crate::plan::expand::{self, ExpandOptions};
use crate::plan::filter::ObjectFilter;
use crate::plan::spill::Spill;

use super::confirm;

/// Keys per DeleteObjects request.
pub const DELETE_BATCH: usize = 1000;

/// Plans and submits an rm line.
pub async fn run(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, cmd: &RmCmd) {
    let mut locations = Vec::with_capacity(cmd.targets.len());
    for t in &cmd.targets {
        match Location::parse(t, cmd.raw) {
            Ok(l) => locations.push(l),
            Err(m) => return line.fail(ctx, m, ErrorKind::Usage).await,
        }
    }
    let bucket = match validate(cmd, &locations) {
        Ok(b) => b,
        Err(message) => return line.fail(ctx, message, ErrorKind::Usage).await,
    };
    // Filters are relative to the first argument's prefix (s5cmd).
    let first_prefix = match &locations[0] {
        Location::Remote(r) if !r.raw => wildcard::literal_prefix(&r.key).to_string(),
        Location::Local(l) if !l.raw => wildcard::literal_prefix(&l.path).to_string(),
        _ => String::new(),
    };
    let filters = ObjectFilter::new(&cmd.exclude, &cmd.include, &cmd.filter);
    // A wildcard on a terminal may need a confirmation: gather the keys first.
    let gather = if confirm::may_ask(ctx) && locations.iter().any(Location::is_wildcard) {
        match Spill::new("rm-keys") {
            Ok(s) => Some(s),
            Err(e) => return line.fail(ctx, e.to_string(), e.kind).await,
        }
    } else {
        None
    };
    let mut deleter = Deleter {
        ctx,
        line,
        cmd,
        filters: &filters,
        spec: ClientSpec::default(),
        produced: 0,
        batch: Vec::new(),
        gather,
        sample: Vec::new(),
    };
    for location in &locations {
        if ctx.stopping() {
            break;
        }
        match location {
            Location::Remote(r) if !r.is_wildcard() && !cmd.all_versions => {
                if filters.keep_name(wildcard::filter_subject(&r.key, &first_prefix))
                    && deleter.keep_named(r).await
                {
                    deleter
                        .push(&r.bucket, r.key.clone(), cmd.version_id.clone(), &r.key)
                        .await;
                }
            }
            Location::Remote(r) => {
                if let Err(e) = deleter.expand_remote(r).await {
                    return line.fail(ctx, e.to_string(), e.kind).await;
                }
            }
            Location::Local(l) => deleter.expand_local(l).await,
        }
    }
    if let (Some(bucket), Some(spill)) = (bucket, deleter.gather.take())
        && !deleter.release(bucket, spill).await
    {
        return;
    }
    if let (Some(bucket), false) = (bucket, deleter.batch.is_empty()) {
        let batch = std::mem::take(&mut deleter.batch);
        submit_batch(ctx, line, &deleter.spec, bucket, batch).await;
    }
    if deleter.produced == 0 && !ctx.stopping() {
        line.fail(ctx, "no object found", ErrorKind::NoMatch).await;
    }
}

/// The checks of reference §2.4 in s5cmd's order; the one bucket of remote targets.
fn validate<'l>(cmd: &RmCmd, locations: &'l [Location]) -> Result<Option<&'l str>, &'static str> {
    let remote_count = locations.iter().filter(|l| l.is_remote()).count();
    if remote_count != 0 && remote_count != locations.len() {
        return Err("arguments cannot have both local and remote sources");
    }
    let mut bucket: Option<&str> = None;
    for l in locations {
        if let Location::Remote(r) = l {
            if !r.is_wildcard() && (r.is_bucket() || r.is_prefix()) {
                return Err(
                    "s3 bucket/prefix cannot be used for delete operations (forgot wildcard character?)",
                );
            }
            match bucket {
                Some(b) if b != r.bucket => {
                    return Err(
                        "removal of objects with different buckets in a single command is not allowed",
                    );
                }
                _ => bucket = Some(&r.bucket),
            }
        } else if cmd.all_versions || cmd.version_id.is_some() {
            return Err(
                "\"all-versions\", and \"version-id\" flags can only be used with remote objects",
            );
        }
    }
    Ok(bucket)
}

/// One rm line's deletions: remote keys gathered into DeleteObjects batches, local
/// files submitted one by one, and the count of what matched.
struct Deleter<'a> {
    ctx: &'a Arc<Ctx>,
    line: &'a Arc<LineCtx>,
    cmd: &'a RmCmd,
    filters: &'a ObjectFilter,
    spec: ClientSpec,
    /// Objects and files matched so far.
    produced: u64,
    /// Keys (and versions) waiting for a full batch.
    batch: Vec<(String, Option<String>)>,
    /// Every key, held until a mass delete is confirmed (on a terminal).
    gather: Option<Spill<(String, Option<String>)>>,
    /// The first few keys gathered, as URLs, for the question.
    sample: Vec<String>,
}

impl Deleter<'_> {
    /// Adds one key to the batch, submitting the batch when full. `pattern` is the
    /// argument it came from (`--shard` partitions by the key relative to it).
    async fn push(&mut self, bucket: &str, key: String, version: Option<String>, pattern: &str) {
        self.produced += 1;
        if !self.ctx.owns(shard::relative_name(&key, pattern)) {
            return;
        }
        if let Some(spill) = &mut self.gather {
            if self.sample.len() < confirm::SAMPLE {
                self.sample.push(format!("s3://{bucket}/{key}"));
            }
            if let Err(e) = spill.push(&(key, version)) {
                self.line.fail(self.ctx, e.to_string(), e.kind).await;
            }
            return;
        }
        self.batch.push((key, version));
        if self.batch.len() == DELETE_BATCH {
            let batch = std::mem::take(&mut self.batch);
            submit_batch(self.ctx, self.line, &self.spec, bucket, batch).await;
        }
    }

    /// Asks about the gathered keys when they are many, then deletes them in batches;
    /// false when the answer was no (nothing is deleted).
    async fn release(&mut self, bucket: &str, mut spill: Spill<(String, Option<String>)>) -> bool {
        if !confirm::confirm(self.ctx, self.line, spill.count, &self.sample).await {
            return false;
        }
        let keys = match spill.reader() {
            Ok(keys) => keys,
            Err(e) => {
                self.line.fail(self.ctx, e.to_string(), e.kind).await;
                return false;
            }
        };
        for key in keys {
            match key {
                Ok((key, version)) => {
                    self.batch.push((key, version));
                    if self.batch.len() == DELETE_BATCH {
                        let batch = std::mem::take(&mut self.batch);
                        submit_batch(self.ctx, self.line, &self.spec, bucket, batch).await;
                    }
                }
                Err(e) => {
                    self.line.fail(self.ctx, e.to_string(), e.kind).await;
                    return false;
                }
            }
        }
        true
    }

    /// Whether the size and age filters keep a plain key (a HEAD when they are given).
    async fn keep_named(&self, r: &RemoteUrl) -> bool {
        if !self.filters.needs_metadata() {
            return true;
        }
        match self.ctx.clients.get(&self.spec).await {
            Ok(client) => {
                let version = self.cmd.version_id.as_deref();
                self.filters.keep_named(&client, r, version).await
            }
            Err(_) => true,
        }
    }

    /// Lists a wildcard (or every version of a key) and batches what it matches.
    async fn expand_remote(&mut self, r: &RemoteUrl) -> Result<(), StorageError> {
        let client = self.ctx.clients.get(&self.spec).await?;
        let mut rx = if r.is_wildcard() {
            let opts = ExpandOptions {
                filters: self.filters,
                not_after: None,
                all_versions: self.cmd.all_versions,
                inventory: self.cmd.source_inventory.as_deref(),
                in_key_order: false,
            };
            expand::remote_wildcard(&client, r, &opts)
        } else {
            expand::remote_key_versions(&client, r, self.filters)
        };
        while let Some(item) = rx.recv().await {
            match item {
                Ok(o) => {
                    let version = o.info.version_id.clone().filter(|_| self.cmd.all_versions);
                    self.push(&r.bucket, o.info.key, version, &r.key).await;
                }
                Err(e) if e.kind == ErrorKind::NoMatch => {}
                Err(e) => self.line.fail(self.ctx, e.to_string(), e.kind).await,
            }
        }
        Ok(())
    }

    /// Walks a local path (or glob) and deletes each file it matches.
    async fn expand_local(&mut self, l: &LocalPath) {
        let mut rx = expand::local(l, true, self.filters);
        while let Some(item) = rx.recv().await {
            match item {
                Ok(o) => {
                    self.produced += 1;
                    if !self.ctx.owns(shard::relative_name(&o.info.key, &l.path)) {
                        continue;
                    }
                    let op = Op::DeleteLocal(DeleteLocal {
                        operation: "rm",
                        path: o.info.key,
                        prune_empty_dirs_below: None,
                    });
                    exec::submit(self.ctx, self.line, op).await;
                }
                Err(e) if matches!(e.kind, ErrorKind::NoMatch | ErrorKind::NoSuchKey) => {}
                Err(e) => self.line.fail(self.ctx, e.to_string(), e.kind).await,
            }
        }
    }
}

async fn submit_batch(
    ctx: &Arc<Ctx>,
    line: &Arc<LineCtx>,
    spec: &ClientSpec,
    bucket: &str,
    keys: Vec<(String, Option<String>)>,
) {
    let op = Op::DeleteRemote(DeleteRemote {
        operation: "rm",
        client: spec.clone(),
        bucket: bucket.to_string(),
        keys,
    });
    exec::submit(ctx, line, op).await;
}
