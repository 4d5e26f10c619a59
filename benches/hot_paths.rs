//! The hot paths besides identification: SNMP message decode and encode, `.snmprec` loading,
//! and policy evaluation of a device.
//!
//! Run: `cargo bench --bench hot_paths`. Results go to BENCHMARKS.md with that command.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netorigin::date::Date;
use netorigin::discover::build::device_record;
use netorigin::identify::Identifier;
use netorigin::policy::document::Policy;
use netorigin::policy::judge::judge;
use netorigin::record::{DiscoveredVia, Observations};
use netorigin::simulate::Recording;
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

criterion_group!(benches, wire, snmprec, policy);
criterion_main!(benches);
