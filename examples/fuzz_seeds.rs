//! Writes seeds for the fuzz targets whose inputs are messages netorigin builds itself:
//! `cargo run --example fuzz_seeds -- fuzz/corpus` (scripts/fuzz-smoke runs it). Each seed is
//! a real message made with netorigin's own code: v1 and v2c requests and responses, SNMPv3
//! discovery and its Report, authenticated and encrypted requests of every user of the
//! `agent_v3` target (from its fixture, so their digests and ciphertexts are valid), and the
//! engine IDs the corpus's recordings hold; bundles of a sweep of two judged devices and the
//! site's removal ledger (an item removed with a photo as evidence, a module planned), as sent
//! (gzip) and as the text inside (the `bundle` target's two modes); and an evidence pack of a
//! saved walk, a report and a ledger entry, as given (gzip) and as the tar inside (the
//! `evidence` target's two modes).

use std::path::{Path, PathBuf};

use netorigin::simulate::Recording;
use netorigin::wire::v3::{Scoped, V3Message};
use netorigin::wire::{Message, Pdu, PduKind, Value, VarBind, Version};

#[path = "../fuzz/fuzz_targets/v3_fixture.rs"]
mod v3_fixture;

fn write(dir: &Path, target: &str, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let d = dir.join(target);
    std::fs::create_dir_all(&d)?;
    std::fs::write(d.join(name), bytes)
}

/// v1 and v2c messages: a GET, a GETNEXT, a GETBULK, a SET, and a response with a value of
/// every type.
fn community_messages() -> Vec<Vec<u8>> {
    let oid = |o: &str| o.parse().expect("example OID");
    let pdu = |kind, reps, varbinds| Pdu {
        kind,
        request_id: 1234,
        error_status: 0,
        error_index: reps,
        varbinds,
    };
    let nulls = |oids: &[&str]| -> Vec<VarBind> {
        oids.iter()
            .map(|o| VarBind::new(oid(o), Value::Null))
            .collect()
    };
    let values = vec![
        VarBind::new(
            oid("1.3.6.1.2.1.1.1.0"),
            Value::OctetString(b"Huawei VRP".to_vec()),
        ),
        VarBind::new(
            oid("1.3.6.1.2.1.1.2.0"),
            Value::ObjectId(oid("1.3.6.1.4.1.2011.2.23.96")),
        ),
        VarBind::new(oid("1.3.6.1.2.1.1.3.0"), Value::TimeTicks(233_425_120)),
        VarBind::new(oid("1.3.6.1.2.1.2.2.1.1.1"), Value::Integer(-1)),
        VarBind::new(
            oid("1.3.6.1.2.1.4.20.1.1.1"),
            Value::IpAddress([10, 0, 0, 1]),
        ),
        VarBind::new(oid("1.3.6.1.2.1.2.2.1.10.1"), Value::Counter32(7)),
        VarBind::new(oid("1.3.6.1.2.1.2.2.1.5.1"), Value::Gauge32(1_000_000_000)),
        VarBind::new(
            oid("1.3.6.1.4.1.2021.10.1.6.1"),
            Value::Opaque(vec![0x9f, 0x78, 4, 0, 0, 0, 0]),
        ),
        VarBind::new(oid("1.3.6.1.2.1.31.1.1.1.6.1"), Value::Counter64(u64::MAX)),
        VarBind::new(oid("1.3.6.1.2.1.1.9.0"), Value::NoSuchObject),
        VarBind::new(oid("1.3.6.1.2.1.1.9.1"), Value::NoSuchInstance),
        VarBind::new(oid("1.3.6.1.9"), Value::EndOfMibView),
    ];
    let mut out = Vec::new();
    for version in [Version::V1, Version::V2c] {
        for p in [
            pdu(
                PduKind::Get,
                0,
                nulls(&["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.2.0"]),
            ),
            pdu(PduKind::GetNext, 0, nulls(&["1.3.6.1.2.1.2.2.1.2"])),
            pdu(
                PduKind::GetBulk,
                25,
                nulls(&["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.2.2.1.2"]),
            ),
            pdu(PduKind::Set, 0, values[..1].to_vec()),
            pdu(PduKind::Response, 0, values.clone()),
        ] {
            let m = Message {
                version,
                community: b"public".to_vec(),
                pdu: p,
            };
            out.push(m.encode());
        }
    }
    out
}

/// The snmpEngineID (1.3.6.1.6.3.10.2.1.1.0) of every recording under `dir`, distinct.
fn engine_ids(dir: &Path) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let Ok(groups) = std::fs::read_dir(dir) else {
        return out;
    };
    let oid = "1.3.6.1.6.3.10.2.1.1.0".parse().expect("snmpEngineID");
    for group in groups.flatten() {
        for f in std::fs::read_dir(group.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let Ok(r) = Recording::load(&f.path()) else {
                continue;
            };
            if let Some(id) = r.get(&oid).and_then(|vb| vb.value.as_bytes())
                && !out.iter().any(|o: &Vec<u8>| o == id)
            {
                out.push(id.to_vec());
            }
        }
    }
    out
}

/// A bundle of a sweep of a banned Huawei router with its chassis and a Cisco switch whose
/// sysDescr spans lines, and the site's ledger, as a site sends it.
fn bundle() -> std::io::Result<Vec<u8>> {
    use netorigin::bundle::SweepHeader;
    use netorigin::record::{
        EntityClass, Finding, Identification, Judgement, Module, Observed, Verdict,
    };
    let huawei = Observed {
        address: "192.0.2.1".into(),
        sys_name: Some("pe-1.pop3".into()),
        sys_descr: Some("Huawei Versatile Routing Platform Software".into()),
        identification: Identification {
            vendor: Some("Huawei".into()),
            origin: Some("huawei".into()),
            model: Some("NetEngine 8000".into()),
            serial: Some("2102351931P0K8000123".into()),
            ..Identification::default()
        },
        modules: vec![Module {
            index: 1,
            class: Some(EntityClass::Chassis),
            model: Some("NE8000 M8".into()),
            serial: Some("2102351931P0K8000123".into()),
            ..Module::default()
        }],
        ..Observed::default()
    }
    .judged(Judgement {
        verdict: Verdict::Banned,
        findings: vec![Finding {
            rule: "huawei-group".into(),
            policy: "huawei-origin 2026-11".into(),
            jurisdiction: None,
            verdict: Verdict::Banned,
            severity: "high".into(),
            reason: "Huawei-group equipment is banned".into(),
            module: None,
            no_new_installs_after: None,
            deadline: Some("2027-01-01".into()),
            days_left: Some(30),
            exception: None,
        }],
    });
    let cisco = Observed {
        address: "192.0.2.2".into(),
        sys_descr: Some("Cisco IOS Software, C3560\r\nTechnical Support".into()),
        identification: Identification {
            vendor: Some("Cisco".into()),
            origin: Some("cisco".into()),
            ..Identification::default()
        },
        ..Observed::default()
    }
    .judged(Judgement {
        verdict: Verdict::Clear,
        findings: Vec::new(),
    });
    let header = SweepHeader {
        uuid: uuid_of("0b0f3c1e-5d2a-4c7e-9a51-2f6d8e4b7a10")?,
        site: "TOR01".into(),
        started_ms: 1_767_225_600_000,
        ended_ms: Some(1_767_225_612_000),
        status: "complete".into(),
        parameters: serde_json::json!({"targets": ["192.0.2.0/29"], "site": "TOR01"}),
        data_versions: "netorigin (fuzz seed)".into(),
        judged_on: "2026-12-01".into(),
        probed: Some(8),
        responders: Some(2),
        silent: Some(6),
        requests: Some(60),
        timeouts: Some(18),
        note: None,
    };
    let mut writer = netorigin::bundle::Writer::new(&header, Vec::new()).map_err(other)?;
    writer.device(&huawei).map_err(other)?;
    writer.device(&cisco).map_err(other)?;
    let (items, entries) = ledger();
    for item in &items {
        writer.ledger_item(item).map_err(other)?;
    }
    for entry in &entries {
        writer.ledger_entry(entry).map_err(other)?;
    }
    writer.finish().map_err(other)
}

fn other(e: netorigin::bundle::BundleError) -> std::io::Error {
    std::io::Error::other(e)
}

/// The Huawei router's ledger: found by the sweep and removed with a photo; a line card
/// planned for removal.
fn ledger() -> (
    Vec<netorigin::bundle::LedgerItemLine>,
    Vec<netorigin::bundle::LedgerEntryLine>,
) {
    use netorigin::bundle::{EvidenceLine, LedgerEntryLine, LedgerItemLine, LedgerKind};
    use netorigin::date::Date;
    use netorigin::record::{LedgerState, Verdict};
    let day = |s: &str| Date::parse(s).unwrap_or_else(Date::today);
    let router = LedgerItemLine {
        id: 1,
        identity: "serial:2102351931P0K8000123".into(),
        kind: LedgerKind::Device,
        parent: None,
        serial: Some("2102351931P0K8000123".into()),
        chassis_mac: None,
        engine_id: None,
        address: "192.0.2.1".into(),
        vendor: Some("Huawei".into()),
        model: Some("NetEngine 8000".into()),
        sys_name: Some("pe-1.pop3".into()),
        site: Some("TOR01".into()),
        role: Some("core".into()),
        technology: None,
        acquired: Some(day("2019-05-01")),
        verdict: Verdict::Banned,
        rule: Some("huawei-origin 2026-11/huawei-group".into()),
        jurisdiction: None,
        deadline: Some(day("2027-01-01")),
        state: LedgerState::Removed,
        since: day("2026-12-02"),
        target: None,
        exception: None,
        first_seen_ms: 1_767_225_600_000,
        last_seen_ms: 1_767_225_600_000,
        absent_sweeps: 0,
        reappeared: false,
    };
    let card = LedgerItemLine {
        id: 2,
        identity: "module:serial:030QFK10K1000456".into(),
        kind: LedgerKind::Module,
        parent: Some(router.identity.clone()),
        serial: Some("030QFK10K1000456".into()),
        model: Some("CR5D00E4XF90".into()),
        state: LedgerState::Planned,
        target: Some(day("2026-12-20")),
        ..router.clone()
    };
    let found = LedgerEntryLine {
        id: 1,
        item: 1,
        identity: router.identity.clone(),
        from: None,
        state: LedgerState::Found,
        day: day("2026-12-01"),
        recorded_ms: 1_767_225_612_000,
        by: "netorigin sweep #1".into(),
        note: None,
        target: None,
        exception: None,
        evidence: Vec::new(),
    };
    let removed = LedgerEntryLine {
        id: 2,
        from: Some(LedgerState::Found),
        state: LedgerState::Removed,
        day: day("2026-12-02"),
        by: "Dana (field ops)".into(),
        note: Some("pulled from rack 4\nticket CHG-1182".into()),
        evidence: vec![EvidenceLine {
            name: "rack4-empty.jpg".into(),
            sha256: "5f".repeat(32),
            size: 182_113,
        }],
        ..found.clone()
    };
    let planned = LedgerEntryLine {
        id: 3,
        item: 2,
        identity: card.identity.clone(),
        from: Some(LedgerState::Found),
        state: LedgerState::Planned,
        target: card.target,
        note: Some("with the spring maintenance window".into()),
        evidence: Vec::new(),
        ..removed.clone()
    };
    (vec![router, card], vec![found, removed, planned])
}

/// An evidence pack of a saved walk, a report and a ledger entry, signed with a fixed key.
fn evidence_pack() -> std::io::Result<Vec<u8>> {
    use netorigin::evidence::{Manifest, PackSweep, PackWriter, SigningKey};
    let key = SigningKey::from_seed(zeroize::Zeroizing::new([7u8; 32]));
    let manifest = Manifest {
        format: netorigin::evidence::FORMAT,
        sweep: PackSweep {
            number: 1,
            uuid: uuid_of("7c9e6679-7425-40de-944b-e07fc1f90ae7")?,
            site: Some("pop3".into()),
            status: "complete".into(),
            started_ms: 1_767_225_600_000,
            ended_ms: Some(1_767_225_660_000),
            started: "2026-01-01 00:00:00Z".into(),
            ended: Some("2026-01-01 00:01:00Z".into()),
            devices: 1,
            parameters: serde_json::json!({"targets": ["192.0.2.0/28"], "save_walks": "walks"}),
        },
        data_versions: "netorigin 0.1.0; policy: huawei-origin 2026-11".into(),
        judged_on: "2026-01-01".into(),
        created_ms: 1_767_225_700_000,
        created: "2026-01-01 00:01:40Z".into(),
        tool: "netorigin 0.1.0".into(),
        signer: String::new(),
        walks_dir: Some("/var/lib/netorigin/walks".into()),
        walks_missing: vec!["192.0.2.2".into()],
        captures: Vec::new(),
        ledger_entries: 1,
    };
    let io = std::io::Error::other;
    let mut pack = PackWriter::new(Vec::new(), &key, manifest).map_err(io)?;
    let files: [(&str, &[u8]); 3] = [
        (
            "walks/192.0.2.1.snmprec",
            b"1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform Software\n1.3.6.1.2.1.1.5.0|4|pe-1.pop3\n",
        ),
        (
            "reports/devices.jsonl",
            b"{\"address\":\"192.0.2.1\",\"verdict\":\"banned\"}\n",
        ),
        (
            "ledger/entries.jsonl",
            b"{\"id\":1,\"item\":1,\"state\":\"found\",\"evidence\":[]}\n",
        ),
    ];
    for (path, bytes) in files {
        pack.add(path, bytes).map_err(io)?;
    }
    Ok(pack.finish().map_err(io)?.out)
}

fn uuid_of(text: &str) -> std::io::Result<uuid::Uuid> {
    text.parse().map_err(std::io::Error::other)
}

fn main() -> std::io::Result<()> {
    let dir: PathBuf = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("fuzz/corpus"), PathBuf::from);
    let community = community_messages();
    for (i, m) in community.iter().enumerate() {
        write(&dir, "snmp_message", &format!("seed-{i}"), m)?;
        write(&dir, "agent", &format!("seed-{i}"), m)?;
    }

    let agent = v3_fixture::agent();
    let messages = v3_fixture::messages(&agent);
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        write(&dir, "snmp_v3_message", &format!("seed-{i}"), m)?;
        write(&dir, "agent", &format!("seed-v3-{i}"), m)?;
        // The agent_v3 target's first byte chooses the raw-datagram mode (0).
        write(
            &dir,
            "agent_v3",
            &format!("seed-raw-{i}"),
            &[&[0u8][..], m].concat(),
        )?;
        // The agent's answers: Reports, authenticated and encrypted responses.
        let _ = agent.respond(m, &mut out);
        // Every request but the first (discovery) is a user's, answered, not reported on: so
        // the seeds carry valid digests and ciphertexts.
        let reported = V3Message::decode(&out).is_ok_and(
            |a| matches!(a.scoped, Scoped::Plain { ref pdu, .. } if pdu.kind == PduKind::Report),
        );
        if i > 0 && reported {
            return Err(std::io::Error::other(format!(
                "the agent_v3 fixture's request {i} got a Report"
            )));
        }
        write(&dir, "snmp_v3_message", &format!("seed-answer-{i}"), &out)?;
    }
    // Mode 1: a user (by index) then the plaintext scoped PDU it encrypts and signs.
    for who in 0..v3_fixture::users().len() {
        let scoped = v3_fixture::scoped_pdu(&agent, PduKind::GetBulk, &["1.3.6.1.2.1.1"], 5);
        let who = u8::try_from(who).unwrap_or(0);
        write(
            &dir,
            "agent_v3",
            &format!("seed-plain-{who}"),
            &[&[1u8, who][..], &scoped].concat(),
        )?;
    }
    // Mode 2: an encrypting user (by index among them), privacy parameters, ciphertext.
    let keys = v3_fixture::local_keys(&agent);
    for (who, (_, k)) in keys.iter().filter(|(_, k)| k.encrypts()).enumerate() {
        let scoped = v3_fixture::scoped_pdu(&agent, PduKind::Get, &["1.3.6.1.2.1.1.5.0"], 0);
        let (cipher, params) = k.encrypt(&scoped, 1, 2_334_251).expect("encrypts");
        let who = u8::try_from(who).unwrap_or(0);
        write(
            &dir,
            "agent_v3",
            &format!("seed-cipher-{who}"),
            &[&[2u8, who][..], &params, &cipher].concat(),
        )?;
    }
    write(
        &dir,
        "snmp_v3_message",
        "seed-discovery",
        &V3Message::discovery(7, 8).encode(),
    )?;

    let ids = engine_ids(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/snmprec"));
    for (i, id) in ids.iter().enumerate() {
        write(&dir, "engine_id", &format!("seed-{i}"), id)?;
    }
    write(&dir, "engine_id", "seed-fixture", agent.engine_id())?;
    // The bundle target's first byte: even, the bytes as sent; odd, the text inside them.
    let bundle = bundle()?;
    write(&dir, "bundle", "seed-gzip", &[&[0u8][..], &bundle].concat())?;
    let mut text = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bundle[..]), &mut text)?;
    write(&dir, "bundle", "seed-text", &[&[1u8][..], &text].concat())?;
    // The evidence target's first byte: even, the pack as given; odd, the tar inside it.
    let pack = evidence_pack()?;
    write(&dir, "evidence", "seed-gzip", &[&[0u8][..], &pack].concat())?;
    let mut tar = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&pack[..]), &mut tar)?;
    write(&dir, "evidence", "seed-tar", &[&[1u8][..], &tar].concat())?;
    println!(
        "fuzz_seeds: {} v1/v2c messages, {} v3 messages, {} engine IDs written under {}",
        community.len(),
        messages.len(),
        ids.len() + 1,
        dir.display()
    );
    Ok(())
}
