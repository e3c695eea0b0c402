//! The `Conditions` adapter on actix-web's `HeaderMap`: no allocation, agreement with the core
//! on every vector file (through real header maps), and the meaning of too many field lines.

#![allow(dead_code)] // tests/common is shared with the core's tests

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use common::{decode_bytes, decode_lines, naive_imf_fixdate};
use etagcore::{ContentTag, Decision, EntityTag, Method, Representation, Request, evaluate};
use etagcore_actix::{Conditions, MAX_FIELD_LINES};

const FIELDS: [(&str, HeaderName); 5] = [
    ("if_match", header::IF_MATCH),
    ("if_none_match", header::IF_NONE_MATCH),
    ("if_modified_since", header::IF_MODIFIED_SINCE),
    ("if_unmodified_since", header::IF_UNMODIFIED_SINCE),
    ("if_range", header::IF_RANGE),
];

fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(std::hint::black_box(f())));
    (info.count_total, out.expect("closure ran"))
}

#[test]
fn borrowing_and_evaluating_never_allocate() {
    let tag = ContentTag::of(b"body");
    let mut headers = HeaderMap::new();
    headers.append(header::IF_MATCH, HeaderValue::from_static("*"));
    headers.append(
        header::IF_NONE_MATCH,
        HeaderValue::from_static("\"r2d2\", \"c3po\""),
    );
    headers.append(
        header::IF_NONE_MATCH,
        HeaderValue::from_str(tag.as_str()).unwrap(),
    );
    headers.append(
        header::IF_MODIFIED_SINCE,
        HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
    );
    headers.append(
        header::IF_RANGE,
        HeaderValue::from_str(tag.as_str()).unwrap(),
    );
    headers.append(header::RANGE, HeaderValue::from_static("bytes=0-4"));
    for _ in 0..3 * MAX_FIELD_LINES {
        headers.append(header::IF_MATCH, HeaderValue::from_static("\"overflow\""));
    }
    let method = actix_web::http::Method::GET;
    let (n, decision) = allocations(|| {
        let current = Representation {
            etag: Some(tag.entity_tag()),
            last_modified: Some(1_445_412_480),
        };
        Conditions::new(&method, &headers).evaluate(Some(&current), 1_767_225_600)
    });
    assert_eq!(n, 0, "allocations while borrowing and evaluating");
    // Too many If-Match lines: malformed, so false: 412.
    assert_eq!(decision, Decision::PreconditionFailed);
}

#[test]
fn more_lines_than_kept_get_the_meaning_of_a_malformed_field() {
    let tag = ContentTag::of(b"x");
    let current = Representation {
        etag: Some(tag.entity_tag()),
        last_modified: Some(1_445_412_480),
    };
    let decide = |name: HeaderName, value: &str, lines: usize| {
        let mut headers = HeaderMap::new();
        for _ in 0..lines {
            headers.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        Conditions::new(&actix_web::http::Method::GET, &headers)
            .evaluate(Some(&current), 1_767_225_600)
    };
    let n = MAX_FIELD_LINES;
    assert_eq!(decide(header::IF_MATCH, tag.as_str(), n), Decision::Perform);
    assert_eq!(
        decide(header::IF_MATCH, tag.as_str(), n + 1),
        Decision::PreconditionFailed
    );
    assert_eq!(
        decide(header::IF_NONE_MATCH, tag.as_str(), n),
        Decision::NotModified
    );
    assert_eq!(
        decide(header::IF_NONE_MATCH, tag.as_str(), n + 1),
        Decision::Perform
    );
    let date = "Wed, 21 Oct 2015 07:28:00 GMT";
    assert_eq!(
        decide(header::IF_MODIFIED_SINCE, date, 1),
        Decision::NotModified
    );
    assert_eq!(
        decide(header::IF_MODIFIED_SINCE, date, n + 1),
        Decision::Perform
    );
}

fn lines_of<'a>(headers: &'a HeaderMap, name: &HeaderName) -> Vec<&'a [u8]> {
    headers.get_all(name).map(HeaderValue::as_bytes).collect()
}

/// The core's answer on the very lines the HeaderMap holds.
fn core(
    method: &actix_web::http::Method,
    headers: &HeaderMap,
    current: Option<&Representation<'_>>,
    now: i64,
) -> Decision {
    let [im, inm, ims, ius, ir] = FIELDS.map(|(_, name)| lines_of(headers, &name));
    let request = Request {
        method: Method::from_bytes(method.as_str().as_bytes()),
        if_match: &im,
        if_none_match: &inm,
        if_modified_since: &ims,
        if_unmodified_since: &ius,
        if_range: &ir,
        has_range: headers.contains_key(header::RANGE),
    };
    evaluate(&request, current, now)
}

fn vector_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut dirs = vec![root];
    if let Some(extra) = std::env::var_os("ETAGCORE_VECTORS_DIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(extra));
    }
    let mut files = Vec::new();
    for dir in dirs {
        let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .collect();
        found.sort();
        files.extend(found);
    }
    files
}

/// One conditional row: (method, headers, current, now, expected); Ok(None) when a field line
/// holds a byte no HTTP field value can: not expressible.
type Case = (
    actix_web::http::Method,
    HeaderMap,
    Option<(Vec<u8>, Option<i64>)>,
    i64,
    u16,
);

fn case(header: &[&str], cells: &[&str]) -> Result<Option<Case>, String> {
    let get = |column: &str| -> Result<&str, String> {
        let i = header
            .iter()
            .position(|h| *h == column)
            .ok_or(format!("no column {column}"))?;
        Ok(cells.get(i).copied().unwrap_or(""))
    };
    let date = |column: &str| -> Result<i64, String> {
        let bytes = decode_bytes(get(column)?)?;
        std::str::from_utf8(&bytes)
            .ok()
            .and_then(naive_imf_fixdate)
            .ok_or(format!("{column}: bad date"))
    };
    let Ok(method) = actix_web::http::Method::from_bytes(&decode_bytes(get("method")?)?) else {
        return Ok(None);
    };
    let mut headers = HeaderMap::new();
    for (column, name) in &FIELDS {
        for line in decode_lines(get(column)?)?.unwrap_or_default() {
            match HeaderValue::from_bytes(&line) {
                Ok(value) => headers.append(name.clone(), value),
                Err(_) => return Ok(None),
            };
        }
    }
    match get("has_range")? {
        "yes" => headers.append(header::RANGE, HeaderValue::from_static("bytes=0-4")),
        "no" => {}
        other => return Err(format!("has_range {other:?}")),
    }
    let etag_cell = get("resource_etag")?;
    let current = match etag_cell {
        "(absent)" => None,
        _ => Some((
            decode_bytes(etag_cell)?,
            match get("resource_last_modified")? {
                "" => None,
                _ => Some(date("resource_last_modified")?),
            },
        )),
    };
    let expected = get("expected_status_per_RFC9110")?
        .parse()
        .map_err(|_| "bad status")?;
    Ok(Some((method, headers, current, date("now")?, expected)))
}

#[test]
fn every_vector_file_agrees_through_actix_header_maps() {
    let mut total = 0;
    for path in vector_files() {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines().filter(|l| !l.is_empty());
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        if !header.contains(&"expected_status_per_RFC9110") {
            continue;
        }
        let (mut passed, mut skipped, mut failed) = (0, 0, Vec::new());
        for (n, line) in lines.enumerate() {
            let cells: Vec<&str> = line.split('\t').collect();
            let Some((method, headers, current, now, expected)) = case(&header, &cells)
                .unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 2))
            else {
                skipped += 1;
                continue;
            };
            let etag = current
                .as_ref()
                .and_then(|(e, _)| (!e.is_empty()).then(|| EntityTag::parse(e).unwrap()));
            let current = current.as_ref().map(|(_, lm)| Representation {
                etag,
                last_modified: *lm,
            });
            let ours = Conditions::new(&method, &headers).evaluate(current.as_ref(), now);
            let core = core(&method, &headers, current.as_ref(), now);
            if ours.status() == expected && ours == core {
                passed += 1;
            } else {
                failed.push(format!(
                    "line {}: {ours:?}, core {core:?}, expected {expected}",
                    n + 2
                ));
            }
        }
        println!(
            "{}: {passed} passed, {} failed, {skipped} not expressible",
            path.display(),
            failed.len()
        );
        assert!(failed.is_empty(), "{}: {failed:#?}", path.display());
        total += passed;
    }
    assert!(total > 100, "only {total} rows ran");
}
