//! The printable page of a ledger report: one self-contained HTML file (no script, no fetch;
//! its one style allowed by hash in its Content-Security-Policy), every piece of device text
//! escaped. Printed (headless Chromium's `--print-to-pdf`, or a browser's print) it is A4 in
//! landscape, each section on pages of its own, and every page's header names the report,
//! the site it is limited to and its day, its footer the page number.

use std::fmt::Write as _;

use super::{Basis, Cell, Scope, Sheet};
use crate::report::html::{csp_hash, escape};
use crate::report::terminal_safe;
use crate::store::timestamp;

/// `s` as a CSS string's content: control and invisible characters made visible first
/// ([`terminal_safe`]), then everything but letters, digits and plain punctuation escaped, so
/// that nothing in it can end the string or the style element.
fn css_string(s: &str) -> String {
    let mut out = String::new();
    for c in terminal_safe(s).chars() {
        if c.is_ascii_alphanumeric() || " .,:;-_/()#@%+".contains(c) {
            out.push(c);
        } else {
            let _ = write!(out, "\\{:x} ", u32::from(c));
        }
    }
    out
}

/// Device text for the page: invisible and control characters made visible, then escaped.
fn safe(s: &str) -> String {
    escape(&terminal_safe(s))
}

/// The page's style: the screen's, and the printed page's with its running header naming
/// `running` and its page numbers.
fn style(running: &str) -> String {
    format!(
        "body{{font-family:sans-serif;color:#222;margin:1.5em}}\
h1{{font-size:20px;margin:0 0 .2em}}h2{{font-size:16px;margin:1em 0 .4em}}h3{{font-size:13px}}\
p,li,dd,dt{{font-size:12px}}.scope{{color:#555}}\
table{{border-collapse:collapse;width:100%}}thead{{display:table-header-group}}\
th,td{{border:1px solid #ccc;padding:2px 4px;text-align:left;vertical-align:top;font-size:11px;overflow-wrap:anywhere}}\
th{{background:#eee;overflow-wrap:normal}}td{{min-width:6ch}}td.identity,td.rule{{min-width:14ch}}\
td.kind,td.acquired,td.first_seen,td.state,td.since,td.target,td.deadline,td.removed,td.reappeared,td.last_seen,td.next_deadline,td.jurisdiction{{white-space:nowrap}}\
td.n{{text-align:right;white-space:nowrap}}td.warn{{color:#b71c1c;font-weight:bold}}\
tr.total td{{font-weight:bold;border-top:2px solid #444}}tr{{break-inside:avoid}}\
dt{{font-weight:bold;margin-top:.4em}}dd{{margin-left:1.5em}}code{{font-size:11px;overflow-wrap:anywhere}}\
@page{{size:A4 landscape;margin:16mm 10mm 14mm 10mm;\
@top-left{{content:\"{running}\";font:9pt sans-serif;color:#333}}\
@bottom-right{{content:\"page \" counter(page) \" of \" counter(pages);font:8pt sans-serif;color:#555}}}}\
@media print{{body{{margin:0}}section+section{{break-before:page}}th,td{{font-size:7.5pt}}\
p,li,dd,dt{{font-size:9pt}}h1{{font-size:15pt}}h2{{font-size:12pt}}}}",
        running = css_string(running)
    )
}

/// Whether a count is one people should look at (overdue, reappeared, unconfirmed absent).
fn warns(key: &str, cell: &Cell) -> bool {
    matches!(key, "overdue" | "reappeared" | "unconfirmed_absent")
        && matches!(cell, Cell::Count(n) if *n > 0)
}

/// The report's table: a header repeated on every printed page, the total row last.
fn table(sheet: &Sheet) -> String {
    let head: String = sheet
        .columns
        .iter()
        .map(|c| {
            format!(
                r#"<th data-key="{}">{}</th>"#,
                c.key,
                c.key.replace('_', " ")
            )
        })
        .collect();
    let mut body = String::new();
    let rows = sheet
        .rows
        .iter()
        .map(|r| (r, ""))
        .chain(sheet.total.as_ref().map(|t| (t, r#" class="total""#)));
    for (row, class) in rows {
        body.push_str(&format!("<tr{class}>"));
        for (c, cell) in sheet.columns.iter().zip(row) {
            let numeric = matches!(cell, Cell::Count(_) | Cell::Days(_) | Cell::Tenths(_));
            let class = match (numeric, warns(c.key, cell)) {
                (_, true) => "n warn",
                (true, false) => "n",
                (false, false) => c.key,
            };
            let _ = write!(body, r#"<td class="{class}">{}</td>"#, safe(&cell.words()));
        }
        body.push_str("</tr>");
    }
    format!(
        r#"<table id="{}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"#,
        sheet.kind.name()
    )
}

/// What the report rests on: the sweeps, their data versions, the ledger, the pack.
fn rests_on(basis: &Basis) -> String {
    let mut out = String::from(
        r#"<section id="rests-on"><h2>What this report rests on</h2><table class="sweeps"><thead><tr><th>sweep</th><th>UUID</th><th>site</th><th>started</th><th>status</th><th>judged on</th></tr></thead><tbody>"#,
    );
    for s in &basis.sweeps {
        let _ = write!(
            out,
            r#"<tr><td class="n">#{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"#,
            s.id,
            s.uuid,
            safe(s.site.as_deref().unwrap_or("-")),
            timestamp(s.started_ms),
            safe(&s.status),
            safe(&s.judged_on)
        );
    }
    out.push_str("</tbody></table>");
    if basis.sweeps.is_empty() {
        out.push_str("<p>No sweep: the ledger holds no item here.</p>");
    }
    out.push_str("<h3>Data versions</h3><ul>");
    for v in basis.data_versions() {
        let _ = write!(out, "<li>{}</li>", safe(v));
    }
    let _ = write!(
        out,
        r#"</ul><h3>Ledger</h3><p id="ledger">{}.</p>"#,
        safe(&basis.ledger_line())
    );
    if let Some(p) = &basis.pack {
        let _ = write!(
            out,
            r#"<h3>Evidence pack</h3><p id="pack">{}: SHA-256 <code>{}</code></p>"#,
            safe(&p.file),
            safe(&p.sha256)
        );
    }
    out.push_str("</section>");
    out
}

/// The whole page of `sheet`, limited as `scope` says, resting on `basis`.
pub fn page(sheet: &Sheet, scope: &Scope, basis: &Basis) -> String {
    let title = sheet.kind.title();
    let running = format!("netorigin: {title}; {}", scope.line());
    let style = style(&running);
    let means: String = sheet
        .columns
        .iter()
        .map(|c| {
            format!(
                "<dt>{}</dt><dd>{}</dd>",
                c.key.replace('_', " "),
                escape(c.means)
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-{hash}'">
<title>{title_text}</title><style>{style}</style></head>
<body>
<section id="report"><header><h1>{title}</h1><p class="scope">{scope}</p></header>
{table}</section>
{rests_on}
<section id="columns"><h2>What the columns mean</h2><dl>{means}</dl></section>
</body></html>
"#,
        hash = csp_hash(&style),
        title_text = safe(&running),
        scope = safe(&scope.line()),
        table = table(sheet),
        rests_on = rests_on(basis),
    )
}
