//! The lists of devices and modules, by filters, a page at a time, and their exports: every
//! row matching the filters as CSV (spreadsheet-safe cells) or JSON.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::{Deserialize, Serialize};

use super::{Reader, Viewer, Web, encode, html_page, layout, n, shown, shown_opt, when};
use crate::central::pages::{DeviceRow, ModuleRow, Search};
use crate::record::Verdict;
use crate::report::{spreadsheet_safe, terminal_safe};

/// Rows a list page shows.
const PER_PAGE: u64 = 100;

/// The deepest page a list goes to (100,000 rows in): past it, narrow the filters or export.
const MAX_PAGE: u64 = 1_000;

/// The most rows an export holds (`X-Netorigin-Truncated: true` when there were more).
pub const EXPORT_MAX: u64 = 250_000;

/// A list's filters as they come in the address; an empty field is no filter.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub(super) struct Filters {
    #[serde(default)]
    site: Option<String>,
    #[serde(default)]
    vendor: Option<String>,
    #[serde(default)]
    origin: Option<String>,
    #[serde(default)]
    verdict: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    serial: Option<String>,
    #[serde(default)]
    address: Option<String>,
    #[serde(default)]
    q: Option<String>,
    #[serde(default)]
    page: Option<String>,
}

fn given(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

impl Filters {
    /// The search these filters ask for, or what is wrong with them.
    fn search(&self) -> Result<Search, String> {
        let verdict = match given(&self.verdict) {
            None => None,
            Some(v) => Some(v.parse::<Verdict>().map_err(|_| {
                format!(
                    "verdict {:?}: expected banned, review, clear or unknown",
                    shown(&v)
                )
            })?),
        };
        Ok(Search {
            site: given(&self.site),
            vendor: given(&self.vendor),
            origin: given(&self.origin),
            verdict,
            model: given(&self.model),
            serial: given(&self.serial),
            address: given(&self.address),
            text: given(&self.q),
        })
    }

    fn page(&self) -> u64 {
        given(&self.page)
            .and_then(|p| p.parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, MAX_PAGE)
    }

    /// The filters as a query string (no page), for links and exports.
    fn query(&self) -> String {
        let pairs = [
            ("site", &self.site),
            ("vendor", &self.vendor),
            ("origin", &self.origin),
            ("verdict", &self.verdict),
            ("model", &self.model),
            ("serial", &self.serial),
            ("address", &self.address),
            ("q", &self.q),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", encode(&v))))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn with_page(&self, page: u64) -> String {
        let q = self.query();
        if q.is_empty() {
            format!("page={page}")
        } else {
            format!("{q}&page={page}")
        }
    }
}

fn value(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The filter form, every field as given.
fn form(action: &str, f: &Filters) -> Markup {
    let verdict = given(&f.verdict).unwrap_or_default();
    html! {
        form #filters.filters method="get" action=(action) {
            label { "Search " input #q type="search" name="q" value=(value(&f.q)) placeholder="name, vendor, model, serial, address"; }
            label { "Site " input #site name="site" value=(value(&f.site)); }
            label { "Vendor " input #vendor name="vendor" value=(value(&f.vendor)); }
            label { "Origin " input #origin name="origin" value=(value(&f.origin)); }
            label { "Model " input #model name="model" value=(value(&f.model)); }
            label { "Serial " input #serial name="serial" value=(value(&f.serial)); }
            label { "Address " input #address name="address" value=(value(&f.address)) placeholder="10.1. or 10.1.2.3"; }
            label { "Verdict "
                select #verdict name="verdict" {
                    option value="" selected[verdict.is_empty()] { "any" }
                    @for v in Verdict::ALL { option value=(v.as_str()) selected[verdict == v.as_str()] { (v.as_str()) } }
                }
            }
            button #apply type="submit" { "Apply" }
        }
    }
}

fn pager(path: &str, f: &Filters, page: u64, shown_rows: usize, total: (u64, bool)) -> Markup {
    // A capped count (not exact) does not say where the list ends: a full page does.
    let (total, exact) = total;
    let more =
        shown_rows as u64 == PER_PAGE && page < MAX_PAGE && (!exact || page * PER_PAGE < total);
    html! {
        nav.pager {
            @if page > 1 { a #prev-page href={ (path) "?" (f.with_page(page - 1)) } { "← previous" } " " }
            "page " (page)
            @if more { " " a #next-page href={ (path) "?" (f.with_page(page + 1)) } { "next →" } }
        }
    }
}

fn exports(base: &str, f: &Filters) -> Markup {
    let q = f.query();
    html! {
        p.exports { "Export with these filters: "
            a #export-csv href={ "/" (base) ".csv?" (q) } download { "CSV" } " · "
            a #export-json href={ "/" (base) ".json?" (q) } download { "JSON" }
            " (at most " (n(EXPORT_MAX)) " rows)" }
    }
}

fn bad_filters(
    who: &crate::central::Principal,
    title: &str,
    action: &str,
    f: &Filters,
    message: &str,
) -> Response {
    html_page(
        StatusCode::BAD_REQUEST,
        layout(
            title,
            Some(who),
            html! { h1 { (title) } (form(action, f)) p #problem.error { (message) } },
        ),
    )
}

pub(super) async fn devices(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Query(f): Query<Filters>,
) -> Response {
    let search = match f.search() {
        Ok(s) => s,
        Err(m) => return bad_filters(&who, "Devices", "/devices", &f, &m),
    };
    let page = f.page();
    let found = match web.api.central.search(&search, page, PER_PAGE).await {
        Ok(p) => p,
        Err(e) => return super::unavailable(&who, &e),
    };
    let body = html! {
        h1 { "Devices" }
        (form("/devices", &f))
        div #results {
            p { span #total { (n(found.total)) @if !found.total_exact { "+" } } " current devices match." }
            (exports("devices", &f))
            table #devices.sortable {
                thead { tr { th { "Address" } th { "Name" } th { "Site" } th { "Vendor" } th { "Origin" } th { "Model" } th { "Version" } th { "Serial" } th { "Verdict" } th { "Banned modules" } th { "Deadline" } th { "Last seen" } } }
                tbody { @for d in &found.rows { (device_row(d)) } }
            }
            (pager("/devices", &f, page, found.rows.len(), (found.total, found.total_exact)))
        }
    };
    html_page(StatusCode::OK, layout("Devices", Some(&who), body))
}

fn device_row(d: &DeviceRow) -> Markup {
    html! {
        tr.device {
            td.address { a.device-link href={ "/devices/" (d.id) } { (shown(&d.address)) } }
            td.name { (shown_opt(d.sys_name.as_deref())) }
            td.site { (shown(&d.site)) }
            td.vendor { (shown_opt(d.vendor.as_deref())) }
            td.origin { (shown_opt(d.origin.as_deref())) }
            td.model { (shown_opt(d.model.as_deref())) }
            td.version { (shown_opt(d.version.as_deref())) }
            td.serial { (shown_opt(d.serial.as_deref())) }
            td class={ "verdict " (d.verdict) } { (d.verdict) }
            td.banned-modules { (n(d.banned_modules)) " of " (n(d.modules)) }
            td.deadline { (shown_opt(d.earliest_deadline.as_deref())) }
            td.last-seen { (when(d.last_seen_ms)) }
        }
    }
}

pub(super) async fn modules(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Query(f): Query<Filters>,
) -> Response {
    let search = match f.search() {
        Ok(s) => s,
        Err(m) => return bad_filters(&who, "Modules", "/modules", &f, &m),
    };
    let page = f.page();
    let found = match web.api.central.modules(&search, page, PER_PAGE).await {
        Ok(p) => p,
        Err(e) => return super::unavailable(&who, &e),
    };
    let body = html! {
        h1 { "Modules" }
        p.hint { "Line cards, optics, power supplies and fans of current devices (ENTITY-MIB). Vendor, origin, model, serial and verdict filter the module itself; site and address its device." }
        (form("/modules", &f))
        div #results {
            p { span #total { (n(found.total)) @if !found.total_exact { "+" } } " modules match." }
            (exports("modules", &f))
            table #modules-list.sortable {
                thead { tr { th { "Device" } th { "Site" } th { "#" } th { "Class" } th { "Model" } th { "Serial" } th { "Vendor" } th { "Origin" } th { "Verdict" } } }
                tbody { @for m in &found.rows {
                    tr.module {
                        td.address { a.device-link href={ "/devices/" (m.device_id) } { (shown(&m.address)) } }
                        td.site { (shown(&m.site)) } td { (m.idx) } td { (shown_opt(m.class.as_deref())) }
                        td.model { (shown_opt(m.model.as_deref())) } td.serial { (shown_opt(m.serial.as_deref())) }
                        td.vendor { (shown_opt(m.vendor.as_deref())) } td.origin { (shown_opt(m.origin.as_deref())) }
                        td class={ "verdict " (m.verdict.map(|v| v.as_str()).unwrap_or("unknown")) } { (m.verdict.map(|v| v.as_str()).unwrap_or("-")) }
                    }
                } }
            }
            (pager("/modules", &f, page, found.rows.len(), (found.total, found.total_exact)))
        }
    };
    html_page(StatusCode::OK, layout("Modules", Some(&who), body))
}

/// A cell for a CSV export: control characters spelt out, never a formula.
fn cell(s: &str) -> String {
    spreadsheet_safe(&terminal_safe(s))
}

fn opt_cell(s: &Option<String>) -> String {
    s.as_deref().map(cell).unwrap_or_default()
}

/// The device export's columns.
pub const DEVICE_COLUMNS: [&str; 16] = [
    "site",
    "address",
    "sys_name",
    "vendor",
    "origin",
    "model",
    "version",
    "serial",
    "verdict",
    "modules",
    "banned_modules",
    "earliest_deadline",
    "first_seen",
    "last_seen",
    "moved_from",
    "id",
];

fn device_csv(rows: &[DeviceRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(DEVICE_COLUMNS)?;
    for d in rows {
        w.write_record([
            cell(&d.site),
            cell(&d.address),
            opt_cell(&d.sys_name),
            opt_cell(&d.vendor),
            opt_cell(&d.origin),
            opt_cell(&d.model),
            opt_cell(&d.version),
            opt_cell(&d.serial),
            d.verdict.to_string(),
            d.modules.to_string(),
            d.banned_modules.to_string(),
            opt_cell(&d.earliest_deadline),
            when(d.first_seen_ms),
            when(d.last_seen_ms),
            opt_cell(&d.moved_from),
            d.id.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The module export's columns.
pub const MODULE_COLUMNS: [&str; 11] = [
    "site",
    "address",
    "device_vendor",
    "index",
    "class",
    "model",
    "serial",
    "vendor",
    "origin",
    "verdict",
    "device_id",
];

fn module_csv(rows: &[ModuleRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(MODULE_COLUMNS)?;
    for m in rows {
        w.write_record([
            cell(&m.site),
            cell(&m.address),
            opt_cell(&m.device_vendor),
            m.idx.to_string(),
            opt_cell(&m.class),
            opt_cell(&m.model),
            opt_cell(&m.serial),
            opt_cell(&m.vendor),
            opt_cell(&m.origin),
            m.verdict.map(|v| v.to_string()).unwrap_or_default(),
            m.device_id.to_string(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// An export's answer: every row (up to [`EXPORT_MAX`]) as CSV or JSON, with
/// `X-Netorigin-Truncated: true` when there were more.
fn export<R: Serialize>(
    mut rows: Vec<R>,
    csv: bool,
    name: &str,
    to_csv: fn(&[R]) -> Result<Vec<u8>, csv::Error>,
) -> Response {
    let truncated = rows.len() as u64 > EXPORT_MAX;
    rows.truncate(EXPORT_MAX as usize);
    let (body, kind, ext) = match csv {
        true => (
            to_csv(&rows).map_err(|e| e.to_string()),
            "text/csv; charset=utf-8",
            "csv",
        ),
        false => (
            serde_json::to_vec(&rows).map_err(|e| e.to_string()),
            "application/json",
            "json",
        ),
    };
    let body = match body {
        Ok(b) => b,
        Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, format!("{ext}: {e}")),
    };
    let mut r = (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{ext}\""),
            ),
        ],
        body,
    )
        .into_response();
    if truncated {
        r.headers_mut().insert(
            "x-netorigin-truncated",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    r
}

fn refused(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message + "\n",
    )
        .into_response()
}

fn database_down(e: crate::central::CentralError) -> Response {
    tracing::error!("export: {e}");
    refused(
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is unavailable".into(),
    )
}

/// `/devices.csv` (`CSV`) and `/devices.json`: the current devices the filters match.
pub(super) async fn devices_export<const CSV: bool>(
    State(web): State<Arc<Web>>,
    _reader: Reader,
    Query(f): Query<Filters>,
) -> Response {
    let rows = async {
        let search = f
            .search()
            .map_err(|m| refused(StatusCode::BAD_REQUEST, m))?;
        let c = &web.api.central;
        c.search_all(&search, EXPORT_MAX + 1)
            .await
            .map_err(database_down)
    };
    match rows.await {
        Ok(rows) => export(rows, CSV, "devices", device_csv),
        Err(r) => r,
    }
}

/// `/modules.csv` (`CSV`) and `/modules.json`: the modules of current devices the filters
/// match.
pub(super) async fn modules_export<const CSV: bool>(
    State(web): State<Arc<Web>>,
    _reader: Reader,
    Query(f): Query<Filters>,
) -> Response {
    let rows = async {
        let search = f
            .search()
            .map_err(|m| refused(StatusCode::BAD_REQUEST, m))?;
        // A page at a time, as many as make one row past the cap (a bounded loop).
        let per = crate::central::pages::MAX_PER_PAGE;
        let mut rows = Vec::new();
        for page in 1..=EXPORT_MAX / per + 1 {
            let p = web
                .api
                .central
                .modules(&search, page, per)
                .await
                .map_err(database_down)?;
            let last = (p.rows.len() as u64) < per;
            rows.extend(p.rows);
            if last || rows.len() as u64 > EXPORT_MAX {
                break;
            }
        }
        Ok(rows)
    };
    match rows.await {
        Ok(rows) => export(rows, CSV, "modules", module_csv),
        Err(r) => r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_a_search_and_a_link() {
        let f = Filters {
            vendor: Some(" Huawei ".into()),
            verdict: Some("banned".into()),
            q: Some("".into()),
            address: Some("10.1.".into()),
            ..Filters::default()
        };
        let s = f.search().unwrap();
        assert_eq!(s.vendor.as_deref(), Some("Huawei"));
        assert_eq!(s.verdict, Some(Verdict::Banned));
        assert_eq!(s.text, None);
        assert_eq!(f.query(), "vendor=Huawei&verdict=banned&address=10.1.");
        assert_eq!(
            f.with_page(3),
            "vendor=Huawei&verdict=banned&address=10.1.&page=3"
        );
        let bad = Filters {
            verdict: Some("evil<".into()),
            ..Filters::default()
        };
        assert!(bad.search().unwrap_err().contains("expected banned"));
        assert_eq!(Filters::default().page(), 1);
    }

    #[test]
    fn export_cells_are_neither_formulas_nor_escapes() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(cell("@SUM(1)"), "'@SUM(1)");
        assert_eq!(cell("plain"), "plain");
    }
}
