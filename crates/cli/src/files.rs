//! Finding the files to tag and hashing them on every core, results in input order.

use std::cell::RefCell;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use etagcore::{ContentHasher, ContentTag};
use rayon::prelude::*;

use crate::paths::show;
use crate::progress::Progress;

/// One file to hash: the path to open, and its size when listing learnt it for free (files in
/// a directory are listed from the directory alone, without a stat each).
#[derive(Debug)]
pub struct Entry {
    pub path: PathBuf,
    pub size: Option<u64>,
}

/// What hashing one file gives: its tag and how many bytes it had.
pub type Hashed = io::Result<(ContentTag, u64)>;

/// A path that named no file we could list, with the reason.
#[derive(Debug)]
pub struct Problem {
    pub path: PathBuf,
    pub reason: String,
}

/// What the command line named, in order: files, or problems to report.
pub type Listing = Vec<Result<Entry, Problem>>;

/// The files named by `paths`, directories expanded (sorted by name) when `recursive`.
/// Symbolic links named on the command line are followed; inside a directory, links to files
/// are followed and links to directories are not (no cycles, like `find` without `-L`).
pub fn list(paths: &[PathBuf], recursive: bool) -> Listing {
    let mut out = Vec::new();
    for path in paths {
        match fs::metadata(path) {
            Ok(meta) if meta.is_dir() && recursive => walk(path, &mut out),
            Ok(meta) if meta.is_dir() => out.push(Err(Problem {
                path: path.clone(),
                reason: "is a directory (use -r to tag the files in it)".into(),
            })),
            Ok(meta) => out.push(Ok(Entry {
                path: path.clone(),
                size: Some(meta.len()),
            })),
            Err(e) => out.push(Err(Problem {
                path: path.clone(),
                reason: reason(&e),
            })),
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Listing) {
    let mut children = match fs::read_dir(dir).and_then(|it| it.collect::<io::Result<Vec<_>>>()) {
        Ok(children) => children,
        Err(e) => {
            out.push(Err(Problem {
                path: dir.to_path_buf(),
                reason: reason(&e),
            }));
            return;
        }
    };
    // Sorted by the name's bytes: the same tree lists the same way on every machine.
    children.sort_by_key(|c| c.file_name());
    for child in children {
        let path = child.path();
        let kind = match child.file_type() {
            Ok(kind) => kind,
            Err(e) => {
                out.push(Err(Problem {
                    path,
                    reason: reason(&e),
                }));
                continue;
            }
        };
        if kind.is_dir() {
            walk(&path, out);
        } else if kind.is_symlink() {
            match fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {} // not followed: see `list`
                Ok(meta) => out.push(Ok(Entry {
                    path,
                    size: Some(meta.len()),
                })),
                Err(e) => out.push(Err(Problem {
                    path,
                    reason: reason(&e),
                })),
            }
        } else if kind.is_file() {
            out.push(Ok(Entry { path, size: None }));
        }
        // sockets, FIFOs and devices are not files to tag: skipped, like xxh128sum -r would not
        // see them either
    }
}

/// The content tag of every entry, in order, on `threads` threads (None: every core).
pub fn hash_all(entries: &[&Entry], threads: Option<usize>, progress: &Progress) -> Vec<Hashed> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build();
    let work = || {
        entries
            .par_iter()
            // One file per task: rayon's default halving hands one thread whole runs of large
            // files (a tree lists them together) while the other idles; work-stealing single
            // files keeps both cores busy to the end (59 -> 44 ms on the bench tree).
            .with_max_len(1)
            .map(|e| {
                let result = hash_file(&e.path);
                progress.done(result.as_ref().map_or(0, |(_, n)| *n));
                result
            })
            .collect()
    };
    match pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(), // rayon's global pool
    }
}

/// Read size: large enough that a syscall is cheap next to hashing, small enough that the
/// kernel's copy and the hash both stay in L2 (256 KiB cost a third more system time here).
const CHUNK: usize = 64 * 1024;

thread_local! {
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(vec![0; CHUNK]);
}

/// The content tag of one file and its length, streaming: a file that fits in one read is
/// hashed one-shot (XXH3's fast path for small inputs), a larger one chunk by chunk. No stat:
/// a directory fails its first read (EISDIR).
pub fn hash_file(path: &Path) -> Hashed {
    let mut file = File::open(path)?;
    BUFFER.with_borrow_mut(|buf| {
        let first = fill(&mut file, buf)?;
        if first < buf.len() {
            return Ok((
                ContentTag::of(buf.get(..first).unwrap_or_default()),
                first as u64,
            ));
        }
        let mut hasher = ContentHasher::new();
        hasher.update(buf);
        let mut total = first as u64;
        loop {
            let n = fill(&mut file, buf)?;
            hasher.update(buf.get(..n).unwrap_or_default());
            total += n as u64;
            if n < buf.len() {
                return Ok((hasher.finish(), total));
            }
        }
    })
}

/// Reads until `buf` is full or the file ends; the number of bytes read.
fn fill(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..).filter(|r| !r.is_empty()) {
        match file.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The 32 hex digits of a (strong) content tag.
pub fn hex(tag: &ContentTag) -> &str {
    tag.as_str().trim_matches('"')
}

/// An I/O error as a short reason, without Rust's "(os error N)" suffix.
pub fn reason(e: &io::Error) -> String {
    let text = e.to_string();
    match text.find(" (os error") {
        Some(i) => text.get(..i).unwrap_or(&text).to_string(),
        None => text,
    }
}

/// `path: reason` for stderr.
pub fn complain(path: &Path, reason: &str) {
    eprintln!("etagcore: {}: {reason}", show(path));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("etagcore-cli-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn streaming_and_one_shot_agree_at_every_chunk_boundary() {
        let dir = temp("chunks");
        for len in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let path = dir.join(format!("f{len}"));
            File::create(&path).unwrap().write_all(&data).unwrap();
            let want = (ContentTag::of(&data), len as u64);
            assert_eq!(hash_file(&path).unwrap(), want, "{len} bytes");
        }
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn directories_need_recursion_and_are_walked_sorted() {
        let dir = temp("walk");
        fs::create_dir_all(dir.join("b/c")).unwrap();
        for name in ["b/c/z", "b/a", "a", "B"] {
            fs::write(dir.join(name), name).unwrap();
        }
        let flat = list(std::slice::from_ref(&dir), false);
        assert!(matches!(&flat[..], [Err(p)] if p.reason.contains("use -r")));
        let names: Vec<_> = list(std::slice::from_ref(&dir), true)
            .into_iter()
            .map(|e| e.unwrap().path.strip_prefix(&dir).unwrap().to_path_buf())
            .collect();
        let want: Vec<PathBuf> = ["B", "a", "b/a", "b/c/z"]
            .iter()
            .map(PathBuf::from)
            .collect();
        assert_eq!(names, want);
        fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn missing_files_are_problems_not_panics() {
        let listed = list(&[PathBuf::from("/nonexistent/etagcore")], true);
        assert!(matches!(&listed[..], [Err(p)] if p.reason == "No such file or directory"));
    }
}
