//! OBJECT IDENTIFIER: parsing from dotted text, BER encoding, and SNMP's lexicographic order.

use std::fmt;
use std::str::FromStr;

use super::WireError;

/// An object identifier. `Ord` is SNMP's lexicographic order over sub-identifiers, the order in
/// which GETNEXT and GETBULK walk a MIB.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Oid(Vec<u32>);

impl Oid {
    /// An OID from its sub-identifiers.
    pub fn new(arcs: impl Into<Vec<u32>>) -> Self {
        Oid(arcs.into())
    }

    /// The sub-identifiers.
    pub fn arcs(&self) -> &[u32] {
        &self.0
    }

    /// Whether `self` lies at or below `root`.
    pub fn starts_with(&self, root: &Oid) -> bool {
        self.0.starts_with(&root.0)
    }

    /// This OID with one more sub-identifier.
    pub fn child(&self, arc: u32) -> Oid {
        let mut arcs = Vec::with_capacity(self.0.len() + 1);
        arcs.extend_from_slice(&self.0);
        arcs.push(arc);
        Oid(arcs)
    }

    /// The sub-identifiers after `root`, if `self` lies below it.
    pub fn suffix(&self, root: &Oid) -> Option<&[u32]> {
        self.0.strip_prefix(root.0.as_slice())
    }

    /// Decodes the contents of an OBJECT IDENTIFIER TLV. Empty contents (X.690 wants at least
    /// one subidentifier, but agents do send an empty sysObjectID) are read as zeroDotZero,
    /// `0.0`, the OID RFC 2578 gives for "none", which is also how they encode again.
    pub fn decode(contents: &[u8]) -> Result<Oid, WireError> {
        if contents.is_empty() {
            return Ok(Oid(vec![0, 0]));
        }
        let mut arcs = Vec::with_capacity(contents.len() + 1);
        let mut acc: u64 = 0;
        let mut in_arc = false;
        for &b in contents {
            acc = (acc << 7) | u64::from(b & 0x7f);
            if acc > u64::from(u32::MAX) + 80 {
                return Err(WireError::BadOid);
            }
            in_arc = b & 0x80 != 0;
            if !in_arc {
                if arcs.is_empty() {
                    let first = (acc / 40).min(2);
                    arcs.push(first as u32);
                    let second = acc - first * 40;
                    arcs.push(u32::try_from(second).map_err(|_| WireError::BadOid)?);
                } else {
                    arcs.push(u32::try_from(acc).map_err(|_| WireError::BadOid)?);
                }
                acc = 0;
            }
        }
        if in_arc {
            return Err(WireError::BadOid);
        }
        Ok(Oid(arcs))
    }

    /// Appends the contents of an OBJECT IDENTIFIER TLV. OIDs of fewer than two arcs, or with a
    /// first arc above 2, cannot be encoded as they stand; they are encoded as BER requires
    /// (missing arcs as 0, the first arc folded into the first octet).
    pub fn encode_contents(&self, out: &mut Vec<u8>) {
        let first = u64::from(self.0.first().copied().unwrap_or(0));
        let second = u64::from(self.0.get(1).copied().unwrap_or(0));
        push_base128(out, first * 40 + second);
        for &arc in self.0.iter().skip(2) {
            push_base128(out, u64::from(arc));
        }
    }
}

fn push_base128(out: &mut Vec<u8>, v: u64) {
    let mut shift = 63;
    while shift > 0 && (v >> shift) == 0 {
        shift -= 7;
    }
    while shift > 0 {
        out.push(0x80 | ((v >> shift) & 0x7f) as u8);
        shift -= 7;
    }
    out.push((v & 0x7f) as u8);
}

/// Why a dotted OID did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an object identifier (dotted decimal sub-identifiers expected): {0:?}")]
pub struct OidParseError(pub String);

impl FromStr for Oid {
    type Err = OidParseError;

    /// Parses `1.3.6.1.2.1.1.1.0` (a leading dot is allowed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let body = s.strip_prefix('.').unwrap_or(s);
        if body.is_empty() {
            return Err(OidParseError(s.to_string()));
        }
        // One pass over the bytes (recordings hold millions of OIDs): digits accumulate into
        // the current sub-identifier, a dot ends it; an empty or overlong one is an error.
        let bad = || OidParseError(s.to_string());
        let bytes = body.as_bytes();
        let mut arcs = Vec::with_capacity(bytes.iter().filter(|&&b| b == b'.').count() + 1);
        let (mut acc, mut digits) = (0u32, 0usize);
        for &b in bytes {
            if b == b'.' {
                if digits == 0 {
                    return Err(bad());
                }
                arcs.push(acc);
                (acc, digits) = (0, 0);
            } else if b.is_ascii_digit() {
                acc = acc
                    .checked_mul(10)
                    .and_then(|a| a.checked_add(u32::from(b - b'0')))
                    .ok_or_else(bad)?;
                digits += 1;
            } else {
                return Err(bad());
            }
        }
        if digits == 0 {
            return Err(bad());
        }
        arcs.push(acc);
        Ok(Oid(arcs))
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for arc in &self.0 {
            if !first {
                f.write_str(".")?;
            }
            first = false;
            write!(f, "{arc}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({self})")
    }
}

impl serde::Serialize for Oid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Builds an [`Oid`] from a dotted literal known to be valid at compile time.
#[macro_export]
macro_rules! oid {
    ($($arc:expr),+ $(,)?) => { $crate::wire::Oid::new(vec![$($arc),+]) };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the `snmp_message` fuzz target once it was seeded: `06 00` decoded as an
    /// empty OID, which encodes as `06 01 00` and so decoded again as another value.
    #[test]
    fn an_empty_oid_is_zero_dot_zero_and_round_trips() {
        let empty = Oid::decode(&[]).unwrap();
        assert_eq!(empty.to_string(), "0.0");
        let mut out = Vec::new();
        empty.encode_contents(&mut out);
        assert_eq!(Oid::decode(&out).unwrap(), empty);
    }

    #[test]
    fn text_and_ber_round_trip() {
        let oid: Oid = "1.3.6.1.4.1.2011.2.23.96".parse().unwrap();
        let mut out = Vec::new();
        oid.encode_contents(&mut out);
        assert_eq!(out, [0x2b, 6, 1, 4, 1, 0x8f, 0x5b, 2, 23, 0x60]);
        assert_eq!(Oid::decode(&out).unwrap(), oid);
        assert_eq!(oid.to_string(), "1.3.6.1.4.1.2011.2.23.96");
        assert_eq!(".1.3".parse::<Oid>().unwrap(), Oid::new(vec![1, 3]));
    }

    #[test]
    fn large_arcs_and_joint_first_octet() {
        let oid = Oid::new(vec![2, 999, u32::MAX]);
        let mut out = Vec::new();
        oid.encode_contents(&mut out);
        assert_eq!(Oid::decode(&out).unwrap(), oid);
    }

    #[test]
    fn lexicographic_order_is_snmp_order() {
        let a: Oid = "1.3.6.1.2.1.1.9".parse().unwrap();
        let b: Oid = "1.3.6.1.2.1.1.10".parse().unwrap();
        let c: Oid = "1.3.6.1.2.1.1.9.1".parse().unwrap();
        assert!(a < c && c < b);
    }

    #[test]
    fn bad_oids_are_errors() {
        assert_eq!(Oid::decode(&[0x2b, 0x81]), Err(WireError::BadOid));
        assert_eq!(
            Oid::decode(&[0x2b, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
            Err(WireError::BadOid)
        );
        assert!("1..3".parse::<Oid>().is_err());
        assert!("".parse::<Oid>().is_err());
        assert!("1.x".parse::<Oid>().is_err());
        // A trailing dot (sanitised recordings hold such OIDs), a sign, an arc past u32.
        assert!("1.3.".parse::<Oid>().is_err());
        assert!(".".parse::<Oid>().is_err());
        assert!("1.+3".parse::<Oid>().is_err());
        assert!("1.4294967296".parse::<Oid>().is_err());
        assert_eq!(
            "1.4294967295".parse::<Oid>().unwrap(),
            Oid::new(vec![1, u32::MAX])
        );
    }
}
