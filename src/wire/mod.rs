//! Bytes only: BER and the SNMP v1/v2c message (RFC 3416, RFC 1157), with no I/O and no tokio;
//! and the `.snmprec` text of bindings ([`snmprec`]).
//!
//! Everything here parses untrusted input: every decoder is total, returning [`WireError`] on
//! bad bytes and never panicking. Encoders produce the canonical definite-length DER-like form
//! that every agent accepts. SNMPv3 (RFC 3412/3414) is decoded as far as engine discovery
//! needs ([`v3`], [`engine_id`]); authentication and privacy are the client's.

pub mod ber;
pub mod cdp;
pub mod engine_id;
pub mod ethernet;
pub mod lldp;
pub mod message;
pub mod oid;
pub mod snmprec;
pub mod v3;
pub mod value;

pub use message::{Message, Pdu, PduKind, Version};
pub use oid::Oid;
pub use value::{Value, VarBind};

/// Appends the lower-case hexadecimal digits of `bytes` to `out` (no formatting machinery:
/// saved walks write many a line).
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
}

/// The lower-case hexadecimal digits of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// Everything that can be wrong with bytes received from the network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// The buffer ended inside a tag, a length or a value.
    #[error("message truncated: {0}")]
    Truncated(&'static str),
    /// A length field used the indefinite form or more than four octets.
    #[error("unsupported BER length form")]
    BadLength,
    /// A different tag was found where the grammar requires one.
    #[error("expected tag 0x{expected:02x} for {what}, found 0x{found:02x}")]
    UnexpectedTag {
        /// The tag the grammar requires.
        expected: u8,
        /// The tag in the buffer.
        found: u8,
        /// What was being decoded.
        what: &'static str,
    },
    /// An INTEGER wider than 64 bits, or an empty one.
    #[error("bad integer encoding for {0}")]
    BadInteger(&'static str),
    /// An OBJECT IDENTIFIER with a sub-identifier wider than 32 bits or cut short.
    #[error("bad object identifier encoding")]
    BadOid,
    /// A value whose contents do not fit its type (an IpAddress that is not four octets...).
    #[error("bad value for {0}")]
    BadValue(&'static str),
    /// Bytes after the end of a structure that should have ended the buffer.
    #[error("{0} trailing bytes after the message")]
    TrailingBytes(usize),
    /// A message version other than v1 (0) or v2c (1).
    #[error("unsupported SNMP version {0}")]
    UnsupportedVersion(i64),
    /// A PDU type this codec does not handle (SNMPv1 Trap).
    #[error("unsupported PDU type 0x{0:02x}")]
    UnsupportedPdu(u8),
}
