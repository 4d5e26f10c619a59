use std::collections::BTreeMap;

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

/// The straightforward forms of the cleaning, normalising and building above, as they were
/// written before they were made fast (an allocation per word, a `Vec` per name): what the
/// fast forms must answer, name for name.
mod reference {
    use super::super::*;

    fn legal_key(word: &str) -> String {
        word.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }

    pub fn clean_organisation(raw: &str) -> String {
        let mut outside = String::with_capacity(raw.len());
        let mut depth = 0usize;
        for c in raw.chars() {
            match c {
                '(' | '[' | '<' => depth += 1,
                ')' | ']' | '>' => depth = depth.saturating_sub(1),
                _ if depth == 0 => outside.push(c),
                _ => {}
            }
        }
        let mut words: Vec<&str> = outside
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .filter(|w| {
                let l = w.to_ascii_lowercase();
                !(l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www."))
            })
            .collect();
        let mut dropped_legal = false;
        while words.len() > 1 {
            let key = legal_key(words[words.len() - 1]);
            let legal = match key.as_str() {
                "private" => dropped_legal,
                "de" => dropped_legal,
                "" => true,
                k => LEGAL_FORMS.contains(&k),
            };
            if !legal {
                break;
            }
            dropped_legal = !key.is_empty();
            words.pop();
        }
        if words.len() > 1 && words[0].eq_ignore_ascii_case("the") {
            words.remove(0);
        }
        let cleaned = words
            .join(" ")
            .trim_matches(|c: char| !c.is_alphanumeric() && c != ')' && c != '+')
            .to_string();
        if cleaned.is_empty() {
            raw.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            cleaned
        }
    }

    pub fn group_key(name: &str) -> String {
        let mut key = String::with_capacity(name.len());
        for c in name.chars().flat_map(char::to_lowercase) {
            let folded = fold_latin(c);
            if folded.is_empty() {
                if !key.is_empty() && !key.ends_with('-') {
                    key.push('-');
                }
            } else {
                key.push_str(folded);
            }
        }
        key.trim_end_matches('-').to_string()
    }

    /// The normalised form and each word's byte range.
    pub fn normalise(text: &str) -> (String, Vec<(usize, usize)>) {
        let (mut out, mut spans) = (String::new(), Vec::new());
        let mut start = None;
        for c in text.chars() {
            if c.is_alphanumeric() {
                if start.is_none() {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    start = Some(out.len());
                }
                out.extend(c.to_lowercase());
            } else if let Some(s) = start.take() {
                spans.push((s, out.len()));
            }
        }
        if let Some(s) = start {
            spans.push((s, out.len()));
        }
        (out, spans)
    }

    fn word_counts(registrants: &[(String, u32)]) -> HashMap<&str, usize> {
        let mut distinct: HashSet<&str> = HashSet::new();
        let mut generic: HashMap<&str, usize> = HashMap::new();
        for (name, _) in registrants {
            if !distinct.insert(name.as_str()) {
                continue;
            }
            let mut seen: Vec<&str> = Vec::new();
            for w in name.split(' ') {
                if !seen.contains(&w) {
                    seen.push(w);
                    *generic.entry(w).or_default() += 1;
                }
            }
        }
        generic
    }

    fn fires(key: &str, curated: bool, generic: &HashMap<&str, usize>, x: &Exclusions) -> bool {
        if x.excluded.contains(key) {
            return false;
        }
        if x.kept.contains(key) {
            return true;
        }
        let words: Vec<&str> = key.split(' ').collect();
        let is_generic = |w: &str| {
            JOINING.contains(&w) || generic.get(w).is_some_and(|n| *n >= GENERIC_WORD_NAMES)
        };
        if words
            .iter()
            .all(|w| is_generic(w) || w.chars().all(|c| c.is_ascii_digit()))
        {
            return false;
        }
        if let [only] = words[..] {
            let letters = only.chars().count();
            if x.dictionary.contains(only) || letters < if curated { 2 } else { MIN_SINGLE_WORD } {
                return false;
            }
        }
        true
    }

    fn add(names: &mut Names, key: &str, vendor: u32, fire: bool) {
        if key.is_empty() || names.names.contains_key(key) {
            return;
        }
        names.names.insert(
            key.into(),
            Entry {
                vendor,
                fires: fire,
            },
        );
        if fire {
            let count = key.split(' ').count();
            let first = key.split(' ').next().unwrap_or_default();
            let longest = names.first_words.entry(first.into()).or_default();
            *longest = (*longest).max(count);
        }
    }

    fn own_vendor(cleaned: &str, fallback: impl FnOnce() -> String) -> VendorRef {
        let key = group_key(cleaned);
        VendorRef {
            vendor: cleaned.to_string(),
            origin: if key.is_empty() { fallback() } else { key },
        }
    }

    pub fn build(e: &Enterprises, v: &Vendors, iana: &IanaRegistry, x: &Exclusions) -> Names {
        let mut names = Names {
            parts: x.parts.clone(),
            ..Names::default()
        };
        let mut vendor_index: HashMap<(String, String), u32> = HashMap::new();
        let mut intern = |names: &mut Names, r: &VendorRef| -> u32 {
            *vendor_index
                .entry((r.vendor.clone(), r.origin.clone()))
                .or_insert_with(|| {
                    names.vendors.push(r.clone());
                    (names.vendors.len() - 1) as u32
                })
        };
        let mut registrants: Vec<(String, u32)> = Vec::new();
        for (pen, organisation) in iana.iter() {
            let curated = e.get(pen);
            if curated.is_some_and(|e| e.is_generic_agent()) {
                continue;
            }
            let cleaned = clean_organisation(organisation);
            let key = normalise(&cleaned).0;
            let i = match curated {
                Some(e) => {
                    let r = VendorRef {
                        vendor: e.vendor.clone(),
                        origin: e.origin.clone(),
                    };
                    intern(&mut names, &r)
                }
                None => match v.resolve_normalised(&key) {
                    Some(r) => intern(&mut names, r),
                    None => {
                        names
                            .vendors
                            .push(own_vendor(&cleaned, || format!("pen-{pen}")));
                        (names.vendors.len() - 1) as u32
                    }
                },
            };
            if curated.is_none() {
                names.by_pen.push((pen, i));
            }
            registrants.push((key, i));
        }
        let generic = word_counts(&registrants);
        let curated: Vec<(String, u32)> = v
            .names()
            .filter(|(_, r)| r.origin != GENERIC_AGENTS)
            .map(|(w, r)| (w.join(" "), intern(&mut names, r)))
            .collect();
        for (key, i) in &curated {
            add(&mut names, key, *i, fires(key, true, &generic, x));
        }
        for (key, i) in &registrants {
            add(&mut names, key, *i, fires(key, false, &generic, x));
        }
        names
    }
}

/// Every registrant's and every OUI holder's name, and names made to catch the corners
/// (brackets unclosed or stray, URLs in any case, legal forms in other scripts and with
/// letters whose lower case is ASCII: the Kelvin sign, a dotted capital I).
fn every_registry_name() -> Vec<String> {
    let mut all: Vec<String> = IanaRegistry::bundled()
        .iter()
        .map(|(_, o)| o.to_string())
        .collect();
    for a in crate::identify::oui::OuiRegistry::bundled().assignments() {
        all.extend(a.organization.split("; ").map(str::to_string));
    }
    all.extend(
        [
            "",
            " ",
            "()",
            "(x",
            "Foo) Bar",
            "a > b < c",
            "HTTP://x.example Foo",
            "WwW.foo bar",
            "Foo \u{212a}\u{212a}",
            "Foo Co\u{212a}",
            "Foo \u{130}nc",
            "ÆRØ Straße ǅ Ltd.",
            "Foo, Private",
            "Foo de",
            "Foo S. de R.L. de C.V.",
            "Foo INCORPORATEDX",
            "Foo abcdefghijklmnopqrstu",
            "Foo - & -",
            "The",
            "The Ltd",
            "  The  Foo ,, Ltd ,",
            "株式会社 Foo",
            "Foo 株式会社",
            "+Foo+ (x)",
            "\u{a0}Foo\u{2003}Bar\u{a0}Ltd",
        ]
        .map(str::to_string),
    );
    all
}

#[test]
fn cleaning_and_keys_answer_as_the_reference_for_every_registry_name() {
    let (mut norm, mut spans) = (String::new(), Vec::new());
    for raw in every_registry_name() {
        let cleaned = clean_organisation(&raw);
        assert_eq!(cleaned, reference::clean_organisation(&raw), "{raw:?}");
        for text in [raw.as_str(), cleaned.as_str()] {
            normalise_into(text, &mut norm, &mut spans);
            assert_eq!(
                (&norm, &spans),
                (&reference::normalise(text).0, &reference::normalise(text).1),
                "{text:?}"
            );
            assert_eq!(normalise(text), norm, "{text:?}");
            assert_eq!(group_key(text), reference::group_key(text), "{text:?}");
        }
    }
}

/// Everything `Names::build` makes, in a comparable form.
fn contents(n: &Names) -> impl PartialEq + std::fmt::Debug {
    let names: BTreeMap<String, (u32, bool)> = (n.names.iter())
        .map(|(k, e)| (k.to_string(), (e.vendor, e.fires)))
        .collect();
    let first: BTreeMap<String, usize> = (n.first_words.iter())
        .map(|(k, c)| (k.to_string(), *c))
        .collect();
    (
        n.vendors.clone(),
        n.by_pen.clone(),
        names,
        first,
        n.parts.clone(),
    )
}

#[test]
fn the_names_are_those_the_reference_builds() {
    let enterprises = Enterprises::bundled().unwrap();
    let vendors = Vendors::bundled(&enterprises).unwrap();
    let iana = IanaRegistry::bundled();
    for x in [Exclusions::bundled().unwrap(), Exclusions::default()] {
        let built = Names::build(&enterprises, &vendors, iana, &x);
        let want = reference::build(&enterprises, &vendors, iana, &x);
        assert!(
            contents(&built) == contents(&want),
            "names differ from the reference"
        );
    }
}
