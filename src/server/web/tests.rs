//! The pages' router in-process, over a database it never reaches: every route that shows data
//! answers a request without a live session before it asks the database anything.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use tower::ServiceExt;

use super::*;
use crate::central::Central;

fn web() -> Arc<Web> {
    let api = Arc::new(Api {
        central: Central::unconnected(),
        max_bundle: 1 << 20,
        limits: crate::bundle::Limits::default(),
        ingested: Default::default(),
    });
    Arc::new(Web::new(api))
}

/// Every data route of the pages, as a person's browser would ask for it.
const DATA_ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/sites/north"),
    ("GET", "/devices"),
    ("GET", "/devices?vendor=Huawei&verdict=banned"),
    ("GET", "/devices.csv"),
    ("GET", "/devices.json?vendor=Huawei"),
    ("GET", "/devices/1"),
    ("GET", "/modules"),
    ("GET", "/modules.csv"),
    ("GET", "/modules.json"),
    ("GET", "/sweeps"),
    ("GET", "/sweeps/7c9e6679-7425-40de-944b-e07fc1f90ae7"),
    (
        "GET",
        "/diff?from=7c9e6679-7425-40de-944b-e07fc1f90ae7&to=7c9e6679-7425-40de-944b-e07fc1f90ae7",
    ),
];

async fn ask(
    web: &Arc<Web>,
    method: &str,
    uri: &str,
    cookie: Option<&str>,
) -> axum::response::Response {
    let mut req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    router(web.clone())
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

#[tokio::test]
async fn no_route_reads_data_without_a_live_session() {
    let web = web();
    let made_up = format!("{}={}", session::COOKIE, "ab".repeat(32));
    for cookie in [
        None,
        Some(made_up.as_str()),
        Some("netorigin_session=short"),
    ] {
        for (method, uri) in DATA_ROUTES {
            let r = ask(&web, method, uri, cookie).await;
            let export = uri.contains(".csv") || uri.contains(".json");
            if export {
                assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{uri} {cookie:?}");
            } else {
                assert_eq!(r.status(), StatusCode::SEE_OTHER, "{uri} {cookie:?}");
                let to = r.headers()[header::LOCATION].to_str().unwrap();
                assert_eq!(to, format!("/login?next={}", encode(uri)), "{uri}");
            }
            assert!(
                r.headers()[header::CONTENT_SECURITY_POLICY]
                    .to_str()
                    .unwrap()
                    .contains("script-src 'self'")
            );
        }
    }
}

#[tokio::test]
async fn a_bearer_token_does_not_open_a_page() {
    let web = web();
    let req = Request::builder()
        .uri("/devices")
        .header(
            header::AUTHORIZATION,
            format!("Bearer no1_{}", "0".repeat(64)),
        )
        .body(Body::empty())
        .unwrap();
    let r = router(web).oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn the_sign_in_page_and_the_static_files_need_no_session_and_hold_no_data() {
    let web = web();
    let r = ask(&web, "GET", "/login?next=/devices", None).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    let body = String::from_utf8_lossy(&body);
    assert!(
        body.contains(r#"<form id="sign-in" method="post" action="/login">"#),
        "{body}"
    );
    assert!(body.contains(r#"name="next" value="/devices""#), "{body}");
    for (file, kind) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
    ] {
        let r = ask(&web, "GET", file, None).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[header::CONTENT_TYPE], kind);
    }
}

#[tokio::test]
async fn a_sign_in_from_another_origin_is_refused_before_the_token_is_looked_up() {
    let web = web();
    let req = Request::builder()
        .method(Method::POST)
        .uri("/login")
        .header(header::HOST, "127.0.0.1:8443")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("token=no1_abc&next=%2F"))
        .unwrap();
    let r = router(web.clone()).oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.headers().get(header::SET_COOKIE).is_none());
    // Signing out needs no session, and says so with a cleared cookie.
    let r = ask(&web, "POST", "/logout", None).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
}
