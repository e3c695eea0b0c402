//! Content ETags: one-shot, streaming in caller storage, and from a caller's digest.

use etagcore::{CONTENT_TAG_LEN, ContentHasher, ContentTag, write_digest_tag};

use crate::bytes::{input, out_ptr, output, write, write_bytes};
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
const _: () = assert!(size_of::<ContentHasher>() <= ETAGCORE_HASHER_SIZE);
const _: () = assert!(align_of::<ContentHasher>() <= ETAGCORE_HASHER_ALIGN);
const _: () = assert!(size_of::<etagcore_hasher>() == ETAGCORE_HASHER_SIZE);
const _: () = assert!(align_of::<etagcore_hasher>() == ETAGCORE_HASHER_ALIGN);

/// Storage for a streaming content hash, owned by the caller (on the stack, in a struct, in a
/// pool: etagcore never allocates). Its contents are private. Start with `etagcore_hasher_init`;
/// nothing needs freeing. One hasher must not be used by two threads at once.
#[repr(C, align(64))]
pub struct etagcore_hasher {
    opaque: [u8; ETAGCORE_HASHER_SIZE],
}

fn tag_bytes(tag: &ContentTag, weak: bool) -> ContentTag {
    if weak { tag.weaken() } else { *tag }
}

/// Writes the content ETag of `len` bytes at `data` (weakened when `weak`):
/// `ETAGCORE_CONTENT_TAG_LEN` or `ETAGCORE_CONTENT_TAG_WEAK_LEN` bytes, no NUL.
///
/// Errors: `NULL_PARAMETER`, `INSUFFICIENT_SIZE` (nothing written).
///
/// # Safety
///
/// `data` readable for `len` bytes (or NULL with 0); `out` writable for `out_cap` bytes;
/// `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_content_tag_compute(
    data: *const u8,
    len: usize,
    weak: bool,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        out_ptr(out_len)?;
        // SAFETY: the caller's contract.
        let content = unsafe { input(data, len) }?;
        let tag = tag_bytes(&ContentTag::of(content), weak);
        // SAFETY: the caller's contract.
        unsafe { write_bytes(tag.as_bytes(), out, out_cap, out_len) }
    })
}

/// The hasher in `storage`, checked for NULL and alignment.
fn hasher_ptr(storage: *mut etagcore_hasher) -> Result<*mut ContentHasher, etagcore_result> {
    Ok(out_ptr(storage)?.cast::<ContentHasher>())
}

/// Starts (or restarts) a streaming hash in `hasher`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (storage not aligned to `ETAGCORE_HASHER_ALIGN`).
///
/// # Safety
///
/// `hasher` writable for `ETAGCORE_HASHER_SIZE` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_hasher_init(hasher: *mut etagcore_hasher) -> etagcore_result {
    guard_result(|| {
        let state = hasher_ptr(hasher)?;
        // SAFETY: not NULL, aligned for ContentHasher (its alignment divides 64), and the caller
        // provides ETAGCORE_HASHER_SIZE writable bytes, at least size_of::<ContentHasher>().
        unsafe { state.write(ContentHasher::new()) };
        Ok(())
    })
}

/// Feeds the next `len` bytes at `data` to `hasher`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (misaligned storage).
///
/// # Safety
///
/// `hasher` initialised by `etagcore_hasher_init` and not used elsewhere during the call;
/// `data` readable for `len` bytes (or NULL with 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_hasher_update(
    hasher: *mut etagcore_hasher,
    data: *const u8,
    len: usize,
) -> etagcore_result {
    guard_result(|| {
        let state = hasher_ptr(hasher)?;
        // SAFETY: the caller's contract.
        let chunk = unsafe { input(data, len) }?;
        // SAFETY: initialised by etagcore_hasher_init (caller), aligned, exclusively ours.
        unsafe { &mut *state }.update(chunk);
        Ok(())
    })
}

/// Writes the content ETag of everything fed so far (weakened when `weak`); the hasher may go
/// on being fed. Output as for `etagcore_content_tag_compute`.
///
/// Errors: `NULL_PARAMETER`, `INVALID_INPUT` (misaligned storage), `INSUFFICIENT_SIZE`.
///
/// # Safety
///
/// `hasher` initialised by `etagcore_hasher_init`; `out` writable for `out_cap` bytes;
/// `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_hasher_finish(
    hasher: *const etagcore_hasher,
    weak: bool,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        out_ptr(out_len)?;
        let state = hasher_ptr(hasher.cast_mut())?;
        // SAFETY: initialised by etagcore_hasher_init (caller), aligned; only read here.
        let tag = tag_bytes(&unsafe { &*state }.finish(), weak);
        // SAFETY: the caller's contract.
        unsafe { write_bytes(tag.as_bytes(), out, out_cap, out_len) }
    })
}

/// Writes a tag whose opaque part is the lowercase hex of `digest_len` bytes at `digest` (for
/// instance a SHA-256 of content users upload, where XXH3 is not collision-resistant enough):
/// `2 * digest_len + 2` bytes, `+ 4` when `weak`.
///
/// Errors: `NULL_PARAMETER`, `INSUFFICIENT_SIZE` (nothing written).
///
/// # Safety
///
/// `digest` readable for `digest_len` bytes (or NULL with 0); `out` writable for `out_cap`
/// bytes; `out_len` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn etagcore_digest_tag_format(
    digest: *const u8,
    digest_len: usize,
    weak: bool,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> etagcore_result {
    guard_result(|| {
        let out_len = out_ptr(out_len)?;
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
