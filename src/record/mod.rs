//! The device record (DESIGN.md "The device record"): what a sweep knows of one device, as
//! every report format writes it. Field names are stable; more may be added.
//!
//! A record is first what discovery observed ([`Observed`]: no verdict, no findings), then
//! what the policies made of it ([`DeviceRecord`], which the reports write and the store keeps
//! and reads back). The fields have types (a [`Mac`], an [`EngineId`], an [`EntityClass`], a
//! [`Protocol`], a [`Verdict`]), each written as the text the record has always had.

mod context;
mod identification;
mod ids;
mod judgement;
mod ledger;
mod observations;
mod parts;
mod walk;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub use context::{Context, Sourced, role_word, technology_words, unknown_word};
pub use identification::{Evidence, Identification};
pub use ids::{EngineId, Mac, NotAMac, NotAnEngineId};
pub use judgement::{Finding, Judgement, NotAVerdict, NotJudged, Share, Verdict};
pub use ledger::{LedgerState, NotAState, Refused};
pub use observations::Observations;
pub use parts::{EntityClass, Interface, Module, Neighbor, NeighborId, NotAClass, Protocol};
pub use walk::{GAVE_UP, TableWalk, WalkEnd};

/// How a device came to be known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscoveredVia {
    /// It answered SNMP itself.
    #[default]
    Snmp,
    /// It was read from a recording (`identify --snmprec`).
    Recording,
    /// It was seen only in another device's LLDP remote table.
    LldpNeighbor,
    /// It was seen only in another device's CDP cache.
    CdpNeighbor,
    /// It was heard in LLDP or CDP frames.
    Passive,
}

impl DiscoveredVia {
    /// As written in records and the database (`snmp`, `lldp-neighbor`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DiscoveredVia::Snmp => "snmp",
            DiscoveredVia::Recording => "recording",
            DiscoveredVia::LldpNeighbor => "lldp-neighbor",
            DiscoveredVia::CdpNeighbor => "cdp-neighbor",
            DiscoveredVia::Passive => "passive",
        }
    }
}

/// One device, as discovery observed it or as judged (`J`): every field a report writes.
/// Records a store kept with fewer fields (an older version's) read back with the others
/// empty.

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record<J> {
    /// The address it answered on (or the recording's path).
    #[serde(default)]
    pub address: String,
    /// How it was found.
    #[serde(default)]
    pub discovered_via: DiscoveredVia,
    /// For a device seen only as a neighbour: the address of the polled device whose LLDP
    /// table or CDP cache reported it (the first, where several did). `None` for the others.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_by: Option<String>,
    /// The SNMP version and credential that worked, e.g. `v2c community #1` (never the secret).
    pub credential: Option<String>,
    /// sysName.0.
    pub sys_name: Option<String>,
    /// sysDescr.0.
    pub sys_descr: Option<String>,
    /// sysObjectID.0.
    pub sys_object_id: Option<String>,
    /// sysUpTime.0 in hundredths of a second.
    pub sys_uptime: Option<u64>,
    /// sysContact.0, as read (cleaned for display).
    #[serde(default)]
    pub sys_contact: Option<String>,
    /// sysLocation.0, as read (cleaned for display).
    #[serde(default)]
    pub sys_location: Option<String>,
    /// Where it stands: site, role, technology, owner, acquired (each with its source) and
    /// first seen, inline.
    #[serde(flatten)]
    pub context: Context,
    /// The SNMPv3 authoritative engine ID (written as hex), from the credential-free probe.
    pub engine_id: Option<EngineId>,
    /// What it is and whose: vendor, origin, brand, model, os, version, serial, chassis MAC,
    /// confidence, evidence and conflicts, inline.
    #[serde(flatten)]
    pub identification: Identification,
    /// ENTITY-MIB rows.
    #[serde(default)]
    pub modules: Vec<Module>,
    /// LLDP and CDP neighbours.
    #[serde(default)]
    pub neighbors: Vec<Neighbor>,
    /// Interfaces.
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    /// ARP / neighbour cache entries seen (ipNetToMedia + ipNetToPhysical).
    #[serde(default)]
    pub arp_entries: usize,
    /// Bridge forwarding entries seen (dot1dTpFdb).
    #[serde(default)]
    pub fdb_entries: usize,
    /// How each walked table ended.
    #[serde(default)]
    pub tables: Vec<TableWalk>,
    /// The verdict and findings, inline; [`NotJudged`] writes none.
    #[serde(flatten)]
    pub judgement: J,
    /// What went wrong while collecting, in words.
    #[serde(default)]
    pub notes: Vec<String>,
    /// The originals of the fields cleaned for display ([`crate::text::clean`]: a hex-dump
    /// tail decoded, NULs or control characters dropped) or left out as placeholders
    /// ([`crate::text::serial_placeholder`]), by field: `sys_name`, `serial`,
    /// `modules[INDEX].serial` (by entPhysicalIndex), `neighbors[N].sys_name` (by position).
    /// An original is the field's text before cleaning (the value as text, trimmed of white
    /// space and NULs at its ends), escaped ([`crate::text::escaped`]: NULs and control
    /// characters as `\xNN`). Only in JSON, and only when a field was cleaned; the notes say
    /// which were.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub cleaned: BTreeMap<String, String>,
}

/// One device as discovery observed it: not judged yet.
pub type Observed = Record<NotJudged>;

/// One device, judged: as reported and stored.
pub type DeviceRecord = Record<Judgement>;

impl Observed {
    /// The record with the policies' judgement.
    pub fn judged(self, judgement: Judgement) -> DeviceRecord {
        Record {
            address: self.address,
            discovered_via: self.discovered_via,
            reported_by: self.reported_by,
            credential: self.credential,
            sys_name: self.sys_name,
            sys_descr: self.sys_descr,
            sys_object_id: self.sys_object_id,
            sys_uptime: self.sys_uptime,
            sys_contact: self.sys_contact,
            sys_location: self.sys_location,
            context: self.context,
            engine_id: self.engine_id,
            identification: self.identification,
            modules: self.modules,
            neighbors: self.neighbors,
            interfaces: self.interfaces,
            arp_entries: self.arp_entries,
            fdb_entries: self.fdb_entries,
            tables: self.tables,
            judgement,
            notes: self.notes,
            cleaned: self.cleaned,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A record with every field set, judged (other modules' tests use it too).
    pub(crate) fn full() -> DeviceRecord {
        let evidence = Evidence {
            source: "sysObjectID enterprise 2011".into(),
            value: "1.3.6.1.4.1.2011.2.23.96".into(),
            vendor: Some("Huawei".into()),
            origin: Some("huawei".into()),
            weight: 0.9,
        };
        Observed {
            address: "192.0.2.7".into(),
            discovered_via: DiscoveredVia::LldpNeighbor,
            reported_by: Some("192.0.2.1".into()),
            credential: Some("v2c community #1".into()),
            sys_name: Some("sw7".into()),
            sys_descr: Some("Huawei S5720".into()),
            sys_object_id: Some("1.3.6.1.4.1.2011.2.23.96".into()),
            sys_uptime: Some(4200),
            sys_contact: Some("noc@example.net".into()),
            sys_location: Some("TOR01-R3".into()),
            context: Context {
                site: Some(Sourced::new(
                    "TOR01".into(),
                    "sysLocation pattern inv.toml:3",
                )),
                role: Some(Sourced::new("core".into(), "inventory inv.csv:2")),
                technology: Some(Sourced::new("5g".into(), "inventory inv.csv:2")),
                owner: Some(Sourced::new("Example Mobile".into(), "inventory inv.csv:2")),
                acquired: Some(Sourced::new(
                    crate::date::Date::new(2019, 5, 1).unwrap_or_else(crate::date::Date::today),
                    "inventory inv.csv:2",
                )),
                first_seen: crate::date::Date::new(2024, 1, 2),
            },
            engine_id: Some(EngineId(vec![0x80, 0, 0x07, 0xdb, 0x03])),
            identification: Identification {
                vendor: Some("Huawei".into()),
                origin: Some("huawei".into()),
                brand: Some("Huawei".into()),
                model: Some("S5720-28X".into()),
                os: Some("VRP".into()),
                version: Some("V200R011".into()),
                serial: Some("2102".into()),
                chassis_mac: Some(Mac([0, 0xe0, 0xfc, 1, 2, 3])),
                confidence: 0.36000000000000004,
                evidence: vec![evidence.clone()],
                conflicts: vec![evidence],
            },
            modules: vec![Module {
                index: 1,
                class: Some(EntityClass::Chassis),
                ..Module::default()
            }],
            neighbors: vec![Neighbor {
                chassis_id: Some(NeighborId::Mac(Mac([2, 0, 0, 0, 0, 1]))),
                ..Neighbor::default()
            }],
            interfaces: vec![Interface {
                index: 1,
                descr: None,
                mac: Some(Mac([2, 0, 0, 0, 0, 2])),
            }],
            arp_entries: 3,
            fdb_entries: 4,
            tables: vec![TableWalk {
                table: "ifTable".into(),
                root: "1.3.6.1.2.1.2.2".into(),
                rows: 2,
                end: WalkEnd::RowCap,
            }],
            judgement: NotJudged,
            notes: vec!["a note".into()],
            cleaned: BTreeMap::from([("sys_name".into(), "sw7\\x00".into())]),
        }
        .judged(Judgement {
            verdict: Verdict::Banned,
            findings: vec![Finding {
                rule: "r".into(),
                policy: "p 1".into(),
                jurisdiction: None,
                verdict: Verdict::Banned,
                severity: "high".into(),
                reason: "why".into(),
                module: Some(1),
                no_new_installs_after: None,
                deadline: Some("2026-01-01".into()),
                days_left: Some(-2),
                exception: None,
            }],
        })
    }

    #[test]
    fn a_judged_record_writes_every_field_in_its_place() {
        let json = serde_json::to_string(&full()).unwrap();
        let keys: Vec<&str> = json
            .split(['{', ','])
            .filter_map(|s| s.strip_prefix('"')?.split_once("\":").map(|(k, _)| k))
            .collect();
        let top = [
            "address",
            "discovered_via",
            "reported_by",
            "credential",
            "sys_name",
            "sys_descr",
            "sys_object_id",
            "sys_uptime",
            "sys_contact",
            "sys_location",
            "site",
            "role",
            "technology",
            "owner",
            "acquired",
            "first_seen",
            "engine_id",
            "vendor",
            "origin",
            "brand",
            "model",
            "os",
            "version",
            "serial",
            "chassis_mac",
            "confidence",
            "evidence",
            "conflicts",
            "modules",
            "neighbors",
            "interfaces",
            "arp_entries",
            "fdb_entries",
            "tables",
            "verdict",
            "findings",
            "notes",
            "cleaned",
        ];
        let mut at = 0;
        for k in top {
            let found = keys[at..].iter().position(|x| *x == k);
            assert!(found.is_some(), "{k} missing or out of order in {json}");
            at += found.unwrap_or(0) + 1;
        }
        for text in [
            r#""engine_id":"800007db03""#,
            r#""chassis_mac":"00:e0:fc:01:02:03""#,
            r#""confidence":0.36000000000000004"#,
            r#""class":"chassis""#,
            r#""protocol":"lldp""#,
            r#""chassis_id":"02:00:00:00:00:01""#,
            r#""mac":"02:00:00:00:00:02""#,
            r#""end":"row-cap""#,
            r#""verdict":"banned","findings":[{"#,
            r#""discovered_via":"lldp-neighbor""#,
            r#""site":{"value":"TOR01","source":"sysLocation pattern inv.toml:3"}"#,
            r#""acquired":{"value":"2019-05-01","source":"inventory inv.csv:2"}"#,
            r#""first_seen":"2024-01-02""#,
        ] {
            assert!(json.contains(text), "{text} not in {json}");
        }
    }

    #[test]
    fn a_judged_record_reads_back_as_it_was_written() {
        let json = serde_json::to_string(&full()).unwrap();
        let back: DeviceRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert_eq!(back.identification, full().identification);
        assert_eq!(back.judgement, full().judgement);
        assert_eq!(back.context, full().context);
        // Without the optional ones.
        let plain = Observed {
            address: "192.0.2.9".into(),
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Unknown,
            findings: Vec::new(),
        });
        let json = serde_json::to_string(&plain).unwrap();
        assert!(
            !json.contains("reported_by") && !json.contains("cleaned"),
            "{json}"
        );
        let back: DeviceRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
    }

    #[test]
    fn an_observed_record_writes_no_judgement() {
        let json = serde_json::to_string(&Observed::default()).unwrap();
        assert!(
            !json.contains("verdict") && !json.contains("findings"),
            "{json}"
        );
        assert!(json.contains(r#""tables":[],"notes":[]"#), "{json}");
    }

    #[test]
    fn a_record_an_older_version_stored_reads_back_with_the_rest_empty() {
        let old = r#"{"address":"192.0.2.1","discovered_via":"snmp","sys_name":"pe-1",
            "vendor":"Huawei","origin":"huawei","serial":"2102","verdict":"banned"}"#;
        let d: DeviceRecord = serde_json::from_str(old).unwrap();
        assert_eq!(d.address, "192.0.2.1");
        assert_eq!(d.identification.vendor.as_deref(), Some("Huawei"));
        assert_eq!(d.judgement.verdict, Verdict::Banned);
        assert!(d.judgement.findings.is_empty() && d.modules.is_empty());
        assert!(serde_json::from_str::<DeviceRecord>(r#"{"address":"x"}"#).is_err());
        assert!(serde_json::from_str::<DeviceRecord>(r#"{"verdict":"forbidden"}"#).is_err());
    }
}
