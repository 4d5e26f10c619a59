//! The server's web pages (issue 20) in headless Chromium, driven over WebDriver
//! (tests/common/webdriver.rs, Debian's `chromium` and `chromium-driver`), against a server on
//! the test's PostgreSQL with data from simulated segments: three sites swept from recordings
//! and uploaded, one with the hostile recording, one whose neighbour topology has over 100
//! nodes. Sign in, the overview against the API, a banned Huawei device followed from the
//! overview, filtering as you type and the export against the API, a diff, the topology's
//! labels, hostile text, and no data without a session.
//!
//! `#[ignore]`d: they need PostgreSQL and chromium-driver, which `scripts/test` provides; run
//! without them they fail, never skip. Simulated agents live on 127.55.20.0/22, the server and
//! chromedriver listen on 127.0.0.1, Chromium resolves no other host. Screenshots go to
//! `target/web-screenshots/`.

mod common;
#[path = "common/http.rs"]
mod http;
#[path = "common/webdriver.rs"]
mod webdriver;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use serde_json::{Value, json};

use common::central::{Pg, Server, add_site, add_token, ok, rec, sweep, with_token};
use common::{root, s};
use webdriver::Browser;

const WAIT: Duration = Duration::from_secs(30);
const COOKIE: &str = "netorigin_session";

/// The sites: a head office with Huawei core and two sweeps, a depot with the hostile
/// recording (added in its second sweep), and a meshed site for the topology.
const HQ: &str = "berlin-hq";
const DEPOT: &str = "lyon-depot";
const MESH: &str = "oslo-mesh";

/// The recordings of the meshed site: the six with the most distinct LLDP neighbours in
/// tests/data/snmprec (`netorigin identify --snmprec` on each gives its own record plus one per
/// neighbour chassis: 34, 34, 25, 22, 21 and 20 records). Swept together (one /29) they make
/// 123 records: 6 polled devices and 117 neighbours, each reported by the device that lists
/// it, which is what src/report/topology.rs draws as nodes (a device in a link or a parent
/// relation). No bundle built by hand was needed.
const MESH_RECORDINGS: [&str; 6] = [
    "other/eltex-mes23xx_mes2324fbac",
    "other/eltex-mes23xx_mes2348p",
    "other/eltex-mes23xx_mes2324fb",
    "other/edgecos_ecs4610-24f",
    "other/ciscosb_cbs350-4x",
    "other/aos6",
];

/// The sites' local stores, swept once per test program (the sweeps are the slow part) under
/// the target folder; each test uploads them to a database and server of its own.
struct Swept {
    dbs: Vec<(&'static str, PathBuf)>,
}

fn swept() -> &'static Swept {
    static SWEPT: OnceLock<Swept> = OnceLock::new();
    SWEPT.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("web-sweeps");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = |site: &str| dir.join(format!("{site}.db"));
        // The head office is judged by the bundled policy and Canada's, with an inventory
        // that says what each Huawei box serves: the core router 5G (its 2024-06-28 deadline
        // passed: overdue), the switch added later 4G (2027-12-31: the nearest deadline).
        let inventory = dir.join("hq-inventory.csv");
        std::fs::write(
            &inventory,
            "address,technology\n127.55.20.1,5G\n127.55.20.3,LTE\n",
        )
        .unwrap();
        let (bundled, canada) = (
            root().join("policies/huawei-origin.toml"),
            root().join("policies/canada-2022.toml"),
        );
        let judged: [&str; 6] = [
            "--policy",
            s(&bundled),
            "--policy",
            s(&canada),
            "--inventory",
            s(&inventory),
        ];
        let (ce, ios) = (rec("huawei/vrp_ce12804-entity"), rec("other/ios_c3560"));
        sweep(
            "127.55.20.1",
            &[ce.clone(), ios.clone()],
            &db(HQ),
            HQ,
            &judged,
            "",
        );
        let hq2 = [ce, ios, rec("huawei/vrp_5720")];
        sweep("127.55.20.1", &hq2, &db(HQ), HQ, &judged, "");
        let ar = rec("huawei/vrp_ar169sfp");
        sweep(
            "127.55.21.1",
            std::slice::from_ref(&ar),
            &db(DEPOT),
            DEPOT,
            &[],
            "",
        );
        let hostile = root().join("tests/data/hostile/hostile-text.snmprec");
        sweep("127.55.21.1", &[ar, hostile], &db(DEPOT), DEPOT, &[], "");
        let mesh: Vec<PathBuf> = MESH_RECORDINGS.iter().map(|r| rec(r)).collect();
        sweep("127.55.22.1", &mesh, &db(MESH), MESH, &[], "");
        Swept {
            dbs: [HQ, DEPOT, MESH].iter().map(|s| (*s, db(s))).collect(),
        }
    })
}

/// A server over plain HTTP on 127.0.0.1, on a database of its own holding the swept sites,
/// and a viewer's token.
struct Web {
    server: Server,
    viewer: String,
    _pg: Pg,
    _dir: tempfile::TempDir,
}

impl Web {
    fn start() -> Web {
        let swept = swept();
        let pg = Pg::new();
        let dir = tempfile::tempdir().unwrap();
        let server = Server::start_plain(&pg, &dir.path().join("server.log"), &[]);
        for (site, db) in &swept.dbs {
            let token = add_site(&pg, site);
            let o = with_token(&["upload", "--db", s(db), &server.url], &token);
            ok(&o, "upload");
        }
        let viewer = add_token(&pg, "--viewer");
        Web {
            server,
            viewer,
            _pg: pg,
            _dir: dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    /// `GET path` of the API with the viewer's token, as JSON.
    fn api(&self, path: &str) -> Value {
        let auth = format!("Bearer {}", self.viewer);
        let r = http::get(&self.url(path), &[("authorization", &auth)]);
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        r.json()
    }

    /// Every current device the API lists for `query` (`vendor=Huawei&...`), page by page.
    fn api_devices(&self, query: &str) -> Vec<Value> {
        let mut all = Vec::new();
        for page in 1.. {
            let v = self.api(&format!(
                "/api/v1/fleet/devices?{query}&per_page=500&page={page}"
            ));
            let devices = v["devices"].as_array().unwrap().clone();
            let total = v["total"].as_u64().unwrap() as usize;
            let empty = devices.is_empty();
            all.extend(devices);
            if all.len() >= total || empty {
                break;
            }
        }
        all
    }

    /// The sweeps the server has of `site`, as the API lists them.
    fn sweeps(&self, site: &str) -> Vec<String> {
        let v = self.api(&format!("/api/v1/sites/{site}/sweeps"));
        v["sweeps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["uuid"].as_str().unwrap().to_string())
            .collect()
    }

    /// A browser signed in with the viewer's token, on the overview.
    fn signed_in(&self) -> Browser {
        let b = Browser::start();
        b.go(&self.url("/login"));
        let token = b.wait_for("form#sign-in input#token", WAIT);
        b.send_keys(&token, &self.viewer);
        b.click(&b.find("button#sign-in-button"));
        b.wait_for("table#sites", WAIT);
        assert!(
            b.cookie(COOKIE).is_some(),
            "no session cookie: {:?}",
            b.cookies()
        );
        b
    }

    /// A session cookie from `POST /login`, without a browser.
    fn session(&self) -> String {
        let body = format!("token={}", self.viewer).into_bytes();
        let r = http::request(
            "POST",
            &self.url("/login"),
            &[("content-type", "application/x-www-form-urlencoded")],
            Some(body),
        );
        assert_eq!(r.status, 303, "sign-in: {}", r.text());
        let set = r.header("set-cookie").expect("a session cookie");
        let lower = set.to_ascii_lowercase();
        assert!(
            lower.contains("httponly") && lower.contains("samesite=strict"),
            "{set}"
        );
        set.split(';').next().unwrap().to_string()
    }
}

/// A field of an API device (`{"site", "record": {...}}`): at its top, in its record or in the
/// record's identification.
fn field<'a>(d: &'a Value, name: &str) -> &'a Value {
    [
        &d[name],
        &d["record"][name],
        &d["record"]["identification"][name],
    ]
    .into_iter()
    .find(|v| !v.is_null())
    .unwrap_or(&Value::Null)
}

fn address(d: &Value) -> String {
    field(d, "address").as_str().unwrap().to_string()
}

/// Where screenshots go (`target/web-screenshots/`).
fn shots() -> PathBuf {
    let dir = root().join("target/web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    eprintln!("screenshots in {}", dir.display());
    dir
}

#[test]
#[ignore = "needs PostgreSQL and chromium-driver: run scripts/test"]
fn the_webdriver_client_drives_chromium_against_the_server() {
    let pg = Pg::new();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_plain(&pg, &dir.path().join("server.log"), &[]);
    let b = Browser::start();
    b.go(&format!("{}/healthz", server.url));
    assert_eq!(b.current_url(), format!("{}/healthz", server.url));
    assert_eq!(b.text(&b.find("body")).trim(), "ok");
    let v = b.execute(
        "return [document.body.textContent.trim(), arguments[0] + 1];",
        vec![json!(41)],
    );
    assert_eq!(v, json!(["ok", 42]));
    assert!(b.page_source().contains("ok"));
    let png = b.screenshot();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 100);
    b.go(&format!("{}/no-such-page", server.url));
    let body = b.wait_for("body", WAIT);
    assert!(
        b.text(&body).contains("no such route"),
        "{}",
        b.page_source()
    );
    assert!(b.find_all("table#sites").is_empty());
    assert!(b.cookies().is_empty());
    let r = http::get(&format!("{}/healthz", server.url), &[]);
    assert_eq!((r.status, r.text().trim()), (200, "ok"));
}

/// The digits of a cell's text as a number (`1,234` is 1234).
fn number(text: &str) -> u64 {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number in {text:?}"))
}

/// The counts the overview shows, from the API's summary, by cell class.
const COUNTS: [&str; 6] = [
    "banned", "review", "unknown", "overdue", "removed", "devices",
];

/// The overview's rows: site name (or "total") and its cells' texts, by class.
fn overview_rows(b: &Browser) -> Value {
    b.execute(
        "const cells = (r) => Object.fromEntries(arguments[0].map(c => \
             [c, (r.querySelector('td.' + c) || {textContent: ''}).textContent.trim()]));
         const rows = [...document.querySelectorAll('table#sites tr.site')].map(r => \
             [r.querySelector('a.site-link').textContent.trim(), cells(r)]);
         const t = document.querySelector('tr#total');
         rows.push(['total', t ? cells(t) : null]);
         return rows;",
        vec![json!(COUNTS)],
    )
}

#[test]
#[ignore = "needs PostgreSQL and chromium-driver: run scripts/test"]
fn sign_in_overview_matches_the_api_and_a_banned_huawei_device_is_reached_by_clicking() {
    let web = Web::start();
    let b = web.signed_in();
    let summary = web.api("/api/v1/fleet/summary");
    let rows = overview_rows(&b);
    let rows = rows.as_array().unwrap();
    let sites = summary["sites"].as_array().unwrap();
    assert_eq!(
        rows.len(),
        sites.len() + 1,
        "a row a site and the total: {rows:?}"
    );
    for row in rows {
        let name = row[0].as_str().unwrap();
        let want = match name {
            "total" => &summary["total"],
            _ => sites
                .iter()
                .find(|s| s["site"] == name)
                .unwrap_or_else(|| panic!("site {name} not in the API's summary")),
        };
        for c in COUNTS {
            let shown = row[1][c]
                .as_str()
                .unwrap_or_else(|| panic!("{name}: no td.{c}"));
            assert_eq!(
                number(shown),
                want[c].as_u64().unwrap(),
                "{name} {c}: {want}"
            );
        }
    }
    // The head office's inventory gave its Huawei switch a 4G deadline ahead and its core
    // router a 5G deadline passed: the one is the nearest deadline, marked on the burn-down,
    // the other overdue (the API's total, compared above, says so too).
    assert!(
        summary["total"]["overdue"].as_u64().unwrap() >= 1,
        "{summary}"
    );
    let deadlines = b.text(&b.find("ol#deadlines"));
    assert!(
        deadlines.contains("2027-12-31") && deadlines.contains("canada-2022"),
        "{deadlines}"
    );
    let ahead = b.find_all("svg#burndown g.deadline:not(.passed)");
    let passed = b.find_all("svg#burndown g.deadline.passed");
    assert_eq!(ahead.len(), 1, "the 4G deadline is marked");
    assert_eq!(passed.len(), 1, "the 5G deadline is listed as passed");
    assert!(!b.find_all("svg#burndown polyline.devices").is_empty());
    let dir = shots();
    b.screenshot_to(&dir.join("overview.png"));

    // The head office's banned count leads to its banned devices.
    let banned = web.api_devices(&format!("site={HQ}&verdict=banned"));
    let huawei = banned
        .iter()
        .find(|d| field(d, "vendor").as_str() == Some("Huawei"))
        .unwrap_or_else(|| panic!("no banned Huawei device at {HQ}: {banned:?}"));
    let row = b
        .find_all("table#sites tr.site")
        .into_iter()
        .find(|r| b.text(&b.find_in(r, "a.site-link")[0]).trim() == HQ)
        .expect("the head office's row");
    let link = b.find_in(&row, "td.banned a");
    assert_eq!(link.len(), 1, "the banned count is a link");
    b.click(&link[0]);
    b.wait_for("table#devices tr.device", WAIT);
    let url = b.current_url();
    assert!(url.contains("verdict=banned") && url.contains(HQ), "{url}");
    assert_eq!(b.find_all("table#devices tr.device").len(), banned.len());
    let want = address(huawei);
    let row = b
        .find_all("table#devices tr.device")
        .into_iter()
        .find(|r| b.text(&b.find_in(r, "td.address")[0]).trim() == want)
        .unwrap_or_else(|| panic!("no row for {want}"));
    b.click(&b.find_in(&row, "a.device-link")[0]);
    b.wait_for("h1#device-name", WAIT);
    let vendor = b.text(&b.find("dl#identity dd.vendor"));
    let verdict = b.text(&b.find("dl#identity dd.verdict"));
    assert!(vendor.contains("Huawei"), "{vendor}");
    assert!(verdict.to_lowercase().contains("banned"), "{verdict}");
    for t in ["evidence", "modules", "neighbours", "findings", "history"] {
        b.find(&format!("table#{t}"));
    }
    b.screenshot_to(&dir.join("device.png"));
}

/// The addresses of the device list's rows, and their vendors.
fn listed(b: &Browser) -> Vec<(String, String)> {
    let v = b.execute(
        "return [...document.querySelectorAll('table#devices tr.device')].map(r => \
             [r.querySelector('td.address').textContent.trim(), \
              r.querySelector('td.vendor').textContent.trim()]);",
        vec![],
    );
    serde_json::from_value(v).unwrap()
}

/// A CSV's records, quoted fields with `""` and line breaks understood.
fn csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        row.push(cell);
        rows.push(row);
    }
    rows
}

#[test]
#[ignore = "needs PostgreSQL and chromium-driver: run scripts/test"]
fn the_device_list_filters_as_you_type_and_its_csv_export_matches_the_api() {
    let web = Web::start();
    let b = web.signed_in();
    b.go(&web.url("/devices"));
    b.wait_for("form#filters", WAIT);
    let before = listed(&b);
    assert!(before.iter().any(|(_, v)| v != "Huawei"), "{before:?}");
    // A mark on the page: a reload (a submitted form) would lose it.
    b.execute("window.__typed_here = 1;", vec![]);
    let url = b.current_url();
    let vendor = b.find("input#vendor");
    b.clear(&vendor);
    b.send_keys(&vendor, "Huawei");
    let rows = b.wait_until("the list shows Huawei devices only", WAIT, listed, |rows| {
        !rows.is_empty() && rows.iter().all(|(_, v)| v == "Huawei")
    });
    assert_eq!(
        b.execute("return window.__typed_here === 1;", vec![]),
        true,
        "the rows changed without a page load"
    );
    // The address follows the filters (history.replaceState), so the view can be shared.
    let now = b.current_url();
    assert!(
        now.starts_with(&url) && now.contains("vendor=Huawei"),
        "{now}"
    );
    let api = web.api_devices("vendor=Huawei");
    let mut want: Vec<String> = api.iter().map(address).collect();
    want.sort();
    let total = b.text(&b.find("div#results span#total"));
    assert_eq!(number(&total), api.len() as u64, "{total}");
    if api.len() <= rows.len() {
        let mut shown: Vec<String> = rows.into_iter().map(|(a, _)| a).collect();
        shown.sort();
        assert_eq!(shown, want);
    }

    // The export, with the filter applied, fetched with the session's cookie.
    let href = b.execute(
        "return document.querySelector('div#results a#export-csv').href;",
        vec![],
    );
    let href = href.as_str().unwrap().to_string();
    assert!(
        href.contains("/devices.csv?") && href.contains("vendor=Huawei"),
        "{href}"
    );
    let cookie = format!("{COOKIE}={}", b.cookie(COOKIE).unwrap());
    let r = http::get(&href, &[("cookie", &cookie)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let rows = csv(&r.text());
    let header = &rows[0];
    assert_eq!(
        header[..9],
        [
            "site", "address", "sys_name", "vendor", "origin", "model", "version", "serial",
            "verdict"
        ]
    );
    let mut got: Vec<String> = rows[1..].iter().map(|r| r[1].clone()).collect();
    got.sort();
    assert_eq!(got, want, "the CSV's addresses are the API's");
    assert!(rows[1..].iter().all(|r| r[3] == "Huawei"));
}

#[test]
#[ignore = "needs PostgreSQL and chromium-driver: run scripts/test"]
fn a_diff_of_two_sweeps_is_chosen_on_the_sweeps_page() {
    let web = Web::start();
    let b = web.signed_in();
    let sweeps = web.sweeps(HQ);
    assert_eq!(sweeps.len(), 2, "{sweeps:?}");
    b.go(&web.url("/sweeps"));
    b.wait_for("table#sweeps tr.sweep", WAIT);
    let listed = b.execute(
        "return [...document.querySelectorAll('table#sweeps tr.sweep')].map(r => \
             [r.querySelector('td.site').textContent.trim(), \
              r.querySelector('a.sweep-link').getAttribute('href')]);",
        vec![],
    );
    let listed: Vec<(String, String)> = serde_json::from_value(listed).unwrap();
    for uuid in &sweeps {
        assert!(
            listed
                .iter()
                .any(|(site, href)| site == HQ && href.ends_with(&format!("/sweeps/{uuid}"))),
            "{uuid} not listed: {listed:?}"
        );
    }
    // Oldest first in the API; the diff from the first to the second adds the S5720.
    for (select, uuid) in [("from", &sweeps[0]), ("to", &sweeps[1])] {
        let option = b.find(&format!("form#diff select#{select} option[value='{uuid}']"));
        b.click(&option);
        let chosen = b.execute(
            "return document.querySelector(arguments[0]).value;",
            vec![json!(format!("select#{select}"))],
        );
        assert_eq!(chosen, json!(uuid));
    }
    b.click(&b.find("form#diff button#diff-button"));
    b.wait_for("table#diff-table", WAIT);
    let url = b.current_url();
    assert!(
        url.contains(&sweeps[0]) && url.contains(&sweeps[1]),
        "{url}"
    );
    let kinds = b.execute(
        "return [...document.querySelectorAll('table#diff-table tr.change td.kind')] \
             .map(c => c.textContent.trim());",
        vec![],
    );
    let kinds: Vec<String> = serde_json::from_value(kinds).unwrap();
    assert!(!kinds.is_empty(), "no change between the sweeps");
    assert!(kinds.iter().all(|k| !k.is_empty()), "{kinds:?}");
}

/// Every label of `svg#topology`: its text and its box (getBBox) in the drawing's own
/// coordinates (through getCTM), and each pair of boxes that overlap.
const LABEL_BOXES: &str = "
    const svg = document.querySelector('svg#topology');
    const boxes = [...svg.querySelectorAll('text')].map(t => {
        const b = t.getBBox(), m = t.getCTM(), root = svg.getCTM().inverse();
        const ps = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
                    [b.x + b.width, b.y + b.height]].map(([x, y]) => {
            const p = svg.createSVGPoint(); p.x = x; p.y = y;
            return p.matrixTransform(m).matrixTransform(root);
        });
        const xs = ps.map(p => p.x), ys = ps.map(p => p.y);
        return {text: t.textContent, x0: Math.min(...xs), x1: Math.max(...xs),
                y0: Math.min(...ys), y1: Math.max(...ys)};
    });
    const overlaps = [];
    for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i], b = boxes[j], e = 0.01;
            if (a.x0 < b.x1 - e && b.x0 < a.x1 - e && a.y0 < b.y1 - e && b.y0 < a.y1 - e)
                overlaps.push([a, b]);
        }
    return {labels: boxes.length, empty: boxes.filter(b => b.x1 - b.x0 <= 0).length,
            overlaps: overlaps.slice(0, 20), count: overlaps.length,
            nodes: svg.querySelectorAll('g.node').length};";

#[test]
#[ignore = "needs PostgreSQL and chromium-driver: run scripts/test"]
fn the_topology_of_a_hundred_node_site_has_no_overlapping_labels() {
    let web = Web::start();
    let devices = web.api_devices(&format!("site={MESH}"));
    assert!(devices.len() >= 100, "{MESH} has {} devices", devices.len());
    let b = web.signed_in();
    b.go(&web.url(&format!("/sites/{MESH}")));
    b.wait_for("svg#topology g.node", WAIT);
    b.find("table#site-devices");
    b.find("table#site-sweeps");
    let seen = b.execute(LABEL_BOXES, vec![]);
    let nodes = seen["nodes"].as_u64().unwrap();
    assert!(nodes >= 100, "{nodes} nodes drawn");
    assert!(
        seen["labels"].as_u64().unwrap() >= nodes,
        "a label a node: {seen}"
    );
    assert_eq!(seen["empty"], 0, "labels drawn with no size: {seen}");
    assert_eq!(seen["count"], 0, "overlapping labels: {}", seen["overlaps"]);
    b.execute(
        "document.querySelector('svg#topology').scrollIntoView();",
        vec![],
    );
    b.screenshot_to(&shots().join("topology.png"));
}

#[test]
#[ignore = "needs chromium-driver: run scripts/test"]
fn the_label_check_finds_overlaps_through_transforms_and_the_csv_reader_reads_quotes() {
    // Three labels: "a" and "b" overlap once "b"'s group is moved onto "a"; "c" is far off.
    let page = "<!doctype html><svg id='topology' viewBox='0 0 400 200' width='800' height='400'>\
        <g class='node'><text x='10' y='20'>alpha</text></g>\
        <g class='node' transform='translate(5 0)'><text x='10' y='20'>beta</text></g>\
        <g class='node'><text x='300' y='150'>gamma</text></g></svg>";
    let b = Browser::start();
    b.go(&format!("data:text/html,{}", page.replace('#', "%23")));
    let seen = b.execute(LABEL_BOXES, vec![]);
    assert_eq!(seen["nodes"], 3, "{seen}");
    assert_eq!(seen["labels"], 3, "{seen}");
    assert_eq!(seen["count"], 1, "{seen}");
    let pair = &seen["overlaps"][0];
    assert_eq!(
        (&pair[0]["text"], &pair[1]["text"]),
        (&json!("alpha"), &json!("beta"))
    );
    assert_eq!(
        csv("a,\"b,\"\"c\"\"\",\r\n\"x\ny\",z\n"),
        [vec!["a", "b,\"c\"", ""], vec!["x\ny", "z"]]
    );
}

/// What a page shows of the hostile device: whether a payload ran or became markup, and its
/// text.
fn hostile_check(b: &Browser, page: &str) -> String {
    let v = b.execute(
        "return {pwned: window.__pwned !== undefined, title: document.title, \
                 markup: document.querySelectorAll('img[src=\"x\"], [onerror], [onmouseover], \
                     [onload]').length, \
                 text: document.body.textContent};",
        vec![],
    );
    assert_eq!(v["pwned"], false, "{page}: window.__pwned is set");
    assert_ne!(v["title"], "pwned", "{page}: a payload set the title");
    assert_eq!(v["markup"], 0, "{page}: a payload became markup");
    let text = v["text"].as_str().unwrap().to_string();
    assert!(
        text.contains("=HYPERLINK(\"http://evil.example/\""),
        "{page}: the hostile name is not shown as text"
    );
    assert!(!text.contains('\u{1b}'), "{page}: an escape character");
    text
}

#[test]
#[ignore = "needs PostgreSQL and chromium-driver: run scripts/test"]
fn hostile_text_shows_as_text_on_every_page_and_in_every_export() {
    let web = Web::start();
    let b = web.signed_in();
    let depot = web.api_devices(&format!("site={DEPOT}"));
    let evil = depot
        .iter()
        .find(|d| {
            field(d, "sys_name")
                .as_str()
                .is_some_and(|n| n.starts_with("=HYPERLINK"))
        })
        .unwrap_or_else(|| panic!("no hostile device at {DEPOT}: {depot:?}"));
    let evil = address(evil);

    b.go(&web.url(&format!("/devices?site={DEPOT}")));
    b.wait_for("table#devices tr.device", WAIT);
    hostile_check(&b, "the list");
    let row = b
        .find_all("table#devices tr.device")
        .into_iter()
        .find(|r| b.text(&b.find_in(r, "td.address")[0]).trim() == evil)
        .expect("the hostile device's row");
    let href = b
        .attribute(&b.find_in(&row, "a.device-link")[0], "href")
        .unwrap();
    b.go(&web.url(&href));
    b.wait_for("h1#device-name", WAIT);
    let text = hostile_check(&b, "the device page");
    assert!(
        text.contains("<script>"),
        "the device page shows its description as text"
    );
    b.go(&web.url(&format!("/sites/{DEPOT}")));
    b.wait_for("table#site-devices", WAIT);
    hostile_check(&b, "the site page");
    let sweeps = web.sweeps(DEPOT);
    b.go(&web.url(&format!("/diff?from={}&to={}", sweeps[0], sweeps[1])));
    b.wait_for("table#diff-table tr.change", WAIT);
    hostile_check(&b, "the diff");

    let cookie = format!("{COOKIE}={}", b.cookie(COOKIE).unwrap());
    let r = http::get(
        &web.url(&format!("/devices.csv?site={DEPOT}")),
        &[("cookie", &cookie)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.body.contains(&0x1b), "an escape character in the CSV");
    let rows = csv(&r.text());
    assert!(rows.len() > depot.len(), "a row a device and the header");
    for cell in rows.iter().flatten() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "a CSV cell that a spreadsheet would run: {cell:?}"
        );
    }
    assert!(
        rows.iter().flatten().any(|c| c.contains("HYPERLINK(")),
        "the name is kept"
    );
    let r = http::get(
        &web.url(&format!("/devices.json?site={DEPOT}")),
        &[("cookie", &cookie)],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let json = r.json();
    assert!(json.to_string().contains("=HYPERLINK("), "{json}");
    assert!(!r.body.contains(&0x1b), "an escape character in the JSON");
}

/// Every route of the pages, with real names and ids (read with a session).
fn routes(web: &Web, cookie: &str) -> Vec<(&'static str, String, bool)> {
    let r = http::get(&web.url("/devices"), &[("cookie", cookie)]);
    assert_eq!(r.status, 200, "{}", r.text());
    let page = r.text();
    let id = page
        .split("href=\"/devices/")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .expect("a device link in the list")
        .to_string();
    let sweeps = web.sweeps(HQ);
    let (a, z) = (&sweeps[0], &sweeps[1]);
    let html = [
        "/".to_string(),
        "/devices".to_string(),
        format!("/devices?vendor=Huawei&site={HQ}&verdict=banned"),
        format!("/devices/{id}"),
        "/modules".to_string(),
        "/modules?vendor=Huawei".to_string(),
        format!("/sites/{HQ}"),
        format!("/sites/{MESH}"),
        "/sweeps".to_string(),
        format!("/sweeps/{a}"),
        format!("/diff?from={a}&to={z}"),
    ];
    let mut all: Vec<(&str, String, bool)> = html.into_iter().map(|p| ("GET", p, true)).collect();
    all.push(("POST", "/logout".to_string(), true));
    for e in ["/devices.csv", "/devices.json"] {
        all.push(("GET", e.to_string(), false));
        all.push(("GET", format!("{e}?vendor=Huawei"), false));
    }
    all
}

#[test]
#[ignore = "needs PostgreSQL: run scripts/test"]
fn no_session_no_data() {
    let web = Web::start();
    let devices = web.api_devices("");
    let secrets: Vec<String> = devices
        .iter()
        .map(address)
        .chain([HQ, DEPOT, MESH].map(str::to_string))
        .collect();
    assert!(devices.len() > 100);
    let cookie = web.session();
    let bearer = format!("Bearer {}", web.viewer);
    let made_up = format!("{COOKIE}=bm90LWEtc2Vzc2lvbi1hdC1hbGwtMDAwMDAwMDAwMDAwMDA");
    for (method, path, html) in routes(&web, &cookie) {
        let tries: [(&str, &str, &str); 3] = [
            ("no cookie", "x-none", ""),
            ("a made-up cookie", "cookie", &made_up),
            ("a bearer token", "authorization", &bearer),
        ];
        for (what, name, value) in tries {
            if !html && what == "a bearer token" {
                continue;
            }
            let body = (method == "POST").then(Vec::new);
            let r = http::request(method, &web.url(&path), &[(name, value)], body);
            let text = r.text();
            if html {
                assert_eq!(r.status, 303, "{method} {path} with {what}: {text}");
                let to = r.header("location").unwrap_or_default();
                assert!(
                    to.starts_with("/login"),
                    "{method} {path} with {what}: to {to}"
                );
            } else {
                assert_eq!(r.status, 401, "{method} {path} with {what}: {text}");
            }
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{method} {path} with {what}: {secret}"
                );
            }
        }
    }
    // The sign-in page, a wrong token, and the assets need no session and hold no data.
    let r = http::request(
        "POST",
        &web.url("/login"),
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(b"token=no1_wrong".to_vec()),
    );
    assert_eq!(r.status, 401);
    assert!(r.text().contains("sign-in-error"), "{}", r.text());
    for path in ["/login", "/static/app.js", "/static/app.css"] {
        let r = http::get(&web.url(path), &[]);
        assert_eq!(r.status, 200, "{path}");
        for secret in &secrets {
            assert!(!r.text().contains(secret.as_str()), "{path}: {secret}");
        }
    }
}
