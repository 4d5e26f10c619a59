//! The central server's test machinery (issue 19), shared by tests/server.rs and tests/web.rs:
//! a database of its own on the test's PostgreSQL cluster (`NETORIGIN_TEST_POSTGRES`), a
//! throwaway PKI, `netorigin server run` as a child, sites and tokens, sweeps of simulated
//! segments. Simulated agents live on 127.55.0.0/16 only; the server listens on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Simulator, bin, netorigin, root, s, test_data_dir};

pub const LIMIT: Duration = Duration::from_secs(180);

pub fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

/// A database of its own on the test cluster, dropped at the end.
pub struct Pg {
    admin: String,
    name: String,
    pub url: String,
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {url}: {e}"));
    tokio::spawn(conn);
    client
}

impl Pg {
    pub fn new() -> Pg {
        let admin = std::env::var("NETORIGIN_TEST_POSTGRES").expect(
            "NETORIGIN_TEST_POSTGRES is not set: these tests need PostgreSQL; run scripts/test, \
             which starts a throwaway cluster (scripts/pg-cluster)",
        );
        let mut bytes = [0u8; 6];
        getrandom::fill(&mut bytes).unwrap();
        let name = format!(
            "netorigin_t_{}",
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        );
        runtime().block_on(async {
            let c = connect(&admin).await;
            c.batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
        });
        let url = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("NETORIGIN_TEST_POSTGRES {admin:?} has no database part"),
        };
        Pg { admin, name, url }
    }

    /// Every row of every table of ours, as text: what a token must never be found in.
    pub fn dump(&self) -> String {
        runtime().block_on(async {
            let c = connect(&self.url).await;
            let tables = c
                .query(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                    &[],
                )
                .await
                .unwrap();
            let mut all = String::new();
            for t in tables {
                let t: String = t.get(0);
                let rows = c
                    .query(&format!("SELECT t::text FROM \"{t}\" t"), &[])
                    .await
                    .unwrap();
                for r in rows {
                    all.push_str(&r.get::<_, String>(0));
                    all.push('\n');
                }
            }
            all
        })
    }

    pub fn query_one_i64(&self, sql: &str) -> i64 {
        runtime().block_on(async {
            let c = connect(&self.url).await;
            c.query_one(sql, &[]).await.unwrap().get(0)
        })
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        runtime().block_on(async move {
            let c = connect(&admin).await;
            let _ = c
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        });
    }
}

/// A throwaway CA and the server's certificate for 127.0.0.1 and localhost.
pub struct Pki {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

pub fn pki(dir: &Path) -> Pki {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .unwrap()
        .signed_by(&key, &Issuer::new(ca_params, ca_key))
        .unwrap();
    let p = Pki {
        ca: dir.join("ca.pem"),
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&p.ca, ca.pem()).unwrap();
    std::fs::write(&p.cert, cert.pem()).unwrap();
    std::fs::write(&p.key, key.serialize_pem()).unwrap();
    p
}

/// `netorigin server run` as a child, its stderr in a log file; killed when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    log: PathBuf,
}

impl Server {
    pub fn start(pg: &Pg, pki: &Pki, log: &Path, extra: &[&str]) -> Server {
        Server::launch(pg, Some(pki), log, extra)
    }

    /// The server over plain HTTP on 127.0.0.1 (a browser then needs no certificate).
    pub fn start_plain(pg: &Pg, log: &Path, extra: &[&str]) -> Server {
        Server::launch(pg, None, log, extra)
    }

    /// `netorigin server run` on a free port of 127.0.0.1, over TLS with `pki`'s certificate
    /// or plain HTTP; back once it says where it listens.
    fn launch(pg: &Pg, pki: Option<&Pki>, log: &Path, extra: &[&str]) -> Server {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let start = std::fs::metadata(log).unwrap().len() as usize;
        let mut server = Server {
            child: Command::new(bin())
                .args(["server", "run", "--listen", "127.0.0.1:0"])
                .args(
                    pki.map(|p| ["--cert", s(&p.cert), "--key", s(&p.key)])
                        .into_iter()
                        .flatten(),
                )
                .args(extra)
                .env("NETORIGIN_DATABASE_URL", &pg.url)
                .env("NETORIGIN_DATA_DIR", test_data_dir())
                .stdout(Stdio::null())
                .stderr(file)
                .spawn()
                .expect("start netorigin server"),
            url: String::new(),
            log: log.to_path_buf(),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(line) = text[start.min(text.len())..]
                .lines()
                .find(|l| l.contains("listening on http"))
            {
                server.url = line.rsplit(' ').next().unwrap().to_string();
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not start:\n{text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs netorigin with `token` in NETORIGIN_TOKEN; the output (read as it comes, so a full
/// pipe never stalls the child).
pub fn with_token(args: &[&str], token: &str) -> std::process::Output {
    let child = netorigin()
        .args(args)
        .env("NETORIGIN_TOKEN", token)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("netorigin {args:?} did not finish in {LIMIT:?}");
        }
    }
}

pub fn ok(o: &std::process::Output, what: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        o.status.success(),
        "{what}: {}\n{err}",
        String::from_utf8_lossy(&o.stdout)
    );
    err
}

pub fn add_site(pg: &Pg, name: &str) -> String {
    let o = netorigin()
        .args(["server", "site", "add", name, "--database", &pg.url])
        .output()
        .unwrap();
    ok(&o, "site add");
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

pub fn add_token(pg: &Pg, role: &str) -> String {
    let o = netorigin()
        .args(["server", "token", "add", role, "--database", &pg.url])
        .output()
        .unwrap();
    ok(&o, "token add");
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// One sweep of a simulated segment at `base` serving `recordings`, stored in `db` as `site`,
/// with `extra` options (an upload).
pub fn sweep(
    base: &str,
    recordings: &[PathBuf],
    db: &Path,
    site: &str,
    extra: &[&str],
    token: &str,
) -> String {
    let sim = Simulator::start(base, recordings, &[]);
    let port = sim.port.to_string();
    let cidr = format!("{}/29", base.rsplit_once('.').unwrap().0.to_string() + ".0");
    let mut args = vec![
        "sweep",
        &cidr,
        "--port",
        &port,
        "--rate",
        "unlimited",
        "--timeout",
        "300",
        "--db",
        s(db),
        "--site",
        site,
        "--format",
        "jsonl",
    ];
    args.extend_from_slice(extra);
    let o = with_token(&args, token);
    let err = ok(&o, "sweep");
    eprintln!("sweep of site {site}:\n{err}");
    err
}
