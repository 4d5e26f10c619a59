//! The overview, a site's page and a device's page.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{Markup, html};

use super::chart::{self, Day, Mark};
use super::{Viewer, Web, encode, html_page, layout, n, now_ms, raw, shown, shown_opt, when};
use crate::central::pages::{Burndown, DeadlineMark, DeviceDetail};
use crate::central::{CentralError, Filter, SiteCounts, Summary};
use crate::date::Date;
use crate::record::{DeviceRecord, LedgerState, Sourced, Verdict};

/// The overview's figures as last computed.
pub(super) struct Overview {
    summary: Summary,
    burndown: Burndown,
    nearest: Vec<DeadlineMark>,
    at_ms: i64,
}

#[derive(Clone)]
struct Cached {
    generation: u64,
    day: Date,
    computed: Instant,
    took_ms: u128,
    data: Arc<Overview>,
}

/// The overview, computed once per stored bundle (and at most once a minute), so a NOC
/// screen refreshing it costs the database nothing. Where computing it is slow (a large fleet),
/// a page after an upload shows the last figures, with their time, while new ones are made.
#[derive(Default)]
pub(super) struct OverviewCache {
    slot: Mutex<Option<Cached>>,
    /// A refresh runs in the background.
    refreshing: AtomicBool,
    /// Held while the figures are made: one at a time, however many pages ask.
    making: tokio::sync::Mutex<()>,
}

/// Figures older than this are made again.
const MOST_AGE_SECS: u64 = 60;
/// Figures that took longer than this to make are shown while new ones are made.
const SLOW_MS: u128 = 150;

/// The figures held, if they are current: made after the last stored bundle, today, within
/// the last minute.
fn fresh(web: &Web) -> Option<Cached> {
    let held = web.overview.slot.lock().unwrap_or_else(|p| p.into_inner());
    held.as_ref()
        .filter(|c| {
            c.generation == web.generation()
                && c.day == Date::today()
                && c.computed.elapsed().as_secs() < MOST_AGE_SECS
        })
        .cloned()
}

async fn compute(web: &Web) -> Result<Cached, CentralError> {
    let _one = web.overview.making.lock().await;
    // Made while this one waited its turn.
    if let Some(c) = fresh(web) {
        return Ok(c);
    }
    let started = Instant::now();
    let generation = web.generation();
    let today = Date::today();
    let c = &web.api.central;
    let summary = c.summary(&Filter::default(), today).await?;
    let burndown = c.burndown(today).await?;
    let nearest = crate::central::pages::ahead(&burndown.deadlines, today, 5);
    let cached = Cached {
        generation,
        day: today,
        computed: Instant::now(),
        took_ms: started.elapsed().as_millis(),
        data: Arc::new(Overview {
            summary,
            burndown,
            nearest,
            at_ms: now_ms(),
        }),
    };
    *web.overview.slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(cached.clone());
    Ok(cached)
}

/// Makes the overview's figures once, as the server starts, so the first page is quick too.
pub(super) async fn warm(web: Arc<Web>) {
    if let Err(e) = compute(&web).await {
        tracing::warn!("overview: {e}");
    }
}

/// Clears the refreshing mark however the refresh ends (an error, a panic).
struct Refreshing(Arc<Web>);

impl Drop for Refreshing {
    fn drop(&mut self) {
        self.0.overview.refreshing.store(false, Ordering::Release);
    }
}

async fn overview_data(web: &Arc<Web>) -> Result<Arc<Overview>, CentralError> {
    if let Some(c) = fresh(web) {
        return Ok(c.data);
    }
    let held = web
        .overview
        .slot
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    match held {
        Some(c) if c.took_ms > SLOW_MS => {
            if !web.overview.refreshing.swap(true, Ordering::AcqRel) {
                let mark = Refreshing(web.clone());
                tokio::spawn(async move {
                    if let Err(e) = compute(&mark.0).await {
                        tracing::error!("overview: {e}");
                    }
                    drop(mark);
                });
            }
            Ok(c.data)
        }
        _ => Ok(compute(web).await?.data),
    }
}

pub(super) async fn overview(State(web): State<Arc<Web>>, Viewer(who): Viewer) -> Response {
    let o = match overview_data(&web).await {
        Ok(o) => o,
        Err(e) => return super::unavailable(&who, &e),
    };
    let today = Date::today();
    let days: Vec<Day> = o
        .burndown
        .points
        .iter()
        .filter_map(|p| {
            Some(Day {
                day: Date::parse(&p.day)?,
                devices: p.banned_devices,
                modules: p.banned_modules,
            })
        })
        .collect();
    let marks: Vec<Mark> = o
        .burndown
        .deadlines
        .iter()
        .filter_map(|d| {
            Some(Mark {
                day: Date::parse(&d.day)?,
                label: format!("{}: {}", d.policy, d.rule),
                devices: d.devices,
            })
        })
        .collect();
    let t = &o.summary.total;
    let body = html! {
        h1 { "Fleet overview" }
        p.asof { "Figures as of " (when(o.at_ms)) ", " (n(o.summary.sites.len() as u64)) " sites." }
        div.cards {
            (card("banned", t.banned, Some("/devices?verdict=banned")))
            (card("review", t.review, Some("/devices?verdict=review")))
            (card("unknown", t.unknown, Some("/devices?verdict=unknown")))
            (card("overdue", t.overdue, None))
            (card("removed", t.removed, None))
            (card("devices", t.devices, Some("/devices")))
        }
        section {
            h2 { "Burn-down" }
            (raw(chart::burndown(&days, &marks, today)))
            p #pace { (pace_words(&days, &marks, today)) }
        }
        section {
            h2 { "Nearest deadlines" }
            @if o.nearest.is_empty() { p { "No deadline ahead." } }
            ol #deadlines {
                @for d in &o.nearest {
                    li {
                        strong { (d.day) }
                        @if let Some(day) = Date::parse(&d.day) { " (in " (day.days() - today.days()) " days)" }
                        " — " (d.policy) ": " (d.rule) " — " (n(d.devices)) " devices"
                    }
                }
            }
        }
        section {
            h2 { "Sites" }
            table #sites.sortable {
                thead { tr { th { "Site" } th { "Devices" } th { "Banned" } th { "Review" } th { "Unknown" } th { "Overdue" } th { "Removed" } th { "Moved in" } th { "Last sweep" } th { "Sweeps" } } }
                tbody {
                    @for s in &o.summary.sites {
                        tr.site { td { a.site-link href={ "/sites/" (encode(&s.site)) } { (s.site) } } (counts(s)) }
                    }
                }
                tfoot { tr #total { td { "Total" } (counts(t)) } }
            }
        }
        @if t.ledger.items() > 0 {
            section {
                h2 { "Removal ledger" }
                (ledger_table(&o.summary.sites, Some(t)))
            }
        }
    };
    html_page(StatusCode::OK, layout("Overview", Some(&who), body))
}

/// Each site's removal-ledger items (devices and modules) by state, as its newest applied
/// bundle carried them (issue 21), and the total when given.
fn ledger_table(sites: &[SiteCounts], total: Option<&SiteCounts>) -> Markup {
    let cells = |s: &SiteCounts| {
        html! {
            @for state in LedgerState::ALL { td class=(state.as_str()) { (n(s.ledger.of(state))) } }
            td.reappeared { (n(s.ledger.reappeared)) }
            td.remaining { (n(s.ledger.remaining)) }
        }
    };
    html! {
        table #ledger.sortable {
            thead { tr {
                th { "Site" }
                @for state in LedgerState::ALL { th { (state.as_str()) } }
                th { "reappeared" } th { "remaining" }
            } }
            tbody { @for s in sites {
                tr.ledger-site { td { a href={ "/sites/" (encode(&s.site)) } { (shown(&s.site)) } } (cells(s)) }
            } }
            @if let Some(t) = total { tfoot { tr #ledger-total { td { "Total" } (cells(t)) } } }
        }
        p.note { "Remaining: still on the network, in a state on it (found, planned, decommissioned) or seen again by a sweep after it was marked off it." }
    }
}

fn card(what: &str, v: u64, link: Option<&str>) -> Markup {
    html! {
        div class={ "card " (what) } {
            span.figure { @if let Some(l) = link { a href=(l) { (n(v)) } } @else { (n(v)) } }
            span.what { (what) }
        }
    }
}

fn counts(s: &SiteCounts) -> Markup {
    let site_q = if s.site.is_empty() {
        String::new()
    } else {
        format!("site={}&", encode(&s.site))
    };
    html! {
        td.devices { (n(s.devices)) }
        td.banned { a href={ "/devices?" (site_q) "verdict=banned" } { (n(s.banned)) } }
        td.review { (n(s.review)) }
        td.unknown { (n(s.unknown)) }
        td.overdue { (n(s.overdue)) }
        td.removed { (n(s.removed)) }
        td.moved-in { (n(s.moved_in)) }
        td.last-sweep { (s.last_sweep_ms.map(when).unwrap_or_else(|| "-".into())) }
        td.sweeps { (n(s.sweeps)) }
    }
}

/// "Will we make it?" in words: where the last 30 days' pace leads against the next deadline.
fn pace_words(days: &[Day], marks: &[Mark], today: Date) -> String {
    let Some(p) = chart::pace(days) else {
        return "Too few sweeps in the last 30 days to tell a pace.".into();
    };
    let next = marks
        .iter()
        .filter(|m| m.day >= today)
        .min_by_key(|m| m.day);
    let pace = format!(
        "{:+.1} banned devices a day over the last 30 days",
        p.per_day
    );
    match (p.zero_on, next) {
        (_, _) if p.last == 0 => "No banned device is left.".into(),
        (Some(zero), Some(m)) if zero <= m.day => {
            format!(
                "On track: {pace}; none left by {zero}, before {} ({}).",
                m.day, m.label
            )
        }
        (_, Some(m)) => format!(
            "Behind: {pace}; about {} would remain on {} ({}).",
            n(p.on(m.day)),
            m.day,
            m.label
        ),
        (Some(zero), None) => format!("{pace}; none left by {zero}."),
        (None, None) => format!("{pace}; not falling."),
    }
}

pub(super) async fn site(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Path(name): Path<String>,
) -> Response {
    let c = &web.api.central;
    let detail = match c.site_detail(&name, MAX_SITE_DEVICES).await {
        Ok(d) => d,
        Err(e) => return super::unavailable(&who, &e),
    };
    let filter = Filter {
        site: Some(name.clone()),
        ..Filter::default()
    };
    let since = now_ms() - 30 * 86_400_000;
    let changes = match c.diff(since, &filter).await {
        Ok(ch) => ch,
        Err(e) => return super::unavailable(&who, &e),
    };
    // The records once, for the drawing and the table both (no copy of each).
    let (ids, records): (Vec<i64>, Vec<DeviceRecord>) = detail.devices.into_iter().unzip();
    let s = &detail.counts;
    let body = html! {
        h1 #site-name { "Site " (shown(&name)) }
        div.cards {
            (card("banned", s.banned, None)) (card("review", s.review, None)) (card("unknown", s.unknown, None))
            (card("overdue", s.overdue, None)) (card("removed", s.removed, None)) (card("devices", s.devices, None))
        }
        @if s.ledger.items() > 0 {
            section {
                h2 { "Removal ledger" }
                (ledger_table(std::slice::from_ref(s), None))
            }
        }
        p { a href={ "/devices?site=" (encode(&name)) } { "All its devices in the list" } " · "
            a href={ "/devices?site=" (encode(&name)) "&verdict=banned" } { "its banned devices" } " · "
            a href={ "/sweeps?site=" (encode(&name)) } { "compare any two of its sweeps" } }
        section {
            h2 { "Neighbour topology" }
            (raw(crate::report::html::topology(&records)))
        }
        section {
            h2 { "Last sweeps" }
            table #site-sweeps {
                thead { tr { th { "Started" } th { "Ended" } th { "Status" } th { "Devices" } th { "Applied" } } }
                tbody { @for w in &detail.sweeps {
                    tr.sweep {
                        td { a.sweep-link href={ "/sweeps/" (w.uuid) } { (when(w.started_ms)) } }
                        td { (w.ended_ms.map(when).unwrap_or_else(|| "-".into())) }
                        td { (w.status) } td { (n(w.devices)) } td { (if w.applied { "yes" } else { "no (older)" }) }
                    }
                } }
            }
        }
        section {
            h2 { "What changed in the last 30 days" }
            @if changes.is_empty() { p { "Nothing." } }
            table #site-changes {
                thead { tr { th { "When" } th { "Change" } th { "Address" } th { "Vendor" } th { "Model" } th { "Verdict" } th { "What" } } }
                tbody { @for ch in changes.iter().rev().take(200) {
                    tr.change {
                        td { (when(ch.at_ms)) } td.kind { (format!("{:?}", ch.kind).to_lowercase()) }
                        td { (shown(&ch.address)) } td { (shown_opt(ch.vendor.as_deref())) } td { (shown_opt(ch.model.as_deref())) }
                        td class={ "verdict " (ch.verdict) } { (ch.verdict) } td { (shown(&ch.changes.join("; "))) }
                    }
                } }
            }
        }
        section {
            h2 { "Devices" }
            @if records.len() as u64 >= MAX_SITE_DEVICES { p { "The first " (n(MAX_SITE_DEVICES)) " in work-list order; the list has them all." } }
            table #site-devices.sortable {
                thead { tr { th { "Address" } th { "Name" } th { "Vendor" } th { "Model" } th { "Verdict" } } }
                tbody { @for (id, d) in ids.iter().zip(&records) {
                    tr.device {
                        td.address { a.device-link href={ "/devices/" (id) } { (shown(&d.address)) } }
                        td { (shown_opt(d.sys_name.as_deref())) } td.vendor { (shown_opt(d.identification.vendor.as_deref())) }
                        td.model { (shown_opt(d.identification.model.as_deref())) }
                        td class={ "verdict " (d.judgement.verdict) } { (d.judgement.verdict) }
                    }
                } }
            }
        }
    };
    html_page(
        StatusCode::OK,
        layout(&format!("Site {name}"), Some(&who), body),
    )
}

/// The most devices a site's page draws and lists.
const MAX_SITE_DEVICES: u64 = 2_000;

pub(super) async fn device(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return super::problem(StatusCode::NOT_FOUND, &who, "no such device");
    };
    let d = match web.api.central.device(id).await {
        Ok(Some(d)) => d,
        Ok(None) => return super::problem(StatusCode::NOT_FOUND, &who, "no such device"),
        Err(e) => return super::unavailable(&who, &e),
    };
    let title = format!(
        "{} {}",
        d.record
            .identification
            .vendor
            .as_deref()
            .unwrap_or("Device"),
        d.record.address
    );
    html_page(
        StatusCode::OK,
        layout(&shown(&title), Some(&who), device_body(&d)),
    )
}

fn sourced(v: &Option<Sourced<String>>) -> Markup {
    html! { @match v { Some(v) => { (shown(&v.value)) " " small.source { "(" (shown(&v.source)) ")" } }, None => "-" } }
}

fn device_body(d: &DeviceDetail) -> Markup {
    let r = &d.record;
    let i = &r.identification;
    let today = Date::today();
    html! {
        h1 #device-name { (shown(r.sys_name.as_deref().unwrap_or(&r.address))) }
        p.status {
            span class={ "verdict " (r.judgement.verdict) } { (r.judgement.verdict) } " · site "
            a href={ "/sites/" (encode(&d.site)) } { (shown(&d.site)) }
            @if d.current { " · current" } @else if let Some(at) = d.removed_at_ms { " · removed (not found by the sweep of " (when(at)) ")" } @else { " · not current" }
        }
        dl #identity {
            dt { "Address" } dd.address { (shown(&r.address)) }
            dt { "Vendor" } dd.vendor { (shown_opt(i.vendor.as_deref())) }
            dt { "Brand" } dd.brand { (shown_opt(i.brand.as_deref())) }
            dt { "Origin" } dd.origin { (shown_opt(i.origin.as_deref())) }
            dt { "Model" } dd.model { (shown_opt(i.model.as_deref())) }
            dt { "OS" } dd.os { (shown_opt(i.os.as_deref())) }
            dt { "Version" } dd.version { (shown_opt(i.version.as_deref())) }
            dt { "Serial" } dd.serial { (shown_opt(i.serial.as_deref())) }
            dt { "Chassis MAC" } dd.chassis-mac { (i.chassis_mac.map(|m| m.to_string()).unwrap_or_else(|| "-".into())) }
            dt { "Verdict" } dd.verdict { (r.judgement.verdict) }
            dt { "Confidence" } dd.confidence { (format!("{:.2}", i.confidence)) }
            dt { "Description" } dd.descr { (shown_opt(r.sys_descr.as_deref())) }
            dt { "Location" } dd { (shown_opt(r.sys_location.as_deref())) }
            dt { "Role" } dd.role { (sourced(&r.context.role)) }
            dt { "Technology" } dd.technology { (sourced(&r.context.technology)) }
            dt { "Owner" } dd { (sourced(&r.context.owner)) }
            dt { "First seen" } dd { (when(d.first_seen_ms)) }
            dt { "Last seen" } dd { (when(d.last_seen_ms)) }
            @if let Some(m) = &d.moved_from { dt { "Moved from" } dd { (shown(m)) } }
        }
        h2 { "Findings" }
        (findings(r, today))
        h2 { "Evidence" }
        (evidence("evidence", &i.evidence))
        @if !i.conflicts.is_empty() { h3 { "Conflicting evidence" } (evidence("conflicts", &i.conflicts)) }
        h2 { "Modules" }
        (modules(r))
        h2 { "Neighbours" }
        (neighbours(r))
        h2 { "History" }
        table #history {
            thead { tr { th { "From" } th { "To" } th { "Site" } th { "Verdict" } th { "What changed" } th { "Sweeps" } } }
            tbody { @for s in &d.history {
                tr.span {
                    td { (when(s.first_seen_ms)) } td { (when(s.last_seen_ms)) }
                    td { (shown(&s.site)) @if let Some(m) = &s.moved_from { " (moved from " (shown(m)) ")" } }
                    td class={ "verdict " (s.verdict) } { (s.verdict) }
                    td { (shown(&s.changes.join("; "))) }
                    td { a href={ "/sweeps/" (s.first_sweep) } { "first" } " · " a href={ "/sweeps/" (s.last_sweep) } { "last" } }
                }
            } }
        }
        @if !r.notes.is_empty() { h2 { "Notes" } ul #notes { @for note in &r.notes { li { (shown(note)) } } } }
    }
}

fn findings(r: &DeviceRecord, today: Date) -> Markup {
    html! {
        @if r.judgement.findings.is_empty() { p { "No policy rule matched." } }
        table #findings {
            thead { tr { th { "Rule" } th { "Policy" } th { "Jurisdiction" } th { "Verdict" } th { "Reason" } th { "Module" } th { "Deadline" } th { "Days left" } th { "Exception" } } }
            tbody { @for f in &r.judgement.findings {
                tr.finding {
                    td.rule { (shown(&f.rule)) } td.policy { (shown(&f.policy)) } td { (shown_opt(f.jurisdiction.as_deref())) }
                    td class={ "verdict " (f.verdict) } { (f.verdict) } td { (shown(&f.reason)) }
                    td { (f.module.map(|m| m.to_string()).unwrap_or_else(|| "-".into())) }
                    td.deadline { (shown_opt(f.deadline.as_deref())) }
                    td.days-left { @match f.deadline.as_deref().and_then(Date::parse) {
                        Some(dl) => { @let left = dl.days() - today.days(); @if left < 0 { span.overdue { (-left) " days overdue" } } @else { (left) } },
                        None => "-",
                    } }
                    td { (shown_opt(f.exception.as_deref())) }
                }
            } }
        }
    }
}

fn evidence(id: &str, ev: &[crate::record::Evidence]) -> Markup {
    html! {
        table id=(id) {
            thead { tr { th { "Source" } th { "Value" } th { "Vendor" } th { "Origin" } th { "Weight" } } }
            tbody { @for e in ev {
                tr { td { (shown(&e.source)) } td.value { (shown(&e.value)) } td { (shown_opt(e.vendor.as_deref())) } td { (shown_opt(e.origin.as_deref())) } td { (format!("{:.2}", e.weight)) } }
            } }
        }
    }
}

fn modules(r: &DeviceRecord) -> Markup {
    html! {
        @if r.modules.is_empty() { p { "No modules reported (ENTITY-MIB)." } }
        table #modules.sortable {
            thead { tr { th { "#" } th { "Class" } th { "Name" } th { "Model" } th { "Serial" } th { "Vendor" } th { "Origin" } th { "Verdict" } } }
            tbody { @for m in &r.modules {
                tr.module {
                    td { (m.index) } td { (m.class.map(|c| c.to_string()).unwrap_or_else(|| "-".into())) }
                    td { (shown_opt(m.name.as_deref())) } td { (shown_opt(m.model.as_deref())) } td { (shown_opt(m.serial.as_deref())) }
                    td { (shown_opt(m.vendor.as_deref())) } td { (shown_opt(m.origin.as_deref())) }
                    @let v = m.verdict.unwrap_or(Verdict::Unknown);
                    td class={ "verdict " (v) } { (m.verdict.map(|v| v.as_str()).unwrap_or("-")) }
                }
            } }
        }
    }
}

fn neighbours(r: &DeviceRecord) -> Markup {
    html! {
        @if r.neighbors.is_empty() { p { "No LLDP or CDP neighbours reported." } }
        table #neighbours {
            thead { tr { th { "Protocol" } th { "Local port" } th { "Name" } th { "Chassis" } th { "Port" } th { "Platform" } th { "Addresses" } } }
            tbody { @for nb in &r.neighbors {
                tr.neighbour {
                    td { (nb.protocol) } td { (shown(&nb.local_port_descr.clone().unwrap_or_else(|| nb.local_port.to_string()))) }
                    td { (shown_opt(nb.sys_name.as_deref())) } td { (nb.chassis_id.as_ref().map(|c| shown(&c.to_string())).unwrap_or_else(|| "-".into())) }
                    td { (shown_opt(nb.port_id.as_deref())) } td { (shown_opt(nb.platform.as_deref())) }
                    td { @for a in &nb.management_addresses { a href={ "/devices?address=" (encode(a)) } { (shown(a)) } " " } }
                }
            } }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::central::LedgerCounts;

    #[test]
    fn the_ledger_table_counts_each_site_by_state_and_escapes_its_name() {
        let site = SiteCounts {
            site: "<b>TOR01</b>".into(),
            ledger: LedgerCounts {
                planned: 2,
                in_custody: 1,
                reappeared: 1,
                remaining: 3,
                ..LedgerCounts::default()
            },
            ..SiteCounts::default()
        };
        let html = ledger_table(std::slice::from_ref(&site), Some(&site)).into_string();
        assert!(html.contains(r#"<td class="planned">2</td>"#), "{html}");
        assert!(html.contains(r#"<td class="in-custody">1</td>"#), "{html}");
        assert!(html.contains(r#"<td class="remaining">3</td>"#), "{html}");
        assert!(html.contains("ledger-total"), "{html}");
        assert!(!html.contains("<b>TOR01"), "{html}");
        assert!(html.contains("/sites/%3Cb%3ETOR01"), "{html}");
    }
}
