//! Ways a simulated agent misbehaves (`netorigin simulate --fault MODE`), as agents on carrier
//! networks do: silence, slowness, answers sent twice, from the wrong address or for the wrong
//! request, broken BER, walks that go backwards, loop or never end, GETBULK answers that ignore
//! max-repetitions or are always tooBig, huge values, and restarts mid-walk.
//!
//! Every mode applies to every agent of a simulate process; several combine. Each agent is
//! healthy for its first [`Faults::after`] requests, then misbehaves on every request. With no
//! mode the agent's answers are those of a healthy agent, byte for byte.
//!
//! What each mode does is what its [`Fault`] variant says. The content faults are the
//! [`Agent`](super::Agent)'s, so they can be exercised in memory; the delivery faults (silent,
//! slow, duplicate, wrong-source) are the server's.

use std::time::Duration;

/// One way of misbehaving.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Fault {
    /// No answer at all.
    Silent,
    /// Each answer waits the fixed delay (`--fault-delay-ms`) plus a random part of up to the
    /// jitter (`--fault-jitter-ms`) before it is sent.
    Slow,
    /// Each answer is sent twice.
    Duplicate,
    /// Answers carry the wrong request-id: the request's plus one (SNMPv3: the msgID too).
    WrongId,
    /// Answers come from another address (a socket bound to the address after the last agent,
    /// on the same port), not from the one asked.
    WrongSource,
    /// Answers end with a value whose BER length field runs past the end of the message (a
    /// long-form length announcing five length octets, and none following; in an SNMPv3
    /// answer, of its scoped PDU, before encryption).
    Malformed,
    /// Answers longer than 484 octets (the size every SNMP engine must accept, RFC 3417) are cut
    /// at 484 octets, as by a datagram buffer too small.
    Truncated,
    /// The object after the fifth object of each column (the objects under one parent OID) is
    /// that object again: a walk there is answered with the OID it asked for.
    NonIncreasing,
    /// The object after the fifth object of each column (the objects under one parent OID) is
    /// the column's first object: a walk there cycles through the same five objects.
    OidLoop,
    /// GETBULK answers go on past max-repetitions until the message is full (65,507 octets) or
    /// the MIB ends.
    BulkOverflow,
    /// IF-MIB ifDescr never ends: past its recorded rows the agent makes up rows with ever
    /// greater indexes.
    Endless,
    /// Every non-empty OCTET STRING is answered 16,384 octets long (its recorded octets,
    /// repeated).
    Oversized,
    /// Every GETBULK is answered tooBig.
    #[value(name = "toobig")]
    TooBig,
    /// The agent restarts when its faults begin (`--fault-after`): sysUpTime starts again from
    /// zero and snmpEngineBoots goes up by one.
    Reboot,
}

/// How long an `oversized` OCTET STRING is.
pub const OVERSIZED_LEN: usize = 16_384;

/// The size at which `truncated` cuts answers.
pub const TRUNCATED_LEN: usize = 484;

/// The faults of a simulate process, and their parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    modes: Vec<Fault>,
    /// Requests each agent answers healthily before its faults begin.
    pub after: u64,
    /// `slow`: the fixed delay.
    pub delay: Duration,
    /// `slow`: the most random delay added to the fixed one.
    pub jitter: Duration,
}

impl Faults {
    /// The given modes, from the first request, with `slow`'s delays at zero.
    pub fn new(modes: &[Fault]) -> Self {
        let mut m = modes.to_vec();
        m.sort_by_key(|f| *f as u8);
        m.dedup();
        Faults {
            modes: m,
            ..Faults::default()
        }
    }

    /// Healthy for the first `n` requests of each agent.
    pub fn after(mut self, n: u64) -> Self {
        self.after = n;
        self
    }

    /// `slow`'s fixed delay and random jitter.
    pub fn delays(mut self, delay: Duration, jitter: Duration) -> Self {
        self.delay = delay;
        self.jitter = jitter;
        self
    }

    /// Whether `mode` is on.
    pub fn has(&self, mode: Fault) -> bool {
        self.modes.contains(&mode)
    }

    /// The modes, each once.
    pub fn modes(&self) -> &[Fault] {
        &self.modes
    }

    /// Whether no mode is on.
    pub fn is_empty(&self) -> bool {
        self.modes.is_empty()
    }

    /// `slow`'s delay for one answer: the fixed part plus a random part drawn with `seed`.
    pub fn delay_for(&self, seed: u64) -> Duration {
        let jitter = u64::try_from(self.jitter.as_micros()).unwrap_or(u64::MAX);
        let random = if jitter == 0 {
            0
        } else {
            splitmix(seed) % (jitter + 1)
        };
        self.delay + Duration::from_micros(random)
    }
}

/// SplitMix64: a well-spread number from a counter, enough for jitter (not for secrets).
fn splitmix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Makes an encoded message malformed: its last two octets must be the empty OCTET STRING
/// that [`Agent`](super::Agent) appends under `malformed` (`04 00`); its length becomes `85`,
/// a long form announcing five length octets where none follow. (A short-form length that
/// merely overruns is not enough: clients clamp such strings to their binding, as real
/// firmware needs.) Returns whether the message had that ending.
pub fn break_last_length(message: &mut [u8]) -> bool {
    match message {
        [.., 0x04, last @ 0x00] => {
            *last = 0x85;
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_kept_once_and_named_as_the_issue_names_them() {
        let f = Faults::new(&[Fault::Slow, Fault::TooBig, Fault::Slow]);
        assert_eq!(f.modes(), [Fault::Slow, Fault::TooBig]);
        assert!(f.has(Fault::TooBig) && !f.has(Fault::Silent));
        use clap::ValueEnum;
        let names: Vec<String> = Fault::value_variants()
            .iter()
            .map(|v| v.to_possible_value().unwrap().get_name().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "silent",
                "slow",
                "duplicate",
                "wrong-id",
                "wrong-source",
                "malformed",
                "truncated",
                "non-increasing",
                "oid-loop",
                "bulk-overflow",
                "endless",
                "oversized",
                "toobig",
                "reboot"
            ]
        );
    }

    #[test]
    fn slow_delays_stay_between_the_fixed_part_and_the_fixed_part_plus_jitter() {
        let f = Faults::new(&[Fault::Slow])
            .delays(Duration::from_millis(100), Duration::from_millis(50));
        let delays: Vec<Duration> = (0..1000).map(|i| f.delay_for(i)).collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= Duration::from_millis(100) && *d <= Duration::from_millis(150))
        );
        // Spread over the range, not one value.
        assert!(delays.iter().any(|d| *d < Duration::from_millis(110)));
        assert!(delays.iter().any(|d| *d > Duration::from_millis(140)));
        let fixed = Faults::new(&[Fault::Slow]).delays(Duration::from_millis(7), Duration::ZERO);
        assert_eq!(fixed.delay_for(3), Duration::from_millis(7));
    }

    #[test]
    fn breaking_the_last_length_needs_the_empty_octet_string_ending() {
        let mut m = vec![0x30, 0x04, 0x02, 0x00, 0x04, 0x00];
        assert!(break_last_length(&mut m));
        assert_eq!(m.last(), Some(&0x85));
        let mut other = vec![0x30, 0x02, 0x05, 0x00];
        assert!(!break_last_length(&mut other));
    }
}
