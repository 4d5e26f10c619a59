//! One device's evidence gathered from its facts, and combined per company group.

use std::collections::BTreeMap;

use super::evidence::{majority_oui, rule_evidence, without_uname_host};
use super::{Facts, Identification, Identifier, enterprises_arc, sysdescr, weight};
use crate::record::Evidence;
use crate::wire::engine_id::EngineId;

/// A description a sysDescr rule knows: (source, text, the rule's match).
type Described<'a> = (&'static str, &'a str, sysdescr::Match);

impl Identifier {
    /// Identifies one device from its facts.
    pub fn identify(&self, facts: &Facts<'_>) -> Identification {
        let mut evidence = Vec::new();
        let enterprise = facts
            .sys_object_id
            .and_then(|o| self.sys_object_id_evidence(o));
        let maker_known = enterprise.as_ref().is_some_and(|e| e.origin.is_some());
        evidence.extend(enterprise);

        let described = self.described(facts);
        if let Some((source, text, m)) = &described {
            evidence.push(rule_evidence(
                source,
                text,
                m,
                weight::SYSDESCR,
                weight::SYSDESCR_NAMED,
            ));
        }
        evidence.extend(self.names_in_description(facts, described.as_ref()));
        evidence.extend(self.manufacturer_evidence(facts));
        let text_models = self.standard_text_evidence(facts, described.as_ref(), &mut evidence);
        evidence.extend(self.private_subtree_evidence(facts, maker_known));
        evidence.extend(self.mac_evidence(facts));

        let mut id = self.combine(evidence);
        if let Some((_, _, m)) = described {
            let shown = m.vendor.as_ref().map(|v| &v.vendor);
            if id.origin.is_some() && shown.is_some() && shown != id.vendor.as_ref() {
                id.brand = shown.cloned();
            }
            id.model = m.model;
            id.os = m.os;
            id.version = m.version;
        }
        if let Some(c) = facts.chassis {
            id.model = id.model.or_else(|| c.model.clone());
            id.version = id.version.or_else(|| c.software_rev.clone());
        }
        id.model = id
            .model
            .or_else(|| text_models.into_iter().next())
            .or_else(|| facts.models.first().map(|(_, m)| (*m).to_string()));
        id
    }

    /// The sysDescr rule that knows the device's description: sysDescr's, or where it is empty
    /// or no rule knows it, the LLDP local description's. (source, text, match).
    fn described<'a>(&self, facts: &Facts<'a>) -> Option<Described<'a>> {
        [
            ("sysDescr", facts.sys_descr),
            ("lldpLocSysDesc", facts.local_sys_descr),
        ]
        .into_iter()
        .find_map(|(source, text)| {
            let text = text?;
            let m = self.sysdescr.matches(text, &self.vendors)?;
            Some((source, text, m))
        })
    }

    /// Names found in the description, unless a rule that names a maker knows it: such a rule
    /// knows its text better than a name found in it.
    fn names_in_description(
        &self,
        facts: &Facts<'_>,
        described: Option<&Described<'_>>,
    ) -> Vec<Evidence> {
        let Some((source, text)) = [
            ("sysDescr", facts.sys_descr),
            ("lldpLocSysDesc", facts.local_sys_descr),
        ]
        .into_iter()
        .find_map(|(source, text)| Some((source, text?)))
        .filter(|_| described.is_none_or(|(_, _, m)| m.maker.is_none() && m.vendor.is_none())) else {
            return Vec::new();
        };
        self.named_in(source, without_uname_host(text), weight::NAMED_IN_TEXT)
    }

    /// The manufacturer fields: the chassis', the modules' where the chassis names no known
    /// maker, and those of the other standard objects.
    fn manufacturer_evidence(&self, facts: &Facts<'_>) -> Vec<Evidence> {
        let mut evidence = Vec::new();
        let chassis_mfg = facts.chassis.and_then(|c| c.manufacturer.as_deref());
        if let Some(chassis) = facts.chassis {
            evidence.extend(self.chassis_evidence(chassis));
        }
        if chassis_mfg.and_then(|m| self.vendors.resolve(m)).is_none() {
            evidence.extend(self.modules_maker(facts));
        }
        for (source, name) in &facts.maker_names {
            evidence.push(self.maker_evidence(source.clone(), name, weight::UPS_MFG));
        }
        evidence
    }

    /// The chassis' description where it names no manufacturer, then the other standard
    /// texts, each through the sysDescr rules (else searched for names): pushed to `evidence`.
    /// Returns the models the rules read from them, in that order.
    fn standard_text_evidence(
        &self,
        facts: &Facts<'_>,
        described: Option<&Described<'_>>,
        evidence: &mut Vec<Evidence>,
    ) -> Vec<String> {
        let chassis_descr = facts
            .chassis
            .filter(|c| c.manufacturer.is_none())
            .and_then(|c| {
                let d = c.description.as_deref()?;
                Some((format!("entPhysicalDescr of chassis {}", c.index), d))
            });
        let mut text_models = Vec::new();
        for (source, text) in chassis_descr.iter().chain(&facts.texts) {
            let Some(mut m) = self.sysdescr.matches(text, &self.vendors) else {
                // The chassis' own texts were searched for names above.
                if !source.starts_with("entPhysical") {
                    evidence.extend(self.named_in(source, text, weight::NAMED_IN_TEXT));
                }
                continue;
            };
            // A text the sysDescr's own rule matches says the same thing again (a chassis
            // described as the sysDescr describes the device): not counted twice.
            if described.is_some_and(|(_, _, d)| d.rule == m.rule) {
                continue;
            }
            // The badge the sysDescr already attributed to its maker (an HPE-badged Comware
            // switch is H3C's) is that maker's here too, not another maker.
            if let Some((_, _, d)) = described
                && m.maker.is_none()
                && d.maker.is_some()
                && m.vendor == d.vendor
            {
                m.maker = d.maker.clone();
            }
            evidence.push(rule_evidence(
                source,
                text,
                &m,
                weight::STANDARD_TEXT,
                weight::STANDARD_TEXT_NAMED,
            ));
            text_models.extend(m.model);
        }
        text_models
    }

    /// The private subtrees that answered, each evidence for its enterprise's maker: strong
    /// where the sysObjectID named none (`maker_known` false), weak beside one.
    fn private_subtree_evidence(&self, facts: &Facts<'_>, maker_known: bool) -> Vec<Evidence> {
        let mut evidence = Vec::new();
        let own_pen = facts
            .sys_object_id
            .and_then(|o| o.suffix(&enterprises_arc())?.first().copied());
        for oid in &facts.private_oids {
            let Some(&pen) = oid.suffix(&enterprises_arc()).and_then(|s| s.first()) else {
                continue;
            };
            // The sysObjectID's own enterprise answering says nothing it did not.
            if Some(pen) == own_pen {
                continue;
            }
            let Some(e) = self.enterprises.get(pen) else {
                continue;
            };
            if e.is_generic_agent() {
                continue;
            }
            evidence.push(Evidence {
                source: format!("private subtree of enterprise {pen} answers"),
                value: oid.to_string(),
                vendor: Some(e.vendor.clone()),
                origin: Some(e.origin.clone()),
                weight: if maker_known {
                    weight::PRIVATE_SUBTREE_BESIDE_MAKER
                } else {
                    weight::PRIVATE_SUBTREE
                },
            });
        }
        evidence
    }

    /// The OUIs of the engine ID's MAC, the chassis MAC, the bridge's MAC where its OUI is
    /// another, and most interface MACs.
    fn mac_evidence(&self, facts: &Facts<'_>) -> Vec<Evidence> {
        let mut evidence = Vec::new();
        let engine_mac = facts.engine_id.and_then(EngineId::mac);
        if let Some(e) = facts.engine_id {
            evidence.extend(self.engine_id_evidence(e));
        }
        if let Some(mac) = facts.chassis_mac {
            evidence.extend(self.oui_evidence(
                "OUI of chassis MAC".into(),
                mac,
                weight::CHASSIS_OUI,
            ));
        }
        let oui = |m: [u8; 6]| [m[0], m[1], m[2]];
        if let Some(mac) = facts.bridge_mac.filter(|b| {
            ![facts.chassis_mac, engine_mac]
                .iter()
                .flatten()
                .any(|m| oui(*m) == oui(*b))
        }) {
            evidence.extend(self.oui_evidence(
                "OUI of dot1dBaseBridgeAddress".into(),
                mac,
                weight::BRIDGE_OUI,
            ));
        }
        if let Some(mac) = majority_oui(&facts.interface_macs) {
            evidence.extend(self.oui_evidence(
                "OUI of most interface MACs".into(),
                mac,
                weight::INTERFACE_OUI,
            ));
        }
        evidence
    }

    /// Combines evidence: per company group, weights add as independent chances
    /// (1 - Π(1 - w)); the strongest group wins; evidence for other groups are conflicts and
    /// lower the confidence.
    pub fn combine(&self, evidence: Vec<Evidence>) -> Identification {
        let mut scores: BTreeMap<&str, f64> = BTreeMap::new();
        for e in &evidence {
            if let Some(o) = &e.origin {
                let s = scores.entry(o.as_str()).or_insert(0.0);
                *s = 1.0 - (1.0 - *s) * (1.0 - e.weight.clamp(0.0, 1.0));
            }
        }
        let Some((&winner, &score)) = scores
            .iter()
            .filter(|(_, s)| **s > 0.0)
            .max_by(|a, b| a.1.total_cmp(b.1))
        else {
            return Identification {
                evidence,
                ..Identification::default()
            };
        };
        let runner_up = scores
            .iter()
            .filter(|(o, _)| **o != winner)
            .map(|(_, s)| *s)
            .fold(0.0, f64::max);
        let vendor = evidence
            .iter()
            .filter(|e| e.origin.as_deref() == Some(winner) && e.vendor.is_some())
            .max_by(|a, b| a.weight.total_cmp(&b.weight))
            .and_then(|e| e.vendor.clone());
        let conflicts = evidence
            .iter()
            .filter(|e| e.origin.is_some() && e.origin.as_deref() != Some(winner) && e.weight > 0.0)
            .cloned()
            .collect();
        Identification {
            vendor,
            origin: Some(winner.to_string()),
            confidence: ((score - runner_up / 2.0).max(0.0) * 100.0).round() / 100.0,
            evidence,
            conflicts,
            ..Identification::default()
        }
    }
}
