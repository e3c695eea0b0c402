//! `etagcore`: content ETags of files, deploy manifests, and a probe that shows whether the
//! servers of a farm agree on their ETags.
//!
//! Exit codes, for every command: 0 success; 1 the answer is "no" (a file could not be read, a
//! manifest does not match, the farm disagrees); 2 usage error, malformed input or network
//! failure.

mod cli;
mod files;
mod manifest;
mod paths;
mod probe;
mod progress;
mod tag;

use std::process::ExitCode;

use clap::Parser;

/// What every command returns: the process exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// Exit 0: everything checked out.
    Ok = 0,
    /// Exit 1: the answer is "no" (unreadable file, mismatch, disagreement).
    No = 1,
    /// Exit 2: usage error, malformed input, network failure.
    Error = 2,
}

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    let outcome = match args.command {
        cli::Command::Tag(a) => tag::run(&a),
        cli::Command::Manifest(a) => manifest::write(&a),
        cli::Command::Check(a) => manifest::check(&a),
        cli::Command::Probe(a) => probe::run(&a),
    };
    ExitCode::from(outcome as u8)
}
