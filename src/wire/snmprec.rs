//! The `.snmprec` text of bindings, as snmpsim reads it: one `OID|TYPE|VALUE` line per object
//! instance, and the comment that carries an agent's engine ID. A sweep saves what it walked in
//! it (`--save-walks`), and the simulator's recordings are read from it
//! (`simulate::recording`, which writes recordings back with it).

use super::{Oid, Value, VarBind, push_hex};

/// The comment that carries a recorded agent's engine ID.
pub const ENGINE_ID_COMMENT: &str = "# engine-id: ";

/// The engine-ID comment line for a saved walk.
pub fn engine_id_comment(engine_id: &[u8]) -> String {
    let mut out = String::with_capacity(ENGINE_ID_COMMENT.len() + engine_id.len() * 2 + 1);
    out.push_str(ENGINE_ID_COMMENT);
    push_hex(&mut out, engine_id);
    out.push('\n');
    out
}

/// Writes bindings as `.snmprec` text, in the order given. Octet strings that are printable
/// ASCII are written plain, others in hex, so the file replays byte for byte. Values of a tag
/// this codec does not know are written in hex under their tag number where it can be served
/// (see [`Value::servable_tag`]); exceptions and the rest are left out.
pub fn write_snmprec(objects: &[VarBind]) -> String {
    let mut out = String::with_capacity(objects.len() * 48);
    push_snmprec(&mut out, objects.iter().map(|vb| (&vb.oid, &vb.value)));
    out
}

/// [`write_snmprec`] of (OID, value) pairs, appended to `out`: what a sweep saves, from its
/// observations as they are held, without copying them into bindings first.
pub fn push_snmprec<'a>(out: &mut String, objects: impl IntoIterator<Item = (&'a Oid, &'a Value)>) {
    for (oid, value) in objects {
        let code = match value {
            Value::Integer(_) => "2",
            Value::OctetString(b) if is_plain(b) => "4",
            Value::OctetString(_) => "4x",
            Value::Null => "5",
            Value::ObjectId(_) => "6",
            Value::IpAddress(_) => "64",
            Value::Counter32(_) => "65",
            Value::Gauge32(_) => "66",
            Value::TimeTicks(_) => "67",
            Value::Opaque(_) => "68x",
            Value::Counter64(_) => "70",
            Value::Unknown(t, _) if Value::servable_tag(*t) => "",
            Value::NoSuchObject
            | Value::NoSuchInstance
            | Value::EndOfMibView
            | Value::Unknown(..) => continue,
        };
        push_oid(out, oid);
        out.push('|');
        match value {
            Value::Unknown(t, _) => {
                push_decimal(out, u64::from(*t));
                out.push('x');
            }
            _ => out.push_str(code),
        }
        out.push('|');
        match value {
            Value::Integer(i) => {
                if *i < 0 {
                    out.push('-');
                }
                push_decimal(out, i.unsigned_abs());
            }
            // Printable ASCII (checked above), so UTF-8: the bytes are the text.
            Value::OctetString(b) if code == "4" => {
                out.push_str(std::str::from_utf8(b).unwrap_or(""))
            }
            Value::OctetString(b) | Value::Opaque(b) | Value::Unknown(_, b) => push_hex(out, b),
            Value::ObjectId(o) => push_oid(out, o),
            Value::IpAddress(a) => {
                for (i, octet) in a.iter().enumerate() {
                    if i > 0 {
                        out.push('.');
                    }
                    push_decimal(out, u64::from(*octet));
                }
            }
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => {
                push_decimal(out, u64::from(*v))
            }
            Value::Counter64(v) => push_decimal(out, *v),
            Value::Null | Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView => {}
        }
        out.push('\n');
    }
}

/// Whether an octet string is written as it is: printable ASCII without `|`.
fn is_plain(b: &[u8]) -> bool {
    b.iter().all(|&c| (0x20..0x7f).contains(&c) && c != b'|')
}

/// An OID in dotted decimal, as its `Display` writes it.
fn push_oid(out: &mut String, oid: &Oid) {
    for (i, arc) in oid.arcs().iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        push_decimal(out, u64::from(*arc));
    }
}

/// A number in decimal, as `Display` writes it (without the formatting machinery: a saved
/// walk writes several numbers a line).
fn push_decimal(out: &mut String, mut v: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    // ASCII digits, so UTF-8.
    out.push_str(std::str::from_utf8(&digits[at..]).unwrap_or("0"));
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// The writer as it was, over the formatting machinery: the text must not change.
    fn reference(objects: &[VarBind]) -> String {
        fn hex(b: &[u8]) -> String {
            b.iter().fold(String::new(), |mut s, x| {
                let _ = write!(s, "{x:02x}");
                s
            })
        }
        let mut out = String::new();
        for vb in objects {
            let (code, text) = match &vb.value {
                Value::Integer(i) => ("2", i.to_string()),
                Value::OctetString(b) if b.is_empty() => ("4", String::new()),
                Value::OctetString(b) if is_plain(b) => {
                    ("4", String::from_utf8_lossy(b).into_owned())
                }
                Value::OctetString(b) => ("4x", hex(b)),
                Value::Null => ("5", String::new()),
                Value::ObjectId(o) => ("6", o.to_string()),
                Value::IpAddress(a) => ("64", std::net::Ipv4Addr::from(*a).to_string()),
                Value::Counter32(v) => ("65", v.to_string()),
                Value::Gauge32(v) => ("66", v.to_string()),
                Value::TimeTicks(v) => ("67", v.to_string()),
                Value::Opaque(b) => ("68x", hex(b)),
                Value::Counter64(v) => ("70", v.to_string()),
                Value::Unknown(t, b) if Value::servable_tag(*t) => {
                    let _ = writeln!(out, "{}|{t}x|{}", vb.oid, hex(b));
                    continue;
                }
                _ => continue,
            };
            let _ = writeln!(out, "{}|{}|{}", vb.oid, code, text);
        }
        out
    }

    #[test]
    fn writes_every_kind_of_value_as_before() {
        let oid = |s: &str| s.parse::<Oid>().unwrap();
        let values = [
            Value::Integer(0),
            Value::Integer(-1),
            Value::Integer(i64::MIN),
            Value::Integer(i64::MAX),
            Value::OctetString(Vec::new()),
            Value::OctetString(b"Huawei VRP ~ 8.180".to_vec()),
            Value::OctetString(b"a|b".to_vec()),
            Value::OctetString(vec![0, 0x1f, 0x7f, 0x80, 0xff, b'\n']),
            Value::Null,
            Value::ObjectId(oid("1.3.6.1.4.1.2011.2.224.67")),
            Value::ObjectId(Oid::new(vec![0, u32::MAX])),
            Value::IpAddress([0, 10, 255, 1]),
            Value::Counter32(u32::MAX),
            Value::Gauge32(0),
            Value::TimeTicks(123_456),
            Value::Opaque(vec![0x9f, 0x78, 4, 0x3f]),
            Value::Opaque(Vec::new()),
            Value::Counter64(u64::MAX),
            Value::Unknown(0x45, vec![1, 2]),
            Value::Unknown(0x30, vec![1]),
            Value::NoSuchObject,
            Value::NoSuchInstance,
            Value::EndOfMibView,
        ];
        let objects: Vec<VarBind> = values
            .into_iter()
            .enumerate()
            .map(|(i, v)| VarBind::new(oid("1.3.6.1.2.1.1").child(i as u32), v))
            .collect();
        assert_eq!(write_snmprec(&objects), reference(&objects));
        assert_eq!(
            engine_id_comment(&[0x80, 0, 0x1f, 0x88, 4]),
            "# engine-id: 80001f8804\n"
        );
    }
}
