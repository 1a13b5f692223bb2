//! A dry run's `cp`/`mv` line of one named object, planned and described on the
//! batch reader without awaiting anything: the record the line's op would report,
//! straight into the reader's next batch of output.
//!
//! Why: a generated million-line `--dry-run` batch is bound by its reader, and the
//! usual path ([`super::run_inline`]) builds, per line, the futures of planning and
//! submitting (each moved a few times, hundreds of bytes apiece), a line context, and
//! the transfer settings from the line's flags. Here nothing is awaited, and the
//! settings of one flag set are built once for the lines that repeat it. Only lines
//! whose outcome is a plain success take this way; anything else (a failure to
//! report, a flag that needs I/O or a look at the destination, a client not built
//! yet, a journal, a rate limit, `--shard`, a stopping run) is declined and goes the
//! usual way, which reports what it always did.

use std::sync::Arc;

use crate::command::{Command, CopyCmd, ParsedCommand, TransferFlags};
use crate::ctx::Ctx;
use crate::exec;
use crate::location::Location;
use crate::op::{Download, Op, ServerCopy, TransferOpts};
use crate::output::Message;
use crate::plan::dest;
use crate::plan::expand::basename;
use crate::plan::transfer::{transfer_opts, validate_words};

/// The transfer settings of the last flag set seen.
struct Settings {
    flags: TransferFlags,
    is_move: bool,
    download: bool,
    /// `None`: the flags are refused (the usual path reports why).
    opts: Option<Arc<TransferOpts>>,
    /// The op's client has been built (then it stays built: asked once).
    built: bool,
}

/// The batch reader's planner of dry-run copy lines.
#[derive(Default)]
pub struct DryLines {
    last: Option<Settings>,
}

impl DryLines {
    /// Plans batch line `line` when it can be planned here: its messages (its record
    /// and, with `--stat`, its count) are pushed to `out` and true returned. False
    /// when the line has to run the usual way; nothing was reported then.
    pub fn plan(
        &mut self,
        ctx: &Ctx,
        parsed: &ParsedCommand,
        line: u64,
        out: &mut Vec<Message>,
    ) -> bool {
        let Command::Copy(c) = &parsed.command else {
            return false;
        };
        if !quick(ctx, c) {
            return false;
        }
        let version_id = c.version_id.as_deref();
        let Ok(sides) = validate_words(&c.src, &c.dst, c.flags.raw, version_id) else {
            return false;
        };
        let Location::Remote(src) = sides.src else {
            return false;
        };
        if src.is_wildcard() {
            return false;
        }
        let download = matches!(sides.dst, Location::Local(_));
        let Some(opts) = self.opts(c, download) else {
            return false;
        };
        // As `cp::Planner::submit` names a single object's destination.
        let name = basename(&src.key);
        let version_id = c.version_id.clone();
        let op = match &sides.dst {
            Location::Remote(d) => {
                let dst = dest::remote(d, name, false);
                Op::Copy(ServerCopy {
                    opts,
                    src,
                    version_id,
                    dst,
                    info: None,
                })
            }
            Location::Local(d) => match super::cp::dry_local_destination(ctx, &d.path, name) {
                Ok(dst) => Op::Download(Download {
                    opts,
                    src,
                    version_id,
                    dst,
                    info: None,
                }),
                Err(_) => return false,
            },
        };
        let built = self.client_built(ctx, &op);
        let Some(mut record) = exec::dry_run_now(ctx, &op, built) else {
            return false;
        };
        ctx.stamp(Some(line), &mut record);
        let ok = record.success;
        out.push(Message::Record(record));
        if ctx.config.stat {
            let name = parsed.command.name();
            out.push(Message::CommandDone { name, ok });
        }
        true
    }

    /// The line's transfer settings, built once per flag set in a row.
    fn opts(&mut self, c: &CopyCmd, download: bool) -> Option<Arc<TransferOpts>> {
        let known = self.last.as_ref().is_some_and(|s| {
            s.is_move == c.is_move && s.download == download && s.flags == c.flags
        });
        if !known {
            let operation = if c.is_move { "mv" } else { "cp" };
            let opts = transfer_opts(operation, c.is_move, &c.flags, download);
            self.last = Some(Settings {
                flags: c.flags.clone(),
                is_move: c.is_move,
                download,
                opts: opts.ok().map(Arc::new),
                built: false,
            });
        }
        self.last.as_ref()?.opts.clone()
    }

    /// Whether the client the line's op needs is built, asked of `ctx` until it is.
    fn client_built(&mut self, ctx: &Ctx, op: &Op) -> bool {
        let Some(settings) = &mut self.last else {
            return false;
        };
        if !settings.built {
            settings.built = match op {
                Op::Download(t) => ctx.clients.is_built(&t.opts.src_client),
                Op::Copy(t) => ctx.clients.is_built(&t.opts.dst_client),
                _ => false,
            };
        }
        settings.built
    }
}

/// Whether the line may be planned here at all: a dry run's line whose flags plan
/// without I/O ([`super::cp::flags_plan_without_io`]; its source is checked after),
/// without what only the usual path does (a progress bar, `--shard`, a metadata
/// directive's check, `--exclude`/`--include`).
fn quick(ctx: &Ctx, c: &CopyCmd) -> bool {
    super::cp::flags_plan_without_io(&ctx.config, c)
        && !c.show_progress
        && ctx.config.shard.is_none()
        && c.flags.metadata_directive.is_none()
        && c.flags.exclude.is_empty()
        && c.flags.include.is_empty()
}
