//! The sweeps the server holds, one sweep's options and data versions, and the diff of any two.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;

use super::{Viewer, Web, encode, html_page, layout, n, shown, shown_opt, when};

/// The most changes a diff's page lists.
const DIFF_ROWS: usize = 2_000;

/// The most sweeps the list shows, newest first.
const LIST_MAX: u64 = 500;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    site: Option<String>,
}

/// The newest sweeps of every site, or of one (`?site=`): its older sweeps are there to
/// compare too.
pub(super) async fn list(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Query(q): Query<ListQuery>,
) -> Response {
    let c = &web.api.central;
    let site = q.site.filter(|s| !s.trim().is_empty());
    let sweeps = match &site {
        None => c.all_sweeps(LIST_MAX).await,
        Some(site) => c.sweeps(site).await.map(|all| {
            all.into_iter()
                .rev()
                .take(LIST_MAX as usize)
                .map(|w| (site.clone(), w))
                .collect()
        }),
    };
    let sweeps = match sweeps {
        Ok(s) => s,
        Err(e) => return super::unavailable(&who, &e),
    };
    let option = |site: &str, w: &crate::central::SweepInfo| {
        format!(
            "{} — {} — {} ({} devices)",
            shown(site),
            when(w.started_ms),
            w.status,
            w.devices
        )
    };
    let body = html! {
        h1 { "Sweeps" @if let Some(s) = &site { " of site " (shown(s)) } }
        @if site.is_some() { p { a href="/sweeps" { "Every site's sweeps" } } }
        section {
            h2 { "Compare two sweeps" }
            form #diff method="get" action="/diff" {
                label { "From " select #from name="from" {
                    @for (i, (site, w)) in sweeps.iter().enumerate() { option value=(w.uuid) selected[i == 1] { (option(site, w)) } }
                } }
                label { " to " select #to name="to" {
                    @for (i, (site, w)) in sweeps.iter().enumerate() { option value=(w.uuid) selected[i == 0] { (option(site, w)) } }
                } }
                " " button #diff-button type="submit" { "Show the diff" }
            }
        }
        p { "The newest " (n(sweeps.len() as u64)) " sweeps." }
        table #sweeps.sortable {
            thead { tr { th { "Started" } th { "Site" } th { "Status" } th { "Devices" } th { "Received" } th { "Applied" } } }
            tbody { @for (site, w) in &sweeps {
                tr.sweep {
                    td { a.sweep-link href={ "/sweeps/" (w.uuid) } { (when(w.started_ms)) } }
                    td.site { a href={ "/sites/" (encode(site)) } { (shown(site)) } }
                    td { (w.status) } td { (n(w.devices)) } td { (when(w.received_ms)) }
                    td { (if w.applied { "yes" } else { "no (older than the site's newest)" }) }
                }
            } }
        }
    };
    html_page(StatusCode::OK, layout("Sweeps", Some(&who), body))
}

pub(super) async fn one(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Path(id): Path<String>,
) -> Response {
    let Ok(uuid) = id.parse::<uuid::Uuid>() else {
        return super::problem(StatusCode::NOT_FOUND, &who, "no such sweep");
    };
    let s = match web.api.central.sweep_detail(uuid).await {
        Ok(Some(s)) => s,
        Ok(None) => return super::problem(StatusCode::NOT_FOUND, &who, "no such sweep"),
        Err(e) => return super::unavailable(&who, &e),
    };
    let parameters = serde_json::to_string_pretty(&s.parameters).unwrap_or_default();
    let figure = |v: Option<u64>| v.map(n).unwrap_or_else(|| "-".into());
    let body = html! {
        h1 { "Sweep " (s.info.uuid) }
        dl #sweep {
            dt { "Site" } dd.site { a href={ "/sites/" (encode(&s.site)) } { (shown(&s.site)) } }
            dt { "Started" } dd { (when(s.info.started_ms)) }
            dt { "Ended" } dd { (s.info.ended_ms.map(when).unwrap_or_else(|| "-".into())) }
            dt { "Status" } dd.status { (s.info.status) }
            dt { "Devices" } dd.devices { (n(s.info.devices)) }
            dt { "Addresses probed" } dd { (figure(s.probed)) }
            dt { "Responders" } dd { (figure(s.responders)) }
            dt { "Silent" } dd { (figure(s.silent)) }
            dt { "Requests" } dd { (figure(s.requests)) }
            dt { "Timeouts" } dd { (figure(s.timeouts)) }
            dt { "Judged on" } dd { (shown(&s.judged_on)) }
            dt { "Data versions" } dd.data-versions { (shown(&s.data_versions)) }
            dt { "Received" } dd { (when(s.info.received_ms)) }
            dt { "Applied" } dd { (if s.info.applied { "yes" } else { "no: older than the site's newest sweep" }) }
            @if let Some(note) = &s.note { dt { "Note" } dd { (shown(note)) } }
        }
        h2 { "Options" }
        p.hint { "As the site ran it; credentials are never part of a sweep's options." }
        pre #parameters { (shown(&parameters)) }
    };
    html_page(StatusCode::OK, layout("Sweep", Some(&who), body))
}

#[derive(Deserialize)]
pub(super) struct DiffQuery {
    from: Option<String>,
    to: Option<String>,
}

pub(super) async fn diff(
    State(web): State<Arc<Web>>,
    Viewer(who): Viewer,
    Query(q): Query<DiffQuery>,
) -> Response {
    let parse = |v: &Option<String>| {
        v.as_deref()
            .and_then(|s| s.trim().parse::<uuid::Uuid>().ok())
    };
    let (Some(from), Some(to)) = (parse(&q.from), parse(&q.to)) else {
        return super::problem(
            StatusCode::BAD_REQUEST,
            &who,
            "choose two sweeps: /diff?from=UUID&to=UUID (the sweeps page has the form)",
        );
    };
    let d = match web.api.central.sweep_diff(from, to).await {
        Ok(d) => d,
        Err(crate::central::CentralError::UnknownSweep(_)) => {
            return super::problem(StatusCode::NOT_FOUND, &who, "no such sweep");
        }
        Err(e) => return super::unavailable(&who, &e),
    };
    let body = html! {
        h1 { "What changed" }
        p #diff-between {
            "From " a href={ "/sweeps/" (d.from.uuid) } { (shown(&d.from_site)) " " (when(d.from.started_ms)) }
            " to " a href={ "/sweeps/" (d.to.uuid) } { (shown(&d.to_site)) " " (when(d.to.started_ms)) }
            ": " (n(d.changes.len() as u64)) " devices differ."
        }
        @if d.changes.len() > DIFF_ROWS { p.hint { "The first " (n(DIFF_ROWS as u64)) " of them, by kind then address." } }
        table #diff-table.sortable {
            thead { tr { th { "Change" } th { "Address" } th { "Name" } th { "Vendor" } th { "Model" } th { "Verdict" } th { "What" } } }
            tbody { @for c in d.changes.iter().take(DIFF_ROWS) {
                tr.change {
                    td.kind { (format!("{:?}", c.kind).to_lowercase()) }
                    td.address { a.device-link href={ "/devices/" (c.device_id) } { (shown(&c.address)) } }
                    td.name { (shown_opt(c.sys_name.as_deref())) }
                    td.vendor { (shown_opt(c.vendor.as_deref())) } td.model { (shown_opt(c.model.as_deref())) }
                    td class={ "verdict " (c.verdict) } { (c.verdict) }
                    td { (shown(&c.changes.join("; "))) }
                }
            } }
        }
    };
    html_page(StatusCode::OK, layout("Diff", Some(&who), body))
}
