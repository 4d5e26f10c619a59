//! The regulator's reports from the removal ledger through the real binary (issue 21): a
//! simulated segment swept with Canada's policy and an inventory (a Huawei NE8000 and an AR169
//! at TOR01's 5G core, a Huawei eNodeB at YVR02's 4G RAN, a Huawei S6700 nobody listed, a
//! Cisco), one Huawei router walked through every state with evidence files while the status
//! report counts it in the right column at each step, others planned, exempted and removed,
//! then swept again without the destroyed router (the removed AR169 is seen again); the
//! status update, the annual list and the deadlines checked field by field in CSV, with the
//! sweeps and the evidence pack they rest on. An `#[ignore]`d test prints the page in headless
//! Chromium. Simulated agents live on 127.71.0.0/24 only.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Simulator, free_port, huawei_enodeb, netorigin, root, run, s};
use netorigin::date::Date;

const LIMIT: Duration = Duration::from_secs(120);

/// The day the reports are judged at: Canada's 5G deadline (2024-06-28) and the eNodeB's
/// planned target (2026-12-31) have passed, Canada's 4G deadline (2027-12-31) has not.
const AS_OF: &str = "2027-01-15";

fn rec(name: &str) -> PathBuf {
    root().join(format!("tests/data/snmprec/{name}.snmprec"))
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The segment: its folder, database, port and recordings, in address order from .1.
struct Segment {
    dir: tempfile::TempDir,
    db: PathBuf,
    port: u16,
    recordings: Vec<PathBuf>,
}

impl Segment {
    fn new() -> Segment {
        let dir = tempfile::tempdir().unwrap();
        let recordings = vec![
            rec("huawei/vrp_ne8000-m8"),
            rec("huawei/vrp_ar169sfp"),
            huawei_enodeb(dir.path()),
            rec("other/ios_c3560"),
            rec("huawei/yunshan"),
        ];
        std::fs::write(
            dir.path().join("inventory.csv"),
            "address,site,role,technology,acquired\n\
             127.71.0.1,TOR01,core,5G,2019-03-15\n\
             127.71.0.2,TOR01,core,5G,\n\
             127.71.0.3,YVR02,ran,LTE,2018-07-01\n",
        )
        .unwrap();
        Segment {
            db: dir.path().join("history.db"),
            port: free_port("127.71.0.1"),
            recordings,
            dir,
        }
    }

    /// Sweeps 127.71.0.0/29 with the agents of `from` (1-based) on, storing it.
    fn sweep(&self, from: usize) {
        let base = format!("127.71.0.{from}");
        let _sim = Simulator::start_on(&base, self.port, &self.recordings[from - 1..], &[]);
        let (p, policy) = (
            self.port.to_string(),
            root().join("policies/canada-2022.toml"),
        );
        let inventory = self.dir.path().join("inventory.csv");
        let args = [
            "sweep",
            "127.71.0.0/29",
            "--port",
            &p,
            "--rate",
            "unlimited",
            "--timeout",
            "300",
            "--retries",
            "0",
            "--today",
            "2024-01-01",
            "--policy",
            s(&policy),
            "--inventory",
            s(&inventory),
            "--db",
            s(&self.db),
            "--format",
            "jsonl",
        ];
        let o = run(&args, LIMIT);
        assert!(o.status.success(), "{}", stderr(&o));
    }

    /// `ledger mark DEVICE STATE --by "A. Auditor" --evidence FILE EXTRA...`, with an
    /// evidence file written for the step; must succeed.
    fn mark(&self, device: &str, state: &str, extra: &[&str]) {
        let o = self.try_mark(device, state, extra);
        assert!(o.status.success(), "mark {device} {state}: {}", stderr(&o));
    }

    fn try_mark(&self, device: &str, state: &str, extra: &[&str]) -> std::process::Output {
        let evidence = self.dir.path().join(format!("{device}-{state}.txt"));
        std::fs::write(&evidence, format!("{state}, signed A. Auditor")).unwrap();
        let mut args = vec!["ledger", "mark", device, state, "--by", "A. Auditor"];
        args.extend(["--evidence", s(&evidence), "--db", s(&self.db)]);
        args.extend_from_slice(extra);
        run(&args, LIMIT)
    }

    /// `ledger report KIND --format FORMAT --today AS_OF --db DB EXTRA...`.
    fn report(&self, kind: &str, format: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "ledger", "report", kind, "--format", format, "--today", AS_OF, "--db",
        ];
        args.push(s(&self.db));
        args.extend_from_slice(extra);
        run(&args, LIMIT)
    }

    /// The report as CSV rows, each by its header's names.
    fn csv(&self, kind: &str, extra: &[&str]) -> Vec<HashMap<String, String>> {
        let o = self.report(kind, "csv", extra);
        assert!(o.status.success(), "{kind}: {}", stderr(&o));
        let mut r = csv::Reader::from_reader(&o.stdout[..]);
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        r.records()
            .map(|row| {
                header
                    .iter()
                    .cloned()
                    .zip(row.unwrap().iter().map(str::to_string))
                    .collect()
            })
            .collect()
    }
}

/// The row whose `key` is `value`.
fn row<'a>(
    rows: &'a [HashMap<String, String>],
    key: &str,
    value: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r[key] == value)
        .unwrap_or_else(|| panic!("no row with {key} = {value}: {rows:?}"))
}

/// Checks `fields` of `row`, naming the row in a failure.
fn check(row: &HashMap<String, String>, name: &str, fields: &[(&str, &str)]) {
    for (k, want) in fields {
        let got = row
            .get(*k)
            .unwrap_or_else(|| panic!("{name}: no column {k}"));
        assert_eq!(got, want, "{name}: {k} in {row:?}");
    }
}

/// The status update's counts of one group, from `items` to `unconfirmed_absent`, as one
/// line: `2 2 0 ... 2024-06-28 0 0`, `~` for an empty cell.
fn counts(r: &HashMap<String, String>) -> String {
    let keys = [
        "items",
        "found",
        "planned",
        "decommissioned",
        "removed",
        "destroyed",
        "exempt",
        "remaining",
        "percent_complete",
        "overdue",
        "next_deadline",
        "reappeared",
        "unconfirmed_absent",
    ];
    line(r, &keys)
}

/// The cells of `keys` in one line, `~` for an empty one.
fn line(r: &HashMap<String, String>, keys: &[&str]) -> String {
    let cells: Vec<&str> = keys
        .iter()
        .map(|k| match r[*k].as_str() {
            "" => "~",
            v => v,
        })
        .collect();
    cells.join(" ")
}

fn tor01(seg: &Segment) -> String {
    counts(row(&seg.csv("status", &[]), "site", "TOR01"))
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// The segment swept twice, the router at .1 walked through every state in between (the
/// status update counting it in the right column at each step), the eNodeB planned, the
/// S6700 exempted and the AR169 marked removed; returns the day the marks were recorded.
fn walked(seg: &Segment) -> String {
    seg.sweep(1);
    let today = Date::today().to_string();
    // TOR01's 5G core: the NE8000 and the AR169, both past Canada's 5G deadline.
    assert_eq!(tor01(seg), "2 2 0 0 0 0 0 2 0.0 2 2024-06-28 0 0");
    let steps = [
        ("planned", "2 1 1 0 0 0 0 2 0.0 2 2024-06-28 0 0"),
        ("decommissioned", "2 1 0 1 0 0 0 2 0.0 2 2024-06-28 0 0"),
        ("removed", "2 1 0 0 1 0 0 1 50.0 1 2024-06-28 0 0"),
        ("in-custody", "2 1 0 0 1 0 0 1 50.0 1 2024-06-28 0 0"),
        ("sanitised", "2 1 0 0 1 0 0 1 50.0 1 2024-06-28 0 0"),
        ("destroyed", "2 1 0 0 0 1 0 1 50.0 1 2024-06-28 0 0"),
    ];
    for (state, want) in steps {
        let target: &[&str] = match state {
            "planned" => &["--target", "2026-12-31"],
            _ => &[],
        };
        seg.mark("127.71.0.1", state, target);
        assert_eq!(tor01(seg), want, "after marking the NE8000 {state}");
    }
    let o = seg.try_mark("127.71.0.1", "planned", &["--target", "2027-01-31"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.contains("cannot mark destroyed gear planned"),
        "{said}"
    );
    assert_eq!(tor01(seg), "2 1 0 0 0 1 0 1 50.0 1 2024-06-28 0 0");
    seg.mark("127.71.0.3", "planned", &["--target", "2026-12-31"]);
    seg.mark(
        "127.71.0.5",
        "exempt",
        &["--exception", "ISED exception 2025-017"],
    );
    seg.mark("127.71.0.2", "removed", &[]);
    // The destroyed router is gone; the AR169 marked removed still answers.
    seg.sweep(2);
    today
}

/// The sweeps of a database as `history list` says them.
fn history_sweeps(db: &Path) -> Vec<serde_json::Value> {
    let o = run(
        &["history", "list", "--db", s(db), "--format", "json"],
        LIMIT,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice::<serde_json::Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// A sweep as a report names it: `#1 UUID started 2026-12-07 13:29:03Z (complete)`.
fn sweep_line(s: &serde_json::Value) -> String {
    format!(
        "#{} {} started {} ({})",
        s["sweep"],
        s["uuid"].as_str().unwrap(),
        s["started"].as_str().unwrap(),
        s["status"].as_str().unwrap()
    )
}

#[test]
fn the_status_update_and_the_deadlines_count_what_the_ledger_and_sweeps_say() {
    let seg = Segment::new();
    walked(&seg);
    let pack = seg.dir.path().join("pack.tar");
    std::fs::write(&pack, b"an evidence pack").unwrap();
    let pack_sha: String = <sha2::Sha256 as sha2::Digest>::digest(b"an evidence pack")
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let status = seg.csv("status", &["--pack", s(&pack)]);
    let groups: Vec<String> = status
        .iter()
        .map(|r| line(r, &["site", "role", "technology"]))
        .collect();
    assert_eq!(
        groups,
        ["TOR01 core 5g", "YVR02 ran 4g", "~ ~ ~", "total ~ ~"]
    );
    let got: Vec<String> = status.iter().map(counts).collect();
    assert_eq!(
        got,
        [
            // The NE8000 destroyed, the AR169 removed yet seen again: the sweep outweighs the
            // mark, so it remains, and is overdue by its deadline.
            "2 0 0 0 1 1 0 1 50.0 1 2024-06-28 1 0",
            // The eNodeB planned for a day that has passed: overdue by its plan.
            "1 0 1 0 0 0 0 1 0.0 1 2026-12-31 0 0",
            // The S6700 exempt; its HiSilicon card, under review, found.
            "1 1 0 0 0 0 1 1 0.0 0 ~ 0 0",
            "4 1 1 0 1 1 1 3 25.0 2 2024-06-28 1 0",
        ]
    );
    // Every row rests on both sweeps (the destroyed router was last seen in the first), the
    // ledger's entries about its items (5 made by the first sweep, the router's 6 steps, 3
    // more marks) and the pack.
    let sweeps = history_sweeps(&seg.db);
    let rested: Vec<String> = sweeps.iter().map(sweep_line).collect();
    for r in &status {
        let fields = [
            ("as_of", AS_OF),
            ("sweeps", &rested.join("; ")),
            ("judged_on", "2024-01-01"),
            ("ledger_entries", "14"),
            ("pack_sha256", &pack_sha),
        ];
        check(r, "status", &fields);
        assert!(
            r["data_versions"].contains("policy: canada-2022 2022-05-19"),
            "{r:?}"
        );
    }
    // A site: its group and the total of it.
    let tor01: Vec<String> = seg
        .csv("status", &["--site", "TOR01"])
        .iter()
        .map(counts)
        .collect();
    assert_eq!(tor01, ["2 0 0 0 1 1 0 1 50.0 1 2024-06-28 1 0"; 2]);

    let deadlines = seg.csv("deadlines", &[]);
    let days = |d: &str| day(d).days() - day(AS_OF).days();
    let keys = [
        "jurisdiction",
        "rule",
        "deadline",
        "items",
        "remaining",
        "overdue",
        "days_left",
        "done_percent",
        "exempt",
    ];
    let got: Vec<String> = deadlines.iter().map(|r| line(r, &keys)).collect();
    let (five, four) = (
        "canada-2022 2022-05-19/huawei-zte-5g",
        "canada-2022 2022-05-19/huawei-zte-4g",
    );
    let want = [
        // The AR169, marked removed but seen again, remains and is overdue.
        format!("CA {five} 2024-06-28 2 1 1 {} 50.0 0", days("2024-06-28")),
        format!("CA {four} 2027-12-31 1 1 1 {} 0.0 0", days("2027-12-31")),
        format!("CA {five} ~ 1 1 0 ~ 0.0 1"),
        "total ~ ~ 4 3 2 ~ 25.0 1".to_string(),
    ];
    assert_eq!(got, want);
    assert_eq!(days("2024-06-28"), -931);
}

#[test]
fn the_annual_list_gives_each_item_its_plan_and_what_became_of_it() {
    let seg = Segment::new();
    let marked = walked(&seg);
    let sweeps = history_sweeps(&seg.db);
    let swept = sweeps[0]["started"].as_str().unwrap()[..10].to_string();
    let annual = seg.csv("annual", &[]);
    assert_eq!(annual.len(), 5, "{annual:?}");
    let keys = [
        "kind",
        "vendor",
        "model",
        "serial",
        "site",
        "role",
        "technology",
        "acquired",
        "state",
        "target",
        "deadline",
        "jurisdiction",
        "removed",
        "reappeared",
        "last_sweep",
    ];
    let mut got: Vec<String> = annual.iter().map(|r| line(r, &keys)).collect();
    got.sort();
    let want = [
        "device Huawei AR169F 21500101573GK1000299 TOR01 core 5g unknown removed ~ 2024-06-28 CA yes yes 2",
        "device Huawei NetEngine 8000 ~ TOR01 core 5g 2019-03-15 destroyed 2026-12-31 2024-06-28 CA yes no 1",
        "device Huawei S6700 102459162713 ~ ~ ~ unknown exempt ~ ~ CA no no 2",
        "device Huawei ~ ~ YVR02 ran 4g 2018-07-01 planned 2026-12-31 2027-12-31 CA no no 2",
        // The optic has no model name; its entity name says where it sits.
        "module HiSilicon 100GE1/0/4 033LNF10M4002472 ~ ~ ~ unknown found ~ ~ CA no no 2",
    ];
    assert_eq!(got, want);
    for r in &annual {
        let name = r["identity"].clone();
        assert!(r["number"].parse::<u32>().is_ok(), "{r:?}");
        let since = match r["state"].as_str() {
            "found" => &swept,
            _ => &marked,
        };
        let fields = [
            ("first_seen", swept.as_str()),
            ("last_seen", &swept),
            ("since", since),
        ];
        check(r, &name, &fields);
        let rule = match r["technology"].as_str() {
            "4g" => "canada-2022 2022-05-19/huawei-zte-4g",
            _ => "canada-2022 2022-05-19/huawei-zte-5g",
        };
        check(r, &name, &[("rule", rule)]);
    }
    let identities: Vec<&str> = annual.iter().map(|r| r["identity"].as_str()).collect();
    assert!(
        identities.contains(&"serial:21500101573GK1000299"),
        "{identities:?}"
    );
    assert!(
        identities.contains(&"module:serial:033LNF10M4002472"),
        "{identities:?}"
    );
    // A year: this year's list holds every item (each was seen this year), another none;
    // only the annual list takes a year.
    let year = &swept[..4];
    assert_eq!(seg.csv("annual", &["--year", year]).len(), 5);
    assert!(seg.csv("annual", &["--year", "2020"]).is_empty());
    let o = seg.report("status", "csv", &["--year", "2020"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--year limits the annual list"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pdf_without_chromium_is_exit_2_saying_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("status.pdf");
    let o = netorigin()
        .args([
            "ledger",
            "report",
            "status",
            "--format",
            "pdf",
            "-o",
            s(&pdf),
        ])
        .args(["--db", s(&dir.path().join("history.db"))])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        said.contains("headless Chromium") && said.contains("install"),
        "{said}"
    );
    assert!(said.contains("--format html"), "{said}");
    assert!(!pdf.exists());
}

/// Chromium on PATH, as `--format pdf` finds it; a failure when there is none.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("chromium is not installed: run scripts/test, which installs it"))
}

/// How many pages a PDF has (Chromium writes each page's dictionary in clear).
fn pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(i, m)| !text[i + m.len()..].starts_with('s'))
        .count()
}

#[test]
#[ignore = "needs chromium: run scripts/test"]
fn the_printable_pages_render_in_headless_chromium() {
    let chromium = chromium();
    let seg = Segment::new();
    walked(&seg);
    let shots = root().join("target/ledger-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    eprintln!("screenshots in {}", shots.display());
    for kind in ["status", "annual", "deadlines"] {
        let html = shots.join(format!("{kind}.html"));
        let o = seg.report(kind, "html", &["-o", s(&html)]);
        assert!(o.status.success(), "{}", stderr(&o));
        let png = shots.join(format!("{kind}.png"));
        let _ = std::fs::remove_file(&png);
        let profile = seg.dir.path().join(format!("profile-{kind}"));
        let shot = std::process::Command::new(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .arg("--window-size=1400,1000")
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("file://{}", html.display()))
            .output()
            .unwrap();
        assert!(shot.status.success(), "{}", stderr(&shot));
        let image = std::fs::read(&png).unwrap();
        assert!(image.starts_with(b"\x89PNG\r\n\x1a\n") && image.len() > 10_000);

        let pdf = shots.join(format!("{kind}.pdf"));
        let o = seg.report(kind, "pdf", &["-o", s(&pdf), "--site", "TOR01"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let bytes = std::fs::read(&pdf).unwrap();
        assert!(bytes.starts_with(b"%PDF"), "{kind}.pdf is no PDF");
        // The report, what it rests on and what the columns mean: a page each at least.
        assert!(pages(&bytes) >= 3, "{kind}.pdf has {} pages", pages(&bytes));
    }
}
