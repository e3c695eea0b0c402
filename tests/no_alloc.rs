//! Proves that the parsers, the matcher, the evaluator and the content hasher never allocate:
//! `allocation-counter` installs a counting global allocator and counts this thread's
//! allocations while a closure runs.

use etagcore::{
    ContentHasher, ContentTag, Decision, EntityTag, Members, Method, Representation, Request,
    evaluate, format_http_date, parse_http_date,
};

/// The number of allocations made on this thread while `f` runs, and its result.
fn allocations<T>(f: impl FnOnce() -> T) -> (u64, T) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(std::hint::black_box(f())));
    (info.count_total, out.expect("closure ran"))
}

#[test]
fn the_counter_counts() {
    let (n, v) = allocations(|| vec![1u8; 16]);
    assert_eq!((n, v.len()), (1, 16));
}

#[test]
fn nothing_allocates() {
    let now = 1_767_225_600;
    let hostile = vec![b'"'; 64 * 1024];
    let many: Vec<u8> = b"\"r2d2\", ".repeat(10_000);
    let (n, decision) = allocations(|| {
        let tag = ContentTag::of(b"body");
        let current = Representation {
            etag: Some(tag.entity_tag()),
            last_modified: Some(1_445_412_480),
        };
        let held: [&[u8]; 2] = [&many, tag.as_bytes()];
        let request = Request {
            method: Method::Get,
            if_match: &[b"*"],
            if_none_match: &held,
            if_modified_since: &[b"Wed, 21 Oct 2015 07:28:00 GMT"],
            if_unmodified_since: &[b"Sunday, 06-Nov-94 08:49:37 GMT"],
            if_range: &[b"Sun", b"06 Nov 1994 08:49:37 GMT"],
            has_range: true,
        };
        let decision = evaluate(&request, Some(&current), now);
        assert_eq!(Members::new(&[&hostile]).count(), 1);
        assert!(EntityTag::parse(&hostile).is_err());
        assert!(parse_http_date(b"Sun Nov  6 08:49:37 1994", now).is_ok());
        assert!(format_http_date(now).is_ok());
        let mut hasher = ContentHasher::new();
        for chunk in hostile.chunks(1000) {
            hasher.update(chunk);
        }
        assert_eq!(hasher.finish(), ContentTag::of(&hostile));
        decision
    });
    assert_eq!(decision, Decision::NotModified);
    assert_eq!(n, 0, "the core allocated");
}
