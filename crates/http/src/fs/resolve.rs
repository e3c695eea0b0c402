//! Which file ServeDir would serve for a request: its path rules and its choice among
//! precompressed copies, done here first so the conditions are decided before it opens a file.
//!
//! The rules are tower-http 0.7's `ServeDir` (`build_and_validate_path`,
//! `maybe_redirect_or_append_path`, `open_file_with_fallback`, `content_encoding::encodings`);
//! the service forwards the request with `Accept-Encoding` narrowed to the copy chosen here, and
//! checks the response against what was stat'ed, so a difference can never put a wrong tag on
//! a response.

use std::fs::Metadata;
use std::io;
use std::path::{Component, Path, PathBuf};

use http::{HeaderMap, HeaderValue, header};

use super::cache::Stamp;

/// A precompressed copy's encoding. Ordered from least to most preferred, as ServeDir breaks
/// ties between equal q-values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Encoding {
    Identity,
    Deflate,
    Gzip,
    Brotli,
    Zstd,
}

impl Encoding {
    /// The `Content-Encoding` value; `None` for identity.
    pub(crate) fn header_value(self) -> Option<HeaderValue> {
        let name = match self {
            Encoding::Identity => return None,
            Encoding::Deflate => "deflate",
            Encoding::Gzip => "gzip",
            Encoding::Brotli => "br",
            Encoding::Zstd => "zstd",
        };
        Some(HeaderValue::from_static(name))
    }

    fn extension(self) -> Option<&'static str> {
        match self {
            Encoding::Identity => None,
            Encoding::Deflate => Some(".zz"),
            Encoding::Gzip => Some(".gz"),
            Encoding::Brotli => Some(".br"),
            Encoding::Zstd => Some(".zst"),
        }
    }
}

/// Which precompressed copies to look for (ServeDir's `precompressed_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Precompressed {
    pub(crate) gzip: bool,
    pub(crate) deflate: bool,
    pub(crate) br: bool,
    pub(crate) zstd: bool,
}

impl Precompressed {
    pub(crate) fn any(self) -> bool {
        self.gzip || self.deflate || self.br || self.zstd
    }

    fn parse(self, name: &str) -> Option<Encoding> {
        let is = |s: &str| name.eq_ignore_ascii_case(s);
        if (is("gzip") || is("x-gzip")) && self.gzip {
            Some(Encoding::Gzip)
        } else if is("deflate") && self.deflate {
            Some(Encoding::Deflate)
        } else if is("br") && self.br {
            Some(Encoding::Brotli)
        } else if is("zstd") && self.zstd {
            Some(Encoding::Zstd)
        } else if is("identity") {
            Some(Encoding::Identity)
        } else {
            None
        }
    }

    /// The encodings the request accepts, with their q-values (0 to 1000), as ServeDir reads
    /// `Accept-Encoding`: unknown codings and malformed q-values are skipped.
    pub(crate) fn negotiate(self, headers: &HeaderMap) -> Vec<(Encoding, u16)> {
        if !self.any() {
            return Vec::new();
        }
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|s| s.split(','))
            .filter_map(|item| {
                let mut parts = item.splitn(2, ';');
                let encoding = self.parse(parts.next().unwrap_or_default().trim())?;
                let q = match parts.next() {
                    Some(q) => qvalue(q.trim())?,
                    None => 1000,
                };
                Some((encoding, q))
            })
            .collect()
    }
}

/// A q-value (RFC 9110 section 12.4.2) as thousandths: `q=0` to `q=1.000`.
fn qvalue(s: &str) -> Option<u16> {
    let rest = s.strip_prefix(['q', 'Q'])?.strip_prefix('=')?;
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let whole: u16 = match int {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut value = whole;
    for (digit, factor) in frac.bytes().zip([100u16, 10, 1]) {
        value = value.saturating_add(u16::from(digit - b'0').saturating_mul(factor));
    }
    (value <= 1000).then_some(value)
}

/// The file a GET or HEAD resolves to, or why this service leaves the request to ServeDir.
#[derive(Debug)]
pub(crate) enum Resolved {
    /// ServeDir answers alone (404, a redirect to the trailing-slash URI, 405, 500...).
    PassThrough,
    /// The file ServeDir will serve, as stat'ed now.
    File(Target),
}

/// One file to serve: its path, its path under the root, its version and its encoding.
#[derive(Debug)]
pub(crate) struct Target {
    /// The file to open: the requested file, or its precompressed copy.
    pub(crate) path: PathBuf,
    /// The requested file when `path` is a precompressed copy of it.
    requested: Option<PathBuf>,
    pub(crate) stamp: Stamp,
    pub(crate) encoding: Encoding,
}

impl Target {
    /// The requested file (whose name gives the `Content-Type`), copy or not.
    pub(crate) fn requested(&self) -> &Path {
        self.requested.as_deref().unwrap_or(&self.path)
    }

    /// The path below `base`, as a manifest lists it.
    pub(crate) fn relative<'a>(&'a self, base: &Path) -> Option<&'a Path> {
        self.path.strip_prefix(base).ok()
    }
}

/// ServeDir's path rules: strip the leading slashes, percent-decode to UTF-8, keep normal
/// components only (`.` skipped; `..`, a root or a prefix reject the request).
pub(crate) fn file_path(base: &Path, uri_path: &str) -> Option<PathBuf> {
    let path = uri_path.trim_start_matches('/');
    let decoded = String::from_utf8(percent_decode(path.as_bytes())).ok()?;
    let mut out = base.to_path_buf();
    for component in Path::new(&decoded).components() {
        match component {
            Component::Normal(part) => {
                // protect against paths like `/foo/c:/bar/baz` (tower-http #204)
                if !Path::new(part)
                    .components()
                    .all(|c| matches!(c, Component::Normal(_)))
                {
                    return None;
                }
                out.push(part);
            }
            Component::CurDir => {}
            Component::Prefix(_) | Component::RootDir | Component::ParentDir => return None,
        }
    }
    Some(out)
}

/// `%XX` to the byte it names; a `%` not followed by two hex digits stays as it is (the
/// `percent-encoding` crate's `percent_decode`, which ServeDir uses).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while let Some(&b) = input.get(i) {
        let pair = (input.get(i + 1), input.get(i + 2));
        if let (b'%', (Some(&h), Some(&l))) = (b, pair)
            && let (Some(h), Some(l)) = (hex(h), hex(l))
        {
            out.extend(u8::try_from(h * 16 + l).ok());
            i += 3;
            continue;
        }
        out.push(b);
        i += 1;
    }
    out
}

/// Stats what ServeDir would open for `uri_path` (directories resolved to their `index.html`
/// when the URI ends in `/` and `append_index_html` is on) and the copy it would pick among
/// `accepted` encodings. Blocking: a few `stat` calls.
pub(crate) fn resolve(
    base: &Path,
    uri_path: &str,
    append_index_html: bool,
    mut accepted: Vec<(Encoding, u16)>,
) -> Resolved {
    let Some(mut path) = file_path(base, uri_path) else {
        return Resolved::PassThrough;
    };
    // ServeDir's `is_dir` check; for a file, the same metadata serves the identity case below.
    let mut file = None;
    let is_dir = match std::fs::metadata(&path) {
        Ok(metadata) => {
            let dir = metadata.is_dir();
            file = (!dir).then_some(metadata);
            Some(dir)
        }
        Err(e)
            if e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::InvalidInput =>
        {
            None
        }
        Err(_) => return Resolved::PassThrough,
    };
    let slash = uri_path.ends_with('/');
    if slash && uri_path != "/" && is_dir != Some(true) {
        return Resolved::PassThrough; // ServeDir: 404
    }
    if is_dir == Some(true) {
        if !append_index_html || !slash {
            return Resolved::PassThrough; // ServeDir: 404, or the redirect to `dir/`
        }
        path.push("index.html");
    }
    // open_file_with_fallback: the preferred encoding's copy, else the next one, else the file.
    loop {
        let preferred = accepted
            .iter()
            .filter(|(_, q)| *q > 0)
            .max_by_key(|&&(encoding, q)| (q, encoding))
            .map(|&(encoding, _)| encoding);
        let Some((encoding, extension)) = preferred.and_then(|e| Some((e, e.extension()?))) else {
            // The file itself (identity, or nothing acceptable: ServeDir opens the file).
            let metadata = match file {
                Some(metadata) => Ok(metadata),
                None => std::fs::metadata(&path),
            };
            return match metadata {
                Ok(metadata) => target(path, None, &metadata, Encoding::Identity),
                Err(_) => Resolved::PassThrough,
            };
        };
        let mut name = path.file_name().unwrap_or_default().to_os_string();
        name.push(extension);
        let candidate = path.with_file_name(name);
        match std::fs::metadata(&candidate) {
            Ok(metadata) => return target(candidate, Some(path), &metadata, encoding),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                accepted.retain(|&(other, _)| other != encoding);
            }
            Err(_) => return Resolved::PassThrough,
        }
    }
}

fn target(
    path: PathBuf,
    requested: Option<PathBuf>,
    metadata: &Metadata,
    encoding: Encoding,
) -> Resolved {
    match Stamp::of(metadata) {
        Some(stamp) if metadata.is_file() => Resolved::File(Target {
            path,
            requested,
            stamp,
            encoding,
        }),
        _ => Resolved::PassThrough,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qvalues_parse_like_servedir() {
        for (s, want) in [
            ("q=1", Some(1000)),
            ("q=0", Some(0)),
            ("Q=0.5", Some(500)),
            ("q=0.125", Some(125)),
            ("q=1.000", Some(1000)),
            ("q=1.001", None),
            ("q=0.1234", None),
            ("q=2", None),
            ("q=.5", None),
            ("x=1", None),
        ] {
            assert_eq!(qvalue(s), want, "{s}");
        }
    }

    #[test]
    fn paths_follow_servedir_rules() {
        let base = Path::new("./root");
        assert_eq!(
            file_path(base, "/a/%20b/./c.txt"),
            Some(PathBuf::from("./root/a/ b/c.txt"))
        );
        assert_eq!(file_path(base, "/"), Some(PathBuf::from("./root")));
        assert_eq!(file_path(base, "/../etc/passwd"), None);
        assert_eq!(file_path(base, "/a/%2e%2e/%2e%2e/x"), None);
        assert_eq!(
            file_path(base, "//etc/passwd"),
            Some(PathBuf::from("./root/etc/passwd"))
        );
        assert_eq!(file_path(base, "/%ff"), None);
        assert_eq!(percent_decode(b"%41%4a%2F%%4%zz%"), b"AJ/%%4%zz%");
    }

    #[test]
    fn negotiation_reads_accept_encoding_like_servedir() {
        let all = Precompressed {
            gzip: true,
            deflate: true,
            br: true,
            zstd: true,
        };
        let mut headers = HeaderMap::new();
        headers.append(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0.5, br, compress, zstd;q=bad"),
        );
        headers.append(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity;q=0"),
        );
        assert_eq!(
            all.negotiate(&headers),
            [
                (Encoding::Gzip, 500),
                (Encoding::Brotli, 1000),
                (Encoding::Identity, 0)
            ]
        );
        assert!(Precompressed::default().negotiate(&headers).is_empty());
    }
}
