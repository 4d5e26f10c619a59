//! The fixed walk plan: which tables are walked on every responder, in this order, and the few
//! objects outside them asked for in one request.

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

/// UPS-MIB (RFC 1628) upsIdentManufacturer: the UPS's maker.
pub const UPS_IDENT_MANUFACTURER: &[u32] = &[1, 3, 6, 1, 2, 1, 33, 1, 1, 1];
/// UPS-MIB upsIdentModel.
pub const UPS_IDENT_MODEL: &[u32] = &[1, 3, 6, 1, 2, 1, 33, 1, 1, 2];
/// BRIDGE-MIB (RFC 4188) dot1dBaseBridgeAddress: the bridge's own MAC.
pub const DOT1D_BASE_BRIDGE_ADDRESS: &[u32] = &[1, 3, 6, 1, 2, 1, 17, 1, 1];
/// PRINTER-MIB (RFC 3805) prtGeneralPrinterName, a column indexed by the printer's
/// hrDeviceIndex: the printer's make and model as its firmware names it.
pub const PRT_GENERAL_PRINTER_NAME: &[u32] = &[1, 3, 6, 1, 2, 1, 43, 5, 1, 1, 16];
/// HOST-RESOURCES-MIB (RFC 2790) hrPrinterStatus: its first row's index is the printer's
/// hrDeviceIndex.
pub const HR_PRINTER_STATUS: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 3, 5, 1, 1];
/// HOST-RESOURCES-MIB hrDeviceDescr, of which only the printer's row is read: the other rows
/// describe processors, network interfaces and disks, and name their chips' makers (Intel,
/// Broadcom), not the device's.
pub const HR_DEVICE_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 3, 2, 1, 3];

/// Objects outside the plan's tables that name a maker, a model or a MAC, asked in one GETNEXT
/// of all their prefixes after the walks (an answer counts only inside its prefix: a scalar's
/// instance, a column's first row): UPS-MIB upsIdentManufacturer and upsIdentModel,
/// BRIDGE-MIB dot1dBaseBridgeAddress, PRINTER-MIB prtGeneralPrinterName and
/// HOST-RESOURCES-MIB hrPrinterStatus (whose index says which hrDeviceDescr row is the
/// printer's: one GET more, on printers only). The same GETNEXT carries the first step of the
/// private subtrees (`crate::identify::SubtreeSteps`).
pub fn identity_objects() -> Vec<Table> {
    [
        ("upsIdentManufacturer", UPS_IDENT_MANUFACTURER),
        ("upsIdentModel", UPS_IDENT_MODEL),
        ("dot1dBaseBridgeAddress", DOT1D_BASE_BRIDGE_ADDRESS),
        ("prtGeneralPrinterName", PRT_GENERAL_PRINTER_NAME),
        ("hrPrinterStatus", HR_PRINTER_STATUS),
    ]
    .into_iter()
    .map(|(name, root)| Table {
        name,
        root: Oid::new(root),
    })
    .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn plan_roots_parse_and_are_distinct() {
        let plan = super::walk_plan();
        assert_eq!(plan.len(), 14);
        let objects = super::identity_objects();
        assert_eq!(objects.len(), 5);
        let all: Vec<_> = plan.iter().chain(&objects).collect();
        for (i, a) in all.iter().enumerate() {
            assert!(a.root.arcs().len() > 5, "{}", a.name);
            for b in &all[i + 1..] {
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
