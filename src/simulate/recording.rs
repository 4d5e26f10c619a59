//! Recordings in snmpsim's `.snmprec` format: one `OID|TYPE|VALUE` line per object instance.
//!
//! TYPE is the BER tag in decimal (2 INTEGER, 4 OCTET STRING, 5 NULL, 6 OBJECT IDENTIFIER,
//! 64 IpAddress, 65 Counter32, 66 Gauge32, 67 TimeTicks, 68 Opaque, 70 Counter64, 128-130 the
//! v2c exceptions), with an `x` suffix when VALUE is hex and an `e` suffix when VALUE is a
//! Python-escaped byte string. Blank lines and `#` comments are skipped. snmpsim's variation
//! modules (`TYPE:module`) are not supported and are reported as such.
//!
//! Real recordings are often out of order or repeat an OID; the loader sorts them in SNMP
//! order and keeps the first of each OID, and says how many it dropped.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::wire::{Oid, Value, VarBind};

/// A recording, sorted by OID with no duplicates.
#[derive(Debug, Clone, Default)]
pub struct Recording {
    /// Where it came from.
    pub source: PathBuf,
    /// The object instances in SNMP order.
    pub objects: Vec<VarBind>,
    /// How many lines repeated an OID already seen and were dropped.
    pub duplicates_dropped: usize,
    /// Whether the file's order was not SNMP order.
    pub was_unsorted: bool,
    /// Malformed lines skipped by [`Recording::load_skipping_bad_lines`], each as
    /// `FILE:LINE: reason`.
    pub skipped: Vec<String>,
    /// The SNMPv3 engine ID the recorded agent had, from a `# engine-id: HEX` comment (which
    /// `--save-walks` writes), so that a replay answers discovery as the device did.
    pub engine_id: Option<Vec<u8>>,
}

/// Why a recording could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RecordingError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line is not `OID|TYPE|VALUE` as expected.
    #[error("{path}:{line}: {reason}")]
    Line {
        /// The file.
        path: PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What was wrong and what was expected.
        reason: String,
    },
}

impl Recording {
    /// Loads a `.snmprec` file; a malformed line is an error.
    pub fn load(path: &Path) -> Result<Recording, RecordingError> {
        let bytes = std::fs::read(path).map_err(|source| RecordingError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Recording::parse(path, &bytes)
    }

    /// Loads a `.snmprec` file, skipping malformed lines (real recordings hold a few, such as
    /// a TimeTicks of `<private>` left by hand-anonymisation) and listing them in `skipped`.
    pub fn load_skipping_bad_lines(path: &Path) -> Result<Recording, RecordingError> {
        let bytes = std::fs::read(path).map_err(|source| RecordingError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Recording::parse_with(path, &bytes, true)
    }

    /// Parses the text of a `.snmprec` file; `path` is used in error messages.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Recording, RecordingError> {
        Recording::parse_with(path, bytes, false)
    }

    fn parse_with(
        path: &Path,
        bytes: &[u8],
        skip_bad_lines: bool,
    ) -> Result<Recording, RecordingError> {
        let mut objects = Vec::new();
        let mut skipped = Vec::new();
        let mut engine_id = None;
        for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            if let Some(hex) = raw.strip_prefix(ENGINE_ID_COMMENT.as_bytes()) {
                engine_id = decode_hex(String::from_utf8_lossy(hex).trim())
                    .ok()
                    .filter(|e| (5..=32).contains(&e.len()));
                continue;
            }
            if raw.iter().all(u8::is_ascii_whitespace) || raw.first() == Some(&b'#') {
                continue;
            }
            match parse_line(raw) {
                Ok(vb) => objects.push(vb),
                Err(reason) => {
                    let e = RecordingError::Line {
                        path: path.to_path_buf(),
                        line: i + 1,
                        reason,
                    };
                    if !skip_bad_lines {
                        return Err(e);
                    }
                    skipped.push(e.to_string());
                }
            }
        }
        let was_unsorted = objects.windows(2).any(|w| w[0].oid >= w[1].oid);
        // A stable sort keeps the first of each OID first, so dedup keeps it.
        objects.sort_by(|a: &VarBind, b: &VarBind| a.oid.cmp(&b.oid));
        let before = objects.len();
        objects.dedup_by(|later, first| later.oid == first.oid);
        Ok(Recording {
            source: path.to_path_buf(),
            duplicates_dropped: before - objects.len(),
            was_unsorted,
            objects,
            skipped,
            engine_id,
        })
    }

    /// The value at exactly `oid`.
    pub fn get(&self, oid: &Oid) -> Option<&VarBind> {
        self.objects
            .binary_search_by(|vb| vb.oid.cmp(oid))
            .ok()
            .map(|i| &self.objects[i])
    }

    /// The first object strictly after `oid`, in SNMP order.
    pub fn next_after(&self, oid: &Oid) -> Option<&VarBind> {
        let i = self.objects.partition_point(|vb| vb.oid <= *oid);
        self.objects.get(i)
    }

    /// Whether any object shares `oid`'s parent (so a missing `oid` is a missing instance of a
    /// known object rather than an unknown object).
    pub fn has_sibling(&self, oid: &Oid) -> bool {
        let Some((_, parent)) = oid.arcs().split_last() else {
            return false;
        };
        let parent = Oid::new(parent.to_vec());
        self.next_after(&parent)
            .is_some_and(|vb| vb.oid.starts_with(&parent))
    }
}

fn parse_line(raw: &[u8]) -> Result<VarBind, String> {
    let mut parts = raw.splitn(3, |&b| b == b'|');
    let (Some(oid), Some(ty), Some(plain_bytes)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err("expected OID|TYPE|VALUE".to_string());
    };
    let oid: Oid = String::from_utf8_lossy(oid)
        .trim()
        .parse()
        .map_err(|e| format!("{e}"))?;
    let ty = String::from_utf8_lossy(ty);
    let ty = ty.trim();
    let value = String::from_utf8_lossy(plain_bytes);
    let value = value.as_ref();
    let (code, form) = match ty.as_bytes().last() {
        Some(b'x') => (&ty[..ty.len() - 1], Form::Hex),
        Some(b'e') => (&ty[..ty.len() - 1], Form::Escaped),
        _ => (ty, Form::Plain),
    };
    let code: u8 = code.parse().map_err(|_| {
        format!("type {ty:?} is not a BER tag number (variation modules are not supported)")
    })?;
    let bytes = || -> Result<Vec<u8>, String> {
        match form {
            Form::Plain => Ok(plain_bytes.to_vec()),
            Form::Hex => decode_hex(value.trim()),
            Form::Escaped => decode_escaped(value),
        }
    };
    let number = |what: &str| -> Result<u64, String> {
        match form {
            Form::Plain => value
                .trim()
                .parse::<u64>()
                .map_err(|_| format!("{what} expected, got {value:?}")),
            _ => {
                let b = bytes()?;
                if b.len() > 8 {
                    return Err(format!("{what} longer than 8 octets"));
                }
                Ok(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
            }
        }
    };
    let u32_of = |what: &str| -> Result<u32, String> {
        u32::try_from(number(what)?).map_err(|_| format!("{what} out of range: {value:?}"))
    };
    let value = match code {
        2 => match form {
            Form::Plain => Value::Integer(
                value
                    .trim()
                    .parse::<i64>()
                    .map_err(|_| format!("integer expected, got {value:?}"))?,
            ),
            _ => {
                let b = bytes()?;
                Value::Integer(
                    crate::wire::ber::decode_signed(&b, "INTEGER").map_err(|e| e.to_string())?,
                )
            }
        },
        4 => Value::OctetString(bytes()?),
        5 => Value::Null,
        6 => {
            let text = match form {
                Form::Plain => value.trim().to_string(),
                _ => String::from_utf8_lossy(&bytes()?).into_owned(),
            };
            if text.is_empty() {
                // Recordings of agents that return an empty sysObjectID: keep it as 0.0.
                Value::ObjectId(Oid::new(vec![0, 0]))
            } else {
                Value::ObjectId(text.parse().map_err(|e| format!("{e}"))?)
            }
        }
        64 => {
            let octets = match form {
                Form::Plain => value
                    .trim()
                    .parse::<std::net::Ipv4Addr>()
                    .map_err(|_| format!("IPv4 address expected, got {value:?}"))?
                    .octets()
                    .to_vec(),
                _ => bytes()?,
            };
            Value::IpAddress(
                octets
                    .try_into()
                    .map_err(|_| "IpAddress must be four octets".to_string())?,
            )
        }
        65 => Value::Counter32(u32_of("Counter32")?),
        66 | 71 => Value::Gauge32(u32_of("Gauge32")?),
        67 => Value::TimeTicks(u32_of("TimeTicks")?),
        68 => Value::Opaque(bytes()?),
        70 => Value::Counter64(number("Counter64")?),
        128 => Value::NoSuchObject,
        129 => Value::NoSuchInstance,
        130 => Value::EndOfMibView,
        other => return Err(format!("unknown type {other}")),
    };
    Ok(VarBind::new(oid, value))
}

#[derive(Clone, Copy)]
enum Form {
    Plain,
    Hex,
    Escaped,
}

fn decode_hex(s: &str) -> Result<Vec<u8>, String> {
    let s: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if !s.len().is_multiple_of(2) {
        return Err("hex value has an odd number of digits".to_string());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(s.get(i..i + 2).unwrap_or(""), 16)
                .map_err(|_| format!("hex digits expected, got {s:?}"))
        })
        .collect()
}

fn decode_escaped(s: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            // Characters up to U+00FF stand for one byte, as in a Python bytes literal.
            match u8::try_from(u32::from(c)) {
                Ok(b) => out.push(b),
                Err(_) => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
            }
            continue;
        }
        match chars.next() {
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(
                    u8::from_str_radix(&hex, 16).map_err(|_| format!("bad \\x escape {hex:?}"))?,
                );
            }
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('a') => out.push(7),
            Some('b') => out.push(8),
            Some('f') => out.push(12),
            Some('v') => out.push(11),
            Some(c @ ('\\' | '\'' | '"')) => out.push(c as u8),
            Some(other) => return Err(format!("unknown escape \\{other}")),
            None => return Err("value ends in a lone backslash".to_string()),
        }
    }
    Ok(out)
}

/// The comment that carries a recorded agent's engine ID.
pub const ENGINE_ID_COMMENT: &str = "# engine-id: ";

/// The engine-ID comment line for a saved walk.
pub fn engine_id_comment(engine_id: &[u8]) -> String {
    format!("{ENGINE_ID_COMMENT}{}\n", hex(engine_id))
}

/// Writes bindings as `.snmprec` text, in the order given. Octet strings that are printable
/// ASCII are written plain, others in hex, so the file replays byte for byte.
pub fn write_snmprec(objects: &[VarBind]) -> String {
    let mut out = String::with_capacity(objects.len() * 48);
    for vb in objects {
        let (code, text) = match &vb.value {
            Value::Integer(i) => ("2", i.to_string()),
            Value::OctetString(b) => octets("4", b),
            Value::Null => ("5", String::new()),
            Value::ObjectId(o) => ("6", o.to_string()),
            Value::IpAddress(a) => ("64", std::net::Ipv4Addr::from(*a).to_string()),
            Value::Counter32(v) => ("65", v.to_string()),
            Value::Gauge32(v) => ("66", v.to_string()),
            Value::TimeTicks(v) => ("67", v.to_string()),
            Value::Opaque(b) => ("68x", hex(b)),
            Value::Counter64(v) => ("70", v.to_string()),
            Value::NoSuchObject
            | Value::NoSuchInstance
            | Value::EndOfMibView
            | Value::Unknown(..) => {
                continue;
            }
        };
        let _ = writeln!(out, "{}|{}|{}", vb.oid, code, text);
    }
    out
}

fn octets(code: &'static str, b: &[u8]) -> (&'static str, String) {
    let printable = b.iter().all(|&c| (0x20..0x7f).contains(&c) && c != b'|');
    if printable && !b.is_empty() {
        (code, String::from_utf8_lossy(b).into_owned())
    } else if b.is_empty() {
        (code, String::new())
    } else {
        ("4x", hex(b))
    }
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .fold(String::with_capacity(b.len() * 2), |mut s, x| {
            let _ = write!(s, "{x:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Recording, RecordingError> {
        Recording::parse(Path::new("t.snmprec"), text.as_bytes())
    }

    #[test]
    fn parses_every_form_and_sorts() {
        let r = parse(
            "1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
             1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform | pipes kept\n\
             \n\
             1.3.6.1.2.1.2.2.1.6.2|4x|00127962f940\n\
             1.0.8802.1.1.2.1.4.1.1.5.0.49.23|4e|\\x04\\x88_\\xaa\\xda0\n\
             1.3.6.1.2.1.4.20.1.1.10.238.2.25|64e|\\n\\xee\\x02\\x19\n\
             1.3.6.1.2.1.1.3.0|67|233425120\n\
             1.3.6.1.2.1.1.3.0|67|1\n\
             1.3.6.1.4.1.2021.10.1.6.1|68x|09050338452b30\n\
             1.3.6.1.2.1.31.1.1.1.6.1|70|18446744073709551615\n",
        )
        .unwrap();
        assert!(r.was_unsorted);
        assert_eq!(r.duplicates_dropped, 1);
        assert!(r.objects.windows(2).all(|w| w[0].oid < w[1].oid));
        let get = |o: &str| r.get(&o.parse().unwrap()).unwrap().value.clone();
        assert_eq!(
            get("1.3.6.1.2.1.1.3.0"),
            Value::TimeTicks(233425120),
            "first of a duplicate kept"
        );
        assert_eq!(
            get("1.3.6.1.2.1.1.1.0").as_text().unwrap().as_ref(),
            "Huawei Versatile Routing Platform | pipes kept"
        );
        assert_eq!(
            get("1.3.6.1.2.1.2.2.1.6.2"),
            Value::OctetString(vec![0, 0x12, 0x79, 0x62, 0xf9, 0x40])
        );
        assert_eq!(
            get("1.0.8802.1.1.2.1.4.1.1.5.0.49.23"),
            Value::OctetString(vec![4, 0x88, b'_', 0xaa, 0xda, b'0'])
        );
        assert_eq!(
            get("1.3.6.1.2.1.4.20.1.1.10.238.2.25"),
            Value::IpAddress([10, 238, 2, 25])
        );
        assert_eq!(get("1.3.6.1.2.1.31.1.1.1.6.1"), Value::Counter64(u64::MAX));
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        for bad in [
            "1.3.6|4",
            "1.3.x|4|a",
            "1.3.6|2|ten",
            "1.3.6|4:numeric|a",
            "1.3.6|4x|abc",
            "1.3.6|64|1.2.3",
        ] {
            let err = parse(&format!("1.3.6.1|4|ok\n{bad}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.starts_with("t.snmprec:2: "), "{bad}: {err}");
        }
    }

    #[test]
    fn an_engine_id_comment_is_kept_for_replay() {
        let text = format!(
            "{}1.3.6.1.2.1.1.1.0|4|x\n",
            engine_id_comment(&[0x80, 0, 0x07, 0xdb, 4, b'a', b'b'])
        );
        let r = parse(&text).unwrap();
        assert_eq!(r.engine_id, Some(vec![0x80, 0, 0x07, 0xdb, 4, b'a', b'b']));
        assert_eq!(r.objects.len(), 1);
        assert_eq!(
            parse("# engine-id: zz\n").unwrap().engine_id,
            None,
            "a bad one is ignored"
        );
    }

    #[test]
    fn bad_lines_can_be_skipped_and_are_listed() {
        let text =
            "1.3.6.1.2.1.1.1.0|4|ok\n1.3.6.1.2.1.1.3.0|67|<private>\n1.3.6.1.2.1.1.5.0|4|name\n";
        let r = Recording::parse_with(Path::new("t.snmprec"), text.as_bytes(), true).unwrap();
        assert_eq!(r.objects.len(), 2);
        assert_eq!(r.skipped.len(), 1);
        assert!(
            r.skipped[0].starts_with("t.snmprec:2: "),
            "{}",
            r.skipped[0]
        );
    }

    #[test]
    fn written_recordings_replay_identically() {
        let r = parse(
            "1.3.6.1.2.1.1.1.0|4|Cisco IOS\n1.3.6.1.2.1.1.5.0|4x|7c7c00ff\n1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.9.1.1\n\
             1.3.6.1.2.1.4.20.1.1.1.2.3.4|64|1.2.3.4\n1.3.6.1.2.1.2.2.1.1.1|2|-3\n1.3.6.1.2.1.1.9.1.1|68x|00ff\n",
        )
        .unwrap();
        let again = parse(&write_snmprec(&r.objects)).unwrap();
        assert_eq!(again.objects, r.objects);
    }

    #[test]
    fn next_after_and_siblings() {
        let r = parse("1.3.6.1.2.1.1.1.0|4|a\n1.3.6.1.2.1.1.3.0|67|5\n").unwrap();
        let next = r.next_after(&"1.3.6.1.2.1.1.1.0".parse().unwrap()).unwrap();
        assert_eq!(next.oid.to_string(), "1.3.6.1.2.1.1.3.0");
        assert!(
            r.next_after(&"1.3.6.1.2.1.1.3.0".parse().unwrap())
                .is_none()
        );
        assert!(r.has_sibling(&"1.3.6.1.2.1.1.1.7".parse().unwrap()));
        assert!(!r.has_sibling(&"1.3.6.1.2.1.1.2.0".parse().unwrap()));
    }
}
