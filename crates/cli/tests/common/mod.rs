//! Helpers for the command-line tests: a scratch directory, running the binary, xxh128sum.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fresh directory under the system temp dir, removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Self {
        // Tests of one binary run in parallel: a counter keeps their folders apart.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let pid = std::process::id();
        let dir = std::env::temp_dir().join(format!("etagcore-cli-test-{pid}-{n}-{name}"));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `etagcore ARGS` in `dir`.
pub fn etagcore(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_etagcore"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the etagcore binary runs")
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Whether Debian's xxh128sum is there. `make` sets ETAGCORE_REQUIRE_XXH128SUM=1 (after
/// installing the xxhash package), so there its absence fails instead of skipping.
pub fn have_xxh128sum() -> bool {
    let found = Command::new("xxh128sum").arg("--version").output().is_ok();
    if !found {
        assert!(
            std::env::var_os("ETAGCORE_REQUIRE_XXH128SUM").is_none(),
            "xxh128sum not found: apt-get install xxhash"
        );
        eprintln!("xxh128sum not found (apt-get install xxhash): comparison skipped");
    }
    found
}
