//! Deploy-time tags: a manifest in `xxh128sum`'s format, so that no file is hashed at all.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::fs::Metadata;
use std::io;
use std::path::{Component, Path, PathBuf};

use etagcore::ContentTag;

use super::cache::{Cached, Stamp};

/// Content tags computed at deploy time, read from a manifest in the format `xxh128sum` and
/// `etagcore manifest` write: one line per file, `<32 lowercase hex digits>  <path>`, paths
/// relative to the served root (a leading `./` is fine), a line starting with `\` when its path
/// holds a backslash, CR or LF (escaped `\\`, `\r`, `\n`, GNU coreutils style).
///
/// **The trust rule.** Loading stats every listed file and keeps its length and modification
/// time (to the nanosecond; and its inode on Unix) beside its tag. An entry is used only while
/// the file still has exactly that length, mtime and inode; once any differs, the file is
/// hashed like any other (the entry is never trusted again for another version). So the manifest must describe the bytes
/// present *when it is loaded*: load it after the deploy has finished (`etagcore check`
/// verifies a manifest against the files). A listed file that cannot be stat'ed at load time is
/// an error, as is any malformed line: a broken deploy stops the server at startup rather than
/// serving tags nobody checked.
///
/// Entries are never evicted: the manifest's size is the operator's choice.
///
/// # Examples
///
/// ```
/// use etagcore::ContentTag;
/// use etagcore_http::fs::Manifest;
///
/// let root = std::env::temp_dir().join(format!("etagcore-doc-manifest-{}", std::process::id()));
/// std::fs::create_dir_all(&root)?;
/// std::fs::write(root.join("hello.txt"), b"hello\n")?;
///
/// // What `xxh128sum hello.txt` prints in that folder:
/// let text = b"6bba86c7e069f56d5a10b435f1c8e49c  hello.txt\n";
/// let manifest = Manifest::parse(&root, text)?;
/// let metadata = std::fs::metadata(root.join("hello.txt"))?;
/// assert_eq!(manifest.get("hello.txt".as_ref(), &metadata), Some(ContentTag::of(b"hello\n")));
/// # std::fs::remove_dir_all(&root)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct Manifest {
    entries: HashMap<PathBuf, (Stamp, Cached)>,
}

impl Manifest {
    /// Reads the manifest file `manifest`, whose paths are relative to `root` (the folder
    /// served), and stats every file it lists. Blocking: call it at startup.
    ///
    /// # Errors
    ///
    /// The manifest cannot be read; or see [`Manifest::parse`].
    ///
    /// # Examples
    ///
    /// ```
    /// let root = std::env::temp_dir().join(format!("etagcore-doc-load-{}", std::process::id()));
    /// std::fs::create_dir_all(&root)?;
    /// std::fs::write(root.join("a.txt"), b"a")?;
    /// let tags = root.join("tags.xxh128");
    /// std::fs::write(&tags, format!("{}  ./a.txt\n", "0".repeat(32)))?;
    ///
    /// let manifest = etagcore_http::fs::Manifest::load(&root, &tags)?;
    /// assert_eq!(manifest.len(), 1);
    /// assert!(etagcore_http::fs::Manifest::load(&root, root.join("absent")).is_err());
    /// # std::fs::remove_dir_all(&root)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(root: impl AsRef<Path>, manifest: impl AsRef<Path>) -> Result<Self, ManifestError> {
        let manifest = manifest.as_ref();
        let text = std::fs::read(manifest).map_err(|source| ManifestError::Read {
            path: manifest.to_path_buf(),
            source,
        })?;
        Self::parse(root, &text)
    }

    /// Parses manifest text whose paths are relative to `root`, and stats every file it lists.
    /// An empty text is an empty manifest.
    ///
    /// # Errors
    ///
    /// The first line that is not `<32 lowercase hex digits>  <path>` (or `\` + that with an
    /// escaped path), that has a path leaving `root` (absolute, or with `..`), that lists a path
    /// a second time, or whose file cannot be stat'ed, with its 1-based number.
    ///
    /// # Examples
    ///
    /// ```
    /// use etagcore_http::fs::{Manifest, ManifestError};
    ///
    /// let text = b"not a manifest line\n";
    /// let error = Manifest::parse(".", text).unwrap_err();
    /// assert!(matches!(error, ManifestError::Malformed { line: 1, .. }));
    /// assert!(error.to_string().starts_with("manifest line 1:"));
    /// ```
    pub fn parse(root: impl AsRef<Path>, text: &[u8]) -> Result<Self, ManifestError> {
        let root = root.as_ref();
        let mut entries = HashMap::new();
        let mut first_line = HashMap::new();
        let body = text.strip_suffix(b"\n").unwrap_or(text);
        if body.is_empty() {
            return Ok(Manifest { entries });
        }
        // Every line's syntax first, so a malformed line is reported before any missing file.
        let mut lines = Vec::new();
        for (index, line) in body.split(|&b| b == b'\n').enumerate() {
            let number = index.saturating_add(1);
            let (digest, relative) =
                read_line(line).map_err(|reason| ManifestError::Malformed {
                    line: number,
                    reason,
                })?;
            if let Some(&first) = first_line.get(&relative) {
                return Err(ManifestError::Duplicate {
                    line: number,
                    first,
                });
            }
            first_line.insert(relative.clone(), number);
            lines.push((number, digest, relative));
        }
        for (number, digest, relative) in lines {
            let file_error = |source| ManifestError::File {
                line: number,
                path: relative.clone(),
                source,
            };
            let metadata = std::fs::metadata(root.join(&relative)).map_err(file_error)?;
            let not_a_file = || {
                file_error(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a regular file",
                ))
            };
            if !metadata.is_file() {
                return Err(not_a_file());
            }
            let stamp = Stamp::of(&metadata).ok_or_else(not_a_file)?;
            let cached = Cached::new(ContentTag::from_xxh3_128(digest)).ok_or_else(not_a_file)?;
            entries.insert(relative, (stamp, cached));
        }
        Ok(Manifest { entries })
    }

    /// The tag the manifest gives the file at `relative` (a path under the root, as in the
    /// manifest), if the file's length, mtime and inode in `metadata` are still the ones seen when
    /// the manifest was loaded.
    ///
    /// # Examples
    ///
    /// ```
    /// let manifest = etagcore_http::fs::Manifest::default();
    /// let metadata = std::fs::metadata(std::env::temp_dir()).unwrap();
    /// assert_eq!(manifest.get("x".as_ref(), &metadata), None);
    /// ```
    #[must_use]
    pub fn get(&self, relative: &Path, metadata: &Metadata) -> Option<ContentTag> {
        self.lookup(relative, Stamp::of(metadata)?).map(|c| c.tag)
    }

    pub(crate) fn lookup(&self, relative: &Path, stamp: Stamp) -> Option<&Cached> {
        match self.entries.get(relative) {
            Some((seen, cached)) if *seen == stamp => Some(cached),
            _ => None,
        }
    }

    /// How many files the manifest lists.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore_http::fs::Manifest::default().len(), 0);
    /// ```
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the manifest lists no file.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(etagcore_http::fs::Manifest::default().is_empty());
    /// ```
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl fmt::Debug for Manifest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Manifest")
            .field("files", &self.entries.len())
            .finish()
    }
}

/// Why a manifest could not be loaded. Line numbers start at 1.
///
/// # Examples
///
/// ```
/// use etagcore_http::fs::{Manifest, ManifestError};
///
/// let text = format!("{}  ../etc/passwd\n", "0".repeat(32));
/// let error = Manifest::parse(".", text.as_bytes()).unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "manifest line 1: the path must stay under the root (relative, no `..`)"
/// );
/// ```
#[non_exhaustive]
#[derive(Debug)]
pub enum ManifestError {
    /// The manifest file could not be read.
    Read {
        /// The manifest's path.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A line is not a manifest line.
    Malformed {
        /// Its number.
        line: usize,
        /// What is wrong with it.
        reason: LineError,
    },
    /// A line lists a path an earlier line listed.
    Duplicate {
        /// Its number.
        line: usize,
        /// The number of the line that listed the path first.
        first: usize,
    },
    /// A listed file cannot be stat'ed, or is not a regular file.
    File {
        /// The line's number.
        line: usize,
        /// The path as listed, relative to the root.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
}

/// What is wrong with a malformed manifest line.
///
/// # Examples
///
/// ```
/// use etagcore_http::fs::{LineError, Manifest, ManifestError};
///
/// let text = format!("{}  ok.txt\n\\{}  a\\tb\n", "0".repeat(32), "0".repeat(32));
/// let error = Manifest::parse(".", text.as_bytes()).unwrap_err();
/// assert!(matches!(error, ManifestError::Malformed { line: 2, reason: LineError::Escape }));
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineError {
    /// Not `<32 lowercase hex digits>  <path>`.
    Shape,
    /// A backslash escape other than `\\`, `\n`, `\r` in an escaped line.
    Escape,
    /// An absolute path, or one with a `..` component.
    OutsideRoot,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LineError::Shape => "expected `<32 lowercase hex digits>  <path>` (xxh128sum's format)",
            LineError::Escape => "a backslash escape other than \\\\, \\n or \\r",
            LineError::OutsideRoot => "the path must stay under the root (relative, no `..`)",
        })
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ManifestError::Read { path, source } => {
                write!(f, "cannot read the manifest {}: {source}", path.display())
            }
            ManifestError::Malformed { line, reason } => {
                write!(f, "manifest line {line}: {reason}")
            }
            ManifestError::Duplicate { line, first } => {
                write!(
                    f,
                    "manifest line {line}: the path is already on line {first}"
                )
            }
            ManifestError::File { line, path, source } => {
                write!(f, "manifest line {line}: {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ManifestError::Read { source, .. } | ManifestError::File { source, .. } => Some(source),
            ManifestError::Malformed { .. } | ManifestError::Duplicate { .. } => None,
        }
    }
}

/// One line (without its `\n`): the digest, and the path as normal components under the root.
fn read_line(line: &[u8]) -> Result<(u128, PathBuf), LineError> {
    let (escaped, line) = match line.strip_prefix(b"\\") {
        Some(rest) => (true, rest),
        None => (false, line),
    };
    let (hex, rest) = line.split_at_checked(32).ok_or(LineError::Shape)?;
    let path = rest.strip_prefix(b"  ").ok_or(LineError::Shape)?;
    if path.is_empty() || !hex.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(LineError::Shape);
    }
    let digest = std::str::from_utf8(hex)
        .ok()
        .and_then(|hex| u128::from_str_radix(hex, 16).ok())
        .ok_or(LineError::Shape)?;
    let path = if escaped {
        unescape(path)?
    } else {
        path.to_vec()
    };
    let path = PathBuf::from(os_string(path)?);
    let mut relative = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => {
                return Err(LineError::OutsideRoot);
            }
        }
    }
    if relative.as_os_str().is_empty() {
        return Err(LineError::Shape);
    }
    Ok((digest, relative))
}

#[cfg(unix)]
fn os_string(bytes: Vec<u8>) -> Result<OsString, LineError> {
    use std::os::unix::ffi::OsStringExt;
    Ok(OsString::from_vec(bytes))
}

#[cfg(not(unix))]
fn os_string(bytes: Vec<u8>) -> Result<OsString, LineError> {
    String::from_utf8(bytes)
        .map(OsString::from)
        .map_err(|_| LineError::Shape)
}

fn unescape(path: &[u8]) -> Result<Vec<u8>, LineError> {
    let mut out = Vec::with_capacity(path.len());
    let mut bytes = path.iter();
    while let Some(&b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            _ => return Err(LineError::Escape),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_like_xxh128sum_writes_them() {
        let zeros = "0".repeat(32);
        let (digest, path) = read_line(format!("{zeros}  ./a/./b c.txt").as_bytes()).unwrap();
        assert_eq!((digest, path), (0, PathBuf::from("a/b c.txt")));
        let (_, path) = read_line(format!("\\{zeros}  x\\ny\\\\z").as_bytes()).unwrap();
        assert_eq!(path.as_os_str().as_encoded_bytes(), b"x\ny\\z");
    }

    #[test]
    fn malformed_lines_say_why() {
        let zeros = "0".repeat(32);
        for (line, want) in [
            (String::new(), LineError::Shape),
            ("0".repeat(31) + "  a", LineError::Shape),
            (zeros.clone() + " a", LineError::Shape),
            (zeros.clone() + "  ", LineError::Shape),
            (zeros.clone() + "  .", LineError::Shape),
            ("A".repeat(32) + "  a", LineError::Shape),
            (zeros.clone() + "  /etc/passwd", LineError::OutsideRoot),
            (zeros.clone() + "  a/../../b", LineError::OutsideRoot),
            (format!("\\{zeros}  a\\tb"), LineError::Escape),
        ] {
            assert_eq!(read_line(line.as_bytes()), Err(want), "{line:?}");
        }
    }
}
