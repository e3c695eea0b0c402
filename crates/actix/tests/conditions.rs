//! The `Conditions` adapter on actix-web's `HeaderMap`: no allocation, agreement with the core
//! on every vector file (through real header maps), and the meaning of too many field lines.

#![allow(dead_code)] // tests/common is shared with the core's tests

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::Path;

use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
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

#[path = "../../../tests/common/conditional_rows.rs"]
mod conditional_rows;

/// The row's request as a header map; None when a field line holds a byte no field value can
/// (CR, LF, NUL, other controls): not expressible.
fn header_map(row: &conditional_rows::Row) -> Option<HeaderMap> {
    let mut headers = HeaderMap::new();
    for ((_, name), lines) in FIELDS.iter().zip(&row.fields) {
        for line in lines {
            headers.append(name.clone(), HeaderValue::from_bytes(line).ok()?);
        }
    }
    if row.has_range {
        headers.append(header::RANGE, HeaderValue::from_static("bytes=0-4"));
    }
    Some(headers)
}

#[test]
fn every_vector_file_agrees_through_actix_header_maps() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut total = 0;
    for path in conditional_rows::vector_files(&repository) {
        let Some(rows) = conditional_rows::rows(&path) else {
            continue;
        };
        let (mut passed, mut skipped, mut failed) = (0, 0, Vec::new());
        for (line, row) in rows {
            let (Ok(method), Some(headers)) = (
                actix_web::http::Method::from_bytes(&row.method),
                header_map(&row),
            ) else {
                skipped += 1;
                continue;
            };
            let etag = row
                .current
                .as_ref()
                .and_then(|(e, _)| (!e.is_empty()).then(|| EntityTag::parse(e).unwrap()));
            let current = row.current.as_ref().map(|(_, lm)| Representation {
                etag,
                last_modified: *lm,
            });
            let ours = Conditions::new(&method, &headers).evaluate(current.as_ref(), row.now);
            let core = core(&method, &headers, current.as_ref(), row.now);
            if ours.status() == row.expected && ours == core {
                passed += 1;
            } else {
                let expected = row.expected;
                failed.push(format!(
                    "line {line}: {ours:?}, core {core:?}, expected {expected}"
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
