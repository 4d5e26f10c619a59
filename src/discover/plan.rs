//! The fixed walk plan: which tables are walked on every responder, in this order.

use crate::wire::Oid;

/// One table of the plan.
#[derive(Debug, Clone)]
pub struct Table {
    /// Its name in reports.
    pub name: &'static str,
    /// The subtree walked.
    pub root: Oid,
}

/// The walk plan (issue 2): system group, ENTITY-MIB entPhysicalTable, IF-MIB ifDescr and
/// ifPhysAddress, the neighbour tables (issue 6: LLDP-MIB and LLDP-V2-MIB local system data,
/// remote table and remote management addresses; CISCO-CDP-MIB cdpCacheTable), IP-MIB
/// ipNetToMedia and ipNetToPhysical (physical addresses), BRIDGE-MIB dot1dTpFdb.
pub fn walk_plan() -> Vec<Table> {
    [
        ("system", "1.3.6.1.2.1.1"),
        ("entPhysicalTable", "1.3.6.1.2.1.47.1.1.1"),
        ("ifDescr", "1.3.6.1.2.1.2.2.1.2"),
        ("ifPhysAddress", "1.3.6.1.2.1.2.2.1.6"),
        ("lldpLocalSystemData", "1.0.8802.1.1.2.1.3"),
        ("lldpRemTable", "1.0.8802.1.1.2.1.4.1"),
        ("lldpRemManAddrTable", "1.0.8802.1.1.2.1.4.2"),
        ("lldpV2LocalSystemData", "1.3.111.2.802.1.1.13.1.3"),
        ("lldpV2RemTable", "1.3.111.2.802.1.1.13.1.4.1"),
        ("lldpV2RemManAddrTable", "1.3.111.2.802.1.1.13.1.4.2"),
        ("cdpCacheTable", "1.3.6.1.4.1.9.9.23.1.2.1"),
        ("ipNetToMediaPhysAddress", "1.3.6.1.2.1.4.22.1.2"),
        ("ipNetToPhysicalPhysAddress", "1.3.6.1.2.1.4.35.1.4"),
        ("dot1dTpFdbTable", "1.3.6.1.2.1.17.4.3.1"),
    ]
    .into_iter()
    .map(|(name, root)| Table {
        name,
        root: root.parse().unwrap_or_default(),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn plan_roots_parse_and_are_distinct() {
        let plan = super::walk_plan();
        assert_eq!(plan.len(), 14);
        for (i, a) in plan.iter().enumerate() {
            assert!(a.root.arcs().len() > 5, "{}", a.name);
            for b in &plan[i + 1..] {
                assert!(
                    !a.root.starts_with(&b.root) && !b.root.starts_with(&a.root),
                    "{} / {}",
                    a.name,
                    b.name
                );
            }
        }
    }
}
