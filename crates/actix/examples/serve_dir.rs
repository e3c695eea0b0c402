//! A static file server on actix-web with content ETags: the same tag for the same bytes on
//! every server of a farm, gzip on the fly for the rest, 304s and 412s from all five
//! conditional fields.
//!
//! ```text
//! cargo run -p etagcore-actix --example actix_serve_dir -- --root DIR --listen 127.0.0.1:PORT
//!     [--stock] [--workers N]
//! ```
//!
//! The middlewares, from the outside in (in actix-web the last `wrap` is the outermost):
//!
//! ```text
//! Preconditions   evaluates the conditions against the response the client gets: its final
//!                 Content-Encoding and ETag. A strong tag whose bytes were gzipped after they
//!                 were tagged becomes W/"<same hex>" first; 304s keep Compress's Vary.
//! Compress        gzip on the fly for identity responses the client accepts gzip for; leaves
//!                 precompressed siblings (Content-Encoding set) and ranges alone.
//! TaggedFiles     the folder, as actix-files' Files serves it, with each file's content tag
//!                 from a TagCache shared by the workers (one hash per file version, on the
//!                 blocking pool), and a .br / .gz sibling sent as stored with its own tag.
//! ```
//!
//! Compress outside Preconditions would send the identity's strong tag on gzip bodies, and
//! 304s without Vary (tests/middleware.rs shows both wrong orders).
//!
//! `--stock` serves the same folder with plain actix-files (`Files`, inode-based ETags
//! `"<ino>:<len>:<secs>:<nanos>"`, which differ between copies of a file on different servers)
//! under the same `Compress`.
//!
//! Exit status: 0 after a signal stops it, 2 for a usage error, 1 when the address cannot be
//! bound.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use actix_files::Files;
use actix_web::middleware::{Compress, Condition};
use actix_web::{App, HttpServer};
use etagcore_actix::Preconditions;
use etagcore_actix::fs::{TagCache, TaggedFiles};

const USAGE: &str = "\
usage: actix_serve_dir --root DIR --listen ADDR:PORT [--stock] [--workers N]

  --root DIR         the folder to serve (index.html for directories)
  --listen ADDR      where to listen, e.g. 127.0.0.1:8080
  --stock            plain actix-files Files (inode-based ETags), for comparison
  --workers N        worker threads (default: one per CPU)

example: actix_serve_dir --root ./public --listen 127.0.0.1:8080";

struct Args {
    root: PathBuf,
    listen: SocketAddr,
    stock: bool,
    workers: Option<usize>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut root, mut listen, mut stock, mut workers) = (None, None, false, None);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--root" => root = Some(PathBuf::from(value("--root")?)),
            "--listen" => {
                let text = value("--listen")?;
                let addr = text.parse().map_err(|_| {
                    format!("--listen {text}: expected ADDR:PORT, e.g. 127.0.0.1:8080")
                })?;
                listen = Some(addr);
            }
            "--workers" => {
                let text = value("--workers")?;
                match text.parse::<usize>() {
                    Ok(n) if n > 0 => workers = Some(n),
                    _ => return Err(format!("--workers {text}: expected a number above 0")),
                }
            }
            "--stock" => stock = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let root = root.ok_or("--root DIR is required")?;
    if !root.is_dir() {
        return Err(format!("--root {}: not a directory", root.display()));
    }
    let listen = listen.ok_or("--listen ADDR:PORT is required")?;
    Ok(Args {
        root,
        listen,
        stock,
        workers,
    })
}

#[actix_web::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("actix_serve_dir: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    // One cache for every worker: each file is hashed once, whichever worker asks first.
    let cache = TagCache::default();
    let (root, stock) = (args.root.clone(), args.stock);
    let server = HttpServer::new(move || {
        // Both modes have the same stack; Condition keeps the App's type, and in stock mode
        // Preconditions is off: actix-files decides 304/412 itself.
        let app = App::new()
            .wrap(Compress::default())
            .wrap(Condition::new(!stock, Preconditions::new()));
        if stock {
            app.service(
                Files::new("/", &root)
                    .index_file("index.html")
                    .try_compressed(),
            )
        } else {
            app.service(
                TaggedFiles::new("/", &root, cache.clone())
                    .index_file("index.html")
                    .try_compressed(),
            )
        }
    })
    // No Nagle: a file body written after its header block must not wait for the peer's
    // delayed ACK (40 ms on Linux), which would cap each connection near 25 responses a second.
    .on_connect(|conn, _| {
        if let Some(tcp) = conn.downcast_ref::<actix_web::rt::net::TcpStream>()
            && let Err(error) = tcp.set_nodelay(true)
        {
            eprintln!("actix_serve_dir: TCP_NODELAY: {error}");
        }
    })
    .shutdown_timeout(1);
    let server = match args.workers {
        Some(n) => server.workers(n),
        None => server,
    };
    let server = match server.bind(args.listen) {
        Ok(server) => server,
        Err(error) => {
            eprintln!("actix_serve_dir: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    let mode = if args.stock {
        "stock actix-files"
    } else {
        "content tags"
    };
    eprintln!(
        "actix_serve_dir: {} on http://{} ({mode})",
        args.root.display(),
        args.listen
    );
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("actix_serve_dir: {error}");
            ExitCode::FAILURE
        }
    }
}
