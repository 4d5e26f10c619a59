//! The test fixture: a fresh PostgreSQL database per test, on the cluster named by
//! `NETORIGIN_TEST_POSTGRES`, dropped at the end.

use super::Central;

/// The variable that names the test cluster (a superuser's URL to its `postgres` database).
pub(crate) const VARIABLE: &str = "NETORIGIN_TEST_POSTGRES";

/// A database made for one test; dropped (with its connections) when this is dropped.
pub(crate) struct TestDb {
    /// The database's URL.
    pub(crate) url: String,
    admin: String,
    name: String,
}

impl TestDb {
    /// Makes `netorigin_t_<random hex>` on the test cluster. Panics, saying how to get one,
    /// when `NETORIGIN_TEST_POSTGRES` is not set: these tests are never skipped silently.
    pub(crate) async fn new() -> TestDb {
        let admin = std::env::var(VARIABLE).unwrap_or_else(|_| {
            panic!(
                "{VARIABLE} is not set: these tests need a PostgreSQL cluster \
                 (scripts/test starts one with scripts/pg-cluster; or set {VARIABLE} to a \
                 superuser URL such as postgres://USER@127.0.0.1:PORT/postgres)"
            )
        });
        let mut bytes = [0u8; 8];
        getrandom::fill(&mut bytes).expect("randomness");
        let name = format!("netorigin_t_{}", crate::wire::hex(&bytes));
        let client = admin_client(&admin).await;
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("CREATE DATABASE on the test cluster");
        let url = with_dbname(&admin, &name);
        TestDb { url, admin, name }
    }

    /// A migrated [`Central`] on this database.
    pub(crate) async fn central(&self) -> Central {
        let c = Central::connect(&self.url).await.expect("connect");
        c.migrate().await.expect("migrate");
        c
    }

    /// A plain connection, to look at the tables directly.
    pub(crate) async fn client(&self) -> tokio_postgres::Client {
        admin_client(&self.url).await
    }
}

/// The URL with its database replaced.
fn with_dbname(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

async fn admin_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to the test cluster");
    tokio::spawn(connection);
    client
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime: drop the database from a thread of its own.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            rt.block_on(async {
                let client = admin_client(&admin).await;
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !std::thread::panicking() {
            dropped
                .expect("the dropping thread")
                .expect("DROP DATABASE on the test cluster");
        }
    }
}
