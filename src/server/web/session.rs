//! Signing in to the web pages: a viewer's or an admin's token (the same tokens as the API's)
//! is exchanged once for a session, kept in the server's memory for at most
//! [`LIFETIME`] and named by a random cookie. Only the cookie's SHA-256 is kept, as for tokens,
//! so a memory dump names no live session; the token itself is never kept nor logged.
//!
//! The cookie is `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page
//! sends it, which also stops another site's form posting to ours), `Path=/`, and always
//! `Secure`: behind TLS, the server's own or a proxy's in front of `--insecure-http`, it never
//! crosses in clear, and browsers keep a `Secure` cookie over plain HTTP on loopback addresses
//! (where the server serves plain HTTP by default). A server restart signs everyone out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

use crate::central::Principal;

/// The session cookie's name.
pub const COOKIE: &str = "netorigin_session";

/// How long a session lasts from sign-in.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);

/// The most sessions kept at once; past it, signing in drops the oldest.
const MOST: usize = 10_000;

struct Entry {
    principal: Principal,
    expires: Instant,
}

/// The live sessions.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<[u8; 32], Entry>>,
}

fn digest(cookie: &str) -> [u8; 32] {
    Sha256::digest(cookie.as_bytes()).into()
}

impl Sessions {
    /// A new session for `principal`: the cookie's value (64 hex digits of 32 random bytes).
    pub fn open(&self, principal: Principal) -> Result<String, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        let value = crate::wire::hex(&bytes);
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, e| e.expires > now);
        if map.len() >= MOST
            && let Some(oldest) = map.iter().min_by_key(|(_, e)| e.expires).map(|(k, _)| *k)
        {
            map.remove(&oldest);
        }
        map.insert(
            digest(&value),
            Entry {
                principal,
                expires: now + LIFETIME,
            },
        );
        Ok(value)
    }

    /// Who the request's session cookie belongs to, if it names a live session.
    pub fn who(&self, headers: &HeaderMap) -> Option<Principal> {
        let value = cookie(headers)?;
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&digest(value))
            .filter(|e| e.expires > Instant::now())
            .map(|e| e.principal.clone())
    }

    /// Ends the request's session, if any.
    pub fn close(&self, headers: &HeaderMap) {
        if let Some(value) = cookie(headers) {
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            map.remove(&digest(value));
        }
    }
}

/// The session cookie's value from the request's `Cookie` headers.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The `Set-Cookie` value that holds `value`.
pub fn set_cookie(value: &str) -> String {
    format!(
        "{COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        LIFETIME.as_secs()
    )
}

/// The `Set-Cookie` value that removes the cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

/// Where to go after signing in: a path of this server (`/devices?site=a`), never another
/// host (`//evil`, `https://...`, `/\evil`); `/` otherwise.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control)
                && n.len() <= 2048 =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Whether a form post came from one of our own pages: a browser sends `Origin` with a POST,
/// and it must name the host the request went to (`Host`, or `X-Forwarded-Host` from a proxy
/// in front that rewrites `Host`). A request without `Origin` (not from a browser) is let
/// through: the cookie's `SameSite=Strict` is the other guard.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let Some(origin_host) = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
    else {
        return false;
    };
    [
        header::HOST,
        header::HeaderName::from_static("x-forwarded-host"),
    ]
    .iter()
    .filter_map(|h| headers.get(h).and_then(|v| v.to_str().ok()))
    .flat_map(|v| v.split(','))
    .any(|h| h.trim().eq_ignore_ascii_case(origin_host))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::central::Role;
    use axum::http::HeaderValue;

    fn viewer() -> Principal {
        Principal {
            role: Role::Viewer,
            site: None,
        }
    }

    fn with_cookie(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn a_session_is_found_by_its_cookie_and_ends_when_closed() {
        let s = Sessions::default();
        let value = s.open(viewer()).unwrap();
        assert_eq!(value.len(), 64);
        let h = with_cookie(&format!("theme=dark; {COOKIE}={value}; other=1"));
        assert_eq!(s.who(&h), Some(viewer()));
        let other = s.open(viewer()).unwrap();
        assert_ne!(value, other);
        s.close(&h);
        assert_eq!(s.who(&h), None);
        assert!(s.who(&with_cookie(&format!("{COOKIE}={other}"))).is_some());
    }

    #[test]
    fn made_up_and_malformed_cookies_name_no_session() {
        let s = Sessions::default();
        s.open(viewer()).unwrap();
        for c in [
            format!("{COOKIE}={}", "0".repeat(64)),
            format!("{COOKIE}=abc"),
            format!("{COOKIE}="),
            "other=1".to_string(),
            format!("{COOKIE}={}", "z".repeat(64)),
        ] {
            assert_eq!(s.who(&with_cookie(&c)), None, "{c}");
        }
        assert_eq!(s.who(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_is_http_only_strict_and_secure() {
        let c = set_cookie("ab");
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(clear_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn sign_in_goes_back_only_to_our_own_pages() {
        assert_eq!(safe_next(Some("/devices?site=a")), "/devices?site=a");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "evil",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn a_post_from_another_origin_is_refused() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h));
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8443"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://127.0.0.1:8443"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        // Behind a proxy that rewrote Host, the name the browser used is X-Forwarded-Host.
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://noc.example.net"),
        );
        assert!(!same_origin(&h));
        h.insert(
            "x-forwarded-host",
            HeaderValue::from_static("noc.example.net"),
        );
        assert!(same_origin(&h));
    }
}
