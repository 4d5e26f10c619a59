use super::*;
use crate::identify::Enterprises;
use crate::wire::VarBind;

fn vendors() -> Vendors {
    Vendors::bundled(&Enterprises::bundled().unwrap()).unwrap()
}

fn obs(pairs: &[(&str, Value)]) -> Observations {
    let mut o = Observations::default();
    o.extend(
        pairs
            .iter()
            .map(|(k, v)| VarBind::new(k.parse().unwrap(), v.clone())),
    );
    o
}

/// Patterns are built on first use (see [`crate::identify::pattern`]): every bundled one
/// must build, so that none fails in a sweep.
#[test]
fn every_bundled_pattern_builds() {
    let rules = InventoryRules::bundled(&vendors()).unwrap();
    for r in rules.rules() {
        if let Some(p) = &r.pattern {
            p.build().unwrap_or_else(|e| panic!("{}: {e}", r.id));
        }
    }
}

/// Every example of every bundled rule gives what it states, read through the rule's own
/// source (so an example's OID must be the object, or lie under the prefix).
#[test]
fn every_bundled_rule_passes_its_examples() {
    let rules = InventoryRules::bundled(&vendors()).unwrap();
    assert!(!rules.rules().is_empty());
    let mut failures = Vec::new();
    for r in rules.rules() {
        for ex in &r.examples {
            let o = obs(&[(&ex.oid.to_string(), ex.value.clone())]);
            let source = r.source(&Subject {
                sys_object_id: ex.sys_object_id.as_ref(),
                vendor: None,
                chassis: ex.oid.arcs().last().copied(),
            });
            let got = match &source {
                Some(s) if s.read(&o).is_some() => r.read(s, &o),
                _ => {
                    failures.push(format!("{}: {} is not read by {source:?}", r.id, ex.oid));
                    continue;
                }
            };
            if got != ex.expect {
                failures.push(format!(
                    "{}: {:?} gives {got:?}, example says {:?}",
                    r.id, ex.value, ex.expect
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const ONE: &str = r#"
[[rule]]
id = "x-serial"
source = "test"
field = "serial"
under = ["1.3.6.1.4.1.2011"]
first = "1.3.6.1.4.1.2011.9.1"
pattern = '''^SN:(?P<value>\w+)'''
[[rule.example]]
oid = "1.3.6.1.4.1.2011.9.1.7"
value = "SN:ABC"
expect = "ABC"

[[rule]]
id = "x-model"
source = "test"
field = "model"
vendor = ["Huawei"]
get = "1.3.6.1.4.1.2011.9.2.0"
pattern = '''^(?P<family>\d+)\.(?P<variant>\d+)'''
template = "MA${family}-${variant}"
fallback = true
[[rule.example]]
oid = "1.3.6.1.4.1.2011.9.2.0"
value = { oid = "5603.20" }
expect = "MA5603-20"
"#;

#[test]
fn first_takes_only_the_first_object_under_the_prefix() {
    let rules = InventoryRules::parse("t.toml", ONE, &vendors()).unwrap();
    let sys: Oid = "1.3.6.1.4.1.2011.2.23".parse().unwrap();
    let text = |s: &str| Value::OctetString(s.as_bytes().to_vec());
    let o = obs(&[
        ("1.3.6.1.4.1.2011.9.1", text("SN:PREFIX")),
        ("1.3.6.1.4.1.2011.9.1.3", text("junk")),
        ("1.3.6.1.4.1.2011.9.1.7", text("SN:LATER")),
    ]);
    // The object at the prefix itself is not under it; the first below does not match.
    let huawei = Subject {
        sys_object_id: Some(&sys),
        ..Subject::default()
    };
    assert_eq!(rules.apply(&o, &huawei).serial.first, None);
    let o = obs(&[("1.3.6.1.4.1.2011.9.1.7", text("SN:LATER"))]);
    let inv = rules.apply(&o, &huawei);
    assert_eq!(inv.serial.first.map(|f| f.value).as_deref(), Some("LATER"));
    // Another maker's sysObjectID: the rule does not apply.
    let other: Oid = "1.3.6.1.4.1.9.1.1".parse().unwrap();
    let cisco = Subject {
        sys_object_id: Some(&other),
        ..Subject::default()
    };
    assert_eq!(rules.apply(&o, &cisco), Inventory::default());
}

#[test]
fn fallback_yields_to_generic_sources_and_ordinary_rules_beat_them() {
    let rules = InventoryRules::parse("t.toml", ONE, &vendors()).unwrap();
    let o = obs(&[(
        "1.3.6.1.4.1.2011.9.2.0",
        Value::ObjectId("5603.20".parse().unwrap()),
    )]);
    let by_vendor = Subject {
        vendor: Some("Huawei"),
        ..Subject::default()
    };
    let inv = rules.apply(&o, &by_vendor);
    assert_eq!(
        inv.model.fallback.as_ref().map(|f| f.rule.as_str()),
        Some("x-model")
    );
    assert_eq!(
        inv.model.clone().over(Some("S5720".into())).as_deref(),
        Some("S5720")
    );
    assert_eq!(inv.model.over(None).as_deref(), Some("MA5603-20"));
    let serial = Choice {
        first: Some(Found {
            value: "ESN".into(),
            rule: "r".into(),
        }),
        fallback: None,
    };
    assert_eq!(serial.over(Some("entity".into())).as_deref(), Some("ESN"));
}

#[test]
fn oids_under_the_sys_object_id_resolve_per_device() {
    let sys: Oid = "1.3.6.1.4.1.259.10.1.43.105".parse().unwrap();
    let at = |text: &str, first: bool| Locator::parse(text, first).unwrap();
    fn on(sys: Option<&Oid>) -> Subject<'_> {
        Subject {
            sys_object_id: sys,
            ..Subject::default()
        }
    }
    assert_eq!(
        at("{sysObjectID}.1.2.0", false).resolve(&on(Some(&sys))),
        Some(Source::Get(
            "1.3.6.1.4.1.259.10.1.43.105.1.2.0".parse().unwrap()
        ))
    );
    assert_eq!(
        at("{sysObjectID-1}.1.1.5.1.0", true).resolve(&on(Some(&sys))),
        Some(Source::First(
            "1.3.6.1.4.1.259.10.1.43.1.1.5.1.0".parse().unwrap()
        ))
    );
    assert_eq!(
        at("{sysObjectID}", false).resolve(&on(Some(&sys))),
        Some(Source::Get(sys.clone()))
    );
    assert_eq!(at("{sysObjectID}.1", false).resolve(&on(None)), None);
    assert_eq!(
        at("{sysObjectID-12}.1", false).resolve(&on(Some(&sys))),
        None
    );
    assert_eq!(
        at("1.3.6.1.4.1.9.1", false).resolve(&on(None)),
        Some(Source::Get("1.3.6.1.4.1.9.1".parse().unwrap()))
    );
    for bad in [
        "{sysObjectIDx}.1",
        "{sysObjectID-x}.1",
        "{sysObjectID.1",
        "",
        "1.x",
    ] {
        assert!(Locator::parse(bad, false).is_err(), "{bad:?}");
    }
}

#[test]
fn chassis_rules_read_the_chassis_row_and_fetch_nothing() {
    let text = r#"
[[rule]]
id = "c-model"
source = "test"
field = "model"
under = ["1.3.6.1.4.1.9.1"]
chassis = "entPhysicalModelName"
[[rule.example]]
oid = "1.3.6.1.2.1.47.1.1.1.1.13.1000"
value = "WS-C4948-10GE"
expect = "WS-C4948-10GE"
"#;
    let rules = InventoryRules::parse("t.toml", text, &vendors()).unwrap();
    let sys: Oid = "1.3.6.1.4.1.9.1.659".parse().unwrap();
    let text_value = |s: &str| Value::OctetString(s.as_bytes().to_vec());
    let o = obs(&[
        ("1.3.6.1.2.1.47.1.1.1.1.13.1", text_value("")),
        (
            "1.3.6.1.2.1.47.1.1.1.1.13.1000",
            text_value("WS-C4948-10GE"),
        ),
    ]);
    let at = |chassis| Subject {
        sys_object_id: Some(&sys),
        vendor: None,
        chassis,
    };
    let model = |chassis| rules.apply(&o, &at(chassis)).model.first.map(|f| f.value);
    assert_eq!(model(Some(1000)).as_deref(), Some("WS-C4948-10GE"));
    assert_eq!(model(Some(1)), None);
    assert_eq!(model(None), None);
    assert!(rules.sources(Some(&sys), None).is_empty());
    let bad = text.replace("entPhysicalModelName", "entPhysicalColour");
    let e = InventoryRules::parse("t.toml", &bad, &vendors()).unwrap_err();
    assert!(
        e.reason.contains("not an entPhysicalTable column"),
        "{}",
        e.reason
    );
}

#[test]
fn sources_are_what_applies_once_in_oid_order() {
    let rules = InventoryRules::parse("t.toml", ONE, &vendors()).unwrap();
    let sys: Oid = "1.3.6.1.4.1.2011.2.23".parse().unwrap();
    assert_eq!(rules.sources(Some(&sys), None).len(), 1);
    let both = rules.sources(Some(&sys), Some("Huawei"));
    assert_eq!(
        both,
        vec![
            Source::First("1.3.6.1.4.1.2011.9.1".parse().unwrap()),
            Source::Get("1.3.6.1.4.1.2011.9.2.0".parse().unwrap()),
        ]
    );
    assert!(rules.sources(None, None).is_empty());
    assert!(both[0].answered_by(&"1.3.6.1.4.1.2011.9.1.1".parse().unwrap()));
    assert!(!both[0].answered_by(&"1.3.6.1.4.1.2011.9.2".parse().unwrap()));
}

#[test]
fn values_of_every_type_are_read_without_panic() {
    let rules = InventoryRules::parse("t.toml", ONE, &vendors()).unwrap();
    let r = &rules.rules()[0];
    for v in [
        Value::Null,
        Value::Integer(-5),
        Value::OctetString(vec![0xff, 0xfe, 0, 0]),
        Value::OctetString(b"  \0".to_vec()),
        Value::Opaque(vec![1]),
        Value::IpAddress([10, 0, 0, 1]),
        Value::Counter64(u64::MAX),
        Value::NoSuchObject,
        Value::Unknown(0x99, vec![]),
    ] {
        let _ = r.extract(&v);
    }
    assert_eq!(
        value_text(&Value::IpAddress([10, 0, 0, 1])).as_deref(),
        Some("10.0.0.1")
    );
    assert_eq!(value_text(&Value::Integer(-5)).as_deref(), Some("-5"));
    assert_eq!(value_text(&Value::OctetString(b" \0".to_vec())), None);
}

#[test]
fn bad_rules_name_file_and_line() {
    let v = vendors();
    let parse = |t: &str| InventoryRules::parse("i.toml", t, &v).unwrap_err();
    let e = parse("[[rule]]\nid = \"a\"\nfield = \"model\"\nundr = [\"1.3\"]\n");
    assert_eq!((e.file.as_str(), e.line), ("i.toml", 4), "{}", e.reason);
    let e = parse("[[rule]]\nid = \"a\"\nfield = \"colour\"\n");
    assert_eq!(e.line, 3, "{}", e.reason);
    let head = "[[rule]]\nid = \"a\"\nsource = \"s\"\nfield = \"model\"\n";
    let ex = "[[rule.example]]\noid = \"1.3.6.1\"\nvalue = \"x\"\n";
    let e = parse(&format!("{head}get = \"1.3.6.1\"\n{ex}"));
    assert!(
        e.reason.contains("needs a vendor or an under"),
        "{}",
        e.reason
    );
    assert_eq!(e.line, 2);
    let e = parse(&format!(
        "{head}vendor = [\"Nobody\"]\nget = \"1.3.6.1\"\n{ex}"
    ));
    assert!(e.reason.contains("unknown vendor"), "{}", e.reason);
    let e = parse(&format!(
        "{head}under = [\"1.3\"]\nget = \"1.3.6.1\"\nfirst = \"1.3\"\n{ex}"
    ));
    assert!(e.reason.contains("exactly one of"), "{}", e.reason);
    let e = parse(&format!("{head}under = [\"1.3\"]\nget = \"x.y\"\n{ex}"));
    assert!(
        e.reason.contains("not an object identifier"),
        "{}",
        e.reason
    );
    let e = parse(&format!(
        "{head}under = [\"1.3\"]\nget = \"1.3.6.1\"\npattern = \"(\"\n{ex}"
    ));
    assert!(e.reason.contains("rule a"), "{}", e.reason);
    let e = parse(&format!(
        "{head}under = [\"1.3\"]\nget = \"1.3.6.1\"\npattern = \"x\"\n{ex}"
    ));
    assert!(e.reason.contains("(?P<value>"), "{}", e.reason);
    let e = parse(&format!("{head}under = [\"1.3\"]\nget = \"1.3.6.1\"\n"));
    assert!(e.reason.contains("example"), "{}", e.reason);
    let e = parse(&format!(
        "{head}under = [\"1.3\"]\nget = \"1.3.6.1\"\n{ex}\n{head}under = [\"1.3\"]\nget = \"1.3.6.1\"\n{ex}"
    ));
    assert!(e.reason.contains("used twice"), "{}", e.reason);
}

#[test]
fn a_rule_names_its_source_and_its_recordings() {
    let v = vendors();
    let parse = |extra: &str| {
        InventoryRules::parse(
            "i.toml",
            &format!(
                "[[rule]]\nid = \"a\"\n{extra}field = \"model\"\nunder = [\"1.3\"]\nget = \"1.3.6.1\"\n[[rule.example]]\nfrom = [\"x.snmprec\"]\noid = \"1.3.6.1\"\nvalue = \"x\"\n"
            ),
            &v,
        )
    };
    let e = parse("").unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("i.toml", 2));
    assert!(e.reason.contains("needs a source"), "{}", e.reason);
    let e = parse("source = \"recordings\"\n").unwrap_err();
    assert!(e.reason.contains("from"), "{}", e.reason);
    let e = parse("source = \"X-MIB\"\nfrom = [\"x.snmprec\"]\n").unwrap_err();
    assert!(e.reason.contains("recordings"), "{}", e.reason);
    let r = parse("source = \"X-MIB; recordings\"\nfrom = [\"x.snmprec\"]\n").unwrap();
    assert!(r.without("x.snmprec").rules().is_empty());
    let kept = parse("source = \"X-MIB\"\n").unwrap().without("x.snmprec");
    assert_eq!(kept.rules().len(), 1);
    assert!(
        kept.rules()[0].examples.is_empty(),
        "its example is left out"
    );
    for r in InventoryRules::bundled(&v).unwrap().rules() {
        assert!(!r.provenance.source.is_empty(), "{}", r.id);
        for ex in &r.examples {
            for f in &ex.from {
                assert!(r.provenance.names(f), "{}: example from {f}", r.id);
            }
        }
    }
}
