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
    let mut child = Command::new(bin())
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
    let o = Command::new(bin())
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
    let o = Command::new(bin())
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
    let policy = Command::new(bin())
        .args(["identify", "--snmprec", &recording, "--policy", s(&missing)])
        .output()
        .unwrap();
    let credentials = Command::new(bin())
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
    let o = Command::new(bin()).args(&args).output().unwrap();
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
