//! Golden strings: the content-ETag format is a contract between the servers of a farm, and
//! between etagcore versions. These values were produced by Debian's `xxh128sum` 0.8.1, an
//! implementation independent of this crate, over the pattern `bytes(i % 251 for i in range(n))`:
//!
//! ```sh
//! python3 -c "import sys; sys.stdout.buffer.write(bytes(i % 251 for i in range(N)))" | xxh128sum
//! ```
//!
//! The sizes straddle XXH3's internal boundaries (16, 128, 240 bytes, 1 KiB stripes, 64 KiB).
//! If one of these fails, the tag of the same file changed: every cache in the field would
//! revalidate. That needs a new major version, not a test update.

use etagcore::{ContentHasher, ContentTag, EntityTag, Variant, write_digest_tag};

const GOLDEN: [(usize, &str); 12] = [
    (0, "99aa06d3014798d86001c324468d497f"),
    (1, "a6cd5e9392000f6ac44bdff4074eecdb"),
    (3, "e3b55f57945a17cf5f4299fc161c9cbb"),
    (16, "72950631827607e2842812cc870dcae2"),
    (17, "685bc458b37d057fc06e233df7729217"),
    (128, "14792fc3af88dc6c05321a0b64d67b41"),
    (129, "dd5e74ac6b45f54ebc30b63382b09a3b"),
    (240, "65b5be86da5540e7c92b68e16f83bbb6"),
    (241, "1da1cb61bcb8a2a102e8cd95421c6d02"),
    (1024, "d0ac1f7b93bf57b9e5d78bafa45b2aa5"),
    (65536, "f5e7bc5d3d8675bfaaae63800707a868"),
    (1_048_576, "53738d98098cabba6e0d7ac36b8c10ff"),
];

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[test]
fn one_shot_and_streaming_match_xxh128sum() {
    for (n, hex) in GOLDEN {
        let expected = format!("\"{hex}\"");
        let content = pattern(n);
        assert_eq!(
            ContentTag::of(&content).as_str(),
            expected,
            "one-shot, {n} bytes"
        );
        for chunk in [1, 7, 64, 4096, 65_536] {
            let mut hasher = ContentHasher::new();
            content.chunks(chunk).for_each(|c| hasher.update(c));
            assert_eq!(
                hasher.finish().as_str(),
                expected,
                "streaming by {chunk}, {n} bytes"
            );
        }
    }
}

#[test]
fn weak_form_and_entity_tag_view() {
    let tag = ContentTag::of(b"");
    assert_eq!(
        tag.weaken().as_str(),
        "W/\"99aa06d3014798d86001c324468d497f\""
    );
    assert_eq!(tag.to_string(), tag.as_str());
    assert_eq!(
        EntityTag::parse(tag.weaken().as_bytes()),
        Ok(tag.weaken().entity_tag())
    );
    assert_eq!(
        tag.entity_tag().opaque(),
        b"99aa06d3014798d86001c324468d497f"
    );
    assert_eq!(
        Variant::Transformed(tag).etag().as_bytes(),
        tag.weaken().as_bytes()
    );
}

#[test]
fn digest_tags() {
    // SHA-256 of the empty string, as a caller would compute it for adversarial content.
    let sha256: [u8; 32] = [
        0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9,
        0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52,
        0xb8, 0x55,
    ];
    let mut out = [0xEEu8; 70];
    let n = write_digest_tag(&sha256, false, &mut out).expect("66 bytes fit");
    assert_eq!(
        &out[..n],
        b"\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\""
    );
    assert_eq!(&out[n..], [0xEE; 4], "nothing written past the tag");
    let n = write_digest_tag(&sha256, true, &mut out).expect("68 bytes fit");
    assert!(out[..n].starts_with(b"W/\"e3b0"));
    let mut short = [0xEEu8; 67];
    assert!(write_digest_tag(&sha256, true, &mut short).is_err());
    assert_eq!(short, [0xEE; 67], "a short buffer stays untouched");
    assert_eq!(write_digest_tag(&[], false, &mut out), Ok(2));
    assert_eq!(&out[..2], b"\"\"");
}
