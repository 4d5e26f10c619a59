//! The `.snmprec` text of bindings, as snmpsim reads it: one `OID|TYPE|VALUE` line per object
//! instance, and the comment that carries an agent's engine ID. A sweep saves what it walked in
//! it (`--save-walks`), and the simulator's recordings are read from it
//! (`simulate::recording`, which writes recordings back with it).

use std::fmt::Write as _;

use super::{Value, VarBind};

/// The comment that carries a recorded agent's engine ID.
pub const ENGINE_ID_COMMENT: &str = "# engine-id: ";

/// The engine-ID comment line for a saved walk.
pub fn engine_id_comment(engine_id: &[u8]) -> String {
    format!("{ENGINE_ID_COMMENT}{}\n", hex(engine_id))
}

/// Writes bindings as `.snmprec` text, in the order given. Octet strings that are printable
/// ASCII are written plain, others in hex, so the file replays byte for byte. Values of a tag
/// this codec does not know are written in hex under their tag number where it can be served
/// (see [`Value::servable_tag`]); exceptions and the rest are left out.
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
            Value::Unknown(t, b) if Value::servable_tag(*t) => {
                let _ = writeln!(out, "{}|{t}x|{}", vb.oid, hex(b));
                continue;
            }
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
