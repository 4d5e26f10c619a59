//! A plain HTTP/1 client for the tests (hyper's, one connection a request), to 127.0.0.1 or
//! localhost only: the browser tests fetch exports with a session cookie, call the API with a
//! bearer token and try routes with no session. Every request is bounded in time; errors are
//! panics (test code).

use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;

/// How long one request may take, connection to last byte.
pub const REQUEST_LIMIT: Duration = Duration::from_secs(60);

/// An answer: status, headers (names lower case) and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// `http://host:port` and the path with its query, of a URL on 127.0.0.1 or localhost.
fn split(url: &str) -> (String, String) {
    let rest = url
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("{url}: only http:// on loopback"));
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h);
    assert!(
        host == "127.0.0.1" || host == "localhost",
        "{url}: the tests talk to 127.0.0.1 only"
    );
    (authority.to_string(), path.to_string())
}

/// One request on its own connection, in `rt`.
pub fn request_in(
    rt: &tokio::runtime::Runtime,
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> Reply {
    let (authority, path) = split(url);
    let mut req = hyper::Request::builder()
        .method(method)
        .uri(&path)
        .header("host", &authority);
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    let req = req
        .body(Full::new(Bytes::from(body.unwrap_or_default())))
        .unwrap();
    let what = format!("{method} {url}");
    rt.block_on(async {
        let work = async {
            let addr = authority.replace("localhost", "127.0.0.1");
            let stream = tokio::net::TcpStream::connect(&addr)
                .await
                .unwrap_or_else(|e| panic!("{what}: connect: {e}"));
            let io = hyper_util::rt::TokioIo::new(stream);
            let (mut send, conn) = hyper::client::conn::http1::handshake(io)
                .await
                .unwrap_or_else(|e| panic!("{what}: handshake: {e}"));
            tokio::spawn(conn);
            let res = send
                .send_request(req)
                .await
                .unwrap_or_else(|e| panic!("{what}: {e}"));
            let status = res.status().as_u16();
            let headers = res
                .headers()
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
                .collect();
            let body = res
                .into_body()
                .collect()
                .await
                .unwrap_or_else(|e| panic!("{what}: body: {e}"))
                .to_bytes()
                .to_vec();
            Reply {
                status,
                headers,
                body,
            }
        };
        tokio::time::timeout(REQUEST_LIMIT, work)
            .await
            .unwrap_or_else(|_| panic!("{what}: no answer in {REQUEST_LIMIT:?}"))
    })
}

/// One request, on a runtime of its own.
pub fn request(method: &str, url: &str, headers: &[(&str, &str)], body: Option<Vec<u8>>) -> Reply {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    request_in(&rt, method, url, headers, body)
}

/// `GET url` with `headers`.
pub fn get(url: &str, headers: &[(&str, &str)]) -> Reply {
    request("GET", url, headers, None)
}
