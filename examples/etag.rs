//! Prints the content ETag of each file: the same on every server that holds the same bytes.
//!
//! ```sh
//! cargo run --example etag -- FILE...
//! ```
//!
//! Output: one `ETAG  FILE` line per file, like `xxh128sum` (whose digits are the same, without
//! the quotes). The files are streamed in 64 KiB chunks, so any size works in constant memory.

use std::fs::File;
use std::io::{self, Read};
use std::process::ExitCode;

use etagcore::{ContentHasher, ContentTag};

fn content_tag(path: &str) -> io::Result<ContentTag> {
    let mut file = File::open(path)?;
    let mut hasher = ContentHasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf) {
            Ok(0) => return Ok(hasher.finish()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        eprintln!("usage: etag FILE...");
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    for path in &paths {
        match content_tag(path) {
            Ok(tag) => println!("{tag}  {path}"),
            Err(e) => {
                eprintln!("etag: {path}: {e}");
                status = ExitCode::FAILURE;
            }
        }
    }
    status
}
