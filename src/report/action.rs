//! What to do about a device, in words: the nearest removal deadline with the days left or
//! overdue, and the evidence that decided what it is.

use crate::record::{DeviceRecord, Evidence, Verdict};
use crate::words::count;

/// The shipped policies that set removal dates, as `--policy` takes them.
pub const DATED_POLICIES: [&str; 2] = ["policies/canada-2022.toml", "policies/uk-2020.toml"];

/// The nearest removal deadline of a device's findings that no exception lifts: days left
/// (negative: overdue) and the date.
pub fn nearest_deadline(d: &DeviceRecord) -> Option<(i64, &str)> {
    d.judgement
        .findings
        .iter()
        .filter(|f| f.exception.is_none())
        .filter_map(|f| Some((f.days_left?, f.deadline.as_deref()?)))
        .min()
}

/// A deadline in words: `2024-06-28 (882 d overdue)`, `2027-06-30 (400 d left)`; for a banned
/// or review device (`flagged`) with no date, `no deadline`; `-` for the others.
pub fn deadline_words(nearest: Option<(i64, &str)>, flagged: bool) -> String {
    match nearest {
        Some((left, date)) if left < 0 => format!("{date} ({} d overdue)", -left),
        Some((0, date)) => format!("{date} (due today)"),
        Some((left, date)) => format!("{date} ({left} d left)"),
        None if flagged => "no deadline".to_string(),
        None => "-".to_string(),
    }
}

/// Banned or for review: something a person must act on.
pub fn flagged(v: Verdict) -> bool {
    matches!(v, Verdict::Banned | Verdict::Review)
}

/// A device's deadline in words ([`deadline_words`]).
pub fn deadline(d: &DeviceRecord) -> String {
    deadline_words(nearest_deadline(d), flagged(d.judgement.verdict))
}

/// When some banned or review device has no deadline: a line saying so and which shipped
/// policies carry the jurisdictions' dates.
pub fn deadline_note(devices: &[DeviceRecord]) -> Option<String> {
    let undated = devices
        .iter()
        .filter(|d| flagged(d.judgement.verdict) && nearest_deadline(d).is_none())
        .count();
    (undated > 0).then(|| {
        format!(
            "no deadline for {}: the policies applied set no removal dates; for a jurisdiction's dates add --policy {} or --policy {}, with --inventory FILE saying each device's technology and role",
            count(undated as u64, "banned or review device", "banned or review devices"),
            DATED_POLICIES[0],
            DATED_POLICIES[1],
        )
    })
}

/// The evidence that decided: the heaviest piece pointing to the origin the device was given
/// (the heaviest of all when none does); the first of equals.
pub fn deciding(d: &DeviceRecord) -> Option<&Evidence> {
    let heaviest = |agree: bool| {
        d.identification
            .evidence
            .iter()
            .filter(|e| {
                !agree || (d.identification.origin.is_some() && e.origin == d.identification.origin)
            })
            .fold(None, |best: Option<&Evidence>, e| match best {
                Some(b) if b.weight >= e.weight => Some(b),
                _ => Some(e),
            })
    };
    heaviest(true).or_else(|| heaviest(false))
}

/// The evidence, the deciding piece first, the others in their order.
pub fn evidence_in_order(d: &DeviceRecord) -> Vec<&Evidence> {
    let first = deciding(d);
    first
        .into_iter()
        .chain(
            d.identification
                .evidence
                .iter()
                .filter(|e| first.is_none_or(|f| !std::ptr::eq(*e, f))),
        )
        .collect()
}

/// The deciding evidence's source and how many more pieces there are: `private subtree of
/// enterprise 2011 answers (+3 more)`; `-` when there is none.
pub fn evidence_summary(d: &DeviceRecord) -> String {
    match deciding(d) {
        None => "-".to_string(),
        Some(e) if d.identification.evidence.len() == 1 => e.source.clone(),
        Some(e) => format!(
            "{} (+{} more)",
            e.source,
            d.identification.evidence.len() - 1
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Finding;
    use crate::record::{Identification, Judgement, Observed, Verdict};

    fn evidence(source: &str, origin: &str, weight: f64) -> Evidence {
        Evidence {
            source: source.into(),
            value: String::new(),
            vendor: None,
            origin: Some(origin.into()),
            weight,
        }
    }

    #[test]
    fn the_heaviest_piece_for_the_origin_decides_and_comes_first() {
        let d = Observed {
            identification: Identification {
                origin: Some("huawei".into()),
                evidence: vec![
                    evidence("sysObjectID enterprise 8072", "net-snmp", 0.1),
                    evidence("sysDescr", "other", 0.9),
                    evidence("private subtree of enterprise 2011 answers", "huawei", 0.7),
                    evidence("OUI", "huawei", 0.3),
                ],
                ..Identification::default()
            },
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Unknown,
            findings: Vec::new(),
        });
        assert_eq!(
            evidence_summary(&d),
            "private subtree of enterprise 2011 answers (+3 more)"
        );
        let order: Vec<&str> = evidence_in_order(&d)
            .iter()
            .map(|e| e.source.as_str())
            .collect();
        assert_eq!(
            order,
            [
                "private subtree of enterprise 2011 answers",
                "sysObjectID enterprise 8072",
                "sysDescr",
                "OUI"
            ]
        );
        let unknown = Observed {
            identification: Identification {
                evidence: vec![evidence("a", "x", 0.2), evidence("b", "y", 0.5)],
                ..Identification::default()
            },
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Unknown,
            findings: Vec::new(),
        });
        assert_eq!(evidence_summary(&unknown), "b (+1 more)");
        assert_eq!(
            evidence_summary(&Observed::default().judged(Judgement {
                verdict: Verdict::Unknown,
                findings: Vec::new()
            })),
            "-"
        );
    }

    #[test]
    fn flagged_devices_without_a_date_say_so() {
        let mut d = Observed {
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Banned,
            findings: Vec::new(),
        });
        assert_eq!(deadline(&d), "no deadline");
        assert!(
            deadline_note(std::slice::from_ref(&d))
                .unwrap()
                .contains("--policy policies/canada-2022.toml")
        );
        d.judgement.findings.push(Finding {
            rule: "r".into(),
            policy: "p".into(),
            jurisdiction: None,
            verdict: Verdict::Banned,
            severity: "high".into(),
            reason: String::new(),
            module: None,
            no_new_installs_after: None,
            deadline: Some("2024-06-28".into()),
            days_left: Some(-882),
            exception: None,
        });
        assert_eq!(deadline(&d), "2024-06-28 (882 d overdue)");
        assert_eq!(deadline_note(&[d]), None);
        let clear = Observed {
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Clear,
            findings: Vec::new(),
        });
        assert_eq!(deadline(&clear), "-");
        assert_eq!(deadline_note(&[clear]), None);
        assert_eq!(
            deadline_words(Some((1, "2030-01-01")), true),
            "2030-01-01 (1 d left)"
        );
    }
}
