//! `If-Match` / `If-None-Match` field values: `"*"` or a `#entity-tag` list (RFC 9110 sections
//! 13.1.1, 13.1.2 and 5.6.1), read from one or several field lines without allocating.

use crate::Error;
use crate::etag::{Comparison, EntityTag};
use crate::syntax::{is_etagc, is_ows, trim_ows};

/// How many empty list elements (`,,` or an empty field line) a list may hold before it is
/// rejected with [`Error::TooManyEmptyElements`].
///
/// RFC 9110 section 5.6.1.2 asks recipients to "parse and ignore a reasonable number of empty
/// list elements"; 64 is far above what any real client sends and keeps the count meaningful.
///
/// # Examples
///
/// ```
/// use etagcore::{Members, Error, MAX_EMPTY_ELEMENTS};
///
/// let commas = [b','; MAX_EMPTY_ELEMENTS];
/// assert_eq!(Members::new(&[&commas[..]]).count(), 1); // 64 commas make 65 empty elements
/// assert_eq!(Members::new(&[&commas[..]]).next(), Some(Err(Error::TooManyEmptyElements)));
/// ```
pub const MAX_EMPTY_ELEMENTS: usize = 64;

/// One member of an `If-Match` or `If-None-Match` field value.
///
/// # Examples
///
/// ```
/// use etagcore::{Member, Members};
///
/// assert_eq!(Members::new(&[b"*"]).next(), Some(Ok(Member::Any)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Member<'a> {
    /// The field value `*`: any current representation.
    Any,
    /// One entity tag of the list.
    Tag(EntityTag<'a>),
}

/// An iterator over the members of an `If-Match` or `If-None-Match` field.
///
/// ```text
/// If-Match      = "*" / #entity-tag
/// If-None-Match = "*" / #entity-tag
/// #element      = [ element ] *( OWS "," OWS [ element ] )   ; section 5.6.1.2, recipient side
/// ```
///
/// The field may arrive as several field lines; per RFC 9110 section 5.3 its value is the lines
/// joined with `", "`. The iterator walks the lines as given, so:
/// - a comma inside quotes does not split a tag (`"a,b"` is one tag);
/// - the wildcard is exactly the whole field value `*`: one field line holding only `*` (and
///   `OWS`). `*` anywhere in a list, or with a second field line, makes the list invalid;
/// - a quoted tag cannot continue on the next field line: the joined value would put `", "` inside
///   the quotes, and a space is not an `etagc`;
/// - empty elements are skipped, up to [`MAX_EMPTY_ELEMENTS`].
///
/// A malformed list yields one `Err` and then ends. What a malformed list *means* is the caller's
/// choice; [`evaluate`](crate::evaluate) follows RFC 9110: `If-Match` fails closed (the condition is
/// false, 412) and `If-None-Match` counts as "no match" (the condition is true).
///
/// # Examples
///
/// ```
/// use etagcore::{EntityTag, Error, Member, Members};
///
/// let lines: [&[u8]; 2] = [b"\"a,b\", W/\"c\"", b"\"d\""];
/// let tags: Vec<_> = Members::new(&lines).collect::<Result<_, _>>()?;
/// assert_eq!(tags, [
///     Member::Tag(EntityTag::new(false, b"a,b")?),
///     Member::Tag(EntityTag::new(true, b"c")?),
///     Member::Tag(EntityTag::new(false, b"d")?),
/// ]);
/// assert_eq!(Members::new(&[b"\"a\", *"]).last(), Some(Err(Error::InvalidList)));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Members<'a> {
    /// The rest of the current field line.
    rest: &'a [u8],
    /// The field lines after the current one.
    lines: &'a [&'a [u8]],
    /// Whether the current element holds a tag (else it is empty so far).
    has_content: bool,
    /// Empty elements seen so far.
    empties: usize,
    state: State,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Wildcard,
    Scanning,
    Done,
}

impl<'a> Members<'a> {
    /// Starts iterating over a field given as its field lines; no lines means the field is absent
    /// and the iterator is empty.
    ///
    /// # Examples
    ///
    /// ```
    /// assert_eq!(etagcore::Members::new(&[]).count(), 0);
    /// assert_eq!(etagcore::Members::new(&[b"\"x\", \"y\""]).count(), 2);
    /// ```
    #[must_use]
    pub fn new(lines: &'a [&'a [u8]]) -> Self {
        let state = match lines {
            [] => State::Done,
            [only] if trim_ows(only) == b"*" => State::Wildcard,
            _ => State::Scanning,
        };
        let (rest, lines) = lines
            .split_first()
            .map_or((&[][..], &[][..]), |(f, o)| (*f, o));
        Self {
            rest,
            lines,
            has_content: false,
            empties: 0,
            state,
        }
    }

    fn fail(&mut self, error: Error) -> Option<Result<Member<'a>, Error>> {
        self.state = State::Done;
        Some(Err(error))
    }

    /// Ends the current element at a comma, a field-line boundary or the end of the value.
    fn close_element(&mut self) -> Result<(), Error> {
        if !self.has_content {
            self.empties = self.empties.saturating_add(1);
            if self.empties > MAX_EMPTY_ELEMENTS {
                return Err(Error::TooManyEmptyElements);
            }
        }
        self.has_content = false;
        Ok(())
    }
}

impl<'a> Iterator for Members<'a> {
    type Item = Result<Member<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.state {
            State::Done => return None,
            State::Wildcard => {
                self.state = State::Done;
                return Some(Ok(Member::Any));
            }
            State::Scanning => {}
        }
        loop {
            while let [b, rest @ ..] = self.rest {
                if !is_ows(*b) {
                    break;
                }
                self.rest = rest;
            }
            match self.rest {
                [] => {
                    if let Err(e) = self.close_element() {
                        return self.fail(e);
                    }
                    // The next field line continues the value after an implied ", ".
                    let Some((next, others)) = self.lines.split_first() else {
                        self.state = State::Done;
                        return None;
                    };
                    self.rest = next;
                    self.lines = others;
                }
                [b',', after @ ..] => {
                    if let Err(e) = self.close_element() {
                        return self.fail(e);
                    }
                    self.rest = after;
                }
                _ => match split_tag(self.rest) {
                    // A tag is yielded only once its element is known to end after it.
                    Some((tag, after)) if ends_element(after) => {
                        self.has_content = true;
                        self.rest = after;
                        return Some(Ok(Member::Tag(tag)));
                    }
                    _ => return self.fail(Error::InvalidList),
                },
            }
        }
    }
}

impl core::iter::FusedIterator for Members<'_> {}

/// Whether only `OWS` stands between here and the next comma or the end of the field line.
fn ends_element(s: &[u8]) -> bool {
    matches!(s.iter().find(|&&b| !is_ows(b)), None | Some(b','))
}

/// Splits one `entity-tag` off the front of `s`; `None` when `s` does not start with one.
fn split_tag(s: &[u8]) -> Option<(EntityTag<'_>, &[u8])> {
    let (weak, quoted) = match s.strip_prefix(b"W/") {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let body = quoted.strip_prefix(b"\"")?;
    let end = body.iter().position(|&b| !is_etagc(b))?;
    let (opaque, after) = body.split_at_checked(end)?;
    let after = after.strip_prefix(b"\"")?;
    Some((EntityTag::from_validated(weak, opaque), after))
}

/// Whether a member of the list matches the current representation, checking the whole list.
///
/// `current` is `None` when the target resource has no current representation, and
/// `Some(None)` when it has one without an entity tag. `*` matches any current representation;
/// a tag matches under `comparison` (strong for `If-Match` and `If-Range`, weak for
/// `If-None-Match`). The whole list is read even after a match, because a malformed list must not
/// count as matching.
///
/// # Errors
///
/// [`Error::InvalidList`] or [`Error::TooManyEmptyElements`] when the field value is malformed.
///
/// # Examples
///
/// ```
/// use etagcore::{Comparison, EntityTag, Error, list_matches};
///
/// let current = EntityTag::parse(b"\"xyzzy\"")?;
/// let lines: [&[u8]; 1] = [b"\"r2d2\", W/\"xyzzy\""];
/// assert_eq!(list_matches(&lines, Some(Some(&current)), Comparison::Weak), Ok(true));
/// assert_eq!(list_matches(&lines, Some(Some(&current)), Comparison::Strong), Ok(false));
/// assert_eq!(list_matches(&[b"*"], None, Comparison::Strong), Ok(false));
/// assert_eq!(list_matches(&[b"\"xyzzy\" x"], Some(Some(&current)), Comparison::Weak),
///            Err(Error::InvalidList));
/// # Ok::<(), Error>(())
/// ```
pub fn list_matches(
    lines: &[&[u8]],
    current: Option<Option<&EntityTag<'_>>>,
    comparison: Comparison,
) -> Result<bool, Error> {
    // Fast path: one field line that is exactly one entity-tag (the common revalidation) is a
    // list of that one member; anything else takes the full list grammar below.
    if let [only] = lines
        && let Ok(tag) = EntityTag::parse(only)
    {
        return Ok(current
            .flatten()
            .is_some_and(|cur| comparison.matches(&tag, cur)));
    }
    let mut matched = false;
    for member in Members::new(lines) {
        match member? {
            Member::Any => return Ok(current.is_some()),
            Member::Tag(tag) => {
                if !matched {
                    matched = current
                        .flatten()
                        .is_some_and(|cur| comparison.matches(&tag, cur));
                }
            }
        }
    }
    Ok(matched)
}

/// Whether the field holds a member matching the current representation, a malformed field
/// counting as no match: the reading both `If-Match` (false: 412) and `If-None-Match` (true: no
/// 304) give it. Always `list_matches(..).unwrap_or(false)`, with a fast path for the usual
/// revalidation, one field line holding one tag: `*` matches; a value that is exactly the current
/// tag's strong or weak form is decided by the weak flags alone; and any other value no longer
/// than the strong form is too short to contain a matching member, valid or not.
pub(crate) fn list_holds(
    lines: &[&[u8]],
    current: Option<Option<&EntityTag<'_>>>,
    comparison: Comparison,
) -> bool {
    if let ([only], Some(Some(cur))) = (lines, current) {
        let value = trim_ows(only);
        if value == b"*" {
            return true; // the wildcard matches the representation `cur` belongs to
        }
        let opaque = cur.opaque();
        let (weak, quoted) = match value.strip_prefix(b"W/") {
            Some(rest) => (true, rest),
            None => (false, value),
        };
        let exact = quoted
            .strip_prefix(b"\"")
            .and_then(|q| q.strip_suffix(b"\""))
            .is_some_and(|inner| inner == opaque);
        if exact {
            return comparison == Comparison::Weak || (!weak && !cur.is_weak());
        }
        if value.len() <= opaque.len().saturating_add(2) {
            return false;
        }
    }
    list_matches(lines, current, comparison).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect<'a>(lines: &'a [&'a [u8]]) -> ([Option<Member<'a>>; 4], Option<Error>) {
        let mut out = [None; 4];
        let mut err = None;
        for (slot, m) in out.iter_mut().zip(Members::new(lines)) {
            match m {
                Ok(m) => *slot = Some(m),
                Err(e) => err = Some(e),
            }
        }
        (out, err)
    }

    fn t(weak: bool, s: &'static [u8]) -> Option<Member<'static>> {
        Some(Member::Tag(EntityTag::new(weak, s).expect("valid")))
    }

    #[test]
    fn members_across_lines_and_empty_elements() {
        let lines: [&[u8]; 3] = [b" , \"a\" ,\t", b"", b"W/\"b\",,\"c,d\""];
        let (got, err) = collect(&lines);
        assert_eq!(got, [t(false, b"a"), t(true, b"b"), t(false, b"c,d"), None]);
        assert_eq!(err, None);
    }

    #[test]
    fn wildcard_only_alone_on_one_line() {
        assert_eq!(collect(&[b" * "]).0[0], Some(Member::Any));
        for bad in [
            &[&b"*, \"a\""[..]][..],
            &[b"*", b"*"],
            &[b"*", b""],
            &[b"*,"],
            &[b"**"],
        ] {
            assert_eq!(collect(bad).1, Some(Error::InvalidList), "{bad:?}");
        }
    }

    #[test]
    fn quotes_cannot_span_field_lines() {
        // Joined per section 5.3 this is `"a, b"`, whose space is not an etagc.
        assert_eq!(collect(&[b"\"a", b"b\""]).1, Some(Error::InvalidList));
    }

    #[test]
    fn malformed_members() {
        for bad in [
            &b"xyzzy"[..],
            b"W/xyzzy",
            b"\"a\" \"b\"",
            b"\"a\"W/\"b\"",
            b"\"a",
            b"w/\"a\"",
            b"\"a\x7f\"",
            b"\"a\"\x00",
            b"\"*\", *",
        ] {
            assert_eq!(
                collect(&[bad]).1,
                Some(Error::InvalidList),
                "{:?}",
                bad.escape_ascii()
            );
        }
    }

    #[test]
    fn empty_element_bound_counts_lines_and_commas() {
        let many = [b"" as &[u8]; MAX_EMPTY_ELEMENTS];
        assert_eq!(collect(&many).1, None);
        let too_many = [b"" as &[u8]; MAX_EMPTY_ELEMENTS + 1];
        assert_eq!(collect(&too_many).1, Some(Error::TooManyEmptyElements));
    }

    /// The fast path of list_holds answers as the full grammar, on the cases it short-cuts.
    #[test]
    fn list_holds_is_list_matches_or_false() {
        let values: [&[u8]; 18] = [
            b"\"xyzzy\"",
            b"\"xyzzy\",",
            b",\"xyzzy\"",
            b"W/\"xyzzy\",",
            b"\"xyzzz\",",
            b"W/\"xyzzy\"",
            b" \"xyzzy\"\t",
            b"\"xyzzz\"",
            b"\"xyzz\"",
            b"xyzzy\"\"",
            b"\"xyzzy\", \"a\"",
            b"\"a\", W/\"xyzzy\"",
            b"*",
            b"",
            b"W/\"xyz\"",
            b"\"xyzzy\"x",
            b"\"xy\x7fzy\"",
            b"w/\"xyzzy\"",
        ];
        for weak in [false, true] {
            let cur = EntityTag::new(weak, b"xyzzy").expect("valid");
            for value in values {
                for comparison in [Comparison::Strong, Comparison::Weak] {
                    for current in [None, Some(None), Some(Some(&cur))] {
                        let lines = [value];
                        let full = list_matches(&lines, current, comparison).unwrap_or(false);
                        assert_eq!(
                            list_holds(&lines, current, comparison),
                            full,
                            "{} {weak} {comparison:?} {current:?}",
                            value.escape_ascii()
                        );
                    }
                }
            }
        }
    }

    /// Empty list elements are ignored (RFC 9110 section 5.6.1.2), so a value of one matching tag
    /// and a comma is a list holding that tag: it matches for `If-Match` (strong) and
    /// `If-None-Match` (weak). These values are only a byte or two longer than the tag, just past
    /// the length at which [`list_holds`] stops reading a value that is not exactly the tag.
    #[test]
    fn one_tag_and_empty_elements_match() {
        let xyzzy = EntityTag::new(false, b"xyzzy").expect("valid");
        let empty = EntityTag::new(false, b"").expect("valid");
        for (value, cur) in [
            (&b"\"xyzzy\","[..], &xyzzy),
            (b",\"xyzzy\"", &xyzzy),
            (b"\"xyzzy\" ,", &xyzzy),
            (b", \"xyzzy\"", &xyzzy),
            (b",\"xyzzy\",", &xyzzy),
            (b"\"\",", &empty),
            (b",\"\"", &empty),
            (b"\"\",,", &empty),
            (b"\"\", ", &empty),
        ] {
            let lines = [value];
            for comparison in [Comparison::Strong, Comparison::Weak] {
                let shown = value.escape_ascii();
                assert_eq!(
                    list_matches(&lines, Some(Some(cur)), comparison),
                    Ok(true),
                    "{shown} {comparison:?}"
                );
                assert!(
                    list_holds(&lines, Some(Some(cur)), comparison),
                    "{shown} {comparison:?}"
                );
            }
            // If-Match: true, so no 412; If-None-Match: false, so 304 for GET.
            let current = crate::Representation {
                etag: Some(*cur),
                last_modified: None,
            };
            assert_eq!(crate::if_match(&lines, Some(&current)), Some(true));
            assert_eq!(crate::if_none_match(&lines, Some(&current)), Some(false));
        }
        // A weak tag and a comma: weak comparison only.
        let lines: [&[u8]; 1] = [b"W/\"xyzzy\","];
        assert!(list_holds(&lines, Some(Some(&xyzzy)), Comparison::Weak));
        assert!(!list_holds(&lines, Some(Some(&xyzzy)), Comparison::Strong));
    }

    #[test]
    fn malformed_list_never_matches() {
        let cur = EntityTag::new(false, b"xyzzy").expect("valid");
        let lines: [&[u8]; 1] = [b"\"xyzzy\", garbage"];
        assert_eq!(
            list_matches(&lines, Some(Some(&cur)), Comparison::Weak),
            Err(Error::InvalidList)
        );
        assert_eq!(
            list_matches(&[b""], Some(Some(&cur)), Comparison::Weak),
            Ok(false)
        );
        assert_eq!(
            list_matches(&[b"\"xyzzy\""], Some(None), Comparison::Weak),
            Ok(false)
        );
        assert_eq!(
            list_matches(&[b"*"], Some(None), Comparison::Weak),
            Ok(true)
        );
    }
}
