//! Encoding variants: a client holding the tag of whichever variant it received gets its 304
//! (the Apache `mod_deflate` `-gzip` failure must not happen), and strong-comparison conditions
//! never accept a tag that names another variant's bytes.

use etagcore::{ContentTag, Decision, Method, Representation, Request, Variant, evaluate};

const NOW: i64 = 1_767_225_600;
const IDENTITY: &[u8] = b"body { color: red }\n";
/// Stand-in bytes for the precompressed sibling `style.css.gz` (any bytes other than IDENTITY).
const STORED_GZ: &[u8] = b"\x1f\x8b\x08\x00 pretend gzip of the same css";

fn decide(
    held: &[u8],
    sent: ContentTag,
    method: Method,
    field: for<'a> fn(&'a [&'a [u8]]) -> Request<'a>,
) -> Decision {
    let lines = [held];
    let current = Representation {
        etag: Some(sent.entity_tag()),
        last_modified: None,
    };
    let request = Request {
        method,
        ..field(&lines)
    };
    evaluate(&request, Some(&current), NOW)
}

fn inm<'a>(lines: &'a [&'a [u8]]) -> Request<'a> {
    Request {
        if_none_match: lines,
        ..Request::default()
    }
}

fn im<'a>(lines: &'a [&'a [u8]]) -> Request<'a> {
    Request {
        if_match: lines,
        ..Request::default()
    }
}

#[test]
fn stored_variant_has_its_own_strong_tag_and_gets_304() {
    let identity = Variant::Stored(IDENTITY).etag();
    let gz = Variant::Stored(STORED_GZ).etag();
    assert_ne!(gz, identity, "different bytes, different strong tags");
    // The gzip client revalidates the gzip variant, the identity client the identity one.
    assert_eq!(
        decide(gz.as_bytes(), gz, Method::Get, inm),
        Decision::NotModified
    );
    assert_eq!(
        decide(identity.as_bytes(), identity, Method::Get, inm),
        Decision::NotModified
    );
    // A tag of the other variant is not a match: the client gets the bytes it lacks.
    assert_eq!(
        decide(identity.as_bytes(), gz, Method::Get, inm),
        Decision::Perform
    );
    assert_eq!(
        decide(gz.as_bytes(), gz, Method::Put, im),
        Decision::Perform
    );
}

#[test]
fn transformed_variant_is_weak_and_still_gets_304() {
    let identity = ContentTag::of(IDENTITY);
    let on_the_fly = Variant::Transformed(identity).etag();
    assert!(on_the_fly.entity_tag().is_weak());
    // The client that received W/"..." revalidates against either response form: weak match.
    assert_eq!(
        decide(on_the_fly.as_bytes(), on_the_fly, Method::Get, inm),
        Decision::NotModified
    );
    assert_eq!(
        decide(on_the_fly.as_bytes(), identity, Method::Get, inm),
        Decision::NotModified
    );
    assert_eq!(
        decide(identity.as_bytes(), on_the_fly, Method::Get, inm),
        Decision::NotModified
    );
    // Strong comparison (If-Match) never accepts a weak tag: the bytes are not guaranteed equal.
    assert_eq!(
        decide(on_the_fly.as_bytes(), on_the_fly, Method::Put, im),
        Decision::PreconditionFailed
    );
}

#[test]
fn apache_style_suffix_fails_where_the_variant_tag_succeeds() {
    // mod_deflate sends `"<tag>-gzip"` but compares If-None-Match with the identity `"<tag>"`:
    // the client holding the tag it was sent never gets a 304.
    let identity = ContentTag::of(IDENTITY);
    let suffixed = format!("{}-gzip\"", identity.as_str().trim_end_matches('"'));
    let held = [suffixed.as_bytes()];
    let compared_with_identity = Representation {
        etag: Some(identity.entity_tag()),
        last_modified: None,
    };
    assert_eq!(
        evaluate(&inm(&held), Some(&compared_with_identity), NOW),
        Decision::Perform
    );
    // etagcore's policy: the tag sent is the tag compared, so the same client gets its 304.
    let sent = Variant::Transformed(identity).etag();
    assert_eq!(
        decide(sent.as_bytes(), sent, Method::Get, inm),
        Decision::NotModified
    );
}
