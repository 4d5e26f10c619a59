//! The web pages' requests (issue 20): whatever a browser, or anything else, sends (method,
//! target with its query, headers with cookies and origins, a sign-in form's body), the server
//! answers without a panic. The first byte picks whether the request carries a live viewer's
//! session (then the handlers run as far as the database, which is a closed port of 127.0.0.1
//! here and fails at once); without one, nothing but the sign-in page and the static files
//! answers 200, and no page body names the fleet.
//!
//! The rest is the request as text: the method, a space, the target on the first line; then
//! `name: value` header lines; an empty line; the body.
#![no_main]
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use netorigin::central::{Central, Principal, Role};
use netorigin::server::Api;
use netorigin::server::web::{self, Web};

struct World {
    runtime: tokio::runtime::Runtime,
    web: Arc<Web>,
    cookie: String,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let api = Arc::new(Api {
            central: Central::unconnected(),
            max_bundle: 1 << 20,
            limits: netorigin::bundle::Limits::default(),
            ingested: Default::default(),
        });
        let web = Arc::new(Web::new(api));
        let value = web
            .sessions
            .open(Principal {
                role: Role::Viewer,
                site: None,
            })
            .expect("a session");
        World {
            runtime,
            web,
            cookie: format!("netorigin_session={value}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let w = world();
    let text = String::from_utf8_lossy(rest);
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let Some((method, target)) = lines.next().and_then(|l| l.split_once(' ')) else {
        return;
    };
    let mut headers: Vec<(&str, &[u8])> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim(), v.trim().as_bytes()))
        .collect();
    let signed_in = mode % 2 == 1;
    if signed_in {
        headers.push(("cookie", w.cookie.as_bytes()));
    }
    let answer = w.runtime.block_on(web::respond(
        w.web.clone(),
        method.as_bytes(),
        target,
        &headers,
        body.as_bytes().to_vec(),
    ));
    if let Some((status, _)) = answer
        && !signed_in
        && status == 200
    {
        // The path of an origin-form (`/a?b`) or absolute-form (`http://h/a?b`) target.
        let path = match target.split_once("://") {
            Some((_, rest)) if !target.starts_with('/') => {
                rest.find('/').map_or("/", |i| &rest[i..])
            }
            _ => target,
        };
        // The server reads the path up to a query or a fragment.
        let path = path.split(['?', '#']).next().unwrap_or("");
        assert!(
            path == "/login" || path.starts_with("/static/"),
            "{method} {target} answered 200 without a session"
        );
    }
});
