//! The shares of the policies' caps over a sweep (the UK's 35% of full-fibre access), as each
//! report shows them: a line in words under the table, rows after the devices in CSV, a
//! section of the HTML page. JSON and JSON Lines write [`Share`] as it is.

use std::fmt::Write as _;

use super::html::escape;
use crate::record::Share;
use crate::words::count;

/// A fraction as a percentage, to a tenth where it is not whole: `30%`, `33.3%`.
pub fn percent(x: f64) -> String {
    let tenths = (x * 1000.0).round() / 10.0;
    if tenths.fract() == 0.0 {
        format!("{tenths:.0}%")
    } else {
        format!("{tenths:.1}%")
    }
}

/// `within` or `EXCEEDED`.
fn state(s: &Share) -> &'static str {
    if s.exceeded { "EXCEEDED" } else { "within" }
}

/// What is not in the figures: `; 2 devices not counted (their context or maker is unknown)`;
/// empty when none.
fn unsettled(s: &Share) -> String {
    match s.unsettled {
        0 => String::new(),
        n => format!(
            "; {} not counted (their context or maker is unknown)",
            count(n, "device", "devices")
        ),
    }
}

/// A share in one line: `uk-2020 1/huawei-full-fibre: 30% of technology fibre-access (3 of 10
/// devices), cap 35%: within`. Policy text is the caller's to make safe for where it goes.
pub fn line(s: &Share) -> String {
    format!(
        "{}/{}: {} of {} ({} of {} {}), cap {}: {}{}",
        s.policy,
        s.rule,
        percent(s.share),
        s.of,
        s.found,
        s.total,
        s.counted_by,
        percent(s.max_share),
        state(s),
        unsettled(s)
    )
}

/// The HTML page's section: each share, found against its cap, an exceeded one marked; empty
/// when the policies set no cap.
pub fn html_section(shares: &[Share]) -> String {
    if shares.is_empty() {
        return String::new();
    }
    let mut rows = String::new();
    for s in shares {
        let _ = write!(
            rows,
            r#"<tr class="share {class}"><td>{}/{}</td><td>{}</td><td class="found">{} ({} of {} {})</td><td class="cap">{}</td><td class="state"{style}>{}</td><td>{}</td><td>{}</td></tr>"#,
            escape(&s.policy),
            escape(&s.rule),
            escape(&s.of),
            percent(s.share),
            s.found,
            s.total,
            escape(&s.counted_by),
            percent(s.max_share),
            state(s),
            s.unsettled,
            escape(&s.reason),
            class = if s.exceeded { "exceeded" } else { "within" },
            style = if s.exceeded {
                r#" style="color:#c62828;font-weight:bold""#
            } else {
                ""
            },
        );
    }
    format!(
        r#"<section id="shares"><h2>Shares and caps</h2><table class="shares"><thead><tr><th>policy/rule</th><th>of</th><th>found</th><th>cap</th><th>state</th><th>not counted</th><th>why</th></tr></thead><tbody>{rows}</tbody></table></section>"#
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The UK's full-fibre cap with `found` Huawei devices of 10.
    pub(crate) fn fibre(found: u64) -> Share {
        let share = found as f64 / 10.0;
        Share {
            rule: "huawei-full-fibre".into(),
            policy: "uk-2020 1".into(),
            jurisdiction: Some("GB".into()),
            reason: "Huawei <35% of full-fibre access".into(),
            of: "technology fibre-access".into(),
            counted_by: "devices".into(),
            found,
            total: 10,
            share,
            max_share: 0.35,
            exceeded: share > 0.35,
            unsettled: 0,
        }
    }

    #[test]
    fn percentages_are_whole_or_to_a_tenth() {
        assert_eq!(percent(0.3), "30%");
        assert_eq!(percent(0.35), "35%");
        assert_eq!(percent(1.0 / 3.0), "33.3%");
        assert_eq!(percent(0.0), "0%");
    }

    #[test]
    fn a_share_reads_as_found_against_its_cap() {
        assert_eq!(
            line(&fibre(3)),
            "uk-2020 1/huawei-full-fibre: 30% of technology fibre-access (3 of 10 devices), cap 35%: within"
        );
        let mut four = fibre(4);
        four.unsettled = 2;
        assert_eq!(
            line(&four),
            "uk-2020 1/huawei-full-fibre: 40% of technology fibre-access (4 of 10 devices), cap 35%: EXCEEDED; 2 devices not counted (their context or maker is unknown)"
        );
    }

    #[test]
    fn the_html_section_marks_the_exceeded_and_escapes_the_reason() {
        assert_eq!(html_section(&[]), "");
        let page = html_section(&[fibre(3), fibre(4)]);
        assert!(
            page.contains(r#"<tr class="share within">"#)
                && page.contains(r#"<td class="found">30% (3 of 10 devices)</td><td class="cap">35%</td><td class="state">within</td>"#),
            "{page}"
        );
        assert!(
            page.contains(r#"<tr class="share exceeded">"#)
                && page.contains(r#"<td class="found">40% (4 of 10 devices)</td><td class="cap">35%</td><td class="state" style="color:#c62828;font-weight:bold">EXCEEDED</td>"#),
            "{page}"
        );
        assert!(page.contains("Huawei &lt;35%"), "{page}");
    }
}
