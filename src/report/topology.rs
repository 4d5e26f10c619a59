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

/// Device text made fit for a drawing's label: cut at the first NUL (what follows a C string's
/// end is binary junk, often a hex dump), line breaks and tabs turned into spaces, every other
/// control character and bidirectional-override or zero-width formatting character dropped,
/// runs of spaces collapsed, and the rest cut to `max` characters with `…` where it was cut.
/// Escaping for the output format (HTML, DOT) is still the writer's job.
pub fn clean_label(s: &str, max: usize) -> String {
    let head = s.split('\0').next().unwrap_or_default();
    let mut out = String::new();
    for c in head.chars() {
        let c = match c {
            '\n' | '\r' | '\t' => ' ',
            c if c.is_control() || invisible(c) => continue,
            c => c,
        };
        if c == ' ' && (out.is_empty() || out.ends_with(' ')) {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end();
    if out.chars().count() <= max {
        return out.to_string();
    }
    let mut cut: String = out.chars().take(max.saturating_sub(1)).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

/// Formatting characters that reorder or hide text: bidirectional embeddings, overrides and
/// isolates, zero-width spaces and joiners, the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// A device's name for a drawing, cleaned and cut to `max` characters: its sysName, unless that
/// is a placeholder (`<private>`) or nothing is left of it once cleaned, else its address.
pub fn name(d: &DeviceRecord, max: usize) -> String {
    d.sys_name
        .as_deref()
        .filter(|n| !n.starts_with('<'))
        .map(|n| clean_label(n, max))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| clean_label(&d.address, max))
}

/// A DOT string literal's contents: the text cleaned as a label, then quotes and backslashes
/// escaped.
fn dot_escape(s: &str) -> String {
    clean_label(s, DOT_LABEL)
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// The longest text of one line of a DOT node's label, in characters.
const DOT_LABEL: usize = 40;

/// The graph in Graphviz DOT: every device a node labelled with its name, vendor and verdict;
/// banned devices red and bold, review orange; links between LLDP and CDP neighbours.
pub fn dot(devices: &[DeviceRecord]) -> String {
    let mut out = String::from(
        "graph netorigin {\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n",
    );
    for (i, d) in devices.iter().enumerate() {
        let name = name(d, DOT_LABEL);
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

    #[test]
    fn labels_lose_nuls_control_characters_and_hex_dump_tails() {
        assert_eq!(
            clean_label("peca-sw02\0\0\0\n00 00 00 00 \n00 00", 24),
            "peca-sw02"
        );
        assert_eq!(clean_label("core\n 1\t\x1b[2Jx\u{7f}", 24), "core 1 [2Jx");
        assert_eq!(clean_label("\u{202e}evil\u{200b}name", 24), "evilname");
        assert_eq!(clean_label("abcdefghij", 5), "abcd…");
        assert_eq!(clean_label("abcde", 5), "abcde");
        assert_eq!(clean_label("\0junk", 5), "");
        assert_eq!(clean_label("a\u{1}b\u{9f}c\u{0}d", 24), "abc");
    }

    #[test]
    fn dot_labels_are_clean_and_fall_back_to_the_address() {
        let devices = [
            DeviceRecord {
                address: "10.0.0.1".into(),
                sys_name: Some("sw\u{0}\u{0}\n00 00 00".into()),
                ..DeviceRecord::default()
            },
            DeviceRecord {
                address: "10.0.0.2".into(),
                sys_name: Some("\u{0}\u{0}".into()),
                ..DeviceRecord::default()
            },
            DeviceRecord {
                address: "10.0.0.3".into(),
                sys_name: Some("a\u{1b}[31mb\\".into()),
                vendor: Some("x\ny".into()),
                ..DeviceRecord::default()
            },
        ];
        let g = dot(&devices);
        assert!(g.contains("d0 [label=\"sw\\n10.0.0.1"), "{g}");
        assert!(g.contains("d1 [label=\"10.0.0.2\\n10.0.0.2"), "{g}");
        assert!(
            g.contains("d2 [label=\"a[31mb\\\\\\n10.0.0.3\\nx y unknown"),
            "{g}"
        );
        assert!(!g.contains("\\u{"), "{g}");
        assert!(!g.contains("00 00"), "{g}");
        assert!(!g.chars().any(|c| c.is_control() && c != '\n'), "{g:?}");
    }
}
