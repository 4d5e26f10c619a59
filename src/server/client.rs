//! The server's client: one HTTP/1.1 request a connection, over TLS (rustls, trusting `--ca` or
//! the system's roots) or, to a loopback address or when asked, plain. The token goes in an
//! `Authorization: Bearer` header and nowhere else: never in an error, never in a URL.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::tls;
use crate::usm::Secret;

/// How long connecting (TCP and TLS) may take.
const CONNECT_TIME: Duration = Duration::from_secs(15);

/// How long a whole exchange may take once connected: an upload of a large bundle included.
const EXCHANGE_TIME: Duration = Duration::from_secs(600);

/// The most of an answer read: a fleet page, a summary.
const ANSWER_BYTES: usize = 256 << 20;

/// What can go wrong talking to the server.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server's URL is not one this client speaks (a person's mistake).
    #[error("{url}: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// The certificate files.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The server could not be reached or the exchange broke: worth trying again later.
    #[error("{server}: {reason}")]
    Unreachable {
        /// The server, as `host:port`.
        server: String,
        /// What happened.
        reason: String,
    },
    /// The server's answer is not what the API says (another program on that port, another
    /// version): trying again will not help.
    #[error("{server}: {reason}")]
    Answer {
        /// The server, as `host:port`.
        server: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The server answered with an error status.
    #[error("{server}: {status}: {message}")]
    Refused {
        /// The server, as `host:port`.
        server: String,
        /// The HTTP status.
        status: StatusCode,
        /// The server's message (its JSON `error`), or the body's start.
        message: String,
    },
}

impl ClientError {
    /// Whether trying again later may succeed: the server was unreachable, overloaded (429,
    /// 503) or failed (5xx). A refusal (4xx) will be refused again.
    pub fn transient(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } => true,
            ClientError::Refused { status, .. } => {
                status.is_server_error() || *status == StatusCode::TOO_MANY_REQUESTS
            }
            _ => false,
        }
    }
}

/// A client of one server, with one token.
#[derive(Clone)]
pub struct Client {
    host: String,
    port: u16,
    prefix: String,
    tls: Option<Arc<rustls::ClientConfig>>,
    token: Secret,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("server", &self.server())
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client of the server at `url` (`https://host[:port][/prefix]`, or `http://` to a
    /// loopback address, or anywhere when `insecure_http`), trusting the roots in `ca` (else
    /// the system's).
    pub fn new(
        url: &str,
        token: Secret,
        ca: Option<&Path>,
        insecure_http: bool,
    ) -> Result<Client, ClientError> {
        let bad = |reason: &str| ClientError::Url {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let uri: hyper::Uri = url
            .parse()
            .map_err(|_| bad("not a URL (expected https://HOST[:PORT])"))?;
        if uri.query().is_some() {
            return Err(bad("a server URL has no query"));
        }
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(bad(
                "a server URL holds no user or password: the token is read from NETORIGIN_TOKEN or --token-file",
            ));
        }
        let host = uri
            .host()
            .ok_or_else(|| bad("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let (tls, default_port) = match uri.scheme_str() {
            Some("https") => (Some(tls::client_config(ca)?), 443),
            Some("http") => {
                if !insecure_http && !is_loopback(&host) {
                    return Err(bad(
                        "plain HTTP would send the token in clear: use https://, or --insecure-http if the path is otherwise protected",
                    ));
                }
                (None, 80)
            }
            _ => return Err(bad("the scheme must be https:// or http://")),
        };
        let prefix = uri.path().trim_end_matches('/').to_string();
        Ok(Client {
            port: uri.port_u16().unwrap_or(default_port),
            host,
            prefix,
            tls,
            token,
        })
    }

    /// `host:port`, for messages.
    pub fn server(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }

    /// GET `path` (with its query), the answer's body as JSON.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<T, ClientError> {
        let body = self.exchange(Method::GET, path, None).await?;
        self.json(&body)
    }

    /// POST `body` (a bundle, gzip) to `path`, the answer's body as JSON.
    pub async fn post_json<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        content_type: &'static str,
        body: Vec<u8>,
    ) -> Result<T, ClientError> {
        let answer = self
            .exchange(Method::POST, path, Some((content_type, body)))
            .await?;
        self.json(&answer)
    }

    fn json<T: serde::de::DeserializeOwned>(&self, body: &[u8]) -> Result<T, ClientError> {
        serde_json::from_slice(body).map_err(|e| ClientError::Answer {
            server: self.server(),
            reason: format!("an answer that is not the API's JSON ({e})"),
        })
    }

    async fn exchange(
        &self,
        method: Method,
        path: &str,
        body: Option<(&'static str, Vec<u8>)>,
    ) -> Result<Bytes, ClientError> {
        let unreachable = |reason: String| ClientError::Unreachable {
            server: self.server(),
            reason,
        };
        let tcp = tokio::time::timeout(CONNECT_TIME, TcpStream::connect((&*self.host, self.port)))
            .await
            .map_err(|_| unreachable("no connection within 15 s".into()))?
            .map_err(|e| unreachable(e.to_string()))?;
        let _ = tcp.set_nodelay(true);
        let (content_type, bytes) = body.unwrap_or(("application/json", Vec::new()));
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{}", self.prefix, path))
            .header(header::HOST, self.server())
            .header(
                header::USER_AGENT,
                concat!("netorigin/", env!("CARGO_PKG_VERSION")),
            )
            .header(header::ACCEPT, "application/json")
            .header(header::CONTENT_TYPE, content_type);
        let mut auth = header::HeaderValue::from_str(&format!("Bearer {}", self.token.expose()))
            .map_err(|_| unreachable("the token holds characters a header cannot carry".into()))?;
        auth.set_sensitive(true);
        request = request.header(header::AUTHORIZATION, auth);
        let request = request
            .body(Full::new(Bytes::from(bytes)))
            .map_err(|e| unreachable(e.to_string()))?;
        let answer = match &self.tls {
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from(self.host.clone())
                    .map_err(|_| unreachable("not a name a certificate can carry".into()))?;
                let tls = tokio::time::timeout(
                    CONNECT_TIME,
                    tokio_rustls::TlsConnector::from(config.clone()).connect(name, tcp),
                )
                .await
                .map_err(|_| unreachable("no TLS handshake within 15 s".into()))?
                .map_err(|e| unreachable(format!("TLS: {e}")))?;
                tokio::time::timeout(EXCHANGE_TIME, send(TokioIo::new(tls), request)).await
            }
            None => tokio::time::timeout(EXCHANGE_TIME, send(TokioIo::new(tcp), request)).await,
        }
        .map_err(|_| unreachable("no answer within 10 minutes".into()))?
        .map_err(unreachable)?;
        let (status, body) = answer;
        if status.is_success() {
            return Ok(body);
        }
        // The server's words are shown to a person: cleaned of control characters like any
        // text from the network.
        let message = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
        let message = crate::text::clean(&message).text.unwrap_or_default();
        Err(ClientError::Refused {
            server: self.server(),
            status,
            message,
        })
    }
}

/// One request on a fresh connection, its answer read whole (up to [`ANSWER_BYTES`]).
async fn send<I>(io: I, request: Request<Full<Bytes>>) -> Result<(StatusCode, Bytes), String>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let (mut sender, conn) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(conn);
    let answer = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string());
    let result = match answer {
        Ok(answer) => {
            let status = answer.status();
            match Limited::new(answer.into_body(), ANSWER_BYTES)
                .collect()
                .await
            {
                Ok(body) => Ok((status, body.to_bytes())),
                Err(e) => Err(format!("the answer broke off ({e})")),
            }
        }
        Err(e) => Err(e),
    };
    driver.abort();
    result
}

/// A path segment or query value, percent-encoded but for RFC 3986's unreserved characters.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether `host` is a loopback address or `localhost`.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> Secret {
        Secret::new("no1_secret")
    }

    #[test]
    fn urls_that_would_leak_the_token_are_refused() {
        for (url, says) in [
            ("http://192.0.2.1:8443", "plain HTTP"),
            ("ftp://localhost", "scheme"),
            ("https://user:pw@localhost", "no user or password"),
            ("https://localhost/?token=x", "no query"),
            ("not a url at all", "not a URL"),
        ] {
            let e = Client::new(url, token(), None, false)
                .unwrap_err()
                .to_string();
            assert!(e.contains(says), "{url}: {e}");
            assert!(!e.contains("no1_secret"), "{e}");
        }
        let c = Client::new("http://127.0.0.1:9/base/", token(), None, false).unwrap();
        assert_eq!(
            (c.server().as_str(), c.prefix.as_str()),
            ("127.0.0.1:9", "/base")
        );
        assert!(!format!("{c:?}").contains("no1_secret"));
        Client::new("http://192.0.2.1:8443", token(), None, true).unwrap();
        let c = Client::new("http://[::1]:8080", token(), None, false).unwrap();
        assert_eq!(c.server(), "[::1]:8080");
    }

    #[tokio::test]
    async fn an_unreachable_server_is_transient_and_names_no_token() {
        // A port just closed: connection refused.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let c = Client::new(&format!("http://127.0.0.1:{port}"), token(), None, false).unwrap();
        let e = c.get_json::<serde_json::Value>("/x").await.unwrap_err();
        assert!(e.transient(), "{e}");
        assert!(!e.to_string().contains("no1_secret"));
    }
}
