//! Device text made fit to show: what a record's field holds of a value a device sent.
//!
//! Devices send fixed-size buffers (a name followed by NUL padding, or by whatever the buffer
//! held before), control characters, and, in recordings shared by others, values whose capture
//! rendered their tail as a hex dump. [`clean`] turns such a value into the text it stands for
//! and says what it dropped, so the record shows the value and keeps the original aside
//! ([`escaped`]). [`serial_placeholder`] tells the words that stand where a serial number was
//! never filled in.
//!
//! Identification does not read through here: it sees the values as they came.

use crate::words::count;

/// A value made fit to show, and what was done to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// The text: nothing when no text is left.
    pub text: Option<String>,
    /// What was dropped or decoded, in words (`["7 trailing NUL bytes dropped"]`); empty when
    /// the value was text already (white space at either end is trimmed without a word).
    pub changes: Vec<String>,
}

impl Cleaned {
    /// Whether anything beyond white space at either end was changed.
    pub fn changed(&self) -> bool {
        !self.changes.is_empty()
    }
}

/// How many octets a capture writes as they are before the rest as a hex dump.
const DUMP_HEAD: usize = 16;
/// How many octets one line of such a dump holds.
const DUMP_LINE: usize = 16;

/// The octets a value with a hex-dump tail stands for, and how many of them were in the dump.
///
/// LibreNMS's recordings hold 7,048 values in 59 files (`smartax-mdu`'s serial
/// `21980302203G1200\n34 32 36 30 00 00 ...`, `routeros_rb760igs`'s neighbour
/// `peca-sw02\0\0\0\0\0\0\0\n00 00 ...`) written as the capture printed them: the first 16
/// octets as they are, a line break, then every further octet as two hex digits, 16 to a line,
/// each followed by a space. The value is those 16 octets and the octets of the dump
/// (`21980302203G12004260` and NULs). A value trimmed of its leading NULs and white space
/// before it comes here may have a shorter head, or none: a dump with no head is taken only
/// when it holds at least one full line, so a short run of hex pairs (`00 1b 21`) stays text.
pub fn undo_hex_dump(b: &[u8]) -> Option<(Vec<u8>, usize)> {
    let (head, dump) = match b.iter().position(|&c| c == b'\n') {
        Some(i) if i <= DUMP_HEAD && dump_pairs(&b[..i]).is_none() => (&b[..i], &b[i + 1..]),
        _ => (&b[..0], b),
    };
    let lines: Vec<&[u8]> = dump.split(|&c| c == b'\n').collect();
    let mut out = head.to_vec();
    let mut full = 0;
    for (n, line) in lines.iter().enumerate() {
        let pairs = dump_pairs(line)?;
        let last = n + 1 == lines.len();
        if pairs.len() == DUMP_LINE {
            full += 1;
        } else if !last || pairs.is_empty() {
            return None;
        }
        out.extend(pairs);
    }
    let dumped = out.len() - head.len();
    if head.len() < DUMP_HEAD && full == 0 {
        return None;
    }
    Some((out, dumped))
}

/// The octets of one line of a dump: two hex digits each, separated by one space, with one
/// space after the last allowed. `None` when the line is anything else.
fn dump_pairs(line: &[u8]) -> Option<Vec<u8>> {
    let line = line.strip_suffix(b" ").unwrap_or(line);
    if line.is_empty() {
        return Some(Vec::new());
    }
    line.split(|&c| c == b' ')
        .map(|p| match p {
            [h, l] => Some((hex_digit(*h)? << 4) | hex_digit(*l)?),
            _ => None,
        })
        .collect()
}

fn hex_digit(c: u8) -> Option<u8> {
    char::from(c)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

/// Octets as text: UTF-8 where valid, else Latin-1 (each octet one character), as
/// [`crate::wire::Value::as_text`] reads them.
fn decode(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| char::from(c)).collect(),
    }
}

/// Whether `c` is a control character that text to show never holds: C0 controls but tab,
/// line feed and carriage return (line breaks are part of many sysDescrs), DEL, C1 controls.
fn is_junk_control(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// Formatting characters that reorder or hide text: bidirectional embeddings, overrides and
/// isolates (U+202A–U+202E, U+2066–U+2069), zero-width spaces, joiners and marks
/// (U+200B–U+200F, U+2060–U+2065) and the byte-order mark. Device text shown with one of them
/// can read backwards or hide a word (the "Trojan Source" attack, CVE-2021-42574), so
/// [`clean`] drops them and [`escaped`] writes them as `\u{NNNN}`.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
}

/// A value's octets as text to show (see [`clean`]).
pub fn clean_bytes(b: &[u8]) -> Cleaned {
    let mut changes = Vec::new();
    let decoded = match undo_hex_dump(b) {
        Some((octets, dumped)) => {
            changes.push(format!(
                "a hex dump of {} decoded",
                count(dumped as u64, "octet", "octets")
            ));
            decode(&octets)
        }
        None => decode(b),
    };
    let mut out = clean_decoded(&decoded);
    changes.append(&mut out.changes);
    out.changes = changes;
    out
}

/// Device text made fit to show: a hex-dump tail decoded ([`undo_hex_dump`]); the text ended
/// at its first NUL after the leading ones (a C string in a fixed buffer: what follows is
/// padding or what the buffer held before); control characters other than tab and line
/// breaks dropped, and invisible formatting characters ([`is_invisible`]); white space at
/// either end trimmed. Nothing is left of a value that was all
/// NULs, controls and white space.
pub fn clean(s: &str) -> Cleaned {
    match undo_hex_dump(s.as_bytes()) {
        Some(_) => clean_bytes(s.as_bytes()),
        None => clean_decoded(s),
    }
}

fn clean_decoded(s: &str) -> Cleaned {
    let mut changes = Vec::new();
    let leading = s.chars().take_while(|&c| c == '\0').count();
    let body = &s[leading..];
    let (body, after) = match body.find('\0') {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    if leading > 0 && body.is_empty() {
        changes.push(format!(
            "{} dropped (nothing else)",
            count(leading as u64, "NUL byte", "NUL bytes")
        ));
    } else if leading > 0 {
        changes.push(format!(
            "{} dropped",
            count(leading as u64, "leading NUL byte", "leading NUL bytes")
        ));
    }
    if !after.is_empty() {
        let n = after.chars().count() as u64;
        changes.push(if after.chars().all(|c| c == '\0') {
            format!(
                "{} dropped",
                count(n, "trailing NUL byte", "trailing NUL bytes")
            )
        } else {
            format!(
                "a NUL and {} after it dropped",
                count(n - 1, "character", "characters")
            )
        });
    }
    let controls = body.chars().filter(|&c| is_junk_control(c)).count();
    let invisible = body.chars().filter(|&c| is_invisible(c)).count();
    if controls > 0 {
        changes.push(format!(
            "{} dropped",
            count(controls as u64, "control character", "control characters")
        ));
    }
    if invisible > 0 {
        changes.push(format!(
            "{} dropped",
            count(
                invisible as u64,
                "invisible formatting character",
                "invisible formatting characters"
            )
        ));
    }
    let text: String = if controls + invisible > 0 {
        body.chars()
            .filter(|&c| !is_junk_control(c) && !is_invisible(c))
            .collect()
    } else {
        body.to_string()
    };
    let text = text.trim();
    Cleaned {
        text: (!text.is_empty()).then(|| text.to_string()),
        changes,
    }
}

/// Text as it came, fit to keep in JSON and to read: a backslash doubled, each control
/// character (a NUL, C0 and C1 controls, DEL) as `\xNN`, each invisible formatting character
/// ([`is_invisible`]) as `\u{NNNN}`, everything else as it is. Octets that
/// are not UTF-8 were read as Latin-1, one character each, so `\xNN` is the octet sent.
pub fn escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c if is_invisible(c) => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

/// What kind of placeholder `serial` is, when it stands where a serial number was never filled
/// in: it names no unit, so it is never a record's serial (nor a key to follow a device by).
/// White space around and case are ignored. The kinds:
/// - empty, or one character repeated (`0000000000`, `----`; masks such as `XXXX` are
///   [`crate::wire::value::placeholder`]'s);
/// - SMBIOS/DMI defaults left by firmware builders: AMI's `To be filled by O.E.M.`, `Default
///   string`, `System Serial Number`, `Chassis Serial Number`, `Base Board Serial Number`,
///   `O.E.M.`, `OEM` (systemd's `hwdb.d/20-dmi-id.hwdb` marks these as rubbish), and
///   dmidecode's `Not Specified` (what it prints for an unset SMBIOS string);
/// - the field's own name where no value was put: `SerialNumber` (Huawei iBMC, the
///   `ibmc` recording), `Serial Number`, `serial`;
/// - words for nothing: `N/A`, `NA`, `None`, `Null`, `Unknown`, `Not Available`,
///   `Not Applicable`, `Invalid`, `-`;
/// - the digits in order, `0123456789` and `123456789` (a default in many BMCs' FRU data).
pub fn serial_placeholder(serial: &str) -> Option<&'static str> {
    const WORDS: [&str; 23] = [
        "to be filled by o.e.m.",
        "to be filled by oem",
        "default string",
        "system serial number",
        "chassis serial number",
        "base board serial number",
        "o.e.m.",
        "oem",
        "not specified",
        "serialnumber",
        "serial number",
        "serial",
        "n/a",
        "na",
        "none",
        "null",
        "unknown",
        "not available",
        "not applicable",
        "invalid",
        "-",
        "0123456789",
        "123456789",
    ];
    let s = serial.trim_matches(|c: char| c.is_whitespace() || c == '\0');
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return Some("empty");
    };
    if s.chars().count() > 1 && chars.all(|c| c == first) {
        return Some("one character repeated");
    }
    let lower = s.to_lowercase();
    WORDS
        .contains(&lower.as_str())
        .then_some("a placeholder word such as To be filled by O.E.M.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hex_dump_tail_is_decoded_back_into_the_value() {
        // smartax-mdu's entPhysicalSerialNum.889236, as the recording holds it.
        let serial = b"21980302203G1200\n34 32 36 30 00 00 00 00 00 00 00 00 00 00 00 00 ";
        let c = clean_bytes(serial);
        assert_eq!(c.text.as_deref(), Some("21980302203G12004260"));
        assert_eq!(
            c.changes,
            [
                "a hex dump of 16 octets decoded",
                "12 trailing NUL bytes dropped"
            ]
        );
        // The same value once trimmed of its trailing space, as a record's string.
        let c = clean("21980302203G1200\n34 32 36 30 00 00 00 00 00 00 00 00 00 00 00 00");
        assert_eq!(c.text.as_deref(), Some("21980302203G12004260"));
        // A software revision whose dump holds its last characters.
        let rev = clean("MA5620V800R308C0\n30 20 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        assert_eq!(rev.text.as_deref(), Some("MA5620V800R308C00"));
    }

    #[test]
    fn a_name_padded_with_nuls_and_dumped_is_the_name() {
        let mut raw = b"peca-sw02\0\0\0\0\0\0\0".to_vec();
        for _ in 0..3 {
            raw.extend_from_slice(b"\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ");
        }
        let c = clean_bytes(&raw);
        assert_eq!(c.text.as_deref(), Some("peca-sw02"));
        assert_eq!(
            c.changes,
            [
                "a hex dump of 48 octets decoded",
                "55 trailing NUL bytes dropped"
            ]
        );
    }

    #[test]
    fn a_value_of_nuls_only_is_nothing() {
        let mut raw = vec![0u8; 16];
        raw.extend_from_slice(b"\n00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        assert_eq!(clean_bytes(&raw).text, None);
        // What is left of it once its leading NULs and line break are trimmed.
        let c = clean("00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
        assert_eq!(c.text, None);
        assert_eq!(
            c.changes,
            [
                "a hex dump of 16 octets decoded",
                "16 NUL bytes dropped (nothing else)"
            ]
        );
        assert_eq!(clean_bytes(&[0; 8]).text, None);
    }

    #[test]
    fn hex_pairs_that_are_no_dump_stay_text() {
        for s in [
            "00 1b 21 bb e6 ea",
            "3c 2c 30 16 74 80",
            "line one\n00 11",
            "Huawei Versatile Routing Platform\nVRP (R) software",
            "ab\ncd ef",
        ] {
            let c = clean(s);
            assert_eq!(c.text.as_deref(), Some(s), "{s}");
            assert!(!c.changed(), "{s}");
        }
    }

    #[test]
    fn nuls_controls_and_trailing_binary_are_dropped() {
        let c = clean("abc\0\u{13}\u{fe}xyz");
        assert_eq!(c.text.as_deref(), Some("abc"));
        assert_eq!(c.changes, ["a NUL and 5 characters after it dropped"]);
        let c = clean("\0\0core-1");
        assert_eq!(c.text.as_deref(), Some("core-1"));
        assert_eq!(c.changes, ["2 leading NUL bytes dropped"]);
        let c = clean("sw\u{1b}[31m-1\u{7f}");
        assert_eq!(c.text.as_deref(), Some("sw[31m-1"));
        assert_eq!(c.changes, ["2 control characters dropped"]);
        let c = clean("S6720\r\nVRP\tsoftware  ");
        assert_eq!(c.text.as_deref(), Some("S6720\r\nVRP\tsoftware"));
        assert!(!c.changed());
        assert_eq!(clean(" \t ").text, None);
    }

    #[test]
    fn bidirectional_overrides_and_zero_width_characters_are_dropped() {
        // "Trojan Source": a right-to-left override makes `core-1` read as another name.
        let c = clean("\u{202e}1-eroc\u{202c} sw\u{200b}itch\u{feff}");
        assert_eq!(c.text.as_deref(), Some("1-eroc switch"));
        assert_eq!(c.changes, ["4 invisible formatting characters dropped"]);
        assert_eq!(escaped("a\u{2066}b"), "a\\u{2066}b");
        // Letters of right-to-left scripts are text, not formatting.
        assert!(!clean("\u{5e9}\u{5dc}\u{5d5}\u{5dd}").changed());
    }

    #[test]
    fn originals_are_escaped_byte_by_byte() {
        assert_eq!(escaped("peca\0\u{1}"), "peca\\x00\\x01");
        assert_eq!(escaped("a\\b\n"), "a\\\\b\\x0a");
        assert_eq!(escaped("caf\u{e9}"), "caf\u{e9}");
        assert_eq!(escaped("Москва"), "Москва");
        assert_eq!(escaped("\u{85}"), "\\x85");
    }

    #[test]
    fn placeholders_are_not_serials() {
        for s in [
            "",
            "  ",
            "SerialNumber",
            "To be filled by O.E.M.",
            "TO BE FILLED BY O.E.M.",
            "Default string",
            "System Serial Number",
            "Not Specified",
            "N/A",
            "0000000000",
            "000",
            "----",
            "0123456789",
            "unknown",
        ] {
            assert!(serial_placeholder(s).is_some(), "{s:?}");
        }
        for s in [
            "2102113774P0HC000023",
            "21980302203G12004260",
            "FCW2022C1ZM",
            "0",
            "F8223",
            "JPE00000000",
        ] {
            assert_eq!(serial_placeholder(s), None, "{s:?}");
        }
    }
}
