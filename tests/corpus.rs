//! The real binary sweeps `netorigin simulate` serving the whole recorded corpus on loopback,
//! and every device's answers are checked against the recording's own content.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::{Simulator, corpus, jsonl, run, s};
use netorigin::identify::Identifier;
use netorigin::simulate::Recording;
use netorigin::snmp::oids;
use netorigin::wire::value::placeholder;

/// A recorded text as a record holds it: trimmed, and absent when empty or a sanitised
/// placeholder.
fn clean(t: Option<String>) -> Option<String> {
    t.map(|t| {
        t.trim_matches(|c: char| c.is_whitespace() || c == '\0')
            .to_string()
    })
    .filter(|t| !t.is_empty() && placeholder(t.as_bytes()).is_none())
}

#[test]
fn sweep_of_the_whole_corpus_matches_every_recording() {
    let recordings = corpus();
    assert!(
        recordings.len() >= 400,
        "corpus has {} recordings",
        recordings.len()
    );
    let sim = Simulator::start("127.20.0.1", &recordings, &[]);
    assert_eq!(sim.agents.len(), recordings.len());
    let walks = tempfile::tempdir().unwrap();
    // Targets as an @file, one address a line, as a field engineer would list a segment.
    let list = walks.path().join("targets.txt");
    let lines: Vec<String> = sim.agents.iter().map(|(a, _)| a.ip().to_string()).collect();
    std::fs::write(
        &list,
        format!("# the simulated corpus\n{}\n", lines.join("\n")),
    )
    .unwrap();
    let targets = format!("@{}", list.display());
    let walks_dir = walks.path().join("walks");
    let out = run(
        &[
            "sweep",
            &targets,
            "--port",
            &sim.port.to_string(),
            "--rate",
            "unlimited",
            "--timeout",
            "3000",
            "--retries",
            "2",
            "--max-rows",
            "1000000",
            "--format",
            "jsonl",
            "--save-walks",
            s(&walks_dir),
        ],
        Duration::from_secs(600),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records: HashMap<String, serde_json::Value> = jsonl(&out.stdout)
        .into_iter()
        .filter(|r| r["discovered_via"] == "snmp")
        .map(|r| (r["address"].as_str().unwrap().to_string(), r))
        .collect();

    let identifier = Identifier::bundled().unwrap();
    let mut checked_values = 0usize;
    let mut mismatches = Vec::new();
    for (addr, path) in &sim.agents {
        let rec = Recording::load(path).unwrap();
        let ip = addr.ip().to_string();
        let r = records
            .get(&ip)
            .unwrap_or_else(|| panic!("{ip} ({}) not reported", path.display()));
        let want_descr = clean(
            rec.get(&oids::sys_descr())
                .and_then(|v| v.value.as_text().map(|t| t.into_owned())),
        );
        assert_eq!(
            r["sys_descr"].as_str().map(str::to_string),
            want_descr,
            "{}",
            path.display()
        );
        let want_oid = rec
            .get(&oids::sys_object_id())
            .and_then(|v| v.value.as_oid())
            .map(|o| o.to_string());
        assert_eq!(
            r["sys_object_id"].as_str().map(str::to_string),
            want_oid,
            "{}",
            path.display()
        );
        for t in r["tables"].as_array().unwrap() {
            assert!(
                matches!(t["end"].as_str(), Some("end-of-table" | "end-of-mib-view")),
                "{}: {t}",
                path.display()
            );
        }
        let saved = walks_dir.join(format!("{ip}.snmprec"));
        let got = Recording::load_strict(&saved).unwrap_or_else(|e| panic!("{e}"));
        let want = common::expected_saved_walk(&rec, &identifier);
        let got: HashMap<_, _> = got
            .objects
            .iter()
            .map(|vb| (vb.oid.clone(), vb.value.clone()))
            .collect();
        let mut missing = 0;
        for w in &want {
            match got.get(&w.oid) {
                Some(v) if *v == w.value => {}
                Some(v) => mismatches.push(format!(
                    "{}: {} is {v:?}, recorded {:?}",
                    path.display(),
                    w.oid,
                    w.value
                )),
                None => missing += 1,
            }
        }
        if missing > 0 || got.len() != want.len() {
            mismatches.push(format!(
                "{}: {missing} recorded objects not walked; {} walked, {} recorded",
                path.display(),
                got.len(),
                want.len()
            ));
        }
        checked_values += want.len();
    }
    for m in mismatches.iter().take(40) {
        eprintln!("{m}");
    }
    assert!(mismatches.is_empty(), "{} mismatches", mismatches.len());
    assert_eq!(
        records.len(),
        sim.agents.len(),
        "one record per agent, no more"
    );
    eprintln!(
        "checked {} devices and {checked_values} walked values",
        sim.agents.len()
    );
}
