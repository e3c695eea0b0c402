//! The progress bar: on stderr, only when stderr is a terminal and the run is long enough to
//! want one; never when piped or with --no-progress.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::files::Entry;

/// A run is "long" from this many bytes or files on: below that it ends before a bar helps.
const LONG_BYTES: u64 = 256 << 20;
const LONG_FILES: usize = 2_000;

/// A progress bar over bytes hashed, or nothing.
pub struct Progress(Option<ProgressBar>);

impl Progress {
    /// No bar.
    pub fn none() -> Self {
        Progress(None)
    }

    /// A bar over the bytes of `entries`, when it is wanted: only then are the sizes that
    /// listing did not learn looked up.
    pub fn new(entries: &[&Entry], disabled: bool) -> Self {
        if disabled || !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let size = |e: &Entry| {
            e.size
                .or_else(|| std::fs::metadata(&e.path).ok().map(|m| m.len()))
        };
        let bytes: u64 = entries.iter().filter_map(|e| size(e)).sum();
        if bytes < LONG_BYTES && entries.len() < LONG_FILES {
            return Progress(None);
        }
        let bar = ProgressBar::with_draw_target(Some(bytes), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress(Some(bar))
    }

    /// `bytes` more are done.
    pub fn done(&self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    /// Removes the bar before the results are printed.
    pub fn finish(self) {
        if let Some(bar) = self.0 {
            bar.finish_and_clear();
        }
    }
}
