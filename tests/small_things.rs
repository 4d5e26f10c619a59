//! The small things people notice (issue 16): a closed pipe, `oui lookup` with a bad argument,
//! file errors without a line, plurals, the demo's data folder, `--fail-on`'s message,
//! net-snmp's protocol spellings, completions and the man page.

mod common;

use common::{bin, corpus, s};
use std::io::Read;
use std::process::{Command, Stdio};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the binary, reads a little of its standard output and closes the pipe, as `| head -2`
/// does; returns its exit code and standard error.
fn read_a_little_then_close(args: &[String]) -> (Option<i32>, String) {
    let mut child = common::netorigin()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run netorigin");
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    out.read_exact(&mut first).expect("some output");
    drop(out);
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    (child.wait().unwrap().code(), err)
}

/// Runs the binary with its standard output a pipe whose reader is already gone; returns its
/// exit code and standard error.
fn write_to_a_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = common::netorigin()
        .args(args)
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run netorigin");
    (o.status.code(), stderr(&o))
}

fn said_nothing_of_the_pipe(err: &str) -> bool {
    !err.to_lowercase().contains("broken pipe") && !err.contains("panicked")
}

fn group(name: &str) -> Vec<String> {
    corpus()
        .iter()
        .filter(|p| p.parent().is_some_and(|d| d.ends_with(name)))
        .map(|p| s(p).to_string())
        .collect()
}

#[test]
fn a_pipe_closed_after_the_first_lines_ends_the_output_quietly_with_exit_0() {
    // The Huawei recordings' JSON Lines are far larger than a pipe's buffer.
    let mut args: Vec<String> = ["identify", "--format", "jsonl", "--snmprec"]
        .map(String::from)
        .to_vec();
    args.extend(group("huawei"));
    let (code, err) = read_a_little_then_close(&args);
    assert_eq!(code, Some(0), "{err}");
    assert!(said_nothing_of_the_pipe(&err), "{err}");
}

#[test]
fn a_closed_pipe_ends_every_report_format_and_command_quietly_with_exit_0() {
    let one = group("huawei").swap_remove(0);
    for format in ["table", "jsonl", "csv", "json", "html", "dot"] {
        let (code, err) =
            write_to_a_closed_pipe(&["identify", "--format", format, "--snmprec", &one]);
        assert_eq!(code, Some(0), "--format {format}: {err}");
        assert!(said_nothing_of_the_pipe(&err), "--format {format}: {err}");
    }
    for args in [
        &["oui", "lookup", "00:e0:fc:00:00:01"][..],
        &["sweep", "--dry-run", "127.0.0.1"],
        &["--help"],
    ] {
        let (code, err) = write_to_a_closed_pipe(args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert!(said_nothing_of_the_pipe(&err), "{args:?}: {err}");
    }
}

#[test]
fn oui_lookup_answers_every_good_argument_and_prefixes_then_exits_2_naming_the_bad() {
    let o = common::netorigin()
        .args([
            "oui",
            "lookup",
            "00:e0:fc:00:00:01",
            "zz:zz",
            "00:e0:fc",
            "00-E0-FC",
            "0055da0",
            "00:55:da:0",
            "70:b3:d5:1f:2",
            "70-B3-D5-1F-20-00/36",
            "00:e0:fc:00:01",
        ])
        .env("NETORIGIN_DATA_DIR", tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let answers: Vec<&str> = out.lines().collect();
    let huawei = "MA-L\t00E0FC\tHUAWEI TECHNOLOGIES CO.,LTD";
    assert_eq!(answers[0], format!("00:e0:fc:00:00:01\t{huawei}"), "{out}");
    assert_eq!(answers[1], format!("00:e0:fc\t{huawei}"), "{out}");
    assert_eq!(answers[2], format!("00:e0:fc\t{huawei}"), "{out}");
    assert!(
        answers[3].starts_with("00:55:da:0\tMA-M\t0055DA0\t"),
        "{out}"
    );
    assert_eq!(answers[3], answers[4], "{out}");
    assert!(
        answers[5].starts_with("70:b3:d5:1f:2\tMA-S\t70B3D51F2\t"),
        "{out}"
    );
    assert_eq!(answers[5], answers[6], "{out}");
    assert!(answers[7].starts_with("registry: "), "{out}");
    let err = stderr(&o);
    for bad in ["\"zz:zz\"", "\"00:e0:fc:00:01\""] {
        assert!(
            err.lines()
                .any(|l| l.contains(bad) && l.contains("prefix of 24, 28 or 36 bits")),
            "{bad} named with what was expected: {err}"
        );
    }
    assert!(err.contains("2 arguments of 9 not looked up"), "{err}");
}

#[test]
fn an_unreadable_policy_or_credentials_file_is_named_without_a_made_up_position() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.toml");
    let recording = group("huawei").swap_remove(0);
    let policy = common::netorigin()
        .args(["identify", "--snmprec", &recording, "--policy", s(&missing)])
        .output()
        .unwrap();
    let credentials = common::netorigin()
        .args([
            "sweep",
            "--no-db",
            "--credentials",
            s(&missing),
            "127.0.0.1",
        ])
        .output()
        .unwrap();
    for o in [policy, credentials] {
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("file {}: cannot read: No such file", s(&missing))),
            "{err}"
        );
        assert!(!err.contains(":0:0"), "{err}");
    }
}

#[test]
fn fail_on_names_the_count_and_the_first_devices() {
    let recordings: Vec<String> = group("huawei").into_iter().take(6).collect();
    let mut args = vec![
        "identify",
        "--fail-on",
        "banned",
        "--format",
        "jsonl",
        "--snmprec",
    ];
    args.extend(recordings.iter().map(String::as_str));
    let o = common::netorigin().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let banned: Vec<serde_json::Value> = common::jsonl(&o.stdout)
        .into_iter()
        .filter(|d| d["verdict"] == "banned")
        .collect();
    assert!(banned.len() > 3, "the test needs more than three banned");
    let err = stderr(&o);
    let line = err.lines().last().unwrap();
    assert!(
        line.contains(&format!("{} devices judged banned", banned.len())),
        "{line}"
    );
    let first = &banned[0];
    let named = match first["sys_name"].as_str() {
        Some(name) => format!("{} ({name})", first["address"].as_str().unwrap()),
        None => first["address"].as_str().unwrap().to_string(),
    };
    assert!(line.contains(&named), "{named} in {line}");
    assert!(
        line.ends_with(&format!("and {} more", banned.len() - 3)),
        "{line}"
    );
}

#[test]
fn bash_completions_load_in_bash() {
    let o = common::netorigin()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("netorigin.bash");
    std::fs::write(&script, &o.stdout).unwrap();
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("bash runs");
    assert!(check.status.success(), "{}", stderr(&check));
    // Loaded for real, it registers the completion function for the command.
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p netorigin", s(&script)))
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&loaded.stdout).contains("netorigin"),
        "{}",
        stderr(&loaded)
    );
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let o = common::netorigin()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(o.status.success() && !o.stdout.is_empty(), "{shell}");
    }
}

#[test]
#[ignore = "needs man-db (scripts/test installs it)"]
fn the_man_page_renders_with_man_and_has_a_section_per_command() {
    let o = common::netorigin().arg("man").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("netorigin.1");
    std::fs::write(&page, &o.stdout).unwrap();
    let shown = Command::new("man")
        .arg("-l")
        .arg(&page)
        .env("MANWIDTH", "100")
        .env("MANPAGER", "cat")
        .env("PAGER", "cat")
        .output()
        .expect("man-db's `man` is installed (apt-get install man-db)");
    assert!(shown.status.success(), "{}", stderr(&shown));
    assert!(stderr(&shown).is_empty(), "{}", stderr(&shown));
    let text = String::from_utf8_lossy(&shown.stdout);
    for heading in [
        "NAME",
        "SYNOPSIS",
        "DEMO",
        "SWEEP",
        "SIMULATE",
        "IDENTIFY",
        "OUI LOOKUP",
        "LISTEN",
        "HISTORY SHOW",
        "SCHEDULE",
        "COMPLETIONS",
    ] {
        assert!(
            text.lines().any(|l| l == heading),
            "no {heading} section in:\n{text}"
        );
    }
    assert!(text.contains("--fail-on"), "{text}");
}

#[test]
fn the_fuzz_crates_lock_is_current_so_its_build_leaves_it_unchanged() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let o = Command::new(cargo)
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .arg("--manifest-path")
        .arg(common::root().join("fuzz/Cargo.toml"))
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "fuzz/Cargo.lock is out of date (run `cargo update -p netorigin` in fuzz/ and commit it): {}",
        stderr(&o)
    );
}

#[test]
fn demo_help_shows_no_build_folder_and_a_binary_away_from_its_data_says_what_it_needs() {
    let build_folder = s(&common::root()).to_string();
    for args in [&["demo", "--help"][..], &["man"]] {
        let o = common::netorigin().args(args).output().unwrap();
        assert!(
            !String::from_utf8_lossy(&o.stdout).contains(&build_folder),
            "{args:?} shows {build_folder}"
        );
    }
    // The binary alone, run from an empty folder.
    let alone = tempfile::tempdir().unwrap();
    let copy = alone.path().join("netorigin");
    std::fs::copy(bin(), &copy).unwrap();
    let o = common::output_of_copy(Command::new(&copy).arg("demo").current_dir(alone.path()));
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("tests/data") && err.contains("--data"),
        "{err}"
    );
}

#[test]
fn demo_finds_its_data_in_the_installed_data_folder() {
    // prefix/bin/netorigin with prefix/share/netorigin/demo/segment.txt.
    let prefix = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(prefix.path().join("bin")).unwrap();
    let copy = prefix.path().join("bin/netorigin");
    std::fs::copy(bin(), &copy).unwrap();
    let demo = prefix.path().join("share/netorigin/demo");
    std::fs::create_dir_all(&demo).unwrap();
    let recording = group("huawei").swap_remove(0);
    std::fs::write(
        demo.join("segment.txt"),
        format!("# one device\n{recording}\n"),
    )
    .unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let o = common::output_of_copy(
        Command::new(&copy)
            .args(["demo", "--format", "jsonl"])
            .current_dir(elsewhere.path()),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(common::jsonl(&o.stdout).len(), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 address probed, 1 answered"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn counts_of_one_take_the_singular() {
    let o = common::netorigin()
        .args([
            "sweep",
            "--dry-run",
            "127.0.0.1",
            "--retries",
            "1",
            "--rate",
            "1",
            "--community",
            "x",
            "--no-engine-probe",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    for said in ["up to 1 address of", "1 retry each", "1 request per second"] {
        assert!(out.contains(said), "{said:?} in {out}");
    }
    for wrong in ["1 addresses", "1 retries", "1 requests"] {
        assert!(!out.contains(wrong), "{wrong:?} in {out}");
    }
}

#[test]
fn a_closed_pipe_ends_every_history_view_quietly_with_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    std::fs::copy(common::root().join("tests/data/store/v1.db"), &db).unwrap();
    let db = s(&db);
    for view in [&["list"][..], &["show", "1"], &["diff", "1", "2"]] {
        for format in ["table", "jsonl", "json", "csv"] {
            let mut args = vec!["history"];
            args.extend(view);
            args.extend(["--db", db, "--format", format]);
            let (code, err) = write_to_a_closed_pipe(&args);
            assert_eq!(code, Some(0), "{args:?}: {err}");
            assert!(said_nothing_of_the_pipe(&err), "{args:?}: {err}");
        }
    }
}

#[test]
fn the_simulators_ready_line_counts_one_agent_in_the_singular() {
    let one = group("huawei").swap_remove(0);
    let sim = common::Simulator::start("127.36.0.1", &[std::path::PathBuf::from(&one)], &[]);
    assert!(sim.ready.starts_with("ready: 1 agent on "), "{}", sim.ready);
    let two = group("huawei");
    let sim = common::Simulator::start(
        "127.36.0.1",
        &two[..2]
            .iter()
            .map(std::path::PathBuf::from)
            .collect::<Vec<_>>(),
        &[],
    );
    assert!(
        sim.ready.starts_with("ready: 2 agents on "),
        "{}",
        sim.ready
    );
}
