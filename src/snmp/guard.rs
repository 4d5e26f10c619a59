//! A device's session, guarded against the device: [`Guarded`] wraps any [`Session`] to one
//! device and keeps a sweep bounded and polite however the agent behaves.
//!
//! - **Back-off.** After `n` requests in a row went unanswered (each after its retries), the next
//!   waits `n` timeouts first; after [`GuardLimits::give_up_after`] in a row the device is left
//!   alone: every later request fails at once with [`SnmpError::GaveUp`], unsent.
//! - **GETBULK to GETNEXT.** An agent that answers a GETBULK with tooBig, with more bindings than
//!   max-repetitions allows, with something that does not decode, or not at all where it does
//!   answer a GETNEXT for the same OIDs, is asked with GETNEXT from then on (a GETNEXT answer is
//!   a GETBULK answer of one repetition, so a walk needs no change). The first reason is kept.
//! - **Value size.** OCTET STRING, Opaque and unknown values longer than
//!   [`GuardLimits::max_value_size`] are cut to it, so one agent's huge values cannot fill memory.
//! - **Time.** Past the deadline no request is sent ([`SnmpError::TimeLimit`]).
//!
//! Each of these leaves a note ([`Guarded::notes`]) for the device's record.
//!
//! Answers with the wrong request-id, from the wrong address, or sent twice never reach this
//! layer: the client drops them ([`super::backend`] asks it to check the source address too).

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::{Session, SnmpError, Wrapper};
use crate::wire::{Oid, Value, VarBind};

/// What a [`Guarded`] session allows.
#[derive(Debug, Clone, Copy)]
pub struct GuardLimits {
    /// Requests in a row that may go unanswered before the device is left alone.
    pub give_up_after: u32,
    /// The pause before a request, per request unanswered in a row just before it (the
    /// session's timeout is a good value).
    pub back_off: Duration,
    /// The longest value kept, in octets.
    pub max_value_size: usize,
    /// No request is sent after this.
    pub deadline: Option<Instant>,
}

impl Default for GuardLimits {
    fn default() -> Self {
        GuardLimits {
            give_up_after: GIVE_UP_AFTER,
            back_off: Duration::from_secs(1),
            max_value_size: MAX_VALUE_SIZE,
            deadline: None,
        }
    }
}

/// Requests in a row that may go unanswered before a device is left alone.
pub const GIVE_UP_AFTER: u32 = 3;

/// The longest value kept by default, in octets: sixteen times SNMPv2-TC's DisplayString, and
/// more than any value of the walk plan in the recorded corpus (748 octets at most).
pub const MAX_VALUE_SIZE: usize = 4096;

#[derive(Debug, Default)]
struct State {
    unanswered: u32,
    gave_up: bool,
    bulk_abandoned: Option<String>,
    values_cut: usize,
    time_limit_hit: bool,
}

/// A session to one device with the protections above.
pub struct Guarded<S> {
    inner: S,
    limits: GuardLimits,
    state: Mutex<State>,
}

impl<S: Session> Guarded<S> {
    /// Guards `inner` within `limits`.
    pub fn new(inner: S, limits: GuardLimits) -> Self {
        Guarded {
            inner,
            limits,
            state: Mutex::new(State::default()),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the device was left alone after requests went unanswered.
    pub fn gave_up(&self) -> bool {
        self.state().gave_up
    }

    /// Why GETBULK was given up for GETNEXT, if it was.
    pub fn bulk_abandoned(&self) -> Option<String> {
        self.state().bulk_abandoned.clone()
    }

    /// What the guard did, in words, for the device's record.
    pub fn notes(&self) -> Vec<String> {
        let s = self.state();
        let mut notes = Vec::new();
        if let Some(why) = &s.bulk_abandoned {
            notes.push(format!("GETBULK {why}: walked with GETNEXT from then on"));
        }
        if s.gave_up {
            notes.push(format!(
                "stopped asking after {} requests in a row went unanswered (each with its retries)",
                self.limits.give_up_after
            ));
        }
        if s.time_limit_hit {
            notes.push(
                "the device's time limit was reached: what was not asked by then is missing".into(),
            );
        }
        if s.values_cut > 0 {
            notes.push(format!(
                "{} values longer than {} octets were cut to {}",
                s.values_cut, self.limits.max_value_size, self.limits.max_value_size
            ));
        }
        notes
    }

    fn abandon_bulk(&self, why: String) {
        let mut s = self.state();
        if s.bulk_abandoned.is_none() {
            s.bulk_abandoned = Some(why);
        }
    }

    /// Values cut to the size limit.
    fn cut(&self, mut vbs: Vec<VarBind>) -> Vec<VarBind> {
        let max = self.limits.max_value_size;
        let mut cut = 0;
        for vb in &mut vbs {
            if let Value::OctetString(b) | Value::Opaque(b) | Value::Unknown(_, b) = &mut vb.value
                && b.len() > max
            {
                b.truncate(max);
                b.shrink_to_fit();
                cut += 1;
            }
        }
        if cut > 0 {
            self.state().values_cut += cut;
        }
        vbs
    }
}

impl<S: Session> Wrapper for Guarded<S> {
    type Inner = S;

    fn inner(&self) -> &S {
        &self.inner
    }

    /// One exchange: refused unsent once the device is given up or its time is over, paused
    /// after unanswered requests, and counted.
    async fn exchange<'a, F, Fut>(&'a self, call: F) -> Result<Vec<VarBind>, SnmpError>
    where
        F: Fn(&'a S) -> Fut + Send,
        Fut: Future<Output = Result<Vec<VarBind>, SnmpError>> + Send,
    {
        let pause = {
            let s = self.state();
            if s.gave_up {
                return Err(SnmpError::GaveUp);
            }
            self.limits.back_off * s.unanswered
        };
        let over = |s: &Self| {
            s.limits
                .deadline
                .is_some_and(|d| Instant::now() >= d)
                .then(|| {
                    s.state().time_limit_hit = true;
                    SnmpError::TimeLimit
                })
        };
        if let Some(e) = over(self) {
            return Err(e);
        }
        if !pause.is_zero() {
            let until = Instant::now() + pause;
            tokio::time::sleep_until(self.limits.deadline.map_or(until, |d| until.min(d))).await;
            if let Some(e) = over(self) {
                return Err(e);
            }
        }
        let result = call(&self.inner).await;
        {
            let mut s = self.state();
            match &result {
                Err(SnmpError::Timeout) => {
                    s.unanswered += 1;
                    if s.unanswered >= self.limits.give_up_after {
                        s.gave_up = true;
                    }
                }
                _ => s.unanswered = 0,
            }
        }
        result.map(|vbs| self.cut(vbs))
    }

    /// GETBULK, or GETNEXT once GETBULK was given up (see the module's documentation).
    async fn bulk(&self, oids: &[Oid], nr: u32, mr: u32) -> Result<Vec<VarBind>, SnmpError> {
        if self.bulk_abandoned().is_some() {
            return self.get_next(oids).await;
        }
        let result = self.exchange(|s| s.get_bulk(oids, nr, mr)).await;
        let repeaters = oids.len().saturating_sub(nr as usize);
        let most = (nr as usize).min(oids.len()) + repeaters.saturating_mul(mr as usize);
        match result {
            Ok(vbs) if vbs.len() > most => {
                // The bindings are the agent's answer all the same: keep them.
                self.abandon_bulk(format!(
                    "ignored max-repetitions ({} bindings answered where {most} were asked for)",
                    vbs.len()
                ));
                Ok(vbs)
            }
            Err(SnmpError::Status { status: 1, .. }) => {
                self.abandon_bulk("was answered tooBig".into());
                self.get_next(oids).await
            }
            Err(SnmpError::Malformed(why)) => {
                self.abandon_bulk(format!("was answered with something malformed ({why})"));
                self.get_next(oids).await
            }
            Err(SnmpError::Timeout) if !self.gave_up() => {
                let next = self.get_next(oids).await;
                if next.is_ok() {
                    self.abandon_bulk(
                        "went unanswered (no answer, or none that decoded) where GETNEXT was answered"
                            .into(),
                    );
                }
                next
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::{Agent, Fault, Faults, Recording};
    use crate::snmp::in_memory::InMemory;
    use crate::snmp::walk::{WalkEnd, WalkLimits, run};
    use crate::wire::Version;
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    /// The agent of these tests: sysDescr, sysUpTime, 60 ifDescr rows and one ifPhysAddress,
    /// with `modes` from request `after` on.
    fn agent(modes: &[Fault], after: u64) -> InMemory {
        let mut text =
            String::from("1.3.6.1.2.1.1.1.0|4|Test agent\n1.3.6.1.2.1.1.3.0|67|123456\n");
        for i in 1..=60 {
            text.push_str(&format!("1.3.6.1.2.1.2.2.1.2.{i}|4|port {i}\n"));
        }
        text.push_str("1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n");
        let rec = Recording::parse(std::path::Path::new("t"), text.as_bytes()).unwrap();
        let agent =
            Agent::new(Arc::new(rec), None).with_faults(Arc::new(Faults::new(modes).after(after)));
        InMemory::new(agent, Version::V2c)
    }

    fn guarded(modes: &[Fault], after: u64) -> Guarded<InMemory> {
        Guarded::new(
            agent(modes, after),
            GuardLimits {
                back_off: Duration::from_millis(1),
                ..GuardLimits::default()
            },
        )
    }

    fn if_descr() -> Oid {
        "1.3.6.1.2.1.2.2.1.2".parse().unwrap()
    }

    async fn walk(s: &Guarded<InMemory>) -> (Vec<VarBind>, WalkEnd) {
        run(s, &if_descr(), WalkLimits::default()).await
    }

    #[tokio::test]
    async fn a_healthy_agent_is_walked_with_getbulk_and_leaves_no_note() {
        let s = guarded(&[], 0);
        let (rows, end) = walk(&s).await;
        assert_eq!((rows.len(), end), (60, WalkEnd::EndOfTable));
        assert_eq!(s.inner.sent.load(Ordering::Relaxed), 3, "25 + 25 + 10 rows");
        assert!(s.notes().is_empty());
    }

    #[tokio::test]
    async fn toobig_overflow_and_unanswered_bulks_fall_back_to_getnext() {
        for (mode, why) in [
            (Fault::TooBig, "tooBig"),
            (Fault::BulkOverflow, "ignored max-repetitions"),
            (Fault::Truncated, "went unanswered"),
        ] {
            let s = guarded(&[mode], 0);
            let (rows, end) = walk(&s).await;
            assert_eq!((rows.len(), &end), (60, &WalkEnd::EndOfTable), "{mode:?}");
            let notes = s.notes().join("; ");
            assert!(notes.contains(why) && notes.contains("GETNEXT"), "{notes}");
            // A second table starts with GETNEXT: no more GETBULK.
            let bulks = s.inner.bulks.load(Ordering::Relaxed);
            walk(&s).await;
            assert_eq!(s.inner.bulks.load(Ordering::Relaxed), bulks, "{mode:?}");
            assert!(!s.gave_up());
        }
    }

    #[tokio::test]
    async fn a_device_that_stops_answering_is_left_alone_after_three_requests() {
        // Answers its first two requests, then nothing.
        let s = guarded(&[Fault::Silent], 2);
        let (rows, _) = walk(&s).await;
        assert_eq!(rows.len(), 50);
        let (_, end) = walk(&s).await;
        assert!(matches!(end, WalkEnd::Error { .. }), "{end:?}");
        assert!(s.gave_up());
        let sent = s.inner.sent.load(Ordering::Relaxed);
        // The third bulk, its GETNEXT try, and the bulk of the second walk: three unanswered.
        assert_eq!(sent, 2 + 3);
        assert_eq!(s.get(&[if_descr()]).await, Err(SnmpError::GaveUp));
        assert_eq!(
            s.inner.sent.load(Ordering::Relaxed),
            sent,
            "nothing more sent"
        );
        assert!(s.notes().join(" ").contains("3 requests in a row"));
    }

    #[tokio::test]
    async fn an_answer_resets_the_count_of_unanswered_requests() {
        let s = guarded(&[], 0);
        s.state().unanswered = 2;
        assert!(s.get(&[if_descr()]).await.is_ok());
        assert_eq!(s.state().unanswered, 0);
    }

    #[tokio::test]
    async fn huge_values_are_cut_and_counted() {
        let s = guarded(&[Fault::Oversized], 0);
        let vbs = s
            .get(&["1.3.6.1.2.1.1.1.0".parse().unwrap()])
            .await
            .unwrap();
        let b = vbs[0].value.as_bytes().unwrap();
        assert_eq!(b.len(), MAX_VALUE_SIZE);
        assert!(b.starts_with(b"Test agentTest agent"));
        assert!(s.notes()[0].contains("1 values longer than 4096 octets"));
    }

    #[tokio::test]
    async fn nothing_is_sent_past_the_deadline() {
        let s = Guarded::new(
            agent(&[], 0),
            GuardLimits {
                deadline: Some(Instant::now()),
                ..GuardLimits::default()
            },
        );
        let (rows, end) = walk(&s).await;
        assert_eq!((rows.len(), end), (0, WalkEnd::TimeLimit));
        assert_eq!(s.inner.sent.load(Ordering::Relaxed), 0);
        assert!(s.notes()[0].contains("time limit"));
    }
}
