//! The web pages (issue 20), served beside the API: the fleet overview with its burn-down
//! chart, each site with its neighbour topology, each device with its evidence and history,
//! lists of devices and modules with filters and exports, sweeps and the diff of any two.
//!
//! | route | what |
//! |---|---|
//! | `GET /login`, `POST /login`, `POST /logout` | sign in with a viewer's or an admin's token (a session cookie) |
//! | `GET /` | the overview: counts per site and in total, nearest deadlines, the burn-down chart |
//! | `GET /sites/{site}` | a site: counts, sweeps, what changed, devices, topology |
//! | `GET /devices`, `/devices.csv`, `/devices.json` | current devices by filters, a page at a time, or all as CSV or JSON |
//! | `GET /devices/{id}` | one device: identity, evidence, modules, neighbours, findings, history |
//! | `GET /modules`, `/modules.csv`, `/modules.json` | modules of current devices by filters |
//! | `GET /sweeps`, `/sweeps/{uuid}`, `/diff?from=&to=` | sweeps, one sweep's options and data versions, the diff of two |
//! | `GET /static/app.css`, `/static/app.js` | the style sheet and the script (no data) |
//!
//! Every page is rendered on the server (maud templates, compiled in) and works without
//! JavaScript; the script only filters lists as you type and sorts tables. Every route but
//! the sign-in page and the two static files needs a session: a page without one answers 303 to
//! the sign-in page, an export 401. Device-provided text is escaped by the templates and shown
//! with control characters spelt out; exports are spreadsheet-safe. Every answer carries a
//! Content-Security-Policy that allows no inline script, no other host and no framing.

mod chart;
mod lists;
mod pages;
mod session;
mod sweeps;
#[cfg(test)]
mod tests;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use serde::Deserialize;

use super::Api;
use crate::central::{Principal, Role};

/// Query values percent-encoded as the fleet client does; the time now as the store keeps it.
pub(crate) use super::client::encode;
pub(crate) use crate::store::now_ms;
pub use session::Sessions;

/// The policy every answer carries: scripts and styles from this server only, no inline
/// script, no fetch elsewhere, no framing, forms post only here.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const APP_CSS: &str = include_str!("assets/app.css");
const APP_JS: &str = include_str!("assets/app.js");

/// What the pages share.
pub struct Web {
    /// The API's state: the database and the ingest counter.
    pub api: Arc<Api>,
    /// Who is signed in.
    pub sessions: Sessions,
    overview: pages::OverviewCache,
}

impl Web {
    /// The pages over `api`.
    pub fn new(api: Arc<Api>) -> Web {
        Web {
            api,
            sessions: Sessions::default(),
            overview: pages::OverviewCache::default(),
        }
    }

    /// Starts making the overview's figures in the background (call within a Tokio runtime).
    pub fn warm(self: &Arc<Self>) {
        tokio::spawn(pages::warm(self.clone()));
    }

    /// The number of bundles stored since start: the overview is recomputed when it moves.
    fn generation(&self) -> u64 {
        self.api.ingested.load(Ordering::Relaxed)
    }
}

/// The pages' routes over `web`.
pub fn router(web: Arc<Web>) -> Router {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route(
            "/static/app.css",
            get(|| async { asset("text/css", APP_CSS) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript", APP_JS) }),
        )
        .route("/", get(pages::overview))
        .route("/sites/{site}", get(pages::site))
        .route("/devices", get(lists::devices))
        .route("/devices.csv", get(lists::devices_export::<true>))
        .route("/devices.json", get(lists::devices_export::<false>))
        .route("/devices/{id}", get(pages::device))
        .route("/modules", get(lists::modules))
        .route("/modules.csv", get(lists::modules_export::<true>))
        .route("/modules.json", get(lists::modules_export::<false>))
        .route("/sweeps", get(sweeps::list))
        .route("/sweeps/{uuid}", get(sweeps::one))
        .route("/diff", get(sweeps::diff))
        .layer(axum::middleware::from_fn(guard_headers))
        .with_state(web)
}

/// The pages' answer to one request, in-process, as the server gives it (the `web` fuzz
/// target drives this with arbitrary requests): its status and body, or `None` when the parts
/// make no HTTP request.
pub async fn respond(
    web: Arc<Web>,
    method: &[u8],
    target: &str,
    headers: &[(&str, &[u8])],
    body: Vec<u8>,
) -> Option<(u16, Vec<u8>)> {
    use http_body_util::BodyExt as _;
    use hyper::service::Service as _;
    let mut req = axum::http::Request::builder()
        .method(axum::http::Method::from_bytes(method).ok()?)
        .uri(target);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let req = req.body(axum::body::Body::from(body)).ok()?;
    let service = hyper_util::service::TowerToHyperService::new(router(web));
    let answer = match service.call(req).await {
        Ok(a) => a,
        Err(never) => match never {},
    };
    let status = answer.status().as_u16();
    let body = answer.into_body().collect().await.ok()?.to_bytes().to_vec();
    Some((status, body))
}

/// The headers every page and file carries (`Referrer-Policy: same-origin`, not `no-referrer`:
/// under `no-referrer` a browser's form post says `Origin: null`, which the sign-in refuses),
/// and the time it took the server to make it
/// (`Server-Timing: app;dur=MS`, which a browser's developer tools and `bench/fleet` read).
async fn guard_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let started = std::time::Instant::now();
    let mut r = next.run(req).await;
    let took = started.elapsed().as_secs_f64() * 1000.0;
    let h = r.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("app;dur={took:.1}")) {
        h.insert("server-timing", v);
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    r
}

fn asset(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=300"),
        ],
        body,
    )
        .into_response()
}

/// How a route wants a missing session answered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A page: 303 to the sign-in page, coming back here after.
    Page,
    /// An export: 401.
    Export,
}

/// The signed-in principal, or the answer to a request without a live session.
fn signed_in(web: &Web, headers: &HeaderMap, uri: &Uri, kind: Kind) -> Result<Principal, Response> {
    if let Some(p) = web.sessions.who(headers) {
        return Ok(p);
    }
    Err(match kind {
        Kind::Page => {
            let next = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
            Redirect::to(&format!("/login?next={}", encode(next))).into_response()
        }
        Kind::Export => (
            StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "sign in first: /login\n",
        )
            .into_response(),
    })
}

/// A signed-in viewer or admin, for a page: a request without a live session is answered
/// 303 to the sign-in page before the handler runs, so it reads nothing.
pub(super) struct Viewer(pub Principal);

impl axum::extract::FromRequestParts<Arc<Web>> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        web: &Arc<Web>,
    ) -> Result<Viewer, Response> {
        signed_in(web, &parts.headers, &parts.uri, Kind::Page).map(Viewer)
    }
}

/// A signed-in viewer or admin, for an export: a request without a live session is answered
/// 401 before the handler runs.
pub(super) struct Reader;

impl axum::extract::FromRequestParts<Arc<Web>> for Reader {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        web: &Arc<Web>,
    ) -> Result<Reader, Response> {
        signed_in(web, &parts.headers, &parts.uri, Kind::Export).map(|_| Reader)
    }
}

/// Device-provided text as shown on a page: control and invisible characters spelt out
/// (`\u{1b}`), so a page shows what the device sent and nothing acts on it; line breaks and
/// tabs stay (white space in HTML; a description keeps its lines); the template escapes the
/// rest.
pub(crate) fn shown(s: &str) -> String {
    s.split_inclusive(['\n', '\t'])
        .map(|part| {
            let (text, end) = match part.char_indices().last() {
                Some((i, c @ ('\n' | '\t'))) => (&part[..i], Some(c)),
                _ => (part, None),
            };
            let mut out = crate::report::terminal_safe(text.trim_end_matches('\r'));
            out.extend(end);
            out
        })
        .collect()
}

/// [`shown`], or `-`.
pub(crate) fn shown_opt(s: Option<&str>) -> String {
    s.map(shown).unwrap_or_else(|| "-".to_string())
}

/// A time in Unix milliseconds as `YYYY-MM-DD HH:MM UTC`.
pub(crate) fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "-".to_string())
}

/// The page around `body`.
fn layout(title: &str, who: Option<&Principal>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · netorigin" }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "netorigin" }
                    @if let Some(p) = who {
                        nav {
                            a href="/" { "Overview" }
                            a href="/devices" { "Devices" }
                            a href="/modules" { "Modules" }
                            a href="/sweeps" { "Sweeps" }
                        }
                        form.sign-out method="post" action="/logout" {
                            span.role { "signed in as " (p.role.as_str()) }
                            button type="submit" { "Sign out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A complete HTML answer.
fn html_page(status: StatusCode, markup: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        markup.into_string(),
    )
        .into_response()
}

/// An error page for a signed-in person (a missing device, the database away).
fn problem(status: StatusCode, who: &Principal, message: &str) -> Response {
    html_page(
        status,
        layout(
            "Problem",
            Some(who),
            html! { h1 { "Problem" } p #problem { (message) } },
        ),
    )
}

/// A database error as a page: logged in full, said in short.
fn unavailable(who: &Principal, e: &crate::central::CentralError) -> Response {
    tracing::error!("web page: {e}");
    match e {
        crate::central::CentralError::UnknownSite(s) => {
            problem(StatusCode::NOT_FOUND, who, &format!("no site {}", shown(s)))
        }
        _ => problem(
            StatusCode::SERVICE_UNAVAILABLE,
            who,
            "the database is unavailable; try again shortly",
        ),
    }
}

#[derive(Deserialize, Default)]
struct LoginQuery {
    next: Option<String>,
}

async fn login_page(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<LoginQuery>,
) -> Response {
    if web.sessions.who(&headers).is_some() {
        return Redirect::to(&session::safe_next(q.next.as_deref())).into_response();
    }
    html_page(StatusCode::OK, sign_in_form(q.next.as_deref(), None))
}

fn sign_in_form(next: Option<&str>, error: Option<&str>) -> Markup {
    layout(
        "Sign in",
        None,
        html! {
            h1 { "Sign in" }
            @if let Some(e) = error { p #sign-in-error.error { (e) } }
            form #sign-in method="post" action="/login" {
                label for="token" { "Viewer or admin token" }
                input #token type="password" name="token" autocomplete="current-password" required autofocus;
                input type="hidden" name="next" value=(session::safe_next(next));
                button #sign-in-button type="submit" { "Sign in" }
            }
            p.hint { "Ask your netorigin administrator for a token ("
                code { "netorigin server token add --viewer" } "). It is sent once; the page keeps only a session cookie." }
        },
    )
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    next: Option<String>,
}

async fn login(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    if !session::same_origin(&headers) {
        return html_page(
            StatusCode::FORBIDDEN,
            sign_in_form(None, Some("a sign-in from another site's page is refused")),
        );
    }
    let refused = |status, message: &str| {
        html_page(status, sign_in_form(form.next.as_deref(), Some(message)))
    };
    let principal = match web.api.central.principal(form.token.trim()).await {
        Ok(Some(p)) => p,
        Ok(None) => return refused(StatusCode::UNAUTHORIZED, "unknown token"),
        Err(e) => {
            tracing::error!("sign-in: {e}");
            return refused(
                StatusCode::SERVICE_UNAVAILABLE,
                "the database is unavailable; try again shortly",
            );
        }
    };
    if principal.role == Role::Site {
        return refused(
            StatusCode::FORBIDDEN,
            "a site's token uploads sweeps; sign in with a viewer or admin token",
        );
    }
    let value = match web.sessions.open(principal.clone()) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!("sign-in: no randomness: {e}");
            return refused(
                StatusCode::INTERNAL_SERVER_ERROR,
                "no session could be made",
            );
        }
    };
    tracing::info!("web sign-in: a {} token", principal.role.as_str());
    let mut r = Redirect::to(&session::safe_next(form.next.as_deref())).into_response();
    if let Ok(v) = HeaderValue::from_str(&session::set_cookie(&value)) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

async fn logout(State(web): State<Arc<Web>>, headers: HeaderMap) -> Response {
    if !session::same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "refused: another site's page").into_response();
    }
    web.sessions.close(&headers);
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&session::clear_cookie()) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// A number with thousands separated by commas.
pub(crate) fn n(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Markup from text already escaped (an SVG drawn with its text escaped).
fn raw(s: String) -> PreEscaped<String> {
    PreEscaped(s)
}

#[cfg(test)]
mod unit_tests {
    use super::*;

    #[test]
    fn numbers_and_queries_are_written_for_people_and_links() {
        assert_eq!(n(0), "0");
        assert_eq!(n(1234567), "1,234,567");
        assert_eq!(n(999), "999");
        assert_eq!(encode("a b&c=/é"), "a%20b%26c%3D%2F%C3%A9");
        assert_eq!(shown("x\u{1b}[31my"), "x\\u{1b}[31my");
        assert_eq!(shown("VRP\r\nVersion 8\tx\u{7}"), "VRP\nVersion 8\tx\\u{7}");
        assert_eq!(when(0), "1970-01-01 00:00 UTC");
    }

    #[test]
    fn the_layout_escapes_and_loads_no_inline_script() {
        let page = layout("<b>", None, html! { p { ("<script>alert(1)</script>") } }).into_string();
        assert!(
            page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains(r#"<script src="/static/app.js" defer></script>"#));
        assert!(!CSP.contains("unsafe-inline"));
    }
}
