//! The HTML report in a real browser: headless Chromium (Debian package `chromium`, installed
//! by scripts/test) renders the page; the test reads the DOM after the page's script ran and
//! checks the summary numbers, the chart, the topology drawing, that the table filter works,
//! and that no device-supplied script ran. Run by scripts/test (`--include-ignored`).

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{jsonl, root, run, s};

const LIMIT: Duration = Duration::from_secs(120);

fn chromium() -> &'static str {
    for c in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(c).exists() {
            return c;
        }
    }
    panic!("chromium is not installed: run scripts/test, which installs it");
}

/// The DOM after load and script, as Chromium serialises it.
fn rendered(page: &Path, fragment: &str, profile: &Path) -> String {
    let url = format!("file://{}#{fragment}", page.display());
    let o = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("run chromium");
    assert!(
        o.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

fn number_in(dom: &str, id: &str) -> usize {
    let start = dom
        .find(&format!("id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no #{id}"))
        + id.len()
        + 6;
    dom[start..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
#[ignore = "needs chromium: run scripts/test"]
fn the_html_report_renders_filters_and_runs_no_device_script() {
    let dir = tempfile::tempdir().unwrap();
    let recs = [
        "hostile/hostile-text",
        "snmprec/huawei/vrp_ar169sfp",
        "snmprec/h3c/comware_hpe5900",
        "snmprec/other/arista_eos",
        "snmprec/other/eltex-mes23xx_mes2324fb",
    ]
    .map(|n| root().join(format!("tests/data/{n}.snmprec")));
    let mut args = vec!["identify", "--snmprec"];
    args.extend(recs.iter().map(|p| s(p)));
    let page = dir.path().join("report.html");
    let mut html_args = args.clone();
    html_args.extend(["--format", "html", "--output", s(&page)]);
    let o = run(&html_args, LIMIT);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    args.extend(["--format", "jsonl"]);
    let records = jsonl(&run(&args, LIMIT).stdout);
    let banned = records.iter().filter(|r| r["verdict"] == "banned").count();
    assert!(banned > 0 && banned < records.len());

    let profile = dir.path().join("profile");
    let dom = rendered(&page, "", &profile);
    // No device-supplied script ran: the title is the page's own and no injected element exists.
    assert!(
        dom.contains("<title>netorigin report</title>"),
        "title changed"
    );
    assert!(
        !dom.contains("<img src=\"x\"") && !dom.contains("onmouseover=\"alert"),
        "device text became markup"
    );
    // Summary numbers.
    assert_eq!(number_in(&dom, "count-devices"), records.len());
    assert_eq!(number_in(&dom, "count-banned"), banned);
    // The chart: one bar segment per vendor and verdict present.
    assert!(
        count(&dom, "<rect class=\"bar banned\"") >= 1,
        "chart has no banned bar"
    );
    // The topology: the Eltex and its Huawei neighbours, flagged ones marked.
    assert!(
        count(&dom, "class=\"node banned flagged\"") >= 2,
        "topology shows no flagged node"
    );
    assert!(count(&dom, "<line ") >= 2, "topology has no links");
    // The filter: opening the page on #filter=banned hides every other row.
    let filtered = rendered(&page, "filter=banned", &profile);
    let rows = count(&filtered, "<tr class=\"device ");
    let hidden = count(&filtered, " hidden\" data-verdict=");
    assert_eq!(rows, records.len());
    assert_eq!(
        number_in(&filtered, "shown"),
        banned,
        "the script's own count of shown rows"
    );
    assert_eq!(rows - hidden, banned, "rows left visible by the filter");
}
