//! Streaming with arbitrary chunking gives the one-shot tag; the tag is 32 lowercase hex digits
//! in quotes; its weak form differs only by W/.
#![no_main]

use etagcore::{CONTENT_TAG_LEN, ContentHasher, ContentTag, EntityTag};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (Vec<u16>, &[u8])| {
    let (cuts, data) = input;
    let one_shot = ContentTag::of(data);
    let mut hasher = ContentHasher::new();
    let mut rest = data;
    for cut in cuts {
        let (chunk, tail) = rest.split_at(usize::from(cut).min(rest.len()));
        hasher.update(chunk);
        rest = tail;
    }
    hasher.update(rest);
    assert_eq!(hasher.finish(), one_shot, "streaming differs from one-shot");
    let bytes = one_shot.as_bytes();
    assert_eq!(bytes.len(), CONTENT_TAG_LEN);
    assert!(
        bytes[1..33]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    );
    assert_eq!(EntityTag::parse(bytes), Ok(one_shot.entity_tag()));
    assert_eq!(&one_shot.weaken().as_bytes()[2..], bytes);
});
