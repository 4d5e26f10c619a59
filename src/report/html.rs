//! The HTML report: one self-contained file (no network fetches) with the summary counts, a
//! chart of devices by vendor and verdict, the neighbour topology with flagged devices marked,
//! and a sortable, filterable device table with the evidence and findings of each device.
//!
//! Every piece of device-supplied text is HTML-escaped where it is written; the page's own
//! script reads nothing from the devices but the table cells' text, and the page forbids any
//! other script, any fetch and any inline event handler through its Content-Security-Policy.
//! The filter and sort can be given in the address (`#filter=banned&sort=vendor`), so a link
//! opens the view an auditor asked for.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::{Provenance, summary_line};
use crate::device::{DeviceRecord, Verdict};
use crate::discover::SweepSummary;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn opt(s: &Option<String>) -> String {
    escape(s.as_deref().unwrap_or("-"))
}

fn colour(v: Verdict) -> &'static str {
    match v {
        Verdict::Banned => "#c62828",
        Verdict::Review => "#ef8f00",
        Verdict::Clear => "#2e7d32",
        Verdict::Unknown => "#757575",
    }
}

const VERDICTS: [Verdict; 4] = [
    Verdict::Banned,
    Verdict::Review,
    Verdict::Unknown,
    Verdict::Clear,
];

/// Stacked bars: devices per vendor, split by verdict.
fn chart(devices: &[DeviceRecord]) -> String {
    let mut by_vendor: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for d in devices {
        let v = d.vendor.clone().unwrap_or_else(|| "unidentified".into());
        let i = VERDICTS.iter().position(|x| *x == d.verdict).unwrap_or(2);
        by_vendor.entry(v).or_default()[i] += 1;
    }
    let mut rows: Vec<(String, [usize; 4])> = by_vendor.into_iter().collect();
    rows.sort_by(|a, b| {
        b.1.iter()
            .sum::<usize>()
            .cmp(&a.1.iter().sum())
            .then_with(|| a.0.cmp(&b.0))
    });
    let max = rows
        .iter()
        .map(|r| r.1.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let (bar_h, label_w, width) = (18, 160, 480);
    let mut svg = format!(
        r#"<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="{}" height="{}" role="img" aria-label="devices by vendor and verdict">"#,
        label_w + width + 60,
        rows.len() * (bar_h + 6) + 10
    );
    for (i, (vendor, counts)) in rows.iter().enumerate() {
        let y = i * (bar_h + 6) + 5;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" class="label">{}</text>"#,
            label_w - 6,
            y + 13,
            escape(vendor)
        );
        let mut x = label_w;
        for (k, n) in counts.iter().enumerate() {
            if *n == 0 {
                continue;
            }
            let w = n * width / max;
            let _ = write!(
                svg,
                r#"<rect class="bar {}" x="{x}" y="{y}" width="{}" height="{bar_h}" fill="{}"><title>{}: {n} {}</title></rect>"#,
                VERDICTS[k],
                w.max(2),
                colour(VERDICTS[k]),
                escape(vendor),
                VERDICTS[k]
            );
            x += w.max(2);
        }
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" class="count">{}</text>"#,
            x + 4,
            y + 13,
            counts.iter().sum::<usize>()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The neighbour graph: devices on a circle, a line for each neighbour relation whose far end
/// is a device of the report, flagged devices drawn in their verdict's colour.
fn topology(devices: &[DeviceRecord]) -> String {
    let edges = super::topology::links(devices);
    let linked: std::collections::BTreeSet<usize> =
        edges.iter().flat_map(|(a, b)| [*a, *b]).collect();
    let nodes: Vec<usize> = linked.into_iter().collect();
    let size = 640.0_f64;
    let (cx, cy, r) = (size / 2.0, size / 2.0, size / 2.0 - 90.0);
    let pos: HashMap<usize, (f64, f64)> = nodes
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let a = std::f64::consts::TAU * k as f64 / nodes.len().max(1) as f64;
            (i, (cx + r * a.cos(), cy + r * a.sin()))
        })
        .collect();
    let mut svg = format!(
        r#"<svg id="topology" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" role="img" aria-label="neighbour topology" data-nodes="{}" data-links="{}">"#,
        nodes.len(),
        edges.len()
    );
    if nodes.is_empty() {
        svg.push_str(
            r#"<text x="20" y="30">No neighbour relations between reported devices.</text>"#,
        );
    }
    for (a, b) in &edges {
        let (p, q) = (pos[a], pos[b]);
        let _ = write!(
            svg,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#9e9e9e"/>"##,
            p.0, p.1, q.0, q.1
        );
    }
    for &i in &nodes {
        let d = &devices[i];
        let (x, y) = pos[&i];
        let flagged = matches!(d.verdict, Verdict::Banned | Verdict::Review);
        let name = d
            .sys_name
            .clone()
            .filter(|n| !n.starts_with('<'))
            .unwrap_or_else(|| d.address.clone());
        let _ = write!(
            svg,
            r#"<g class="node {}{}"><circle cx="{x:.1}" cy="{y:.1}" r="{}" fill="{}" stroke="black" stroke-width="{}"><title>{} — {} ({})</title></circle><text x="{x:.1}" y="{:.1}" text-anchor="middle" class="nodelabel">{}</text></g>"#,
            d.verdict,
            if flagged { " flagged" } else { "" },
            if flagged { 9 } else { 6 },
            colour(d.verdict),
            if flagged { 2 } else { 1 },
            escape(&d.address),
            escape(d.vendor.as_deref().unwrap_or("unidentified")),
            d.verdict,
            y + 20.0,
            escape(&name.chars().take(24).collect::<String>()),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The device rows, in the order given; a neighbour listed under the device that reported it
/// is marked `under` (drawn indented with `└`) and names its reporter.
fn device_rows(devices: &[DeviceRecord]) -> String {
    let mut out = String::new();
    for (d, under) in devices.iter().zip(super::order::nested(devices)) {
        let via = escape(
            &serde_json::to_value(d.discovered_via)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        );
        let evidence: Vec<String> = super::action::evidence_in_order(d)
            .into_iter()
            .map(|e| {
                format!(
                    "<li>{} = <code>{}</code> → {} (weight {:.2})</li>",
                    escape(&e.source),
                    escape(&e.value.chars().take(200).collect::<String>()),
                    opt(&e.vendor),
                    e.weight
                )
            })
            .collect();
        let findings: Vec<String> = d
            .findings
            .iter()
            .map(|f| {
                format!(
                    "<li><b>{}</b> {} / {}: {}{}{}</li>",
                    f.verdict,
                    escape(&f.policy),
                    escape(&f.rule),
                    escape(&f.reason),
                    f.deadline
                        .as_ref()
                        .map(|x| format!("; remove by {}", escape(x)))
                        .unwrap_or_default(),
                    f.exception
                        .as_ref()
                        .map(|x| format!("; excepted: {}", escape(x)))
                        .unwrap_or_default(),
                )
            })
            .collect();
        let conflicts: Vec<String> = d
            .conflicts
            .iter()
            .map(|e| format!("{} says {}", escape(&e.source), opt(&e.vendor)))
            .collect();
        let _ = write!(
            out,
            r#"<tr class="device {v}{under}" data-verdict="{v}" data-via="{via}"{by}><td class="address">{}</td><td class="verdict" style="color:{}">{v}</td><td class="deadline">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.2}</td><td><details><summary>{}{}</summary><ul>{}</ul>{}<ul>{}</ul></details></td></tr>"#,
            escape(&d.address),
            colour(d.verdict),
            escape(&super::action::deadline(d)),
            opt(&d.vendor),
            opt(&d.model),
            opt(&d.serial),
            opt(&d.sys_name),
            opt(&d.version),
            via,
            d.confidence,
            escape(&super::action::evidence_summary(d)),
            if conflicts.is_empty() {
                String::new()
            } else {
                format!(", {} in conflict", conflicts.len())
            },
            evidence.join(""),
            if conflicts.is_empty() {
                String::new()
            } else {
                format!("<p>Conflicts: {}</p>", conflicts.join("; "))
            },
            findings.join(""),
            v = d.verdict,
            via = via,
            under = if under { " under" } else { "" },
            by = d
                .reported_by
                .as_ref()
                .map(|b| format!(r#" data-reported-by="{}""#, escape(b)))
                .unwrap_or_default(),
        );
    }
    out
}

const STYLE: &str = "body{font-family:sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;width:100%}\
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}\
th{cursor:pointer;background:#f3f3f3;position:sticky;top:0}.counts span{display:inline-block;margin-right:1.2em;font-size:18px}\
.label,.count,.nodelabel{font-size:11px}code{font-size:11px;word-break:break-all}.hidden{display:none}\
section{margin-bottom:2em}tr.under td.address::before{content:\"\\2514  \";color:#888}";

/// Sorting and filtering. Reads only the table's own cells; the initial view may come from the
/// address fragment (`#filter=banned&sort=vendor`).
const SCRIPT: &str = r#"(function(){
var table=document.getElementById('devices'),body=table.tBodies[0],input=document.getElementById('filter');
function apply(){var q=input.value.toLowerCase(),shown=0;
 Array.prototype.forEach.call(body.rows,function(r){var hit=!q||r.textContent.toLowerCase().indexOf(q)>=0;
  r.classList.toggle('hidden',!hit);if(hit)shown++;});
 document.getElementById('shown').textContent=shown;}
function sortBy(col,desc){var rows=Array.prototype.slice.call(body.rows);
 rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent;var c=x.localeCompare(y,undefined,{numeric:true});return desc?-c:c;});
 rows.forEach(function(r){body.appendChild(r);});table.dataset.sorted=col+(desc?'-desc':'');}
Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,i){th.addEventListener('click',function(){
 sortBy(i,table.dataset.sorted===String(i));});});
input.addEventListener('input',apply);
var h=new URLSearchParams(location.hash.slice(1));
if(h.get('filter')){input.value=h.get('filter');}
if(h.get('sort')){var names=Array.prototype.map.call(table.tHead.rows[0].cells,function(c){return c.dataset.key;});
 var i=names.indexOf(h.get('sort'));if(i>=0)sortBy(i,false);}
apply();})();"#;

/// The whole page.
pub fn page(devices: &[DeviceRecord], summary: &SweepSummary, provenance: &Provenance) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in devices {
        *counts.entry(d.verdict.to_string()).or_default() += 1;
    }
    let count_spans: String = VERDICTS
        .iter()
        .map(|v| {
            format!(
                r#"<span class="count-{v}" style="color:{}"><b id="count-{v}">{}</b> {v}</span>"#,
                colour(*v),
                counts.get(&v.to_string()).copied().unwrap_or(0)
            )
        })
        .collect();
    let columns = [
        ("address", "address"),
        ("verdict", "verdict"),
        ("deadline", "deadline"),
        ("vendor", "vendor"),
        ("model", "model"),
        ("serial", "serial"),
        ("sys_name", "sysName"),
        ("version", "version"),
        ("discovered_via", "found via"),
        ("confidence", "confidence"),
        ("evidence", "evidence and findings"),
    ];
    let head: String = columns
        .iter()
        .map(|(k, t)| format!(r#"<th data-key="{k}">{t}</th>"#))
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{hash}'; img-src data:">
<title>netorigin report</title><style>{STYLE}</style></head>
<body>
<h1>netorigin report</h1>
<section id="summary"><p class="counts"><span><b id="count-devices">{total}</b> devices</span>{count_spans}</p>
<p>{line}</p>{notes}
<p class="provenance">netorigin {version}; rules: {enterprises} enterprise numbers, {sysdescr} sysDescr fingerprints; OUIs: {oui}; policies: {policy}</p></section>
<section><h2>Devices by vendor and verdict</h2>{chart}</section>
<section><h2>Neighbour topology</h2>{topology}</section>
<section><h2>Devices</h2><p>Filter: <input id="filter" type="search" placeholder="banned, Huawei, 10.20."> <span id="shown">{total}</span> shown</p>
<table id="devices"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>
<script>{SCRIPT}</script>
</body></html>
"#,
        hash = script_hash(),
        total = devices.len(),
        line = escape(&summary_line(devices, summary)),
        notes = super::behind_lines(devices)
            .into_iter()
            .chain(super::action::deadline_note(devices))
            .map(|l| format!(r#"<p class="note">{}</p>"#, escape(&l)))
            .collect::<String>(),
        version = escape(provenance.netorigin),
        enterprises = provenance.enterprise_numbers,
        sysdescr = provenance.sysdescr_rules,
        oui = escape(&provenance.oui_registry),
        policy = escape(&provenance.policy),
        chart = chart(devices),
        topology = topology(devices),
        rows = device_rows(devices),
    )
}

/// The CSP hash of the page's one script, so that no other script can run.
fn script_hash() -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(SCRIPT.as_bytes());
    base64(&digest)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_text_cannot_open_a_tag() {
        assert_eq!(
            escape("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
        );
        assert_eq!(escape("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(escape("\"onerror=x"), "&quot;onerror=x");
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
