//! Request methods, as far as conditional requests care (RFC 9110 sections 9 and 13.2.1).

/// A request method. Method names are case-sensitive (RFC 9110 section 9.1): `get` is
/// [`Method::Other`].
///
/// # Examples
///
/// ```
/// use etagcore::Method;
///
/// assert_eq!(Method::from_bytes(b"GET"), Method::Get);
/// assert_eq!(Method::from_bytes(b"get"), Method::Other);
/// ```
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    #[default]
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `CONNECT`
    Connect,
    /// `OPTIONS`
    Options,
    /// `TRACE`
    Trace,
    /// `PATCH` (RFC 5789)
    Patch,
    /// Any other method: preconditions are evaluated as for a state-changing method.
    Other,
}

impl Method {
    /// The method named by a request line's method token.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::Method::from_bytes(b"PATCH"), etagcore::Method::Patch);
    /// ```
    #[must_use]
    pub fn from_bytes(name: &[u8]) -> Self {
        match name {
            b"GET" => Self::Get,
            b"HEAD" => Self::Head,
            b"POST" => Self::Post,
            b"PUT" => Self::Put,
            b"DELETE" => Self::Delete,
            b"CONNECT" => Self::Connect,
            b"OPTIONS" => Self::Options,
            b"TRACE" => Self::Trace,
            b"PATCH" => Self::Patch,
            _ => Self::Other,
        }
    }

    /// `GET` or `HEAD`: a failed `If-None-Match` / `If-Modified-Since` gives 304, not 412.
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(etagcore::Method::Head.is_get_or_head());
    /// assert!(!etagcore::Method::Put.is_get_or_head());
    /// ```
    #[must_use]
    pub const fn is_get_or_head(self) -> bool {
        matches!(self, Self::Get | Self::Head)
    }

    /// `CONNECT`, `OPTIONS` or `TRACE`: methods that neither select nor modify a representation,
    /// whose conditional header fields a server must ignore (RFC 9110 section 13.2.1).
    ///
    /// # Examples
    ///
    /// ```
    /// assert!(etagcore::Method::Options.ignores_preconditions());
    /// assert!(!etagcore::Method::Get.ignores_preconditions());
    /// ```
    #[must_use]
    pub const fn ignores_preconditions(self) -> bool {
        matches!(self, Self::Connect | Self::Options | Self::Trace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_standard_method_and_case_sensitivity() {
        let all = [
            (&b"GET"[..], Method::Get),
            (b"HEAD", Method::Head),
            (b"POST", Method::Post),
            (b"PUT", Method::Put),
            (b"DELETE", Method::Delete),
            (b"CONNECT", Method::Connect),
            (b"OPTIONS", Method::Options),
            (b"TRACE", Method::Trace),
            (b"PATCH", Method::Patch),
        ];
        for (name, method) in all {
            assert_eq!(Method::from_bytes(name), method);
            assert_eq!(Method::from_bytes(&name[1..]), Method::Other);
        }
        for other in [&b"get"[..], b"Get", b"GET ", b"", b"PROPFIND"] {
            assert_eq!(Method::from_bytes(other), Method::Other);
        }
        assert_eq!(Method::default(), Method::Get);
    }
}
