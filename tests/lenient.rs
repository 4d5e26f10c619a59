//! Real recordings are messy: one bad line loses nothing else, a sanitised value is taken as
//! absent, and `--strict` restores the refusal. Each test starts from a real recording of the
//! corpus, copied to a temporary folder and spoiled there.

mod common;

use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{Simulator, jsonl, root, run, s};
use netorigin::wire::{Message, Pdu, PduKind, Value, VarBind, Version};

const LIMIT: Duration = Duration::from_secs(120);

/// An HPE Comware switch: its chassis row (index 2) has no serial, no maker; sysName,
/// sysContact and sysLocation are already `<private>`.
const REAL: &str = "tests/data/snmprec/h3c/comware_hpe5900.snmprec";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The real recording copied to `dir/NAME/device.snmprec`, with `extra` appended.
fn copy_with(dir: &Path, name: &str, extra: &[u8]) -> PathBuf {
    let mut bytes = std::fs::read(root().join(REAL)).unwrap();
    bytes.extend_from_slice(extra);
    let f = dir.join(name).join("device.snmprec");
    std::fs::create_dir_all(f.parent().unwrap()).unwrap();
    std::fs::write(&f, bytes).unwrap();
    f
}

/// The number of the line `extra`'s first line will have once appended to the recording.
fn first_added_line() -> usize {
    std::fs::read(root().join(REAL))
        .unwrap()
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `identify --snmprec FILE --format jsonl`: the records (the device's, then its neighbours'),
/// each without its address (the file's path) and notes; and the device's notes.
fn identify(
    f: &Path,
    extra: &[&str],
) -> (std::process::Output, Vec<serde_json::Value>, Vec<String>) {
    let mut args = vec!["identify", "--snmprec", s(f), "--format", "jsonl"];
    args.extend_from_slice(extra);
    let o = run(&args, LIMIT);
    let mut records = jsonl(&o.stdout);
    let notes = records
        .first()
        .map(|r| {
            r["notes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n.as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    for r in &mut records {
        let r = r.as_object_mut().unwrap();
        r.remove("address");
        r.remove("notes");
    }
    (o, records, notes)
}

#[test]
fn a_recording_with_sanitised_lines_identifies_as_the_recording_without_them() {
    let dir = tempfile::tempdir().unwrap();
    let clean = copy_with(dir.path(), "clean", b"");
    // The chassis's serial and maker sanitised, a TimeTicks of `<private>` (a line that
    // cannot be read: the recording already has its sysUpTime, which stays), and an LLDP
    // neighbour whose name was removed.
    let spoiled = copy_with(
        dir.path(),
        "spoiled",
        b"1.3.6.1.2.1.47.1.1.1.1.11.2|4|<private>\n\
          1.3.6.1.2.1.47.1.1.1.1.12.2|4|XXXXXXXX\n\
          1.3.6.1.2.1.1.3.0|67|<private>\n\
          1.3.6.1.2.1.47.1.1.1.1.13.2|4| <private> \n",
    );
    let (o, want, clean_notes) = identify(&clean, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (o, got, notes) = identify(&spoiled, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(want[0]["origin"], "h3c", "{}", want[0]);
    assert_eq!(got, want, "the whole identification, every record");
    let line = first_added_line() + 2;
    let file_line = format!("{}:{line}: TimeTicks expected", spoiled.display());
    assert!(notes.iter().any(|n| n.starts_with(&file_line)), "{notes:?}");
    assert!(stderr(&o).contains(&file_line), "{}", stderr(&o));
    // sysName, sysContact and sysLocation of the recording, and the three added values.
    let sanitised = notes
        .iter()
        .filter(|n| n.contains("sanitised values taken as absent"))
        .collect::<Vec<_>>();
    assert_eq!(sanitised.len(), 1, "once: {notes:?}");
    assert!(sanitised[0].starts_with("6 sanitised"), "{notes:?}");
    assert!(
        clean_notes.iter().any(|n| n.starts_with("3 sanitised")),
        "{clean_notes:?}"
    );
}

/// A line of invalid UTF-8 with NULs, and one with a pipe in its garbage.
const GARBAGE: &[u8] = b"\x00\xff\xfe\x80\x00garbage\x00\xc3\x28\n\x00\x01|\xff|\xfe\x00\n";

#[test]
fn a_line_of_binary_garbage_leaves_the_device_and_a_note_and_strict_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let clean = copy_with(dir.path(), "clean", b"");
    let spoiled = copy_with(dir.path(), "spoiled", GARBAGE);
    let (_, want, _) = identify(&clean, &[]);
    let (o, got, notes) = identify(&spoiled, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(got, want);
    let line = first_added_line();
    for n in [line, line + 1] {
        let named = format!("{}:{n}: ", spoiled.display());
        assert!(
            notes.iter().any(|x| x.starts_with(&named)),
            "{named}: {notes:?}"
        );
        assert!(stderr(&o).contains(&named), "{}", stderr(&o));
    }
    assert!(!notes.iter().any(|n| n.contains('\0')), "{notes:?}");

    // Scripts written for earlier versions still run: the option is now the default.
    let (o, old_script, _) = identify(&spoiled, &["--skip-bad-lines"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(old_script, want);

    let o = run(
        &[
            "identify",
            "--strict",
            "--snmprec",
            s(&spoiled),
            "--format",
            "jsonl",
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:{line}: ", spoiled.display())),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn ten_thousand_bad_lines_are_said_in_a_handful() {
    let dir = tempfile::tempdir().unwrap();
    let spoiled = copy_with(
        dir.path(),
        "many",
        &b"1.3.6.1.4.1.9.9.9.0|70|\n".repeat(10_000),
    );
    let (o, got, notes) = identify(&spoiled, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(got[0]["origin"], "h3c");
    let about = |text: &str| text.lines().filter(|l| l.contains(s(&spoiled))).count();
    let told = about(&stderr(&o));
    assert!((2..=10).contains(&told), "{told} lines: {}", stderr(&o));
    assert!(
        stderr(&o).contains("more lines left out") && stderr(&o).contains("10000 in all"),
        "{}",
        stderr(&o)
    );
    assert_eq!(about(&notes.join("\n")), told);
}

/// A GET of sysDescr.0 and sysObjectID.0 to `agent`.
fn get_system(agent: std::net::SocketAddr) -> Vec<VarBind> {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    let request = Message {
        version: Version::V2c,
        community: b"public".to_vec(),
        pdu: Pdu {
            kind: PduKind::Get,
            request_id: 42,
            error_status: 0,
            error_index: 0,
            varbinds: ["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"]
                .iter()
                .map(|o| VarBind::new(o.parse().unwrap(), Value::Null))
                .collect(),
        },
    };
    socket.send_to(&request.encode(), agent).unwrap();
    let mut buf = [0u8; 65_535];
    let (n, _) = socket.recv_from(&mut buf).unwrap();
    Message::decode(&buf[..n]).unwrap().pdu.varbinds
}

#[test]
fn simulate_serves_a_recording_with_bad_lines_and_strict_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let spoiled = copy_with(dir.path(), "spoiled", GARBAGE);
    let sim = Simulator::start("127.34.0.1", std::slice::from_ref(&spoiled), &[]);
    let answer = get_system(sim.agents[0].0);
    assert_eq!(
        answer[1].value,
        Value::ObjectId("1.3.6.1.4.1.25506.11.1.120".parse().unwrap())
    );
    assert!(
        answer[0]
            .value
            .as_text()
            .is_some_and(|t| t.starts_with("HPE Comware Platform Software")),
        "{answer:?}"
    );
    drop(sim);

    let port = common::free_port("127.34.0.9").to_string();
    let o = run(
        &[
            "simulate",
            "--strict",
            "--base",
            "127.34.0.9",
            "--port",
            &port,
            s(&spoiled),
        ],
        LIMIT,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:{}: ", spoiled.display(), first_added_line())),
        "{}",
        stderr(&o)
    );
}
