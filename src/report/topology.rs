//! The neighbour graph of a report: which reported devices are LLDP or CDP neighbours of which, and
//! its DOT rendering (`--format dot`), and its layout in layers ([`layout`]), which the HTML
//! report draws. Labels are device text cleaned by [`clean_label`]; each writer escapes them.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use crate::record::{DeviceRecord, Verdict};

/// Links between reported devices, as index pairs (lower first), each once.
pub fn links(devices: &[DeviceRecord]) -> BTreeSet<(usize, usize)> {
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, d) in devices.iter().enumerate() {
        index.entry(format!("a {}", d.address)).or_insert(i);
        if let Some(m) = &d.identification.chassis_mac {
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
            c if c.is_control() || crate::text::is_invisible(c) => continue,
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
    dot_quoted(&clean_label(s, DOT_LABEL))
}

/// Quotes and backslashes escaped for a DOT string literal, the text otherwise as given.
fn dot_quoted(s: &str) -> String {
    s.chars()
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
pub fn dot(devices: &[DeviceRecord], shares: &[crate::record::Share]) -> String {
    let mut out = String::from(
        "graph netorigin {\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n",
    );
    // The policies' share caps over the sweep, one line each, as the drawing's caption.
    if !shares.is_empty() {
        let lines: Vec<String> = shares
            .iter()
            .map(|s| dot_quoted(&clean_label(&super::shares::line(s), usize::MAX)))
            .collect();
        let _ = writeln!(out, "  label=\"{}\\l\";\n  labelloc=b;", lines.join("\\l"));
    }
    for (i, d) in devices.iter().enumerate() {
        let name = name(d, DOT_LABEL);
        let (colour, width) = match d.judgement.verdict {
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
            dot_escape(d.identification.vendor.as_deref().unwrap_or("unidentified")),
            d.judgement.verdict,
            d.judgement.verdict
        );
    }
    for (a, b) in links(devices) {
        let _ = writeln!(out, "  d{a} -- d{b};");
    }
    out.push_str("}\n");
    out
}

/// The font size of a drawn label, in px; labels are set in a monospace font, so that their
/// width is known here.
pub const FONT_SIZE: f64 = 11.0;
/// The advance of one monospace character cell, in px (0.6 em in common monospace fonts, with
/// a margin).
const CELL: f64 = FONT_SIZE * 0.62;
/// The longest label, in characters.
pub const LABEL_CHARS: usize = 24;
/// Space between the drawing's edge and anything drawn.
const MARGIN: f64 = 20.0;
/// Vertical distance between neighbours listed under a device.
const ROW: f64 = 22.0;
/// Neighbours listed in one column under a device before another column starts.
const ROWS: usize = 15;
/// Space between a node and its label, and between columns.
const GAP: f64 = 6.0;
const COLUMN_GAP: f64 = 18.0;
/// Room above the upper layer for the arcs between its devices.
const ARC_ROOM: f64 = 70.0;

/// One drawn device.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its index in the report's devices.
    pub device: usize,
    /// The centre of its circle.
    pub x: f64,
    /// The centre of its circle.
    pub y: f64,
    /// The circle's radius: larger for banned and review devices.
    pub r: f64,
    /// Its label: the cleaned name, at most [`LABEL_CHARS`] characters, not yet escaped.
    pub label: String,
}

/// A rectangle: left, top, right, bottom.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x0: f64,
    /// Top edge.
    pub y0: f64,
    /// Right edge.
    pub x1: f64,
    /// Bottom edge.
    pub y1: f64,
}

impl Rect {
    /// Whether the two rectangles share any area.
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }
}

impl Node {
    /// Where the label's text starts (`text-anchor="start"`).
    pub fn label_x(&self) -> f64 {
        self.x + self.r + GAP
    }

    /// The label's baseline, putting the text's middle level with the circle's centre.
    pub fn label_y(&self) -> f64 {
        self.y + FONT_SIZE * 0.35
    }

    /// The box the label's text occupies at [`FONT_SIZE`] in a monospace font.
    pub fn label_box(&self) -> Rect {
        let x0 = self.label_x();
        Rect {
            x0,
            y0: self.label_y() - FONT_SIZE * 0.8,
            x1: x0 + text_width(&self.label),
            y1: self.label_y() + FONT_SIZE * 0.25,
        }
    }

    /// The box of the circle.
    pub fn circle_box(&self) -> Rect {
        Rect {
            x0: self.x - self.r,
            y0: self.y - self.r,
            x1: self.x + self.r,
            y1: self.y + self.r,
        }
    }
}

/// The width of text in px at [`FONT_SIZE`], East Asian wide characters and emoji counted as
/// two cells.
pub fn text_width(s: &str) -> f64 {
    let cells: usize = s
        .chars()
        .map(|c| {
            if matches!(c, '\u{1100}'..='\u{115f}' | '\u{2e80}'..='\u{a4cf}' | '\u{ac00}'..='\u{d7a3}' | '\u{f900}'..='\u{faff}' | '\u{fe30}'..='\u{fe4f}' | '\u{ff00}'..='\u{ff60}' | '\u{ffe0}'..='\u{ffe6}' | '\u{1f300}'..='\u{1faff}' | '\u{20000}'..)
            {
                2
            } else {
                1
            }
        })
        .sum();
    cells as f64 * CELL
}

/// The neighbour graph laid out in layers: the devices that reported neighbours (the polled
/// ones) along the top, left to right in address order, and under each the devices seen only in
/// its neighbour tables, in columns of up to 15, banned first, then review, unknown and
/// clear. Labels sit right of their circles and every column is as wide as its widest label, so
/// no two labels overlap; the size grows with the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// The drawing's width, px.
    pub width: f64,
    /// The drawing's height, px.
    pub height: f64,
    /// The drawn devices: every device in a neighbour relation.
    pub nodes: Vec<Node>,
    /// Each upper-layer node's tree: indices into `nodes` of the parent and its listed
    /// neighbours, and the line segments that join them.
    pub trees: Vec<Tree>,
    /// Links between two upper-layer nodes (indices into `nodes`), drawn as arcs above them.
    pub arcs: Vec<(usize, usize)>,
    /// Other links (indices into `nodes`), drawn as straight lines.
    pub lines: Vec<(usize, usize)>,
    /// Devices of the report in no neighbour relation, not drawn.
    pub undrawn: usize,
}

/// An upper-layer node and the neighbours listed under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// The parent, an index into [`Layout::nodes`].
    pub parent: usize,
    /// Its neighbours, indices into [`Layout::nodes`].
    pub children: Vec<usize>,
    /// The lines from the parent down to each column of neighbours: (x1, y1, x2, y2).
    pub segments: Vec<(f64, f64, f64, f64)>,
}

/// The order of verdicts in a work list: banned, review, unknown, clear.
fn verdict_rank(v: Verdict) -> u8 {
    match v {
        Verdict::Banned => 0,
        Verdict::Review => 1,
        Verdict::Unknown => 2,
        Verdict::Clear => 3,
    }
}

/// Addresses in numeric order where they are IP addresses, after them the rest as text.
fn address_key(a: &str) -> (Option<std::net::IpAddr>, &str) {
    (a.parse().ok(), a)
}

fn radius(v: Verdict) -> f64 {
    match v {
        Verdict::Banned | Verdict::Review => 8.0,
        Verdict::Clear | Verdict::Unknown => 5.5,
    }
}

/// Lays out the neighbour graph of `devices` (see [`Layout`]). The same devices give the same
/// drawing whatever their order.
pub fn layout(devices: &[DeviceRecord]) -> Layout {
    let parent = parents(devices);
    let links = links(devices);
    let drawn = drawn(devices.len(), &links, &parent);
    let (tops, children) = families(devices, &parent, &drawn);
    let has_arcs = links
        .iter()
        .any(|(a, b)| parent[*a].is_none() && parent[*b].is_none());
    let top_y = MARGIN + if has_arcs { ARC_ROOM } else { 0.0 } + FONT_SIZE;
    let mut placed = Placed {
        devices,
        top_y,
        nodes: Vec::new(),
        trees: Vec::new(),
        at: HashMap::new(),
        bottom: top_y,
    };
    let mut x = MARGIN;
    for &t in &tops {
        let kids = children.get(&t).map(Vec::as_slice).unwrap_or_default();
        x = placed.tree(t, kids, x) + COLUMN_GAP;
    }
    let (mut arcs, mut lines) = (Vec::new(), Vec::new());
    for (a, b) in &links {
        if parent[*a] == Some(*b) || parent[*b] == Some(*a) {
            continue;
        }
        let pair = (placed.at[a], placed.at[b]);
        if parent[*a].is_none() && parent[*b].is_none() {
            arcs.push(pair);
        } else {
            lines.push(pair);
        }
    }
    Layout {
        width: x - COLUMN_GAP + MARGIN,
        height: placed.bottom + ROW.max(radius(Verdict::Banned)) + MARGIN,
        undrawn: drawn.iter().filter(|d| !**d).count(),
        nodes: placed.nodes,
        trees: placed.trees,
        arcs,
        lines,
    }
}

/// Each device's parent: the polled device (one with no `reported_by`) that reported it, never
/// itself.
fn parents(devices: &[DeviceRecord]) -> Vec<Option<usize>> {
    let reporters: HashMap<&str, usize> = devices
        .iter()
        .enumerate()
        .filter(|(_, d)| d.reported_by.is_none())
        .rev()
        .map(|(i, d)| (d.address.as_str(), i))
        .collect();
    devices
        .iter()
        .enumerate()
        .map(|(i, d)| {
            d.reported_by
                .as_deref()
                .and_then(|a| reporters.get(a).copied())
                .filter(|&p| p != i)
        })
        .collect()
}

/// Which devices are drawn: those in a link or a parent relation.
fn drawn(count: usize, links: &BTreeSet<(usize, usize)>, parent: &[Option<usize>]) -> Vec<bool> {
    let mut drawn = vec![false; count];
    for (a, b) in links {
        drawn[*a] = true;
        drawn[*b] = true;
    }
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            drawn[i] = true;
            drawn[*p] = true;
        }
    }
    drawn
}

/// The drawn upper-layer devices in address order, and each one's neighbours: banned first,
/// then by address.
fn families(
    devices: &[DeviceRecord],
    parent: &[Option<usize>],
    drawn: &[bool],
) -> (Vec<usize>, HashMap<usize, Vec<usize>>) {
    let order = |a: &usize, b: &usize| {
        address_key(&devices[*a].address)
            .cmp(&address_key(&devices[*b].address))
            .then(a.cmp(b))
    };
    let mut tops: Vec<usize> = (0..devices.len())
        .filter(|&i| drawn[i] && parent[i].is_none())
        .collect();
    tops.sort_by(order);
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            children.entry(*p).or_default().push(i);
        }
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| {
            verdict_rank(devices[*a].judgement.verdict)
                .cmp(&verdict_rank(devices[*b].judgement.verdict))
                .then_with(|| order(a, b))
        });
    }
    (tops, children)
}

/// The drawing so far, tree by tree, left to right.
struct Placed<'a> {
    devices: &'a [DeviceRecord],
    /// The upper layer's row.
    top_y: f64,
    nodes: Vec<Node>,
    trees: Vec<Tree>,
    /// Each drawn device's index into `nodes`.
    at: HashMap<usize, usize>,
    /// The lowest row drawn.
    bottom: f64,
}

impl Placed<'_> {
    fn node(&self, i: usize, x: f64, y: f64) -> Node {
        Node {
            device: i,
            x,
            y,
            r: radius(self.devices[i].judgement.verdict),
            label: name(&self.devices[i], LABEL_CHARS),
        }
    }

    /// Draws upper-layer device `t` at `x` and its neighbours `kids` in columns of [`ROWS`]
    /// under it; returns the right edge of the tree.
    fn tree(&mut self, t: usize, kids: &[usize], x: f64) -> f64 {
        let top_y = self.top_y;
        let first_row = top_y + 2.0 * ROW;
        let px = x + 8.0;
        let p = self.node(t, px, top_y);
        let mut right = p.label_box().x1;
        self.at.insert(t, self.nodes.len());
        let parent_at = self.nodes.len();
        self.nodes.push(p);
        let mut tree = Tree {
            parent: parent_at,
            children: Vec::new(),
            segments: Vec::new(),
        };
        let mut cx = px;
        for column in kids.chunks(ROWS) {
            let mut widest = cx;
            for (row, &c) in column.iter().enumerate() {
                let n = self.node(c, cx, first_row + row as f64 * ROW);
                widest = widest.max(n.label_box().x1);
                self.at.insert(c, self.nodes.len());
                tree.children.push(self.nodes.len());
                self.nodes.push(n);
            }
            let last = first_row + (column.len() - 1) as f64 * ROW;
            // Down from the parent, across to the column, down through its nodes.
            let bus = top_y + ROW;
            if cx == px {
                tree.segments.push((px, top_y, px, last));
            } else {
                tree.segments.push((cx, bus, cx, last));
            }
            self.bottom = self.bottom.max(last);
            right = right.max(widest);
            if column.len() == ROWS {
                cx = widest + COLUMN_GAP + 8.0;
            }
        }
        if kids.len() > ROWS {
            let bus = top_y + ROW;
            let last_x = tree.segments.last().map(|s| s.0).unwrap_or(px);
            tree.segments.push((px, bus, last_x, bus));
        }
        self.trees.push(tree);
        right
    }
}

/// How high an arc between upper-layer nodes at `x1` and `x2` rises above them, at most the
/// room left for arcs.
pub fn arc_rise(x1: f64, x2: f64) -> f64 {
    (20.0 + (x2 - x1).abs() * 0.12).min(ARC_ROOM - 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Neighbor;
    use crate::record::{Identification, Judgement, Observed, Verdict};

    #[test]
    fn neighbours_become_links_and_text_is_escaped() {
        let a = Observed {
            address: "10.0.0.1".into(),
            sys_name: Some("core\"1".into()),
            neighbors: vec![Neighbor {
                management_addresses: vec!["10.0.0.2".into()],
                ..Neighbor::default()
            }],
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Clear,
            findings: Vec::new(),
        });
        let b = Observed {
            address: "10.0.0.2".into(),
            ..Observed::default()
        }
        .judged(Judgement {
            verdict: Verdict::Banned,
            findings: Vec::new(),
        });
        let devices = [a, b];
        assert_eq!(
            links(&devices).into_iter().collect::<Vec<_>>(),
            vec![(0, 1)]
        );
        let g = dot(&devices, &[]);
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
            Observed {
                address: "10.0.0.1".into(),
                sys_name: Some("sw\u{0}\u{0}\n00 00 00".into()),
                ..Observed::default()
            }
            .judged(Judgement {
                verdict: Verdict::Unknown,
                findings: Vec::new(),
            }),
            Observed {
                address: "10.0.0.2".into(),
                sys_name: Some("\u{0}\u{0}".into()),
                ..Observed::default()
            }
            .judged(Judgement {
                verdict: Verdict::Unknown,
                findings: Vec::new(),
            }),
            Observed {
                address: "10.0.0.3".into(),
                sys_name: Some("a\u{1b}[31mb\\".into()),
                identification: Identification {
                    vendor: Some("x\ny".into()),
                    ..Identification::default()
                },
                ..Observed::default()
            }
            .judged(Judgement {
                verdict: Verdict::Unknown,
                findings: Vec::new(),
            }),
        ];
        let g = dot(&devices, &[]);
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

    /// `parents` polled devices, each reporting `per` neighbour-only devices with long, wide and
    /// mixed-verdict names; each polled device also an LLDP neighbour of the next.
    fn network(parents: usize, per: usize) -> Vec<DeviceRecord> {
        let verdicts = [
            Verdict::Banned,
            Verdict::Clear,
            Verdict::Review,
            Verdict::Unknown,
        ];
        let mut devices = Vec::new();
        for p in 0..parents {
            let address = format!("10.0.{p}.1");
            devices.push(
                Observed {
                    address: address.clone(),
                    sys_name: (p % 3 != 0)
                        .then(|| format!("core-router-{p}-{}", "x".repeat(p * 4))),
                    neighbors: vec![Neighbor {
                        management_addresses: vec![format!("10.0.{}.1", (p + 1) % parents)],
                        ..Neighbor::default()
                    }],
                    ..Observed::default()
                }
                .judged(Judgement {
                    verdict: verdicts[p % 4],
                    findings: Vec::new(),
                }),
            );
            for c in 0..per {
                let name = match c % 4 {
                    0 => format!("access-{p}-{c}-{}", "W".repeat(c)),
                    1 => format!("交换机-{p}-{c}-{}", "机".repeat(c % 9)),
                    2 => format!("n{c}"),
                    _ => format!("olt\u{0}\u{0}\n{c} 00 00 00"),
                };
                devices.push(
                    Observed {
                        address: format!("10.{}.{p}.{c}", 100 + c % 3),
                        discovered_via: crate::record::DiscoveredVia::LldpNeighbor,
                        reported_by: Some(address.clone()),
                        sys_name: Some(name),
                        ..Observed::default()
                    }
                    .judged(Judgement {
                        verdict: verdicts[(c + p) % 4],
                        findings: Vec::new(),
                    }),
                );
            }
        }
        devices
    }

    #[test]
    fn two_hundred_nodes_under_ten_parents_have_no_overlapping_labels_and_fit_the_view() {
        let devices = network(10, 19);
        assert_eq!(devices.len(), 200);
        let l = layout(&devices);
        assert_eq!(l.nodes.len(), 200);
        assert_eq!(l.undrawn, 0);
        assert_eq!(l.trees.len(), 10);
        assert_eq!(l.arcs.len(), 10, "the ring of polled devices");
        let inside = |b: Rect| b.x0 >= 0.0 && b.y0 >= 0.0 && b.x1 <= l.width && b.y1 <= l.height;
        for n in &l.nodes {
            assert!(
                inside(n.circle_box()),
                "{n:?} outside {}x{}",
                l.width,
                l.height
            );
            assert!(
                inside(n.label_box()),
                "{n:?} label outside {}x{}",
                l.width,
                l.height
            );
            assert!(n.label.chars().count() <= LABEL_CHARS, "{n:?}");
            assert!(!n.label.chars().any(char::is_control), "{n:?}");
        }
        for (i, a) in l.nodes.iter().enumerate() {
            for b in &l.nodes[i + 1..] {
                assert!(
                    !a.label_box().overlaps(&b.label_box()),
                    "labels overlap: {a:?} and {b:?}"
                );
                assert!(!a.circle_box().overlaps(&b.circle_box()), "{a:?} {b:?}");
                assert!(!a.label_box().overlaps(&b.circle_box()), "{a:?} {b:?}");
                assert!(!b.label_box().overlaps(&a.circle_box()), "{a:?} {b:?}");
            }
        }
        for (a, b) in &l.arcs {
            let (p, q) = (&l.nodes[*a], &l.nodes[*b]);
            assert!(p.y.min(q.y) - p.r.max(q.r) - arc_rise(p.x, q.x) >= 0.0);
        }
    }

    #[test]
    fn neighbours_hang_under_the_device_that_reported_them_banned_first() {
        let devices = network(4, 20);
        let l = layout(&devices);
        let parents: Vec<&Node> = l.trees.iter().map(|t| &l.nodes[t.parent]).collect();
        // Polled devices along the top, in address order.
        let order: Vec<&str> = parents
            .iter()
            .map(|n| devices[n.device].address.as_str())
            .collect();
        assert_eq!(order, ["10.0.0.1", "10.0.1.1", "10.0.2.1", "10.0.3.1"]);
        assert!(parents.iter().all(|p| p.y == parents[0].y));
        for (k, t) in l.trees.iter().enumerate() {
            let p = &l.nodes[t.parent];
            let next = parents.get(k + 1).map_or(l.width, |n| n.x);
            assert_eq!(t.children.len(), 20);
            for &c in &t.children {
                let n = &l.nodes[c];
                let d = &devices[n.device];
                assert_eq!(
                    d.reported_by.as_deref(),
                    Some(devices[p.device].address.as_str())
                );
                assert!(
                    n.y > p.y && n.x >= p.x && n.label_box().x1 < next,
                    "{n:?} {p:?}"
                );
            }
            let ranks: Vec<u8> = t
                .children
                .iter()
                .map(|&c| verdict_rank(devices[l.nodes[c].device].judgement.verdict))
                .collect();
            assert!(ranks.is_sorted(), "{ranks:?}");
            assert!(!t.segments.is_empty());
        }
    }

    #[test]
    fn the_same_devices_in_another_order_give_the_same_drawing() {
        let devices = network(6, 7);
        let mut reversed = devices.clone();
        reversed.reverse();
        let (a, b) = (layout(&devices), layout(&reversed));
        let placed = |l: &Layout, ds: &[DeviceRecord]| {
            let mut v: Vec<(String, String, i64, i64)> = l
                .nodes
                .iter()
                .map(|n| {
                    (
                        ds[n.device].address.clone(),
                        n.label.clone(),
                        (n.x * 10.0) as i64,
                        (n.y * 10.0) as i64,
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(placed(&a, &devices), placed(&b, &reversed));
        assert_eq!((a.width, a.height), (b.width, b.height));
        assert_eq!(layout(&devices), a);
    }

    #[test]
    fn devices_in_no_relation_are_counted_not_drawn() {
        let mut devices = network(2, 1);
        devices.push(
            Observed {
                address: "10.9.9.9".into(),
                ..Observed::default()
            }
            .judged(Judgement {
                verdict: Verdict::Unknown,
                findings: Vec::new(),
            }),
        );
        let l = layout(&devices);
        assert_eq!(l.undrawn, 1);
        assert_eq!(l.nodes.len(), 4);
        assert!(layout(&[]).nodes.is_empty());
    }
}
