//! Identification: whose device is it? Evidence from each source, combined into one answer.
//!
//! This first slice reads the enterprise number under sysObjectID (RFC 2578 `1.3.6.1.4.1.PEN`)
//! against the IANA registry of network vendors in `rules/`. A generic agent's number
//! (net-snmp, Windows) is kept as weak evidence and never taken as the maker. Sources are
//! added as evidence with weights, so the sysDescr rules, ENTITY-MIB and OUIs of later work
//! extend this rather than replace it.

pub mod enterprises;

pub use enterprises::{Enterprise, Enterprises, RulesError};

use crate::device::Evidence;
use crate::wire::Oid;

/// The result of identification.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identification {
    /// The vendor's display name.
    pub vendor: Option<String>,
    /// The company group key.
    pub origin: Option<String>,
    /// 0..1.
    pub confidence: f64,
    /// Everything that was considered.
    pub evidence: Vec<Evidence>,
    /// Evidence pointing elsewhere than the answer.
    pub conflicts: Vec<Evidence>,
}

/// Weights of each source.
pub mod weight {
    /// The enterprise number under sysObjectID of a maker's own agent.
    pub const ENTERPRISE: f64 = 0.9;
    /// The enterprise number of a generic agent (net-snmp): says the agent, not the maker.
    pub const GENERIC_AGENT: f64 = 0.1;
}

/// Identifies devices from their observations.
#[derive(Debug, Clone)]
pub struct Identifier {
    enterprises: Enterprises,
}

/// The enterprises arc, 1.3.6.1.4.1.
pub fn enterprises_arc() -> Oid {
    crate::oid![1, 3, 6, 1, 4, 1]
}

impl Identifier {
    /// An identifier over the bundled rules.
    pub fn bundled() -> Result<Self, RulesError> {
        Ok(Identifier {
            enterprises: Enterprises::bundled()?,
        })
    }

    /// The enterprise table.
    pub fn enterprises(&self) -> &Enterprises {
        &self.enterprises
    }

    /// Evidence from a sysObjectID.
    pub fn sys_object_id_evidence(&self, sys_object_id: &Oid) -> Option<Evidence> {
        let pen = *sys_object_id.suffix(&enterprises_arc())?.first()?;
        let (vendor, origin, weight) = match self.enterprises.get(pen) {
            Some(e) if e.is_generic_agent() => {
                (Some(e.vendor.clone()), None, weight::GENERIC_AGENT)
            }
            Some(e) => (
                Some(e.vendor.clone()),
                Some(e.origin.clone()),
                weight::ENTERPRISE,
            ),
            None => (None, None, 0.0),
        };
        Some(Evidence {
            source: format!("sysObjectID enterprise {pen}"),
            value: sys_object_id.to_string(),
            vendor,
            origin,
            weight,
        })
    }

    /// Combines evidence: the heaviest piece that names a maker wins; pieces that name another
    /// company group are conflicts.
    pub fn combine(&self, evidence: Vec<Evidence>) -> Identification {
        let best = evidence
            .iter()
            .filter(|e| e.origin.is_some())
            .max_by(|a, b| a.weight.total_cmp(&b.weight))
            .cloned();
        let Some(best) = best else {
            return Identification {
                evidence,
                ..Identification::default()
            };
        };
        let conflicts = evidence
            .iter()
            .filter(|e| e.origin.is_some() && e.origin != best.origin)
            .cloned()
            .collect();
        Identification {
            vendor: best.vendor.clone(),
            origin: best.origin.clone(),
            confidence: best.weight,
            evidence,
            conflicts,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huawei_enterprise_number_identifies_huawei() {
        let id = Identifier::bundled().unwrap();
        let ev = id
            .sys_object_id_evidence(&"1.3.6.1.4.1.2011.2.23.96".parse().unwrap())
            .unwrap();
        let r = id.combine(vec![ev]);
        assert_eq!(r.vendor.as_deref(), Some("Huawei"));
        assert_eq!(r.origin.as_deref(), Some("huawei"));
        assert!(r.confidence > 0.5);
        assert_eq!(r.evidence[0].source, "sysObjectID enterprise 2011");
    }

    #[test]
    fn generic_agent_is_evidence_but_not_a_maker() {
        let id = Identifier::bundled().unwrap();
        let ev = id
            .sys_object_id_evidence(&"1.3.6.1.4.1.8072.3.2.10".parse().unwrap())
            .unwrap();
        let r = id.combine(vec![ev]);
        assert_eq!((r.vendor, r.origin), (None, None));
        assert_eq!(r.evidence.len(), 1);
    }

    #[test]
    fn oids_outside_enterprises_give_no_evidence() {
        let id = Identifier::bundled().unwrap();
        assert!(
            id.sys_object_id_evidence(&"1.3.6.1.2.1.1".parse().unwrap())
                .is_none()
        );
        assert!(
            id.sys_object_id_evidence(&"1.3.6.1.4.1".parse().unwrap())
                .is_none()
        );
        let unknown = id
            .sys_object_id_evidence(&"1.3.6.1.4.1.999999.1".parse().unwrap())
            .unwrap();
        assert_eq!(unknown.vendor, None);
    }
}
