//! `netorigin server`: the central server's process (connect to PostgreSQL, bring its schema up
//! to date, serve the API until Ctrl-C or SIGTERM) and its administration (sites and tokens,
//! written straight to the database).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Failure, Shutdown, other, usage};
use crate::central::{Central, Role};
use crate::server::{Api, tls};

/// How the server runs. `Debug` leaves out the database URL, which may hold a password.
pub struct ServerOptions {
    /// PostgreSQL's URL (it may hold a password: never shown).
    pub database: String,
    /// Where to listen.
    pub listen: SocketAddr,
    /// The certificate chain and private key (PEM), for TLS.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Plain HTTP on a non-loopback address, on purpose.
    pub insecure_http: bool,
    /// The largest bundle accepted, in bytes as sent.
    pub max_bundle: u64,
}

impl std::fmt::Debug for ServerOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerOptions")
            .field("database", &"<not shown>")
            .field("listen", &self.listen)
            .field("tls", &self.tls)
            .field("insecure_http", &self.insecure_http)
            .field("max_bundle", &self.max_bundle)
            .finish()
    }
}

/// The variable the database URL is read from when none is given.
pub const DATABASE_VAR: &str = "NETORIGIN_DATABASE_URL";

/// The database's URL: `given`, else `$NETORIGIN_DATABASE_URL` (which keeps a password out of
/// the process list).
pub fn database_url(given: Option<&str>) -> Result<String, Failure> {
    match given {
        Some(url) => Ok(url.to_string()),
        None => std::env::var(DATABASE_VAR).map_err(|_| {
            usage(format!(
                "no database: give --database URL or set {DATABASE_VAR}"
            ))
        }),
    }
}

/// Connects and migrates; the error says the host and database, never the URL.
async fn central(database: &str) -> Result<Central, Failure> {
    let central = Central::connect(database).await.map_err(other)?;
    central.migrate().await.map_err(other)?;
    Ok(central)
}

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn run(options: ServerOptions) -> Result<(), Failure> {
    crate::server::check_transport(options.listen, options.tls.is_some(), options.insecure_http)
        .map_err(usage)?;
    let tls = match &options.tls {
        Some((cert, key)) => Some(tls::server_config(cert, key).map_err(usage)?),
        None => None,
    };
    let central = central(&options.database).await?;
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .map_err(|e| usage(format!("cannot listen on {}: {e}", options.listen)))?;
    let local = listener.local_addr().map_err(other)?;
    let api = Arc::new(Api {
        central,
        max_bundle: options.max_bundle,
        limits: crate::bundle::Limits::default(),
        ingested: Default::default(),
    });
    let shutdown = Shutdown::listen();
    tracing::info!(
        "netorigin server listening on {}://{local}",
        if tls.is_some() { "https" } else { "http" }
    );
    // Tests and service managers read the address from this line on stderr.
    eprintln!(
        "netorigin server: listening on {}://{local}",
        if tls.is_some() { "https" } else { "http" }
    );
    crate::server::serve(listener, api, tls, shutdown.wait()).await;
    eprintln!("netorigin server: stopped");
    Ok(())
}

/// `server site add NAME`: the site's token, shown once.
pub async fn add_site(database: &str, name: &str) -> Result<String, Failure> {
    central(database).await?.add_site(name).await.map_err(usage)
}

/// `server token add --viewer|--admin`: the token, shown once.
pub async fn add_token(database: &str, role: Role, label: &str) -> Result<String, Failure> {
    central(database)
        .await?
        .add_token(role, label)
        .await
        .map_err(other)
}
