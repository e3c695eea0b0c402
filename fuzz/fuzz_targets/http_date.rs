//! parse_http_date agrees with the naive reader for any `now` an HTTP-date can express, never
//! panics for any `now`, and a parsed date formats to an IMF-fixdate that parses back to it.
#![no_main]

#[path = "../../tests/common/mod.rs"]
mod common;

use etagcore::{MAX_HTTP_DATE, MIN_HTTP_DATE, format_http_date, parse_http_date};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (i64, &[u8])| {
    let (now, bytes) = input;
    let parsed = parse_http_date(bytes, now);
    if (MIN_HTTP_DATE..=MAX_HTTP_DATE).contains(&now) {
        assert_eq!(
            parsed.ok(),
            common::naive_http_date(bytes, now),
            "disagrees with the naive reader"
        );
    }
    if let Ok(secs) = parsed {
        let imf = format_http_date(secs).expect("a parsed date is in range");
        assert_eq!(
            common::naive_imf_fixdate(std::str::from_utf8(&imf).expect("ASCII")),
            Some(secs)
        );
        assert_eq!(parse_http_date(&imf, now), Ok(secs), "round trip");
    }
});
