//! The registries' lookups, their CSV reading with IEEE's quirks, and the user's copy.

use std::path::Path;

use super::user_copy::{load_user_copy, source_date, today, update_into};
use super::*;

/// The rows of a bundled CSV, read independently of the code under test.
fn rows(file: &str) -> Vec<Vec<String>> {
    let (_, text) = BUNDLED_FILES
        .iter()
        .find(|(name, _)| name.ends_with(file))
        .unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A MAC address inside a prefix of hex digits, with the remaining digits `fill`.
fn mac_in(prefix: &str, fill: char) -> [u8; 6] {
    let mut hex = prefix.to_string();
    while hex.len() < 12 {
        hex.push(fill);
    }
    parse_mac(&hex).unwrap()
}

fn found(mac: [u8; 6]) -> &'static Assignment {
    match OuiRegistry::bundled().lookup(mac) {
        Lookup::Found(a) => a,
        other => panic!("{mac:02x?}: {other:?}"),
    }
}

fn assert_row(mac: [u8; 6], row: &[String]) {
    let a = found(mac);
    assert_eq!(a.registry.name(), row[0]);
    assert_eq!(a.prefix, row[1]);
    assert_eq!(a.organization, row[2].trim());
}

#[test]
fn bundled_data_is_well_formed() {
    let registry = OuiRegistry::bundled();
    assert_eq!(registry.date(), "2026-06");
    let mut total = 0;
    for (file, registry_name) in [
        ("oui.csv", "MA-L"),
        ("mam.csv", "MA-M"),
        ("oui36.csv", "MA-S"),
        ("iab.csv", "IAB"),
    ] {
        let rows = rows(file);
        assert!(rows.len() > 4000, "{file}: {} rows", rows.len());
        assert!(rows.iter().all(|r| r[0] == registry_name), "{file}");
        // Sorted, hence no duplicates.
        assert!(
            rows.windows(2).all(|w| w[0][1] < w[1][1]),
            "{file} not sorted"
        );
        total += rows.len();
    }
    assert_eq!(registry.len(), total);
}

#[test]
fn bundled_files_are_byte_compatible_with_ieee() {
    for (name, text) in BUNDLED_FILES {
        assert!(
            text.starts_with("Registry,Assignment,Organization Name,Organization Address\r\n"),
            "{name}"
        );
        assert!(text.ends_with("\r\n"), "{name}");
        assert!(!text.replace("\r\n", "").contains('\n'), "{name}: bare LF");
    }
}

#[test]
fn huawei_ma_l() {
    let row = rows("oui.csv")
        .into_iter()
        .find(|r| r[1] == "00E0FC")
        .unwrap();
    assert!(row[2].contains("HUAWEI"));
    assert_row(parse_mac("00:e0:fc:00:00:01").unwrap(), &row);
}

#[test]
fn ma_m_ma_s_and_iab_blocks() {
    for file in ["mam.csv", "oui36.csv", "iab.csv"] {
        let rows = rows(file);
        for row in [&rows[0], &rows[rows.len() / 2], &rows[rows.len() - 1]] {
            assert_row(mac_in(&row[1], '0'), row);
            assert_row(mac_in(&row[1], 'f'), row);
        }
    }
}

#[test]
fn the_most_specific_block_wins() {
    let ma_l = rows("oui.csv");
    let enclosing = |prefix: &str| ma_l.iter().find(|r| r[1] == prefix[..6]).unwrap();
    // An MA-S block inside 70-B3-D5 and an IAB inside 00-50-C2, both MA-L of the IEEE RA.
    let ma_s = rows("oui36.csv");
    let ma_s = ma_s.iter().find(|r| r[1].starts_with("70B3D5")).unwrap();
    let iab = rows("iab.csv");
    let iab = iab.iter().find(|r| r[1].starts_with("0050C2")).unwrap();
    for row in [ma_s, iab] {
        assert_eq!(enclosing(&row[1])[2], "IEEE Registration Authority");
        assert_row(mac_in(&row[1], '7'), row);
    }
    // An MA-M block, and its enclosing MA-L outside every small block in it.
    let registry = OuiRegistry::bundled();
    let free_nibble = |ma_l: &str| {
        (0..16).map(|d| format!("{ma_l}{d:X}")).find(|p| {
            registry
                .assignments()
                .iter()
                .all(|a| !a.prefix.starts_with(p.as_str()))
        })
    };
    let ma_m = rows("mam.csv");
    let (ma_m, outside) = ma_m
        .iter()
        .filter(|r| ma_l.iter().any(|l| l[1] == r[1][..6]))
        .find_map(|r| Some((r, free_nibble(&r[1][..6])?)))
        .unwrap();
    assert_row(mac_in(&ma_m[1], '3'), ma_m);
    assert_row(mac_in(&outside, '0'), enclosing(&ma_m[1]));
}

#[test]
fn local_and_multicast_addresses_are_not_looked_up() {
    let registry = OuiRegistry::bundled();
    assert_eq!(
        registry.lookup(parse_mac("02:00:00:00:00:01").unwrap()),
        Lookup::LocallyAdministered
    );
    assert_eq!(
        registry.lookup(parse_mac("01:80:C2:00:00:0E").unwrap()),
        Lookup::Multicast
    );
    assert_eq!(registry.lookup([0xff; 6]), Lookup::Multicast);
    // A historical MA-L with the local bit set (Racal-Datacom) answers nothing.
    assert_eq!(
        registry.lookup(parse_mac("02:07:01:00:00:01").unwrap()),
        Lookup::LocallyAdministered
    );
}

#[test]
fn unassigned_prefix_is_not_found() {
    let registry = OuiRegistry::bundled();
    let free = (0u32..1 << 22)
        .map(|p| p << 2) // universal, individual
        .find(|p| {
            let [_, a, b, c] = p.to_be_bytes();
            !matches!(registry.lookup([a, b, c, 0, 0, 0]), Lookup::Found(_))
        })
        .unwrap();
    let [_, a, b, c] = free.to_be_bytes();
    assert_eq!(registry.lookup([a, b, c, 1, 2, 3]), Lookup::NotFound);
}

#[test]
fn mac_forms() {
    let want = [0x00, 0xe0, 0xfc, 0x00, 0x00, 0x01];
    for s in [
        "00:e0:fc:00:00:01",
        "00-E0-FC-00-00-01",
        "00e0.fc00.0001",
        "00e0fc000001",
        "00E0FC000001",
        "0:e0:fc:0:0:1",
    ] {
        assert_eq!(parse_mac(s), Ok(want), "{s}");
    }
}

#[test]
fn mac_errors() {
    for s in [
        "",
        "00:e0:fc:00:00",
        "00:e0:fc:00:00:01:02",
        "00:e0:fc:00:00:001",
        "00:e0:fc::00:01",
        "00:e0-fc:00:00:01",
        "00e0.fc00.001",
        "00e0.fc00.0001.0002",
        "00e0fc00001",
        "00e0fc0000012",
        "0:e0:fc:0:0:1:",
    ] {
        let e = parse_mac(s).unwrap_err();
        assert_eq!(e, MacParseError::Shape(s.to_string()), "{s}");
        assert!(e.to_string().contains("00e0.fc00.0001"), "{e}");
    }
    assert_eq!(
        parse_mac("00:e0:fg:00:00:01"),
        Err(MacParseError::NotHex("00:e0:fg:00:00:01".into(), 'g'))
    );
    assert!(matches!(
        parse_mac(" 00e0fc000001"),
        Err(MacParseError::NotHex(_, ' '))
    ));
}

const HEAD: &str = "Registry,Assignment,Organization Name,Organization Address\r\n";

fn parse_one(text: &str) -> Result<OuiRegistry, OuiError> {
    OuiRegistry::from_csv_texts(&[("test.csv", text)])
}

fn malformed(text: &str) -> (u64, String) {
    match parse_one(text) {
        Err(OuiError::Malformed { file, line, reason }) => {
            assert_eq!(file, "test.csv");
            (line, reason)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn csv_errors_name_file_and_line() {
    let (line, reason) = malformed("OUI/MA-L\tOrganization\r\n");
    assert_eq!(line, 1);
    assert!(reason.contains("header"), "{reason}");
    assert_eq!(malformed("").0, 1);

    let text = format!("{HEAD}MA-L,00E0FC,Huawei,Shenzhen CN \r\nMA-L,00E0FD,Short\r\n");
    let (line, reason) = malformed(&text);
    assert_eq!(line, 3);
    assert!(reason.contains("expected 4 columns"), "{reason}");

    let text = format!("{HEAD}MA-X,00E0FC,Huawei,\r\n");
    assert!(malformed(&text).1.contains("MA-L, MA-M, MA-S, IAB or CID"));

    let text = format!("{HEAD}MA-M,00E0FC,Huawei,\r\n");
    let (line, reason) = malformed(&text);
    assert_eq!(line, 2);
    assert!(reason.contains("7 hex digits for a MA-M"), "{reason}");
    assert!(
        malformed(&format!("{HEAD}MA-L,00E0FG,X,\r\n"))
            .1
            .contains("6 hex digits")
    );
    assert!(
        malformed(&format!("{HEAD}MA-L,00E0FC, ,\r\n"))
            .1
            .contains("organization")
    );

    // A quoted address over two lines moves the next record's line on.
    let text = format!("{HEAD}MA-L,00E0FC,Huawei,\"a\nb\"\r\nIAB,0050C2,X,\r\n");
    assert_eq!(malformed(&text).0, 4);

    let e = parse_one(&format!("{HEAD}CID,ZZ,X,\r\n")).unwrap_err();
    assert!(e.to_string().starts_with("test.csv:2: "), "{e}");
}

#[test]
fn ieee_quirks_are_read() {
    // A byte order mark, lower-case hex, IEEE's padded names, doubled quotes, a
    // multi-line address, a prefix listed twice with two holders (as 08-00-30 is).
    let text = format!(
        "\u{feff}{HEAD}MA-L,00e0fc,\"HUAWEI TECHNOLOGIES CO.,LTD\"  ,\"KEFA ROAD\nSHENZHEN\"\r\n\
         MA-S,70B3D5F2F,\"OOO \"\"Quote\"\"\",\r\n\
         MA-L,080030,NETWORK RESEARCH CORPORATION,x \r\n\
         MA-L,080030,CERN,y \r\n\
         MA-L,080030,CERN,y \r\n"
    );
    let registry = parse_one(&text).unwrap();
    assert_eq!(registry.len(), 3);
    assert_eq!(registry.date(), "unknown");
    let Lookup::Found(a) = registry.lookup([0x00, 0xe0, 0xfc, 1, 2, 3]) else {
        panic!()
    };
    assert_eq!(
        (a.registry, a.prefix.as_str(), a.organization.as_str()),
        (Registry::MaL, "00E0FC", "HUAWEI TECHNOLOGIES CO.,LTD")
    );
    let Lookup::Found(a) = registry.lookup([0x70, 0xb3, 0xd5, 0xf2, 0xf0, 0x00]) else {
        panic!()
    };
    assert_eq!(a.organization, "OOO \"Quote\"");
    // 70-B3-D5 itself is not in this registry: outside the MA-S block, nothing.
    assert_eq!(
        registry.lookup([0x70, 0xb3, 0xd5, 0x00, 0, 0]),
        Lookup::NotFound
    );
    let Lookup::Found(a) = registry.lookup([0x08, 0x00, 0x30, 0, 0, 0]) else {
        panic!()
    };
    assert_eq!(a.organization, "NETWORK RESEARCH CORPORATION; CERN");
    assert_eq!(registry.count(Registry::MaL), 2);
}

#[test]
fn ieee_2022_files_are_read() {
    // IEEE's own files as shipped by Debian, when the shared test data is at hand.
    let dir = Path::new("/work/shared/testdata/oui");
    let paths: Vec<PathBuf> = ["oui.csv", "mam.csv", "oui36.csv", "iab.csv"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    if !paths.iter().all(|p| p.exists()) {
        return;
    }
    let registry = OuiRegistry::load_files(&paths).unwrap();
    assert!(registry.len() > 46_000, "{}", registry.len());
    assert!(matches!(
        registry.lookup([0x00, 0xe0, 0xfc, 0, 0, 1]),
        Lookup::Found(a) if a.organization == "HUAWEI TECHNOLOGIES CO.,LTD"
    ));
}

#[test]
fn update_stores_and_replaces_the_user_copy() {
    let input = tempfile::tempdir().unwrap();
    let base = tempfile::tempdir().unwrap();
    let folder = base.path().join(USER_FOLDER);
    assert!(load_user_copy(&folder).unwrap().is_none());

    let first = input.path().join("oui.csv");
    std::fs::write(&first, format!("{HEAD}MA-L,00E0FC,First Org,\r\n")).unwrap();
    let second = input.path().join("mam");
    std::fs::write(&second, format!("{HEAD}MA-M,00E0FC1,Second Org,\r\n")).unwrap();
    let (count, stored) = update_into(base.path(), &[first.clone(), second]).unwrap();
    assert_eq!((count, stored.as_path()), (2, folder.as_path()));
    assert!(folder.join("mam.csv").exists(), "a .csv extension is added");
    let registry = load_user_copy(&folder).unwrap().unwrap();
    assert_eq!(registry.date(), today());
    assert!(matches!(
        registry.lookup([0x00, 0xe0, 0xfc, 0x10, 0, 0]),
        Lookup::Found(a) if a.organization == "Second Org"
    ));

    // A second update replaces the first whole; a failed one leaves it as it was.
    std::fs::write(&first, format!("{HEAD}MA-L,00E0FC,Third Org,\r\n")).unwrap();
    assert_eq!(
        update_into(base.path(), std::slice::from_ref(&first))
            .unwrap()
            .0,
        1
    );
    let bad = input.path().join("bad.csv");
    std::fs::write(&bad, format!("{HEAD}MA-L,00E0F,Bad,\r\n")).unwrap();
    let e = update_into(base.path(), &[first.clone(), bad.clone()]).unwrap_err();
    assert!(e.is_bad_input());
    assert!(e.to_string().contains("bad.csv:2: "), "{e}");
    let e = update_into(base.path(), &[first.clone(), first.clone()]).unwrap_err();
    assert!(matches!(e, OuiError::SameName { .. }), "{e}");
    let empty = input.path().join("empty.csv");
    std::fs::write(&empty, HEAD).unwrap();
    assert!(matches!(
        update_into(base.path(), &[empty]),
        Err(OuiError::Empty { .. })
    ));
    let registry = load_user_copy(&folder).unwrap().unwrap();
    assert_eq!(registry.len(), 1);
    assert_eq!(registry.assignments()[0].organization, "Third Org");
    let names: Vec<_> = std::fs::read_dir(base.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, [USER_FOLDER], "no staging folder left behind");
}

#[test]
fn lines_are_counted_with_lf_and_crlf() {
    for end in ["\n", "\r\n"] {
        let text = format!(
            "Registry,Assignment,Organization Name,Organization Address{end}{end}\
             MA-L,00E0FC,A,\"x{end}y\"{end}MA-L,00E0FD,B,{end}MA-L,00E0FE,C{end}"
        );
        assert_eq!(malformed(&text).0, 6, "{end:?}");
    }
    let bytes = b"Registry,Assignment,Organization Name,Organization Address\nMA-L,00E0FC,\xff,\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.csv");
    std::fs::write(&path, bytes).unwrap();
    let e = OuiRegistry::load_files(&[path]).unwrap_err();
    assert!(e.to_string().contains("latin1.csv:2: not UTF-8"), "{e}");
}

#[test]
fn dates() {
    assert_eq!(source_date("date: 2026-06\nmore"), Some("2026-06"));
    assert_eq!(source_date("nothing"), None);
    assert_eq!(today().len(), 10);
}

/// The registry CSV reader as first written, over the `csv` crate alone: what any faster
/// reader must answer, row for row and error for error.
mod reference {
    use super::super::{Assignment, HEADER, OuiError, OuiRegistry, Registry};

    /// Adds the rows of one CSV; returns how many it held.
    pub fn add_csv(registry: &mut OuiRegistry, file: &str, text: &str) -> Result<usize, OuiError> {
        let malformed = |line: u64, reason: String| OuiError::Malformed {
            file: file.to_string(),
            line,
            reason,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut record = csv::StringRecord::new();
        let mut lines = LineCounter::new(text);
        let (mut header, mut rows) = (false, 0);
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| lines.record_at(p.byte()));
                    return Err(malformed(line, format!("not CSV: {e}")));
                }
            }
            let line = record.position().map_or(0, |p| lines.record_at(p.byte()));
            if !header {
                let fields: Vec<&str> = (record.iter().enumerate())
                    .map(|(i, f)| {
                        if i == 0 {
                            f.trim_start_matches('\u{feff}')
                        } else {
                            f
                        }
                    })
                    .map(str::trim)
                    .collect();
                if fields != HEADER {
                    let h = HEADER.join(",");
                    return Err(malformed(
                        line,
                        format!("expected the header {h} of IEEE's registry CSVs"),
                    ));
                }
                header = true;
                continue;
            }
            if record.len() != HEADER.len() {
                let (h, n) = (HEADER.join(","), record.len());
                return Err(malformed(
                    line,
                    format!("expected 4 columns ({h}), found {n}"),
                ));
            }
            let Some(registry_name) = Registry::from_name(record[0].trim()) else {
                return Err(malformed(
                    line,
                    format!(
                        "expected the registry MA-L, MA-M, MA-S, IAB or CID, found {:?}",
                        &record[0]
                    ),
                ));
            };
            let prefix = record[1].trim();
            let digits = registry_name.digits();
            if prefix.len() != digits || !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(malformed(
                    line,
                    format!(
                        "expected {digits} hex digits for a {registry_name} assignment, found {prefix:?}"
                    ),
                ));
            }
            let organization = record[2].trim();
            if organization.is_empty() {
                return Err(malformed(line, "expected an organization name".into()));
            }
            registry.insert(Assignment {
                registry: registry_name,
                prefix: prefix.to_ascii_uppercase(),
                organization: organization.to_string(),
            });
            rows += 1;
        }
        if !header {
            let h = HEADER.join(",");
            let reason = format!("empty file: expected the header {h} of IEEE's registry CSVs");
            return Err(malformed(1, reason));
        }
        Ok(rows)
    }

    /// Line numbers of records from their byte offsets (the `csv` crate's own count lags by
    /// one after a CRLF record end).
    pub struct LineCounter<'a> {
        text: &'a [u8],
        offset: usize,
        line: u64,
    }

    impl<'a> LineCounter<'a> {
        pub fn new(text: &'a str) -> Self {
            let text = text.as_bytes();
            LineCounter {
                text,
                offset: 0,
                line: 1,
            }
        }

        /// The line of the record that starts at `byte` (or after the line ends there).
        pub fn record_at(&mut self, byte: u64) -> u64 {
            let mut start = usize::try_from(byte)
                .unwrap_or(usize::MAX)
                .clamp(self.offset, self.text.len());
            while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            let skipped = self.text.get(self.offset..start).unwrap_or_default();
            self.line += skipped.iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = start;
            self.line
        }
    }
}

/// What reading one CSV into an empty registry gives: the rows counted and the assignments,
/// or the error as it reads.
fn read_with(
    add: impl FnOnce(&mut OuiRegistry, &str, &str) -> Result<usize, OuiError>,
    text: &str,
) -> Result<(usize, Vec<Assignment>), String> {
    let mut registry = OuiRegistry::from_csv_texts(&[]).unwrap();
    let rows = add(&mut registry, "t.csv", text).map_err(|e| e.to_string())?;
    Ok((rows, registry.assignments().to_vec()))
}

fn assert_read_as_reference(text: &str) {
    assert_eq!(
        read_with(|r, f, t| r.add_csv(f, t), text),
        read_with(reference::add_csv, text),
        "{text:?}"
    );
}

/// A small deterministic generator (xorshift64*), for texts no one would write by hand.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 33) as usize % n
    }

    fn pick<'a>(&mut self, pieces: &[&'a str]) -> &'a str {
        pieces[self.below(pieces.len())]
    }
}

/// A registry CSV made of well-formed and malformed pieces: quotes where IEEE puts them and
/// where it does not, line breaks inside quotes, CR, LF and CRLF, blank lines, short and
/// long rows, a byte order mark (and blank lines after it).
fn random_csv(rng: &mut Rng) -> String {
    const ENDS: [&str; 6] = ["\r\n", "\n", "\r", "\r\n\r\n", "\n\r", ""];
    const FIELDS: [&[&str]; 4] = [
        &[
            "MA-L", "MA-L", "MA-M", "MA-S", "IAB", "CID", " MA-L ", "MA-X", "\"MA-L\"", "",
        ],
        &[
            "00E0FC",
            "00e0fc",
            "00E0FC1",
            "70B3D5F2F",
            "0050C2123",
            "00E0F",
            "00E0FG",
            "\"080030\"",
        ],
        &[
            "Huawei",
            "\"HUAWEI TECHNOLOGIES CO.,LTD\"  ",
            "  Acme  ",
            "\"OOO \"\"Quote\"\"\"",
            "a\"b",
            "\"x\"y",
            "\"multi\nline\"",
            "\"unclosed",
            "",
            " ",
            "Société Générale",
            "\"\"",
            "\"a\r\nb\"",
            "\"\"\"\"",
        ],
        &[
            "",
            "x ",
            "\"KEFA ROAD\nSHENZHEN\"",
            "\"a,b\"",
            "\"CR\rinside\"",
            "Rd \"7\"",
        ],
    ];
    let mut text = String::new();
    if rng.below(10) == 0 {
        text.push('\u{feff}');
        text.push_str(rng.pick(&["", "", "\r\n", "\n\n"]));
    }
    if rng.below(8) != 0 {
        text.push_str(&HEAD[..HEAD.len() - 2]);
        text.push_str(rng.pick(&ENDS[..5]));
    }
    for _ in 0..rng.below(7) {
        if rng.below(4) != 0 {
            // A row that reads: a registry and a prefix of its length.
            let (registry, prefix) = [
                ("MA-L", "00E0FC"),
                ("MA-L", "00e0fd"),
                (" MA-M", "00E0FC1 "),
                ("MA-S", "70B3D5F2F"),
                ("IAB", "0050C2123"),
                ("CID", "0A1B2C"),
            ][rng.below(6)];
            text.push_str(&format!("{registry},{prefix},"));
            let organization = rng.pick(&FIELDS[2][..4]);
            text.push_str(&format!("{organization},{}", rng.pick(FIELDS[3])));
        } else {
            let columns = [4, 4, 4, 3, 5, 1][rng.below(6)];
            for k in 0..columns {
                if k > 0 {
                    text.push(',');
                }
                text.push_str(rng.pick(FIELDS[k.min(3)]));
            }
        }
        text.push_str(rng.pick(&ENDS));
    }
    text
}

#[test]
fn csvs_read_as_the_reference_reads_them() {
    for (_, text) in BUNDLED_FILES {
        assert_read_as_reference(text);
    }
    let quirks = format!(
        "\u{feff}{HEAD}MA-L,00e0fc,\"HUAWEI TECHNOLOGIES CO.,LTD\"  ,\"KEFA ROAD\nSHENZHEN\"\r\n\
         MA-S,70B3D5F2F,\"OOO \"\"Quote\"\"\",\r\nMA-L,080030,N,x \r\nMA-L,080030,C,y \r\n"
    );
    for text in [
        quirks.as_str(),
        "",
        "\r\n\r\n",
        HEAD,
        "\"Registry\",Assignment",
    ] {
        assert_read_as_reference(text);
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut read, mut rows, mut late_errors) = (0, 0, 0);
    for _ in 0..3000 {
        let text = random_csv(&mut rng);
        assert_read_as_reference(&text);
        match read_with(|r, f, t| r.add_csv(f, t), &text) {
            Ok((n, _)) => (read, rows) = (read + 1, rows + n),
            Err(e) if !e.starts_with("t.csv:1:") && !e.starts_with("t.csv:2:") => late_errors += 1,
            Err(_) => {}
        }
    }
    // The texts reach past the header and the first row, and some read whole.
    assert!(
        read > 500 && rows > 1000 && late_errors > 400,
        "{read} {rows} {late_errors}"
    );
}

/// The records of a text and the lines they start on, as the `csv` crate reads them.
fn csv_records(text: &str) -> Vec<(u64, Vec<String>)> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut lines = reference::LineCounter::new(text);
    (reader.records())
        .map(|r| {
            let r = r.unwrap();
            let line = lines.record_at(r.position().unwrap().byte());
            (line, r.iter().map(str::to_string).collect())
        })
        .collect()
}

/// The same as the loader reads them.
fn loader_records(text: &str) -> Vec<(u64, Vec<String>)> {
    let mut records = super::loader::Records::new(text);
    let (mut fields, mut out) = (Vec::new(), Vec::new());
    while let Some(line) = records.next_into(&mut fields).unwrap() {
        out.push((line, fields.iter().map(|f| f.to_string()).collect()));
    }
    out
}

#[test]
fn records_and_lines_are_the_csv_crates() {
    for (name, text) in BUNDLED_FILES {
        assert!(loader_records(text) == csv_records(text), "{name}");
    }
    let mut rng = Rng(7);
    for _ in 0..3000 {
        let text = random_csv(&mut rng);
        assert_eq!(loader_records(&text), csv_records(&text), "{text:?}");
        let soup: String = (0..rng.below(40))
            .map(|_| rng.pick(&["a", ",", "\"", "\r", "\n", "é", " ", "\u{feff}"]))
            .collect();
        assert_eq!(loader_records(&soup), csv_records(&soup), "{soup:?}");
    }
}
