//! The neighbour graph of a report: which reported devices are LLDP or CDP neighbours of which, and
//! its DOT rendering (`--format dot`). The HTML report draws the same graph.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use crate::device::{DeviceRecord, Verdict};

/// Links between reported devices, as index pairs (lower first), each once.
pub fn links(devices: &[DeviceRecord]) -> BTreeSet<(usize, usize)> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, d) in devices.iter().enumerate() {
        index.entry(format!("a {}", d.address)).or_insert(i);
        if let Some(m) = &d.chassis_mac {
            index.entry(format!("m {m}")).or_insert(i);
        }
        if let Some(n) = d.sys_name.as_ref().filter(|n| !n.starts_with('<')) {
            index.entry(format!("n {n}")).or_insert(i);
        }
    }
    let mut edges = BTreeSet::new();
    for (i, d) in devices.iter().enumerate() {
        for n in &d.neighbors {
            let keys = n
                .management_addresses
                .iter()
                .map(|a| format!("a {a}"))
                .chain(n.chassis_id.iter().map(|c| format!("m {c}")))
                .chain(n.sys_name.iter().map(|s| format!("n {s}")));
            if let Some(&j) = keys.filter_map(|k| index.get(&k)).next()
                && j != i
            {
                edges.insert((i.min(j), i.max(j)));
            }
        }
    }
    edges
}

/// A DOT string literal's contents.
fn dot_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c if c.is_control() => format!("\\\\u{{{:x}}}", u32::from(c)),
            c => c.to_string(),
        })
        .collect()
}

/// The graph in Graphviz DOT: every device a node labelled with its name, vendor and verdict;
/// banned devices red and bold, review orange; links between LLDP and CDP neighbours.
pub fn dot(devices: &[DeviceRecord]) -> String {
    let mut out = String::from(
        "graph netorigin {\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n",
    );
    for (i, d) in devices.iter().enumerate() {
        let name = d
            .sys_name
            .clone()
            .filter(|n| !n.starts_with('<'))
            .unwrap_or_else(|| d.address.clone());
        let (colour, width) = match d.verdict {
            Verdict::Banned => ("red", 3),
            Verdict::Review => ("orange", 2),
            Verdict::Clear => ("darkgreen", 1),
            Verdict::Unknown => ("gray", 1),
        };
        let _ = writeln!(
            out,
            "  d{i} [label=\"{}\\n{}\\n{} {}\", color={colour}, penwidth={width}, class=\"{}\"];",
            dot_escape(&name),
            dot_escape(&d.address),
            dot_escape(d.vendor.as_deref().unwrap_or("unidentified")),
            d.verdict,
            d.verdict
        );
    }
    for (a, b) in links(devices) {
        let _ = writeln!(out, "  d{a} -- d{b};");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Neighbor;

    #[test]
    fn neighbours_become_links_and_text_is_escaped() {
        let a = DeviceRecord {
            address: "10.0.0.1".into(),
            sys_name: Some("core\"1".into()),
            verdict: Verdict::Clear,
            neighbors: vec![Neighbor {
                management_addresses: vec!["10.0.0.2".into()],
                ..Neighbor::default()
            }],
            ..DeviceRecord::default()
        };
        let b = DeviceRecord {
            address: "10.0.0.2".into(),
            verdict: Verdict::Banned,
            ..DeviceRecord::default()
        };
        let devices = [a, b];
        assert_eq!(
            links(&devices).into_iter().collect::<Vec<_>>(),
            vec![(0, 1)]
        );
        let g = dot(&devices);
        assert!(g.contains("d0 -- d1;"), "{g}");
        assert!(g.contains("core\\\"1"), "{g}");
        assert!(g.contains("color=red, penwidth=3"), "{g}");
    }
}
