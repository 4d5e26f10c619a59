//! Identification measured on real devices, offline: every recording of the corpus is run
//! through the same pipeline as a sweep (`identify --snmprec`), and compared with ground truth:
//! `TRUTH.tsv` (LibreNMS's OS and vendor logo per recording), LibreNMS's expected hardware,
//! version and serial, and Rapid7 recog's sysDescr examples. Each test prints its figures and
//! every miss.

mod common;

use std::collections::HashMap;
use std::path::Path;

use netorigin::identify::Identifier;
use netorigin::record::Observed;
use netorigin::simulate::Recording;
use netorigin::text::serial_placeholder;
use netorigin::wire::value::placeholder;

fn record(path: &Path, identifier: &Identifier) -> Observed {
    let rec = Recording::load(path).unwrap();
    common::recorded_device(path, rec.objects, identifier)
}

fn truth() -> Vec<HashMap<String, String>> {
    let text =
        std::fs::read_to_string(common::root().join("tests/data/snmprec/TRUTH.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn find(file: &str) -> std::path::PathBuf {
    common::corpus()
        .into_iter()
        .find(|p| p.file_name().unwrap() == file)
        .unwrap_or_else(|| panic!("{file} not in corpus"))
}

/// LibreNMS's vendor logo (or, where it has none, the first word of its OS text) as the
/// vendor display names that count as agreement: the logo's own company, or that company's own
/// brands. Most logos are the vendor's name, compared as it is (case, spaces and dashes aside);
/// this table lists only the logos that are not.
fn accepted_vendors(icon: &str, text: &str) -> Vec<String> {
    let key = if icon.is_empty() {
        text.split_whitespace().next().unwrap_or("").to_lowercase()
    } else {
        icon.to_string()
    };
    let names: &[&str] = match key.as_str() {
        // HP split in 2015; its network, server and iLO products went to HPE. One company for
        // the devices recorded here. (3Com, Aruba and H3C, all bought at one time or another,
        // are not the same company: they have logos of their own.)
        "hpe" | "hp" => &["HPE", "HP"],
        // Aruba is HPE's own brand since 2015.
        "aruba" => &["Aruba", "HPE"],
        // The logos name an OS or product line; the maker is the company itself.
        "junos" => &["Juniper"],
        "panos" => &["Palo Alto"],
        "extremevoss" | "extremeboss" => &["Extreme"],
        // Enterasys is Extreme's own brand (bought 2013).
        "extreme" | "enterasys" => &["Extreme", "Enterasys"],
        // Cisco's own brands (origin cisco) under Cisco's logo.
        "cisco-old" | "cisco" => &["Cisco", "Meraki", "Viptela"],
        "meraki" => &["Cisco", "Meraki"],
        // Short or joined spellings of the company's name.
        "tplink" => &["TP-Link"],
        "dlink" => &["D-Link"],
        "edgeos" => &["Ubiquiti"],
        "alliedtelesis" => &["Allied Telesis"],
        "checkpoint" => &["Check Point"],
        "saf" => &["SAF Tehnika"],
        "gwd" => &["GW Technologies"],
        // Edgecore is Accton's own networking brand (a subsidiary).
        "edge-core" => &["Edgecore", "Accton"],
        // The Alcatel-Lucent logo is a brand that two companies carry: Nokia (carrier gear)
        // and Alcatel-Lucent Enterprise (OmniSwitch, the AOS product line). The logo does not
        // say which; either is the brand's owner.
        "alcatellucent" => &["Nokia", "Alcatel-Lucent", "Alcatel-Lucent Enterprise"],
        // Force10 is Dell's own brand (bought 2011).
        "force10" => &["Dell", "Force10"],
        // The BNT/IBM System Networking line: IBM bought BNT (2010) and sold the line with its
        // enterprise number (26543) to Lenovo (2014), which makes it today.
        "ibmos" | "bnt" => &["Lenovo", "IBM"],
        // LibreNMS names the OS or product line; we name its maker.
        "aix" => &["IBM"],
        "picos" => &["Pica8"],
        "opnsense" => &["Deciso"],
        "pfsense" => &["Netgate"],
        // Plain Linux names no vendor: the right answer is none.
        "linux" => return Vec::new(),
        _ => return vec![key],
    };
    names.iter().map(|s| s.to_string()).collect()
}

use common::WATCHED_GROUPS;

/// How a record fares against a row of TRUTH.tsv.
enum Verdict {
    /// A watched recording: its group is right.
    WatchedHit,
    /// Another recording: its vendor is right and it has no watched group.
    VendorHit,
    /// A watched recording without its group.
    OriginMiss(String),
    /// A watched group on another's recording.
    FalseOrigin(String),
    /// Another recording's vendor is wrong.
    VendorMiss(String),
    /// A recording LibreNMS recognised nothing of (no logo, no OS text: a one-line
    /// `historical` walk), so there is no vendor to agree with. Listed, not scored.
    NoTruth(String),
}

/// Judges a record against its row: watched recordings (TRUTH's origin huawei, zte or h3c)
/// by their group, the others by their vendor (only the vendor: a brand the text shows does
/// not count) and by not having any watched group.
fn judge(row: &HashMap<String, String>, r: &Observed) -> Verdict {
    let want_origin = row["origin"].as_str();
    let got_origin = r.identification.origin.as_deref().unwrap_or("-");
    if WATCHED_GROUPS.contains(&want_origin) {
        return if got_origin == want_origin {
            Verdict::WatchedHit
        } else {
            Verdict::OriginMiss(format!(
                "{}: origin {got_origin}, truth {want_origin}",
                row["file"]
            ))
        };
    }
    if WATCHED_GROUPS.contains(&got_origin) {
        return Verdict::FalseOrigin(format!(
            "{}: origin {got_origin}, truth {want_origin} ({})",
            row["file"], row["text"]
        ));
    }
    if row["icon"].is_empty() && row["text"].is_empty() {
        return Verdict::NoTruth(format!(
            "{}: ours {:?}",
            row["file"], r.identification.vendor
        ));
    }
    let accepted = accepted_vendors(&row["icon"], &row["text"]);
    let agrees = match (&r.identification.vendor, accepted.is_empty()) {
        (None, true) => true,
        (Some(v), false) => accepted.iter().any(|a| normalised(a) == normalised(v)),
        _ => false,
    };
    if agrees {
        Verdict::VendorHit
    } else {
        Verdict::VendorMiss(format!(
            "{}: ours {:?}, LibreNMS {} / {:?}",
            row["file"], r.identification.vendor, row["icon"], row["text"]
        ))
    }
}

/// Figures of a run over TRUTH.tsv.
#[derive(Default)]
struct Tally {
    watched: usize,
    others: usize,
    origin_misses: Vec<String>,
    false_origins: Vec<String>,
    vendor_misses: Vec<String>,
    not_scored: Vec<String>,
}

impl Tally {
    fn add(&mut self, row: &HashMap<String, String>, v: Verdict) {
        let watched = WATCHED_GROUPS.contains(&row["origin"].as_str());
        if watched {
            self.watched += 1;
        } else if !matches!(v, Verdict::NoTruth(_)) {
            self.others += 1;
        }
        match v {
            Verdict::NoTruth(m) => self.not_scored.push(m),
            Verdict::WatchedHit | Verdict::VendorHit => {}
            Verdict::OriginMiss(m) => self.origin_misses.push(m),
            Verdict::FalseOrigin(m) => self.false_origins.push(m),
            Verdict::VendorMiss(m) => self.vendor_misses.push(m),
        }
    }

    fn vendor_rate(&self) -> f64 {
        1.0 - self.vendor_misses.len() as f64 / self.others as f64
    }

    fn print(&self, what: &str) {
        eprintln!(
            "{what}: watched recordings {}, {} without their group; {} false watched origins; other vendors: {}/{} agree ({:.1}%)",
            self.watched,
            self.origin_misses.len(),
            self.false_origins.len(),
            self.others - self.vendor_misses.len(),
            self.others,
            self.vendor_rate() * 100.0
        );
        let misses = self.origin_misses.iter().chain(&self.false_origins);
        for m in misses.chain(&self.vendor_misses) {
            eprintln!("  miss: {m}");
        }
        for m in &self.not_scored {
            eprintln!("  not scored (no vendor in the truth): {m}");
        }
    }
}

#[test]
fn corpus_origins_and_vendors_agree_with_truth() {
    let identifier = Identifier::bundled().unwrap();
    let mut tally = Tally::default();
    for row in truth() {
        let r = record(&find(&row["file"]), &identifier);
        tally.add(&row, judge(&row, &r));
    }
    tally.print("TRUTH.tsv");
    assert!(
        tally.origin_misses.is_empty() && tally.false_origins.is_empty(),
        "{} watched recordings without their group, {} false watched origins",
        tally.origin_misses.len(),
        tally.false_origins.len()
    );
    assert!(
        tally.vendor_rate() >= VENDOR_AGREEMENT,
        "vendor agreement {:.1}% is under {:.1}%",
        tally.vendor_rate() * 100.0,
        VENDOR_AGREEMENT * 100.0
    );
}

/// The goal (issue 15): vendor right on at least 98% of the recordings outside the watched
/// groups; every watched recording gets its group and no other gets a watched group.
const VENDOR_AGREEMENT: f64 = 0.98;

/// Every recording identified with the rules and examples written from it left out (their
/// `from` names it): what the rules know, not what they remember. Only the recordings that some
/// rule names need an identifier of their own; the others are identified by the full one.
#[test]
fn identification_holds_without_the_rules_written_from_each_recording() {
    let full = Identifier::bundled().unwrap();
    let mut named: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for r in full.sysdescr_rules().rules() {
        named.extend(r.provenance.from.iter().cloned());
    }
    for r in full.inventory_rules().rules() {
        named.extend(r.provenance.from.iter().cloned());
    }
    let rows = truth();
    let unknown: Vec<&String> = named
        .iter()
        .filter(|f| !rows.iter().any(|r| &r["file"] == *f))
        .collect();
    assert!(
        unknown.is_empty(),
        "rules name recordings that are not in TRUTH.tsv: {unknown:?}"
    );
    let (mut all, mut only_named) = (Tally::default(), Tally::default());
    for row in &rows {
        let file = &row["file"];
        let r = if named.contains(file) {
            let reduced = full.without(file);
            let r = record(&find(file), &reduced);
            only_named.add(row, judge(row, &r));
            r
        } else {
            record(&find(file), &full)
        };
        all.add(row, judge(row, &r));
    }
    eprintln!(
        "{} of {} recordings are named by some rule",
        named.len(),
        rows.len()
    );
    only_named.print("left out, the recordings some rule names");
    all.print("left out, every recording");
    assert!(
        all.origin_misses.is_empty() && all.false_origins.is_empty(),
        "with the rules written from the recording left out: {} watched recordings without their group, {} false watched origins",
        all.origin_misses.len(),
        all.false_origins.len()
    );
    assert!(
        all.vendor_rate() >= GENERALISED_VENDOR_AGREEMENT,
        "vendor agreement {:.1}% with the rules written from the recording left out is under {:.1}%",
        all.vendor_rate() * 100.0,
        GENERALISED_VENDOR_AGREEMENT * 100.0
    );
}

/// The goal (issue 15) for identification without the rules written from the recording.
const GENERALISED_VENDOR_AGREEMENT: f64 = 0.90;

/// Case, spaces, dashes and underscores set aside.
fn normalised(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_')
        .collect()
}

/// Whether our value of a field agrees with LibreNMS's: the same model or serial once case,
/// spaces and dashes are set aside. A version may also be contained in the other's: LibreNMS
/// writes "5.170 (V200R010C00SPC600) [unlocked]" where we write "V200R010C00SPC600", and
/// "Server 2012 R2 Datacenter (NT 6.3)" where we write "6.3": the same release, said with more
/// words.
fn agrees(field: &str, ours: &str, theirs: &str, makers: &[&str]) -> bool {
    let (a, b) = (normalised(ours), normalised(theirs));
    !a.is_empty()
        && !b.is_empty()
        && (a == b
            || (field == "version" && (b.contains(&a) || a.contains(&b)))
            || (field == "hardware" && a == normalised(&model_words(theirs, makers))))
}

/// LibreNMS's hardware text less the words that are not the model's name: the maker's name
/// (`makers`: the record's vendor and brand, "D-Link DAP-2660", "=Meraki MR28"), the kind of
/// box ("... Switch", "PMP 450 AP", "Cisco Wireless ... Cloud Managed AP"), a hardware
/// revision (D-Link's "Rev. A1", PacketLight's "rev 02-02", Cisco's version ID "V04",
/// Microsens' "HWVer:1.1") and an option in brackets at the end ("(PWR-100-LV)"). What is left
/// must still be the same model, word for word: "SuperStack 3 Switch 4200" against "Switch
/// 4200", "ERS-5530-24TFD" against "5530-24TFD" or "Summit X480" against "X480" stay misses.
fn model_words(theirs: &str, makers: &[&str]) -> String {
    const KIND: [&str; 6] = ["switch", "router", "ap", "cloud", "managed", "wireless"];
    let alnum = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_lowercase()
    };
    // A trailing option in brackets: Moxa's power-supply option "(PWR-100-LV)".
    let theirs = match theirs
        .trim_end()
        .strip_suffix(')')
        .and_then(|t| t.rfind(" ("))
    {
        Some(at) => &theirs[..at],
        None => theirs,
    };
    let mut kept = Vec::new();
    let mut words = theirs.split_whitespace().peekable();
    while let Some(w) = words.next() {
        let lower = w.to_lowercase();
        if lower == "rev." || lower == "rev" {
            words.next();
            continue;
        }
        let version_id = lower.len() == 3
            && lower.starts_with('v')
            && lower[1..].bytes().all(|b| b.is_ascii_digit());
        if version_id
            || lower.starts_with("hwver:")
            || KIND.contains(&lower.as_str())
            || makers.iter().any(|m| alnum(m) == alnum(w))
        {
            continue;
        }
        kept.push(w);
    }
    kept.join(" ")
}

#[test]
fn hardware_version_and_serial_agree_with_librenms() {
    let identifier = Identifier::bundled().unwrap();
    let text = std::fs::read_to_string(common::root().join("tests/data/librenms-expected/os.tsv"))
        .unwrap();
    let corpus: HashMap<String, std::path::PathBuf> = common::corpus()
        .into_iter()
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    let (mut total, mut misses) = (0usize, Vec::new());
    let (mut watched_total, mut watched_misses) = (0usize, 0usize);
    let mut per_field: HashMap<&str, (usize, usize)> = HashMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')).skip(1) {
        let cols: Vec<String> = line.split('\t').map(common::unescape).collect();
        let Some(path) = corpus.get(&cols[0]) else {
            continue;
        };
        let r = record(path, &identifier);
        for (field, theirs, ours) in [
            ("hardware", &cols[1], &r.identification.model),
            ("version", &cols[2], &r.identification.version),
            ("serial", &cols[3], &r.identification.serial),
        ] {
            // A sanitised value in the recording (`<private>`, `XXXX`) is no truth to agree
            // with: netorigin takes it as absent. Nor is a serial that only stands where none
            // was filled in (`SerialNumber`, `000000000000`; `netorigin::text::serial_placeholder`),
            // which LibreNMS reports as it came.
            if theirs.trim().is_empty()
                || placeholder(theirs.as_bytes()).is_some()
                || (field == "serial" && serial_placeholder(theirs).is_some())
            {
                continue;
            }
            total += 1;
            let watched = ["huawei", "zte", "h3c"]
                .iter()
                .any(|g| path.parent().is_some_and(|p| p.ends_with(g)));
            watched_total += usize::from(watched);
            let e = per_field.entry(field).or_default();
            e.0 += 1;
            let makers: Vec<&str> = [&r.identification.vendor, &r.identification.brand]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .collect();
            if ours
                .as_deref()
                .is_some_and(|o| agrees(field, o, theirs, &makers))
            {
                e.1 += 1;
            } else {
                watched_misses += usize::from(watched);
                misses.push(format!(
                    "{} {field}: ours {ours:?}, LibreNMS {theirs:?}",
                    cols[0]
                ));
            }
        }
    }
    let rate = 1.0 - misses.len() as f64 / total as f64;
    let mut fields: Vec<_> = per_field.iter().collect();
    fields.sort();
    eprintln!(
        "LibreNMS hardware/version/serial: {}/{total} agree ({:.1}%); per field {fields:?}",
        total - misses.len(),
        rate * 100.0
    );
    let watched_rate = 1.0 - watched_misses as f64 / watched_total as f64;
    eprintln!(
        "  of which Huawei/ZTE/H3C recordings: {}/{watched_total} agree ({:.1}%)",
        watched_total - watched_misses,
        watched_rate * 100.0
    );
    for m in &misses {
        eprintln!("  miss: {m}");
    }
    assert!(
        rate >= LIBRENMS_AGREEMENT,
        "agreement {:.1}% is under {:.1}%",
        rate * 100.0,
        LIBRENMS_AGREEMENT * 100.0
    );
    assert!(
        watched_rate >= LIBRENMS_AGREEMENT_WATCHED,
        "Huawei/ZTE/H3C agreement {:.1}%",
        watched_rate * 100.0
    );
}

/// The goal (issue 3): hardware, version and serial agree with LibreNMS on 90% of the fields it
/// states.
const LIBRENMS_AGREEMENT: f64 = 0.90;
/// The same goal over the recordings of the watched groups (Huawei, ZTE, H3C).
const LIBRENMS_AGREEMENT_WATCHED: f64 = 0.90;

fn xml_unescape(s: &str) -> String {
    let mut out = s
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'");
    while let Some(start) = out.find("&#") {
        let Some(end) = out[start..].find(';') else {
            break;
        };
        let body = &out[start + 2..start + end];
        let code = body
            .strip_prefix('x')
            .map_or_else(|| body.parse().ok(), |h| u32::from_str_radix(h, 16).ok());
        let ch = code
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default();
        out.replace_range(start..start + end + 1, &ch);
    }
    out.replace("&amp;", "&")
}

/// recog's examples: (sysDescr, vendor) for each `<example>` of each fingerprint whose vendor
/// is fixed (`os.vendor` or `hw.vendor` at pos 0) or given on the example.
fn recog_examples() -> Vec<(String, String)> {
    let xml =
        std::fs::read_to_string(common::root().join("tests/data/recog/snmp_sysdescr.xml")).unwrap();
    let fingerprint = regex::Regex::new(r"(?s)<fingerprint\b.*?</fingerprint>").unwrap();
    let example = regex::Regex::new(r#"(?s)<example([^>]*)>(.*?)</example>"#).unwrap();
    let vendor_param =
        regex::Regex::new(r#"<param pos="0" name="(?:os|hw)\.vendor" value="([^"]*)""#).unwrap();
    let attr_vendor = regex::Regex::new(r#"(?:os|hw)\.vendor="([^"]*)""#).unwrap();
    let mut out = Vec::new();
    for f in fingerprint.find_iter(&xml) {
        let f = f.as_str();
        let fixed = vendor_param.captures(f).map(|c| xml_unescape(&c[1]));
        for e in example.captures_iter(f) {
            if e[1].contains("_encoding") {
                continue;
            }
            let vendor = attr_vendor
                .captures(&e[1])
                .map(|c| xml_unescape(&c[1]))
                .or_else(|| fixed.clone());
            if let Some(v) = vendor {
                out.push((xml_unescape(&e[2]), v));
            }
        }
    }
    out
}

#[test]
fn recog_sysdescr_examples_of_network_vendors() {
    let identifier = Identifier::bundled().unwrap();
    let (mut total, mut misses) = (0usize, Vec::new());
    for (descr, vendor) in recog_examples() {
        // Network-equipment vendors: those the enterprise table knows (by name or alias).
        let Some(want) = identifier.vendors().resolve(&vendor) else {
            continue;
        };
        total += 1;
        let got = identifier.identify(&netorigin::identify::Facts {
            sys_descr: Some(&descr),
            ..Default::default()
        });
        if got.origin.as_deref() != Some(want.origin.as_str()) {
            misses.push(format!(
                "{vendor:?} ({}): ours {:?} for {descr:?}",
                want.origin, got.vendor
            ));
        }
    }
    let rate = 1.0 - misses.len() as f64 / total as f64;
    eprintln!(
        "recog sysDescr examples of network vendors: {}/{total} agree ({:.1}%)",
        total - misses.len(),
        rate * 100.0
    );
    for m in &misses {
        eprintln!("  miss: {m}");
    }
    assert!(
        total > 300,
        "only {total} examples of network vendors found"
    );
    assert!(
        rate >= RECOG_AGREEMENT,
        "agreement {:.1}% is under {:.1}%",
        rate * 100.0,
        RECOG_AGREEMENT * 100.0
    );
}

/// The goal (issue 3): recog's examples of network vendors get their group 95% of the time.
const RECOG_AGREEMENT: f64 = 0.95;
