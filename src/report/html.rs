//! The HTML report: one self-contained file (no network fetches) with the summary counts, a
//! chart of devices by vendor and verdict, the neighbour topology with flagged devices marked,
//! and a sortable, filterable device table with the evidence and findings of each device.
//!
//! Every piece of device-supplied text is HTML-escaped where it is written; the page's own
//! script reads nothing from the devices but the table cells' text, and the page forbids any
//! other script, any fetch and any inline event handler through its Content-Security-Policy.
//! The filter and sort can be given in the address (`#filter=banned&sort=vendor`), so a link
//! opens the view an auditor asked for.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Provenance, summary_line};
use crate::discover::SweepSummary;
use crate::record::{DeviceRecord, Share, Sourced, Verdict};

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

/// A cell of a context value, its source as the cell's title (shown on hover).
fn sourced_cell(class: &str, v: &Option<Sourced<String>>) -> String {
    match v {
        Some(v) => format!(
            r#"<td class="{class}" title="{}">{}</td>"#,
            escape(&v.source),
            escape(&v.value)
        ),
        None => format!(r#"<td class="{class}">-</td>"#),
    }
}

/// Where the device stands, every field with its source, for its details: empty when nothing
/// is known.
fn context_details(d: &DeviceRecord) -> String {
    let c = &d.context;
    let acquired = c
        .acquired
        .as_ref()
        .map(|a| Sourced::new(a.value.to_string(), a.source.clone()));
    let mut items: Vec<String> = [
        ("site", &c.site),
        ("role", &c.role),
        ("technology", &c.technology),
        ("owner", &c.owner),
        ("acquired", &acquired),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        let v = v.as_ref()?;
        Some(format!(
            "<li>{k}: {} (from {})</li>",
            escape(&v.value),
            escape(&v.source)
        ))
    })
    .collect();
    let read = [
        ("first seen", c.first_seen.map(|f| f.to_string())),
        ("sysLocation", d.sys_location.clone()),
        ("sysContact", d.sys_contact.clone()),
    ];
    for (k, v) in read {
        if let Some(v) = v {
            items.push(format!("<li>{k}: {}</li>", escape(&v)));
        }
    }
    match items.is_empty() {
        true => String::new(),
        false => format!("<p>Where it stands:</p><ul>{}</ul>", items.join("")),
    }
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
        let v = d
            .identification
            .vendor
            .clone()
            .unwrap_or_else(|| "unidentified".into());
        let i = VERDICTS
            .iter()
            .position(|x| *x == d.judgement.verdict)
            .unwrap_or(2);
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

/// The neighbour graph in layers (`report::topology::layout`): the polled devices along the
/// top, the devices seen only as their neighbours listed under each, links between polled
/// devices as arcs above them, every node in its verdict's colour. The drawing is as large as
/// the graph needs and scrolls inside its section.
pub(crate) fn topology(devices: &[DeviceRecord]) -> String {
    use super::topology::{FONT_SIZE, arc_rise, clean_label, layout, name};
    let l = layout(devices);
    let links =
        l.arcs.len() + l.lines.len() + l.trees.iter().map(|t| t.children.len()).sum::<usize>();
    let legend: String = VERDICTS
        .iter()
        .map(|v| {
            format!(
                r#"<span class="key" style="margin-right:1em"><span class="dot {v}" style="color:{}">●</span> {v}</span>"#,
                colour(*v)
            )
        })
        .collect();
    let mut out = format!(r#"<p class="legend">{legend}</p>"#);
    if l.nodes.is_empty() {
        out.push_str("<p>No neighbour relations between reported devices.</p>");
    }
    let _ = write!(
        out,
        r#"<div class="topology-frame" style="overflow:auto;max-height:80vh;border:1px solid #ddd"><svg id="topology" xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-label="neighbour topology" data-nodes="{}" data-links="{links}" style="font:{FONT_SIZE}px monospace">"#,
        l.nodes.len(),
        w = l.width,
        h = l.height,
    );
    for t in &l.trees {
        for (x1, y1, x2, y2) in &t.segments {
            let _ = write!(
                out,
                r##"<line class="tree" x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="#9e9e9e"/>"##
            );
        }
    }
    for (a, b) in &l.arcs {
        let (p, q) = (&l.nodes[*a], &l.nodes[*b]);
        let rise = arc_rise(p.x, q.x);
        let _ = write!(
            out,
            r##"<path class="link" d="M{:.1} {:.1} Q{:.1} {:.1} {:.1} {:.1}" fill="none" stroke="#616161"/>"##,
            p.x,
            p.y - p.r,
            (p.x + q.x) / 2.0,
            p.y.min(q.y) - 2.0 * rise,
            q.x,
            q.y - q.r
        );
    }
    for (a, b) in &l.lines {
        let (p, q) = (&l.nodes[*a], &l.nodes[*b]);
        let _ = write!(
            out,
            r##"<line class="link" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#616161" stroke-dasharray="4 3"/>"##,
            p.x, p.y, q.x, q.y
        );
    }
    for n in &l.nodes {
        let d = &devices[n.device];
        let flagged = matches!(d.judgement.verdict, Verdict::Banned | Verdict::Review);
        let reporter = d
            .reported_by
            .as_deref()
            .map(|a| format!("; seen by {}", escape(&clean_label(a, 60))))
            .unwrap_or_default();
        let _ = write!(
            out,
            r#"<g class="node {}{}"><circle cx="{:.1}" cy="{:.1}" r="{}" fill="{}" stroke="black" stroke-width="{}"><title>{} — {} — {} ({}){reporter}</title></circle><text x="{:.1}" y="{:.1}" class="nodelabel">{}</text></g>"#,
            d.judgement.verdict,
            if flagged { " flagged" } else { "" },
            n.x,
            n.y,
            n.r,
            colour(d.judgement.verdict),
            if flagged { 2 } else { 1 },
            escape(&name(d, 80)),
            escape(&clean_label(&d.address, 60)),
            escape(&clean_label(
                d.identification.vendor.as_deref().unwrap_or("unidentified"),
                60
            )),
            d.judgement.verdict,
            n.label_x(),
            n.label_y(),
            escape(&n.label),
        );
    }
    out.push_str("</svg></div>");
    if l.undrawn > 0 {
        let _ = write!(
            out,
            "<p>{} in no neighbour relation: in the table only.</p>",
            crate::words::count(l.undrawn as u64, "device", "devices")
        );
    }
    out
}

#[cfg(test)]
mod topology_tests {
    use super::*;

    #[test]
    fn the_drawing_labels_device_text_clean_and_escaped() {
        let devices = [
            crate::record::Observed {
                address: "10.0.0.1".into(),
                sys_name: Some("x<script>alert(1)</script>".into()),
                ..crate::record::Observed::default()
            }
            .judged(crate::record::Judgement {
                verdict: Verdict::Banned,
                findings: Vec::new(),
            }),
            crate::record::Observed {
                address: "10.0.0.2".into(),
                reported_by: Some("10.0.0.1".into()),
                sys_name: Some("peca-sw02\u{0}\u{0}\u{0}\n00 00 00 00 00\n00 00".into()),
                identification: crate::record::Identification {
                    vendor: Some("Hua\u{1b}[31mwei".into()),
                    ..crate::record::Identification::default()
                },
                ..crate::record::Observed::default()
            }
            .judged(crate::record::Judgement {
                verdict: crate::record::Verdict::Unknown,
                findings: Vec::new(),
            }),
        ];
        let svg = topology(&devices);
        assert!(svg.contains("data-nodes=\"2\" data-links=\"1\""), "{svg}");
        assert!(
            svg.contains(">x&lt;script&gt;alert(1)&lt;/scri…</text>"),
            "{svg}"
        );
        assert!(svg.contains(">peca-sw02</text>"), "{svg}");
        assert!(svg.contains("Hua[31mwei"), "{svg}");
        assert!(!svg.contains("\\u{"), "{svg}");
        assert!(!svg.contains("00 00"), "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
        assert!(svg.contains("<g class=\"node banned flagged\">"), "{svg}");
        assert!(svg.contains("viewBox=\"0 0 "), "{svg}");
    }
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
            .judgement
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
            .identification
            .conflicts
            .iter()
            .map(|e| format!("{} says {}", escape(&e.source), opt(&e.vendor)))
            .collect();
        let _ = write!(
            out,
            r#"<tr class="device {v}{under}" data-verdict="{v}" data-via="{via}"{by}><td class="address">{}</td><td class="verdict" style="color:{}">{v}</td><td class="deadline">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>{}{}{}<td>{:.2}</td><td><details><summary>{}{}</summary><ul>{}</ul>{}<ul>{}</ul>{}</details></td></tr>"#,
            escape(&d.address),
            colour(d.judgement.verdict),
            escape(&super::action::deadline(d)),
            opt(&d.identification.vendor),
            opt(&d.identification.model),
            opt(&d.identification.serial),
            opt(&d.sys_name),
            opt(&d.identification.version),
            via,
            sourced_cell("site", &d.context.site),
            sourced_cell("role", &d.context.role),
            sourced_cell("technology", &d.context.technology),
            d.identification.confidence,
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
            context_details(d),
            v = d.judgement.verdict,
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

/// The whole page; `shares` are the policies' caps over the sweep.
pub fn page(
    devices: &[DeviceRecord],
    summary: &SweepSummary,
    shares: &[Share],
    provenance: &Provenance,
) -> String {
    let line = format!(
        "netorigin {}; rules: {} curated enterprise numbers, {}, {} sysDescr fingerprints; OUIs: {}; policies: {}",
        provenance.netorigin,
        provenance.enterprise_numbers,
        provenance.enterprise_registry,
        provenance.sysdescr_rules,
        provenance.oui_registry,
        provenance.policy
    );
    page_stored(devices, summary, shares, &line)
}

/// The whole page of a stored sweep, `data_versions` being the line it was stored with.
pub fn page_stored(
    devices: &[DeviceRecord],
    summary: &SweepSummary,
    shares: &[Share],
    data_versions: &str,
) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for d in devices {
        *counts.entry(d.judgement.verdict.to_string()).or_default() += 1;
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
        ("site", "site"),
        ("role", "role"),
        ("technology", "technology"),
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
<p class="provenance">{provenance}</p></section>
{shares}
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
        provenance = escape(data_versions),
        shares = super::shares::html_section(shares),
        chart = chart(devices),
        topology = topology(devices),
        rows = device_rows(devices),
    )
}

/// The CSP hash of the page's one script, so that no other script can run.
fn script_hash() -> String {
    csp_hash(SCRIPT)
}

/// The base64 SHA-256 of a script or style element's text, as a Content-Security-Policy
/// names it (`'sha256-...'`).
pub(crate) fn csp_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    base64(&Sha256::digest(text.as_bytes()))
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
