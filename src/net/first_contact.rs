//! First contact's driver: which targets answer SNMP at all, for thousands of addresses at
//! once. The probe state of every address is [`crate::snmp::contact::FirstContact`]'s; this
//! driver owns the sockets (one per address family, asking the kernel for ICMP errors:
//! IP_RECVERR, so a closed port is known at once), the sweep's [`Pacer`] and the clock. It
//! feeds the machine targets, answers, ICMP port unreachables and the time, sends what it
//! says, sleeps until its next deadline or an answer, and passes each address on as soon as
//! it is done.
//!
//! Only addresses that answered something go on to the per-device stage (the credential ladder
//! and the walk), with what first contact learned: the engine ID, and which communities
//! answered in which version.

use std::net::IpAddr;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Pacer;
use crate::snmp::Credential;
use crate::snmp::contact::FirstContact;
pub use crate::snmp::contact::{Account, Contact, Plan};

mod sockets;
use sockets::{Sockets, readable, send, unreachable_destinations};

/// Gives `machine` every answer and ICMP error waiting on the sockets, then the time.
fn drain(machine: &mut FirstContact<'_>, sockets: &Sockets, buf: &mut [u8], pacer: &Pacer) {
    for socket in [&sockets.v4, &sockets.v6].into_iter().flatten() {
        loop {
            match socket.try_recv_from(buf) {
                Ok((n, from)) => {
                    machine.handle_datagram(from, &buf[..n], Instant::now().into_std())
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    // The ERROR readiness is spent once the error queue is read (kept, it
                    // would wake every wait at once, and the wait would spin). Cleared before
                    // the queue is read, so that an error coming in meanwhile raises it again
                    // instead of being wiped with it.
                    let _ = socket.try_io(tokio::io::Interest::ERROR, || {
                        Err::<(), _>(std::io::ErrorKind::WouldBlock.into())
                    });
                    for d in unreachable_destinations(socket) {
                        machine.handle_unreachable(d);
                    }
                    break;
                }
                // An ICMP error reported on the socket: its details are in the error queue,
                // read above once the datagrams are.
                Err(_) => continue,
            }
        }
    }
    let timeouts = machine.handle_timeout(Instant::now().into_std());
    pacer.timeouts.fetch_add(timeouts, Ordering::Relaxed);
}

/// Hands the addresses first contact is done with to the reader in batches: a message per
/// address woke the reader's runtime once per address (an eventfd write, an `epoll_wait` and
/// four futex calls each, strace on a /16 of closed ports). A batch goes when it holds
/// [`BATCH`] addresses, when [`BATCH_AGE`] has passed since the last, and before any wait.
struct Reporter {
    pending: Vec<Contact>,
    since: Instant,
}

/// Addresses in a batch at most.
const BATCH: usize = 1024;
/// How long an address done waits at most before it is handed over while first contact sends.
const BATCH_AGE: std::time::Duration = std::time::Duration::from_millis(5);

impl Reporter {
    /// Takes what `machine` is done with; hands it over if a batch is due (`now`: one is).
    fn report(
        &mut self,
        machine: &mut FirstContact<'_>,
        done: &mpsc::UnboundedSender<Vec<Contact>>,
        now: bool,
    ) {
        self.pending
            .extend(std::iter::from_fn(|| machine.poll_contact()));
        let due = now || self.pending.len() >= BATCH || self.since.elapsed() >= BATCH_AGE;
        if due {
            if !self.pending.is_empty() {
                let _ = done.send(std::mem::take(&mut self.pending));
            }
            self.since = Instant::now();
        }
    }
}

/// Probes every address of `targets` and sends what was learned of each to `done` as soon as
/// it is known (in batches of what became known together), silent addresses included (`Contact::reached` is false for them). Returns,
/// when every address is reported, first contact's account of itself (retries, round trips,
/// the timeout learned). `done` is unbounded so that a slow reader never holds up the
/// timers; a contact is a few dozen bytes, so even a /16 of them waiting is a few megabytes.
pub async fn first_contact(
    targets: impl Iterator<Item = IpAddr>,
    ladder: &[Credential],
    plan: &Plan,
    pacer: &Pacer,
    done: mpsc::UnboundedSender<Vec<Contact>>,
) -> Account {
    let first_id = 0x1000_0000 | (std::process::id() as i32 & 0x0fff_ffff);
    let mut machine = FirstContact::new(ladder, plan.clone(), first_id);
    let mut sockets = Sockets::default();
    let mut buf = vec![0u8; 65_536];
    let mut targets = targets.fuse();
    let mut exhausted = false;
    // Answers are read between sends every fourth turn, not after each: a read that finds
    // nothing is a system call wasted, and the socket's buffer holds what comes meanwhile.
    let mut turn = 0u32;
    let mut woken = true;
    let mut last_to: Option<IpAddr> = None;
    let mut reporter = Reporter {
        pending: Vec::new(),
        since: Instant::now(),
    };
    loop {
        turn = turn.wrapping_add(1);
        if woken || turn.is_multiple_of(4) {
            drain(&mut machine, &sockets, &mut buf, pacer);
            woken = false;
        }
        reporter.report(&mut machine, &done, false);
        if done.is_closed() {
            // Nobody reads what is found any more (the sweep was stopped): stop sending.
            break;
        }
        if let Some(to) = machine.next_transmit_to() {
            if last_to == Some(to) {
                // Another probe to the address just sent to (a per-device cap above 1): what
                // came back for the last one is read first, so a closed port (its ICMP error
                // comes back at once from a near host) is not sent the rest of the ladder.
                drain(&mut machine, &sockets, &mut buf, pacer);
                last_to = None;
                continue;
            }
            pacer.ready().await;
            if let Some(t) = machine.poll_transmit(Instant::now().into_std()) {
                last_to = Some(t.destination.ip());
                send(&mut sockets, t).await;
            }
            continue;
        }
        if !exhausted && machine.has_room() {
            match targets.next() {
                Some(address) => machine.add(address),
                None => exhausted = true,
            }
            continue;
        }
        if exhausted && machine.is_idle() {
            break;
        }
        // Before waiting, make sure nothing is already waiting, and that there is still
        // something to wait for.
        drain(&mut machine, &sockets, &mut buf, pacer);
        reporter.report(&mut machine, &done, true);
        if machine.has_transmit()
            || (exhausted && machine.is_idle())
            || (!exhausted && machine.has_room() && !done.is_closed())
        {
            continue;
        }
        if done.is_closed() {
            break;
        }
        let Some(deadline) = machine.poll_timeout() else {
            // Nothing out and nothing to send while addresses remain cannot happen (an address
            // with nothing out is reported at once); should it, report them rather than spin.
            machine.abandon();
            reporter.report(&mut machine, &done, true);
            break;
        };
        tokio::select! {
            () = readable(&sockets.v4) => {}
            () = readable(&sockets.v6) => {}
            () = tokio::time::sleep_until(Instant::from_std(deadline)) => {}
            // Nobody reads what is found any more (the sweep was stopped): stop at once.
            () = done.closed() => break,
        }
        woken = true;
    }
    reporter.report(&mut machine, &done, true);
    machine.account().clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Agent;
    use crate::simulate::recording::Recording;
    use crate::simulate::server::{Simulation, Traffic};
    use crate::snmp::Secret;
    use crate::wire::Version;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    fn plan(port: u16, retries: u32, cap: usize) -> Plan {
        Plan {
            port,
            timeout: Duration::from_millis(400),
            retries,
            retries_explicit: true,
            engine_probe: true,
            max_in_flight_per_device: cap,
            max_addresses: 1024,
            every_rung: true,
        }
    }

    fn ladder() -> Vec<Credential> {
        vec![
            Credential::community(Version::V2c, Secret::new("public"), 1),
            Credential::community(Version::V1, Secret::new("public"), 1),
        ]
    }

    async fn contacts(targets: Vec<IpAddr>, plan: &Plan, pacer: &Pacer) -> Vec<Contact> {
        let (tx, mut rx) = mpsc::unbounded_channel();
        // A bound on the whole exchange, far above what it needs: never hang the suite.
        tokio::time::timeout(
            Duration::from_secs(30),
            first_contact(targets.into_iter(), &ladder(), plan, pacer, tx),
        )
        .await
        .expect("first contact ends");
        let mut out = Vec::new();
        while let Ok(c) = rx.try_recv() {
            out.extend(c);
        }
        out.sort_by_key(|c| c.address);
        out
    }

    /// `n` agents on consecutive addresses from `base` (an address range of this test's own,
    /// so the port is free there).
    async fn agents(base: &str, n: usize) -> Simulation {
        let text = "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
                    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n";
        let rec = Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap());
        let agents = (0..n).map(|_| Agent::new(rec.clone(), None)).collect();
        Simulation::start(
            agents,
            base.parse().unwrap(),
            16_161,
            Arc::new(Traffic::logged()),
        )
        .await
        .unwrap()
    }

    /// Agents answer v2c and the engine probe; the v1 probe of a community that answered in
    /// v2c is never sent; a closed port is done after one datagram, without its retries.
    #[tokio::test]
    async fn answers_are_matched_and_closed_ports_are_not_retried() {
        let sim = agents("127.61.0.1", 3).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let mut targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        // Nothing listens on .9 at that port: the host answers with ICMP port unreachable.
        targets.push("127.61.0.9".parse().unwrap());
        let got = contacts(targets, &plan(port, 3, 1), &pacer).await;
        assert_eq!(got.len(), 4);
        for c in &got[..3] {
            assert!(c.reached(), "{c:?}");
            assert_eq!(c.answered, vec![0], "v2c answered: {c:?}");
            assert!(c.engine.is_some(), "{c:?}");
            assert!(!c.refused);
        }
        let closed = &got[3];
        assert!(!closed.reached() && closed.refused, "{closed:?}");
        // Three agents × (v2c + engine probe), and one datagram to the closed port: no v1
        // probe, no retry.
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 7);
        let arrivals = sim.traffic.arrivals();
        assert_eq!(arrivals.len(), 6, "{arrivals:?}");
        sim.stop().await;
    }

    /// Many closed ports at once, with agents among them: every closed port is known from its
    /// ICMP answer, and no probe waits out a timeout. Each ICMP error also raises a pending
    /// error on the socket that the kernel reports on the next send instead of sending it; a
    /// probe lost that way used to wait out its timeout and go again.
    #[tokio::test]
    async fn closed_ports_cost_no_other_probe_a_timeout() {
        let sim = agents("127.61.2.1", 4).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let mut targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        // 127.61.3.0/24 has nothing listening: 256 closed ports.
        targets.extend((0..=255u8).map(|i| IpAddr::from([127, 61, 3, i])));
        let mut slow = plan(port, 1, 1);
        // Far beyond the whole exchange: a probe that times out shows in the count, and
        // would hold the test up for minutes, which the bound in contacts() stops.
        slow.timeout = Duration::from_secs(10);
        let got = contacts(targets, &slow, &pacer).await;
        assert_eq!(got.len(), 260);
        assert_eq!(got.iter().filter(|c| c.reached()).count(), 4);
        assert_eq!(got.iter().filter(|c| c.refused).count(), 256);
        assert_eq!(pacer.timeouts.load(Ordering::Relaxed), 0);
        // Four agents × (v2c + engine probe), and one datagram to each closed port.
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 8 + 256);
        sim.stop().await;
    }

    /// With room for three probes in flight per device, a closed port still costs one
    /// datagram: the ICMP error of the first probe is read before the next goes to it.
    #[tokio::test]
    async fn a_wider_cap_sends_one_datagram_to_a_closed_port() {
        let sim = agents("127.61.4.1", 2).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let mut targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        // 127.61.5.0/24 has nothing listening: 256 closed ports.
        targets.extend((0..=255u8).map(|i| IpAddr::from([127, 61, 5, i])));
        let mut wide = plan(port, 1, 3);
        wide.timeout = Duration::from_secs(10);
        let got = contacts(targets, &wide, &pacer).await;
        assert_eq!(got.len(), 258);
        assert_eq!(got.iter().filter(|c| c.refused).count(), 256);
        assert_eq!(pacer.timeouts.load(Ordering::Relaxed), 0);
        // Two agents × (v2c, v1, engine probe), and one datagram to each closed port.
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 6 + 256);
        sim.stop().await;
    }

    /// With room for three probes in flight per device, all of an address's probes go at
    /// once, and a silent address is still tried (timeout × attempts) before it is given up.
    #[tokio::test]
    async fn a_wider_cap_sends_the_probes_together() {
        let sim = agents("127.61.1.1", 2).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        let got = contacts(targets, &plan(port, 0, 3), &pacer).await;
        assert_eq!(got.len(), 2);
        for c in &got {
            // v2c and v1 both answered (they were out together), and the engine probe.
            assert_eq!(c.answered.len(), 2, "{c:?}");
            assert!(c.engine.is_some());
        }
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 6);
        sim.stop().await;
    }

    /// The default plan: each agent gets the opening (v1 and the engine-ID probe) and then
    /// v2c; a closed port costs one datagram.
    #[tokio::test]
    async fn the_default_plan_opens_with_v1_and_the_engine_probe() {
        let sim = agents("127.61.6.1", 3).await;
        let port = sim.addresses[0].port();
        let pacer = Pacer::new(None);
        let mut targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        targets.push("127.61.6.9".parse().unwrap());
        let default = Plan {
            retries: 1,
            retries_explicit: false,
            every_rung: false,
            ..plan(port, 1, 1)
        };
        let got = contacts(targets, &default, &pacer).await;
        assert_eq!(got.len(), 4);
        for c in &got[..3] {
            assert_eq!(c.answered, vec![1, 0], "v1, then v2c: {c:?}");
            assert!(c.engine.is_some(), "{c:?}");
        }
        assert!(got[3].refused);
        assert_eq!(pacer.sent.load(Ordering::Relaxed), 3 * 3 + 1);
        assert_eq!(pacer.timeouts.load(Ordering::Relaxed), 0);
        sim.stop().await;
    }
}
