//! `etagcore manifest` and `etagcore check`: a deploy-time list of content tags, in
//! `xxh128sum`'s format, and its verification.

use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};

use crate::Outcome;
use crate::cli::{CheckArgs, ManifestArgs};
use crate::files::{self, Entry};
use crate::paths::{self, LineError, show};
use crate::progress::Progress;
use crate::tag::write_stdout;

pub fn write(args: &ManifestArgs) -> Outcome {
    match fs::metadata(&args.dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => return usage(&format!("{}: is not a directory", show(&args.dir))),
        Err(e) => return usage(&format!("{}: {}", show(&args.dir), files::reason(&e))),
    }
    let to_stdout = args.output.as_os_str() == "-";
    // The manifest never lists itself, wherever -o puts it.
    let itself = if to_stdout {
        None
    } else {
        fs::canonicalize(&args.output).ok()
    };
    let mut listed = Vec::new();
    let mut outcome = Outcome::Ok;
    for item in files::list(std::slice::from_ref(&args.dir), true) {
        match item {
            Ok(entry) => {
                if itself.is_some() && fs::canonicalize(&entry.path).ok() == itself {
                    continue;
                }
                listed.push((relative(&args.dir, &entry.path), entry));
            }
            Err(problem) => {
                files::complain(&problem.path, &problem.reason);
                outcome = Outcome::No;
            }
        }
    }
    // Sorted by the bytes of the relative path (LC_ALL=C sort): stable across machines.
    listed.sort_by(|a, b| a.0.as_os_str().as_bytes().cmp(b.0.as_os_str().as_bytes()));
    let entries: Vec<&Entry> = listed.iter().map(|(_, e)| e).collect();
    let progress = Progress::new(&entries, args.no_progress);
    let hashes = files::hash_all(&entries, args.threads, &progress);
    progress.finish();

    let mut out = Vec::new();
    for ((rel, entry), hash) in listed.iter().zip(hashes) {
        match hash {
            Ok((tag, _)) => paths::write_line(&mut out, files::hex(&tag), rel),
            Err(e) => {
                files::complain(&entry.path, &files::reason(&e));
                outcome = Outcome::No;
            }
        }
    }
    if outcome != Outcome::Ok {
        eprintln!("etagcore: no manifest written: every file must be readable");
        return outcome;
    }
    if to_stdout {
        return write_stdout(&out).map_or(Outcome::Error, |()| Outcome::Ok);
    }
    match write_atomically(&args.output, &out) {
        Ok(()) => {
            eprintln!(
                "etagcore: {} files listed in {}",
                listed.len(),
                show(&args.output)
            );
            Outcome::Ok
        }
        Err(e) => usage(&format!(
            "cannot write {}: {}",
            show(&args.output),
            files::reason(&e)
        )),
    }
}

/// `path` relative to `dir`, with `/` separators (what it already is on Unix).
fn relative(dir: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(dir).unwrap_or(path);
    rel.components()
        .filter(|c| !matches!(c, Component::CurDir))
        .collect()
}

/// Writes FILE.tmp, then renames it over FILE: a reader never sees half a manifest.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

fn usage(message: &str) -> Outcome {
    eprintln!("etagcore: {message}");
    Outcome::Error
}

/// How one listed file compares with the manifest.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Ok,
    Changed(String),
    Missing,
    Unreadable(String),
}

pub fn check(args: &CheckArgs) -> Outcome {
    let text = match fs::read(&args.manifest) {
        Ok(text) => text,
        Err(e) => return usage(&format!("{}: {}", show(&args.manifest), files::reason(&e))),
    };
    let lines = match parse(&text) {
        Ok(lines) if lines.is_empty() => {
            return usage(&format!("{}: lists no files", show(&args.manifest)));
        }
        Ok(lines) => lines,
        Err((number, why)) => {
            let why = match why {
                LineError::Shape => "expected '<32 lowercase hex digits>  <path>'",
                LineError::Escape => "a backslash escape other than \\\\, \\n or \\r",
            };
            return usage(&format!(
                "{}:{number}: malformed line: {why}",
                show(&args.manifest)
            ));
        }
    };
    let root = args.root.clone().unwrap_or_default();
    let entries: Vec<Entry> = lines
        .iter()
        .map(|(_, p)| Entry {
            path: root.join(p),
            size: None,
        })
        .collect();
    let refs: Vec<&Entry> = entries.iter().collect();
    let hashes = files::hash_all(&refs, args.threads, &Progress::none());

    let mut counts = [0usize; 4];
    for ((want, path), hash) in lines.iter().zip(hashes) {
        let verdict = match hash {
            Ok((tag, _)) if files::hex(&tag) == want => Verdict::Ok,
            Ok((tag, _)) => Verdict::Changed(files::hex(&tag).to_string()),
            Err(e) if e.kind() == ErrorKind::NotFound => Verdict::Missing,
            Err(e) => Verdict::Unreadable(files::reason(&e)),
        };
        let shown = show(path);
        match &verdict {
            Verdict::Ok if args.verbose => println!("{shown}: OK"),
            Verdict::Ok => {}
            Verdict::Changed(now) => println!("{shown}: CHANGED (now {now})"),
            Verdict::Missing => println!("{shown}: MISSING"),
            Verdict::Unreadable(reason) => println!("{shown}: UNREADABLE ({reason})"),
        }
        let slot = match verdict {
            Verdict::Ok => 0,
            Verdict::Changed(_) => 1,
            Verdict::Missing => 2,
            Verdict::Unreadable(_) => 3,
        };
        if let Some(count) = counts.get_mut(slot) {
            *count += 1;
        }
    }
    let [ok, changed, missing, unreadable] = counts;
    eprintln!(
        "etagcore: {} files: {ok} OK, {changed} changed, {missing} missing, {unreadable} unreadable",
        lines.len()
    );
    if ok == lines.len() {
        Outcome::Ok
    } else {
        Outcome::No
    }
}

/// Every line of a manifest, or the first malformed one (1-based number and why).
fn parse(text: &[u8]) -> Result<Vec<(String, PathBuf)>, (usize, LineError)> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if body.is_empty() {
        return Ok(Vec::new());
    }
    body.split(|&b| b == b'\n')
        .enumerate()
        .map(|(i, line)| paths::read_line(line).map_err(|e| (i + 1, e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn relative_paths_drop_the_directory_and_dot_components() {
        assert_eq!(
            relative(Path::new("./site"), Path::new("./site/a/b.txt")),
            Path::new("a/b.txt")
        );
        assert_eq!(
            relative(Path::new("site/"), Path::new("site/x")),
            Path::new("x")
        );
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let good = format!("{}  a\n", "0".repeat(32));
        assert_eq!(parse(good.as_bytes()).unwrap().len(), 1);
        assert_eq!(parse(b"").unwrap().len(), 0);
        let bad = format!("{good}{good}oops\n{good}");
        assert_eq!(parse(bad.as_bytes()), Err((3, LineError::Shape)));
        let blank = format!("{good}\n{good}");
        assert_eq!(parse(blank.as_bytes()), Err((2, LineError::Shape)));
    }

    #[test]
    fn paths_keep_their_bytes() {
        let line = [&b"0"[..]; 32].concat();
        let text = [&line[..], b"  caf\xe9\n"].concat();
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed[0].1.as_os_str(), OsStr::from_bytes(b"caf\xe9"));
    }
}
