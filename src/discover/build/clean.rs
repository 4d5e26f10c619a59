//! Device text made fit to show in a record, with the originals kept aside, and the note on
//! sanitised placeholders set aside.

use std::collections::BTreeMap;

use crate::record::{Module, Neighbor, NeighborId, Observations, Protocol};
use crate::text::{clean, escaped, serial_placeholder};
use crate::wire::Value;

/// The note that says how many values were left out as sanitised placeholders (see
/// [`Value::placeholder`]: `<private>`, `XXX`, `*.*.*.*`...), of which kinds, if any were.
/// [`Observations::extend`] sets them aside as they come, so a record is built as if those
/// objects were absent.
pub(super) fn placeholder_note(obs: &Observations) -> Option<String> {
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    for kind in obs.placeholders.values().filter_map(Value::placeholder) {
        *kinds.entry(kind).or_default() += 1;
    }
    if kinds.is_empty() {
        return None;
    }
    let count: usize = kinds.values().sum();
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let note = format!(
        "{count} sanitised value{} taken as absent, never as the device's: {}",
        if count == 1 { "" } else { "s" },
        kinds.join("; ")
    );
    Some(note)
}

/// Cleans a record's fields for display ([`clean`]) and keeps the originals of those it
/// changed ([`DeviceRecord::cleaned`]), with a note per field of the device itself and one for
/// the fields of its modules and neighbours together.
#[derive(Default)]
pub(crate) struct Cleaner {
    cleaned: BTreeMap<String, String>,
    notes: Vec<String>,
    /// Fields of modules and neighbours cleaned.
    nested: usize,
}

impl Cleaner {
    /// The field `path` cleaned; `top`: a field of the device itself, noted by name.
    pub(crate) fn field(
        &mut self,
        path: impl FnOnce() -> String,
        value: Option<String>,
        top: bool,
    ) -> Option<String> {
        let raw = value?;
        let c = clean(&raw);
        if c.changed() {
            let path = path();
            if top {
                self.notes
                    .push(format!("{path} cleaned: {}", c.changes.join(", ")));
            } else {
                self.nested += 1;
            }
            self.cleaned.insert(path, escaped(&raw));
        }
        c.text
    }

    /// A serial number cleaned, and left out when it is a placeholder.
    pub(crate) fn serial(
        &mut self,
        path: impl Fn() -> String,
        value: Option<String>,
        top: bool,
    ) -> Option<String> {
        let s = self.field(&path, value, top)?;
        let Some(kind) = serial_placeholder(&s) else {
            return Some(s);
        };
        let path = path();
        let counted = self.cleaned.contains_key(&path);
        if top {
            self.notes.push(format!(
                "{path} {s:?} left out: {kind}, not a serial number"
            ));
        } else if !counted {
            self.nested += 1;
        }
        self.cleaned.entry(path).or_insert_with(|| escaped(&s));
        None
    }

    pub(crate) fn modules(&mut self, modules: &mut [Module]) {
        for m in modules {
            let i = m.index;
            let at = |f: &str| format!("modules[{i}].{f}");
            m.name = self.field(|| at("name"), m.name.take(), false);
            m.description = self.field(|| at("description"), m.description.take(), false);
            m.manufacturer = self.field(|| at("manufacturer"), m.manufacturer.take(), false);
            m.model = self.field(|| at("model"), m.model.take(), false);
            m.serial = self.serial(|| at("serial"), m.serial.take(), false);
            m.hardware_rev = self.field(|| at("hardware_rev"), m.hardware_rev.take(), false);
            m.software_rev = self.field(|| at("software_rev"), m.software_rev.take(), false);
        }
    }

    pub(crate) fn neighbors(&mut self, neighbors: &mut [Neighbor]) {
        for (i, n) in neighbors.iter_mut().enumerate() {
            let at = |f: &str| format!("neighbors[{i}].{f}");
            if n.protocol == Protocol::Cdp {
                let id = n.chassis_id.take().map(|id| id.to_string());
                n.chassis_id = self
                    .field(|| at("chassis_id"), id, false)
                    .map(NeighborId::Text);
                n.port_id = self.field(|| at("port_id"), n.port_id.take(), false);
            }
            n.port_descr = self.field(|| at("port_descr"), n.port_descr.take(), false);
            n.sys_name = self.field(|| at("sys_name"), n.sys_name.take(), false);
            n.sys_descr = self.field(|| at("sys_descr"), n.sys_descr.take(), false);
            n.platform = self.field(|| at("platform"), n.platform.take(), false);
        }
    }

    /// The first of `candidates` (in order of precedence) that is left once cleaned.
    pub(crate) fn first(&mut self, what: &str, candidates: [Option<String>; 3]) -> Option<String> {
        candidates.into_iter().find_map(|c| {
            if what == "serial" {
                self.serial(|| what.to_string(), c, true)
            } else {
                self.field(|| what.to_string(), c, true)
            }
        })
    }

    /// The notes: one per field of the device, one for its modules' and neighbours' fields.
    pub(crate) fn notes(mut self) -> (Vec<String>, BTreeMap<String, String>) {
        if self.nested > 0 {
            self.notes.push(format!(
                "{} of modules or neighbours cleaned for display (originals in `cleaned`)",
                crate::words::count(self.nested as u64, "value", "values")
            ));
        }
        (self.notes, self.cleaned)
    }
}
