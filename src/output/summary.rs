//! The `--stat` summary s5rs adds after s5cmd's per-command table: objects and bytes
//! per outcome (copied, skipped with each reason, deleted, failed), the duration and
//! the rate — as text lines, or as one JSON record (`"operation":"summary"`) under
//! `--json`. Counted by the output writer from the records it renders, so it agrees
//! with what the run printed. Printed only when the run reported some record (an
//! `ls` or `du` run has none, and keeps only s5cmd's lines).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::record::Record;

/// Objects and bytes of one outcome.
#[derive(Debug, Default, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tally {
    /// Objects.
    pub objects: u64,
    /// Bytes (of the objects whose size the record states).
    pub bytes: u64,
}

impl Tally {
    fn add(&mut self, record: &Record) {
        self.objects += 1;
        self.bytes += record.object.as_ref().and_then(|o| o.size).unwrap_or(0);
    }
}

/// Skipped objects, with the count per reason.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    /// Objects.
    pub objects: u64,
    /// Bytes.
    pub bytes: u64,
    /// Objects per reason (`object already exists` …).
    pub reasons: BTreeMap<String, u64>,
}

/// The JSON summary record (one line, after the `--stat` lines).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryRecord {
    /// Always `summary`.
    pub operation: String,
    /// Objects copied, uploaded, downloaded or moved.
    pub copied: Tally,
    /// Objects skipped, per reason.
    pub skipped: Skipped,
    /// Objects deleted.
    pub deleted: Tally,
    /// Failures (objects, or whole commands that failed before any object).
    pub failed: Tally,
    /// Wall-clock seconds from start to end.
    pub duration_seconds: f64,
    /// Copied bytes per second.
    pub bytes_per_second: f64,
    /// Finished objects (every outcome) per second.
    pub objects_per_second: f64,
}

/// The running counts.
#[derive(Debug)]
pub struct Summary {
    started: Instant,
    copied: Tally,
    skipped: Skipped,
    deleted: Tally,
    failed: Tally,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            started: Instant::now(),
            copied: Tally::default(),
            skipped: Skipped::default(),
            deleted: Tally::default(),
            failed: Tally::default(),
        }
    }
}

impl Summary {
    /// Counts one record by its outcome.
    pub fn count(&mut self, record: &Record) {
        if !record.success {
            self.failed.add(record);
        } else if let Some(reason) = &record.skipped {
            self.skipped.objects += 1;
            self.skipped.bytes += record.object.as_ref().and_then(|o| o.size).unwrap_or(0);
            *self.skipped.reasons.entry(reason.clone()).or_default() += 1;
        } else if record.operation == "rm" {
            self.deleted.add(record);
        } else if matches!(record.operation.as_str(), "cp" | "mv" | "sync" | "pipe") {
            self.copied.add(record);
        }
    }

    /// Nothing was counted (a run of `ls`, `du` …: no summary is printed).
    pub fn is_empty(&self) -> bool {
        self.copied.objects + self.skipped.objects + self.deleted.objects + self.failed.objects == 0
    }

    /// The record for the run so far.
    pub fn record(&self) -> SummaryRecord {
        self.record_after(self.started.elapsed())
    }

    fn record_after(&self, elapsed: Duration) -> SummaryRecord {
        let secs = elapsed.as_secs_f64().max(0.000_001);
        let finished =
            self.copied.objects + self.skipped.objects + self.deleted.objects + self.failed.objects;
        SummaryRecord {
            operation: "summary".into(),
            copied: self.copied,
            skipped: self.skipped.clone(),
            deleted: self.deleted,
            failed: self.failed,
            duration_seconds: round3(secs),
            bytes_per_second: round3(self.copied.bytes as f64 / secs),
            objects_per_second: round3(finished as f64 / secs),
        }
    }

    /// One JSON line.
    pub fn render_json(&self) -> String {
        let mut line = serde_json::to_string(&self.record()).expect("summaries serialize");
        line.push('\n');
        line
    }

    /// The text lines.
    pub fn render_text(&self) -> String {
        render_text(&self.record())
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn size(bytes: u64) -> String {
    humansize::format_size(bytes, humansize::BINARY)
}

fn objects(n: u64) -> String {
    format!("{n} object{}", if n == 1 { "" } else { "s" })
}

/// `Summary:` then one line per outcome and the duration with the rate.
fn render_text(r: &SummaryRecord) -> String {
    let mut out = String::from("Summary:\n");
    let line = |name: &str, t: &Tally| {
        format!("  {name:<8} {:<16} {}\n", objects(t.objects), size(t.bytes))
    };
    out.push_str(&line("copied", &r.copied));
    let reasons: Vec<String> = r
        .skipped
        .reasons
        .iter()
        .map(|(reason, n)| format!("{reason}: {n}"))
        .collect();
    let skipped = Tally {
        objects: r.skipped.objects,
        bytes: r.skipped.bytes,
    };
    let mut skipped_line = line("skipped", &skipped);
    if !reasons.is_empty() {
        skipped_line.pop();
        skipped_line.push_str(&format!(" ({})\n", reasons.join(", ")));
    }
    out.push_str(&skipped_line);
    out.push_str(&line("deleted", &r.deleted));
    out.push_str(&line("failed", &r.failed));
    out.push_str(&format!(
        "  took {:.3}s, {}/s, {:.1} objects/s\n",
        r.duration_seconds,
        size(r.bytes_per_second as u64),
        r.objects_per_second
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ObjectRecord;

    fn sized(op: &str, size: u64) -> Record {
        let mut r = Record::ok(op);
        r.object = Some(ObjectRecord {
            size: Some(size),
            ..Default::default()
        });
        r
    }

    #[test]
    fn counts_each_outcome() {
        let mut s = Summary::default();
        s.count(&sized("cp", 1024));
        s.count(&sized("sync", 1024));
        let mut skip = sized("cp", 5);
        skip.skipped = Some("object already exists".into());
        s.count(&skip);
        s.count(&Record::ok("rm"));
        s.count(&Record::failed(
            "cp",
            "cp a b".into(),
            "x".into(),
            crate::error::ErrorKind::Io,
        ));
        let r = s.record_after(Duration::from_secs(2));
        assert_eq!(
            r.copied,
            Tally {
                objects: 2,
                bytes: 2048
            }
        );
        assert_eq!(r.skipped.reasons["object already exists"], 1);
        assert_eq!(r.deleted.objects, 1);
        assert_eq!(r.failed.objects, 1);
        assert_eq!(r.bytes_per_second, 1024.0);
        let text = render_text(&r);
        assert!(
            text.contains("  copied   2 objects        2 KiB\n"),
            "{text}"
        );
        assert!(text.contains("(object already exists: 1)"), "{text}");
        let back: SummaryRecord = serde_json::from_str(s.render_json().trim()).unwrap();
        assert_eq!(back.operation, "summary");
    }
}
