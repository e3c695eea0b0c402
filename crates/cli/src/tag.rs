//! `etagcore tag`: the content ETag of each file.

use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;

use serde_json::{Value, json};

use crate::Outcome;
use crate::cli::{TagArgs, TagFormat};
use crate::files::{self, Entry};
use crate::paths;
use crate::progress::Progress;

pub fn run(args: &TagArgs) -> Outcome {
    let format = if args.json {
        TagFormat::Json
    } else {
        args.format
    };
    let listing = files::list(&args.paths, args.recursive);
    let entries: Vec<&Entry> = listing.iter().filter_map(|e| e.as_ref().ok()).collect();
    let progress = Progress::new(&entries, args.no_progress);
    let mut hashes = files::hash_all(&entries, args.threads, &progress).into_iter();
    progress.finish();

    let mut outcome = Outcome::Ok;
    let mut out = Vec::new();
    let mut json = Vec::new();
    for item in &listing {
        let (path, result) = match item {
            Ok(entry) => {
                let hash = hashes
                    .next()
                    .unwrap_or_else(|| Err(io::Error::other("not hashed")));
                (&entry.path, hash.map_err(|e| files::reason(&e)))
            }
            Err(problem) => (&problem.path, Err(problem.reason.clone())),
        };
        match result {
            Ok((tag, size)) => {
                let hex = files::hex(&tag);
                match format {
                    TagFormat::Xxh => paths::write_line(&mut out, hex, path),
                    TagFormat::Etag => {
                        let weak = if args.weak { "W/" } else { "" };
                        paths::write_line(&mut out, &format!("{weak}\"{hex}\""), path);
                    }
                    TagFormat::Json => {
                        let etag = if args.weak {
                            format!("W/\"{hex}\"")
                        } else {
                            quoted(hex)
                        };
                        json.push(with_path(
                            json!({"etag": etag, "hex": hex, "size": size}),
                            path.as_os_str().as_bytes(),
                        ));
                    }
                }
            }
            Err(reason) => {
                files::complain(path, &reason);
                outcome = Outcome::No;
                if format == TagFormat::Json {
                    json.push(with_path(
                        json!({"error": reason}),
                        path.as_os_str().as_bytes(),
                    ));
                }
            }
        }
    }
    if format == TagFormat::Json {
        out = serde_json::to_vec_pretty(&Value::Array(json)).unwrap_or_default();
        out.push(b'\n');
    }
    write_stdout(&out).map_or(Outcome::Error, |()| outcome)
}

fn quoted(hex: &str) -> String {
    format!("\"{hex}\"")
}

/// Adds "path" (lossy UTF-8) and, for a name that is not UTF-8, "path_bytes" (its bytes as
/// numbers) so a monitoring script can still find the file.
fn with_path(mut object: Value, path: &[u8]) -> Value {
    if let Value::Object(map) = &mut object {
        map.insert(
            "path".into(),
            String::from_utf8_lossy(path).into_owned().into(),
        );
        if std::str::from_utf8(path).is_err() {
            map.insert("path_bytes".into(), path.to_vec().into());
        }
    }
    object
}

/// Writes everything to stdout; a closed pipe (`| head`) is not an error worth a message.
pub fn write_stdout(bytes: &[u8]) -> Result<(), ()> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            eprintln!("etagcore: cannot write the output: {}", files::reason(&e));
            Err(())
        }
    }
}
