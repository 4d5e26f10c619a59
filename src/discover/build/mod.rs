//! Turns one device's observations into its observed record (judging is the caller's):
//! decodes the walked tables (system, ENTITY-MIB and IF-MIB in `entity`, the neighbour tables
//! in `neighbors`, ARP, FDB), identifies, and cleans device text for display (`clean`).
//! Devices seen only as neighbours become records of their own (`neighbor_devices`).
//!
//! Neighbours come from three tables, each decoded to the same
//! [`Neighbor`](crate::record::Neighbor): IEEE 802.1AB LLDP-MIB lldpRemTable (1.0.8802.1.1.2), its
//! 802.1AB-2009 successor LLDP-V2-MIB lldpV2RemTable (1.3.111.2.802.1.1.13), each with its
//! management-address table, and CISCO-CDP-MIB cdpCacheTable (1.3.6.1.4.1.9.9.23). The LLDP tables
//! differ only in their index (V2 adds the destination-address row between local port and remote
//! index, and its local port is an ifIndex) and so in their column numbers. Not decoded: the LLDP
//! extension MIBs (802.1, 802.3, MED), cdpCtAddressTable (a CDP neighbour's second and later
//! addresses).

mod clean;
mod entity;
mod neighbor_devices;
mod neighbors;
mod tables;

use super::plan::{
    DOT1D_BASE_BRIDGE_ADDRESS, HR_DEVICE_DESCR, HR_PRINTER_STATUS, PRT_GENERAL_PRINTER_NAME,
    UPS_IDENT_MANUFACTURER, UPS_IDENT_MODEL,
};
use crate::identify::{Facts, Identification, Identifier, Subject, mac_of, private_oids};
use crate::record::{
    DiscoveredVia, EngineId, Mac, Module, NotJudged, Observations, Observed, Record,
};
use crate::snmp::oids;
use crate::wire::engine_id::EngineId as DecodedEngineId;
use crate::wire::{Oid, Value};
use entity::{chassis, chassis_serial, interfaces, modules};
use neighbors::{nameless_neighbors, neighbors};
use tables::{IF_ENTRY, LLDP_LOC, LLDP_V2_LOC, col, count_under, first_under, rows, text};

pub(crate) use clean::Cleaner;
use clean::placeholder_note;
pub use neighbor_devices::{NeighborCollector, neighbor_records};

fn sys_object_id(obs: &Observations) -> Option<Oid> {
    obs.get(&oids::sys_object_id())
        .and_then(Value::as_oid)
        .cloned()
}

/// The chassis MAC: LLDP's local chassis ID (lldpLocChassisId.0, else lldpV2LocChassisId.0)
/// where its subtype is a MAC address, else the MAC an RFC 3411 engine ID carries (agents build
/// it from the chassis MAC).
fn chassis_mac(obs: &Observations) -> Option<[u8; 6]> {
    [LLDP_LOC, LLDP_V2_LOC]
        .into_iter()
        .find_map(|local| match obs.get(&col(local, 1).child(0)) {
            Some(Value::Integer(4)) => mac_of(obs.get(&col(local, 2).child(0))),
            _ => None,
        })
        .or_else(|| {
            obs.engine_id
                .as_deref()
                .and_then(|b| DecodedEngineId::decode(b).ok())
                .and_then(|e| e.mac())
        })
}

/// Identifies a device from its observations, as [`device_record`] does (a sweep asks this
/// before it fetches the objects of the inventory rules that apply to the vendor).
pub fn identify(obs: &Observations, identifier: &Identifier) -> Identification {
    let interface_macs = rows(obs, IF_ENTRY, [6])
        .filter_map(|c| mac_of(c.get(6)))
        .collect();
    identify_with(obs, &modules(obs), interface_macs, identifier)
}

/// The standard objects besides sysDescr and ENTITY-MIB that name a maker or a model (see
/// [`crate::discover::plan::identity_objects`]), as text.
#[derive(Default)]
struct StandardTexts {
    local_sys_descr: Option<String>,
    maker_names: Vec<(String, String)>,
    texts: Vec<(String, String)>,
    models: Vec<(String, String)>,
}

fn standard_texts(obs: &Observations) -> StandardTexts {
    let scalar = |prefix: &[u32]| first_under(obs, prefix).and_then(|(_, v)| text(Some(v)));
    let mut t = StandardTexts {
        local_sys_descr: [LLDP_LOC, LLDP_V2_LOC]
            .into_iter()
            .find_map(|local| text(obs.get(&col(local, 4).child(0)))),
        ..StandardTexts::default()
    };
    if let Some(m) = scalar(UPS_IDENT_MANUFACTURER) {
        t.maker_names.push(("upsIdentManufacturer".into(), m));
    }
    if let Some(m) = scalar(UPS_IDENT_MODEL) {
        t.models.push(("upsIdentModel".into(), m));
    }
    if let Some(n) = scalar(PRT_GENERAL_PRINTER_NAME) {
        t.texts.push(("prtGeneralPrinterName".into(), n));
    }
    if let Some((index, _)) = first_under(obs, HR_PRINTER_STATUS) {
        let mut descr = Oid::new(HR_DEVICE_DESCR);
        for &i in index {
            descr = descr.child(i);
        }
        if let Some(d) = text(obs.get(&descr)) {
            t.texts.push(("hrDeviceDescr of the printer".into(), d));
        }
    }
    t
}

/// (source, text) pairs borrowing their texts, as [`Facts`] takes them.
fn pairs(v: &[(String, String)]) -> Vec<(String, &str)> {
    v.iter().map(|(s, t)| (s.clone(), t.as_str())).collect()
}

fn identify_with(
    obs: &Observations,
    modules: &[Module],
    interface_macs: Vec<[u8; 6]>,
    identifier: &Identifier,
) -> Identification {
    let sys_object_id = sys_object_id(obs);
    let sys_descr = text(obs.get(&oids::sys_descr()));
    let engine_id = obs
        .engine_id
        .as_deref()
        .and_then(|b| DecodedEngineId::decode(b).ok());
    let standard = standard_texts(obs);
    identifier.identify(&Facts {
        sys_object_id: sys_object_id.as_ref(),
        sys_descr: sys_descr.as_deref(),
        local_sys_descr: standard.local_sys_descr.as_deref(),
        chassis: chassis(modules),
        modules,
        maker_names: pairs(&standard.maker_names),
        texts: pairs(&standard.texts),
        models: pairs(&standard.models),
        chassis_mac: chassis_mac(obs),
        bridge_mac: mac_of(first_under(obs, DOT1D_BASE_BRIDGE_ADDRESS).map(|(_, v)| v)),
        interface_macs,
        private_oids: private_oids(obs),
        engine_id: engine_id.as_ref(),
    })
}

/// Builds the record of one device: identification, then the model, version and serial of the
/// inventory rules where they apply (see [`crate::identify::inventory`] for the precedence).
/// Sanitised placeholders among the values are left out and noted
/// ([`crate::wire::value::placeholder`] says which).
pub fn device_record(
    address: String,
    via: DiscoveredVia,
    credential: Option<String>,
    obs: &Observations,
    mut notes: Vec<String>,
    identifier: &Identifier,
) -> Observed {
    notes.extend(placeholder_note(obs));
    let sys_object_id = sys_object_id(obs);
    let sys_descr = text(obs.get(&oids::sys_descr()));
    let mut modules = modules(obs);
    for m in &mut modules {
        if let Some(r) = identifier.module_vendor(m) {
            m.vendor = Some(r.vendor.clone());
            m.origin = Some(r.origin.clone());
        }
    }
    let (interfaces, interface_macs) = interfaces(obs);
    let chassis_mac = chassis_mac(obs);
    let mut id = identify_with(obs, &modules, interface_macs, identifier);
    let subject = Subject {
        sys_object_id: sys_object_id.as_ref(),
        vendor: id.vendor.as_deref(),
        chassis: chassis(&modules).map(|c| c.index),
    };
    let inventory = identifier.inventory(obs, &subject);
    let mut cleaner = Cleaner::default();
    cleaner.modules(&mut modules);
    let mut neighbors = neighbors(obs, &interfaces);
    notes.extend(nameless_neighbors(&mut neighbors));
    cleaner.neighbors(&mut neighbors);
    let sys_name = cleaner.field(|| "sys_name".into(), text(obs.get(&oids::sys_name())), true);
    let sys_descr = cleaner.field(|| "sys_descr".into(), sys_descr, true);
    let sys_contact = cleaner.field(
        || "sys_contact".into(),
        text(obs.get(&oids::sys_contact())),
        true,
    );
    let sys_location = cleaner.field(
        || "sys_location".into(),
        text(obs.get(&oids::sys_location())),
        true,
    );
    let (model, version, serial) = (inventory.model, inventory.version, inventory.serial);
    id.model = cleaner.first(
        "model",
        [
            model.first.map(|f| f.value),
            id.model,
            model.fallback.map(|f| f.value),
        ],
    );
    id.version = cleaner.first(
        "version",
        [
            version.first.map(|f| f.value),
            id.version,
            version.fallback.map(|f| f.value),
        ],
    );
    id.serial = cleaner.first(
        "serial",
        [
            serial.first.map(|f| f.value),
            chassis_serial(&modules),
            serial.fallback.map(|f| f.value),
        ],
    );
    id.chassis_mac = chassis_mac.map(Mac);
    let (cleaning_notes, cleaned) = cleaner.notes();
    notes.extend(cleaning_notes);
    Record {
        address,
        discovered_via: via,
        reported_by: None,
        credential,
        sys_name,
        sys_descr,
        sys_object_id: sys_object_id.map(|o| o.to_string()),
        sys_uptime: obs.get(&oids::sys_uptime()).and_then(Value::as_u64),
        sys_contact,
        sys_location,
        context: Default::default(),
        engine_id: obs.engine_id.clone().map(EngineId),
        identification: id,
        neighbors,
        modules,
        interfaces,
        arp_entries: count_under(obs, &[1, 3, 6, 1, 2, 1, 4, 22, 1, 2])
            + count_under(obs, &[1, 3, 6, 1, 2, 1, 4, 35, 1, 4]),
        fdb_entries: count_under(obs, &[1, 3, 6, 1, 2, 1, 17, 4, 3, 1, 1]),
        tables: obs.tables.clone(),
        judgement: NotJudged,
        notes,
        cleaned,
    }
}

/// `f` over every item, on every core: one thread per core takes the next item not yet taken
/// until none is left (devices differ a hundredfold in size, so fixed shares would leave a core
/// idle), and the results come back in the items' order. For work that is independent per
/// device and bound by the CPU, such as [`device_record`] over recordings.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    if cores < 2 || items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..cores.min(items.len()))
            .map(|_| {
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break out };
                        out.push((i, f(item)));
                    }
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| match t.join() {
                Ok(out) => out,
                // A panic in `f` is a bug: let it go on as the panic it was.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod neighbor_tests;
#[cfg(test)]
mod tests;
