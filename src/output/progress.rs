//! `--show-progress` (`--sp`): objects and bytes done of total, rate, ETA and failures
//! so far, for the whole run (one display for a batch).
//!
//! Planners announce what they submit ([`Progress::plan`]); the output writer counts
//! what finished from the records it renders ([`Progress::done`]), so the figures are
//! exactly what the run reports. While any planner is still listing, the totals are
//! marked as growing (`+`). On a terminal (stderr is a TTY) an `indicatif` bar is
//! redrawn a few times a second; elsewhere one plain line goes to stderr every 10 s
//! (`S5RS_PROGRESS_INTERVAL_MS` changes the cadence, for tests), never to stdout.
//! Without the flag nothing is drawn and nothing is printed.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::record::Record;

/// The environment variable that sets the plain-line cadence in milliseconds.
pub const INTERVAL_VAR: &str = "S5RS_PROGRESS_INTERVAL_MS";

/// Plain lines: every 10 s unless [`INTERVAL_VAR`] says otherwise.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);

/// How often the terminal bar is redrawn.
const TICK: Duration = Duration::from_millis(150);

/// Run-wide progress counters and, once enabled, the thread that shows them.
#[derive(Default)]
pub struct Progress {
    planned_objects: AtomicU64,
    planned_bytes: AtomicU64,
    done_objects: AtomicU64,
    done_bytes: AtomicU64,
    failed: AtomicU64,
    /// Planners (and batch readers) still producing work.
    planning: AtomicI64,
    enabled: AtomicBool,
    display: Mutex<Option<Display>>,
}

/// The running display: its thread, the flag that stops it and the bar, if any.
struct Display {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
    bar: Option<ProgressBar>,
    started: Instant,
}

/// A snapshot of the counters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figures {
    /// Objects finished (copied, skipped, deleted or failed).
    pub done_objects: u64,
    /// Objects planned so far (at least those finished).
    pub total_objects: u64,
    /// Bytes of the finished objects.
    pub done_bytes: u64,
    /// Bytes planned so far (at least those finished).
    pub total_bytes: u64,
    /// Failures so far.
    pub failed: u64,
    /// True while listing or planning goes on (the totals may still grow).
    pub growing: bool,
}

impl Progress {
    /// Whether a display was asked for.
    pub fn enabled(&self) -> bool {
        self.enabled.load(Ordering::Relaxed)
    }

    /// Starts the display (once; later calls do nothing).
    pub fn enable(self: &Arc<Self>) {
        if self.enabled.swap(true, Ordering::AcqRel) {
            return;
        }
        let stop = Arc::new(AtomicBool::new(false));
        // A terminal indicatif can draw on (not TERM=dumb); else plain lines.
        let target = ProgressDrawTarget::stderr();
        let terminal = std::io::stderr().is_terminal() && !target.is_hidden();
        let bar = terminal.then(|| {
            let bar = ProgressBar::with_draw_target(Some(1000), target);
            let style = ProgressStyle::with_template("{bar:30} {percent:>3}% {msg}")
                .expect("a valid template");
            bar.set_style(style);
            bar
        });
        let started = Instant::now();
        let thread = {
            let (me, stop, bar) = (self.clone(), stop.clone(), bar.clone());
            std::thread::Builder::new()
                .name("s5rs-progress".into())
                .spawn(move || me.show(&stop, bar.as_ref(), started))
                .expect("spawning the progress thread")
        };
        *self.display.lock().expect("progress lock") = Some(Display {
            stop,
            thread,
            bar,
            started,
        });
    }

    /// A planner starts producing work (totals grow until [`Progress::end_planning`]).
    pub fn begin_planning(&self) {
        self.planning.fetch_add(1, Ordering::AcqRel);
    }

    /// A planner finished producing work.
    pub fn end_planning(&self) {
        self.planning.fetch_sub(1, Ordering::AcqRel);
    }

    /// Work submitted: `objects` objects of `bytes` bytes in all.
    pub fn plan(&self, objects: u64, bytes: u64) {
        self.planned_objects.fetch_add(objects, Ordering::Relaxed);
        self.planned_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// A record was reported: one object finished (or failed).
    pub fn done(&self, record: &Record) {
        // Bucket records (`--create-bucket`'s `mb`, `rb`) are not objects.
        if matches!(record.operation.as_str(), "mb" | "rb") {
            return;
        }
        self.done_objects.fetch_add(1, Ordering::Relaxed);
        if !record.success {
            self.failed.fetch_add(1, Ordering::Relaxed);
        }
        if record.skipped.is_none()
            && let Some(size) = record.object.as_ref().and_then(|o| o.size)
        {
            self.done_bytes.fetch_add(size, Ordering::Relaxed);
        }
    }

    /// The counters now.
    pub fn figures(&self) -> Figures {
        let done_objects = self.done_objects.load(Ordering::Relaxed);
        let done_bytes = self.done_bytes.load(Ordering::Relaxed);
        Figures {
            done_objects,
            total_objects: self
                .planned_objects
                .load(Ordering::Relaxed)
                .max(done_objects),
            done_bytes,
            total_bytes: self.planned_bytes.load(Ordering::Relaxed).max(done_bytes),
            failed: self.failed.load(Ordering::Relaxed),
            growing: self.planning.load(Ordering::Acquire) > 0,
        }
    }

    /// Runs `f` with the bar hidden (for lines written to stderr, or a prompt).
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        let bar = self
            .display
            .lock()
            .expect("progress lock")
            .as_ref()
            .and_then(|d| d.bar.clone());
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    /// Ends the display with the final figures (the bar stays, at 100%).
    pub fn finish(&self) {
        let Some(display) = self.display.lock().expect("progress lock").take() else {
            return;
        };
        display.stop.store(true, Ordering::Release);
        let _ = display.thread.join();
        let figures = Figures {
            growing: false,
            ..self.figures()
        };
        let text = describe(&figures, display.started.elapsed());
        match display.bar {
            Some(bar) => {
                bar.set_position(1000);
                bar.finish_with_message(text);
            }
            None => plain_line(&text),
        }
    }

    /// The display thread: redraws the bar, or prints a plain line per interval.
    fn show(&self, stop: &AtomicBool, bar: Option<&ProgressBar>, started: Instant) {
        let interval = match bar {
            Some(_) => TICK,
            None => std::env::var(INTERVAL_VAR)
                .ok()
                .and_then(|v| v.parse().ok())
                .map_or(DEFAULT_INTERVAL, Duration::from_millis),
        };
        let mut next = Instant::now() + interval;
        while !stop.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(20).min(interval));
            if Instant::now() < next {
                continue;
            }
            next += interval;
            let figures = self.figures();
            let text = describe(&figures, started.elapsed());
            match bar {
                Some(bar) => {
                    bar.set_position(per_mille(&figures));
                    bar.set_message(text);
                }
                None => plain_line(&text),
            }
        }
    }
}

/// Finished share in thousandths, by objects.
fn per_mille(f: &Figures) -> u64 {
    if f.total_objects == 0 {
        return 0;
    }
    f.done_objects * 1000 / f.total_objects
}

fn plain_line(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "progress: {text}");
    let _ = stderr.flush();
}

fn size(bytes: u64) -> String {
    humansize::format_size(bytes, humansize::BINARY)
}

/// `3/10+ objects, 1.2 MiB/4 MiB+, 512 KiB/s, ETA 6s, 0 failed`.
pub fn describe(f: &Figures, elapsed: Duration) -> String {
    let more = if f.growing { "+" } else { "" };
    let secs = elapsed.as_secs_f64().max(0.001);
    let rate = f.done_bytes as f64 / secs;
    let eta = if f.done_objects == 0 || f.growing && f.total_objects == f.done_objects {
        "ETA -".to_string()
    } else {
        let per_object = secs / f.done_objects as f64;
        let left = (f.total_objects - f.done_objects) as f64 * per_object;
        format!("ETA {}s", left.ceil() as u64)
    };
    format!(
        "{}/{}{more} objects, {}/{}{more}, {}/s, {eta}, {} failed",
        f.done_objects,
        f.total_objects,
        size(f.done_bytes),
        size(f.total_bytes),
        size(rate as u64),
        f.failed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_growing_and_final_figures() {
        let f = Figures {
            done_objects: 3,
            total_objects: 10,
            done_bytes: 3072,
            total_bytes: 10240,
            failed: 1,
            growing: true,
        };
        let text = describe(&f, Duration::from_secs(3));
        assert_eq!(
            text,
            "3/10+ objects, 3 KiB/10 KiB+, 1 KiB/s, ETA 7s, 1 failed"
        );
        assert_eq!(per_mille(&f), 300);
        let done = Figures {
            done_objects: 10,
            done_bytes: 10240,
            growing: false,
            ..f
        };
        assert!(
            describe(&done, Duration::from_secs(1)).starts_with("10/10 objects, 10 KiB/10 KiB,")
        );
    }

    #[test]
    fn counts_records() {
        let p = Progress::default();
        p.plan(2, 100);
        let mut ok = Record::ok("cp");
        ok.object = Some(crate::record::ObjectRecord {
            size: Some(100),
            ..Default::default()
        });
        p.done(&ok);
        p.done(&Record::failed(
            "cp",
            "cp a b".into(),
            "x".into(),
            crate::error::ErrorKind::Io,
        ));
        let f = p.figures();
        assert_eq!(
            (f.done_objects, f.total_objects, f.done_bytes, f.failed),
            (2, 2, 100, 1)
        );
    }
}
