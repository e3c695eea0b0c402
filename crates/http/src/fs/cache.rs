//! The tag cache: one streaming hash per version of a file, off the async runtime.

use std::collections::HashMap;
use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use etagcore::{ContentHasher, ContentTag};
use http::HeaderValue;
use tokio::sync::OnceCell;

/// The bytes read per call while hashing, as `xxh128sum` reads them.
const CHUNK: usize = 64 * 1024;

/// What identifies one version of a file: its length and its modification time, to the
/// nanosecond, and on Unix its inode (a file replaced by rename is another version even with
/// the same length and mtime). An in-place rewrite that keeps the length and the mtime is not
/// seen; every other write is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Stamp {
    pub(crate) len: u64,
    pub(crate) mtime: SystemTime,
    inode: u64,
}

impl Stamp {
    /// The stamp of a file's metadata; `None` where the platform has no mtime.
    pub(crate) fn of(metadata: &Metadata) -> Option<Self> {
        Some(Stamp {
            len: metadata.len(),
            mtime: metadata.modified().ok()?,
            inode: inode(metadata),
        })
    }

    /// Whole seconds since the epoch (the `Last-Modified` ServeDir sends), `None` before 1970.
    pub(crate) fn unix_secs(&self) -> Option<i64> {
        let since = self.mtime.duration_since(UNIX_EPOCH).ok()?;
        i64::try_from(since.as_secs()).ok()
    }
}

#[cfg(unix)]
fn inode(metadata: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::ino(metadata)
}

#[cfg(not(unix))]
fn inode(_: &Metadata) -> u64 {
    0
}

/// A tag and its header value, made once: every response clones the value (a reference count).
#[derive(Clone, Debug)]
pub(crate) struct Cached {
    pub(crate) tag: ContentTag,
    pub(crate) value: HeaderValue,
}

impl Cached {
    pub(crate) fn new(tag: ContentTag) -> Option<Self> {
        let value = HeaderValue::from_bytes(tag.as_bytes()).ok()?;
        Some(Cached { tag, value })
    }
}

/// One path's entry: the version it was hashed for, the shared cell every request for that
/// version waits on, and when it was last used.
struct Slot {
    stamp: Stamp,
    cell: Arc<OnceCell<Cached>>,
    used: u64,
}

struct State {
    slots: HashMap<PathBuf, Slot>,
    clock: u64,
}

struct Inner {
    state: Mutex<State>,
    capacity: usize,
    hashes: AtomicU64,
}

/// A bounded cache of content tags, keyed by path, length and modification time (with
/// nanoseconds; and the inode on Unix), filled by one streaming XXH3-128 hash of the file per version, run with
/// [`tokio::task::spawn_blocking`] so the runtime's threads never read a file.
///
/// - **Coalescing**: concurrent misses for one version of one file share one hash: the first
///   request starts it, the others wait on the same [`tokio::sync::OnceCell`]. (A request
///   dropped while it is hashing leaves the cell empty: the next waiter hashes again.)
/// - **Changes**: a path whose length, mtime or inode differs from its entry's is a miss; the new
///   version replaces the old entry, so a path never holds more than one entry. A file that
///   changes while it is being hashed (its length or mtime before and after differ from the ones
///   asked for, or fewer bytes than its length could be read) gives an error, not a tag. A
///   rewrite that keeps the length *and* the mtime is not seen: on a file system whose mtimes
///   are coarse (whole seconds, FAT's two seconds), a same-length rewrite within one tick keeps
///   its old tag until the next change. (On Unix the inode is part of the version too, so a
///   file replaced by rename, as rsync and most deploy tools do, is always seen.)
/// - **Bound**: at most `capacity` entries. When an insertion finds the cache full, the least
///   recently used sixteenth of the entries (at least one) is evicted in one pass: an exact LRU
///   for small caches, an amortised one for large caches. An evicted entry costs one more hash
///   when its file is asked for again.
///
/// Clones share the same entries (an `Arc` inside).
///
/// # Examples
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use etagcore::ContentTag;
/// use etagcore_http::fs::TagCache;
///
/// let dir = std::env::temp_dir().join(format!("etagcore-doc-cache-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("hello.txt");
/// std::fs::write(&path, b"hello\n")?;
///
/// let cache = TagCache::new(1024);
/// let metadata = std::fs::metadata(&path)?;
/// let tag = cache.tag(&path, &metadata).await?;
/// assert_eq!(tag, ContentTag::of(b"hello\n"));
/// assert_eq!(cache.cached(&path, &metadata), Some(tag));
/// assert_eq!(cache.hashes(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct TagCache {
    inner: Arc<Inner>,
}

impl TagCache {
    /// The capacity [`ContentServeDir`](super::ContentServeDir) uses unless told otherwise:
    /// 4096 entries, about 1 MiB with typical path lengths.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::fs::TagCache;
    ///
    /// assert_eq!(TagCache::default().capacity(), TagCache::DEFAULT_CAPACITY);
    /// ```
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// An empty cache holding at most `capacity` entries (at least one: 0 counts as 1).
    ///
    /// # Examples
    ///
    /// ```
    /// let cache = etagcore_http::fs::TagCache::new(100);
    /// assert_eq!((cache.capacity(), cache.len()), (100, 0));
    /// ```
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        TagCache {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    slots: HashMap::new(),
                    clock: 0,
                }),
                capacity: capacity.max(1),
                hashes: AtomicU64::new(0),
            }),
        }
    }

    /// The tag of the file at `path` in the version `metadata` describes (its length, mtime and inode),
    /// from the cache, or from one streaming hash on tokio's blocking pool (outside a tokio
    /// runtime, on the calling thread).
    ///
    /// # Errors
    ///
    /// The file cannot be opened or read, its metadata has no modification time, or it changed
    /// while it was being hashed (the error's kind is then [`io::ErrorKind::Other`]; stat it
    /// again and ask again). Errors are not cached.
    ///
    /// # Examples
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> std::io::Result<()> {
    /// let dir = std::env::temp_dir().join(format!("etagcore-doc-tag-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("a.txt");
    /// std::fs::write(&path, b"a")?;
    ///
    /// let cache = etagcore_http::fs::TagCache::default();
    /// let tag = cache.tag(&path, &std::fs::metadata(&path)?).await?;
    /// assert_eq!(tag, etagcore::ContentTag::of(b"a"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn tag(&self, path: &Path, metadata: &Metadata) -> io::Result<ContentTag> {
        let stamp = Stamp::of(metadata).ok_or_else(no_mtime)?;
        self.cached_or_hash(path, stamp).await.map(|c| c.tag)
    }

    /// The tag of that version of the file if the cache has it, without waiting or hashing
    /// (and counting as a use for the eviction order).
    ///
    /// # Examples
    ///
    /// ```
    /// let path = std::env::temp_dir();
    /// let metadata = std::fs::metadata(&path).unwrap();
    /// assert_eq!(etagcore_http::fs::TagCache::default().cached(&path, &metadata), None);
    /// ```
    #[must_use]
    pub fn cached(&self, path: &Path, metadata: &Metadata) -> Option<ContentTag> {
        self.peek(path, Stamp::of(metadata)?).map(|c| c.tag)
    }

    /// How many entries the cache holds (some may still be being hashed).
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_http::fs::TagCache::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.lock().slots.len()
    }

    /// Whether the cache holds no entry.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(etagcore_http::fs::TagCache::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most entries the cache holds.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_http::fs::TagCache::new(0).capacity(), 1);
    /// ```
    #[must_use]
    pub fn capacity(&self) -> usize {
        self.inner.capacity
    }

    /// How many times a file has been hashed since the cache was made (each hash started
    /// counts, finished or not): what tests and metrics read to see coalescing and hits.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_http::fs::TagCache::default().hashes(), 0);
    /// ```
    #[must_use]
    pub fn hashes(&self) -> u64 {
        self.inner.hashes.load(Ordering::Relaxed)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while the lock is held; should it ever, the map is still consistent.
        self.inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached tag of this version, if hashed already.
    pub(crate) fn peek(&self, path: &Path, stamp: Stamp) -> Option<Cached> {
        let mut state = self.lock();
        state.clock = state.clock.wrapping_add(1);
        let now = state.clock;
        let slot = state.slots.get_mut(path)?;
        if slot.stamp != stamp {
            return None;
        }
        let cached = slot.cell.get()?.clone();
        slot.used = now;
        Some(cached)
    }

    /// The tag of this version: cached, being hashed by another request (wait for it), or
    /// hashed now.
    pub(crate) async fn cached_or_hash(&self, path: &Path, stamp: Stamp) -> io::Result<Cached> {
        let cell = self.cell(path, stamp);
        let hashes = &self.inner.hashes;
        let cached = cell
            .get_or_try_init(|| async {
                hashes.fetch_add(1, Ordering::Relaxed);
                // Outside a tokio runtime (a test, another executor) there is no blocking pool:
                // hash right here rather than panic.
                let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                    return hash_file(path, stamp);
                };
                let owned = path.to_path_buf();
                runtime
                    .spawn_blocking(move || hash_file(&owned, stamp))
                    .await
                    .map_err(io::Error::other)?
            })
            .await?;
        Ok(cached.clone())
    }

    /// The cell for this version, made (and the LRU end evicted) when the path has none or one
    /// for another version.
    fn cell(&self, path: &Path, stamp: Stamp) -> Arc<OnceCell<Cached>> {
        let capacity = self.inner.capacity;
        let mut state = self.lock();
        state.clock = state.clock.wrapping_add(1);
        let now = state.clock;
        if let Some(slot) = state.slots.get_mut(path) {
            slot.used = now;
            if slot.stamp == stamp {
                return Arc::clone(&slot.cell);
            }
            // A new version of a file we know: replace the entry in place.
            slot.stamp = stamp;
            slot.cell = Arc::new(OnceCell::new());
            return Arc::clone(&slot.cell);
        }
        if state.slots.len() >= capacity {
            evict(&mut state.slots, capacity);
        }
        let cell = Arc::new(OnceCell::new());
        state.slots.insert(
            path.to_path_buf(),
            Slot {
                stamp,
                cell: Arc::clone(&cell),
                used: now,
            },
        );
        cell
    }
}

impl Default for TagCache {
    /// A cache of [`TagCache::DEFAULT_CAPACITY`] entries.
    fn default() -> Self {
        TagCache::new(TagCache::DEFAULT_CAPACITY)
    }
}

impl fmt::Debug for TagCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TagCache")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("hashes", &self.hashes())
            .finish()
    }
}

/// Removes the least recently used sixteenth of the slots (at least one). Use ticks are
/// unique, so exactly that many go.
fn evict(slots: &mut HashMap<PathBuf, Slot>, capacity: usize) {
    let batch = (capacity / 16).max(1);
    let mut ticks: Vec<u64> = slots.values().map(|s| s.used).collect();
    let Some(nth) = batch.checked_sub(1).filter(|&n| n < ticks.len()) else {
        slots.clear();
        return;
    };
    let (_, &mut threshold, _) = ticks.select_nth_unstable(nth);
    slots.retain(|_, slot| slot.used > threshold);
}

/// Why a hash gave no tag: the file changed while it was being hashed.
#[derive(Debug)]
struct Changed;

impl fmt::Display for Changed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the file changed while it was being hashed")
    }
}

impl std::error::Error for Changed {}

pub(crate) fn changed() -> io::Error {
    io::Error::other(Changed)
}

/// Whether `error` says the file changed under the hash (stat again, ask again).
pub(crate) fn is_changed(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|e| e.is::<Changed>())
}

fn no_mtime() -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        "the file system gives no modification time",
    )
}

/// One streaming hash of the file, checked to be the version `stamp` names from before the
/// first read to after the last.
fn hash_file(path: &Path, stamp: Stamp) -> io::Result<Cached> {
    let mut file = File::open(path)?;
    let before = Stamp::of(&file.metadata()?).ok_or_else(no_mtime)?;
    if before != stamp {
        return Err(changed());
    }
    let mut hasher = ContentHasher::new();
    let mut buf = vec![0u8; CHUNK];
    let mut total: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        total = total.saturating_add(n as u64);
    }
    let after = Stamp::of(&file.metadata()?).ok_or_else(no_mtime)?;
    if after != stamp || total != stamp.len {
        return Err(changed());
    }
    Cached::new(hasher.finish()).ok_or_else(changed)
}
