//! `etagcore probe`: does a farm hand out one ETag per file, and does every server answer a
//! revalidation made with another server's validators with 304?

mod client;
mod report;
mod verdict;

use std::fs;

use ureq::http::Uri;

use crate::Outcome;
use crate::cli::ProbeArgs;
use client::{Client, Reply, Settings};
pub use verdict::{Cell, Kind, Matrix, UrlReport};

pub fn run(args: &ProbeArgs) -> Outcome {
    let urls = match urls(args) {
        Ok(urls) => urls,
        Err(message) => {
            eprintln!("etagcore: {message}");
            return Outcome::Error;
        }
    };
    let mut origins = Vec::new();
    for origin in &args.origins {
        match client::resolve_origin(origin) {
            Ok(addr) => origins.push((origin.clone(), Client::new(Some(addr), &settings(args)))),
            Err(message) => {
                eprintln!("etagcore: {message}");
                return Outcome::Error;
            }
        }
    }
    let reports: Vec<UrlReport> = urls
        .iter()
        .map(|url| {
            if origins.is_empty() {
                through_balancer(url, &Client::new(None, &settings(args)), args.rounds)
            } else {
                across_origins(url, &origins)
            }
        })
        .collect();
    let outcome = reports
        .iter()
        .map(|r| r.outcome)
        .max()
        .unwrap_or(Outcome::Ok);
    let text = if args.json {
        report::json(&reports, outcome)
    } else {
        report::text(&reports)
    };
    crate::tag::write_stdout(text.as_bytes()).map_or(Outcome::Error, |()| outcome)
}

fn settings(args: &ProbeArgs) -> Settings {
    Settings {
        timeout: args.timeout,
        insecure: args.insecure,
        accept_encoding: args.accept_encoding.clone(),
    }
}

/// The URLs of the command line and of --urls-file, each checked: absolute http(s) URLs.
fn urls(args: &ProbeArgs) -> Result<Vec<String>, String> {
    let mut urls = args.urls.clone();
    if let Some(file) = &args.urls_file {
        let text = fs::read_to_string(file)
            .map_err(|e| format!("{}: {}", file.display(), crate::files::reason(&e)))?;
        urls.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    if urls.is_empty() {
        return Err("no URL to probe".into());
    }
    for url in &urls {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("'{url}' is not a URL: {e}"))?;
        match uri.scheme_str() {
            Some("http" | "https") if uri.host().is_some() => {}
            _ => return Err(format!("'{url}': give an absolute http:// or https:// URL")),
        }
    }
    Ok(urls)
}

/// The conditional fields a client holding `reply` would send, for one kind of revalidation;
/// None when the reply lacks the validator.
fn conditions(reply: &Reply, kind: Kind) -> Option<Vec<(&'static str, &str)>> {
    let inm = reply.etag.as_deref().map(|v| ("If-None-Match", v));
    let ims = reply
        .last_modified
        .as_deref()
        .map(|v| ("If-Modified-Since", v));
    match kind {
        Kind::IfNoneMatch => Some(vec![inm?]),
        Kind::IfModifiedSince => Some(vec![ims?]),
        Kind::Both => Some(vec![inm?, ims?]),
    }
}

fn revalidate(client: &Client, url: &str, holder: &Reply, kind: Kind) -> Cell {
    match conditions(holder, kind) {
        None => Cell::NotSent,
        Some(fields) => match client.get(url, &fields) {
            Ok(reply) => Cell::Status(reply.status),
            Err(e) => Cell::Failed(e),
        },
    }
}

/// Every origin fetched directly, then every origin revalidated with every origin's validators.
fn across_origins(url: &str, origins: &[(String, Client)]) -> UrlReport {
    let rows: Vec<(String, Result<Reply, String>)> = origins
        .iter()
        .map(|(label, c)| (label.clone(), c.get(url, &[])))
        .collect();
    let mut matrices = Vec::new();
    if rows
        .iter()
        .all(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200))
    {
        for kind in Kind::ALL {
            let cells = rows
                .iter()
                .map(|(_, holder)| {
                    let holder = holder.as_ref().ok();
                    origins
                        .iter()
                        .map(|(_, c)| holder.map_or(Cell::NotSent, |h| revalidate(c, url, h, kind)))
                        .collect()
                })
                .collect();
            matrices.push(Matrix { kind, cells });
        }
    }
    verdict::judge(url, false, rows, matrices)
}

/// Without origins: `rounds` GETs through the URL's own host, then `rounds` revalidations of
/// each kind with the first answer's validators.
fn through_balancer(url: &str, client: &Client, rounds: u32) -> UrlReport {
    let rows: Vec<(String, Result<Reply, String>)> = (1..=rounds)
        .map(|i| (format!("request {i}"), client.get(url, &[])))
        .collect();
    let mut matrices = Vec::new();
    if let Some((_, Ok(first))) = rows.first().filter(|_| {
        rows.iter()
            .all(|(_, r)| r.as_ref().is_ok_and(|r| r.status == 200))
    }) {
        for kind in Kind::ALL {
            let cells = vec![
                (0..rounds)
                    .map(|_| revalidate(client, url, first, kind))
                    .collect(),
            ];
            matrices.push(Matrix { kind, cells });
        }
    }
    verdict::judge(url, true, rows, matrices)
}
