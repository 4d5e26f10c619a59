use super::*;

#[test]
fn legal_forms_and_remarks_are_dropped() {
    for (raw, want) in [
        ("Xylogics, Inc.", "Xylogics"),
        ("IBM (https://w3.ibm.com/standards )", "IBM"),
        (
            "Shenzhen Foo Technology Co., Ltd.",
            "Shenzhen Foo Technology",
        ),
        ("HUAWEI TECHNOLOGIES CO.,LTD", "HUAWEI TECHNOLOGIES"),
        ("Rohde & Schwarz GmbH & Co. KG", "Rohde & Schwarz"),
        ("Grupo Foo S.A. de C.V.", "Grupo Foo"),
        ("Foo Software Private Limited", "Foo Software"),
        ("Acme Pty. Ltd", "Acme"),
        ("Nokia Oyj", "Nokia"),
        ("Ericsson AB", "Ericsson"),
        ("Telecom Italia S.p.A.", "Telecom Italia"),
        ("Foo K.K.", "Foo"),
        ("Vodafone Group PLC", "Vodafone Group"),
        ("Foo B.V.", "Foo"),
        ("Intel Corporate", "Intel"),
        ("The Foo Company", "Foo"),
        ("Arduino (http://www.arduino.cc/)", "Arduino"),
        (
            "Skillsunited.co.uk <http://Skillsunited.co.uk>",
            "Skillsunited.co.uk",
        ),
        ("Limited", "Limited"),
        ("Private Networks Ltd", "Private Networks"),
    ] {
        assert_eq!(clean_organisation(raw), want, "{raw}");
    }
}

#[test]
fn part_makers_are_known_by_their_registered_names() {
    let n = names();
    for org in [
        "REALTEK SEMICONDUCTOR CORP.",
        "Intel Corporate",
        "Intel Corporation",
        "AZS Technology AG",
        "LANNER ELECTRONICS, INC.",
        "Nexcom International Co., Ltd.",
        "PORTWELL, INC.",
        "MARVELL SEMICONDUCTOR, INC.",
    ] {
        assert!(n.is_part_maker(org), "{org}");
    }
    assert!(!n.is_part_maker("Cisco Systems, Inc"));
    assert!(!n.is_part_maker("Super Micro Computer, Inc."));
}

#[test]
fn group_keys_are_ascii_slugs() {
    assert_eq!(
        group_key("Shenzhen Foo Technology"),
        "shenzhen-foo-technology"
    );
    assert_eq!(group_key("Teracom Telemática"), "teracom-telematica");
    assert_eq!(group_key("Rohde & Schwarz"), "rohde-schwarz");
    assert_eq!(group_key("株式会社"), "");
}

fn names() -> &'static Names {
    Names::bundled()
}

#[test]
fn a_registry_only_number_names_its_cleaned_registrant() {
    let n = names();
    // 15 Xylogics, Inc. has no curated row.
    let r = n.enterprise(15).unwrap();
    assert_eq!(
        (r.vendor.as_str(), r.origin.as_str()),
        ("Xylogics", "xylogics")
    );
    assert!(n.enterprise(9).is_none(), "Cisco has a curated row");
    assert!(n.enterprise(0).is_none(), "reserved");
}

#[test]
fn a_registrant_that_starts_with_a_known_vendor_is_that_vendor() {
    let n = names();
    let huawei_device = IanaRegistry::bundled()
        .iter()
        .find(|(pen, o)| o.starts_with("Huawei Device") && n.enterprise(*pen).is_some())
        .map(|(pen, _)| pen);
    if let Some(pen) = huawei_device {
        assert_eq!(n.enterprise(pen).unwrap().origin, "huawei");
    }
    let v = Vendors::bundled(&Enterprises::bundled().unwrap()).unwrap();
    let r = n.organisation(&v, "Hewlett-Packard").unwrap();
    assert_eq!(
        r.origin, "hpe",
        "PEN 11's registrant, through its curated row"
    );
}

#[test]
fn names_in_text_whole_words_longest_first() {
    let n = names();
    let found = n.find("XG-3000 managed switch by Xylogics, Inc.");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].vendor.origin, "xylogics");
    assert!(n.find("Xylogicsnet 4.2").is_empty(), "whole words only");
    let found = n.find("HUAWEI TECHNOLOGIES CO.,LTD OptiX");
    assert_eq!(found[0].vendor.origin, "huawei");
    assert_eq!(
        found[0].name, "huawei technologies co",
        "the longest spelling"
    );
}

#[test]
fn dictionary_and_generic_names_do_not_fire() {
    let n = names();
    for text in [
        "Unix server on the internet with a firewall controller",
        "Network Systems Solutions Technology Software",
        "apple orchard",
        "MIT licence, PSI pressure",
    ] {
        assert!(n.find(text).is_empty(), "{text}: {:?}", n.find(text));
    }
    assert!(!n.fires("Unix"), "PEN 4 Unix is an English word");
}

#[test]
fn bundled_lists_parse_and_errors_name_the_line() {
    Exclusions::bundled().unwrap();
    let e =
        Exclusions::parse(("d", "ok\nTwo Words\n"), ("c", "name\taction\treason\n")).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("d", 2));
    let e =
        Exclusions::parse(("d", ""), ("c", "name\taction\treason\nFoo\tdrop\twhy\n")).unwrap_err();
    assert_eq!((e.file.as_str(), e.line), ("c", 2));
    let e =
        Exclusions::parse(("d", ""), ("c", "name\taction\treason\nFoo\texclude\t\n")).unwrap_err();
    assert_eq!(e.line, 2);
}

/// `rules/names-dictionary.txt` is the one-word names that Debian's word list
/// (`apt-get install wamerican`, /usr/share/dict/american-english) holds as common words:
/// its lower-case entries (its capitalised ones are proper nouns, company names among
/// them). Run with `--ignored` where the list is installed; `NAMES_DICTIONARY_WRITE=1`
/// writes the list afresh.
#[test]
#[ignore = "needs /usr/share/dict/american-english (Debian wamerican)"]
fn the_dictionary_list_is_derived_from_wamerican() {
    let words: BTreeSet<String> = std::fs::read_to_string("/usr/share/dict/american-english")
        .unwrap()
        .lines()
        .filter(|w| w.chars().all(|c| !c.is_uppercase()))
        .map(str::to_string)
        .collect();
    let enterprises = Enterprises::bundled().unwrap();
    let vendors = Vendors::bundled(&enterprises).unwrap();
    let n = Names::build(
        &enterprises,
        &vendors,
        IanaRegistry::bundled(),
        &Exclusions::default(),
    );
    let derived: Vec<&str> = n
        .one_word_names()
        .into_iter()
        .filter(|w| words.contains(*w))
        .collect();
    let mut text = String::from(
        "# One-word organisation names (IANA registrants' cleaned names and netorigin's\n\
         # curated vendor names) that are common words of Debian's wamerican 2020.12.07-2\n\
         # list (/usr/share/dict/american-english): its lower-case entries, not its proper\n\
         # nouns (Cisco, Nokia and IBM are there too). Such a name does not\n\
         # fire in free text (src/identify/names.rs). Derived, not edited: regenerate with\n\
         # NAMES_DICTIONARY_WRITE=1 cargo test --lib names -- --ignored\n",
    );
    for w in &derived {
        text.push_str(w);
        text.push('\n');
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/names-dictionary.txt");
    if std::env::var_os("NAMES_DICTIONARY_WRITE").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    assert_eq!(std::fs::read_to_string(path).unwrap(), text);
}
