//! The command line: clap derive definitions, help texts with examples.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit status: 0 all good; 1 the answer is no (a file could not be read, a manifest does not
match, the farm disagrees); 2 usage error, malformed input or network failure.";

/// Content ETags that agree across a server farm: tag files, write and check deploy manifests,
/// and probe a live farm for ETag disagreement.
///
/// A content ETag is "<32 hex digits>": XXH3-128 of the file's bytes, the digits `xxh128sum`
/// prints, and the tag the etagcore server modules send for the file.
#[derive(Debug, Parser)]
#[command(name = "etagcore", version, after_help = EXIT_CODES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the content ETag of each file.
    #[command(after_long_help = TAG_EXAMPLES)]
    Tag(TagArgs),
    /// Write a deploy manifest of a directory: every file's tag, relative paths, sorted.
    #[command(after_long_help = MANIFEST_EXAMPLES)]
    Manifest(ManifestArgs),
    /// Verify the files a manifest lists: report changed, missing and unreadable files.
    #[command(after_long_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Ask each origin of a farm for a URL and revalidate it with every origin's validators.
    #[command(after_long_help = PROBE_EXAMPLES)]
    Probe(ProbeArgs),
}

const TAG_EXAMPLES: &str = "\
Examples:
  etagcore tag index.html app.js        <hex>  <path>, as xxh128sum prints it
  etagcore tag -r /srv/www > tags.txt   every file under /srv/www, sorted
  xxh128sum -c tags.txt                 ...which xxh128sum can check
  etagcore tag --format etag app.js     \"<hex>\"  app.js: the ETag header value

Directories need -r; symbolic links to directories are not followed inside them.
Exit status: 0 every file tagged; 1 a file could not be read (the reason is on stderr,
the other files are still printed); 2 usage error.";

const MANIFEST_EXAMPLES: &str = "\
Examples:
  etagcore manifest /srv/www -o www.xxh128   on the build machine
  cd /srv/www && etagcore check ../www.xxh128   on each server after the deploy
  cd /srv/www && xxh128sum -c ../www.xxh128     the same check with xxh128sum

The manifest has xxh128sum's format, paths relative to DIR with '/' separators, sorted by
their bytes: the same tree gives the same file on every machine.";

const CHECK_EXAMPLES: &str = "\
Examples:
  etagcore check www.xxh128 -C /srv/www   paths resolved under /srv/www
  etagcore check -v www.xxh128            print an OK line for every file too

Paths are resolved against the current directory (like xxh128sum -c), or -C DIR.
Exit status: 0 every file matches; 1 a file changed, is missing or unreadable;
2 the manifest cannot be read or has a malformed line (its number is given).";

const PROBE_EXAMPLES: &str = "\
Examples:
  etagcore probe http://www.example.com/app.js --origin 10.0.0.1:80 --origin 10.0.0.2:80
      Connects to each origin itself, sends the URL's Host, and revalidates every origin
      with every origin's ETag and Last-Modified.
  etagcore probe https://www.example.com/ --origin 10.0.0.1:443 --insecure
  etagcore probe --urls-file urls.txt --origin a:80 --origin b:80 --json
  etagcore probe http://www.example.com/app.js
      Without --origin: several requests through the URL's own host (a balancer), then
      revalidations with the first answer's validators.
  etagcore probe http://www.example.com/app.js --origin a:80 --origin b:80 --accept-encoding gzip

Verdict: the farm agrees when every origin answers 200 with the same body and the same ETag,
and every If-None-Match revalidation (alone, and with If-Modified-Since, as browsers send
them) gets 304. If-Modified-Since alone is shown, and warned about, but does not fail the
probe: it compares each server's own mtime, which content ETags cannot fix.
Exit status: 0 the farm agrees; 1 it disagrees; 2 usage error or an origin that refuses,
times out, redirects or does not speak HTTP.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TagFormat {
    /// `<32 hex digits>  <path>`, exactly as xxh128sum prints.
    Xxh,
    /// `"<32 hex digits>"  <path>`: the ETag field value.
    Etag,
    /// One JSON array of {path, etag, hex, size} (or {path, error}).
    Json,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// Files to tag; directories with -r.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Tag every file under the directories given, in sorted order.
    #[arg(short, long)]
    pub recursive: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TagFormat::Xxh)]
    pub format: TagFormat,
    /// Shorthand for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// Print the weak form W/"..." (with --format etag or json), as for an on-the-fly encoding.
    #[arg(long)]
    pub weak: bool,
    /// Never draw a progress bar (there is none anyway when stderr is not a terminal).
    #[arg(long)]
    pub no_progress: bool,
    /// Hash with this many threads (default: every core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// The directory to list (recursively).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Where to write the manifest ("-": standard output).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Never draw a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// Hash with this many threads (default: every core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The manifest to verify (xxh128sum format).
    #[arg(value_name = "FILE")]
    pub manifest: PathBuf,
    /// Resolve the manifest's paths under DIR instead of the current directory.
    #[arg(short = 'C', long = "root", value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Also print a line for every file that matches.
    #[arg(short, long)]
    pub verbose: bool,
    /// Hash with this many threads (default: every core).
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The URLs to probe (http:// or https://).
    #[arg(value_name = "URL", required_unless_present = "urls_file")]
    pub urls: Vec<String>,
    /// A file of URLs, one a line ('#' starts a comment).
    #[arg(long, value_name = "FILE")]
    pub urls_file: Option<PathBuf>,
    /// An origin server to connect to directly, HOST:PORT (repeat for each origin).
    #[arg(long = "origin", value_name = "HOST:PORT")]
    pub origins: Vec<String>,
    /// Without --origin: how many requests to send through the URL's own host.
    #[arg(long, default_value_t = 6, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rounds: u32,
    /// Send Accept-Encoding with this value and check the encoded variants the same way.
    #[arg(long, value_name = "CODINGS")]
    pub accept_encoding: Option<String>,
    /// Skip TLS certificate verification (test farms with self-signed certificates).
    #[arg(short = 'k', long)]
    pub insecure: bool,
    /// Give up on a request after this many seconds (connect, send, receive together).
    #[arg(long, default_value = "5", value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Duration,
    /// Print one JSON document instead of text (for monitoring).
    #[arg(long)]
    pub json: bool,
}

fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 3600.0) {
        return Err("the timeout must be more than 0 and at most 3600 seconds".into());
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn timeouts_are_bounded() {
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
        assert!(parse_timeout("NaN").is_err());
        assert!(parse_timeout("inf").is_err());
        assert!(parse_timeout("soon").is_err());
    }
}
