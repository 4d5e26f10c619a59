use super::*;
use crate::wire::v3;
use std::path::Path;

fn agent() -> Agent {
    let text = "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
                1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
                1.3.6.1.2.1.2.2.1.2.1|4|GigabitEthernet0/0/1\n\
                1.3.6.1.2.1.2.2.1.2.2|4|GigabitEthernet0/0/2\n\
                1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n";
    Agent::new(
        Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap()),
        None,
    )
}

fn request(version: Version, kind: PduKind, oids: &[&str], nr: i64, mr: i64) -> Message {
    Message {
        version,
        community: b"public".to_vec(),
        pdu: Pdu {
            kind,
            request_id: 7,
            error_status: nr,
            error_index: mr,
            varbinds: oids
                .iter()
                .map(|o| VarBind::new(o.parse().unwrap(), Value::Null))
                .collect(),
        },
    }
}

fn oids(m: &Message) -> Vec<String> {
    m.pdu.varbinds.iter().map(|v| v.oid.to_string()).collect()
}

/// A recording's values of tags the codec does not know are served under their own tag, as
/// primitive BER a manager decodes; its bad lines are left out and the rest served.
#[test]
fn unknown_types_are_served_with_their_tag() {
    let text = "1.3.6.1.2.1.1.1.0|4|ok\n\
                1.3.6.1.2.1.1.2.0|69x|0102\n\
                1.3.6.1.2.1.1.3.0|67|<private>\n\
                1.3.6.1.2.1.1.4.0|3|ab\n\
                1.3.6.1.2.1.1.5.0|48|3000\n";
    let rec = Recording::parse(Path::new("t"), text.as_bytes()).unwrap();
    assert_eq!(rec.skipped.len(), 2);
    let a = Agent::new(Arc::new(rec), None);
    let datagram = request(Version::V2c, PduKind::GetBulk, &["1.3.6.1.2.1.1"], 0, 10).encode();
    let mut out = Vec::new();
    assert!(a.respond(&datagram, &mut out).answered);
    let answer = Message::decode(&out).unwrap();
    let got: Vec<(String, Value)> = answer
        .pdu
        .varbinds
        .iter()
        .map(|vb| (vb.oid.to_string(), vb.value.clone()))
        .collect();
    let expected: [(String, Value); 3] = [
        (
            "1.3.6.1.2.1.1.1.0".into(),
            Value::OctetString(b"ok".to_vec()),
        ),
        ("1.3.6.1.2.1.1.2.0".into(), Value::Unknown(0x45, vec![1, 2])),
        (
            "1.3.6.1.2.1.1.4.0".into(),
            Value::Unknown(3, b"ab".to_vec()),
        ),
    ];
    assert_eq!(got[..3], expected);
    assert!(
        got[3..].iter().all(|(_, v)| *v == Value::EndOfMibView),
        "{got:?}"
    );
}

#[test]
fn get_gives_value_or_the_right_exception() {
    let a = agent();
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::Get,
            &[
                "1.3.6.1.2.1.1.1.0",
                "1.3.6.1.2.1.1.1.5",
                "1.3.6.1.2.1.1.9.0",
            ],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.request_id, 7);
    assert_eq!(
        r.pdu.varbinds[0].value.as_text().unwrap().as_ref(),
        "Huawei Versatile Routing Platform"
    );
    assert_eq!(r.pdu.varbinds[1].value, Value::NoSuchInstance);
    assert_eq!(r.pdu.varbinds[2].value, Value::NoSuchObject);
}

#[test]
fn v1_reports_no_such_name_with_index() {
    let r = agent()
        .answer(&request(
            Version::V1,
            PduKind::Get,
            &["1.3.6.1.2.1.1.1.0", "1.3.6.1.9"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(
        (r.pdu.error_status, r.pdu.error_index),
        (error_status::NO_SUCH_NAME, 2)
    );
    let r = agent()
        .answer(&request(
            Version::V1,
            PduKind::GetNext,
            &["1.3.6.1.2.1.2.2.1.6.1"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.error_status, error_status::NO_SUCH_NAME);
    assert!(
        agent()
            .answer(&request(Version::V1, PduKind::GetBulk, &["1.3"], 0, 5))
            .is_none()
    );
}

#[test]
fn v1_never_sees_counter64() {
    let text = "1.3.6.1.2.1.31.1.1.1.6.1|70|5\n1.3.6.1.2.1.31.1.1.1.6.2|70|6\n1.3.6.1.2.1.31.1.1.1.15.1|66|1000\n";
    let a = Agent::new(
        Arc::new(Recording::parse(std::path::Path::new("t"), text.as_bytes()).unwrap()),
        None,
    );
    let r = a
        .answer(&request(
            Version::V1,
            PduKind::GetNext,
            &["1.3.6.1.2.1.31"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(oids(&r), ["1.3.6.1.2.1.31.1.1.1.15.1"]);
    let r = a
        .answer(&request(
            Version::V1,
            PduKind::Get,
            &["1.3.6.1.2.1.31.1.1.1.6.1"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.error_status, error_status::NO_SUCH_NAME);
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::GetNext,
            &["1.3.6.1.2.1.31"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(oids(&r), ["1.3.6.1.2.1.31.1.1.1.6.1"]);
}

#[test]
fn getnext_walks_in_order_and_ends() {
    let a = agent();
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::GetNext,
            &["1.3.6.1.2.1.2.2.1.2"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(oids(&r), ["1.3.6.1.2.1.2.2.1.2.1"]);
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::GetNext,
            &["1.3.6.1.2.1.2.2.1.6.1"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.varbinds[0].value, Value::EndOfMibView);
}

#[test]
fn getbulk_repeats_and_stops_at_end_of_mib() {
    let a = agent();
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::GetBulk,
            &["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.2.2.1.2"],
            1,
            10,
        ))
        .unwrap();
    assert_eq!(
        oids(&r),
        [
            "1.3.6.1.2.1.1.2.0",
            "1.3.6.1.2.1.2.2.1.2.1",
            "1.3.6.1.2.1.2.2.1.2.2",
            "1.3.6.1.2.1.2.2.1.6.1",
            "1.3.6.1.2.1.2.2.1.6.1"
        ]
    );
    assert_eq!(r.pdu.varbinds.last().unwrap().value, Value::EndOfMibView);
}

#[test]
fn getbulk_truncates_to_fit_and_get_says_too_big() {
    let a = agent().with_max_message_size(120);
    let r = a
        .answer(&request(Version::V2c, PduKind::GetBulk, &["1.3"], 0, 50))
        .unwrap();
    assert!(!r.pdu.varbinds.is_empty() && r.pdu.varbinds.len() < 5);
    assert!(r.encode().len() <= 120);
    let a = agent().with_max_message_size(60);
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::Get,
            &["1.3.6.1.2.1.1.1.0"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.error_status, error_status::TOO_BIG);
}

#[test]
fn v3_discovery_reveals_an_engine_id_made_from_the_recording() {
    let a = agent();
    let r = a.answer_v3(&V3Message::discovery(5, 6)).unwrap();
    let e = EngineId::decode(&r.usm.engine_id).unwrap();
    assert_eq!(e.enterprise, 2011, "the sysObjectID's enterprise");
    assert_eq!(
        e.mac(),
        Some([0x00, 0xe0, 0xfc, 0, 0, 1]),
        "the first interface MAC"
    );
    let v3::Scoped::Plain { pdu, .. } = &r.scoped else {
        panic!()
    };
    assert_eq!((pdu.kind, pdu.request_id), (PduKind::Report, 6));
    assert_eq!(pdu.varbinds[0].oid, v3::usm_stats_unknown_engine_ids());
    // A request for this engine with a user it does not have.
    let mut req = V3Message::discovery(7, 8);
    req.usm.engine_id = a.engine_id().to_vec();
    req.usm.user = b"admin".to_vec();
    let r = a.answer_v3(&req).unwrap();
    let v3::Scoped::Plain { pdu, .. } = &r.scoped else {
        panic!()
    };
    assert_eq!(pdu.varbinds[0].oid, v3::usm_stats_unknown_user_names());
    req.flags = 0;
    assert!(a.answer_v3(&req).is_none(), "not reportable: silence");
}

#[test]
fn wrong_community_is_silent_and_set_is_refused() {
    let a = Agent::new(agent().recording.clone(), Some(b"secret".to_vec()));
    assert!(
        a.answer(&request(
            Version::V2c,
            PduKind::Get,
            &["1.3.6.1.2.1.1.1.0"],
            0,
            0
        ))
        .is_none()
    );
    let r = agent()
        .answer(&request(
            Version::V2c,
            PduKind::Set,
            &["1.3.6.1.2.1.1.1.0"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.error_status, error_status::NOT_WRITABLE);
}

fn faulty(modes: &[Fault]) -> Agent {
    let mut text = String::from(
        "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
         1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n\
         1.3.6.1.2.1.1.3.0|67|123456789\n",
    );
    for i in 1..=12 {
        text.push_str(&format!(
            "1.3.6.1.2.1.2.2.1.2.{i}|4|GigabitEthernet0/0/{i}\n"
        ));
    }
    text.push_str("1.3.6.1.2.1.2.2.1.6.1|4x|00e0fc000001\n");
    Agent::new(
        Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap()),
        None,
    )
    .with_faults(Arc::new(Faults::new(modes)))
}

fn respond(a: &Agent, m: &Message) -> (Reply, Vec<u8>) {
    let mut out = Vec::new();
    let r = a.respond(&m.encode(), &mut out);
    (r, out)
}

#[test]
fn no_fault_answers_byte_for_byte_as_a_healthy_agent() {
    let healthy = agent();
    let none = agent().with_faults(Arc::new(Faults::new(&[])));
    assert!(none.faults().is_none());
    for (kind, oid) in [
        (PduKind::Get, "1.3.6.1.2.1.1.1.0"),
        (PduKind::GetNext, "1.3.6.1.2.1.2.2.1.2"),
        (PduKind::GetBulk, "1.3"),
    ] {
        let m = request(Version::V2c, kind, &[oid], 0, 10);
        assert_eq!(respond(&healthy, &m).1, respond(&none, &m).1);
        assert_eq!(
            respond(&healthy, &m).1,
            healthy.answer(&m).unwrap().encode()
        );
    }
}

#[test]
fn wrong_id_answers_another_request() {
    let r = faulty(&[Fault::WrongId])
        .answer(&request(
            Version::V2c,
            PduKind::Get,
            &["1.3.6.1.2.1.1.1.0"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.request_id, 8);
    let r = faulty(&[Fault::WrongId])
        .answer_v3(&V3Message::discovery(5, 6))
        .unwrap();
    let v3::Scoped::Plain { pdu, .. } = &r.scoped else {
        panic!()
    };
    assert_eq!((r.msg_id, pdu.request_id), (6, 7));
}

#[test]
fn malformed_answers_do_not_decode_and_truncated_ones_are_cut() {
    let get = request(Version::V2c, PduKind::Get, &["1.3.6.1.2.1.1.1.0"], 0, 0);
    let (reply, bytes) = respond(&faulty(&[Fault::Malformed]), &get);
    assert!(reply.answered && reply.faulty);
    assert!(Message::decode(&bytes).is_err());
    // The message's frame is intact (so a client still finds its request-id): only the
    // last value is broken.
    assert_eq!(&bytes[..2], &[0x30, (bytes.len() - 2) as u8]);
    let mut out = Vec::new();
    faulty(&[Fault::Malformed]).respond(&V3Message::discovery(5, 6).encode(), &mut out);
    assert!(!out.is_empty() && V3Message::decode(&out).is_err());

    let bulk = request(Version::V2c, PduKind::GetBulk, &["1.3"], 0, 25);
    let (_, bytes) = respond(&faulty(&[Fault::Truncated]), &bulk);
    assert_eq!(bytes.len(), fault::TRUNCATED_LEN);
    assert!(Message::decode(&bytes).is_err());
    let (_, small) = respond(&faulty(&[Fault::Truncated]), &get);
    assert!(Message::decode(&small).is_ok(), "short answers pass whole");
}

#[test]
fn walks_go_backwards_or_loop_after_the_fifth_object_of_a_column() {
    let at = "1.3.6.1.2.1.2.2.1.2.5";
    let next = |modes: &[Fault], from: &str| {
        oids(
            &faulty(modes)
                .answer(&request(Version::V2c, PduKind::GetNext, &[from], 0, 0))
                .unwrap(),
        )
    };
    assert_eq!(next(&[], at), ["1.3.6.1.2.1.2.2.1.2.6"]);
    assert_eq!(next(&[Fault::NonIncreasing], at), [at]);
    assert_eq!(next(&[Fault::OidLoop], at), ["1.3.6.1.2.1.2.2.1.2.1"]);
    // Elsewhere the walk goes on, and columns of fewer than five objects are untouched.
    assert_eq!(next(&[Fault::OidLoop], "1.3.6.1.2.1.2.2.1.2.4"), [at]);
    assert_eq!(
        next(&[Fault::NonIncreasing], "1.3.6.1.2.1.1.2.0"),
        ["1.3.6.1.2.1.1.3.0"]
    );
    let bulk = faulty(&[Fault::OidLoop])
        .answer(&request(
            Version::V2c,
            PduKind::GetBulk,
            &["1.3.6.1.2.1.2.2.1.2"],
            0,
            12,
        ))
        .unwrap();
    let cycle: Vec<String> = (1..=5)
        .chain(1..=5)
        .chain(1..=2)
        .map(|i| format!("1.3.6.1.2.1.2.2.1.2.{i}"))
        .collect();
    assert_eq!(oids(&bulk), cycle);
}

#[test]
fn bulk_overflow_ignores_max_repetitions_and_toobig_refuses_every_bulk() {
    let bulk = request(
        Version::V2c,
        PduKind::GetBulk,
        &["1.3.6.1.2.1.2.2.1.2"],
        0,
        2,
    );
    let r = faulty(&[Fault::BulkOverflow]).answer(&bulk).unwrap();
    assert_eq!(
        r.pdu.varbinds.len(),
        14,
        "every row, ifPhysAddress and endOfMibView"
    );
    let r = faulty(&[Fault::TooBig]).answer(&bulk).unwrap();
    assert_eq!(r.pdu.error_status, error_status::TOO_BIG);
    let next = request(
        Version::V2c,
        PduKind::GetNext,
        &["1.3.6.1.2.1.2.2.1.2"],
        0,
        0,
    );
    assert_eq!(
        faulty(&[Fault::TooBig])
            .answer(&next)
            .unwrap()
            .pdu
            .error_status,
        0
    );
}

#[test]
fn endless_makes_up_ifdescr_rows_forever() {
    let a = faulty(&[Fault::Endless]);
    let mut cursor = "1.3.6.1.2.1.2.2.1.2.11".to_string();
    for expected in 12..40 {
        let r = a
            .answer(&request(Version::V2c, PduKind::GetNext, &[&cursor], 0, 0))
            .unwrap();
        cursor = oids(&r)[0].clone();
        assert_eq!(cursor, format!("1.3.6.1.2.1.2.2.1.2.{expected}"));
    }
    // Other walks end as they did.
    let r = a
        .answer(&request(
            Version::V2c,
            PduKind::GetNext,
            &["1.3.6.1.2.1.2.2.1.6.1"],
            0,
            0,
        ))
        .unwrap();
    assert_eq!(r.pdu.varbinds[0].value, Value::EndOfMibView);
}

#[test]
fn oversized_strings_are_long_and_reboot_restarts_uptime_after_the_healthy_requests() {
    let get = request(
        Version::V2c,
        PduKind::Get,
        &["1.3.6.1.2.1.1.1.0", "1.3.6.1.2.1.1.3.0"],
        0,
        0,
    );
    let r = faulty(&[Fault::Oversized]).answer(&get).unwrap();
    let long = r.pdu.varbinds[0].value.as_bytes().unwrap();
    assert_eq!(long.len(), fault::OVERSIZED_LEN);
    assert!(long.starts_with(b"Huawei Versatile Routing PlatformHuawei"));

    let a = Agent::new(faulty(&[]).recording.clone(), None)
        .with_faults(Arc::new(Faults::new(&[Fault::Reboot]).after(2)));
    let uptime = |a: &Agent| a.answer(&get).unwrap().pdu.varbinds[1].value.clone();
    assert_eq!(uptime(&a), Value::TimeTicks(123_456_789));
    assert_eq!(uptime(&a), Value::TimeTicks(123_456_789));
    let Value::TimeTicks(after) = uptime(&a) else {
        panic!()
    };
    assert!(after < 100, "restarted: {after}");
    assert_eq!(a.boots_and_time().0, 2);
}

#[test]
fn respond_says_what_each_request_was() {
    let a = agent();
    let mut out = Vec::new();
    let set = request(Version::V2c, PduKind::Set, &["1.3.6.1.2.1.1.5.0"], 0, 0);
    let r = a.respond(&set.encode(), &mut out);
    assert_eq!((r.request, r.answered), (Some(PduKind::Set), true));
    let r = a.respond(b"\x30\x03\x02\x01", &mut out);
    assert_eq!((r.request, r.answered), (None, false));
    let r = a.respond(&V3Message::discovery(1, 2).encode(), &mut out);
    assert_eq!(r.request, Some(PduKind::Get));
}

#[test]
fn an_encrypted_v3_request_is_seen_for_what_it_is() {
    use crate::usm::{AuthProtocol, PrivProtocol, Secret, UsmUser};
    let user = UsmUser {
        name: "auditor".into(),
        auth: Some((AuthProtocol::Sha256, Secret::new("authpass1"))),
        privacy: Some((PrivProtocol::Aes128, Secret::new("privpass1"))),
        context: None,
    };
    let keys = UserKeys::new(&user).unwrap();
    let a = agent().with_v3_users(std::slice::from_ref(&keys)).unwrap();
    let local = keys.localize(a.engine_id()).unwrap();
    let pdu = Pdu {
        kind: PduKind::GetNext,
        request_id: 9,
        error_status: 0,
        error_index: 0,
        varbinds: vec![VarBind::new("1.3.6.1.2.1.1".parse().unwrap(), Value::Null)],
    };
    let (boots, time) = a.boots_and_time();
    let plain = v3::encode_scoped_pdu(a.engine_id(), &[], &pdu);
    let (cipher, params) = local.encrypt(&plain, boots, time).unwrap();
    let mut m = V3Message {
        msg_id: 9,
        max_size: 65_507,
        flags: v3::flags::REPORTABLE | v3::flags::AUTH | v3::flags::PRIV,
        security_model: 3,
        usm: v3::Usm {
            engine_id: a.engine_id().to_vec(),
            boots: i64::from(boots),
            time: i64::from(time),
            user: b"auditor".to_vec(),
            auth: vec![0; local.mac_len()],
            privacy: params,
        },
        scoped: v3::Scoped::Encrypted(cipher),
    };
    m.usm.auth = local.sign(&m.encode()).unwrap();
    let mut out = Vec::new();
    let r = a.respond(&m.encode(), &mut out);
    assert_eq!((r.request, r.answered), (Some(PduKind::GetNext), true));
}

/// A healthy agent's GETBULK moves each repeater on through the recording instead of looking
/// it up again: the same answer as the lookup a faulty agent still makes, whatever the start
/// (before, inside, past the end, an endOfMibView asked), the repeaters and the repetitions.
#[test]
fn getbulk_by_position_answers_as_getbulk_by_lookup() {
    // WrongId changes only delivery: its answers are the healthy ones, found by lookup.
    let a = faulty(&[Fault::WrongId]);
    let starts = [
        "0.0",
        "1.3",
        "1.3.6.1.2.1.1.1.0",
        "1.3.6.1.2.1.2.2.1.2.7",
        "1.3.6.1.2.1.2.2.1.2.99",
        "1.3.6.1.2.1.2.2.1.6.1",
        "2",
    ];
    for (nr, mr) in [(0, 1), (0, 5), (1, 3), (2, 40), (0, 0), (-1, 3), (9, 2)] {
        for pick in 0..starts.len() {
            let oids: Vec<&str> = starts
                .iter()
                .cycle()
                .skip(pick)
                .take(pick % 4 + 1)
                .copied()
                .collect();
            let mut m = request(Version::V2c, PduKind::GetBulk, &oids, nr, mr);
            if pick == 3 {
                m.pdu.varbinds[0].value = Value::EndOfMibView;
            }
            // WrongId changes the request ID of a faulty answer; the rest is compared.
            let answer = |faulty| {
                a.answer_with(&m, faulty)
                    .map(|r| (r.pdu.error_status, r.pdu.error_index, r.pdu.varbinds))
            };
            assert_eq!(
                answer(false),
                answer(true),
                "{oids:?} non-repeaters {nr} max-repetitions {mr}"
            );
        }
    }
}

/// A walk by GETBULK, each request asking for the last OID answered (so that a healthy agent
/// resumes where it stopped, without a search), answers as the lookup does, to the end.
#[test]
fn getbulk_walk_resumes_where_the_last_answer_stopped() {
    let a = faulty(&[Fault::WrongId]);
    for mr in [1, 2, 5] {
        let mut from = "1.3".to_string();
        for _ in 0..40 {
            let m = request(Version::V2c, PduKind::GetBulk, &[from.as_str()], 0, mr);
            let healthy = a.answer_with(&m, false).unwrap().pdu.varbinds;
            assert_eq!(healthy, a.answer_with(&m, true).unwrap().pdu.varbinds);
            // The lookup path leaves the hint as it was: ask the healthy path again.
            assert_eq!(healthy, a.answer_with(&m, false).unwrap().pdu.varbinds);
            from = healthy.last().unwrap().oid.to_string();
        }
    }
}
