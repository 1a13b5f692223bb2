//! Command drivers: one function per command that validates it, plans it and waits for
//! its ops; this module dispatches a parsed command and counts it for `--stat`.

pub mod bucket;
pub mod cat;
pub mod confirm;
pub mod cp;
pub mod dest_bucket;
pub mod dry_line;
pub mod du;
pub mod head;
pub mod ls;
pub mod pipe;
pub mod presign;
pub mod rm;
pub mod select;
pub mod sync;
pub mod versions;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::command::{Command, ParsedCommand};
use crate::config::Config;
use crate::ctx::{Ctx, LineCtx};
use crate::output::Message;
use crate::record::QueryResult;

/// Runs one command to completion (planning, then every op it submitted).
pub async fn run(ctx: &Arc<Ctx>, parsed: ParsedCommand, line_no: Option<u64>) {
    if not_started(ctx) {
        return;
    }
    // `--shard`: a command that is not split per object (ls, du, cat, mb …) runs in
    // the one shard its command text hashes to, so it runs once across the shards.
    if !splits_per_object(&parsed.command)
        && !matches!(parsed.command, Command::Wait)
        && !ctx.owns(&parsed.display)
    {
        return;
    }
    let line = LineCtx::new(line_no, parsed.display.clone(), parsed.command.name());
    let progress = ctx.output.progress();
    if shows_progress(&parsed.command) {
        progress.enable();
    }
    progress.begin_planning();
    // The planners' futures are boxed so that this one (spawned once per batch line)
    // stays small: moving a large future per line dominated million-line batches.
    match &parsed.command {
        Command::Ls(c) => Box::pin(ls::run(ctx, &line, c)).await,
        Command::Copy(c) => Box::pin(cp::run(ctx, &line, c)).await,
        Command::Rm(c) => Box::pin(rm::run(ctx, &line, c)).await,
        Command::Sync(c) => Box::pin(sync::run(ctx, &line, c)).await,
        Command::Du(c) => Box::pin(du::run(ctx, &line, c)).await,
        Command::Cat(c) => Box::pin(cat::run(ctx, &line, c)).await,
        Command::Pipe(c) => Box::pin(pipe::run(ctx, &line, c)).await,
        Command::Head(c) => Box::pin(head::run(ctx, &line, c)).await,
        Command::MakeBucket { target } => Box::pin(bucket::make(ctx, &line, target)).await,
        Command::RemoveBucket { target, force } => {
            Box::pin(bucket::remove(ctx, &line, target, *force)).await
        }
        Command::BucketVersion(c) => Box::pin(bucket::versioning(ctx, &line, c)).await,
        Command::Presign(c) => Box::pin(presign::run(ctx, &line, c)).await,
        Command::Select(c) => Box::pin(select::run(ctx, &line, c)).await,
        Command::Version => {
            let version = QueryResult::Version(format!("v{}", env!("CARGO_PKG_VERSION")));
            line.show(ctx, version).await;
        }
        Command::Wait => {}
    }
    progress.end_planning();
    finish(ctx, &parsed.command, &line).await;
}

/// Whether the line asks for `--show-progress` (one display then serves the run).
fn shows_progress(command: &Command) -> bool {
    match command {
        Command::Copy(c) => c.show_progress,
        Command::Sync(c) => c.show_progress,
        Command::Rm(c) => c.show_progress,
        _ => false,
    }
}

/// Whether `--shard` splits the command per object (each shard runs its share of
/// the objects) rather than running it whole in one shard.
fn splits_per_object(command: &Command) -> bool {
    matches!(
        command,
        Command::Copy(_) | Command::Rm(_) | Command::Sync(_) | Command::Select(_)
    )
}

/// Whether a line can run on the batch reader itself instead of in a task of its
/// own, because planning it does no I/O (see [`cp::plans_without_io`]): a task per
/// line would only add scheduling to a generated million-line batch.
pub fn runs_inline(config: &Config, command: &Command) -> bool {
    matches!(command, Command::Copy(c) if cp::plans_without_io(config, c))
}

/// [`run`] for a line that [`runs_inline`]: the planner's future lives in the
/// caller's instead of a box of its own, which matters at a million lines.
pub async fn run_inline(ctx: &Arc<Ctx>, parsed: ParsedCommand, line_no: Option<u64>) {
    let Command::Copy(c) = &parsed.command else {
        return run(ctx, parsed, line_no).await;
    };
    if not_started(ctx) {
        return;
    }
    let line = LineCtx::new(line_no, parsed.display.clone(), parsed.command.name());
    if c.show_progress {
        ctx.output.progress().enable();
    }
    cp::run(ctx, &line, c).await;
    finish(ctx, &parsed.command, &line).await;
}

/// A line read just before the run began stopping is not started, only counted.
fn not_started(ctx: &Ctx) -> bool {
    let stopping = ctx.stopping();
    if stopping {
        ctx.not_run.lines.fetch_add(1, Ordering::Relaxed);
    }
    stopping
}

/// Waits for the line's ops, then counts the command for `--stat`.
async fn finish(ctx: &Ctx, command: &Command, line: &LineCtx) {
    line.tracker.wait_idle().await;
    // Only `--stat` counts commands: without it the message would only cost a trip
    // through the output channel per batch line.
    if ctx.config.stat
        && !matches!(
            command,
            Command::Version | Command::Wait | Command::BucketVersion(_)
        )
    {
        ctx.output
            .send(Message::CommandDone {
                name: command.name(),
                ok: !line.tracker.failed(),
            })
            .await;
    }
}

/// Parses a command's S3 URL argument. A local path fails the line with
/// `local_message` (s5cmd words it differently per command), a malformed URL with
/// the parse error; `None` then, and the caller returns.
pub async fn remote_target(
    ctx: &Ctx,
    line: &LineCtx,
    arg: &str,
    raw: bool,
    local_message: &str,
) -> Option<crate::location::RemoteUrl> {
    use crate::error::ErrorKind;
    use crate::location::Location;
    match Location::parse(arg, raw) {
        Ok(Location::Remote(u)) => Some(u),
        Ok(Location::Local(_)) => {
            line.fail(ctx, local_message, ErrorKind::Usage).await;
            None
        }
        Err(m) => {
            line.fail(ctx, m, ErrorKind::Usage).await;
            None
        }
    }
}

/// The default client, sending the SSE-C key of `--sse-c-key` when given (`cat`,
/// `head`); a bad key or `--sse-c` without one is a usage error (naming no key).
pub async fn object_client(
    ctx: &Ctx,
    customer_key: &crate::command::CustomerKeyFlags,
) -> Result<crate::storage::s3::S3Client, (String, crate::error::ErrorKind)> {
    use crate::error::ErrorKind;
    use crate::storage::s3::SseC;
    let object = customer_key
        .object_key()
        .map_err(|message| (message, ErrorKind::Usage))?;
    let spec = crate::op::ClientSpec {
        sse_c: SseC {
            object,
            copy_source: None,
        },
        ..Default::default()
    };
    ctx.clients
        .get(&spec)
        .await
        .map_err(|e| (e.to_string(), e.kind))
}
