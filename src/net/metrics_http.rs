//! The metrics endpoint of `schedule --metrics-listen`: `GET /metrics` answered over HTTP/1.1
//! with an `axum` router, the text coming from a function the caller gives (the scheduler's
//! Prometheus text), so this layer knows nothing of what it serves.
//!
//! Each connection answers one request and closes; it may send at most 8 KiB of request head
//! and has 5 seconds in all. Other paths are 404, other methods 405.

use std::time::Duration;

use axum::Router;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

/// The Prometheus text exposition format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// How long one connection may take, from its accept to its close.
const CONNECTION_TIME: Duration = Duration::from_secs(5);

/// The most of a request head read (hyper's smallest buffer limit).
const REQUEST_BYTES: usize = 8192;

/// The router: `text()` at `/metrics`, 404 elsewhere, 405 for methods other than GET and HEAD.
pub fn router<F>(text: F) -> Router
where
    F: Fn() -> String + Clone + Send + Sync + 'static,
{
    let metrics = get(move || {
        let body = text();
        async move { ([(header::CONTENT_TYPE, CONTENT_TYPE)], body) }
    })
    .fallback(not_allowed);
    Router::new()
        .route("/metrics", metrics)
        .fallback(|method: Method| async move {
            if method == Method::GET || method == Method::HEAD {
                plain(StatusCode::NOT_FOUND, "netorigin serves /metrics only\n")
            } else {
                not_allowed().await
            }
        })
}

/// 405, naming the one request served.
async fn not_allowed() -> Response {
    plain(StatusCode::METHOD_NOT_ALLOWED, "GET /metrics\n")
}

/// A short plain-text answer.
fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Answers on `listener` until the runtime stops: one task a connection, as [`router`] says.
pub async fn serve<F>(listener: TcpListener, text: F)
where
    F: Fn() -> String + Clone + Send + Sync + 'static,
{
    let router = router(text);
    loop {
        let Ok((conn, _)) = listener.accept().await else {
            // Out of descriptors, most likely: let some connections end.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let service = TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            let http = hyper::server::conn::http1::Builder::new()
                .keep_alive(false)
                .max_buf_size(REQUEST_BYTES)
                .serve_connection(TokioIo::new(conn), service);
            let _ = tokio::time::timeout(CONNECTION_TIME, http).await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Sends `request` to a server of `text` and reads the answer to its close.
    async fn exchange(request: &[u8]) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener, || "up 1\n".to_string()));
        let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
        conn.write_all(request).await.unwrap();
        let mut answer = String::new();
        tokio::time::timeout(Duration::from_secs(30), conn.read_to_string(&mut answer))
            .await
            .expect("the connection closes")
            .unwrap();
        server.abort();
        answer
    }

    #[tokio::test]
    async fn metrics_then_close_404_and_405() {
        let ok = exchange(b"GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\n\r\n").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
        assert!(
            ok.contains(&format!("content-type: {CONTENT_TYPE}\r\n")),
            "{ok}"
        );
        assert!(ok.contains("connection: close\r\n"), "{ok}");
        assert!(ok.ends_with("\r\n\r\nup 1\n"), "{ok}");

        let head = exchange(b"HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n").await;
        assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
        assert!(head.ends_with("\r\n\r\n"), "no body: {head}");

        let other = exchange(b"GET / HTTP/1.1\r\nHost: a\r\n\r\n").await;
        assert!(other.starts_with("HTTP/1.1 404 Not Found\r\n"), "{other}");
        assert!(
            other.ends_with("netorigin serves /metrics only\n"),
            "{other}"
        );

        for request in [
            &b"POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"[..],
            b"DELETE /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n",
        ] {
            let refused = exchange(request).await;
            assert!(
                refused.starts_with("HTTP/1.1 405 Method Not Allowed\r\n"),
                "{refused}"
            );
            assert!(refused.ends_with("GET /metrics\n"), "{refused}");
        }
    }

    #[tokio::test]
    async fn an_oversized_or_broken_request_is_refused_and_closed() {
        // A head that fills the limit without ending: refused once read, nothing left unread.
        let mut big = b"GET /metrics HTTP/1.1\r\nX: ".to_vec();
        big.resize(REQUEST_BYTES, b'a');
        let answer = exchange(&big).await;
        assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
        let answer = exchange(b"\x16\x03\x01 not http\r\n\r\n").await;
        assert!(
            answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
    }
}
