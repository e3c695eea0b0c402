//! A probe's findings as text for a person, or as one JSON document for monitoring.

use std::fmt::Write;

use serde_json::{Value, json};

use super::verdict::{Cell, UrlReport};
use crate::Outcome;

pub fn text(reports: &[UrlReport]) -> String {
    let mut out = String::new();
    for (n, r) in reports.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        url(&mut out, r);
    }
    out
}

fn url(out: &mut String, r: &UrlReport) {
    let what = if r.through_balancer {
        "requests through its own host"
    } else {
        "origins"
    };
    let _ = writeln!(out, "{}  ({} {what})", r.url, r.rows.len());
    let _ = writeln!(
        out,
        "  {:<3} {:<22} {:>6}  {:<38} {:<29} {:>9} {:<8} body content tag",
        "#", "", "status", "ETag", "Last-Modified", "length", "encoding"
    );
    for (i, (label, reply)) in r.rows.iter().enumerate() {
        match reply {
            Ok(p) => {
                let _ = writeln!(
                    out,
                    "  {:<3} {:<22} {:>6}  {:<38} {:<29} {:>9} {:<8} {}",
                    i + 1,
                    label,
                    p.status,
                    p.etag.as_deref().unwrap_or("-"),
                    p.last_modified.as_deref().unwrap_or("-"),
                    p.content_length.as_deref().unwrap_or("-"),
                    p.content_encoding.as_deref().unwrap_or("-"),
                    p.digest
                );
            }
            Err(e) => {
                let _ = writeln!(out, "  {:<3} {label:<22} error: {e}", i + 1);
            }
        }
    }
    for m in &r.matrices {
        let _ = if r.through_balancer {
            writeln!(
                out,
                "\n  {}: request 1's validators, sent again and again",
                m.kind.label()
            )
        } else {
            writeln!(
                out,
                "\n  {}: row = whose validators, column = which origin answered",
                m.kind.label()
            )
        };
        let width = m.cells.first().map_or(0, Vec::len);
        let mut head = String::from("      ");
        for j in 1..=width {
            let _ = write!(head, "{j:>5}");
        }
        let _ = writeln!(out, "{head}");
        for (i, row) in m.cells.iter().enumerate() {
            let mut line = format!("  {:<4}", i + 1);
            for cell in row {
                let shown = match cell {
                    Cell::NotSent => "-".to_string(),
                    Cell::Status(s) => s.to_string(),
                    Cell::Failed(_) => "err".to_string(),
                };
                let _ = write!(line, "{shown:>5}");
            }
            let _ = writeln!(out, "{line}");
        }
    }
    let _ = writeln!(out, "\n  verdict: {}", r.verdict);
    for w in &r.warnings {
        let _ = writeln!(out, "  warning: {w}");
    }
}

pub fn json(reports: &[UrlReport], outcome: Outcome) -> String {
    let urls: Vec<Value> = reports.iter().map(url_json).collect();
    let doc = json!({
        "exit": outcome as u8,
        "agree": outcome == Outcome::Ok,
        "urls": urls,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

fn url_json(r: &UrlReport) -> Value {
    let rows: Vec<Value> = r
        .rows
        .iter()
        .map(|(label, reply)| match reply {
            Ok(p) => json!({
                "server": label,
                "status": p.status,
                "etag": p.etag,
                "last_modified": p.last_modified,
                "content_length": p.content_length,
                "content_encoding": p.content_encoding,
                "location": p.location,
                "body_bytes": p.body_len,
                "body_content_tag": p.digest,
            }),
            Err(e) => json!({"server": label, "error": e}),
        })
        .collect();
    let matrices: Vec<Value> = r
        .matrices
        .iter()
        .map(|m| {
            let cells: Vec<Vec<Value>> = m
                .cells
                .iter()
                .map(|row| {
                    row.iter()
                        .map(|c| match c {
                            Cell::NotSent => Value::Null,
                            Cell::Status(s) => json!(s),
                            Cell::Failed(e) => json!({"error": e}),
                        })
                        .collect()
                })
                .collect();
            json!({"kind": m.kind.label(), "statuses": cells})
        })
        .collect();
    json!({
        "url": r.url,
        "mode": if r.through_balancer { "balancer" } else { "origins" },
        "responses": rows,
        "revalidations": matrices,
        "verdict": r.verdict,
        "warnings": r.warnings,
        "agree": r.outcome == Outcome::Ok,
        "exit": r.outcome as u8,
    })
}
