//! ENTITY-MIB modules and the chassis among them, and IF-MIB interfaces.

use super::tables::{ENT_PHYSICAL_ENTRY, IF_ENTRY, rows, text};
use crate::identify::mac_of;
use crate::record::{EntityClass, Interface, Mac, Module, Observations};
use crate::wire::Value;

pub(super) fn entity_class(v: Option<&Value>) -> Option<EntityClass> {
    let Value::Integer(i) = v? else { return None };
    Some(EntityClass::from_number(*i))
}

pub(super) fn modules(obs: &Observations) -> Vec<Module> {
    rows(obs, ENT_PHYSICAL_ENTRY, [2, 4, 5, 7, 8, 10, 11, 12, 13])
        .filter_map(|c| {
            let [index] = c.index[..] else { return None };
            Some(Module {
                index,
                class: entity_class(c.get(5)),
                name: text(c.get(7)),
                description: text(c.get(2)),
                manufacturer: text(c.get(12)),
                model: text(c.get(13)),
                serial: text(c.get(11)),
                hardware_rev: text(c.get(8)),
                software_rev: text(c.get(10)),
                contained_in: c
                    .get(4)
                    .and_then(|v| v.as_u64())
                    .and_then(|v| u32::try_from(v).ok()),
                ..Module::default()
            })
        })
        .collect()
}

/// The interfaces, and the MACs among their ifPhysAddress (for the OUI evidence).
pub(super) fn interfaces(obs: &Observations) -> (Vec<Interface>, Vec<[u8; 6]>) {
    let mut macs = Vec::new();
    let interfaces = rows(obs, IF_ENTRY, [2, 6])
        .filter_map(|c| {
            // Every row's MAC is evidence, as identify() takes them, whatever its index.
            let mac = mac_of(c.get(6));
            macs.extend(mac);
            let [index] = c.index[..] else { return None };
            Some(Interface {
                index,
                descr: text(c.get(2)),
                mac: mac.map(Mac),
            })
        })
        .collect();
    (interfaces, macs)
}

/// The chassis: the first ENTITY row of class chassis contained in nothing, else the first
/// chassis row, else the first row with a manufacturer or model, else the first row of class
/// stack or of no class at all that has a serial number or software revision (agents that
/// answer only some columns of the table, such as entPhysicalSerialNum.1).
pub(super) fn chassis(modules: &[Module]) -> Option<&Module> {
    let is_chassis = |m: &&Module| m.class == Some(EntityClass::Chassis);
    modules
        .iter()
        .filter(is_chassis)
        .find(|m| m.contained_in.unwrap_or(0) == 0)
        .or_else(|| modules.iter().find(is_chassis))
        .or_else(|| {
            modules
                .iter()
                .find(|m| m.manufacturer.is_some() || m.model.is_some())
        })
        .or_else(|| {
            modules.iter().find(|m| {
                matches!(m.class, None | Some(EntityClass::Stack))
                    && (m.serial.is_some() || m.software_rev.is_some())
            })
        })
}

/// The serial of the chassis, or else of the first chassis, board or stack row that has one
/// (many agents leave the chassis row's serial empty and put it on the main board).
pub(super) fn chassis_serial(modules: &[Module]) -> Option<String> {
    let usable = |s: &String| !s.chars().all(|c| c == '0' || c.is_whitespace());
    chassis(modules)
        .and_then(|c| c.serial.clone())
        .filter(usable)
        .or_else(|| {
            modules
                .iter()
                .filter(|m| {
                    matches!(
                        m.class,
                        None | Some(
                            EntityClass::Chassis | EntityClass::Module | EntityClass::Stack
                        )
                    )
                })
                .find_map(|m| m.serial.clone().filter(usable))
        })
}
