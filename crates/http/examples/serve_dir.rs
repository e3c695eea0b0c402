//! A static file server with content ETags: the same tag for the same bytes on every server of
//! a farm, gzip on the fly for the rest, 304s and 412s decided before a file is opened.
//!
//! ```text
//! cargo run -p etagcore-http --example serve_dir -- --root DIR --listen 127.0.0.1:PORT
//!     [--stock] [--manifest FILE]
//! ```
//!
//! The layers, from the outside in (`ServiceBuilder` lists them in that order):
//!
//! ```text
//! PreconditionLayer   evaluates the conditions against the response the client would get: its
//!                     final Content-Encoding and ETag. It writes W/ before a strong tag whose
//!                     bytes were compressed after they were tagged (TaggedEncoding says which
//!                     encoding was hashed), and answers 304/412 for what reaches it with a tag
//!                     (the compressor is then never polled).
//! CompressionLayer    gzip on the fly for identity responses the client accepts gzip for, with
//!                     Vary: accept-encoding; leaves precompressed copies (Content-Encoding set)
//!                     and ranges alone.
//! ContentServeDir     resolves the file as ServeDir would, takes its tag from the manifest or
//!                     the tag cache (one hash per file version, off the runtime), answers
//!                     304/412 itself before ServeDir opens the file, else lets ServeDir stream
//!                     it with the content tag and TaggedEncoding. vary_accept_encoding: its own
//!                     304s carry the Vary the compressor gives the 200s.
//! ```
//!
//! Inside-out orders break things (the layer module's docs list what): compression outside the
//! precondition layer would send the strong identity tag on gzip bodies.
//!
//! `--stock` serves the same folder with plain tower-http `ServeDir` under the same
//! `CompressionLayer`: metadata tags (`"<mtime>-<size>"`), which differ between copies of a file
//! on different servers. `--manifest FILE` loads deploy-time tags (`etagcore manifest DIR`).
//!
//! Exit status: 0 never (it serves until killed), 2 for a usage error or a bad manifest, 1 when
//! the address cannot be bound.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use axum::Router;
use axum::serve::ListenerExt;
use etagcore_http::fs::ContentServeDir;
use etagcore_http::layer::PreconditionLayer;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

const USAGE: &str = "\
usage: serve_dir --root DIR --listen ADDR:PORT [--stock] [--manifest FILE]

  --root DIR         the folder to serve
  --listen ADDR      where to listen, e.g. 127.0.0.1:8080
  --stock            plain tower-http ServeDir (metadata ETags), for comparison
  --manifest FILE    deploy-time tags in xxh128sum format, paths relative to DIR

example: serve_dir --root ./public --listen 127.0.0.1:8080";

struct Args {
    root: PathBuf,
    listen: SocketAddr,
    stock: bool,
    manifest: Option<PathBuf>,
}

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let (mut root, mut listen, mut stock, mut manifest) = (None, None, false, None);
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
            "--manifest" => manifest = Some(PathBuf::from(value("--manifest")?)),
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
    if stock && manifest.is_some() {
        return Err("--manifest has no meaning with --stock".into());
    }
    Ok(Args {
        root,
        listen,
        stock,
        manifest,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("serve_dir: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };

    let app = if args.stock {
        Router::new().fallback_service(
            ServiceBuilder::new()
                .layer(CompressionLayer::new())
                .service(ServeDir::new(&args.root)),
        )
    } else {
        let mut files = ContentServeDir::new(&args.root).vary_accept_encoding(true);
        if let Some(manifest) = &args.manifest {
            files = match files.manifest_file(manifest) {
                Ok(files) => files,
                Err(error) => {
                    eprintln!("serve_dir: {}: {error}", manifest.display());
                    return ExitCode::from(2);
                }
            };
        }
        Router::new().fallback_service(
            ServiceBuilder::new()
                .layer(PreconditionLayer::new()) // outermost: sees what the client receives
                .layer(CompressionLayer::new())
                .service(files), // innermost: tags the bytes on disk
        )
    };

    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("serve_dir: cannot listen on {}: {error}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    // No Nagle: a body written after its header block must not wait for the peer's delayed ACK
    // (40 ms on Linux), which would cap each connection at 25 responses a second.
    let listener = listener.tap_io(|tcp| {
        if let Err(error) = tcp.set_nodelay(true) {
            eprintln!("serve_dir: TCP_NODELAY: {error}");
        }
    });
    let mode = if args.stock {
        "stock ServeDir"
    } else {
        "content tags"
    };
    eprintln!(
        "serve_dir: {} on http://{} ({mode})",
        args.root.display(),
        args.listen
    );
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("serve_dir: {error}");
            ExitCode::FAILURE
        }
    }
}
