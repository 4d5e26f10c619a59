//! The hot paths besides identification: SNMP message decode and encode, `.snmprec` loading,
//! a walked device's observations gathered, saved and built into a record, the simulator's
//! GETBULK answer, policy evaluation of a device, inventory lookups, and a sweep stored with
//! its removal ledger.
//!
//! Run: `cargo bench --bench hot_paths`. Results go to BENCHMARKS.md with that command.

use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netorigin::date::Date;
use netorigin::discover::build::device_record;
use netorigin::identify::Identifier;
use netorigin::policy::document::Policy;
use netorigin::policy::judge::judge;
use netorigin::record::{DiscoveredVia, Observations};
use netorigin::simulate::{Agent, Recording};
use netorigin::wire::snmprec::{engine_id_comment, push_snmprec};
use netorigin::wire::{Message, Pdu, PduKind, VarBind, Version};

fn corpus_file(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/snmprec")
        .join(rel)
}

/// A GETBULK response of 25 rows of a real recording's values, as an agent sends it.
fn response() -> Vec<u8> {
    let rec = Recording::load(&corpus_file("huawei/vrp_ar169sfp.snmprec")).expect("recording");
    Message {
        version: Version::V2c,
        community: b"public".to_vec(),
        pdu: Pdu {
            kind: PduKind::Response,
            request_id: 0x1234_5678,
            error_status: 0,
            error_index: 0,
            varbinds: rec
                .objects
                .iter()
                .take(25)
                .cloned()
                .collect::<Vec<VarBind>>(),
        },
    }
    .encode()
}

fn wire(c: &mut Criterion) {
    let bytes = response();
    let message = Message::decode(&bytes).expect("decodes");
    let mut group = c.benchmark_group("wire");
    group.throughput(Throughput::Elements(1));
    group.bench_function("decode_getbulk_response_25", |b| {
        b.iter(|| Message::decode(std::hint::black_box(&bytes)).expect("decodes"))
    });
    let mut out = Vec::with_capacity(bytes.len());
    group.bench_function("encode_getbulk_response_25", |b| {
        b.iter(|| {
            message.encode_into(&mut out);
            out.len()
        })
    });
    group.finish();
}

fn snmprec(c: &mut Criterion) {
    let path = corpus_file("other/arubaos.snmprec");
    let bytes = std::fs::read(&path).expect("recording");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
    let mut group = c.benchmark_group("snmprec");
    group.throughput(Throughput::Elements(lines));
    group.bench_function("parse_arubaos", |b| {
        b.iter(|| Recording::parse(&path, std::hint::black_box(&bytes)).expect("parses"))
    });
    group.finish();
}

/// One walked device (a Huawei router's recording, 1,120 values) as a sweep handles it: its
/// values gathered (the probe's four, then every table's rows at once), written as its saved
/// walk, and built into a record; and the simulator answering a GETBULK of 25 from it.
fn walked(c: &mut Criterion) {
    let rec = Recording::load(&corpus_file("huawei/vrp_ar169sfp.snmprec")).expect("recording");
    let identifier = Identifier::bundled().expect("rules");
    let gather = || {
        let mut obs = Observations::default();
        obs.extend(rec.objects[..4].iter().cloned());
        obs.extend(rec.objects[4..].iter().cloned());
        obs
    };
    let obs = gather();
    let mut group = c.benchmark_group("walked");
    group.throughput(Throughput::Elements(rec.objects.len() as u64));
    group.bench_function("observations_gathered_vrp", |b| b.iter(gather));
    group.bench_function("saved_walk_written_vrp", |b| {
        b.iter(|| {
            let mut text = engine_id_comment(b"\x80\x00\x07\xdb\x03");
            push_snmprec(&mut text, std::hint::black_box(&obs).entries());
            text
        })
    });
    group.bench_function("record_built_vrp", |b| {
        b.iter(|| {
            device_record(
                String::new(),
                DiscoveredVia::Snmp,
                None,
                std::hint::black_box(&obs),
                Vec::new(),
                &identifier,
            )
        })
    });
    group.finish();
    let agent = Agent::new(Arc::new(rec), None);
    let bulk = Message {
        version: Version::V2c,
        community: b"public".to_vec(),
        pdu: Pdu {
            kind: PduKind::GetBulk,
            request_id: 1,
            error_status: 0,
            error_index: 25,
            varbinds: vec![VarBind::new(
                "1.3.6.1.2.1.2.2.1".parse().expect("oid"),
                netorigin::wire::Value::Null,
            )],
        },
    };
    let mut group = c.benchmark_group("simulate");
    group.throughput(Throughput::Elements(25));
    group.bench_function("getbulk_answer_25", |b| {
        b.iter(|| agent.answer(std::hint::black_box(&bulk)))
    });
    group.finish();
}

fn policy(c: &mut Criterion) {
    let identifier = Identifier::bundled().expect("rules");
    let origins = identifier.vendors().origins();
    let policies: Vec<Policy> = [
        "huawei-origin",
        "canada-2022",
        "uk-2020",
        "us-fcc-covered-list",
    ]
    .iter()
    .map(|p| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("policies")
            .join(format!("{p}.toml"));
        Policy::load(&path, &origins).expect("policy")
    })
    .collect();
    let mut obs = Observations::default();
    obs.extend(
        Recording::load(&corpus_file("huawei/vrp_ar169sfp.snmprec"))
            .expect("recording")
            .objects,
    );
    let device = device_record(
        String::new(),
        DiscoveredVia::Recording,
        None,
        &obs,
        Vec::new(),
        &identifier,
    );
    let today = Date::parse("2026-11-27").expect("date");
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Elements(1));
    group.bench_function("judge_huawei_router_four_policies", |b| {
        b.iter(|| judge(&policies, std::hint::black_box(&device), today))
    });
    group.finish();
}

/// An inventory of `rows` device rows (half keyed by address, half by serial), 200 site
/// networks and one sysName pattern, as CSV and TOML texts.
fn inventory_texts(rows: u32) -> (String, String) {
    let mut csv = String::from("address,serial,site,role,technology\n");
    for i in 0..rows {
        let (hi, lo) = (i / 256 % 256, i % 256);
        if i % 2 == 0 {
            csv.push_str(&format!(
                "127.{}.{hi}.{lo},,S{i},access,GPON\n",
                100 + i / 65536
            ));
        } else {
            csv.push_str(&format!(",SN{i:08},S{i},core,5G\n"));
        }
    }
    for net in 0..200 {
        csv.push_str(&format!("127.{}.{net}.0/24,,NET{net},,\n", 100 + net % 4));
    }
    let toml = "[[pattern]]\nfield = \"sys_name\"\npattern = '^(?<site>[A-Z]{3}[0-9]{2})-'\n";
    (csv, toml.to_string())
}

/// The inventory applied to each device a sweep finds: the time per device grows with the
/// inventory's rows when every row is tried, stays flat when rows are looked up by key.
fn inventory(c: &mut Criterion) {
    let mut group = c.benchmark_group("inventory");
    group.throughput(Throughput::Elements(1));
    for rows in [1_000u32, 100_000] {
        let (csv, toml) = inventory_texts(rows);
        let mut inv = netorigin::inventory::Inventory::default();
        inv.read(std::path::Path::new("i.csv"), "i.csv", &csv)
            .expect("csv");
        inv.read(std::path::Path::new("p.toml"), "p.toml", &toml)
            .expect("toml");
        let device = |i: u32| netorigin::record::Observed {
            address: format!("127.100.{}.{}", i / 256 % 256, i % 256),
            sys_name: Some(format!("TOR{:02}-pe-{i}", i % 100)),
            identification: netorigin::record::Identification {
                serial: Some(format!("SN{:08}", i + 1)),
                ..Default::default()
            },
            ..Default::default()
        };
        let devices: Vec<_> = (0..64).map(|i| device(i * 7)).collect();
        group.bench_function(format!("apply_to_a_device_{rows}_rows"), |b| {
            let mut n = 0;
            b.iter(|| {
                let mut d = devices[n % devices.len()].clone();
                n += 1;
                inv.apply(&mut d);
                d
            })
        });
    }
    group.finish();
}

/// A judged device: banned Huawei gear with a line card (a ledger item each), or clear gear.
fn ledger_device(i: u32, banned: bool) -> netorigin::record::DeviceRecord {
    use netorigin::record::{Identification, Judgement, Module, Observed, Verdict};
    let verdict = if banned {
        Verdict::Banned
    } else {
        Verdict::Clear
    };
    Observed {
        address: format!("127.100.{}.{}", i / 256 % 256, i % 256),
        identification: Identification {
            serial: Some(format!("SN{i:08}")),
            vendor: Some(if banned { "Huawei" } else { "Cisco" }.into()),
            ..Identification::default()
        },
        modules: vec![Module {
            index: 2,
            serial: Some(format!("LC{i:08}")),
            verdict: Some(verdict),
            ..Module::default()
        }],
        ..Observed::default()
    }
    .judged(Judgement {
        verdict,
        findings: Vec::new(),
    })
}

/// A sweep of 2,000 devices stored, half of them banned (1,000 devices and 1,000 line cards
/// in the removal ledger): the first sweep makes the items, the next ones find them again.
fn ledger(c: &mut Criterion) {
    use netorigin::store::Store;
    use netorigin::store::writer::Status;
    let mut group = c.benchmark_group("ledger");
    group.sample_size(10);
    group.throughput(Throughput::Elements(2_000));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let store_sweep = |db: &std::path::Path, banned: bool| {
        let store = Store::open(db).expect("store");
        let parameters = serde_json::json!({ "targets": ["127.100.0.0/16"] });
        let rec = store
            .begin_sweep(&parameters, "bench", "2026-12-07", None)
            .expect("sweep");
        for i in 0..2_000 {
            rec.device(ledger_device(i, banned && i % 2 == 0));
        }
        rt.block_on(rec.finish(Status::Complete, None, None))
            .expect("stored")
    };
    for (name, banned) in [
        ("store_2000_clear_devices_no_ledger", false),
        ("store_2000_devices_first_sweep", true),
    ] {
        group.bench_function(name, |b| {
            b.iter_with_setup(tempfile::TempDir::new, |dir| {
                let dir = dir.expect("temp dir");
                store_sweep(&dir.path().join("h.db"), banned)
            })
        });
    }
    let dir = tempfile::TempDir::new().expect("temp dir");
    let db = dir.path().join("h.db");
    store_sweep(&db, true);
    group.bench_function("store_2000_devices_items_known", |b| {
        b.iter(|| store_sweep(&db, true))
    });
    group.finish();
}

criterion_group!(benches, wire, snmprec, walked, policy, inventory, ledger);
criterion_main!(benches);
