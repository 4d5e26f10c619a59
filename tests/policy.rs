//! Policies: each rule feature, the shipped jurisdictions' dates at fixed "today"s before and
//! after each deadline, exceptions with and without expiry, and bad policy files.

use std::collections::BTreeSet;
use std::path::PathBuf;

use netorigin::date::Date;
use netorigin::policy::document::Policy;
use netorigin::policy::judge::judge;
use netorigin::policy::shares::ShareCount;
use netorigin::record::{
    Context, DiscoveredVia, EntityClass, Identification, Module, Observed, Sourced, Verdict,
};

fn origins() -> BTreeSet<String> {
    [
        "huawei",
        "zte",
        "h3c",
        "xfusion",
        "honor",
        "cisco",
        "hytera",
        "hikvision",
        "dahua",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn policy(text: &str) -> Policy {
    Policy::parse("test.toml", text, &origins()).unwrap_or_else(|e| panic!("{e}"))
}

fn shipped(name: &str) -> Policy {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("policies")
        .join(format!("{name}.toml"));
    Policy::load(&path, &origins()).unwrap_or_else(|e| panic!("{e}"))
}

fn day(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn huawei_switch() -> Observed {
    Observed {
        address: "10.20.0.5".into(),
        identification: Identification {
            vendor: Some("Huawei".into()),
            origin: Some("huawei".into()),
            model: Some("S5720-56C-PWR-EI-AC".into()),
            serial: Some("2102359576DMHC000120".into()),
            chassis_mac: Some("00:e0:fc:12:34:56".parse().unwrap()),
            confidence: 0.98,
            ..Identification::default()
        },
        ..Observed::default()
    }
}

const HEADER: &str = "[policy]\nname = \"t\"\nversion = \"1\"\n";

#[test]
fn origin_rule_bans_and_other_origins_are_clear() {
    let p = policy(&format!(
        "{HEADER}[[rule]]\nid = \"o\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\n"
    ));
    let (v, f) = judge(
        std::slice::from_ref(&p),
        &huawei_switch(),
        day("2026-01-01"),
    );
    assert_eq!(v, Verdict::Banned);
    assert_eq!(f[0].rule, "o");
    let cisco = Observed {
        identification: Identification {
            origin: Some("cisco".into()),
            vendor: Some("Cisco".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(
        judge(std::slice::from_ref(&p), &cisco, day("2026-01-01")),
        (Verdict::Clear, vec![])
    );
    let unknown = Observed {
        identification: Identification {
            origin: None,
            vendor: None,
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(
        judge(&[p], &unknown, day("2026-01-01")).0,
        Verdict::Unknown,
        "unknown is never silently clear"
    );
}

#[test]
fn vendor_and_model_pattern_rules() {
    let p = policy(&format!(
        "{HEADER}[[rule]]\nid = \"v\"\nverdict = \"review\"\nreason = \"r\"\nvendors = [\"huawei\"]\nmodel = \"^S57\"\n"
    ));
    assert_eq!(
        judge(
            std::slice::from_ref(&p),
            &huawei_switch(),
            day("2026-01-01")
        )
        .0,
        Verdict::Review
    );
    let router = Observed {
        identification: Identification {
            model: Some("NE8000".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(
        judge(&[p], &router, day("2026-01-01")).0,
        Verdict::Clear,
        "the model pattern narrows the rule"
    );
}

#[test]
fn a_huawei_module_in_a_cisco_chassis_is_found() {
    let p = policy(&format!(
        "{HEADER}[[rule]]\nid = \"m\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\napplies_to = [\"module\"]\n"
    ));
    let mut cisco = Observed {
        identification: Identification {
            origin: Some("cisco".into()),
            vendor: Some("Cisco".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    cisco.modules.push(Module {
        index: 7,
        class: Some(EntityClass::Port),
        name: Some("Te1/1/1 optic".into()),
        vendor: Some("Huawei".into()),
        origin: Some("huawei".into()),
        ..Module::default()
    });
    let (v, f) = judge(std::slice::from_ref(&p), &cisco, day("2026-01-01"));
    assert_eq!(v, Verdict::Banned);
    assert_eq!(f[0].module, Some(7));
    netorigin::policy::judge::module_verdicts(&mut cisco.modules, &f);
    assert_eq!(
        cisco.modules[0].verdict,
        Some(Verdict::Banned),
        "the module carries its own verdict"
    );
    assert!(
        f[0].reason.starts_with("module 7 (Te1/1/1 optic)"),
        "{}",
        f[0].reason
    );
    // A module-only rule does not judge a whole Huawei device.
    assert_eq!(
        judge(&[p], &huawei_switch(), day("2026-01-01")).0,
        Verdict::Clear
    );
}

#[test]
fn scope_and_discovery_limits() {
    let p = policy(&format!(
        "{HEADER}[[rule]]\nid = \"s\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\nscope = [\"10.20.0.0/16\"]\ndiscovered_via = [\"snmp\"]\n"
    ));
    assert_eq!(
        judge(
            std::slice::from_ref(&p),
            &huawei_switch(),
            day("2026-01-01")
        )
        .0,
        Verdict::Banned
    );
    let elsewhere = Observed {
        address: "10.30.0.5".into(),
        ..huawei_switch()
    };
    assert_eq!(
        judge(std::slice::from_ref(&p), &elsewhere, day("2026-01-01")).0,
        Verdict::Clear
    );
    let neighbour = Observed {
        discovered_via: DiscoveredVia::LldpNeighbor,
        ..huawei_switch()
    };
    assert_eq!(judge(&[p], &neighbour, day("2026-01-01")).0, Verdict::Clear);
}

#[test]
fn low_confidence_turns_a_ban_into_a_review() {
    let p = policy(&format!(
        "{HEADER}[[rule]]\nid = \"c\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\nmin_confidence = 0.7\n"
    ));
    let weak = Observed {
        identification: Identification {
            confidence: 0.3,
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    let (v, f) = judge(std::slice::from_ref(&p), &weak, day("2026-01-01"));
    assert_eq!(v, Verdict::Review);
    assert!(
        f[0].reason.contains("under the rule's 0.70"),
        "{}",
        f[0].reason
    );
    assert_eq!(
        judge(&[p], &huawei_switch(), day("2026-01-01")).0,
        Verdict::Banned
    );
}

#[test]
fn exceptions_apply_until_they_expire() {
    let text = format!(
        "{HEADER}[[rule]]\nid = \"o\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\n\
         [[exception]]\nserial = \"2102359576DMHC000120\"\njustification = \"lab unit\"\napproved_by = \"CISO\"\nexpires = 2026-06-30\n\
         [[exception]]\nchassis_mac = \"00-E0-FC-AA-BB-CC\"\njustification = \"museum\"\napproved_by = \"CTO\"\n"
    );
    let p = policy(&text);
    let (v, f) = judge(
        std::slice::from_ref(&p),
        &huawei_switch(),
        day("2026-06-30"),
    );
    assert_eq!(v, Verdict::Clear, "excepted on its last day");
    assert!(
        f[0].exception
            .as_deref()
            .unwrap()
            .contains("lab unit (approved by CISO, until 2026-06-30)")
    );
    let (v, f) = judge(
        std::slice::from_ref(&p),
        &huawei_switch(),
        day("2026-07-01"),
    );
    assert_eq!(v, Verdict::Banned, "expired the next day");
    assert!(f[0].exception.is_none());
    assert!(
        f[0].reason.contains("expired on 2026-06-30"),
        "{}",
        f[0].reason
    );
    // Without expiry, by chassis MAC (any spelling of it).
    let other = Observed {
        identification: Identification {
            serial: None,
            chassis_mac: Some("00:e0:fc:aa:bb:cc".parse().unwrap()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(judge(&[p], &other, day("2040-01-01")).0, Verdict::Clear);
}

#[test]
fn canada_deadlines_before_and_after() {
    let ca = shipped("canada-2022");
    let d = standing("TOR01", "ran", "4g+5g", "Acme", "2019-05-01");
    let finding = |today: &str, rule: &str| {
        let (v, f) = judge(std::slice::from_ref(&ca), &d, day(today));
        assert_eq!(v, Verdict::Banned);
        f.into_iter().find(|x| x.rule == rule).unwrap()
    };
    let f = finding("2022-08-31", "huawei-zte-5g");
    assert_eq!(
        (f.deadline.as_deref(), f.no_new_installs_after.as_deref()),
        (Some("2024-06-28"), Some("2022-09-01"))
    );
    assert_eq!(f.jurisdiction.as_deref(), Some("CA"));
    assert_eq!(finding("2024-06-27", "huawei-zte-5g").days_left, Some(1));
    assert_eq!(finding("2024-06-28", "huawei-zte-5g").days_left, Some(0));
    assert_eq!(
        finding("2024-06-29", "huawei-zte-5g").days_left,
        Some(-1),
        "overdue the day after"
    );
    assert_eq!(finding("2027-12-30", "huawei-zte-4g").days_left, Some(1));
    assert_eq!(finding("2028-01-01", "huawei-zte-4g").days_left, Some(-1));
    let zte = Observed {
        identification: Identification {
            origin: Some("zte".into()),
            vendor: Some("ZTE".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(
        judge(std::slice::from_ref(&ca), &zte, day("2026-01-01"))
            .1
            .len(),
        2
    );
    let h3c = Observed {
        identification: Identification {
            origin: Some("h3c".into()),
            vendor: Some("H3C".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(
        judge(&[ca], &h3c, day("2026-01-01")).0,
        Verdict::Clear,
        "Canada's statement names Huawei and ZTE only"
    );
}

#[test]
fn canada_gives_each_technology_its_own_deadline_and_an_unknown_one_a_review() {
    let ca = shipped("canada-2022");
    let today = day("2026-01-01");
    let rules = |d: &Observed| -> Vec<(String, Verdict, Option<String>)> {
        judge(std::slice::from_ref(&ca), d, today)
            .1
            .into_iter()
            .map(|f| (f.rule, f.verdict, f.deadline))
            .collect()
    };
    let enodeb = standing("TOR01", "ran", "LTE", "Acme", "2019-05-01");
    assert_eq!(
        rules(&enodeb),
        [(
            "huawei-zte-4g".to_string(),
            Verdict::Banned,
            Some("2027-12-31".to_string())
        )]
    );
    let core_5g = standing("TOR01", "core", "5G NR", "Acme", "2019-05-01");
    assert_eq!(
        rules(&core_5g),
        [(
            "huawei-zte-5g".to_string(),
            Verdict::Banned,
            Some("2024-06-28".to_string())
        )]
    );
    let microwave = standing("TOR01", "transport", "microwave", "Acme", "2019-05-01");
    assert_eq!(
        judge(std::slice::from_ref(&ca), &microwave, today),
        (Verdict::Clear, vec![])
    );
    let (v, f) = judge(std::slice::from_ref(&ca), &huawei_switch(), today);
    assert_eq!(v, Verdict::Review, "technology unknown: never clear");
    assert_eq!(f.len(), 2);
    for x in &f {
        assert_eq!(x.verdict, Verdict::Review);
        assert!(
            x.reason.ends_with("(technology unknown: review)"),
            "{}",
            x.reason
        );
    }
}

#[test]
fn uk_deadlines_by_technology_role_and_site() {
    let uk = shipped("uk-2020");
    let finding = |d: &Observed, today: &str, rule: &str| {
        let (_, f) = judge(std::slice::from_ref(&uk), d, day(today));
        f.into_iter().find(|x| x.rule == rule)
    };
    let ran_5g = standing("MAN01", "ran", "5g", "Acme", "2019-05-01");
    let f = finding(&ran_5g, "2027-12-30", "huawei-5g").unwrap();
    assert_eq!((f.verdict, f.days_left), (Verdict::Banned, Some(1)));
    assert_eq!(
        finding(&ran_5g, "2028-01-01", "huawei-5g")
            .unwrap()
            .days_left,
        Some(-1)
    );
    assert!(
        finding(&ran_5g, "2026-01-01", "huawei-core").is_none(),
        "not core"
    );
    assert!(
        finding(&ran_5g, "2026-01-01", "huawei-national-security-sites").is_none(),
        "MAN01 is not a national-security site"
    );
    let core = standing("NSS-LON01", "core", "4g", "Acme", "2019-05-01");
    assert_eq!(
        finding(&core, "2023-12-30", "huawei-core")
            .unwrap()
            .days_left,
        Some(1)
    );
    assert_eq!(
        finding(&core, "2024-01-01", "huawei-core")
            .unwrap()
            .days_left,
        Some(-1)
    );
    let f = finding(&core, "2023-01-27", "huawei-national-security-sites").unwrap();
    assert_eq!((f.verdict, f.days_left), (Verdict::Banned, Some(1)));
    assert!(
        f.reason.contains("site NSS-LON01: inventory sites.csv:4"),
        "{}",
        f.reason
    );
    assert!(
        finding(&core, "2026-01-01", "huawei-5g").is_none(),
        "4G only"
    );
    let olt = standing("MAN02", "access", "GPON", "Acme", "2019-05-01");
    let f = finding(&olt, "2026-01-01", "huawei-fibre-sanctions").unwrap();
    assert_eq!(f.verdict, Verdict::Review);
    // Without context every rule that needs it is a review, naming what is unknown.
    let (v, f) = judge(
        std::slice::from_ref(&uk),
        &huawei_switch(),
        day("2026-01-01"),
    );
    assert_eq!((v, f.len()), (Verdict::Review, 4));
    let endings: BTreeSet<&str> = f
        .iter()
        .map(|x| x.reason.rsplit(" (").next().unwrap())
        .collect();
    assert_eq!(
        endings,
        [
            "role unknown: review)",
            "site unknown: review)",
            "technology unknown: review)"
        ]
        .into_iter()
        .collect()
    );
}

#[test]
fn uk_full_fibre_share_three_of_ten_is_under_the_cap_four_is_over() {
    let uk = shipped("uk-2020");
    let run = |huawei: usize| {
        let mut counting = ShareCount::new(std::slice::from_ref(&uk));
        for i in 0..10 {
            let mut olt = standing("MAN02", "access", "XGS-PON", "Acme", "2019-05-01");
            if i >= huawei {
                olt.identification.origin = Some("nokia".into());
                olt.identification.vendor = Some("Nokia".into());
            }
            counting.count(&olt);
        }
        counting.count(&standing("MAN01", "ran", "5g", "Acme", "2019-05-01"));
        counting.count(&huawei_switch());
        counting.shares().remove(0)
    };
    let s = run(3);
    assert_eq!(
        (s.rule.as_str(), s.of.as_str(), s.counted_by.as_str()),
        (
            "huawei-fibre-access-35",
            "technology fibre-access",
            "devices"
        )
    );
    assert_eq!((s.found, s.total, s.unsettled), (3, 10, 1));
    assert_eq!((s.max_share, s.exceeded), (0.35, false));
    assert!((s.share - 0.30).abs() < 1e-9);
    assert_eq!(s.jurisdiction.as_deref(), Some("GB"));
    let s = run(4);
    assert_eq!((s.found, s.total, s.exceeded), (4, 10, true));
}

#[test]
fn us_reimbursable_and_reportable_by_acquisition_date() {
    let us = shipped("us-fcc-covered-list");
    let today = day("2026-01-01");
    let rules = |d: &Observed| -> Vec<(String, Verdict)> {
        judge(std::slice::from_ref(&us), d, today)
            .1
            .into_iter()
            .map(|f| (f.rule, f.verdict))
            .collect()
    };
    let bought = |d: &str| standing("DAL01", "ran", "4g", "Acme", d);
    let covered = ("covered-huawei-zte".to_string(), Verdict::Banned);
    let reimbursable = ("reimbursable-huawei-zte".to_string(), Verdict::Review);
    let reportable = ("reportable-huawei-zte".to_string(), Verdict::Review);
    assert_eq!(
        rules(&bought("2018-08-13")),
        [covered.clone(), reimbursable.clone()]
    );
    assert_eq!(
        rules(&bought("2018-08-14")),
        [covered.clone(), reimbursable.clone(), reportable.clone()],
        "obtained on or after 2018-08-14 is reportable"
    );
    assert_eq!(
        rules(&bought("2020-06-30")),
        [covered.clone(), reimbursable.clone(), reportable.clone()]
    );
    assert_eq!(
        rules(&bought("2020-07-01")),
        [covered.clone(), reportable.clone()]
    );
    // Without an acquisition date both are questions; a first sighting settles what it proves.
    let (v, f) = judge(std::slice::from_ref(&us), &huawei_switch(), today);
    assert_eq!((v, f.len()), (Verdict::Banned, 3));
    assert!(f[1].reason.ends_with("(acquisition date unknown: review)"));
    let seen = |d: &str| Observed {
        context: Context {
            first_seen: Some(day(d)),
            ..Context::default()
        },
        ..huawei_switch()
    };
    let (_, f) = judge(std::slice::from_ref(&us), &seen("2018-01-02"), today);
    assert_eq!(f.len(), 2, "first seen before 2018-08-14: not reportable");
    assert!(
        f[1].reason
            .contains("(acquired by 2020-06-30: first seen 2018-01-02)"),
        "{}",
        f[1].reason
    );
    let (_, f) = judge(std::slice::from_ref(&us), &seen("2021-03-01"), today);
    assert_eq!(f.len(), 3);
    assert!(f[1].reason.ends_with("(acquisition date unknown: review)"));
    assert!(f[2].reason.ends_with("(acquisition date unknown: review)"));
}

#[test]
fn shipped_policies_load_and_apply_together() {
    let all: Vec<Policy> = [
        "huawei-origin",
        "canada-2022",
        "uk-2020",
        "us-fcc-covered-list",
    ]
    .iter()
    .map(|n| shipped(n))
    .collect();
    let (v, f) = judge(&all, &huawei_switch(), day("2026-11-27"));
    assert_eq!(v, Verdict::Banned);
    let policies: BTreeSet<&str> = f
        .iter()
        .map(|x| x.policy.split(' ').next().unwrap())
        .collect();
    assert_eq!(policies.len(), 4, "{policies:?}");
    let hik = Observed {
        identification: Identification {
            origin: Some("hikvision".into()),
            vendor: Some("Hikvision".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    let (v, f) = judge(&all, &hik, day("2026-11-27"));
    assert_eq!((v, f.len()), (Verdict::Banned, 1));
    let h3c = Observed {
        identification: Identification {
            origin: Some("h3c".into()),
            vendor: Some("H3C".into()),
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    assert_eq!(judge(&all, &h3c, day("2026-11-27")).0, Verdict::Review);
}

fn error(text: &str) -> (usize, usize, String) {
    let e = Policy::parse("bad.toml", text, &origins()).unwrap_err();
    assert_eq!(e.file, "bad.toml");
    (e.line, e.column, e.reason)
}

#[test]
fn bad_policy_files_name_file_line_and_column() {
    let rule = "[[rule]]\nid = \"o\"\nverdict = \"banned\"\nreason = \"r\"\n";
    let (l, c, r) = error(&format!(
        "{HEADER}{rule}origins = [\"huawei\"]\ncolour = \"red\"\n"
    ));
    assert_eq!((l, c), (9, 1), "{r}");
    assert!(r.contains("colour"), "{r}");
    let (l, _, r) = error(&format!("{HEADER}{rule}origins = \"huawei\"\n"));
    assert_eq!(l, 8, "{r}");
    let (l, c, r) = error(&format!(
        "{HEADER}{rule}origins = [\"huawei\"]\nremove_by = 2024-02-30\n"
    ));
    assert_eq!(l, 9, "{r}");
    assert!(c >= 1);
    let (l, _, r) = error(&format!(
        "{HEADER}{rule}origins = [\"huawei\"]\nremove_by = \"soon\"\n"
    ));
    assert_eq!(l, 9, "{r}");
    let (l, c, r) = error(&format!("{HEADER}{rule}origins = [\"huawei\", \"acme\"]\n"));
    assert_eq!((l, c), (8, 22), "{r}");
    assert!(r.contains("unknown origin group \"acme\""), "{r}");
    let (l, _, r) = error(&format!(
        "{HEADER}[[rule]]\nid = \"o\"\nverdict = \"forbidden\"\nreason = \"r\"\norigins = [\"zte\"]\n"
    ));
    assert_eq!(l, 6, "{r}");
}

/// The switch where an inventory says it stands.
fn standing(site: &str, role: &str, technology: &str, owner: &str, acquired: &str) -> Observed {
    let by = |v: &str| Sourced::new(v.to_string(), "inventory sites.csv:4");
    Observed {
        context: Context {
            site: Some(by(site)),
            role: Some(by(role)),
            technology: Some(by(technology)),
            owner: Some(by(owner)),
            acquired: Some(Sourced::new(day(acquired), "inventory sites.csv:4")),
            first_seen: None,
        },
        ..huawei_switch()
    }
}

fn one_rule(conditions: &str) -> Policy {
    policy(&format!(
        "{HEADER}[[rule]]\nid = \"c\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\n{conditions}"
    ))
}

#[test]
fn context_conditions_each_narrow_a_rule() {
    let d = standing("TOR01", "Core", "LTE", "Acme Mobile Ltd", "2019-05-01");
    let today = day("2026-01-01");
    for (condition, fails) in [
        ("roles = [\"core\", \"P\"]", "roles = [\"access\"]"),
        ("technologies = [\"4G\"]", "technologies = [\"NR\"]"),
        ("sites = [\"tor01\"]", "sites = [\"MAN01\"]"),
        ("sites = [\"/^TOR[0-9]{2}$/\"]", "sites = [\"/^LON/\"]"),
        ("owners = [\"acme mobile ltd\"]", "owners = [\"Other Co\"]"),
        ("acquired_by = 2019-05-01", "acquired_by = 2019-04-30"),
        ("acquired_after = 2019-04-30", "acquired_after = 2019-05-01"),
    ] {
        let (v, f) = judge(&[one_rule(condition)], &d, today);
        assert_eq!(v, Verdict::Banned, "{condition}");
        assert!(
            f[0].reason.contains("inventory sites.csv:4"),
            "{}",
            f[0].reason
        );
        assert_eq!(
            judge(&[one_rule(fails)], &d, today),
            (Verdict::Clear, vec![]),
            "{fails}: a settled context that does not match: the rule does not apply"
        );
    }
    let (_, f) = judge(
        &[one_rule("technologies = [\"4g\"]\nroles = [\"core\"]")],
        &d,
        today,
    );
    assert_eq!(
        f[0].reason,
        "device: r (role core: inventory sites.csv:4; technology 4g: inventory sites.csv:4)"
    );
    // A device serving 4G and 5G is in a 5G rule.
    let both = standing("TOR01", "ran", "4g+5g", "Acme", "2019-05-01");
    assert_eq!(
        judge(&[one_rule("technologies = [\"5g\"]")], &both, today).0,
        Verdict::Banned
    );
}

#[test]
fn an_unsettled_context_is_a_review_never_clear() {
    let today = day("2026-01-01");
    let p = one_rule("technologies = [\"4g\"]");
    let (v, f) = judge(std::slice::from_ref(&p), &huawei_switch(), today);
    assert_eq!(v, Verdict::Review);
    assert_eq!(f[0].verdict, Verdict::Review);
    assert!(
        f[0].reason.ends_with("(technology unknown: review)"),
        "{}",
        f[0].reason
    );
    for (condition, what) in [
        ("roles = [\"core\"]", "(role unknown: review)"),
        ("sites = [\"TOR01\"]", "(site unknown: review)"),
        ("owners = [\"Acme\"]", "(owner unknown: review)"),
        (
            "acquired_by = 2020-06-30",
            "(acquisition date unknown: review)",
        ),
        (
            "roles = [\"core\"]\ntechnologies = [\"5g\"]",
            "(role and technology unknown: review)",
        ),
    ] {
        let (v, f) = judge(&[one_rule(condition)], &huawei_switch(), today);
        assert_eq!(v, Verdict::Review, "{condition}");
        assert!(f[0].reason.ends_with(what), "{}", f[0].reason);
    }
    // The low-confidence note comes before it; the unsettled context still ends the reason.
    let weak = Observed {
        identification: Identification {
            confidence: 0.3,
            ..huawei_switch().identification
        },
        ..huawei_switch()
    };
    let p = one_rule("technologies = [\"4g\"]\nmin_confidence = 0.7");
    let (_, f) = judge(&[p], &weak, today);
    assert!(
        f[0].reason.contains("under the rule's 0.70"),
        "{}",
        f[0].reason
    );
    assert!(
        f[0].reason.ends_with("(technology unknown: review)"),
        "{}",
        f[0].reason
    );
}

#[test]
fn first_seen_settles_an_acquisition_date_only_where_it_proves_it() {
    let today = day("2026-01-01");
    let seen = |d: &str| Observed {
        context: Context {
            first_seen: Some(day(d)),
            ..Context::default()
        },
        ..huawei_switch()
    };
    let by = one_rule("acquired_by = 2020-06-30\nfirst_seen_as_acquired = true");
    let (v, f) = judge(std::slice::from_ref(&by), &seen("2019-03-01"), today);
    assert_eq!(v, Verdict::Banned);
    assert_eq!(
        f[0].reason,
        "device: r (acquired by 2020-06-30: first seen 2019-03-01)"
    );
    let (v, f) = judge(std::slice::from_ref(&by), &seen("2021-02-01"), today);
    assert_eq!(
        v,
        Verdict::Review,
        "first seen later: it may have been bought earlier"
    );
    assert!(f[0].reason.ends_with("(acquisition date unknown: review)"));
    // In the header, for every rule; "after" is disproved by an early first sighting.
    let after = policy(
        "[policy]\nname = \"t\"\nversion = \"1\"\nfirst_seen_as_acquired = true\n\
         [[rule]]\nid = \"a\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\nacquired_after = 2018-08-13\n",
    );
    assert_eq!(
        judge(std::slice::from_ref(&after), &seen("2018-08-13"), today),
        (Verdict::Clear, vec![])
    );
    assert_eq!(
        judge(std::slice::from_ref(&after), &seen("2019-01-01"), today).0,
        Verdict::Review
    );
    // Without the flag, a first sighting settles nothing.
    let plain = one_rule("acquired_by = 2020-06-30");
    assert_eq!(
        judge(&[plain], &seen("2019-03-01"), today).0,
        Verdict::Review
    );
    // The carrier's books win over a first sighting.
    let booked = Observed {
        context: Context {
            acquired: Some(Sourced::new(day("2020-07-01"), "inventory a.csv:9")),
            first_seen: Some(day("2019-03-01")),
            ..Context::default()
        },
        ..huawei_switch()
    };
    assert_eq!(judge(&[by], &booked, today), (Verdict::Clear, vec![]));
}

#[test]
fn bad_conditions_name_line_and_column() {
    let rule =
        "[[rule]]\nid = \"o\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\n";
    let (l, c, r) = error(&format!("{HEADER}{rule}roles = [\"core\", \" \"]\n"));
    assert_eq!((l, c), (9, 18), "{r}");
    assert!(r.starts_with("expected a role"), "{r}");
    let (l, c, r) = error(&format!("{HEADER}{rule}technologies = [\"\"]\n"));
    assert_eq!((l, c), (9, 17), "{r}");
    assert!(r.starts_with("expected a technology"), "{r}");
    let (l, c, r) = error(&format!("{HEADER}{rule}sites = [\"/LON(/\"]\n"));
    assert_eq!((l, c), (9, 10), "{r}");
    assert!(r.starts_with("bad site pattern"), "{r}");
    let (l, _, r) = error(&format!("{HEADER}{rule}acquired_by = \"2020\"\n"));
    assert_eq!(l, 9, "{r}");
    let (l, c, r) = error(&format!(
        "{HEADER}{rule}acquired_by = 2018-01-01\nacquired_after = 2018-01-01\n"
    ));
    assert_eq!((l, c), (10, 18), "{r}");
    assert!(r.contains("no device could match"), "{r}");
    let (l, _, r) = error(&format!("{HEADER}{rule}first_seen_as_acquired = \"yes\"\n"));
    assert_eq!(l, 9, "{r}");
}

#[test]
fn bad_shares_name_line_and_column() {
    let share = "[[share]]\nid = \"s\"\nreason = \"r\"\norigins = [\"huawei\"]\n";
    let (l, c, r) = error(&format!(
        "{HEADER}{share}technologies = [\"gpon\"]\nmax_share = 35\n"
    ));
    assert_eq!((l, c), (9, 13), "{r}");
    assert!(r.contains("between 0 and 1"), "{r}");
    let (l, c, r) = error(&format!(
        "{HEADER}{share}technologies = [\"gpon\"]\nmax_share = 0.35\ncount = \"weight\"\n"
    ));
    assert_eq!((l, c), (10, 9), "{r}");
    assert!(r.contains("\"devices\" or \"ports\""), "{r}");
    let (l, _, r) = error(&format!("{HEADER}{share}max_share = 0.35\n"));
    assert_eq!(l, 5, "{r}");
    assert!(r.contains("needs technologies or roles"), "{r}");
    let (l, _, r) = error(&format!("{HEADER}{share}technologies = [\"gpon\"]\n"));
    assert!(
        r.contains("max_share"),
        "missing max_share at line {l}: {r}"
    );
    let (l, c, r) = error(&format!(
        "{HEADER}[[share]]\nid = \"s\"\nreason = \"r\"\norigins = [\"acme\"]\nroles = [\"core\"]\nmax_share = 0.5\n"
    ));
    assert_eq!((l, c), (7, 12), "{r}");
    let (l, _, r) = error(&format!(
        "{HEADER}[[rule]]\nid = \"s\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\n\
         {share}roles = [\"core\"]\nmax_share = 0.5\n"
    ));
    assert_eq!(l, 10, "{r}");
    assert!(r.contains("used twice"), "{r}");
    // A good one reads as written.
    let p = policy(&format!(
        "{HEADER}{share}roles = [\"Distribution\"]\ntechnologies = [\"LTE\", \"NR\"]\nmax_share = 0.5\ncount = \"ports\"\n"
    ));
    let s = &p.shares[0];
    assert_eq!(s.of.of(), "role aggregation and technology 4g or 5g");
    assert_eq!((s.max_share, s.count.as_str()), (0.5, "ports"));
}

#[test]
fn a_role_or_technology_word_the_rules_do_not_know_is_noted_where_it_is() {
    let p = policy(
        "[policy]\nname = \"p\"\nversion = \"1\"\n\
         [[rule]]\nid = \"r\"\nverdict = \"banned\"\nreason = \"r\"\norigins = [\"huawei\"]\n\
         technologies = [\"LTE\", \"5h\"]\nroles = [\"core\", \"Lab Gear\"]\n",
    );
    assert_eq!(p.rules[0].conditions.technologies, ["4g", "5h"]);
    assert_eq!(p.notes.len(), 2, "{:?}", p.notes);
    let said = |place: &str, words: &str| {
        assert!(
            p.notes
                .iter()
                .any(|n| n.starts_with(place) && n.contains(words)),
            "no {place} {words} in {:?}",
            p.notes
        )
    };
    said("test.toml:9:", "technology \"5h\" is none the rules know");
    said("test.toml:10:", "role \"lab-gear\" is none the rules know");
    // The shipped policies use only words the rules know.
    for name in [
        "huawei-origin",
        "canada-2022",
        "uk-2020",
        "us-fcc-covered-list",
    ] {
        assert!(
            shipped(name).notes.is_empty(),
            "{name}: {:?}",
            shipped(name).notes
        );
    }
}
