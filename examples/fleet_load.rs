//! The load of `bench/fleet`: SITES sites of DEVICES devices each, one sweep a site, uploaded
//! as bundles to a running `netorigin server` on loopback, then the fleet views timed.
//!
//! ```text
//! fleet_load --server http://127.0.0.1:PORT --database URL --records FILE.json \
//!            [--sites 1000] [--devices 1000]
//! ```
//!
//! `--records` is a JSON report (`netorigin identify --format json`); its devices are the
//! templates, cycled, each copy given its own serial, chassis-free address and name, so that
//! every device of every site is a device of its own. Sites are added straight to the
//! database (their tokens kept in memory). Prints what BENCHMARKS.md records, the web pages'
//! times too: each page asked for 7 times with a viewer's session, its server time (the
//! `Server-Timing` header: from the request's arrival to its answer's head) and its whole time
//! on the client; the median and the largest.

use std::time::{Duration, Instant};

use netorigin::bundle::{self, SweepHeader};
use netorigin::central::Central;
use netorigin::record::DeviceRecord;
use netorigin::server::Client;
use netorigin::usm::Secret;

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let need = |name: &str| {
        arg(&args, name).unwrap_or_else(|| {
            eprintln!("fleet_load: {name} is required");
            std::process::exit(2)
        })
    };
    let server = need("--server");
    let database = need("--database");
    let records = need("--records");
    let sites: usize = arg(&args, "--sites").map_or(1000, |v| v.parse().expect("--sites"));
    let devices: usize = arg(&args, "--devices").map_or(1000, |v| v.parse().expect("--devices"));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&records).expect("--records")).expect("JSON");
    let templates: Vec<DeviceRecord> = doc["devices"]
        .as_array()
        .expect("a JSON report's devices")
        .iter()
        .map(|d| serde_json::from_value(d.clone()).expect("a device record"))
        .collect();
    assert!(!templates.is_empty(), "no device in {records}");

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let central = Central::connect(&database).await.expect("database");
        central.migrate().await.expect("migrate");
        let started = Instant::now();
        let mut tokens = Vec::with_capacity(sites);
        for s in 0..sites {
            tokens.push(
                central
                    .add_site(&format!("site-{s:04}"))
                    .await
                    .expect("add site"),
            );
        }
        eprintln!("{sites} sites added in {:?}", started.elapsed());

        let mut ingest = Vec::with_capacity(sites);
        let mut bytes = 0usize;
        let all = Instant::now();
        for (s, token) in tokens.iter().enumerate() {
            let site = format!("site-{s:04}");
            let header = SweepHeader {
                uuid: uuid::Uuid::new_v4(),
                site: site.clone(),
                started_ms: 1_765_000_000_000 + s as i64 * 1000,
                ended_ms: Some(1_765_000_000_500 + s as i64 * 1000),
                status: "complete".into(),
                parameters: serde_json::json!({ "targets": ["bench"] }),
                data_versions: "bench/fleet".into(),
                judged_on: "2026-12-07".into(),
                probed: Some(devices as i64),
                responders: Some(devices as i64),
                silent: Some(0),
                requests: None,
                timeouts: None,
                note: None,
            };
            let records: Vec<DeviceRecord> = (0..devices)
                .map(|i| {
                    let mut d = templates[i % templates.len()].clone();
                    let n = s * devices + i;
                    d.address = format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255);
                    d.identification.serial = Some(format!("BENCH{n:09}"));
                    d.identification.chassis_mac = None;
                    d.engine_id = None;
                    d.sys_name = Some(format!("{site}-dev{i}"));
                    d
                })
                .collect();
            let body = bundle::write(&header, &records, Vec::new()).expect("bundle");
            bytes += body.len();
            let client = Client::new(&server, Secret::new(token.clone()), None, true)
                .expect("client");
            let t = Instant::now();
            let answer: serde_json::Value = client
                .post_json("/api/v1/bundles", "application/x-netorigin-bundle+gzip", body)
                .await
                .expect("upload");
            ingest.push(t.elapsed());
            assert_eq!(answer["stored"], true, "{answer}");
            if (s + 1) % 100 == 0 {
                eprintln!(
                    "{} sites uploaded, {:.0} records/s so far",
                    s + 1,
                    ((s + 1) * devices) as f64 / all.elapsed().as_secs_f64()
                );
            }
        }
        let total = all.elapsed();
        ingest.sort();
        let pct = |p: f64| ingest[((ingest.len() as f64 - 1.0) * p) as usize];
        let size = central.database_size().await.expect("database size");

        let viewer = central
            .add_token(netorigin::central::Role::Viewer, "bench")
            .await
            .expect("viewer");
        let viewer_token = viewer.clone();
        let client = Client::new(&server, Secret::new(viewer), None, true).expect("client");
        let time = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        let mut summary = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let s: serde_json::Value = client
                .get_json("/api/v1/fleet/summary")
                .await
                .expect("summary");
            summary.push(t.elapsed());
            assert_eq!(s["total"]["devices"], (sites * devices) as u64);
        }
        summary.sort();
        let middle = format!("site-{:04}", sites / 2);
        let mut page = Vec::new();
        for p in 1..=5 {
            let t = Instant::now();
            let v: serde_json::Value = client
                .get_json(&format!(
                    "/api/v1/fleet/devices?verdict=banned&site={middle}&page={p}&per_page=100"
                ))
                .await
                .expect("devices");
            page.push(t.elapsed());
            assert!(v["devices"].is_array());
        }
        page.sort();
        pages(&server, &viewer_token, &middle).await;
        println!("sites: {sites}, devices a site: {devices}, records: {}", sites * devices);
        println!(
            "bundles: {:.1} MiB in all ({:.1} KiB a sweep)",
            bytes as f64 / 1048576.0,
            bytes as f64 / sites as f64 / 1024.0
        );
        println!(
            "ingest: {:.1} s in all, {:.0} records/s; a {devices}-device sweep: median {}, p99 {}, max {}",
            total.as_secs_f64(),
            (sites * devices) as f64 / total.as_secs_f64(),
            time(pct(0.5)),
            time(pct(0.99)),
            time(*ingest.last().unwrap())
        );
        println!("database: {:.0} MiB", size as f64 / 1048576.0);
        println!(
            "fleet summary: median {} (5 runs); fleet devices, banned at one site, page of 100: median {}",
            time(summary[2]),
            time(page[2])
        );
    });
}

/// One plain HTTP/1.1 exchange on loopback: the status, the headers (lower-case names) and the
/// body.
async fn exchange(server: &str, request: String) -> (u16, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = server.trim_start_matches("http://").trim_end_matches('/');
    let mut conn = tokio::net::TcpStream::connect(host).await.expect("connect");
    conn.write_all(request.as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    conn.read_to_end(&mut raw).await.expect("answer");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The web pages at fleet size: signed in as a viewer, each page 7 times.
async fn pages(server: &str, token: &str, site: &str) {
    let host = server.trim_start_matches("http://").trim_end_matches('/');
    let form = format!("token={token}&next=%2F");
    let (status, headers, _) = exchange(
        server,
        format!(
            "POST /login HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    )
    .await;
    assert_eq!(status, 303, "sign-in");
    let cookie = header(&headers, "set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_string();
    let get = |path: String| {
        let cookie = cookie.clone();
        async move {
            let t = Instant::now();
            let (status, headers, body) = exchange(
                server,
                format!(
                    "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nCookie: {cookie}\r\n\r\n"
                ),
            )
            .await;
            let whole = t.elapsed().as_secs_f64() * 1000.0;
            assert_eq!(status, 200, "{path}");
            let server_ms: f64 = header(&headers, "server-timing")
                .and_then(|v| v.strip_prefix("app;dur="))
                .and_then(|v| v.parse().ok())
                .expect("Server-Timing");
            (server_ms, whole, body)
        }
    };
    // The first overview after the uploads: made then (the server warmed an empty fleet).
    let (cold, _, _) = get("/".into()).await;
    println!("web overview, first after the uploads: {cold:.1} ms server time");
    let (_, _, list) = get("/devices?verdict=banned".into()).await;
    let id = list
        .split("href=\"/devices/")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("a device link")
        .to_string();
    for (what, path) in [
        ("overview", "/".to_string()),
        ("device list, first page", "/devices".to_string()),
        (
            "device list, banned Huawei at one site",
            format!("/devices?site={site}&vendor=Huawei&verdict=banned"),
        ),
        (
            "device list, text search",
            format!("/devices?q={site}-dev12"),
        ),
        ("device list, page 50", "/devices?page=50".to_string()),
        ("modules, banned", "/modules?verdict=banned".to_string()),
        ("device page", format!("/devices/{id}")),
        (
            "site page (its devices, topology)",
            format!("/sites/{site}"),
        ),
    ] {
        let mut server_ms = Vec::new();
        let mut whole = Vec::new();
        for _ in 0..7 {
            let (s, w, _) = get(path.clone()).await;
            server_ms.push(s);
            whole.push(w);
        }
        server_ms.sort_by(f64::total_cmp);
        whole.sort_by(f64::total_cmp);
        println!(
            "web {what} ({path}): server time median {:.1} ms, max {:.1} ms; whole request median {:.1} ms",
            server_ms[3], server_ms[6], whole[3]
        );
    }
}
