//! One GET to one server, as the probe needs it: the validators and a digest of the body as
//! sent, no redirect followed, nothing decompressed, every failure a sentence.

use std::io::{self, Read};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

use etagcore::ContentHasher;
use ureq::config::Config;
use ureq::http::{Response, Uri};
use ureq::tls::TlsConfig;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};
use ureq::{Agent, Body};

use crate::files::hex;

/// How every request is sent.
#[derive(Clone, Debug)]
pub struct Settings {
    pub timeout: Duration,
    pub insecure: bool,
    pub accept_encoding: Option<String>,
}

/// What one server answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub content_length: Option<String>,
    pub content_encoding: Option<String>,
    pub location: Option<String>,
    pub server: Option<String>,
    /// The 32 hex digits of XXH3-128 over the body bytes as received (etagcore's content tag).
    pub digest: String,
    pub body_len: u64,
}

/// Sends GETs to one server: an origin (connected to directly, the URL's host still in Host and
/// TLS SNI) or, with no address, whatever the URL's host resolves to.
pub struct Client {
    agent: Agent,
    settings: Settings,
}

/// The resolver hook: every host name resolves to the origin's address.
#[derive(Debug)]
struct Fixed(SocketAddr);

impl Resolver for Fixed {
    fn resolve(
        &self,
        _uri: &Uri,
        _config: &Config,
        _timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let mut addrs = self.empty();
        addrs.push(self.0);
        Ok(addrs)
    }
}

impl Client {
    pub fn new(origin: Option<SocketAddr>, settings: &Settings) -> Self {
        let config = Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(settings.timeout))
            .proxy(None)
            .user_agent(concat!("etagcore-probe/", env!("CARGO_PKG_VERSION")))
            .tls_config(
                TlsConfig::builder()
                    .disable_verification(settings.insecure)
                    .build(),
            )
            .build();
        let agent = match origin {
            Some(addr) => Agent::with_parts(config, DefaultConnector::new(), Fixed(addr)),
            None => Agent::new_with_config(config),
        };
        Client {
            agent,
            settings: settings.clone(),
        }
    }

    /// GET `url` with the conditional fields given.
    pub fn get(&self, url: &str, conditions: &[(&str, &str)]) -> Result<Reply, String> {
        let mut request = self.agent.get(url);
        if let Some(codings) = &self.settings.accept_encoding {
            request = request.header("Accept-Encoding", codings);
        }
        for (name, value) in conditions {
            request = request.header(*name, *value);
        }
        let response = request
            .call()
            .map_err(|e| describe(&e, self.settings.timeout))?;
        read(response).map_err(|e| {
            match e.get_ref().and_then(|i| i.downcast_ref::<ureq::Error>()) {
                Some(inner) => describe(inner, self.settings.timeout),
                None => format!("the body broke off: {e}"),
            }
        })
    }
}

fn read(mut response: Response<Body>) -> io::Result<Reply> {
    let field = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let mut reply = Reply {
        status: response.status().as_u16(),
        etag: field("etag"),
        last_modified: field("last-modified"),
        content_length: field("content-length"),
        content_encoding: field("content-encoding"),
        location: field("location"),
        server: field("server"),
        ..Reply::default()
    };
    let mut hasher = ContentHasher::new();
    let mut reader = response.body_mut().as_reader();
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        reply.body_len += n as u64;
    }
    reply.digest = hex(&hasher.finish()).to_string();
    Ok(reply)
}

/// A transport error as a sentence an operator can act on.
fn describe(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => {
            format!(
                "no answer within {} s (raise --timeout if it is just slow)",
                timeout.as_secs_f64()
            )
        }
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::ConnectionRefused => {
            "connection refused: nothing listens there".into()
        }
        // rustls reports a refused certificate through an io::Error; its text is all we can
        // match without depending on rustls ourselves.
        ureq::Error::Io(io) if io.to_string().contains("certificate") => {
            format!("TLS failed: {io} (--insecure skips certificate checks on test farms)")
        }
        ureq::Error::Io(io) => format!("network error: {io}"),
        ureq::Error::ConnectionFailed => "the connection failed".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::Protocol(p) => format!("the answer is not HTTP/1.x: {p}"),
        ureq::Error::LargeResponseHeader(..) => "the response header is too large".into(),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
            format!("TLS failed: {e} (--insecure skips certificate checks on test farms)")
        }
        other => other.to_string(),
    }
}

/// `HOST:PORT` as one socket address (the first one the name resolves to).
pub fn resolve_origin(origin: &str) -> Result<SocketAddr, String> {
    let mut addrs = origin.to_socket_addrs().map_err(|e| {
        if origin
            .rsplit_once(':')
            .is_none_or(|(_, port)| port.parse::<u16>().is_err())
        {
            format!("origin '{origin}': expected HOST:PORT, e.g. 10.0.0.1:80")
        } else {
            format!("origin '{origin}': {e}")
        }
    })?;
    addrs
        .next()
        .ok_or_else(|| format!("origin '{origin}' resolves to no address"))
}
