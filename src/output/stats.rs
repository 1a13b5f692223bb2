//! `--stat`: per-command counts of invocations that succeeded and failed (reference §7),
//! printed when the run ends, as s5cmd's tab table or as JSON lines (with `total`).

use std::collections::BTreeMap;

use crate::record::StatRecord;

/// Counts per command name, in name order.
#[derive(Debug, Default)]
pub struct Stats {
    counts: BTreeMap<&'static str, (u64, u64)>,
}

impl Stats {
    /// Counts one finished invocation.
    pub fn count(&mut self, name: &'static str, ok: bool) {
        let entry = self.counts.entry(name).or_default();
        if ok {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }

    /// s5cmd's table: a blank line, `Operation\tTotal\tError\tSuccess\t`, one row per
    /// command padded to 8-column tab stops, a blank line. Empty when nothing was counted.
    pub fn render_text(&self) -> String {
        if self.counts.is_empty() {
            return String::new();
        }
        let mut out = String::from("\nOperation\tTotal\tError\tSuccess\t\n");
        for (name, (ok, err)) in &self.counts {
            // tabwriter with TAB padding: a name shorter than the 8-wide "Operation"
            // column + gap gets two tabs, as in s5cmd's output.
            let tabs = if name.len() < 8 { "\t\t" } else { "\t" };
            out.push_str(&format!("{name}{tabs}{}\t{err}\t{ok}\t\n", ok + err));
        }
        out.push('\n');
        out
    }

    /// One JSON object per command, then an empty line.
    pub fn render_json(&self) -> String {
        if self.counts.is_empty() {
            return String::new();
        }
        let mut out = String::new();
        for (name, (ok, err)) in &self.counts {
            let record = StatRecord {
                operation: (*name).to_string(),
                success: *ok,
                error: *err,
                total: ok + err,
            };
            out.push_str(&serde_json::to_string(&record).expect("stat records serialize"));
            out.push('\n');
        }
        // No blank line after the JSON lines: every stdout line must parse as JSON.
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_s5cmd_table() {
        let mut s = Stats::default();
        s.count("cp", true);
        s.count("cp", true);
        s.count("rm", false);
        assert_eq!(
            s.render_text(),
            "\nOperation\tTotal\tError\tSuccess\t\ncp\t\t2\t0\t2\t\nrm\t\t1\t1\t0\t\n\n"
        );
        let json = s.render_json();
        let first: StatRecord = serde_json::from_str(json.lines().next().unwrap()).unwrap();
        assert_eq!(first.total, 2);
        assert!(
            json.lines()
                .all(|l| serde_json::from_str::<StatRecord>(l).is_ok())
        );
    }
}
