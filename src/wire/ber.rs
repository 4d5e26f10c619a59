//! Basic Encoding Rules (X.690) as SNMP uses them: definite lengths, primitive encodings only.
//!
//! [`Reader`] walks a buffer TLV by TLV, in the style of rustls' codec reader: each constructed
//! value is read into a sub-reader, and trailing bytes are an error where the grammar says so.

use super::WireError;

/// Universal and SNMP tags.
#[allow(missing_docs)]
pub mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OBJECT_IDENTIFIER: u8 = 0x06;
    pub const SEQUENCE: u8 = 0x30;
    pub const IP_ADDRESS: u8 = 0x40;
    pub const COUNTER32: u8 = 0x41;
    pub const GAUGE32: u8 = 0x42;
    pub const TIMETICKS: u8 = 0x43;
    pub const OPAQUE: u8 = 0x44;
    pub const NSAP_ADDRESS: u8 = 0x45;
    pub const COUNTER64: u8 = 0x46;
    pub const UINTEGER32: u8 = 0x47;
    pub const NO_SUCH_OBJECT: u8 = 0x80;
    pub const NO_SUCH_INSTANCE: u8 = 0x81;
    pub const END_OF_MIB_VIEW: u8 = 0x82;
}

/// A cursor over untrusted bytes.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over the whole buffer.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// Whether every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// The tag of the next TLV, without consuming it.
    pub fn peek_tag(&self) -> Option<u8> {
        self.buf.first().copied()
    }

    /// Reads one TLV and returns its tag and contents.
    pub fn tlv(&mut self) -> Result<(u8, &'a [u8]), WireError> {
        let (&t, rest) = self.buf.split_first().ok_or(WireError::Truncated("tag"))?;
        if t & 0x1f == 0x1f {
            // High tag numbers never occur in SNMP.
            return Err(WireError::UnexpectedTag {
                expected: 0,
                found: t,
                what: "low tag number",
            });
        }
        let (&first, mut rest) = rest.split_first().ok_or(WireError::Truncated("length"))?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return Err(WireError::BadLength);
            }
            if rest.len() < n {
                return Err(WireError::Truncated("length"));
            }
            let (octets, after) = rest.split_at(n);
            rest = after;
            octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        if rest.len() < len {
            return Err(WireError::Truncated("value"));
        }
        let (contents, after) = rest.split_at(len);
        self.buf = after;
        Ok((t, contents))
    }

    /// Reads one TLV whose tag must be `expected`.
    pub fn expect(&mut self, expected: u8, what: &'static str) -> Result<&'a [u8], WireError> {
        let (found, contents) = self.tlv()?;
        if found != expected {
            return Err(WireError::UnexpectedTag {
                expected,
                found,
                what,
            });
        }
        Ok(contents)
    }

    /// Reads a constructed value with tag `expected` as a sub-reader.
    pub fn sub(&mut self, expected: u8, what: &'static str) -> Result<Reader<'a>, WireError> {
        self.expect(expected, what).map(Reader::new)
    }

    /// Reads an INTEGER.
    pub fn integer(&mut self, what: &'static str) -> Result<i64, WireError> {
        let contents = self.expect(tag::INTEGER, what)?;
        decode_signed(contents, what)
    }

    /// Fails unless everything has been read.
    pub fn finish(&self) -> Result<(), WireError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(WireError::TrailingBytes(self.buf.len()))
        }
    }
}

/// Decodes a two's complement integer of at most eight octets.
pub fn decode_signed(contents: &[u8], what: &'static str) -> Result<i64, WireError> {
    if contents.is_empty() || contents.len() > 8 {
        return Err(WireError::BadInteger(what));
    }
    let init: i64 = if contents[0] & 0x80 != 0 { -1 } else { 0 };
    Ok(contents
        .iter()
        .fold(init, |acc, &b| (acc << 8) | i64::from(b)))
}

/// Decodes an unsigned integer (Counter32, Gauge32, TimeTicks, Counter64). A leading zero octet
/// is allowed, so nine octets carry a full 64-bit value.
pub fn decode_unsigned(contents: &[u8], what: &'static str) -> Result<u64, WireError> {
    let digits = match contents {
        [] => return Err(WireError::BadInteger(what)),
        [0, rest @ ..] => rest,
        all => all,
    };
    if digits.len() > 8 {
        return Err(WireError::BadInteger(what));
    }
    Ok(digits
        .iter()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
}

/// Appends a length in definite form.
pub fn push_length(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u32).to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (4 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// Appends a TLV.
pub fn push_tlv(out: &mut Vec<u8>, t: u8, contents: &[u8]) {
    out.push(t);
    push_length(out, contents.len());
    out.extend_from_slice(contents);
}

/// Appends a constructed TLV whose contents `fill` writes; the length is patched in afterwards.
pub fn push_constructed(out: &mut Vec<u8>, t: u8, fill: impl FnOnce(&mut Vec<u8>)) {
    out.push(t);
    let len_at = out.len();
    out.push(0);
    fill(out);
    let len = out.len() - len_at - 1;
    if len >= 0x80 {
        let mut encoded = Vec::with_capacity(5);
        push_length(&mut encoded, len);
        out.splice(len_at..=len_at, encoded);
    } else {
        out[len_at] = len as u8;
    }
}

/// Appends an INTEGER in its shortest two's complement form.
pub fn push_signed(out: &mut Vec<u8>, t: u8, v: i64) {
    let bytes = v.to_be_bytes();
    let mut start = 0;
    while start < 7 {
        let (b, next) = (bytes[start], bytes[start + 1]);
        if (b == 0 && next & 0x80 == 0) || (b == 0xff && next & 0x80 != 0) {
            start += 1;
        } else {
            break;
        }
    }
    push_tlv(out, t, &bytes[start..]);
}

/// Appends an unsigned integer, with a leading zero octet where the top bit is set.
pub fn push_unsigned(out: &mut Vec<u8>, t: u8, v: u64) {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(7);
    let digits = &bytes[skip..];
    if digits[0] & 0x80 != 0 {
        let mut contents = Vec::with_capacity(9);
        contents.push(0);
        contents.extend_from_slice(digits);
        push_tlv(out, t, &contents);
    } else {
        push_tlv(out, t, digits);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_in_shortest_form() {
        for (v, enc) in [
            (0i64, &[0x02, 0x01, 0x00][..]),
            (127, &[0x02, 0x01, 0x7f]),
            (128, &[0x02, 0x02, 0x00, 0x80]),
            (-1, &[0x02, 0x01, 0xff]),
            (-129, &[0x02, 0x02, 0xff, 0x7f]),
        ] {
            let mut out = Vec::new();
            push_signed(&mut out, tag::INTEGER, v);
            assert_eq!(out, enc, "{v}");
            assert_eq!(Reader::new(&out).integer("test"), Ok(v));
        }
    }

    #[test]
    fn unsigned_keeps_top_bit_positive() {
        let mut out = Vec::new();
        push_unsigned(&mut out, tag::COUNTER32, 0xffff_ffff);
        assert_eq!(out, [0x41, 0x05, 0x00, 0xff, 0xff, 0xff, 0xff]);
        let (_, c) = Reader::new(&out).tlv().unwrap();
        assert_eq!(decode_unsigned(c, "c"), Ok(0xffff_ffff));
        let mut out = Vec::new();
        push_unsigned(&mut out, tag::COUNTER64, u64::MAX);
        let (_, c) = Reader::new(&out).tlv().unwrap();
        assert_eq!(decode_unsigned(c, "c"), Ok(u64::MAX));
    }

    #[test]
    fn long_lengths_are_patched() {
        let mut out = Vec::new();
        push_constructed(&mut out, tag::SEQUENCE, |o| {
            o.extend(std::iter::repeat_n(7u8, 300))
        });
        assert_eq!(&out[..4], &[0x30, 0x82, 0x01, 0x2c]);
        let mut r = Reader::new(&out);
        assert_eq!(r.expect(tag::SEQUENCE, "s").unwrap().len(), 300);
        r.finish().unwrap();
    }

    #[test]
    fn bad_lengths_are_errors_not_panics() {
        assert_eq!(
            Reader::new(&[0x30]).tlv(),
            Err(WireError::Truncated("length"))
        );
        assert_eq!(Reader::new(&[0x30, 0x80]).tlv(), Err(WireError::BadLength));
        assert_eq!(
            Reader::new(&[0x30, 0x85, 1, 1, 1, 1, 1]).tlv(),
            Err(WireError::BadLength)
        );
        assert_eq!(
            Reader::new(&[0x30, 0x82, 0x01]).tlv(),
            Err(WireError::Truncated("length"))
        );
        assert_eq!(
            Reader::new(&[0x30, 0x05, 1]).tlv(),
            Err(WireError::Truncated("value"))
        );
        assert!(decode_signed(&[], "x").is_err());
        assert!(decode_signed(&[1; 9], "x").is_err());
    }
}
