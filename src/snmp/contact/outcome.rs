//! What first contact learns of an address: its engine, the communities that answered, and
//! what came back that could not be used.

use std::net::IpAddr;

/// What an engine-ID probe learns: the authoritative engine's ID, boots and time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// snmpEngineID.
    pub id: Vec<u8>,
    /// snmpEngineBoots.
    pub boots: u32,
    /// snmpEngineTime, as of the answer.
    pub time: u32,
}

/// What first contact learned of one address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contact {
    /// The address.
    pub address: Option<IpAddr>,
    /// The engine ID, boots and time, when the engine-ID probe was answered.
    pub engine: Option<Engine>,
    /// Positions in the credential ladder of the community credentials (in their version)
    /// that answered.
    pub answered: Vec<usize>,
    /// Answers from the address that came only after their request's timeout (each attempt
    /// has its own request ID, so a late answer is told from a timely one).
    pub late: u32,
    /// Answers from the address for no request it was sent: (SNMPv3 by msgID, v1/v2c by
    /// request ID, or a community or version other than the one asked).
    pub unmatched_v3: u32,
    /// The same for v1/v2c.
    pub unmatched: u32,
    /// Answers from the address that do not decode as SNMP, while the engine-ID probe was out.
    pub undecodable_engine: u32,
    /// The same while a community probe was out.
    pub undecodable_community: u32,
    /// The host answered a probe with ICMP destination unreachable: no agent on the port.
    pub refused: bool,
}

impl Contact {
    /// Whether anything usable answered.
    pub fn reached(&self) -> bool {
        self.engine.is_some() || !self.answered.is_empty()
    }

    /// Whether anything came back from the address, usable or not.
    pub fn heard(&self) -> bool {
        self.reached()
            || self.late > 0
            || self.unmatched_v3 > 0
            || self.unmatched > 0
            || self.undecodable_engine > 0
            || self.undecodable_community > 0
    }

    /// What came back that could not be used, as notes for the device's record.
    pub fn notes(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.undecodable_engine > 0 {
            out.push(format!(
                "engine-ID probe: malformed response: {} answer(s) that do not decode as SNMP",
                self.undecodable_engine
            ));
        }
        if self.undecodable_community > 0 {
            out.push(format!(
                "community probe: {} answer(s) that do not decode as SNMP",
                self.undecodable_community
            ));
        }
        if self.unmatched_v3 > 0 {
            out.push(format!(
                "engine-ID probe: {} answer(s) for a msgID that was not asked",
                self.unmatched_v3
            ));
        }
        if self.unmatched > 0 {
            out.push(format!(
                "community probe: {} answer(s) for a request ID, community or version that \
                 was not asked",
                self.unmatched
            ));
        }
        if self.late > 0 {
            out.push(format!(
                "first contact: {} answer(s) came only after the timeout, and were not used \
                 (answered only after the timeout)",
                self.late
            ));
        }
        out
    }
}
