#!/usr/bin/env python3
"""Writes etagcore's own vector files (etagcore-*.tsv) beside the public sample.

Each expected value is assigned by hand from the RFC 9110 text named in the reason column; the
dates' Unix seconds and weekdays come from Python's calendar module, independent of the crate.
Run from this folder: python3 make_own.py. The .tsv files are committed; this script is their source.
"""
import calendar
import datetime

NOW = "Thu, 01 Jan 2026 00:00:00 GMT"
LM = "Wed, 21 Oct 2015 07:28:00 GMT"


def imf(y, mo, d, h=0, mi=0, s=0):
    wd = datetime.date(y, mo, d).strftime("%a")
    return f"{wd}, {d:02d} {calendar.month_abbr[mo]} {y:04d} {h:02d}:{mi:02d}:{s:02d} GMT"


COND_COLS = ["id", "method", "if_match", "if_none_match", "if_modified_since", "if_unmodified_since",
             "if_range", "has_range", "resource_etag", "resource_last_modified",
             "expected_status_per_RFC9110", "source_reason", "now"]


def cond(id, expected, reason, method="GET", im="", inm="", ims="", ius="", ir="", rng="no",
         etag='"xyzzy"', lm=LM, now=NOW):
    return [id, method, im, inm, ims, ius, ir, rng, etag, lm, str(expected), reason, now]


conditional = [
    cond("none-get", 200, "no conditions: perform the method (13.2.2 step 6)"),
    cond("none-range", 206, "GET with Range and no If-Range: serve the range (13.2.2 step 5)", rng="yes"),
    cond("head-range", 200, "GET is the only method with range handling; Range ignored for HEAD (14.2)", method="HEAD", rng="yes"),
    cond("put-range", 200, "Range ignored for PUT (14.2)", method="PUT", rng="yes"),
    cond("im-match", 200, "If-Match strong match -> true (13.1.1)", im='"xyzzy"'),
    cond("im-star-exists", 200, "If-Match * with a current representation -> true (13.1.1)", im="*"),
    cond("im-star-absent-put", 412, "If-Match * without a current representation -> false -> 412", method="PUT", im="*", etag="(absent)", lm=""),
    cond("im-tag-absent-put", 412, "no current representation: no tag can match -> 412", method="PUT", im='"xyzzy"', etag="(absent)", lm=""),
    cond("im-list-last", 200, "any member of the list may match (13.1.1)", im='"a", "b", "xyzzy"'),
    cond("im-empty-value", 412, "an empty list holds no matching tag -> false (13.1.1)", im="(empty)"),
    cond("im-trailing-comma", 200, "empty list elements are ignored (5.6.1.2): '\"xyzzy\",' holds \"xyzzy\" -> strong match -> true", method="PUT", im='"xyzzy",'),
    cond("im-leading-comma", 200, "empty list elements are ignored (5.6.1.2): ',\"xyzzy\"' holds \"xyzzy\" -> strong match -> true", method="PUT", im=',"xyzzy"'),
    cond("im-empty-tag-trailing-comma", 200, "'\"\",' holds the empty tag \"\", the current one -> true (5.6.1.2, 8.8.3)", method="PUT", im='"",', etag='""'),
    cond("im-only-commas", 412, "empty elements are ignored (5.6.1.2); no tag matches", im=", ,"),
    cond("im-trailing-garbage", 412, "a list with an invalid member is not a list of entity tags -> 'Otherwise' -> false", im='"xyzzy", garbage'),
    cond("im-then-star-line", 412, "field lines '\"a\"' and '*' join to '\"a\", *': neither * nor #entity-tag -> false", im='"a"\\n*'),
    cond("im-star-twice", 412, "'*, *' is neither \"*\" nor a list of entity tags -> false", im="*, *"),
    cond("im-lowercase-w", 412, "w/ is not the weak indicator (%s\"W/\") -> invalid -> false", im='w/"xyzzy"'),
    cond("im-case-sensitive", 412, "opaque-tags compare octet by octet", im='"XYZZY"'),
    cond("im-match-ius-false", 200, "If-Unmodified-Since is ignored when If-Match is present (13.1.4)", im='"xyzzy"', ius="Wed, 21 Oct 2015 07:27:59 GMT"),
    cond("im-invalid-ius-true", 412, "If-Match present and false -> 412 whatever If-Unmodified-Since says", im="xyzzy", ius="Thu, 22 Oct 2015 00:00:00 GMT"),
    cond("ius-later", 200, "LM earlier than the date -> true (13.1.4)", ius="Thu, 22 Oct 2015 00:00:00 GMT"),
    cond("ius-invalid", 200, "not a valid HTTP-date -> ignored (13.1.4)", ius="21 Oct 2015"),
    cond("ius-two-lines", 200, "two field lines are a list of dates -> ignored (13.1.4)", ius=f"{LM}\\n{LM}"),
    cond("ius-split-day-name", 200, "AMBIGUOUS: lines 'Wed' and '21 Oct 2015 07:27:59 GMT' are two members (13.1.4 'appears to be a list') -> ignored, though joined with ', ' they spell one date", ius="Wed\\n21 Oct 2015 07:27:59 GMT", method="PUT"),
    cond("ius-true-inm-match", 304, "step 2 passes, step 3: If-None-Match matches -> 304", ius=LM, inm='"xyzzy"'),
    cond("ius-false-inm-match", 412, "step 2 (If-Unmodified-Since) comes before step 3", ius="Wed, 21 Oct 2015 07:27:59 GMT", inm='"xyzzy"'),
    cond("inm-match-ims-modified", 304, "If-Modified-Since is ignored when If-None-Match is present (13.1.3); nginx ANDs them", inm='"xyzzy"', ims="Wed, 21 Oct 2015 07:27:59 GMT"),
    cond("inm-invalid-ims-equal", 200, "If-None-Match present (malformed -> true) so If-Modified-Since is ignored", inm="xyzzy", ims=LM),
    cond("inm-star-exists", 304, "If-None-Match * with a current representation -> false -> 304 for GET", inm="*"),
    cond("inm-star-exists-put", 412, "If-None-Match * false -> 412 for other methods (13.2.2 step 3)", method="PUT", inm="*"),
    cond("inm-star-absent-get", 200, "no current representation -> * true -> perform the method (a GET then answers 404)", inm="*", etag="(absent)", lm=""),
    cond("inm-weak-weak", 304, "weak comparison: W/\"1\" W/\"1\" match (8.8.3.2)", inm='W/"xyzzy"', etag='W/"xyzzy"'),
    cond("inm-second-line", 304, "two field lines combine into one list (5.3)", inm='"r2d2"\\n"xyzzy"'),
    cond("inm-comma-in-tag", 304, "a comma inside quotes is part of the opaque-tag", inm='"a,b"', etag='"a,b"'),
    cond("inm-case-sensitive", 200, "opaque-tags compare octet by octet", inm='"XYZZY"'),
    cond("inm-trailing-garbage", 200, "malformed list -> 'Otherwise' branch of 13.1.2 -> true", inm='"xyzzy", garbage'),
    cond("inm-empty-elements", 304, "empty list elements are ignored (5.6.1.2)", inm=' , ,"xyzzy",'),
    cond("inm-trailing-comma", 304, "empty list elements are ignored (5.6.1.2): '\"xyzzy\",' holds \"xyzzy\" -> weak match -> false -> 304", inm='"xyzzy",'),
    cond("inm-leading-comma", 304, "empty list elements are ignored (5.6.1.2): ',\"xyzzy\"' holds \"xyzzy\" -> false -> 304", inm=',"xyzzy"'),
    cond("inm-empty-tag-trailing-comma", 304, "'\"\",' holds the empty tag \"\", the current one -> false -> 304", inm='"",', etag='""'),
    cond("inm-64-empty-elements", 304, "AMBIGUOUS: 5.6.1.2 asks recipients to ignore 'a reasonable number of empty list elements'; etagcore ignores up to 64 (MAX_EMPTY_ELEMENTS): 64 commas, then the tag -> match -> 304", inm="," * 64 + '"xyzzy"'),
    cond("inm-65-empty-elements", 200, "AMBIGUOUS: 65 empty elements are more than etagcore's 64 -> malformed -> 'Otherwise' branch of 13.1.2 -> true", inm="," * 65 + '"xyzzy"'),
    cond("im-64-empty-elements", 200, "AMBIGUOUS: up to 64 empty elements are ignored (5.6.1.2, MAX_EMPTY_ELEMENTS) -> strong match -> true", method="PUT", im="," * 64 + '"xyzzy"'),
    cond("im-65-empty-elements", 412, "AMBIGUOUS: 65 empty elements are more than etagcore's 64 -> malformed -> false (13.1.1)", method="PUT", im="," * 65 + '"xyzzy"'),
    cond("inm-empty-value", 200, "an empty list holds no matching tag -> true", inm="(empty)"),
    cond("inm-no-etag", 200, "no current entity tag: nothing matches -> true", inm='"xyzzy"', etag=""),
    cond("inm-empty-opaque-weak", 304, "W/\"\" and \"\" match under weak comparison", inm='W/""', etag='""'),
    cond("inm-quote-spans-lines", 200, "lines '\"a' and 'b\"' join to '\"a, b\"', whose space is not etagc -> invalid -> true", inm='"a\\nb"', etag='"a,b"'),
    cond("inm-two-tags-no-comma", 200, "'\"x\" \"xyzzy\"' lacks the comma: invalid -> true", inm='"x" "xyzzy"'),
    cond("ims-no-lm", 200, "no modification date -> If-Modified-Since ignored (13.1.3)", ims=LM, lm=""),
    cond("ims-post", 200, "If-Modified-Since ignored for methods other than GET/HEAD (13.1.3)", method="POST", ims=LM),
    cond("ims-later", 304, "LM earlier than the date -> false -> 304", ims="Thu, 22 Oct 2015 00:00:00 GMT"),
    cond("ims-one-second-early", 200, "LM later than the date -> true -> 200", ims="Wed, 21 Oct 2015 07:27:59 GMT"),
    cond("ims-asctime-1digit", 304, "asctime-date with SP DIGIT day (5.6.7)", ims="Sun Nov  6 08:49:37 1994", lm="Sun, 06 Nov 1994 08:49:37 GMT"),
    cond("ims-lowercase-gmt", 200, "GMT is case-sensitive (%s\"GMT\") -> invalid -> ignored", ims="Wed, 21 Oct 2015 07:28:00 gmt"),
    cond("ims-wrong-weekday", 304, "AMBIGUOUS: 21 Oct 2015 was a Wednesday; 5.6.7 encourages recipients to be robust in parsing timestamps, so the day-name is not checked against the date (as Go, nginx, Apache, lighttpd) -> LM <= date -> 304", ims="Mon, 21 Oct 2015 07:28:00 GMT"),
    cond("ims-feb-29-1900", 200, "a day-name never makes a day exist: 29 Feb 1900 is invalid (1900 is not a leap year) -> ignored", ims="Thu, 29 Feb 1900 00:00:00 GMT"),
    cond("ius-wrong-weekday-rfc850", 412, "AMBIGUOUS: the rfc850 day-name-l is not checked against the date either (21 Oct 2015 was a Wednesday) -> LM later than the date -> 412", method="PUT", ius="Monday, 21-Oct-15 07:27:59 GMT"),
    cond("ims-leap-second", 304, "time-of-day allows 23:59:60 (5.6.7); it counts as the next second, equal to LM", ims="Sat, 31 Dec 2016 23:59:60 GMT", lm="Sun, 01 Jan 2017 00:00:00 GMT"),
    cond("ims-lm-in-future", 304, "AMBIGUOUS: a Last-Modified after now is sent as now (8.8.2.1), and compared as sent; now <= date -> 304", ims=NOW, lm="Fri, 01 Jan 2027 00:00:00 GMT"),
    cond("ims-head", 304, "HEAD is treated as GET for 304 (13.2.2 step 4)", method="HEAD", ims="Thu, 22 Oct 2015 00:00:00 GMT"),
    cond("ims-crlf", 200, "CR is not OWS: the value is not an HTTP-date -> ignored", ims=LM + "\\x0d"),
    cond("ir-etag-match", 206, "If-Range strong match -> serve the range (13.1.5)", ir='"xyzzy"', rng="yes"),
    cond("ir-date-exact", 206, "If-Range date equal to a strong Last-Modified -> true (13.1.5)", ir=LM, rng="yes"),
    cond("ir-date-rfc850-same-instant", 206, "AMBIGUOUS: dates compared as instants; the rfc850 form names the same second as LM", ir="Wednesday, 21-Oct-15 07:28:00 GMT", rng="yes"),
    cond("ir-lm-one-second-old", 206, "LM one second before Date is strong (8.8.2.2) -> exact match true", ir=LM, rng="yes", now="Wed, 21 Oct 2015 07:28:01 GMT"),
    cond("ir-weak-weak", 200, "strong comparison: weak tags never match (13.1.5)", ir='W/"xyzzy"', rng="yes", etag='W/"xyzzy"'),
    cond("ir-garbage", 200, "neither an entity-tag nor an HTTP-date -> false -> full 200", ir="garbage", rng="yes"),
    cond("ir-two-lines", 200, "two field lines cannot form one validator -> false", ir='"xyzzy"\\n"xyzzy"', rng="yes"),
    cond("ir-no-lm", 200, "a date cannot match a missing Last-Modified -> false", ir=LM, rng="yes", lm=""),
    cond("ir-inm-match", 304, "step 3 (If-None-Match) comes before step 5 (If-Range)", inm='"xyzzy"', ir='"xyzzy"', rng="yes"),
    cond("ir-im-match", 206, "If-Match true, then If-Range true -> 206", im='"xyzzy"', ir='"xyzzy"', rng="yes"),
    cond("options-im-nomatch", 200, "conditions are ignored for OPTIONS (13.2.1)", method="OPTIONS", im='"r2d2"'),
    cond("options-inm-match", 200, "conditions are ignored for OPTIONS (13.2.1)", method="OPTIONS", inm='"xyzzy"'),
    cond("delete-im-match", 200, "strong match -> perform DELETE", method="DELETE", im='"xyzzy"'),
    cond("delete-ius-earlier", 412, "If-Unmodified-Since false -> 412", method="DELETE", ius="Wed, 21 Oct 2015 07:27:59 GMT"),
    cond("post-inm-star", 412, "If-None-Match * false for POST -> 412", method="POST", inm="*"),
    cond("lowercase-get-inm-match", 412, "method names are case-sensitive (9.1): 'get' is not GET -> 412, not 304", method="get", inm='"xyzzy"'),
    cond("im-star-inm-tag", 304, "If-Match * true, If-None-Match matches -> 304 for GET", im="*", inm='"xyzzy"'),
]

DATE_COLS = ["input", "valid", "unix_seconds", "note", "now"]


def date(inp, valid, secs, note, now=NOW):
    return [inp, "yes" if valid else "no", "" if secs is None else str(secs), note, now]


ts = calendar.timegm
dates = [
    date("Sat, 31 Dec 2016 23:59:60 GMT", True, ts((2017, 1, 1, 0, 0, 0)), "leap second 23:59:60 (5.6.7) counts as the next second"),
    date("Sat, 31 Dec 2016 12:00:60 GMT", False, None, "AMBIGUOUS: second 60 only as 23:59:60, the one place a leap second occurs"),
    date("Mon, 21 Oct 2015 07:28:00 GMT", True, ts((2015, 10, 21, 7, 28, 0)), "AMBIGUOUS: 21 Oct 2015 was a Wednesday; 5.6.7 encourages robust parsing: the day-name is not checked against the date (Go, nginx, Apache, lighttpd agree)"),
    date("Monday, 21-Oct-15 07:28:00 GMT", True, ts((2015, 10, 21, 7, 28, 0)), "AMBIGUOUS: rfc850 day-name-l not checked against the date either"),
    date("Mon Oct 21 07:28:00 2015", True, ts((2015, 10, 21, 7, 28, 0)), "AMBIGUOUS: asctime day-name not checked against the date either"),
    date("Mon, 29 Feb 2000 00:00:00 GMT", True, ts((2000, 2, 29, 0, 0, 0)), "29 Feb of a leap year, whatever the day-name (it was a Tuesday)"),
    date("Mon, 29 Feb 1900 00:00:00 GMT", False, None, "1900 is not a leap year: no day-name makes 29 Feb exist"),
    date("Mon, 31 Dec 2016 12:00:60 GMT", False, None, "second 60 only as 23:59:60, whatever the day-name"),
    date("mon, 21 Oct 2015 07:28:00 GMT", False, None, "day-name is case-sensitive (%s\"Mon\")"),
    date("Monday, 21 Oct 2015 07:28:00 GMT", False, None, "IMF-fixdate day-name is the three-letter name"),
    date("Mon, 21-Oct-15 07:28:00 GMT", False, None, "rfc850 day-name-l is the full name"),
    date("Tues, 21-Oct-15 07:28:00 GMT", False, None, "not a day-name-l"),
    date("Monday Oct 21 07:28:00 2015", False, None, "asctime day-name is the three-letter name"),
    date(imf(9999, 12, 31, 23, 59, 59), True, 253402300799, "largest 4DIGIT year"),
    date("Sat, 01 Jan 0000 00:00:00 GMT", False, None, "year 0000 does not exist in the Gregorian calendar's year numbering"),
    date(imf(2000, 2, 29), True, ts((2000, 2, 29, 0, 0, 0)), "2000 is a leap year"),
    date("Fri, 31 Apr 2015 00:00:00 GMT", False, None, "April has 30 days"),
    date(f"{datetime.date(1999, 12, 31).strftime('%A')}, 31-Dec-99 23:59:59 GMT", True, ts((1999, 12, 31, 23, 59, 59)), "rfc850: 2099 is more than 50 years after now -> 1999"),
    date(f"{datetime.date(2110, 1, 1).strftime('%A')}, 01-Jan-10 00:00:00 GMT", True, ts((2110, 1, 1, 0, 0, 0)), "rfc850: exactly 50 years ahead is not 'more than 50 years' -> 2110", now="Thu, 01 Jan 2060 00:00:00 GMT"),
    date(f"{datetime.date(2010, 1, 1).strftime('%A')}, 01-Jan-10 00:00:01 GMT", True, ts((2010, 1, 1, 0, 0, 1)), "rfc850: one second more than 50 years ahead -> the century before", now="Thu, 01 Jan 2060 00:00:00 GMT"),
    date(f"{datetime.date(1994, 11, 6).strftime('%A')}, 06-Nov-94 08:49:37 GMT", True, 784111777, "rfc850 seen from 1994 itself", now="Sun, 06 Nov 1994 08:49:37 GMT"),
    date("sunday, 06-Nov-94 08:49:37 GMT", False, None, "day-name-l is case-sensitive"),
    date("Sun Nov 6 08:49:37 1994", False, None, "asctime one-digit day needs the leading SP"),
    date("Sun Nov  6 08:49:37 1994\\x09", True, 784111777, "trailing OWS is not part of the value"),
    date("\\x20Sun, 06 Nov 1994 08:49:37 GMT", True, 784111777, "leading OWS is not part of the value"),
    date("Sun, 06 Nov 1994 08:49:37 GMT\\x0d", False, None, "CR is not OWS"),
    date("Sun, 06 Nov 1994 08:49:37 GMT\\x00", False, None, "NUL"),
    date("Sun,06 Nov 1994 08:49:37 GMT", False, None, "SP after the comma is required"),
    date("Sun, 06 Nov 01994 08:49:37 GMT", False, None, "year is exactly 4DIGIT"),
    date("Sun, 06 Nov 1994 08:49:37 GMT GMT", False, None, "trailing data"),
    date("Sun, 06 Nov 1994 08:49 GMT", False, None, "seconds are required"),
    date("Sun, 06 Nov 1994 08:49:37 gmt", False, None, "GMT is case-sensitive"),
    date("Sun Nov  6 08:49:37 1994 GMT", False, None, "asctime has no zone"),
    date("Wednesday, 06-Nov-1994 08:49:37 GMT", False, None, "rfc850 year is 2DIGIT"),
    date(imf(1, 1, 1), True, -62135596800, "smallest instant"),
    date(imf(1969, 12, 31, 23, 59, 59), True, -1, "one second before the epoch"),
]

ETAG_COLS = ["input", "valid", "weak", "opaque", "note"]


def tag(inp, valid, weak="", opaque="", note=""):
    return [inp, "yes" if valid else "no", ("yes" if weak else "no") if valid else "", opaque, note]


etags = [
    tag('W/"xyzzy"', True, True, "xyzzy", "weak indicator"),
    tag('W/""', True, True, "", "weak empty tag"),
    tag('\\x20"xyzzy"\\x09', True, False, "xyzzy", "surrounding OWS is not part of the field value"),
    tag('w/"xyzzy"', False, note="W/ is case-sensitive (%s)"),
    tag('W/ "xyzzy"', False, note="no OWS between W/ and the quote"),
    tag('"a"b"', False, note="DQUOTE is not an etagc"),
    tag('"\\x80\\xff"', True, False, "\\x80\\xff", "obs-text"),
    tag('"!"', True, False, "!", "%x21"),
    tag('"a b"', False, note="SP is not an etagc"),
    tag('"a\\x5Cb"', True, False, "a\\x5Cb", "no backslash escaping"),
    tag('""""', False, note="quotes inside"),
    tag('"x"\\x0d', False, note="CR is not OWS"),
    tag("*", False, note="* is not an entity-tag"),
    tag('"x" "y"', False, note="ETag is one entity-tag"),
    tag('W/W/"x"', False, note="one weak indicator at most"),
    tag('"', False, note="a lone DQUOTE"),
]


def write(name, cols, rows):
    with open(name, "w") as f:
        f.write("\t".join(cols) + "\n")
        for r in rows:
            assert len(r) == len(cols), r
            f.write("\t".join(r) + "\n")


write("etagcore-conditional.tsv", COND_COLS, conditional)
write("etagcore-date.tsv", DATE_COLS, dates)
write("etagcore-etag.tsv", ETAG_COLS, etags)
