//! The per-shard summary (`--shard`): the writer tallies every record it writes, and
//! the run asks for the summary as its last line, so each shard of an array job ends
//! with what it planned, did, skipped (by the journal or otherwise) and failed — one
//! line per shard that a collector can add up.

use crate::record::{Record, ShardSummary};

/// Counts of the records written so far.
#[derive(Debug, Default)]
pub struct Tally {
    done: u64,
    skipped: u64,
    skipped_journal: u64,
    failed: u64,
}

impl Tally {
    /// Counts one record.
    pub fn count(&mut self, record: &Record) {
        match (record.success, record.skipped.as_deref()) {
            (false, _) => self.failed += 1,
            (true, None) => self.done += 1,
            (true, Some(reason)) => {
                self.skipped += 1;
                if reason == "journal" {
                    self.skipped_journal += 1;
                }
            }
        }
    }

    /// The summary of shard `label` (`K/N`).
    pub fn summary(&self, label: &str) -> ShardSummary {
        ShardSummary {
            operation: "shard".into(),
            shard: label.into(),
            planned: self.done + self.skipped + self.failed,
            done: self.done,
            skipped: self.skipped,
            skipped_journal: self.skipped_journal,
            failed: self.failed,
        }
    }
}

/// The summary as a text line.
pub fn render_text(s: &ShardSummary) -> String {
    format!(
        "shard {}: {} planned, {} done, {} skipped ({} by journal), {} failed",
        s.shard, s.planned, s.done, s.skipped, s.skipped_journal, s.failed
    )
}
