//! Identification throughput: every recording of the corpus turned into a device record
//! (tables decoded, identified, judged), as `netorigin identify --snmprec` does; OUI lookups;
//! and the start-up cost of every run: the tables built from the compiled-in text (the
//! registry's names, the OUI registry, the IANA registry, the identifier's rules).
//!
//! Run: `cargo bench --bench identify` (`-- startup` for the start-up group alone). Results go
//! to BENCHMARKS.md with that command.

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netorigin::discover::build::{device_record, on_every_core};
use netorigin::identify::iana::{self, IanaRegistry};
use netorigin::identify::names::Exclusions;
use netorigin::identify::oui::{BUNDLED_FILES, OuiRegistry};
use netorigin::identify::{Enterprises, Identifier, Names, Vendors};
use netorigin::record::{DiscoveredVia, Observations};
use netorigin::simulate::Recording;

fn corpus() -> Vec<Observations> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/snmprec");
    let mut files = Vec::new();
    for group in ["huawei", "zte", "h3c", "historical", "other"] {
        for e in std::fs::read_dir(root.join(group)).expect("corpus") {
            let p = e.expect("entry").path();
            if p.extension().is_some_and(|x| x == "snmprec") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .iter()
        .map(|p| {
            let mut obs = Observations::default();
            obs.extend(Recording::load(p).expect("recording").objects);
            obs
        })
        .collect()
}

fn identify(c: &mut Criterion) {
    let identifier = Identifier::bundled().expect("rules");
    let devices = corpus();
    // The OUI registry is parsed once, on first use: keep that out of the measurement.
    let _ = OuiRegistry::active();
    let mut group = c.benchmark_group("identify");
    group.throughput(Throughput::Elements(devices.len() as u64));
    let record = |obs: &Observations| {
        device_record(
            String::new(),
            DiscoveredVia::Recording,
            None,
            obs,
            Vec::new(),
            &identifier,
        )
    };
    group.bench_function("corpus_device_records", |b| {
        b.iter(|| {
            devices
                .iter()
                .map(record)
                .filter(|r| r.identification.origin.is_some())
                .count()
        })
    });
    // The same, spread over every core as `netorigin identify` does.
    group.bench_function("corpus_device_records_every_core", |b| {
        b.iter(|| {
            on_every_core(&devices, record)
                .iter()
                .filter(|r| r.identification.origin.is_some())
                .count()
        })
    });
    group.finish();

    let registry = OuiRegistry::bundled();
    let macs: Vec<[u8; 6]> = registry
        .assignments()
        .iter()
        .step_by(7)
        .filter_map(|a| {
            let hex = format!("{:0<12}", a.prefix);
            let mut mac = [0u8; 6];
            for (i, m) in mac.iter_mut().enumerate() {
                *m = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
            }
            Some(mac)
        })
        .collect();
    let mut group = c.benchmark_group("oui");
    group.throughput(Throughput::Elements(macs.len() as u64));
    group.bench_function("lookup", |b| {
        b.iter(|| {
            macs.iter()
                .filter(|m| {
                    matches!(
                        registry.lookup(**m),
                        netorigin::identify::oui::Lookup::Found(_)
                    )
                })
                .count()
        })
    });
    group.finish();
}

/// What every run builds before it identifies anything, each from the compiled-in text.
fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    group.sample_size(20);
    // The registry's names (run on the "names" thread of `Identifier::bundled`), its inputs
    // built outside the measurement.
    let enterprises = Enterprises::bundled().expect("enterprises");
    let vendors = Vendors::bundled(&enterprises).expect("vendors");
    let exclusions = Exclusions::bundled().expect("name lists");
    let registry = IanaRegistry::bundled();
    group.bench_function("names_build", |b| {
        b.iter(|| Names::build(&enterprises, &vendors, registry, &exclusions))
    });
    group.bench_function("oui_from_csv_texts", |b| {
        b.iter(|| OuiRegistry::from_csv_texts(&BUNDLED_FILES).expect("bundled OUIs"))
    });
    group.bench_function("iana_parse", |b| {
        b.iter(|| IanaRegistry::parse("rules/iana-enterprises.tsv", iana::BUNDLED).expect("iana"))
    });
    // The identifier less the names: built once here, so the thread `Identifier::bundled`
    // starts for them finds them built and ends at once (its spawn is measured).
    let _ = Names::bundled();
    group.bench_function("identifier_bundled_less_names", |b| {
        b.iter(|| Identifier::bundled().expect("rules"))
    });
    group.finish();
}

criterion_group!(benches, identify, startup);
criterion_main!(benches);
