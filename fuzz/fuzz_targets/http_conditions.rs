//! etagcore-http's Conditions over a real HeaderMap agrees with the core on the same field lines
//! (up to MAX_FIELD_LINES per field), and gives an overflowing If-Match its RFC meaning (false).
#![no_main]

use etagcore::{Decision, EntityTag, Method, Representation, Request, evaluate};
use etagcore_http::{Conditions, MAX_FIELD_LINES};
use http::{HeaderMap, HeaderName, HeaderValue, header};
use libfuzzer_sys::fuzz_target;

const FIELDS: [HeaderName; 5] = [
    header::IF_MATCH,
    header::IF_NONE_MATCH,
    header::IF_MODIFIED_SINCE,
    header::IF_UNMODIFIED_SINCE,
    header::IF_RANGE,
];

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    // Lines are separated by LF; a line starts with its field's number (0-4, modulo 5).
    let mut headers = HeaderMap::new();
    for line in rest.split(|&b| b == b'\n') {
        let Some((&field, value)) = line.split_first() else {
            continue;
        };
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(FIELDS[usize::from(field) % 5].clone(), value);
        }
    }
    if selector & 1 == 1 {
        headers.append(header::RANGE, HeaderValue::from_static("bytes=0-1"));
    }
    let method = match selector >> 1 & 3 {
        0 => http::Method::GET,
        1 => http::Method::HEAD,
        2 => http::Method::PUT,
        _ => http::Method::OPTIONS,
    };
    let current = Representation {
        etag: Some(EntityTag::new(selector & 8 == 8, b"a").expect("etagc")),
        last_modified: (selector & 16 == 16).then_some(1_445_412_480),
    };
    let now = 1_767_225_600;
    let ours = Conditions::new(&method, &headers).evaluate(Some(&current), now);

    let lines: Vec<Vec<&[u8]>> = FIELDS
        .iter()
        .map(|name| {
            headers
                .get_all(name)
                .iter()
                .map(HeaderValue::as_bytes)
                .collect()
        })
        .collect();
    if lines.iter().all(|l| l.len() <= MAX_FIELD_LINES) {
        let request = Request {
            method: Method::from_bytes(method.as_str().as_bytes()),
            if_match: &lines[0],
            if_none_match: &lines[1],
            if_modified_since: &lines[2],
            if_unmodified_since: &lines[3],
            if_range: &lines[4],
            has_range: selector & 1 == 1,
        };
        assert_eq!(
            ours,
            evaluate(&request, Some(&current), now),
            "adapter != core"
        );
    } else if lines[0].len() > MAX_FIELD_LINES && method != http::Method::OPTIONS {
        assert_eq!(
            ours,
            Decision::PreconditionFailed,
            "an overflowing If-Match is false"
        );
    }
});
