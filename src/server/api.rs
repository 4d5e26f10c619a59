//! The API's routes and what each token may do.
//!
//! | route | who | what |
//! |---|---|---|
//! | `POST /api/v1/bundles` | a site's token, for its own site | one sweep's bundle (gzip); 201 stored, 200 already there |
//! | `GET /api/v1/sites` | a viewer, an admin | the sites' names |
//! | `POST /api/v1/sites` | an admin | `{"name": ...}`: a new site; its upload token, shown once (201) |
//! | `GET /api/v1/sites/{site}/sweeps` | that site's token, a viewer, an admin | the UUIDs of the site's sweeps the server has |
//! | `GET /api/v1/fleet/summary` | a viewer, an admin | per site and in total: devices by verdict, overdue, removed, moved in; removal-ledger items by state, reappeared, remaining |
//! | `GET /api/v1/fleet/devices` | a viewer, an admin | the current devices, worst first, a page at a time |
//! | `GET /api/v1/fleet/diff` | a viewer, an admin | what changed since a date: new, removed, moved, changed |
//! | `GET /api/v1/fleet/overdue` | a viewer, an admin | current devices past a finding's deadline |
//! | `GET /healthz` | anyone | `ok` |
//!
//! Every error is a JSON `{"error": "..."}`: 400 a bundle that does not decode or is from a
//! newer format, 401 no token or an unknown one, 403 a token not allowed this (another site's
//! upload, a site token reading the fleet, a viewer uploading), 409 a sweep stored already as
//! another site's, 413 a bundle over the size limit. A bundle is spooled to a temporary file as it arrives (so the server's memory is
//! bounded whatever its size), decoded as a stream and stored as one transaction: refused
//! part-way, nothing of it is stored.

use std::io::{Seek, SeekFrom, Write};
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use crate::bundle::{self, BundleError, Line, SweepHeader};
use crate::central::{Batch, Central, CentralError, Filter, Principal, Role};
use crate::date::Date;

/// Lines (devices, ledger items, ledger entries) handed to the database at a time while a
/// bundle is decoded.
const BATCH: usize = 500;

/// The most devices a fleet page holds.
pub const MAX_PAGE: u32 = 5_000;

/// What the routes share.
pub struct Api {
    /// The system of record.
    pub central: Central,
    /// The largest bundle accepted, in bytes as sent (gzip).
    pub max_bundle: u64,
    /// The decoder's limits.
    pub limits: bundle::Limits,
    /// Bundles stored since the server started: the web overview is recomputed when it moves.
    pub ingested: std::sync::atomic::AtomicU64,
}

/// The router over `api`.
pub fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/api/v1/bundles", post(upload))
        .route(
            "/api/v1/sites",
            get(sites).post(add_site).layer(DefaultBodyLimit::max(4096)),
        )
        .route("/api/v1/sites/{site}/sweeps", get(site_sweeps))
        .route("/api/v1/fleet/summary", get(view::<SUMMARY>))
        .route("/api/v1/fleet/devices", get(view::<DEVICES>))
        .route("/api/v1/fleet/diff", get(view::<DIFF>))
        .route("/api/v1/fleet/overdue", get(view::<OVERDUE>))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such route") })
        // The upload route enforces its own limit while spooling; the others take no body.
        .layer(DefaultBodyLimit::disable())
        .with_state(api)
}

/// A JSON error.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": message.into() })),
    )
        .into_response()
}

/// The request's principal, or the 401 to answer. The token is looked up by its hash and
/// never logged.
async fn principal(api: &Api, headers: &HeaderMap) -> Result<Principal, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "no token: send Authorization: Bearer TOKEN",
        ));
    };
    match api.central.principal(token).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(error(StatusCode::UNAUTHORIZED, "unknown token")),
        Err(e) => {
            tracing::error!("token lookup: {e}");
            Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable",
            ))
        }
    }
}

/// A viewer or an admin; a site's token may not read the fleet.
async fn reader(api: &Api, headers: &HeaderMap) -> Result<Principal, Response> {
    let p = principal(api, headers).await?;
    match p.role {
        Role::Viewer | Role::Admin => Ok(p),
        Role::Site => Err(error(
            StatusCode::FORBIDDEN,
            "a site's token may upload its own sweeps, not read the fleet",
        )),
    }
}

async fn upload(State(api): State<Arc<Api>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    let p = match principal(&api, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let site = match (&p.role, &p.site) {
        (Role::Site, Some(site)) => site.clone(),
        _ => {
            return error(
                StatusCode::FORBIDDEN,
                "only a site's token may upload (a viewer reads, an admin manages sites)",
            );
        }
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > api.max_bundle) {
        drain(body, DRAIN).await;
        return too_large(api.max_bundle);
    }
    let spool = match spool(body, api.max_bundle).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let (header_tx, header_rx) = tokio::sync::oneshot::channel::<Result<SweepHeader, String>>();
    let (batch_tx, batch_rx) = tokio::sync::mpsc::channel::<Result<Batch, String>>(2);
    let limits = api.limits;
    // Set by the decoder once the trailer is read and checked: a stream that ends without it
    // (the decoder stopped, panicked) is an aborted bundle, never a short one stored.
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = finished.clone();
    let decoder =
        tokio::task::spawn_blocking(move || decode(spool, limits, header_tx, batch_tx, &done));
    let header = match header_rx.await {
        Ok(Ok(h)) => h,
        Ok(Err(message)) => return error(StatusCode::BAD_REQUEST, message),
        Err(_) => return error(StatusCode::INTERNAL_SERVER_ERROR, "the decoder stopped"),
    };
    if header.site != site {
        return error(
            StatusCode::FORBIDDEN,
            format!(
                "this token uploads for site {site}, the bundle is site {}",
                header.site
            ),
        );
    }
    let uuid = header.uuid;
    tracing::info!("ingesting sweep {uuid} from site {site}");
    let batches = until_trailer(batch_rx, finished);
    let stored = api.central.ingest(header, batches).await;
    let decoded = decoder.await.unwrap_or_else(|e| Err(e.to_string()));
    match (stored, decoded) {
        (_, Err(message)) => {
            tracing::warn!("sweep {uuid} from site {site} refused: {message}");
            error(StatusCode::BAD_REQUEST, message)
        }
        (Ok(ingested), Ok(())) => {
            tracing::info!(
                "sweep {uuid} from site {site}: {} devices {} in {} ms",
                ingested.devices,
                if ingested.stored {
                    "stored"
                } else {
                    "already there"
                },
                started.elapsed().as_millis()
            );
            if ingested.stored {
                api.ingested
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let status = if ingested.stored {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            (
                status,
                axum::Json(serde_json::json!({
                    "stored": ingested.stored,
                    "sweep": uuid,
                    "devices": ingested.devices,
                })),
            )
                .into_response()
        }
        (Err(e @ CentralError::SweepOfAnotherSite { .. }), Ok(())) => {
            tracing::warn!("sweep {uuid} from site {site} refused: {e}");
            error(StatusCode::CONFLICT, e.to_string())
        }
        (Err(e), Ok(())) => {
            tracing::error!("sweep {uuid} from site {site}: {e}");
            error(StatusCode::SERVICE_UNAVAILABLE, format!("not stored: {e}"))
        }
    }
}

/// The decoder's batches as a stream; its end without the decoder's word that the trailer was
/// read (`finished`) is an error, so that the ingest aborts rather than store a short sweep.
fn until_trailer(
    mut batch_rx: tokio::sync::mpsc::Receiver<Result<Batch, String>>,
    finished: Arc<std::sync::atomic::AtomicBool>,
) -> impl futures::Stream<Item = Result<Batch, String>> + Unpin {
    let mut ended = false;
    futures::stream::poll_fn(move |cx| {
        if ended {
            return std::task::Poll::Ready(None);
        }
        match batch_rx.poll_recv(cx) {
            std::task::Poll::Ready(None) => {
                ended = true;
                if finished.load(std::sync::atomic::Ordering::Acquire) {
                    std::task::Poll::Ready(None)
                } else {
                    std::task::Poll::Ready(Some(Err("the bundle's decoding stopped short".into())))
                }
            }
            other => other,
        }
    })
}

fn too_large(limit: u64) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("a bundle may be at most {limit} bytes"),
    )
}

/// How much of a refused body is read and dropped before the answer, so that a client still
/// sending reads the 413 rather than a reset connection; past it the connection is closed.
const DRAIN: u64 = 64 << 20;

/// Reads and drops up to `most` bytes of `body`.
async fn drain(body: Body, most: u64) {
    use futures::StreamExt;
    let mut body = body.into_data_stream();
    let mut read = 0u64;
    while read < most {
        match tokio::time::timeout(std::time::Duration::from_secs(10), body.next()).await {
            Ok(Some(Ok(chunk))) => read += chunk.len() as u64,
            _ => return,
        }
    }
}

/// The body written to an anonymous temporary file, at most `limit` bytes.
async fn spool(body: Body, limit: u64) -> Result<std::fs::File, Response> {
    let unavailable = |e: std::io::Error| {
        error(
            StatusCode::INSUFFICIENT_STORAGE,
            format!("cannot spool: {e}"),
        )
    };
    let mut file = tempfile::tempfile().map_err(unavailable)?;
    let mut body = body.into_data_stream();
    let mut written = 0u64;
    use futures::StreamExt;
    while let Some(chunk) = body.next().await {
        let chunk =
            chunk.map_err(|e| error(StatusCode::BAD_REQUEST, format!("upload broke off: {e}")))?;
        written += chunk.len() as u64;
        if written > limit {
            drain(Body::from_stream(body), DRAIN).await;
            return Err(too_large(limit));
        }
        file.write_all(&chunk).map_err(unavailable)?;
    }
    file.seek(SeekFrom::Start(0)).map_err(unavailable)?;
    Ok(file)
}

/// Decodes the spooled bundle: the header first, then batches of devices; its own error last.
fn decode(
    file: std::fs::File,
    limits: bundle::Limits,
    header_tx: tokio::sync::oneshot::Sender<Result<SweepHeader, String>>,
    batch_tx: tokio::sync::mpsc::Sender<Result<Batch, String>>,
    finished: &std::sync::atomic::AtomicBool,
) -> Result<(), String> {
    let message = |e: BundleError| format!("bundle refused: {e}");
    let mut reader = match bundle::Reader::new(std::io::BufReader::new(file), limits) {
        Ok(r) => r,
        Err(e) => {
            let _ = header_tx.send(Err(message(e)));
            return Ok(());
        }
    };
    if header_tx.send(Ok(reader.header().clone())).is_err() {
        return Ok(());
    }
    let mut batch: Option<Batch> = None;
    loop {
        match reader.next_line() {
            Ok(Some(line)) => {
                if let Some(full) = add(&mut batch, line)
                    && batch_tx.blocking_send(Ok(full)).is_err()
                {
                    return Ok(());
                }
            }
            Ok(None) => {
                if let Some(last) = batch
                    && batch_tx.blocking_send(Ok(last)).is_err()
                {
                    return Ok(());
                }
                finished.store(true, std::sync::atomic::Ordering::Release);
                return Ok(());
            }
            Err(e) => {
                let m = message(e);
                let _ = batch_tx.blocking_send(Err(m.clone()));
                return Err(m);
            }
        }
    }
}

/// Adds a line to the batch being filled, and gives back a batch to send: the one before, when
/// this line is of another kind, or this one once it holds [`BATCH`] lines.
fn add(current: &mut Option<Batch>, line: Line) -> Option<Batch> {
    let before = match (&mut *current, line) {
        (Some(Batch::Devices(v)), Line::Device(d)) => {
            v.push(*d);
            None
        }
        (Some(Batch::LedgerItems(v)), Line::LedgerItem(i)) => {
            v.push(*i);
            None
        }
        (Some(Batch::LedgerEntries(v)), Line::LedgerEntry(e)) => {
            v.push(*e);
            None
        }
        (slot, line) => slot.replace(Batch::from(line)),
    };
    if before.is_some() {
        return before;
    }
    match current {
        Some(b) if b.len() >= BATCH => current.take(),
        _ => None,
    }
}

async fn sites(State(api): State<Arc<Api>>, headers: HeaderMap) -> Response {
    if let Err(r) = reader(&api, &headers).await {
        return r;
    }
    json(
        api.central
            .sites()
            .await
            .map(|sites| serde_json::json!({ "sites": sites })),
    )
}

/// `POST /api/v1/sites`'s body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewSite {
    name: String,
}

async fn add_site(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    body: Result<axum::Json<NewSite>, axum::extract::rejection::JsonRejection>,
) -> Response {
    match principal(&api, &headers).await {
        Ok(p) if p.role == Role::Admin => {}
        Ok(_) => return error(StatusCode::FORBIDDEN, "only an admin's token manages sites"),
        Err(r) => return r,
    }
    let Ok(axum::Json(site)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "expected a JSON body {\"name\": \"SITE\"}",
        );
    };
    match api.central.add_site(&site.name).await {
        Ok(token) => {
            tracing::info!("site {} added by an admin", site.name);
            (
                StatusCode::CREATED,
                axum::Json(serde_json::json!({ "site": site.name, "token": token })),
            )
                .into_response()
        }
        Err(CentralError::SiteExists(_)) => error(StatusCode::CONFLICT, "the site exists"),
        Err(CentralError::BadSite(_)) => error(
            StatusCode::BAD_REQUEST,
            "a site name is 1 to 200 characters, no control characters",
        ),
        Err(e) => unavailable(e),
    }
}

async fn site_sweeps(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Path(site): Path<String>,
) -> Response {
    let p = match principal(&api, &headers).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if p.role == Role::Site && p.site.as_deref() != Some(site.as_str()) {
        return error(
            StatusCode::FORBIDDEN,
            "a site's token reads only its own site's sweeps",
        );
    }
    match api.central.sweeps(&site).await {
        Ok(sweeps) => {
            axum::Json(serde_json::json!({ "site": site, "sweeps": sweeps })).into_response()
        }
        Err(CentralError::UnknownSite(_)) => error(StatusCode::NOT_FOUND, "no such site"),
        Err(e) => unavailable(e),
    }
}

fn unavailable(e: impl std::fmt::Display) -> Response {
    tracing::error!("query: {e}");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is unavailable",
    )
}

/// The fleet views' query: filters, a page, a date.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FleetQuery {
    /// Only this site.
    pub site: Option<String>,
    /// Only this vendor.
    pub vendor: Option<String>,
    /// Only this verdict.
    pub verdict: Option<String>,
    /// Only this model.
    pub model: Option<String>,
    /// The page, from 1.
    pub page: Option<u32>,
    /// Devices a page.
    pub per_page: Option<u32>,
    /// `diff`: changes on or after this day.
    pub since: Option<String>,
    /// `overdue` and `summary`: the day deadlines are judged at (default today).
    pub on: Option<String>,
}

impl FleetQuery {
    fn filter(&self) -> Result<Filter, Response> {
        let verdict = match self.verdict.as_deref() {
            None => None,
            Some(v) => Some(v.parse().map_err(|_| {
                error(
                    StatusCode::BAD_REQUEST,
                    "verdict must be banned, review, clear or unknown",
                )
            })?),
        };
        Ok(Filter {
            site: self.site.clone(),
            vendor: self.vendor.clone(),
            verdict,
            model: self.model.clone(),
        })
    }

    /// The page (from 1) and its size (1 to [`MAX_PAGE`]; default 100).
    fn page(&self) -> (u64, u64) {
        (
            u64::from(self.page.unwrap_or(1).max(1)),
            u64::from(self.per_page.unwrap_or(100).clamp(1, MAX_PAGE)),
        )
    }

    fn date(value: &Option<String>, name: &str) -> Result<Option<Date>, Response> {
        match value {
            None => Ok(None),
            Some(v) => Date::parse(v).map(Some).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    format!("{name} must be a date, YYYY-MM-DD"),
                )
            }),
        }
    }
}

/// The fleet views, by route.
const SUMMARY: u8 = 0;
const DEVICES: u8 = 1;
const DIFF: u8 = 2;
const OVERDUE: u8 = 3;

/// `GET /api/v1/fleet/...`: view `V`, for a viewer or an admin.
async fn view<const V: u8>(
    State(api): State<Arc<Api>>,
    headers: HeaderMap,
    Query(q): Query<FleetQuery>,
) -> Response {
    fleet(&api, &headers, &q, V).await.unwrap_or_else(|r| r)
}

async fn fleet(
    api: &Api,
    headers: &HeaderMap,
    q: &FleetQuery,
    view: u8,
) -> Result<Response, Response> {
    reader(api, headers).await?;
    let filter = q.filter()?;
    let on = FleetQuery::date(&q.on, "on")?.unwrap_or_else(Date::today);
    let (page, per_page) = q.page();
    let c = &api.central;
    Ok(match view {
        SUMMARY => json(c.summary(&filter, on).await),
        DEVICES => json(c.devices(&filter, page, per_page).await),
        OVERDUE => json(c.overdue(on, &filter, page, per_page).await),
        _ => {
            let since = FleetQuery::date(&q.since, "since")?
                .ok_or_else(|| error(StatusCode::BAD_REQUEST, "diff needs since=YYYY-MM-DD"))?;
            let changes = c.diff(since.days() * 86_400_000, &filter).await;
            json(changes.map(|changes| serde_json::json!({ "since": since, "changes": changes })))
        }
    })
}

/// A view's answer as JSON; 404 for a site filter naming no site, 503 when the database
/// failed.
fn json<T: serde::Serialize>(answer: Result<T, CentralError>) -> Response {
    match answer {
        Ok(t) => axum::Json(t).into_response(),
        Err(CentralError::UnknownSite(_)) => error(StatusCode::NOT_FOUND, "no such site"),
        Err(e) => unavailable(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::ledger_tests::{entry, item};
    use crate::record::LedgerState;

    #[test]
    fn lines_are_batched_by_kind_and_at_most_a_batch_at_a_time() {
        let device = || Line::Device(Box::new(crate::record::tests::full()));
        let mut lines: Vec<Line> = (0..BATCH + 1).map(|_| device()).collect();
        for state in [LedgerState::Found, LedgerState::Removed] {
            lines.push(Line::LedgerItem(Box::new(item(
                "serial:S1",
                state,
                "2026-01-02",
            ))));
        }
        lines.push(Line::LedgerEntry(Box::new(entry(
            1,
            1,
            "serial:S1",
            None,
            LedgerState::Found,
        ))));
        let mut current = None;
        let mut sent: Vec<Batch> = lines
            .into_iter()
            .filter_map(|l| add(&mut current, l))
            .collect();
        sent.extend(current);
        let shape: Vec<(&str, usize)> = sent
            .iter()
            .map(|b| match b {
                Batch::Devices(v) => ("devices", v.len()),
                Batch::LedgerItems(v) => ("items", v.len()),
                Batch::LedgerEntries(v) => ("entries", v.len()),
            })
            .collect();
        assert_eq!(
            shape,
            [
                ("devices", BATCH),
                ("devices", 1),
                ("items", 2),
                ("entries", 1)
            ]
        );
    }
}
