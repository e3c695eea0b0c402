//! Content ETags: one-shot, streaming in caller storage, and from a caller's digest.

use etagcore::{CONTENT_TAG_LEN, ContentHasher, ContentTag, write_digest_tag};

use crate::bytes::{flag, input, out_ptr, output, write, write_bytes};
use crate::panic::guard_result;
use crate::result::etagcore_result;

/// The length of a strong content ETag: `"` + 32 hex digits + `"`.
pub const ETAGCORE_CONTENT_TAG_LEN: usize = 34;
/// The length of a weak content ETag: `W/"` + 32 hex digits + `"`.
pub const ETAGCORE_CONTENT_TAG_WEAK_LEN: usize = 36;
/// The size of `etagcore_hasher`, in bytes: room for the state with space to grow.
pub const ETAGCORE_HASHER_SIZE: usize = 512;
/// The alignment `etagcore_hasher` needs, in bytes.
pub const ETAGCORE_HASHER_ALIGN: usize = 64;

const _: () = assert!(ETAGCORE_CONTENT_TAG_LEN == CONTENT_TAG_LEN);
const _: () = assert!(size_of::<HasherState>() <= ETAGCORE_HASHER_SIZE);
const _: () = assert!(align_of::<HasherState>() <= ETAGCORE_HASHER_ALIGN);
const _: () = assert!(size_of::<etagcore_hasher>() == ETAGCORE_HASHER_SIZE);
const _: () = assert!(align_of::<etagcore_hasher>() == ETAGCORE_HASHER_ALIGN);

/// Storage for a streaming content hash, owned by the caller (on the stack, in a struct, in a
/// pool: etagcore never allocates). Its contents are private. Start with `etagcore_hasher_init`;
/// nothing needs freeing. One hasher must not be used by two threads at once.
///
/// `etagcore_hasher_init` writes a marker into the storage that the other hasher functions
/// check: storage it never initialised (garbage, zeros, a hasher overwritten since) is
/// `ETAGCORE_RESULT_HASHER_NOT_INITIALISED`, not undefined behaviour. Finishing does not consume
/// a hasher, and a byte copy of an initialised hasher is an independent hasher.
#[repr(C, align(64))]
pub struct etagcore_hasher {
    opaque: [u8; ETAGCORE_HASHER_SIZE],
}

/// What `etagcore_hasher_init` writes at the start of the storage: "etagHsh1" (the 1 is the
/// layout; a layout change takes the next digit). Random garbage equals it with a chance of
/// 2^-64, and zeros, 0xFF and the usual fill bytes never do.
const HASHER_MAGIC: u64 = u64::from_le_bytes(*b"etagHsh1");

/// The layout of an initialised `etagcore_hasher`: the marker, then the core's state.
#[repr(C)]
struct HasherState {
    magic: u64,
    hasher: ContentHasher,
}

fn tag_bytes(tag: &ContentTag, weak: bool) -> ContentTag {
    if weak { tag.weaken() } else { *tag }
}

/// Writes the content ETag of `len` bytes at `data` (weakened when `weak` is 1, strong when 0):
/// `ETAGCORE_CONTENT_TAG_LEN` or `ETAGCORE_CONTENT_TAG_WEAK_LEN` bytes, no NUL.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (`weak` not 0 or 1), `INSUFFICIENT_SIZE` (nothing
/// written).
///
/// # Safety
///
/// `data` readable for `len` bytes (or NULL with 0); `out` writable for `out_cap` bytes;
/// `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_content_tag_compute(
    data: *const u8,
    len: usize,
    weak: u8,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        out_ptr(out_len)?;
        let weak = flag(weak)?;
        // SAFETY: the caller's contract.
        let content = unsafe { input(data, len) }?;
        let tag = tag_bytes(&ContentTag::of(content), weak);
        // SAFETY: the caller's contract.
        unsafe { write_bytes(tag.as_bytes(), out, out_cap, out_len) }
    })
}

/// The state in `storage`, checked for NULL and alignment (not for the marker).
fn state_ptr(storage: *mut etagcore_hasher) -> Result<*mut HasherState, etagcore_result> {
    Ok(out_ptr(storage)?.cast::<HasherState>())
}

/// The core's hasher in `storage`, once the marker says `etagcore_hasher_init` put it there.
///
/// # Safety
///
/// `storage` (checked by [`state_ptr`]) readable for `ETAGCORE_HASHER_SIZE` bytes.
unsafe fn initialised(storage: *mut HasherState) -> Result<*mut ContentHasher, etagcore_result> {
    // SAFETY: not NULL and aligned (state_ptr), readable (caller); any 8 bytes are a valid u64,
    // so storage that was never initialised is read as what it holds, not as a ContentHasher.
    let magic = unsafe { (&raw const (*storage).magic).read() };
    if magic != HASHER_MAGIC {
        return Err(etagcore_result::HasherNotInitialised);
    }
    // SAFETY: a place projection inside the storage checked above; nothing is read.
    Ok(unsafe { &raw mut (*storage).hasher })
}

/// Starts (or restarts) a streaming hash in `hasher`, whatever its storage held.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (storage not aligned to `ETAGCORE_HASHER_ALIGN`).
///
/// # Safety
///
/// `hasher` writable for `ETAGCORE_HASHER_SIZE` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_hasher_init(hasher: *mut etagcore_hasher) -> etagcore_result {
    guard_result(|| {
        let state = state_ptr(hasher)?;
        let fresh = HasherState {
            magic: HASHER_MAGIC,
            hasher: ContentHasher::new(),
        };
        // SAFETY: not NULL, aligned for HasherState (its alignment divides 64), and the caller
        // provides ETAGCORE_HASHER_SIZE writable bytes, at least size_of::<HasherState>().
        unsafe { state.write(fresh) };
        Ok(())
    })
}

/// Feeds the next `len` bytes at `data` to `hasher`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (misaligned storage), `HASHER_NOT_INITIALISED`
/// (nothing read as a state, nothing written).
///
/// # Safety
///
/// `hasher` readable and writable for `ETAGCORE_HASHER_SIZE` bytes and not used elsewhere
/// during the call; once initialised, written by nothing but etagcore (the marker catches
/// storage never initialised or overwritten from its start, not a state corrupted behind an
/// intact marker); `data` readable for `len` bytes (or NULL with 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_hasher_update(
    hasher: *mut etagcore_hasher,
    data: *const u8,
    len: usize,
) -> etagcore_result {
    guard_result(|| {
        // SAFETY: state_ptr checked the pointer; readable per the caller.
        let state = unsafe { initialised(state_ptr(hasher)?) }?;
        // SAFETY: the caller's contract.
        let chunk = unsafe { input(data, len) }?;
        // SAFETY: written by etagcore_hasher_init (the marker says so), aligned, exclusively
        // ours for the call (caller).
        unsafe { &mut *state }.update(chunk);
        Ok(())
    })
}

/// Writes the content ETag of everything fed so far (weakened when `weak` is 1, strong when 0).
/// Finishing does not
/// consume the hasher: it may go on being fed, and be finished again. Output as for
/// `etagcore_content_tag_compute`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (misaligned storage, `weak` not 0 or 1),
/// `HASHER_NOT_INITIALISED`, `INSUFFICIENT_SIZE`.
///
/// # Safety
///
/// `hasher` readable for `ETAGCORE_HASHER_SIZE` bytes and, once initialised, written by nothing
/// but etagcore (as for `etagcore_hasher_update`); `out` writable for `out_cap` bytes; `out_len`
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_hasher_finish(
    hasher: *const etagcore_hasher,
    weak: u8,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        out_ptr(out_len)?;
        let weak = flag(weak)?;
        // SAFETY: state_ptr checked the pointer; readable per the caller.
        let state = unsafe { initialised(state_ptr(hasher.cast_mut())?) }?;
        // SAFETY: written by etagcore_hasher_init (the marker says so), aligned; only read here.
        let tag = tag_bytes(&unsafe { &*state }.finish(), weak);
        // SAFETY: the caller's contract.
        unsafe { write_bytes(tag.as_bytes(), out, out_cap, out_len) }
    })
}

/// Writes a tag whose opaque part is the lowercase hex of `digest_len` bytes at `digest` (for
/// instance a SHA-256 of content users upload, where XXH3 is not collision-resistant enough):
/// `2 * digest_len + 2` bytes, `+ 4` when `weak` is 1 (0: strong).
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (`weak` not 0 or 1), `INSUFFICIENT_SIZE` (nothing
/// written).
///
/// # Safety
///
/// `digest` readable for `digest_len` bytes (or NULL with 0); `out` writable for `out_cap`
/// bytes; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_digest_tag_format(
    digest: *const u8,
    digest_len: usize,
    weak: u8,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        let out_len = out_ptr(out_len)?;
        let weak = flag(weak)?;
        // SAFETY: the caller's contract.
        let digest = unsafe { input(digest, digest_len) }?;
        // SAFETY: the caller's contract.
        let buf = unsafe { output(out, out_cap) }?;
        let written = write_digest_tag(digest, weak, buf)?;
        // SAFETY: checked by out_ptr; writable per the caller.
        unsafe { write(out_len, written) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finish(hasher: &etagcore_hasher) -> (etagcore_result, Vec<u8>) {
        let mut out = [0u8; ETAGCORE_CONTENT_TAG_WEAK_LEN];
        let mut len = 0;
        // SAFETY: hasher is live storage; out and len are writable.
        let r = unsafe { etagcore_hasher_finish(hasher, 0, out.as_mut_ptr(), out.len(), &mut len) };
        (r, out[..len].to_vec())
    }

    #[test]
    fn storage_never_initialised_is_detected() {
        for byte in [0x00, 0xFF, 0xA5, 0x01, 0x80] {
            let mut hasher = etagcore_hasher {
                opaque: [byte; ETAGCORE_HASHER_SIZE],
            };
            // SAFETY: hasher is live storage; the data is a live slice.
            let r = unsafe { etagcore_hasher_update(&mut hasher, b"abc".as_ptr(), 3) };
            assert_eq!(r, etagcore_result::HasherNotInitialised, "fill {byte:#x}");
            assert_eq!(finish(&hasher).0, etagcore_result::HasherNotInitialised);
            assert!(hasher.opaque.iter().all(|&b| b == byte), "written");
            // SAFETY: as above.
            let r = unsafe { etagcore_hasher_init(&mut hasher) };
            assert_eq!(r, etagcore_result::Ok);
            // SAFETY: as above.
            let r = unsafe { etagcore_hasher_update(&mut hasher, b"abc".as_ptr(), 3) };
            assert_eq!(r, etagcore_result::Ok);
            let tag = finish(&hasher);
            assert_eq!(
                tag,
                (
                    etagcore_result::Ok,
                    ContentTag::of(b"abc").as_bytes().to_vec()
                )
            );
            assert_eq!(
                finish(&hasher),
                tag,
                "finishing does not consume the hasher"
            );
        }
    }
}
