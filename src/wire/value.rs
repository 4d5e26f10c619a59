//! SNMP values (RFC 2578 SMIv2 types, RFC 3416 exceptions) and variable bindings.

use super::ber::{self, Reader, tag};
use super::{Oid, WireError};
use std::borrow::Cow;

/// A value in a variable binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// INTEGER / Integer32. Held wide: agents do send values outside 32 bits.
    Integer(i64),
    /// OCTET STRING, as raw bytes.
    OctetString(Vec<u8>),
    /// NULL, as sent in requests.
    Null,
    /// OBJECT IDENTIFIER.
    ObjectId(Oid),
    /// IpAddress: four octets.
    IpAddress([u8; 4]),
    /// Counter32.
    Counter32(u32),
    /// Gauge32 / Unsigned32.
    Gauge32(u32),
    /// TimeTicks, hundredths of a second.
    TimeTicks(u32),
    /// Opaque, as raw bytes.
    Opaque(Vec<u8>),
    /// Counter64.
    Counter64(u64),
    /// noSuchObject exception (v2c).
    NoSuchObject,
    /// noSuchInstance exception (v2c).
    NoSuchInstance,
    /// endOfMibView exception (v2c).
    EndOfMibView,
    /// A tag this codec does not know, kept with its contents.
    Unknown(u8, Vec<u8>),
}

impl Value {
    /// Whether this is one of the three v2c exceptions: no value at that OID.
    pub fn is_exception(&self) -> bool {
        matches!(
            self,
            Value::NoSuchObject | Value::NoSuchInstance | Value::EndOfMibView
        )
    }

    /// The octets of an OCTET STRING.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::OctetString(b) => Some(b),
            _ => None,
        }
    }

    /// An OCTET STRING as text: UTF-8 where valid, else Latin-1, with trailing NULs dropped.
    /// Borrowed where the octets are UTF-8, which they nearly always are.
    pub fn as_text(&self) -> Option<Cow<'_, str>> {
        let b = self.as_bytes()?;
        let b = match b.iter().rposition(|&c| c != 0) {
            Some(end) => &b[..=end],
            None => &[],
        };
        Some(decode_text(b))
    }

    /// An OCTET STRING as text trimmed of white space and NULs at both ends; nothing when
    /// none is left. ASCII white space and NULs go before the octets are decoded (most values
    /// are padded so), the rest after.
    pub fn trimmed_text(&self) -> Option<String> {
        let b = self.as_bytes()?;
        let keep = |c: &u8| *c != 0 && !c.is_ascii_whitespace();
        let (start, end) = (b.iter().position(keep)?, b.iter().rposition(keep)?);
        let t = decode_text(&b[start..=end]);
        let t = t.trim_matches(|c: char| c.is_whitespace() || c == '\0');
        (!t.is_empty()).then(|| t.to_string())
    }

    /// What kind of placeholder this is, when it is an OCTET STRING that only stands where a
    /// value was removed before the walk was shared (see [`placeholder`]).
    pub fn placeholder(&self) -> Option<&'static str> {
        placeholder(self.as_bytes()?)
    }

    /// Whether an unknown tag `t` can be served as one primitive BER value: not 0 (reserved),
    /// not constructed (its contents would have to be TLVs), not the mark of a high tag number.
    pub fn servable_tag(t: u8) -> bool {
        t != 0 && t & 0x20 == 0 && t & 0x1f != 0x1f
    }

    /// The OID held by an OBJECT IDENTIFIER value.
    pub fn as_oid(&self) -> Option<&Oid> {
        match self {
            Value::ObjectId(o) => Some(o),
            _ => None,
        }
    }

    /// Any integer-like value as a number.
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Integer(i) => u64::try_from(i).ok(),
            Value::Counter32(v) | Value::Gauge32(v) | Value::TimeTicks(v) => Some(u64::from(v)),
            Value::Counter64(v) => Some(v),
            _ => None,
        }
    }

    /// Decodes one value TLV.
    pub fn decode(r: &mut Reader<'_>) -> Result<Value, WireError> {
        let (t, c) = r.tlv()?;
        Ok(match t {
            tag::INTEGER => Value::Integer(ber::decode_signed(c, "INTEGER")?),
            tag::OCTET_STRING => Value::OctetString(c.to_vec()),
            tag::NULL => Value::Null,
            tag::OBJECT_IDENTIFIER => Value::ObjectId(Oid::decode(c)?),
            tag::IP_ADDRESS => {
                Value::IpAddress(c.try_into().map_err(|_| WireError::BadValue("IpAddress"))?)
            }
            tag::COUNTER32 => Value::Counter32(unsigned32(c, "Counter32")?),
            tag::GAUGE32 | tag::UINTEGER32 => Value::Gauge32(unsigned32(c, "Gauge32")?),
            tag::TIMETICKS => Value::TimeTicks(unsigned32(c, "TimeTicks")?),
            tag::OPAQUE => Value::Opaque(c.to_vec()),
            tag::COUNTER64 => Value::Counter64(ber::decode_unsigned(c, "Counter64")?),
            tag::NO_SUCH_OBJECT => Value::NoSuchObject,
            tag::NO_SUCH_INSTANCE => Value::NoSuchInstance,
            tag::END_OF_MIB_VIEW => Value::EndOfMibView,
            other => Value::Unknown(other, c.to_vec()),
        })
    }

    /// Appends this value's TLV.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Value::Integer(i) => ber::push_signed(out, tag::INTEGER, *i),
            Value::OctetString(b) => ber::push_tlv(out, tag::OCTET_STRING, b),
            Value::Null => ber::push_tlv(out, tag::NULL, &[]),
            Value::ObjectId(o) => {
                let mut c = Vec::with_capacity(o.arcs().len() + 4);
                o.encode_contents(&mut c);
                ber::push_tlv(out, tag::OBJECT_IDENTIFIER, &c);
            }
            Value::IpAddress(a) => ber::push_tlv(out, tag::IP_ADDRESS, a),
            Value::Counter32(v) => ber::push_unsigned(out, tag::COUNTER32, u64::from(*v)),
            Value::Gauge32(v) => ber::push_unsigned(out, tag::GAUGE32, u64::from(*v)),
            Value::TimeTicks(v) => ber::push_unsigned(out, tag::TIMETICKS, u64::from(*v)),
            Value::Opaque(b) => ber::push_tlv(out, tag::OPAQUE, b),
            Value::Counter64(v) => ber::push_unsigned(out, tag::COUNTER64, *v),
            Value::NoSuchObject => ber::push_tlv(out, tag::NO_SUCH_OBJECT, &[]),
            Value::NoSuchInstance => ber::push_tlv(out, tag::NO_SUCH_INSTANCE, &[]),
            Value::EndOfMibView => ber::push_tlv(out, tag::END_OF_MIB_VIEW, &[]),
            Value::Unknown(t, c) => ber::push_tlv(out, *t, c),
        }
    }
}

/// What kind of placeholder `text` is, when it only stands where a value was removed before a
/// walk was shared: it says nothing of the device, so it is never evidence nor a field of a
/// record. The kinds, each found in real recordings (the LibreNMS and snmpsim-data corpora):
/// - a bracketed word: `<private>` (LibreNMS's capture script puts it for sysName,
///   sysContact, sysLocation...), `<description>` (ifAlias of Cisco IOS XR recordings),
///   `<removed>`, `<hidden>`, `<redacted>`: letters, spaces, `-` and `_` between `<` and `>`;
/// - a mask: two or more of one of `X`, `x`, `#`, `*` and nothing else: `XXX`, `xxx`,
///   `#########` (a Moxa's serial), `****`;
/// - a masked address: `*`s between dots or colons only, `*.*.*.*`;
/// - the words `removed` and `redacted` alone (LLDP neighbours' names in an Edgecore
///   recording).
///
/// White space and NULs around are ignored. A value only partly masked (`V9XXXXXX`) is not a
/// placeholder: what is left of it is still the device's.
pub fn placeholder(text: &[u8]) -> Option<&'static str> {
    let keep = |c: &u8| *c != 0 && !c.is_ascii_whitespace();
    let b = &text[text.iter().position(keep)?..=text.iter().rposition(keep)?];
    let (&first, &last) = (b.first()?, b.last()?);
    if b.len() < 2 {
        return None;
    }
    let inner = &b[1..b.len() - 1];
    if first == b'<' && last == b'>' {
        let wordy = |c: &u8| c.is_ascii_alphabetic() || matches!(c, b' ' | b'-' | b'_');
        return (inner.iter().any(u8::is_ascii_alphabetic) && inner.iter().all(wordy))
            .then_some("a bracketed word such as <private>");
    }
    if matches!(first, b'X' | b'x' | b'#' | b'*') && b.iter().all(|&c| c == first) {
        return Some("a mask such as XXXX");
    }
    if first == b'*' && last == b'*' {
        let masked = b.iter().all(|&c| matches!(c, b'*' | b'.' | b':'))
            && b.iter().any(|&c| matches!(c, b'.' | b':'));
        return masked.then_some("a masked address such as *.*.*.*");
    }
    (b.eq_ignore_ascii_case(b"removed") || b.eq_ignore_ascii_case(b"redacted"))
        .then_some("the word removed or redacted")
}

fn unsigned32(c: &[u8], what: &'static str) -> Result<u32, WireError> {
    u32::try_from(ber::decode_unsigned(c, what)?).map_err(|_| WireError::BadInteger(what))
}

/// A variable binding: an OID and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarBind {
    /// The object instance.
    pub oid: Oid,
    /// Its value (NULL in requests).
    pub value: Value,
}

impl VarBind {
    /// A binding.
    pub fn new(oid: Oid, value: Value) -> Self {
        VarBind { oid, value }
    }

    /// Decodes one `SEQUENCE { name, value }`.
    pub fn decode(r: &mut Reader<'_>) -> Result<VarBind, WireError> {
        let mut seq = r.sub(tag::SEQUENCE, "VarBind")?;
        let oid = Oid::decode(seq.expect(tag::OBJECT_IDENTIFIER, "VarBind name")?)?;
        let value = Value::decode(&mut seq)?;
        seq.finish()?;
        Ok(VarBind { oid, value })
    }

    /// Appends this binding's TLV.
    pub fn encode(&self, out: &mut Vec<u8>) {
        ber::push_constructed(out, tag::SEQUENCE, |o| {
            Value::ObjectId(self.oid.clone()).encode(o);
            self.value.encode(o);
        });
    }
}

/// Octets as text: UTF-8 where valid, else Latin-1 (each octet one character).
fn decode_text(b: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(b) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(b.iter().map(|&c| char::from(c)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_round_trips() {
        let values = [
            Value::Integer(-5),
            Value::Integer(i64::from(u32::MAX)),
            Value::OctetString(b"Huawei Versatile Routing Platform".to_vec()),
            Value::Null,
            Value::ObjectId("1.3.6.1.4.1.2011.2.23.96".parse().unwrap()),
            Value::IpAddress([127, 0, 0, 1]),
            Value::Counter32(u32::MAX),
            Value::Gauge32(1_000_000_000),
            Value::TimeTicks(123_456),
            Value::Opaque(vec![0x9f, 0x78, 4, 0, 0, 0, 0]),
            Value::Counter64(u64::MAX),
            Value::NoSuchObject,
            Value::NoSuchInstance,
            Value::EndOfMibView,
        ];
        for v in values {
            let vb = VarBind::new("1.3.6.1.2.1.1.1.0".parse().unwrap(), v);
            let mut out = Vec::new();
            vb.encode(&mut out);
            let mut r = Reader::new(&out);
            assert_eq!(VarBind::decode(&mut r).unwrap(), vb);
            r.finish().unwrap();
        }
    }

    #[test]
    fn text_falls_back_to_latin1_and_drops_trailing_nuls() {
        assert_eq!(
            Value::OctetString(b"abc\0\0".to_vec()).as_text().unwrap(),
            "abc"
        );
        assert_eq!(Value::OctetString(vec![0xe9]).as_text().unwrap(), "é");
    }

    #[test]
    fn sanitised_placeholders_are_told_from_values() {
        let kind = |s: &[u8]| Value::OctetString(s.to_vec()).placeholder();
        // (text, whether it is a placeholder)
        let cases: &[(&[u8], bool)] = &[
            (b"<private>", true),
            (b"<Private>", true),
            (b"<private>  ", true),
            (b" <private>\0\0", true),
            (b"<description>", true),
            (b"<not available>", true),
            (b"<removed>", true),
            (b"<hidden>", true),
            (b"<redacted>", true),
            (b"XX", true),
            (b"XXXXXXXXXXXX", true),
            (b"xxx", true),
            (b"*.*.*.*", true),
            (b"*:*:*:*:*:*", true),
            (b"removed", true),
            (b"Removed", true),
            (b"redacted", true),
            (b"", false),
            (b"X", false),
            (b"<>", false),
            (b"<1>", false),
            (b"< >", false),
            (b"V9XXXXXX", false),
            (b"XxX", false),
            // A ZTE MIB's own word (snmpsim-data's zte-embsys-cgel).
            (b"private", false),
            (b"N/A", false),
            (b"*", false),
            (b"**", true),
            (b"#########", true),
            (b"#", false),
            (b"--------------", false),
            (b"Huawei <private> build", false),
            (b"Server: removed", false),
            (b"10.0.0.1", false),
        ];
        for (text, is) in cases {
            assert_eq!(
                kind(text).is_some(),
                *is,
                "{}",
                String::from_utf8_lossy(text)
            );
        }
        assert_eq!(Value::Opaque(b"<private>".to_vec()).placeholder(), None);
    }

    #[test]
    fn unknown_tags_that_can_be_served_are_primitive_and_low() {
        assert!(Value::servable_tag(0x45));
        assert!(Value::servable_tag(3));
        assert!(!Value::servable_tag(0));
        assert!(!Value::servable_tag(0x30));
        assert!(!Value::servable_tag(0x5f));
    }

    #[test]
    fn wrong_sized_ip_address_is_an_error() {
        let mut r = Reader::new(&[0x40, 0x03, 1, 2, 3]);
        assert_eq!(Value::decode(&mut r), Err(WireError::BadValue("IpAddress")));
    }
}
