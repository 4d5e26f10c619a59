//! What changed between two sweeps: devices new and gone, devices whose address, firmware,
//! model, verdict, sysLocation, site, role or technology changed (a device moved to another
//! site, a role changed), banned gear that appeared or was removed, and banned gear still
//! there past its policy deadline. One [`Change`] per fact, so that each is a line of JSON or
//! a row of CSV.

use serde::Serialize;

use super::StoredDevice;
use super::identity::{Identity, match_devices};
use crate::record::Verdict;

/// The kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Gear the removal ledger has off the network (removed, in custody, sanitised,
    /// destroyed) that the later sweep saw again.
    Reappeared,
    /// Banned gear that was not there before (or was there and not banned).
    BannedNew,
    /// Banned gear that is gone.
    BannedRemoved,
    /// Banned gear still there past its deadline.
    Overdue,
    /// A device that was not there before.
    New,
    /// A device that is gone.
    Gone,
    /// A device whose address, firmware, model, verdict, sysLocation, site, role or technology
    /// changed.
    Changed,
    /// A device the later sweep did not see, but whose address its targets did not hold (or
    /// which it could not tell): not counted gone.
    NotCovered,
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ChangeKind::Reappeared => "reappeared",
            ChangeKind::NotCovered => "not-covered",
            ChangeKind::BannedNew => "banned-new",
            ChangeKind::BannedRemoved => "banned-removed",
            ChangeKind::Overdue => "overdue",
            ChangeKind::New => "new",
            ChangeKind::Gone => "gone",
            ChangeKind::Changed => "changed",
        })
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What kind.
    pub kind: ChangeKind,
    /// The device's identity key (`serial:...`, `mac:...`, `engine:...`, `address:...`).
    pub identity: String,
    /// Its address (in the later sweep; in the earlier one for gear that is gone).
    pub address: String,
    /// Its address in the earlier sweep, where it had one.
    pub previous_address: Option<String>,
    /// Vendor.
    pub vendor: Option<String>,
    /// Model.
    pub model: Option<String>,
    /// Verdict (in the later sweep; in the earlier one for gear that is gone).
    pub verdict: Verdict,
    /// For `changed`: which field (`address`, `version`, `model`, `verdict`, `sys_location`,
    /// `site`, `role`, `technology`); a value that appears or goes is a change too (`-` → `TOR01`:
    /// the site is known now).
    pub field: Option<&'static str>,
    /// For `changed`: the value before.
    pub from: Option<String>,
    /// For `changed`: the value after.
    pub to: Option<String>,
    /// For `gone` and `banned-removed`: when it was last seen (`2026-05-01 12:00:00Z`).
    pub last_seen: Option<String>,
    /// For `overdue`: the deadline passed.
    pub deadline: Option<String>,
    /// For `overdue`: days past it at the later sweep's date.
    pub days_overdue: Option<i64>,
    /// For `overdue` and `banned-*`: the rule, as `policy/rule`.
    pub rule: Option<String>,
}

fn base(kind: ChangeKind, d: &StoredDevice) -> Change {
    Change {
        kind,
        identity: d.identity.clone(),
        address: d.address.clone(),
        previous_address: None,
        vendor: d.vendor.clone(),
        model: d.model.clone(),
        verdict: d.verdict,
        field: None,
        from: None,
        to: None,
        last_seen: None,
        deadline: None,
        days_overdue: None,
        rule: None,
    }
}

/// The first banning rule of a device that no exception lifts, as `policy/rule`.
fn banning_rule(d: &StoredDevice) -> Option<String> {
    d.findings
        .iter()
        .find(|f| f.verdict == Verdict::Banned && f.exception.is_none())
        .map(|f| format!("{}/{}", f.policy, f.rule))
}

/// What the removal ledger and the later sweep's targets say, for a diff.
#[derive(Default)]
pub struct Confirmation<'a> {
    /// Devices of the later sweep that the ledger had off the network, by identity key, with
    /// what the ledger said (`removed since 2026-11-02, ledger #4`).
    pub reappeared: std::collections::HashMap<String, String>,
    /// Whether the later sweep's targets held an address; `None` for a sweep stored without
    /// its targets (every device it did not see is gone, as before the ledger).
    pub covers: Option<&'a dyn Fn(&str) -> bool>,
}

/// The changes from sweep `before` to sweep `after`. `last_seen` says when a device that is
/// gone was last seen (from its identity key); overdue items are judged as the later sweep
/// judged them; `confirm` turns devices the ledger had removed into `reappeared` and devices
/// outside the later sweep's targets into `not-covered`.
pub fn diff(
    before: &[StoredDevice],
    after: &[StoredDevice],
    last_seen: &dyn Fn(&StoredDevice) -> Option<String>,
    confirm: &Confirmation<'_>,
) -> Vec<Change> {
    let ids = |side: &[StoredDevice]| -> Vec<Identity> {
        side.iter().map(StoredDevice::identity_parts).collect()
    };
    let pairs = match_devices(&ids(before), &ids(after));
    let mut matched = vec![false; after.len()];
    let mut out = Vec::new();
    for (i, pair) in pairs.iter().enumerate() {
        let a = &before[i];
        let Some(j) = *pair else {
            let kind = match confirm.covers {
                Some(covers) if !covers(&a.address) => ChangeKind::NotCovered,
                _ if a.banned() => ChangeKind::BannedRemoved,
                _ => ChangeKind::Gone,
            };
            out.push(Change {
                last_seen: last_seen(a),
                rule: a.banned().then(|| banning_rule(a)).flatten(),
                ..base(kind, a)
            });
            continue;
        };
        matched[j] = true;
        out.extend(changed(a, &after[j]));
    }
    for (j, b) in after.iter().enumerate() {
        if let Some(words) = confirm.reappeared.get(&b.identity) {
            out.push(Change {
                field: Some("ledger"),
                from: Some(words.clone()),
                rule: banning_rule(b),
                ..base(ChangeKind::Reappeared, b)
            });
            continue;
        }
        if !matched[j] {
            let kind = if b.banned() {
                ChangeKind::BannedNew
            } else {
                ChangeKind::New
            };
            out.push(Change {
                rule: b.banned().then(|| banning_rule(b)).flatten(),
                ..base(kind, b)
            });
        }
    }
    out.extend(after.iter().filter_map(overdue));
    out.sort_by(|x, y| {
        x.kind
            .cmp(&y.kind)
            .then_with(|| x.identity.cmp(&y.identity))
    });
    out
}

/// What changed about one device from one sweep (`a`) to the next (`b`): each field, and
/// banned gear that became so or stopped being so.
fn changed(a: &StoredDevice, b: &StoredDevice) -> Vec<Change> {
    let mut out = Vec::new();
    let fields: [(&'static str, Option<&str>, Option<&str>); 8] = [
        ("address", Some(&a.address), Some(&b.address)),
        ("version", a.version.as_deref(), b.version.as_deref()),
        ("model", a.model.as_deref(), b.model.as_deref()),
        (
            "verdict",
            Some(a.verdict.as_str()),
            Some(b.verdict.as_str()),
        ),
        (
            "sys_location",
            a.sys_location.as_deref(),
            b.sys_location.as_deref(),
        ),
        ("site", a.site.as_deref(), b.site.as_deref()),
        ("role", a.role.as_deref(), b.role.as_deref()),
        (
            "technology",
            a.technology.as_deref(),
            b.technology.as_deref(),
        ),
    ];
    for (field, from, to) in fields {
        if from != to {
            out.push(Change {
                previous_address: Some(a.address.clone()),
                field: Some(field),
                from: from.map(str::to_string),
                to: to.map(str::to_string),
                ..base(ChangeKind::Changed, b)
            });
        }
    }
    if b.banned() && !a.banned() {
        out.push(Change {
            previous_address: Some(a.address.clone()),
            rule: banning_rule(b),
            ..base(ChangeKind::BannedNew, b)
        });
    }
    if a.banned() && !b.banned() {
        // Still there, no longer banned (a module removed, an exception granted).
        out.push(Change {
            previous_address: Some(a.address.clone()),
            rule: banning_rule(a),
            ..base(ChangeKind::BannedRemoved, b)
        });
    }
    out
}

/// Banned gear past its deadline in a sweep: its most overdue finding no exception lifts.
fn overdue(b: &StoredDevice) -> Option<Change> {
    let (left, f) = b
        .findings
        .iter()
        .filter(|f| f.exception.is_none())
        .filter_map(|f| Some((f.days_left?, f)))
        .filter(|(left, _)| *left < 0)
        .min_by_key(|(left, _)| *left)?;
    Some(Change {
        deadline: f.deadline.clone(),
        days_overdue: Some(-left),
        rule: Some(format!("{}/{}", f.policy, f.rule)),
        ..base(ChangeKind::Overdue, b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Identification, Judgement, Observed};
    use crate::store::StoredFinding;

    fn device(serial: Option<&str>, address: &str, version: &str, verdict: &str) -> StoredDevice {
        let identity = Identity::new(serial, None, None, address).key();
        let verdict: Verdict = verdict.parse().unwrap();
        let record = Observed {
            address: address.into(),
            identification: Identification {
                serial: serial.map(str::to_string),
                ..Identification::default()
            },
            ..Observed::default()
        }
        .judged(Judgement {
            verdict,
            findings: Vec::new(),
        });
        StoredDevice {
            sweep: 1,
            seen_ms: 0,
            identity,
            address: address.into(),
            discovered_via: "snmp".into(),
            serial: serial.map(str::to_string),
            chassis_mac: None,
            engine_id: None,
            vendor: Some(
                if verdict == Verdict::Banned {
                    "Huawei"
                } else {
                    "Cisco"
                }
                .into(),
            ),
            origin: None,
            model: Some("M".into()),
            version: Some(version.into()),
            sys_name: None,
            sys_location: None,
            site: None,
            role: None,
            technology: None,
            owner: None,
            verdict,
            record,
            findings: if verdict == Verdict::Banned {
                vec![StoredFinding {
                    rule: "huawei-zte-5g".into(),
                    policy: "canada-2022 1".into(),
                    verdict: Verdict::Banned,
                    module: None,
                    deadline: Some("2024-06-28".into()),
                    days_left: Some(-10),
                    exception: None,
                }]
            } else {
                Vec::new()
            },
        }
    }

    fn kinds(changes: &[Change]) -> Vec<(String, String, Option<&'static str>)> {
        changes
            .iter()
            .map(|c| (c.kind.to_string(), c.identity.clone(), c.field))
            .collect()
    }

    #[test]
    fn each_change_is_reported_once_and_nothing_else() {
        let before = [
            device(Some("H1"), "10.0.0.1", "V1", "banned"),
            device(Some("C1"), "10.0.0.2", "15.1", "clear"),
            device(Some("C2"), "10.0.0.3", "15.1", "clear"),
            device(Some("C3"), "10.0.0.4", "15.1", "clear"),
        ];
        let after = [
            device(Some("C1"), "10.0.0.2", "15.1", "clear"),
            device(Some("C2"), "10.0.0.9", "15.1", "clear"),
            device(Some("C3"), "10.0.0.4", "16.0", "clear"),
            device(Some("H2"), "10.0.0.1", "V2", "banned"),
        ];
        let changes = diff(
            &before,
            &after,
            &|d| Some(format!("seen {}", d.address)),
            &Confirmation::default(),
        );
        assert_eq!(
            kinds(&changes),
            vec![
                ("banned-new".into(), "serial:H2".into(), None),
                ("banned-removed".into(), "serial:H1".into(), None),
                ("overdue".into(), "serial:H2".into(), None),
                ("changed".into(), "serial:C2".into(), Some("address")),
                ("changed".into(), "serial:C3".into(), Some("version")),
            ]
        );
        let removed = &changes[1];
        assert_eq!(removed.last_seen.as_deref(), Some("seen 10.0.0.1"));
        assert_eq!(removed.rule.as_deref(), Some("canada-2022 1/huawei-zte-5g"));
        let moved = &changes[3];
        assert_eq!(
            (moved.from.as_deref(), moved.to.as_deref()),
            (Some("10.0.0.3"), Some("10.0.0.9"))
        );
        assert_eq!(changes[2].days_overdue, Some(10));
    }

    #[test]
    fn the_same_sweep_twice_has_no_change_but_overdue_gear() {
        let one = [
            device(Some("C1"), "10.0.0.2", "15.1", "clear"),
            device(Some("H1"), "10.0.0.1", "V1", "banned"),
        ];
        let changes = diff(&one, &one, &|_| None, &Confirmation::default());
        assert_eq!(
            kinds(&changes),
            vec![("overdue".into(), "serial:H1".into(), None)]
        );
    }

    #[test]
    fn a_move_to_another_site_and_a_new_role_or_technology_are_changes() {
        let mut before = [
            device(Some("X"), "10.0.0.1", "1", "clear"),
            device(Some("Y"), "10.0.0.2", "1", "clear"),
        ];
        before[0].site = Some("TOR01".into());
        before[0].role = Some("access".into());
        before[0].technology = Some("4g".into());
        let mut after = before.clone();
        after[0].site = Some("MTL02".into());
        after[0].role = Some("aggregation".into());
        after[0].technology = Some("4g+5g".into());
        after[1].site = Some("TOR01".into());
        after[1].sys_location = Some("TOR01 rack 3".into());
        let changes = diff(&before, &after, &|_| None, &Confirmation::default());
        let got: Vec<_> = changes
            .iter()
            .map(|c| {
                (
                    c.identity.as_str(),
                    c.field.unwrap(),
                    c.from.as_deref(),
                    c.to.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("serial:X", "site", Some("TOR01"), Some("MTL02")),
                ("serial:X", "role", Some("access"), Some("aggregation")),
                ("serial:X", "technology", Some("4g"), Some("4g+5g")),
                ("serial:Y", "sys_location", None, Some("TOR01 rack 3")),
                ("serial:Y", "site", None, Some("TOR01")),
            ]
        );
    }

    #[test]
    fn a_device_that_becomes_banned_is_banned_new_and_a_verdict_change() {
        let before = [device(Some("X"), "10.0.0.1", "1", "clear")];
        let after = [device(Some("X"), "10.0.0.1", "1", "banned")];
        let changes = diff(&before, &after, &|_| None, &Confirmation::default());
        assert_eq!(
            kinds(&changes),
            vec![
                ("banned-new".into(), "serial:X".into(), None),
                ("overdue".into(), "serial:X".into(), None),
                ("changed".into(), "serial:X".into(), Some("verdict")),
            ]
        );
    }
}
