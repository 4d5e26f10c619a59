//! The central server's system of record on PostgreSQL (issue 19): sites and their tokens,
//! sweeps as uploaded, devices as intervals, and the fleet views.
//!
//! - [`Central::connect`] opens a small pool (at most 8 connections) and [`Central::migrate`]
//!   brings the schema ([`schema`]) up to date; a newer schema is refused.
//! - Sites and tokens ([`Central::add_site`], [`Central::add_token`], [`Central::principal`]):
//!   a token is shown once, only its SHA-256 is stored.
//! - [`Central::ingest`] stores one bundle's sweep in one transaction, idempotent by the
//!   sweep's UUID, with devices as intervals ([`ingest`]).
//! - The fleet views ([`Central::summary`], [`Central::devices`], [`Central::diff`],
//!   [`Central::overdue`]) return the types the HTTP API writes as JSON ([`fleet`]); the
//!   summary counts each site's removal ledger too ([`ledger`], issue 21).
//!
//! Errors never carry the database URL (it may hold a password) nor a token: only the host and
//! database name, and PostgreSQL's message without its detail (which can quote values).

pub mod fleet;
pub mod ingest;
pub mod ledger;
pub mod pages;
pub mod schema;
mod tokens;

#[cfg(test)]
mod ledger_tests;
#[cfg(test)]
mod pages_tests;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod views_tests;

use std::str::FromStr;
use std::time::{Duration, SystemTime};

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};

pub use fleet::{
    ChangeKind, DevicePage, Filter, FleetChange, FleetDevice, SiteCounts, Summary, SweepInfo,
};
pub use ingest::{Batch, Ingested};
pub use ledger::LedgerCounts;
pub use pages::{
    BurnPoint, Burndown, DeadlineMark, DeviceDetail, DeviceRow, ModulePage, ModuleRow, Search,
    SearchPage, SiteDetail, StateSpan, SweepChange, SweepDetail, SweepDiff,
};
pub use schema::MIGRATIONS;
pub use tokens::{Principal, Role};

/// The most connections the pool opens.
pub const POOL_SIZE: usize = 8;

/// What can go wrong with the central database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CentralError {
    /// The database cannot be reached or refused us.
    #[error("cannot connect to PostgreSQL at {host}, database {db}: {reason}")]
    Connect {
        /// The host (or socket folder).
        host: String,
        /// The database name.
        db: String,
        /// Why.
        reason: String,
    },
    /// The URL is not a PostgreSQL connection URL (it is not repeated: it may hold a password).
    #[error("not a PostgreSQL URL (postgres://USER@HOST:PORT/DATABASE): {0}")]
    BadUrl(String),
    /// A migration failed.
    #[error("the central schema could not be brought up to date: {0}")]
    Schema(String),
    /// The database was migrated by a newer netorigin.
    #[error(
        "the central database's schema is version {found}, newer than this netorigin knows ({known}): upgrade netorigin"
    )]
    NewerSchema {
        /// The version found.
        found: usize,
        /// The newest this netorigin knows.
        known: usize,
    },
    /// A query failed.
    #[error("central database: {0}")]
    Query(String),
    /// `add_site` for a site that exists.
    #[error("site {0:?} exists already")]
    SiteExists(String),
    /// A sweep stored already as another site's.
    #[error("sweep {uuid} is stored already, as site {site}'s")]
    SweepOfAnotherSite {
        /// The sweep.
        uuid: String,
        /// The site it is stored as.
        site: String,
    },
    /// A site nobody added.
    #[error("no site {0:?} (add it with `netorigin server site add NAME`)")]
    UnknownSite(String),
    /// A site name that cannot be one: empty, over 200 characters, or with a control character.
    #[error("not a site name {0:?}: 1 to 200 characters, no control characters")]
    BadSite(String),
    /// A sweep header that cannot be stored.
    #[error("the sweep's header: {0}")]
    BadHeader(String),
    /// A token of a role that needs something this call does not give (a site token needs its
    /// site: `add_site`).
    #[error("{0}")]
    BadRole(String),
    /// A sweep UUID the server does not have.
    #[error("no sweep {0} is stored")]
    UnknownSweep(String),
    /// The bundle's devices could not all be read: nothing of it is stored.
    #[error("the bundle could not be read to its end, nothing of it was stored: {0}")]
    Aborted(String),
}

/// PostgreSQL's own message for an error, without its detail (which may quote values).
fn reason(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => match std::error::Error::source(e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    }
}

fn query_error(e: tokio_postgres::Error) -> CentralError {
    CentralError::Query(reason(&e))
}

fn pool_error(e: deadpool_postgres::PoolError) -> CentralError {
    match e {
        deadpool_postgres::PoolError::Backend(e) => query_error(e),
        e => CentralError::Query(e.to_string()),
    }
}

/// A point in time from Unix milliseconds.
pub(crate) fn time(ms: i64) -> SystemTime {
    match ms >= 0 {
        true => SystemTime::UNIX_EPOCH + Duration::from_millis(ms as u64),
        false => SystemTime::UNIX_EPOCH - Duration::from_millis(ms.unsigned_abs()),
    }
}

/// Unix milliseconds of a point in time.
pub(crate) fn millis(t: SystemTime) -> i64 {
    match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
    }
}

/// Whether a site name can be one: 1 to 200 characters, no control characters.
pub fn valid_site(name: &str) -> bool {
    !name.is_empty() && name.chars().count() <= 200 && !name.chars().any(char::is_control)
}

/// The central database: a pool of connections to it.
#[derive(Clone)]
pub struct Central {
    pool: Pool,
}

impl std::fmt::Debug for Central {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Central")
    }
}

/// The longest a request waits for a pooled connection before it is told the database is busy
/// (503), rather than waiting for ever behind long ingests.
pub const POOL_WAIT: Duration = Duration::from_secs(60);

/// The most characters of a device's text the search copies on `device` keep (`vendor_lc`,
/// `model_lc`, `origin_lc`, `serial_lc`): they are indexed, and a btree entry of PostgreSQL holds
/// at most about 2,700 bytes, so a device naming its model in 4 KB must not make its sweep
/// unstorable. (entPhysicalModelName is at most 255 octets by its MIB, a serial 32.)
pub(crate) const SEARCH_CHARS: usize = 200;

/// Text as the search copies hold it and as a search compares it: lower case (Rust's, on both
/// sides, so the database's locale plays no part) and at most [`SEARCH_CHARS`] characters.
pub(crate) fn search_text(s: &str) -> String {
    s.to_lowercase().chars().take(SEARCH_CHARS).collect()
}

/// The longest identity key (serial, chassis MAC, engine ID) matched across sweeps, in bytes:
/// a longer one is no real key, and would not fit the key's index.
pub(crate) const MAX_KEY_BYTES: usize = 512;

/// A pool of at most `size` connections to `config`, none opened yet.
fn pool(
    config: tokio_postgres::Config,
    size: usize,
) -> Result<Pool, deadpool_postgres::BuildError> {
    let manager = Manager::from_config(
        config,
        tokio_postgres::NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(POOL_WAIT))
        .runtime(deadpool_postgres::Runtime::Tokio1)
        .build()
}

impl Central {
    /// Connects to the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`):
    /// a pool of at most [`POOL_SIZE`] connections, one opened now to check it answers. The
    /// schema is not touched: see [`Central::migrate`].
    pub async fn connect(url: &str) -> Result<Central, CentralError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| CentralError::BadUrl(e.to_string()))?;
        let host = config
            .get_hosts()
            .first()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(h) => h.clone(),
                tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .unwrap_or_else(|| "localhost".into());
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let db = config
            .get_dbname()
            .or(config.get_user())
            .unwrap_or("postgres")
            .to_string();
        let pool = pool(config, POOL_SIZE).map_err(|e| CentralError::Connect {
            host: format!("{host}:{port}"),
            db: db.clone(),
            reason: e.to_string(),
        })?;
        let central = Central { pool };
        let first = central.client().await.map_err(|e| CentralError::Connect {
            host: format!("{host}:{port}"),
            db,
            reason: match e {
                CentralError::Query(r) => r,
                e => e.to_string(),
            },
        })?;
        drop(first);
        Ok(central)
    }

    /// A pool that has not connected, to a closed port of 127.0.0.1: for tests and the fuzz
    /// target that must show a route answers without touching the database (any use of it
    /// fails, at once).
    pub fn unconnected() -> Central {
        let config = tokio_postgres::Config::from_str("postgres://nobody@127.0.0.1:1/none")
            .expect("a constant URL");
        Central {
            pool: pool(config, 1).expect("a pool"),
        }
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, CentralError> {
        self.pool.get().await.map_err(pool_error)
    }

    /// Brings the schema up to date (each missing migration in its own transaction; two
    /// servers starting at once take turns). Returns the schema's version. A schema newer
    /// than this netorigin's is [`CentralError::NewerSchema`].
    pub async fn migrate(&self) -> Result<usize, CentralError> {
        let mut client = self.client().await?;
        schema::migrate(&mut client, MIGRATIONS).await
    }

    /// The size of the database on disk, in bytes (what `bench/fleet` reports).
    pub async fn database_size(&self) -> Result<u64, CentralError> {
        let client = self.client().await?;
        let size: i64 = client
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await
            .map_err(query_error)?
            .get(0);
        Ok(size.max(0) as u64)
    }

    /// The schema's version (0: never migrated).
    pub async fn schema_version(&self) -> Result<usize, CentralError> {
        let client = self.client().await?;
        let exists: bool = client
            .query_one("SELECT to_regclass('netorigin_schema') IS NOT NULL", &[])
            .await
            .map_err(query_error)?
            .get(0);
        match exists {
            true => schema::version(&client).await,
            false => Ok(0),
        }
    }
}
