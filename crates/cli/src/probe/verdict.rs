//! What a probe found, in plain words, and the exit status it earns.
//!
//! The farm agrees when every server answers 200 with the same body and the same ETag, and every
//! revalidation with If-None-Match (alone, and together with If-Modified-Since, as browsers
//! send them) gets 304. If-Modified-Since alone is reported, and warned about, but never fails
//! the probe: it compares each server's own mtime, which no ETag can fix.

use std::collections::BTreeSet;

use super::client::Reply;
use crate::Outcome;

/// A kind of revalidation: which validators the client sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    IfNoneMatch,
    IfModifiedSince,
    Both,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::IfNoneMatch, Kind::IfModifiedSince, Kind::Both];

    pub fn label(self) -> &'static str {
        match self {
            Kind::IfNoneMatch => "If-None-Match",
            Kind::IfModifiedSince => "If-Modified-Since",
            Kind::Both => "If-None-Match + If-Modified-Since",
        }
    }
}

/// One revalidation's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    /// The holder had no such validator.
    NotSent,
    Status(u16),
    Failed(String),
}

/// `cells[i][j]`: server j revalidated with the validators server i (or round 1) handed out.
#[derive(Clone, Debug)]
pub struct Matrix {
    pub kind: Kind,
    pub cells: Vec<Vec<Cell>>,
}

impl Matrix {
    fn all(&self) -> impl Iterator<Item = &Cell> {
        self.cells.iter().flatten()
    }

    fn count(&self, f: impl Fn(&Cell) -> bool) -> usize {
        self.all().filter(|c| f(c)).count()
    }
}

/// Everything found for one URL.
#[derive(Debug)]
pub struct UrlReport {
    pub url: String,
    pub through_balancer: bool,
    pub rows: Vec<(String, Result<Reply, String>)>,
    pub matrices: Vec<Matrix>,
    pub verdict: String,
    pub warnings: Vec<String>,
    pub outcome: Outcome,
}

pub fn judge(
    url: &str,
    through_balancer: bool,
    rows: Vec<(String, Result<Reply, String>)>,
    matrices: Vec<Matrix>,
) -> UrlReport {
    let mut warnings = Vec::new();
    let (verdict, outcome) = decide(through_balancer, &rows, &matrices, &mut warnings);
    UrlReport {
        url: url.to_string(),
        through_balancer,
        rows,
        matrices,
        verdict,
        warnings,
        outcome,
    }
}

fn decide(
    through_balancer: bool,
    rows: &[(String, Result<Reply, String>)],
    matrices: &[Matrix],
    warnings: &mut Vec<String>,
) -> (String, Outcome) {
    let who = if through_balancer {
        "requests"
    } else {
        "origins"
    };
    if let Some((label, Err(e))) = rows.iter().find(|(_, r)| r.is_err()) {
        return (format!("{label}: {e}"), Outcome::Error);
    }
    let replies: Vec<(&str, &Reply)> = rows
        .iter()
        .filter_map(|(l, r)| Some((l.as_str(), r.as_ref().ok()?)))
        .collect();
    if let Some((label, r)) = replies.iter().find(|(_, r)| (300..400).contains(&r.status)) {
        let to = r.location.as_deref().unwrap_or("nowhere given");
        return (
            format!(
                "{label} answered {} (a redirect to {to}); etagcore probe does not follow \
                 redirects: probe the URL it names",
                r.status
            ),
            Outcome::Error,
        );
    }
    let statuses: BTreeSet<u16> = replies.iter().map(|(_, r)| r.status).collect();
    if statuses.len() > 1 {
        let each: Vec<String> = replies
            .iter()
            .map(|(l, r)| format!("{} from {l}", r.status))
            .collect();
        return (
            format!("the {who} answer differently: {}", each.join(", ")),
            Outcome::No,
        );
    }
    if statuses.first().is_some_and(|&s| s != 200) {
        return (
            format!(
                "every one of the {who} answered {}, not 200: nothing to compare",
                statuses.first().copied().unwrap_or(0)
            ),
            Outcome::No,
        );
    }
    let bodies: BTreeSet<&str> = replies.iter().map(|(_, r)| r.digest.as_str()).collect();
    let etags: BTreeSet<Option<&str>> = replies.iter().map(|(_, r)| r.etag.as_deref()).collect();
    let dates: BTreeSet<Option<&str>> = replies
        .iter()
        .map(|(_, r)| r.last_modified.as_deref())
        .collect();
    if let Some(m) = matrices.iter().find(|m| m.kind == Kind::IfModifiedSince) {
        let not_304 = m.count(|c| matches!(c, Cell::Status(s) if *s != 304));
        if not_304 > 0 {
            warnings.push(format!(
                "If-Modified-Since alone: {not_304} of {} revalidations got no 304 ({} distinct \
                 Last-Modified values); browsers holding an ETag send If-None-Match too, and \
                 then If-Modified-Since is ignored (RFC 9110 13.1.3)",
                m.cells.iter().map(Vec::len).sum::<usize>(),
                dates.len()
            ));
        }
    }
    if bodies.len() > 1 {
        return (
            format!(
                "{} different bodies from the {who}: they serve different content (a deploy in \
                 progress?), so different ETags are right",
                bodies.len()
            ),
            Outcome::No,
        );
    }
    if let Some((label, _)) = replies.iter().find(|(_, r)| r.etag.is_none()) {
        return (
            format!("{label} sends no ETag: clients can only revalidate by date"),
            Outcome::No,
        );
    }
    if let Some(failed) = matrices.iter().flat_map(|m| m.all()).find_map(|c| match c {
        Cell::Failed(e) => Some(e),
        _ => None,
    }) {
        return (format!("a revalidation failed: {failed}"), Outcome::Error);
    }
    // The verdict counts If-None-Match alone (what the operators ask: did the other
    // server's ETag get a 304?); If-None-Match + If-Modified-Since must agree too.
    let tally = |kind: Kind| {
        matrices.iter().find(|m| m.kind == kind).map(|m| {
            let sent = m.count(|c| *c != Cell::NotSent);
            let ok = m.count(|c| *c == Cell::Status(304));
            let got_200 = m.count(|c| *c == Cell::Status(200));
            (sent, ok, got_200)
        })
    };
    let (sent, ok, got_200) = tally(Kind::IfNoneMatch).unwrap_or_default();
    let both = tally(Kind::Both).unwrap_or_default();
    let content = replies
        .first()
        .is_some_and(|(_, r)| r.etag.as_deref().is_some_and(|e| e.contains(&r.digest)));
    let how = if content {
        " (the ETag is the body's content tag)"
    } else {
        ""
    };
    if etags.len() == 1 && ok == sent && both.1 == both.0 {
        return (
            format!(
                "the {} {who} agree: one ETag for identical bodies{how}; {ok} of {sent} \
                 revalidations got 304",
                replies.len()
            ),
            Outcome::Ok,
        );
    }
    let tags = match etags.len() {
        1 => "one ETag".to_string(),
        n => format!("{n} distinct ETags"),
    };
    let mut verdict = format!(
        "{tags} for identical bodies: {got_200} of {sent} revalidations got 200 instead of 304"
    );
    let others = sent - ok - got_200;
    if others > 0 {
        verdict.push_str(&format!(", {others} another status"));
    }
    if both.1 != both.0 && (both.0 - both.1, both.0) != (sent - ok, sent) {
        verdict.push_str(&format!(
            "; with If-Modified-Since too, {} of {} got no 304",
            both.0 - both.1,
            both.0
        ));
    }
    (verdict, Outcome::No)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reply(etag: &str, date: &str, digest: &str) -> Result<Reply, String> {
        Ok(Reply {
            status: 200,
            etag: Some(etag.into()),
            last_modified: Some(date.into()),
            digest: digest.into(),
            ..Reply::default()
        })
    }

    fn square(kind: Kind, statuses: [[u16; 2]; 2]) -> Matrix {
        Matrix {
            kind,
            cells: statuses
                .iter()
                .map(|r| r.iter().map(|&s| Cell::Status(s)).collect())
                .collect(),
        }
    }

    fn two(
        a: Result<Reply, String>,
        b: Result<Reply, String>,
    ) -> Vec<(String, Result<Reply, String>)> {
        vec![("a:80".into(), a), ("b:80".into(), b)]
    }

    #[test]
    fn one_tag_and_all_304_agrees_even_when_dates_differ() {
        let rows = two(reply("\"d1\"", "Mon", "d1"), reply("\"d1\"", "Tue", "d1"));
        let m = vec![
            square(Kind::IfNoneMatch, [[304, 304], [304, 304]]),
            square(Kind::IfModifiedSince, [[304, 200], [200, 304]]),
            square(Kind::Both, [[304, 304], [304, 304]]),
        ];
        let r = judge("u", false, rows, m);
        assert_eq!(r.outcome, Outcome::Ok, "{}", r.verdict);
        assert!(r.verdict.contains("content tag"), "{}", r.verdict);
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn distinct_tags_for_identical_bodies_disagree_with_the_count() {
        let rows = two(reply("\"1-a\"", "Mon", "d1"), reply("\"2-a\"", "Tue", "d1"));
        let m = vec![
            square(Kind::IfNoneMatch, [[304, 200], [200, 304]]),
            square(Kind::Both, [[304, 200], [200, 304]]),
        ];
        let r = judge("u", false, rows, m);
        assert_eq!(r.outcome, Outcome::No);
        assert_eq!(
            r.verdict,
            "2 distinct ETags for identical bodies: 2 of 4 revalidations got 200 instead of 304"
        );
    }

    #[test]
    fn different_bodies_network_errors_redirects_and_statuses() {
        let r = judge(
            "u",
            false,
            two(reply("\"x\"", "M", "d1"), reply("\"y\"", "M", "d2")),
            vec![],
        );
        assert_eq!(r.outcome, Outcome::No);
        assert!(r.verdict.starts_with("2 different bodies"), "{}", r.verdict);

        let r = judge(
            "u",
            false,
            two(reply("\"x\"", "M", "d1"), Err("refused".into())),
            vec![],
        );
        assert_eq!(
            (r.outcome, r.verdict.as_str()),
            (Outcome::Error, "b:80: refused")
        );

        let mut moved = reply("\"x\"", "M", "d1").unwrap();
        moved.status = 301;
        moved.location = Some("https://x/".into());
        let r = judge(
            "u",
            false,
            two(reply("\"x\"", "M", "d1"), Ok(moved)),
            vec![],
        );
        assert_eq!(r.outcome, Outcome::Error);
        assert!(
            r.verdict.contains("redirect to https://x/"),
            "{}",
            r.verdict
        );

        let mut missing = reply("\"x\"", "M", "d1").unwrap();
        missing.status = 404;
        let r = judge(
            "u",
            false,
            two(reply("\"x\"", "M", "d1"), Ok(missing)),
            vec![],
        );
        assert_eq!(r.outcome, Outcome::No);
        assert_eq!(
            r.verdict,
            "the origins answer differently: 200 from a:80, 404 from b:80"
        );
    }

    #[test]
    fn a_missing_etag_disagrees() {
        let mut bare = reply("\"x\"", "M", "d1").unwrap();
        bare.etag = None;
        let r = judge("u", true, two(reply("\"x\"", "M", "d1"), Ok(bare)), vec![]);
        assert_eq!(r.outcome, Outcome::No);
        assert!(r.verdict.contains("sends no ETag"), "{}", r.verdict);
    }
}
