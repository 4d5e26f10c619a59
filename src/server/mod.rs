//! The central server's HTTP API (issue 19): bundles in from sites, the fleet views out,
//! behind tokens, over TLS (rustls, from certificate files), or plain HTTP on loopback or when
//! asked. The routes and who may use them are in [`api`]; the client that sites and the
//! `fleet` command use is [`client`].
//!
//! Each connection is served by hyper's HTTP/1.1 with a time limit on its request head; the
//! TLS handshake has its own. The log (tracing, on stderr) says who uploaded what and how long
//! it took, never a token.

pub mod api;
pub mod client;
pub mod tls;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;

pub use api::Api;
pub use client::{Client, ClientError};

/// How long a TLS handshake or a request head may take.
const HANDSHAKE_TIME: Duration = Duration::from_secs(15);

/// The most of a request head read.
const HEAD_BYTES: usize = 64 << 10;

/// Serves `api` on `listener` until `shutdown` completes: TLS with `tls`, else plain HTTP.
/// Connections already open are left to finish on their own.
pub async fn serve(
    listener: TcpListener,
    api: Arc<Api>,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: impl Future<Output = ()>,
) {
    let web = Arc::new(web::Web::new(api.clone()));
    web.warm();
    let router = web::router(web).merge(api::router(api));
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => return,
            a = listener.accept() => a,
        };
        let Ok((conn, peer)) = accepted else {
            // Out of descriptors, most likely: let some connections end.
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let _ = conn.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            let http = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HANDSHAKE_TIME)
                .max_buf_size(HEAD_BYTES)
                .to_owned();
            match acceptor {
                Some(acceptor) => {
                    match tokio::time::timeout(HANDSHAKE_TIME, acceptor.accept(conn)).await {
                        Ok(Ok(tls)) => {
                            let _ = http.serve_connection(TokioIo::new(tls), service).await;
                        }
                        Ok(Err(e)) => tracing::debug!("{peer}: TLS handshake: {e}"),
                        Err(_) => tracing::debug!("{peer}: no TLS handshake in time"),
                    }
                }
                None => {
                    let _ = http.serve_connection(TokioIo::new(conn), service).await;
                }
            }
        });
    }
}

/// Why a listening address and its transport do not go together.
pub fn check_transport(listen: SocketAddr, tls: bool, insecure_http: bool) -> Result<(), String> {
    if tls || insecure_http || listen.ip().is_loopback() {
        Ok(())
    } else {
        Err(format!(
            "{listen} is not a loopback address: give --cert and --key for TLS, or --insecure-http if the path is otherwise protected (tokens would cross it in clear)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_on_loopback_unless_asked() {
        let lo: SocketAddr = "127.0.0.1:8443".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8443".parse().unwrap();
        assert!(check_transport(lo, false, false).is_ok());
        assert!(check_transport("[::1]:1".parse().unwrap(), false, false).is_ok());
        assert!(check_transport(any, true, false).is_ok());
        assert!(check_transport(any, false, true).is_ok());
        let e = check_transport(any, false, false).unwrap_err();
        assert!(e.contains("--cert") && e.contains("--insecure-http"), "{e}");
    }
}
