//! The first-contact machine with a fake clock (`Instant`s advanced by hand) and no socket:
//! answers are built with the crate's own encoder.

use super::*;
use crate::snmp::Secret;
use crate::snmp::oids;
use crate::wire::v3::V3Message;
use crate::wire::{Message, PduKind, Value, VarBind, Version};

const PORT: u16 = 161;
const TIMEOUT: Duration = Duration::from_secs(2);

fn plan(retries: u32, cap: usize) -> Plan {
    Plan {
        port: PORT,
        timeout: TIMEOUT,
        retries,
        retries_explicit: true,
        engine_probe: true,
        max_in_flight_per_device: cap,
        max_addresses: 1024,
        every_rung: true,
    }
}

fn community(version: Version, name: &str, index: usize) -> Credential {
    Credential::community(version, Secret::new(name), index)
}

fn public() -> Vec<Credential> {
    vec![
        community(Version::V2c, "public", 1),
        community(Version::V1, "public", 1),
    ]
}

fn ip(last: u8) -> IpAddr {
    IpAddr::from([192, 0, 2, last])
}

/// What a request asks, read back from its bytes: `(version, community)`, or `None` for the
/// engine-ID probe; and its request ID (msgID for v3).
fn asked(t: &Transmit) -> (Option<(Version, String)>, i32) {
    if let Ok(m) = Message::decode(&t.payload) {
        let c = String::from_utf8(m.community).unwrap();
        return (Some((m.version, c)), m.pdu.request_id);
    }
    let m = V3Message::decode(&t.payload).unwrap();
    (None, m.msg_id)
}

/// An agent's answer to `t`, as the agent would send it.
fn answer(t: &Transmit) -> Vec<u8> {
    if let Ok(mut m) = Message::decode(&t.payload) {
        m.pdu.kind = PduKind::Response;
        m.pdu.varbinds = vec![VarBind::new(
            oids::sys_descr(),
            Value::OctetString(b"Huawei Versatile Routing Platform".to_vec()),
        )];
        return m.encode();
    }
    let request = V3Message::decode(&t.payload).unwrap();
    V3Message::discovery_report(&request, engine_id(), 7, 1234, 1).encode()
}

fn engine_id() -> Vec<u8> {
    vec![
        0x80, 0x00, 0x07, 0xdb, 0x03, 0, 0x11, 0x22, 0x33, 0x44, 0x55,
    ]
}

/// An answer to `t` with its request ID changed to `id`.
fn answer_with_id(t: &Transmit, id: i32) -> Vec<u8> {
    let mut m = Message::decode(&answer(t)).unwrap();
    m.pdu.request_id = id;
    m.encode()
}

/// Every datagram the machine has to send now.
fn transmits(m: &mut FirstContact<'_>, now: Instant) -> Vec<Transmit> {
    let mut out = Vec::new();
    while m.has_transmit() {
        out.push(m.poll_transmit(now).unwrap());
    }
    assert!(m.poll_transmit(now).is_none());
    out
}

fn contacts(m: &mut FirstContact<'_>) -> Vec<Contact> {
    std::iter::from_fn(|| m.poll_contact()).collect()
}

/// Probes go in the ladder's order, one at a time under a cap of one, each after the one
/// before has used its time: every community in its version, then the engine-ID probe.
#[test]
fn the_ladder_goes_in_its_order() {
    let ladder = vec![
        community(Version::V2c, "a", 1),
        community(Version::V2c, "b", 2),
        community(Version::V1, "a", 1),
        community(Version::V1, "b", 2),
    ];
    let mut m = FirstContact::new(&ladder, plan(0, 1), 100);
    let mut now = Instant::now();
    m.add(ip(1));
    let mut order = Vec::new();
    let mut timeouts = 0;
    loop {
        let sent = transmits(&mut m, now);
        if sent.is_empty() {
            break;
        }
        assert_eq!(sent.len(), 1, "one at a time");
        assert_eq!(sent[0].destination, SocketAddr::new(ip(1), PORT));
        order.push(asked(&sent[0]).0);
        assert_eq!(m.poll_timeout(), Some(now + TIMEOUT));
        now += TIMEOUT;
        timeouts += m.handle_timeout(now);
    }
    let want = [
        Some((Version::V2c, "a".to_string())),
        Some((Version::V2c, "b".to_string())),
        Some((Version::V1, "a".to_string())),
        Some((Version::V1, "b".to_string())),
        None,
    ];
    assert_eq!(order, want);
    assert_eq!(timeouts, 5);
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].address, Some(ip(1)));
    assert!(!got[0].heard() && !got[0].refused);
    assert!(m.is_idle() && m.poll_timeout().is_none());
}

/// A credential out of its scope is not tried; without the engine-ID probe in the plan, the
/// ladder is all.
#[test]
fn out_of_scope_credentials_and_the_engine_probe_are_left_out() {
    let mut scoped = community(Version::V2c, "elsewhere", 1);
    scoped.scope = vec!["198.51.100.0/24".parse().unwrap()];
    let ladder = vec![scoped, community(Version::V2c, "here", 2)];
    let mut p = plan(0, 4);
    p.engine_probe = false;
    let mut m = FirstContact::new(&ladder, p, 1);
    m.add(ip(1));
    let now = Instant::now();
    let sent = transmits(&mut m, now);
    let asked: Vec<_> = sent.iter().map(|t| asked(t).0).collect();
    assert_eq!(asked, [Some((Version::V2c, "here".to_string()))]);
}

/// Answers are matched to their probes; the v1 probe of a community that answered in v2c is
/// never sent, and the address is reported once its last probe is answered.
#[test]
fn answers_are_matched_and_v1_is_skipped_after_v2c() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, plan(3, 1), 1);
    let now = Instant::now();
    m.add(ip(1));
    let v2c = transmits(&mut m, now);
    assert_eq!(asked(&v2c[0]).0, Some((Version::V2c, "public".into())));
    m.handle_datagram(v2c[0].destination, &answer(&v2c[0]), now);
    let engine = transmits(&mut m, now);
    assert_eq!(engine.len(), 1);
    assert_eq!(asked(&engine[0]).0, None, "the engine-ID probe, not v1");
    assert!(contacts(&mut m).is_empty());
    m.handle_datagram(engine[0].destination, &answer(&engine[0]), now);
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    let c = &got[0];
    assert!(c.reached());
    assert_eq!(c.answered, vec![0]);
    let e = c.engine.as_ref().unwrap();
    assert_eq!((e.id.clone(), e.boots, e.time), (engine_id(), 7, 1234));
    assert!(c.notes().is_empty(), "{c:?}");
    assert!(transmits(&mut m, now).is_empty() && m.is_idle());
    // What is left in the deadlines is answered: it times nothing out.
    assert_eq!(m.handle_timeout(now + TIMEOUT * 10), 0);
}

/// At most the cap's number of probes is out to one address; the next goes when one is
/// answered. Each address has a cap of its own.
#[test]
fn the_per_device_cap_holds() {
    let ladder = vec![
        community(Version::V2c, "a", 1),
        community(Version::V2c, "b", 2),
        community(Version::V2c, "c", 3),
    ];
    let mut m = FirstContact::new(&ladder, plan(0, 2), 1);
    let now = Instant::now();
    m.add(ip(1));
    m.add(ip(2));
    let first = transmits(&mut m, now);
    assert_eq!(first.len(), 4, "two to each address");
    for a in [ip(1), ip(2)] {
        assert_eq!(first.iter().filter(|t| t.destination.ip() == a).count(), 2);
    }
    let to_1: Vec<&Transmit> = first
        .iter()
        .filter(|t| t.destination.ip() == ip(1))
        .collect();
    m.handle_datagram(to_1[0].destination, &answer(to_1[0]), now);
    let next = transmits(&mut m, now);
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].destination.ip(), ip(1));
    assert_eq!(asked(&next[0]).0, Some((Version::V2c, "c".into())));
}

/// With room for three, all of an address's probes go at once: v2c and v1 both answer.
#[test]
fn a_wider_cap_sends_the_probes_together() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, plan(0, 3), 1);
    let now = Instant::now();
    m.add(ip(1));
    let sent = transmits(&mut m, now);
    assert_eq!(sent.len(), 3);
    for t in &sent {
        m.handle_datagram(t.destination, &answer(t), now);
    }
    let got = contacts(&mut m);
    assert_eq!(got[0].answered, vec![0, 1]);
    assert!(got[0].engine.is_some());
}

/// A closed port (ICMP port unreachable) ends the address at once: no retry, no further
/// probe, nothing to time out. An unreachable for another port is not the agent's.
#[test]
fn a_closed_port_ends_the_address() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, plan(3, 1), 1);
    let now = Instant::now();
    m.add(ip(9));
    let sent = transmits(&mut m, now);
    assert_eq!(sent.len(), 1);
    m.handle_unreachable(SocketAddr::new(ip(9), PORT + 1));
    assert!(contacts(&mut m).is_empty());
    m.handle_unreachable(sent[0].destination);
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    assert!(got[0].refused && !got[0].reached());
    assert!(transmits(&mut m, now).is_empty());
    assert_eq!(m.handle_timeout(now + TIMEOUT * 100), 0);
    assert!(m.is_idle());
}

/// A closed port among others: a probe queued to it and not sent yet is dropped, and the
/// other address's probes go on as before.
#[test]
fn a_closed_port_drops_its_queued_probes() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, plan(0, 3), 1);
    let now = Instant::now();
    m.add(ip(1));
    m.add(ip(9));
    // Send only the first of the six queued.
    let first = m.poll_transmit(now).unwrap();
    assert_eq!(first.destination.ip(), ip(1));
    m.handle_unreachable(SocketAddr::new(ip(9), PORT));
    let rest = transmits(&mut m, now);
    assert_eq!(rest.len(), 2);
    assert!(rest.iter().all(|t| t.destination.ip() == ip(1)));
    assert!(contacts(&mut m)[0].refused);
}

/// An unanswered probe is sent again after its timeout, `retries` times, each attempt with a
/// request ID of its own and a deadline one timeout after it went; then it is given up.
#[test]
fn retries_each_wait_their_timeout() {
    let ladder = vec![community(Version::V2c, "public", 1)];
    let mut p = plan(2, 1);
    p.engine_probe = false;
    let mut m = FirstContact::new(&ladder, p, 1);
    let mut now = Instant::now();
    m.add(ip(1));
    let mut ids = Vec::new();
    for attempt in 0..3 {
        let sent = transmits(&mut m, now);
        assert_eq!(sent.len(), 1, "attempt {attempt}");
        ids.push(asked(&sent[0]).1);
        let due = m.poll_timeout().unwrap();
        assert_eq!(due, now + TIMEOUT);
        // Not a moment early.
        assert_eq!(m.handle_timeout(due - Duration::from_millis(1)), 0);
        assert!(transmits(&mut m, now).is_empty());
        now = due;
        assert_eq!(m.handle_timeout(now), 1);
    }
    ids.dedup();
    assert_eq!(ids.len(), 3, "{ids:?}");
    assert!(transmits(&mut m, now).is_empty());
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    assert!(!got[0].heard());
}

/// An answer to an attempt whose time ran out is late: counted, not used; the retry's answer
/// is used. An answer that comes after its deadline but before the time is handled is still
/// on time.
#[test]
fn late_answers_are_counted_not_used() {
    let ladder = vec![community(Version::V2c, "public", 1)];
    let mut p = plan(1, 1);
    p.engine_probe = false;
    let mut m = FirstContact::new(&ladder, p.clone(), 1);
    let mut now = Instant::now();
    m.add(ip(1));
    let first = transmits(&mut m, now).remove(0);
    now += TIMEOUT;
    assert_eq!(m.handle_timeout(now), 1);
    let retry = transmits(&mut m, now).remove(0);
    m.handle_datagram(first.destination, &answer(&first), now);
    assert!(
        contacts(&mut m).is_empty(),
        "a late answer is not the address's answer"
    );
    m.handle_datagram(retry.destination, &answer(&retry), now);
    let got = contacts(&mut m);
    assert_eq!(got[0].late, 1);
    assert_eq!(got[0].answered, vec![0]);
    assert!(
        got[0]
            .notes()
            .iter()
            .any(|n| n.contains("after the timeout"))
    );

    let mut m = FirstContact::new(&ladder, p, 1);
    let now = Instant::now();
    m.add(ip(1));
    let t = transmits(&mut m, now).remove(0);
    m.handle_datagram(t.destination, &answer(&t), now);
    assert_eq!(m.handle_timeout(now + TIMEOUT * 2), 0);
    let got = contacts(&mut m);
    assert_eq!((got[0].late, got[0].answered.clone()), (0, vec![0]));
}

/// Answers to nothing asked: another request ID, another address's request ID, the right ID
/// in another community or version, a v3 answer for another msgID, each counted for the
/// address that sent it; answers from another port are not the agent's and are not counted.
#[test]
fn unmatched_answers_are_counted_for_their_sender() {
    let ladder = vec![community(Version::V2c, "public", 1)];
    let mut m = FirstContact::new(&ladder, plan(0, 2), 1);
    let now = Instant::now();
    m.add(ip(1));
    m.add(ip(2));
    let sent = transmits(&mut m, now);
    let to = |a: IpAddr, v3: bool| {
        sent.iter()
            .find(|t| t.destination.ip() == a && asked(t).0.is_none() == v3)
            .unwrap()
            .clone()
    };
    let (c1, e1, c2) = (to(ip(1), false), to(ip(1), true), to(ip(2), false));
    m.handle_datagram(c1.destination, &answer_with_id(&c1, 0x7000_0000), now);
    // Address 2 answers with address 1's request ID.
    m.handle_datagram(c2.destination, &answer(&c1), now);
    let mut wrong = Message::decode(&answer(&c1)).unwrap();
    wrong.community = b"private".to_vec();
    m.handle_datagram(c1.destination, &wrong.encode(), now);
    wrong.community = b"public".to_vec();
    wrong.version = Version::V1;
    m.handle_datagram(c1.destination, &wrong.encode(), now);
    let mut v3 = V3Message::decode(&answer(&e1)).unwrap();
    v3.msg_id = 0x7000_0001;
    m.handle_datagram(e1.destination, &v3.encode(), now);
    // From another port: ignored.
    m.handle_datagram(SocketAddr::new(ip(1), 10161), &answer_with_id(&c1, 5), now);
    // Nothing used yet: every probe still out.
    assert!(contacts(&mut m).is_empty());
    for t in &sent {
        m.handle_datagram(t.destination, &answer(t), now);
    }
    let got = contacts(&mut m);
    let one = got.iter().find(|c| c.address == Some(ip(1))).unwrap();
    let two = got.iter().find(|c| c.address == Some(ip(2))).unwrap();
    assert_eq!((one.unmatched, one.unmatched_v3), (3, 1), "{one:?}");
    assert_eq!((two.unmatched, two.unmatched_v3), (1, 0), "{two:?}");
    assert!(one.reached() && two.reached());
}

/// An answer that does not decode is blamed on the engine-ID probe while it is out, on the
/// community probes otherwise; an answer from an address not in first contact is ignored.
#[test]
fn undecodable_answers_are_counted() {
    let ladder = vec![community(Version::V2c, "public", 1)];
    let mut m = FirstContact::new(&ladder, plan(0, 1), 1);
    let mut now = Instant::now();
    m.add(ip(1));
    let first = transmits(&mut m, now);
    m.handle_datagram(first[0].destination, b"\x30\x03junk", now);
    now += TIMEOUT;
    m.handle_timeout(now);
    let engine = transmits(&mut m, now);
    assert_eq!(asked(&engine[0]).0, None);
    m.handle_datagram(engine[0].destination, b"not snmp", now);
    m.handle_datagram(SocketAddr::new(ip(3), PORT), b"not snmp", now);
    now += TIMEOUT;
    m.handle_timeout(now);
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    let c = &got[0];
    assert_eq!((c.undecodable_community, c.undecodable_engine), (1, 1));
    assert!(c.heard() && !c.reached());
}

/// No more addresses than `max_addresses` at once; one added twice is probed once.
#[test]
fn addresses_are_bounded_and_not_doubled() {
    let ladder = vec![community(Version::V2c, "public", 1)];
    let mut p = plan(0, 1);
    p.max_addresses = 2;
    p.engine_probe = false;
    let mut m = FirstContact::new(&ladder, p, 1);
    assert!(m.has_room() && m.is_idle());
    m.add(ip(1));
    m.add(ip(1));
    assert!(m.has_room());
    m.add(ip(2));
    assert!(!m.has_room());
    let now = Instant::now();
    assert_eq!(transmits(&mut m, now).len(), 2);
    m.abandon();
    assert_eq!(contacts(&mut m).len(), 2);
    assert!(m.is_idle() && m.has_room() && m.poll_timeout().is_none());
}

/// The default plan: the opening to every address, retries earned.
fn default_plan() -> Plan {
    Plan {
        retries_explicit: false,
        every_rung: false,
        ..plan(1, 1)
    }
}

/// A silent address gets the opening (an SNMPv1 GET and the engine-ID probe, together under
/// a cap of one) and nothing more when the sweep has seen no loss: two datagrams, one timeout.
#[test]
fn a_silent_address_gets_the_opening_and_no_retry_without_loss() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, default_plan(), 1);
    let now = Instant::now();
    m.add(ip(1));
    let sent = transmits(&mut m, now);
    let asked_for: Vec<_> = sent.iter().map(|t| asked(t).0).collect();
    assert_eq!(
        asked_for,
        [Some((Version::V1, "public".to_string())), None],
        "v1 first, then the engine-ID probe"
    );
    assert_eq!(m.handle_timeout(now + TIMEOUT), 2);
    assert!(transmits(&mut m, now + TIMEOUT).is_empty(), "no retry");
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    assert!(!got[0].heard());
    assert!(m.is_idle());
    let a = m.account();
    assert_eq!((a.to_silent, a.retries_silent), (2, 0));
    assert!(
        a.line()
            .contains("0 retries sent to silent addresses (no answer came only on a retry")
    );
    assert_eq!(opening_size(&ladder, true, false), 2);
    assert_eq!(opening_size(&ladder, true, true), 3);
}

/// An address that answered anything gets the other rungs: v2c after v1 answered (the ladder
/// prefers it), and v2c for an agent that answered only the engine-ID probe (v1 turned off).
#[test]
fn the_other_rungs_go_to_addresses_that_answered() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, default_plan(), 1);
    let mut now = Instant::now();
    m.add(ip(1));
    m.add(ip(2));
    let opening = transmits(&mut m, now);
    assert_eq!(opening.len(), 4);
    for t in &opening {
        // ip(1) answers both; ip(2) only the engine-ID probe.
        if t.destination.ip() == ip(1) || asked(t).0.is_none() {
            m.handle_datagram(t.destination, &answer(t), now);
        }
    }
    let rest = transmits(&mut m, now);
    assert_eq!(
        rest.len(),
        1,
        "v2c to ip(1); ip(2)'s v1 is still out, under its cap"
    );
    assert_eq!(rest[0].destination.ip(), ip(1));
    assert_eq!(asked(&rest[0]).0, Some((Version::V2c, "public".into())));
    m.handle_datagram(rest[0].destination, &answer(&rest[0]), now);
    let done = contacts(&mut m);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].answered, vec![1, 0], "v1 then v2c answered");
    // ip(2)'s v1 has the plan's timeout and its retry (it answered something), then v2c goes.
    now += TIMEOUT;
    assert_eq!(m.handle_timeout(now), 1);
    let retry = transmits(&mut m, now);
    assert_eq!(asked(&retry[0]).0, Some((Version::V1, "public".into())));
    now += TIMEOUT;
    assert_eq!(m.handle_timeout(now), 1);
    let v2c = transmits(&mut m, now);
    assert_eq!(asked(&v2c[0]).0, Some((Version::V2c, "public".into())));
    m.handle_datagram(v2c[0].destination, &answer(&v2c[0]), now);
    let done = contacts(&mut m);
    assert_eq!(done[0].answered, vec![0]);
    assert!(done[0].engine.is_some());
    assert_eq!(m.account().retries_live, 1);
}

/// Loss seen at responders (an answer that came only on a retry) earns later silent addresses
/// their retries; an explicit `--retries` gives them whatever the sweep has seen.
#[test]
fn retries_to_silent_addresses_are_earned_or_asked_for() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, default_plan(), 1);
    let mut now = Instant::now();
    m.add(ip(1));
    m.add(ip(2));
    for t in transmits(&mut m, now) {
        // ip(1)'s v1 GET is lost; its engine-ID probe is answered. ip(2) is silent.
        if t.destination.ip() == ip(1) && asked(&t).0.is_none() {
            m.handle_datagram(t.destination, &answer(&t), now);
        }
    }
    now += TIMEOUT;
    assert_eq!(m.handle_timeout(now), 3);
    let again = transmits(&mut m, now);
    assert_eq!(
        again.len(),
        1,
        "only the live address is retried: {again:?}"
    );
    m.handle_datagram(again[0].destination, &answer(&again[0]), now);
    assert_eq!((m.account().recovered, m.account().deepest), (1, 1));
    // ip(2) was given up before the loss was seen; ip(3), after it, earns one retry.
    m.add(ip(3));
    let opening: Vec<_> = transmits(&mut m, now)
        .into_iter()
        .filter(|t| t.destination.ip() == ip(3))
        .collect();
    assert_eq!(opening.len(), 2);
    now += TIMEOUT;
    m.handle_timeout(now);
    let retries: Vec<_> = transmits(&mut m, now)
        .into_iter()
        .filter(|t| t.destination.ip() == ip(3))
        .collect();
    assert_eq!(retries.len(), 2, "the opening once more");
    now += TIMEOUT;
    m.handle_timeout(now);
    assert!(
        transmits(&mut m, now)
            .iter()
            .all(|t| t.destination.ip() != ip(3))
    );
    assert_eq!(m.account().retries_silent, 2);
    assert!(
        m.account()
            .line()
            .contains("(1 answer of responders came only on a retry")
    );

    let explicit = Plan {
        retries: 2,
        retries_explicit: true,
        ..default_plan()
    };
    let mut m = FirstContact::new(&ladder, explicit, 1);
    let mut now = Instant::now();
    m.add(ip(4));
    let mut sent = 0;
    for _ in 0..4 {
        sent += transmits(&mut m, now).len();
        now += TIMEOUT;
        m.handle_timeout(now);
    }
    assert_eq!(sent, 6, "the opening and two retries of it");
    assert_eq!(contacts(&mut m).len(), 1);
}

/// Once responders' round trips are known, a silent address is given up after the learned
/// timeout (here the 100 ms floor): no more datagrams go to it, but it is listened to until the
/// plan's own timeout, and a slow answer within it is taken and raises the learned timeout.
#[test]
fn the_timeout_is_learned_and_a_slow_answer_is_still_taken() {
    let ladder = public();
    let mut m = FirstContact::new(&ladder, default_plan(), 1);
    let start = Instant::now();
    for host in 10..16 {
        m.add(ip(host));
    }
    let rtt = Duration::from_millis(1);
    for t in transmits(&mut m, start) {
        m.handle_datagram(t.destination, &answer(&t), start + rtt);
    }
    for t in transmits(&mut m, start + rtt) {
        m.handle_datagram(t.destination, &answer(&t), start + rtt * 2);
    }
    assert_eq!(contacts(&mut m).len(), 6);
    let now = start + rtt * 2;
    m.add(ip(1));
    m.add(ip(2));
    let opening = transmits(&mut m, now);
    assert_eq!(opening.len(), 4);
    assert_eq!(m.poll_timeout(), Some(now + TIMEOUT_FLOOR));
    assert_eq!(m.account().learned, Some(TIMEOUT_FLOOR));
    assert_eq!(m.handle_timeout(now + TIMEOUT_FLOOR), 4);
    assert!(
        transmits(&mut m, now + TIMEOUT_FLOOR).is_empty(),
        "given up: no retry"
    );
    assert!(
        contacts(&mut m).is_empty(),
        "but listened to until --timeout"
    );
    // ip(1)'s agent answers the v1 GET after 500 ms: taken. Its engine-ID probe may still be
    // in the agent's hands, so under the cap of one nothing more goes to it until that is
    // answered (here at 600 ms) or its --timeout is past.
    let slow = now + Duration::from_millis(500);
    let to_1 = |t: &&Transmit| t.destination.ip() == ip(1);
    let v1 = opening.iter().filter(to_1).find(|t| asked(t).0.is_some());
    m.handle_datagram(v1.unwrap().destination, &answer(v1.unwrap()), slow);
    assert_eq!(m.account().slower_than_learned, 1);
    assert!(
        transmits(&mut m, slow).is_empty(),
        "the cap holds once it answered"
    );
    let slow = now + Duration::from_millis(600);
    let engine = opening.iter().filter(to_1).find(|t| asked(t).0.is_none());
    m.handle_datagram(engine.unwrap().destination, &answer(engine.unwrap()), slow);
    assert_eq!(m.account().slower_than_learned, 2);
    let v2c = transmits(&mut m, slow);
    assert_eq!(v2c.len(), 1);
    assert_eq!(asked(&v2c[0]).0, Some((Version::V2c, "public".into())));
    m.handle_datagram(v2c[0].destination, &answer(&v2c[0]), slow);
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].answered, vec![1, 0]);
    assert_eq!(got[0].late, 0);
    assert!(got[0].engine.is_some());
    m.handle_timeout(now + TIMEOUT - Duration::from_millis(1));
    assert!(contacts(&mut m).is_empty(), "ip(2) lingers until --timeout");
    m.handle_timeout(now + TIMEOUT);
    let got = contacts(&mut m);
    assert_eq!(got[0].address, Some(ip(2)));
    assert!(!got[0].heard());
    assert!(m.is_idle());
    // The slow round trips are among those the timeout is learned from now.
    assert_eq!(m.account().round_trips.count(), 6 * 3 + 3);
}

/// A slow agent with a cap of two: once it answers, the probe given up on the learned timeout
/// gets the retry an address that answered is owed, the cap counts what the agent still holds,
/// and the address is reported only when nothing it holds can still be answered.
#[test]
fn a_slow_agent_is_owed_its_retries_and_kept_until_it_holds_nothing() {
    let ladder = public();
    let cap_two = Plan {
        max_in_flight_per_device: 2,
        ..default_plan()
    };
    let mut m = FirstContact::new(&ladder, cap_two, 1);
    let start = Instant::now();
    for host in 10..16 {
        m.add(ip(host));
    }
    let rtt = Duration::from_millis(1);
    for _ in 0..2 {
        for t in transmits(&mut m, start) {
            m.handle_datagram(t.destination, &answer(&t), start + rtt);
        }
    }
    assert_eq!(contacts(&mut m).len(), 6);
    let now = start + rtt;
    m.add(ip(1));
    let opening = transmits(&mut m, now);
    assert_eq!(m.handle_timeout(now + TIMEOUT_FLOOR), 2);
    let at = |ms: u64| now + Duration::from_millis(ms);
    let v1 = &opening[0];
    let engine = &opening[1];
    assert!(asked(engine).0.is_none());
    // The v1 answer comes at 300 ms: the engine-ID probe, given up at 100 ms with no retry
    // (no loss seen), is owed its retry now; it goes, and v2c waits (the agent holds the
    // first engine-ID probe and its retry: the cap of two).
    m.handle_datagram(v1.destination, &answer(v1), at(300));
    let sent = transmits(&mut m, at(300));
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(asked(&sent[0]).0.is_none(), "the engine-ID probe's retry");
    // The first engine-ID probe is answered at 350 ms: the retry is superseded (still held),
    // and v2c goes.
    m.handle_datagram(engine.destination, &answer(engine), at(350));
    let v2c = transmits(&mut m, at(350));
    assert_eq!(asked(&v2c[0]).0, Some((Version::V2c, "public".into())));
    m.handle_datagram(v2c[0].destination, &answer(&v2c[0]), at(360));
    assert!(
        contacts(&mut m).is_empty(),
        "the agent still holds the retry: not reported yet"
    );
    // Its duplicate answer frees it; the address is reported, once, with each answer once.
    m.handle_datagram(sent[0].destination, &answer(&sent[0]), at(400));
    let got = contacts(&mut m);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].answered, vec![1, 0]);
    assert_eq!((got[0].late, got[0].unmatched), (0, 0));
    assert_eq!(m.account().recovered, 0, "slowness is not loss");
    assert!(m.is_idle());
}
