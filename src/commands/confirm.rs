//! The brake before a mass delete (s5rs): when stdin and stderr are both terminals and
//! one command would delete more than `--confirm-above` objects (1,000 by default),
//! say how many, show a few keys and ask; anything but `y`/`yes` deletes nothing and
//! fails the command. `--yes` skips the question, `--dry-run` never asks, and nothing
//! is ever asked off a terminal, so scripts behave as before.
//!
//! Callers gather the delete set first (`rm` spills it, `sync --delete` already does,
//! `rb --force` counts the bucket) and call [`confirm`] before deleting anything.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use crate::ctx::{Ctx, LineCtx};
use crate::error::ErrorKind;

/// How many keys the question shows.
pub const SAMPLE: usize = 5;

/// One question at a time, for the concurrent lines of a batch.
static ASKING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Whether this run may ask at all (terminals, no `--yes`, not a dry run).
pub fn may_ask(ctx: &Ctx) -> bool {
    !ctx.config.yes
        && !ctx.config.dry_run
        && std::io::stdin().is_terminal()
        && std::io::stderr().is_terminal()
}

/// Whether deleting `count` objects (`sample`: the first few, as URLs) may go on:
/// true without asking when [`may_ask`] is false or `count` is within the limit.
/// A refusal is reported as the line's failure.
pub async fn confirm(ctx: &Arc<Ctx>, line: &Arc<LineCtx>, count: u64, sample: &[String]) -> bool {
    if count <= ctx.config.confirm_above || !may_ask(ctx) {
        return true;
    }
    let _turn = ASKING.lock().await;
    let mut question = format!(
        "{}: this would delete {count} objects (more than {}), e.g.:\n",
        line.display, ctx.config.confirm_above
    );
    for key in sample.iter().take(SAMPLE) {
        question.push_str(&format!("  {key}\n"));
    }
    if count > sample.len().min(SAMPLE) as u64 {
        question.push_str(&format!(
            "  … and {} more\n",
            count - sample.len().min(SAMPLE) as u64
        ));
    }
    question.push_str(&format!("Delete {count} objects? [y/N] "));
    let progress = ctx.output.progress().clone();
    let answer = tokio::task::spawn_blocking(move || {
        progress.suspend(|| {
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(question.as_bytes());
            let _ = stderr.flush();
            let mut answer = String::new();
            let _ = std::io::stdin().lock().read_line(&mut answer);
            answer
        })
    })
    .await
    .unwrap_or_default();
    if is_yes(&answer) {
        return true;
    }
    let message = format!(
        "not confirmed: nothing was deleted ({count} objects; answer y to delete, or give --yes)"
    );
    line.fail(ctx, message, ErrorKind::Cancelled).await;
    false
}

/// `y` or `yes`, any case, surrounding blanks ignored.
fn is_yes(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_y_or_yes_confirms() {
        for yes in ["y\n", "Y", " yes \n", "YES"] {
            assert!(super::is_yes(yes), "{yes:?}");
        }
        for no in ["", "\n", "n", "no", "yess", "ok"] {
            assert!(!super::is_yes(no), "{no:?}");
        }
    }
}
