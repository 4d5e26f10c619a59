use super::evidence::majority_oui;
use super::*;

fn id() -> Identifier {
    Identifier::bundled().unwrap()
}

#[test]
fn huawei_enterprise_number_identifies_huawei() {
    let oid: Oid = "1.3.6.1.4.1.2011.2.23.96".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        ..Facts::default()
    });
    assert_eq!(r.vendor.as_deref(), Some("Huawei"));
    assert_eq!(r.origin.as_deref(), Some("huawei"));
    assert!(r.confidence > 0.5);
    assert_eq!(r.evidence[0].source, "sysObjectID enterprise 2011");
}

#[test]
fn generic_agent_is_evidence_but_not_a_maker() {
    let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some("Linux gse 2.6.27"),
        ..Facts::default()
    });
    assert_eq!((r.vendor, r.origin), (None, None));
    assert_eq!(r.evidence.len(), 1);
}

#[test]
fn a_huawei_subtree_behind_net_snmp_gives_it_away() {
    let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
    let private: Oid = "1.3.6.1.4.1.2011.6.164.1.1.1.1.0".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        private_oids: vec![private.clone()],
        ..Facts::default()
    });
    assert_eq!(r.origin.as_deref(), Some("huawei"));
    assert!(
        r.evidence
            .iter()
            .any(|e| e.source.starts_with("private subtree of enterprise 2011"))
    );
}

#[test]
fn a_cdp_cache_is_not_cisco_evidence_but_other_cisco_subtrees_are() {
    use crate::wire::VarBind;
    let vb = |o: &str| VarBind {
        oid: o.parse().unwrap(),
        value: Value::Integer(1),
    };
    let mut obs = Observations::default();
    obs.extend([
        vb("1.3.6.1.4.1.9.9.23.1.2.1.1.4.1.1"),
        vb("1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.1"),
    ]);
    let seen: Vec<String> = private_oids(&obs).iter().map(|o| o.to_string()).collect();
    assert_eq!(seen, ["1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.1"]);
    obs.extend([vb("1.3.6.1.4.1.9.9.109.1.1.1.1.2.1")]);
    let seen: Vec<String> = private_oids(&obs).iter().map(|o| o.to_string()).collect();
    assert_eq!(
        seen,
        [
            "1.3.6.1.4.1.9.9.109.1.1.1.1.2.1",
            "1.3.6.1.4.1.2011.5.25.31.1.1.1.1.7.1"
        ]
    );
}

/// The steps: one request per subtree found, CDP stepped over, an exception value passed
/// by, the cap, and the end at an answer outside the arc or not after the question.
#[test]
fn subtree_steps_find_one_enterprise_per_request_up_to_the_cap() {
    let o = |s: &str| -> Oid { s.parse().unwrap() };
    let mut steps = SubtreeSteps::default();
    let mut asked = Vec::new();
    let answers = [
        (o("1.3.6.1.4.1.9.9.23.1.2.1.1.6.1.1"), true),
        (o("1.3.6.1.4.1.9.9.109.1.1.1.1.2.1"), true),
        (o("1.3.6.1.4.1.11.2.3.0"), false),
        (o("1.3.6.1.4.1.11.2.4.0"), true),
        (o("1.3.6.1.6.3.10.2.1.1.0"), true),
    ];
    let mut opened = Vec::new();
    for (oid, usable) in &answers {
        let Some(from) = steps.request() else { break };
        asked.push(from.to_string());
        opened.push(steps.answer(Some(oid), *usable));
    }
    assert_eq!(
        asked,
        [
            "1.3.6.1.4.1",
            "1.3.6.1.4.1.9.9.24",
            "1.3.6.1.4.1.10",
            "1.3.6.1.4.1.11.2.3.0",
            "1.3.6.1.4.1.12",
        ]
    );
    assert_eq!(opened, [false, true, false, true, false]);
    assert!(steps.request().is_none());
    assert_eq!(
        steps.found(),
        [
            o("1.3.6.1.4.1.9.9.109.1.1.1.1.2.1"),
            o("1.3.6.1.4.1.11.2.4.0")
        ]
    );

    // An answer that does not come after the question ends the steps.
    let mut steps = SubtreeSteps::default();
    assert!(!steps.answer(Some(&o("1.3.6.1.2.1.1.1.0")), true));
    assert!(steps.request().is_none());

    // The cap.
    let mut steps = SubtreeSteps::default();
    let mut pen = 100;
    while steps.request().is_some() {
        steps.answer(Some(&o(&format!("1.3.6.1.4.1.{pen}.1.0"))), true);
        pen += 7;
    }
    assert_eq!(steps.found().len(), MAX_PRIVATE_SUBTREES);
}

#[test]
fn an_hp_branded_comware_switch_is_h3c_made_and_says_both() {
    let oid: Oid = "1.3.6.1.4.1.25506.11.1.120".parse().unwrap();
    let descr = "HPE Comware Platform Software, Software Version 7.1.045, Release 2422P01\nHPE 5900AF-48G-4XG-2QSFP+ Switch\r\nCopyright";
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some(descr),
        ..Facts::default()
    });
    assert_eq!(r.vendor.as_deref(), Some("H3C"));
    assert_eq!(r.brand.as_deref(), Some("HPE"));
    // An HP manufacturer name on the chassis disagrees, and is kept as a conflict.
    let chassis = Module {
        index: 1,
        class: Some(crate::record::EntityClass::Chassis),
        manufacturer: Some("HP".into()),
        ..Module::default()
    };
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some(descr),
        chassis: Some(&chassis),
        ..Facts::default()
    });
    assert_eq!(
        (r.vendor.as_deref(), r.brand.as_deref()),
        (Some("H3C"), Some("HPE"))
    );
    assert_eq!(r.conflicts.len(), 1);
    assert!(
        r.confidence < 0.9,
        "a conflict lowers confidence: {}",
        r.confidence
    );
    assert_eq!(r.model.as_deref(), Some("5900AF-48G-4XG-2QSFP+"));
}

#[test]
fn evidence_of_one_group_adds_up() {
    let oid: Oid = "1.3.6.1.4.1.2011.2.23.291".parse().unwrap();
    let descr = "Huawei AR169F Huawei Versatile Routing Platform Software  VRP (R) software,Version 5.170 (AR160 V200R009C00SPC500)";
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some(descr),
        ..Facts::default()
    });
    assert!(r.confidence > 0.97, "{}", r.confidence);
    assert_eq!(
        (r.model.as_deref(), r.version.as_deref()),
        (Some("AR169F"), Some("V200R009C00SPC500"))
    );
}

#[test]
fn a_watched_groups_own_word_is_enough_alone_and_a_conflict_against_a_maker() {
    for (descr, origin) in [
        ("CloudEngine S5735-L", "huawei"),
        ("ZXA10 C300", "zte"),
        ("SecPath F1000-AK135", "h3c"),
        ("HIKVISION DS-2CD2143G2-I", "hikvision"),
        ("xFusion FusionServer 2288H V6", "xfusion"),
    ] {
        let r = id().identify(&Facts {
            sys_descr: Some(descr),
            ..Facts::default()
        });
        assert_eq!(r.origin.as_deref(), Some(origin), "{descr}");
        assert_eq!(r.confidence, weight::SYSDESCR_NAMED, "{descr}");
    }
    // A Cisco sysObjectID outweighs the word, which is kept as a conflict.
    let oid: Oid = "1.3.6.1.4.1.9.1.1".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some("OceanStor gateway"),
        ..Facts::default()
    });
    assert_eq!(r.origin.as_deref(), Some("cisco"));
    assert_eq!(r.conflicts.len(), 1);
    assert_eq!(r.conflicts[0].origin.as_deref(), Some("huawei"));
}

#[test]
fn a_registry_only_enterprise_names_its_cleaned_registrant() {
    // 15 is "Xylogics, Inc." in the IANA registry; rules/enterprises.tsv has no row for it.
    let oid: Oid = "1.3.6.1.4.1.15.1.2".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        ..Facts::default()
    });
    assert_eq!(
        (r.vendor.as_deref(), r.origin.as_deref()),
        (Some("Xylogics"), Some("xylogics"))
    );
    assert_eq!(r.evidence[0].weight, weight::REGISTRY_ENTERPRISE);
    assert!(r.evidence[0].source.contains("IANA registrant"));
    // The same number in an engine ID.
    let e = EngineId::decode(&[0x80, 0, 0, 15, 4, b'x']).unwrap();
    assert_eq!(
        id().engine_id_evidence(&e)[0].origin.as_deref(),
        Some("xylogics")
    );
}

#[test]
fn a_curated_row_wins_over_the_registrant() {
    // 3709 is registered to Teracom Telematica; the curated row says Datacom.
    let oid: Oid = "1.3.6.1.4.1.3709.1".parse().unwrap();
    let e = id().sys_object_id_evidence(&oid).unwrap();
    assert_eq!(e.vendor.as_deref(), Some("Datacom"));
    assert_eq!(e.weight, weight::ENTERPRISE);
    // A registry-only number does not outweigh a sysDescr rule of another vendor.
    let oid: Oid = "1.3.6.1.4.1.15.1".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some(
            "Huawei Versatile Routing Platform Software VRP (R) software, Version 5.170",
        ),
        ..Facts::default()
    });
    assert_eq!(r.origin.as_deref(), Some("huawei"));
    // The registrant stays in view, as a conflict.
    assert_eq!(r.conflicts.len(), 1, "{:?}", r.conflicts);
    assert_eq!(r.conflicts[0].origin.as_deref(), Some("xylogics"));
}

#[test]
fn agent_toolkits_name_no_vendor() {
    // lwIP's agent answers with 26381 unless the firmware sets its own; AGENT++ with 4976;
    // VxWorks' with Wind River's 731.
    for pen in [26381, 4976, 731, 8072] {
        let oid = enterprises_arc().child(pen);
        let r = id().identify(&Facts {
            sys_object_id: Some(&oid),
            ..Facts::default()
        });
        assert_eq!(r.origin, None, "{pen}");
        assert_eq!(r.evidence[0].weight, weight::GENERIC_AGENT, "{pen}");
    }
}

#[test]
fn a_sysdescr_naming_a_registrant_is_evidence() {
    let oid: Oid = "1.3.6.1.4.1.8072.3.2.10".parse().unwrap();
    let r = id().identify(&Facts {
        sys_object_id: Some(&oid),
        sys_descr: Some("GR-2408 industrial switch, made by Shenzhen Guanri Technology Co., Ltd."),
        ..Facts::default()
    });
    assert_eq!(r.origin.as_deref(), Some("shenzhen-guanri-technology"));
    assert_eq!(r.vendor.as_deref(), Some("Shenzhen Guanri Technology"));
    let named = r
        .evidence
        .iter()
        .find(|e| e.source.contains("names"))
        .unwrap();
    assert_eq!(named.weight, weight::NAMED_IN_TEXT);
    // The chassis' description when its manufacturer is no known vendor.
    let chassis = Module {
        index: 1,
        class: Some(crate::record::EntityClass::Chassis),
        manufacturer: Some("OEM".into()),
        description: Some("Shenzhen Guanri Technology GR-2408".into()),
        ..Module::default()
    };
    let r = id().identify(&Facts {
        chassis: Some(&chassis),
        ..Facts::default()
    });
    assert_eq!(r.origin.as_deref(), Some("shenzhen-guanri-technology"));
}

#[test]
fn english_word_registrants_do_not_fire_in_text() {
    // 4 is registered to "Unix"; "switch", "gateway" and "core" are registrants' names too.
    // Only Xylogics, a name that is no word, counts.
    let r = id().identify(&Facts {
        sys_descr: Some("Unix core switch and Internet gateway, firmware by Xylogics"),
        ..Facts::default()
    });
    let named: Vec<&str> = r
        .evidence
        .iter()
        .filter_map(|e| e.origin.as_deref())
        .collect();
    assert_eq!(named, ["xylogics"], "{:?}", r.evidence);
    // A Linux host name is the administrator's word.
    let r = id().identify(&Facts {
        sys_descr: Some("Linux xylogics 2.6.21.5-smp #2 SMP i686"),
        ..Facts::default()
    });
    assert_eq!(r.origin, None, "{:?}", r.evidence);
}

#[test]
fn an_oui_outside_the_vendor_table_names_the_cleaned_organisation() {
    // 00-15-3A: "Shenzhen Syscan Technology Co.,Ltd." in the IEEE registry.
    let r = id().identify(&Facts {
        chassis_mac: Some([0x00, 0x15, 0x3a, 1, 2, 3]),
        ..Facts::default()
    });
    assert_eq!(
        (r.vendor.as_deref(), r.origin.as_deref()),
        (
            Some("Shenzhen Syscan Technology"),
            Some("shenzhen-syscan-technology")
        )
    );
    assert_eq!(r.evidence[0].weight, weight::CHASSIS_OUI);
}

#[test]
fn a_product_line_arc_names_its_own_maker() {
    // Canopy radios answer under Motorola's 161, in the 161.19 arc Cambium took with them.
    let canopy: Oid = "1.3.6.1.4.1.161.19.250.256".parse().unwrap();
    let other: Oid = "1.3.6.1.4.1.161.3.1".parse().unwrap();
    let vendor = |oid: &Oid| id().sys_object_id_evidence(oid).and_then(|e| e.vendor);
    assert_eq!(vendor(&canopy).as_deref(), Some("Cambium"));
    assert_eq!(vendor(&other).as_deref(), Some("Motorola"));
}

#[test]
fn an_oem_enterprise_embedded_in_its_suppliers_arc_names_the_oem() {
    // A RADLAN-based Netgear switch: Netgear's 4526 inside RND's 89.
    let oid: Oid = ".1.3.6.1.4.1.89.1.1.1.3.6.1.4.1.4526.100.4.25"
        .parse()
        .unwrap();
    let e = id().sys_object_id_evidence(&oid).unwrap();
    assert_eq!(e.vendor.as_deref(), Some("Netgear"));
    assert!(
        e.source.contains("embedded in enterprise 89"),
        "{}",
        e.source
    );
    let plain: Oid = "1.3.6.1.4.1.89.1.1.1.3".parse().unwrap();
    assert_eq!(
        id().sys_object_id_evidence(&plain)
            .unwrap()
            .vendor
            .as_deref(),
        Some("RND")
    );
}

#[test]
fn a_part_makers_oui_names_no_device_maker() {
    // 00:e0:4c is Realtek's: the network chip of countless makers' devices.
    let r = id().identify(&Facts {
        chassis_mac: Some([0x00, 0xe0, 0x4c, 1, 2, 3]),
        ..Facts::default()
    });
    assert_eq!((r.vendor, r.origin), (None, None));
    assert_eq!(r.evidence.len(), 1);
    assert_eq!(r.evidence[0].weight, 0.0);
}

#[test]
fn majority_oui_ignores_locally_administered() {
    let a = [0x00, 0xe0, 0xfc, 0, 0, 1];
    let l = [0x02, 0, 0, 0, 0, 1];
    assert_eq!(majority_oui(&[l, l, l, a]), Some(a));
    assert_eq!(majority_oui(&[l]), None);
}
