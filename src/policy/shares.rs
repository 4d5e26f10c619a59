//! Share caps: a policy's limit on a group's share of a technology or role (the UK's Huawei at
//! most 35% of the full-fibre access network), counted over the devices of one run, sans IO.
//! A device counts when its context settles what the share is of; a device of the group whose
//! context does not is counted apart (`unsettled`), for a person to settle.

use super::conditions::{Conditions, Standing};
use super::document::{Policy, Whose};
use crate::record::{Record, Share};

/// What a share cap counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Each device once.
    Devices,
    /// Each device's interfaces (at least 1 a device).
    Ports,
}

impl Count {
    /// As written in policies and reports: `devices`, `ports`.
    pub fn as_str(self) -> &'static str {
        match self {
            Count::Devices => "devices",
            Count::Ports => "ports",
        }
    }
}

/// A cap on a group's share of a technology or role.
#[derive(Debug, Clone)]
pub struct ShareCap {
    /// Its id.
    pub id: String,
    /// Why, in words.
    pub reason: String,
    /// The group whose share is capped.
    pub whose: Whose,
    /// What the share is of: roles and technologies only.
    pub of: Conditions,
    /// The cap, 0 to 1.
    pub max_share: f64,
    /// What is counted.
    pub count: Count,
}

/// One cap's counts so far.
struct Counting {
    policy: String,
    jurisdiction: Option<String>,
    cap: ShareCap,
    found: u64,
    total: u64,
    unsettled: u64,
}

/// The counts of every share cap of the policies over one run's devices.
pub struct ShareCount {
    caps: Vec<Counting>,
}

impl ShareCount {
    /// Nothing counted yet, for every cap of `policies`.
    pub fn new(policies: &[Policy]) -> ShareCount {
        let caps = policies
            .iter()
            .flat_map(|p| {
                p.shares.iter().map(|cap| Counting {
                    policy: format!("{} {}", p.name, p.version),
                    jurisdiction: p.jurisdiction.clone(),
                    cap: cap.clone(),
                    found: 0,
                    total: 0,
                    unsettled: 0,
                })
            })
            .collect();
        ShareCount { caps }
    }

    /// Counts a device (observed or judged).
    pub fn count<J>(&mut self, d: &Record<J>) {
        let id = &d.identification;
        for c in &mut self.caps {
            let theirs = c.cap.whose.matches(
                id.origin.as_deref(),
                id.vendor.as_deref(),
                id.model.as_deref(),
            );
            let weight = match c.cap.count {
                Count::Devices => 1,
                Count::Ports => d.interfaces.len().max(1) as u64,
            };
            // A device whose maker is unknown may or may not be the group's: counting it in
            // the total only would lower the share, so it is counted apart, as unsettled.
            let maker_unknown = id.origin.is_none() && id.vendor.is_none();
            match c.cap.of.standing(&d.context) {
                Standing::Holds(_) if maker_unknown => c.unsettled += 1,
                Standing::Holds(_) => {
                    c.total += weight;
                    if theirs {
                        c.found += weight;
                    }
                }
                Standing::Unsettled { .. } if theirs => c.unsettled += 1,
                Standing::Unsettled { .. } | Standing::Fails => {}
            }
        }
    }

    /// Each cap's share as counted so far, in the policies' order.
    pub fn shares(&self) -> Vec<Share> {
        self.caps
            .iter()
            .map(|c| {
                let share = if c.total == 0 {
                    0.0
                } else {
                    c.found as f64 / c.total as f64
                };
                Share {
                    rule: c.cap.id.clone(),
                    policy: c.policy.clone(),
                    jurisdiction: c.jurisdiction.clone(),
                    reason: c.cap.reason.clone(),
                    of: c.cap.of.of(),
                    counted_by: c.cap.count.as_str().to_string(),
                    found: c.found,
                    total: c.total,
                    share,
                    max_share: c.cap.max_share,
                    exceeded: share > c.cap.max_share,
                    unsettled: c.unsettled,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Context, Identification, Interface, Observed, Sourced};

    fn cap(count: Count) -> Policy {
        Policy {
            name: "uk".into(),
            jurisdiction: Some("GB".into()),
            version: "1".into(),
            sources: vec![],
            rules: vec![],
            exceptions: vec![],
            shares: vec![ShareCap {
                id: "fibre".into(),
                reason: "at most 35%".into(),
                whose: Whose {
                    origins: vec!["huawei".into()],
                    vendors: vec![],
                    model: None,
                },
                of: Conditions {
                    technologies: vec!["fibre-access".into()],
                    ..Conditions::default()
                },
                max_share: 0.35,
                count,
            }],
            notes: vec![],
        }
    }

    fn device(origin: &str, technology: Option<&str>, ports: usize) -> Observed {
        Observed {
            identification: Identification {
                origin: Some(origin.into()),
                ..Identification::default()
            },
            context: Context {
                technology: technology.map(|t| Sourced::new(t.to_string(), "test")),
                ..Context::default()
            },
            interfaces: (0..ports)
                .map(|i| Interface {
                    index: i as u32 + 1,
                    descr: None,
                    mac: None,
                })
                .collect(),
            ..Observed::default()
        }
    }

    /// `huawei` of ten fibre-access devices, and devices that do not count.
    fn run(count: Count, huawei: usize, ports: usize) -> Share {
        let mut counting = ShareCount::new(&[cap(count)]);
        for i in 0..10 {
            let origin = if i < huawei { "huawei" } else { "nokia" };
            counting.count(&device(origin, Some("GPON"), ports));
        }
        counting.count(&device("huawei", Some("5g"), ports));
        counting.count(&device("huawei", None, ports));
        counting.count(&device("nokia", None, ports));
        counting.shares().remove(0)
    }

    #[test]
    fn three_of_ten_is_under_the_cap_and_four_is_over() {
        let s = run(Count::Devices, 3, 0);
        assert_eq!((s.found, s.total, s.unsettled), (3, 10, 1));
        assert!((s.share - 0.3).abs() < 1e-9 && !s.exceeded);
        assert_eq!(
            (s.of.as_str(), s.counted_by.as_str()),
            ("technology fibre-access", "devices")
        );
        assert_eq!(s.policy, "uk 1");
        let s = run(Count::Devices, 4, 0);
        assert_eq!((s.found, s.total), (4, 10));
        assert!(s.exceeded);
    }

    #[test]
    fn by_ports_each_device_weighs_its_interfaces_at_least_one() {
        let s = run(Count::Ports, 3, 8);
        assert_eq!((s.found, s.total, s.unsettled), (24, 80, 1));
        assert!(!s.exceeded);
        let s = run(Count::Ports, 4, 0);
        assert_eq!(
            (s.found, s.total),
            (4, 10),
            "a device with no interfaces is one port"
        );
        assert!(s.exceeded);
        let mut counting = ShareCount::new(&[cap(Count::Ports)]);
        counting.count(&device("huawei", Some("GPON"), 2));
        counting.count(&device("nokia", Some("GPON"), 6));
        let s = counting.shares().remove(0);
        assert_eq!((s.found, s.total, s.exceeded), (2, 8, false));
        assert_eq!(
            ShareCount::new(&[cap(Count::Devices)]).shares()[0].share,
            0.0,
            "nothing counted"
        );
    }

    #[test]
    fn a_device_whose_maker_is_unknown_is_counted_apart() {
        let mut counting = ShareCount::new(&[cap(Count::Devices)]);
        for i in 0..4 {
            counting.count(&device(
                if i < 3 { "nokia" } else { "huawei" },
                Some("GPON"),
                0,
            ));
        }
        let mut unidentified = device("nokia", Some("GPON"), 0);
        unidentified.identification.origin = None;
        counting.count(&unidentified);
        let s = counting.shares().remove(0);
        // 1 of 4, not 1 of 5: the unknown box might be Huawei's.
        assert_eq!((s.found, s.total, s.unsettled), (1, 4, 1));
    }
}
