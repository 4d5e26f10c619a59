//! Organisation names as people say them, and the names found in a device's free text.
//!
//! Registries spell organisations as they were registered: "HUAWEI TECHNOLOGIES CO.,LTD",
//! "Xylogics, Inc.", "IBM (`https://w3.ibm.com/standards` )". [`clean_organisation`] drops the
//! legal form and the remarks ("Inc.", "Co., Ltd.", "GmbH & Co. KG", "S.A. de C.V.", a
//! parenthesised URL...) and keeps the name; [`group_key`] makes a company-group key of it.
//! Both the IANA enterprise registry ([`super::iana`]) and the IEEE OUI registry
//! ([`super::oui`]) go through them.
//!
//! A registrant is a vendor in this order: the curated row of `rules/enterprises.tsv` for its
//! number (the brands that differ from the registrant: "ciscoSystems" is Cisco); else a
//! spelling of `rules/vendors.tsv` or a curated display name its name starts with (a Huawei
//! subsidiary is Huawei); else its cleaned name, with a group key of its own. A generic
//! agent's number (origin `net-snmp`, see [`super::enterprises::GENERIC_AGENTS`]) names no
//! vendor.
//!
//! [`Names::find`] finds names in free text (sysDescr, ENTITY-MIB, UPS-MIB...): whole words,
//! case and punctuation ignored, the longest name first, leftmost first, no overlaps. The
//! names that can fire are the curated ones (display names and vendors.tsv spellings) and
//! every registrant's cleaned name, except names that tell nothing in free text:
//! - a one-word name that is a common English word: the lower-case words of Debian's
//!   `wamerican` list that are one-word names here, derived once and kept in
//!   `rules/names-dictionary.txt` ("apple", "controller", "switch"...);
//! - a name whose every word is generic: a word that occurs in at least
//!   [`GENERIC_WORD_NAMES`] registrants' names ("Network Systems", "Internet Solutions"),
//!   or a short joining word ("of", "and", "de");
//! - a one-word registrant name shorter than [`MIN_SINGLE_WORD`] letters, or made of digits;
//! - the names `rules/names.tsv` excludes, each with its reason; that file also keeps a few
//!   curated brands that are dictionary words ("Dell"), each with its reason.
//!
//! Lookups are a hash of the normalised text: one probe per word of the text, more only
//! where a name starts with that word.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::enterprises::{Enterprises, GENERIC_AGENTS, RulesError, tsv_rows};
use super::iana::IanaRegistry;
use super::vendors::{VendorRef, Vendors};

/// A word that occurs in at least this many registrants' (cleaned, distinct) names is generic:
/// "systems", "technology", "university", "beijing"... 254 words of the 2024 registry, each
/// in at least 0.08% of its 61,000 distinct names.
pub const GENERIC_WORD_NAMES: usize = 50;

/// The fewest letters a one-word registrant name needs to fire in free text: two- and
/// three-letter registrant names ("ACC", "PSI", "MIT", "TWG") are mostly acronyms that mean
/// other things in text. Curated names ("HP", "ZTE", "NEC") are not held to it.
pub const MIN_SINGLE_WORD: usize = 4;

/// Text past this many bytes is not searched: a device's description is shorter, and a
/// hostile one must not cost more.
pub const MAX_TEXT: usize = 4096;

/// Registry names that are dictionary words (derived from Debian's wamerican; see the file).
pub const DICTIONARY: &str = include_str!("../../rules/names-dictionary.txt");

/// Curated names to exclude from or keep in free-text matching, with reasons.
pub const CURATED: &str = include_str!("../../rules/names.tsv");

/// Short joining words, never a name's distinctive word.
const JOINING: [&str; 12] = [
    "of", "and", "the", "for", "de", "du", "des", "la", "le", "y", "und", "et",
];

/// Legal forms and their abbreviations, lower case with dots and slashes dropped, as the last
/// words of a registered name.
const LEGAL_FORMS: [&str; 61] = [
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "corporate",
    "co",
    "coltd",
    "company",
    "ltd",
    "limited",
    "ltda",
    "llc",
    "llp",
    "lp",
    "plc",
    "gmbh",
    "mbh",
    "ag",
    "kg",
    "kgaa",
    "ug",
    "ev",
    "sa",
    "sas",
    "sarl",
    "srl",
    "sl",
    "slu",
    "sau",
    "spa",
    "sro",
    "as",
    "asa",
    "aps",
    "ab",
    "publ",
    "oy",
    "oyj",
    "bv",
    "nv",
    "kk",
    "pty",
    "pte",
    "pvt",
    "bhd",
    "sdn",
    "cv",
    "rl",
    "doo",
    "kft",
    "zrt",
    "ooo",
    "zao",
    "oao",
    "pao",
    "jsc",
    "ojsc",
    "cjsc",
    "sac",
    "eirl",
    "spzoo",
];

/// The lower-case, dot-free form of a word, for comparing with [`LEGAL_FORMS`].
fn legal_key(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// [`legal_key`] of a word given to `f`, made on the stack for an ASCII word of up to 16
/// letters and digits.
fn with_legal_key<R>(word: &str, f: impl FnOnce(&str) -> R) -> R {
    let mut key = [0u8; 16];
    let mut n = 0;
    if word.is_ascii() {
        for b in word.bytes().filter(u8::is_ascii_alphanumeric) {
            let Some(slot) = key.get_mut(n) else {
                return f(&legal_key(word));
            };
            *slot = b.to_ascii_lowercase();
            n += 1;
        }
        if let Ok(key) = std::str::from_utf8(&key[..n]) {
            return f(key);
        }
    }
    f(&legal_key(word))
}

/// Whether a word starts a URL ("http://", "https://", "www.", in any case).
fn is_url(word: &str) -> bool {
    ["http://", "https://", "www."].iter().any(|p| {
        word.as_bytes()
            .get(..p.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(p.as_bytes()))
    })
}

/// Buffers [`clean_into`] reuses from one name to the next.
#[derive(Debug, Default)]
struct Scratch {
    /// The name less its bracketed remarks, where it has brackets.
    outside: String,
    /// Byte ranges of the words kept, in the name or `outside`.
    words: Vec<(usize, usize)>,
    /// The cleaned name.
    out: String,
}

/// The name people use for a registered organisation: bracketed remarks and URLs dropped
/// ("IBM (`https://w3.ibm.com/standards` )" → "IBM"), legal forms dropped from the end
/// ("Shenzhen Foo Technology Co., Ltd." → "Shenzhen Foo Technology", "Rohde & Schwarz GmbH &
/// Co. KG" → "Rohde & Schwarz"), a leading "The" dropped, spaces made single. The registered
/// name comes back trimmed if nothing else would be left.
pub fn clean_organisation(raw: &str) -> String {
    clean_into(raw, &mut Scratch::default()).to_string()
}

/// [`clean_organisation`] into `scratch`'s buffers, allocating only where they must grow.
fn clean_into<'s>(raw: &str, scratch: &'s mut Scratch) -> &'s str {
    let Scratch {
        outside: buf,
        words,
        out,
    } = scratch;
    let brackets = |b: u8| matches!(b, b'(' | b'[' | b'<' | b')' | b']' | b'>');
    let outside = if raw.bytes().any(brackets) {
        buf.clear();
        let mut depth = 0usize;
        for c in raw.chars() {
            match c {
                '(' | '[' | '<' => depth += 1,
                ')' | ']' | '>' => depth = depth.saturating_sub(1),
                _ if depth == 0 => buf.push(c),
                _ => {}
            }
        }
        buf.as_str()
    } else {
        raw
    };
    // The words between whitespace and commas, URLs left out.
    words.clear();
    let mut start = None;
    for (i, c) in outside.char_indices().chain([(outside.len(), ' ')]) {
        if c.is_whitespace() || c == ',' {
            if let Some(s) = start.take()
                && !is_url(&outside[s..i])
            {
                words.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    let word = |(s, e): (usize, usize)| &outside[s..e];
    let mut end = words.len();
    let mut dropped_legal = false;
    while end > 1 {
        let (legal, empty) = with_legal_key(word(words[end - 1]), |key| {
            // "Private" is a legal form only before "Limited" (Indian "Pvt. Ltd."); "de" only
            // inside "S.A. de C.V." and "S. de R.L.".
            let legal = match key {
                "private" | "de" => dropped_legal,
                "" => true,
                k => LEGAL_FORMS.contains(&k),
            };
            (legal, key.is_empty())
        });
        if !legal {
            break;
        }
        dropped_legal = !empty;
        end -= 1;
    }
    let first = usize::from(end > 1 && word(words[0]).eq_ignore_ascii_case("the"));
    out.clear();
    for (k, &w) in words[first..end].iter().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(word(w));
    }
    let kept = |c: char| c.is_alphanumeric() || c == ')' || c == '+';
    let from = out.len() - out.trim_start_matches(|c| !kept(c)).len();
    let to = out.trim_end_matches(|c| !kept(c)).len();
    if from < to {
        return &out[from..to];
    }
    out.clear();
    for (k, w) in raw.split_whitespace().enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// A company-group key for an organisation with no curated group: its name in lower-case
/// ASCII letters and digits, runs of anything else made one `-` ("Shenzhen Foo Technology" →
/// `shenzhen-foo-technology`); Latin letters with accents lose them. Empty when the name has
/// no such letter (a name in another script).
pub fn group_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    // Whether a run of anything else lies between the key so far and what comes next.
    let mut dash = false;
    let mut push = |folded: &str| {
        if folded.is_empty() {
            dash = !key.is_empty();
        } else {
            if dash {
                key.push('-');
                dash = false;
            }
            key.push_str(folded);
        }
    };
    for c in name.chars() {
        if c.is_ascii() {
            // An ASCII character's lower case is one ASCII character.
            push(fold_latin(c.to_ascii_lowercase()));
        } else {
            for lower in c.to_lowercase() {
                push(fold_latin(lower));
            }
        }
    }
    key
}

/// A lower-case letter or digit as ASCII: itself, its unaccented Latin letter, or nothing.
fn fold_latin(c: char) -> &'static str {
    const ASCII: [&str; 36] = [
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f", "g", "h",
        "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z",
    ];
    match c {
        '0'..='9' => ASCII[c as usize - '0' as usize],
        'a'..='z' => ASCII[10 + c as usize - 'a' as usize],
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'ł' | 'ľ' => "l",
        'ñ' | 'ń' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ő' => "o",
        'œ' => "oe",
        'ř' => "r",
        'ś' | 'š' | 'ş' => "s",
        'ß' => "ss",
        'ť' | 'ţ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ů' | 'ű' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => "",
    }
}

/// Lower-case words, punctuation as separators, joined by single spaces into `out` (cleared
/// first); returns each word's byte range in `out`.
fn normalise_into(text: &str, out: &mut String, spans: &mut Vec<(usize, usize)>) {
    out.clear();
    spans.clear();
    let mut start = None;
    for c in text.chars() {
        // ASCII (most text) without Unicode's tables: the same answers.
        let alphanumeric = if c.is_ascii() {
            c.is_ascii_alphanumeric()
        } else {
            c.is_alphanumeric()
        };
        if alphanumeric {
            if start.is_none() {
                if !out.is_empty() {
                    out.push(' ');
                }
                start = Some(out.len());
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else if let Some(s) = start.take() {
            spans.push((s, out.len()));
        }
    }
    if let Some(s) = start {
        spans.push((s, out.len()));
    }
}

/// The normalised form of a name: lower-case words joined by single spaces.
pub fn normalise(text: &str) -> String {
    let (mut out, mut spans) = (String::new(), Vec::new());
    normalise_into(text, &mut out, &mut spans);
    out
}

/// FNV-1a: the keys are short strings, probed once per word of a device's text.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A name found in text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<'a> {
    /// The name as found, normalised (lower case, single spaces).
    pub name: &'a str,
    /// The vendor it stands for.
    pub vendor: &'a VendorRef,
}

/// A known name.
#[derive(Debug, Clone)]
struct Entry {
    /// Index into `Names::vendors`.
    vendor: u32,
    /// Whether it may be found in free text.
    fires: bool,
}

/// The names of every registered enterprise and every curated vendor, for turning a registry
/// name into a vendor and for finding names in text.
#[derive(Debug, Clone, Default)]
pub struct Names {
    vendors: Vec<VendorRef>,
    /// Registrants of numbers without a curated row: (number, index into `vendors`).
    by_pen: Vec<(u32, u32)>,
    /// Every name, normalised.
    names: FnvMap<Box<str>, Entry>,
    /// For each first word of a name that fires: the most words such a name has.
    first_words: FnvMap<Box<str>, usize>,
    /// Normalised cleaned names of the makers of parts (`part` in `rules/names.tsv`).
    parts: BTreeSet<String>,
}

/// What the curated `rules/names.tsv` says of a name.
#[derive(Debug, Clone, Default)]
pub struct Exclusions {
    /// Normalised one-word names that are dictionary words.
    dictionary: BTreeSet<String>,
    /// Normalised names never to fire.
    excluded: BTreeSet<String>,
    /// Normalised curated names to fire although they are dictionary words.
    kept: BTreeSet<String>,
    /// Normalised names of makers of parts and white-label platforms: never a device's maker.
    parts: BTreeSet<String>,
}

impl Exclusions {
    /// The bundled lists.
    pub fn bundled() -> Result<Self, RulesError> {
        Exclusions::parse(
            ("rules/names-dictionary.txt", DICTIONARY),
            ("rules/names.tsv", CURATED),
        )
    }

    /// Parses the dictionary list (one lower-case name a line, `#` comments) and the curated
    /// `name<TAB>action<TAB>reason` table (action `exclude` or `keep`; a reason is required).
    pub fn parse(dictionary: (&str, &str), curated: (&str, &str)) -> Result<Self, RulesError> {
        let mut x = Exclusions::default();
        for (i, line) in dictionary.1.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if normalise(line) != line || line.contains(' ') {
                return Err(RulesError::on_line(
                    dictionary.0,
                    i + 1,
                    format!("expected one lower-case word, found {line:?}"),
                ));
            }
            x.dictionary.insert(line.to_string());
        }
        let (file, text) = curated;
        for (n, [name, action, reason]) in tsv_rows(file, text, ["name", "action", "reason"])? {
            let err = |reason: String| RulesError::on_line(file, n, reason);
            let key = normalise(name);
            if key.is_empty() || reason.trim().is_empty() {
                return Err(err("a name and a reason are required".into()));
            }
            match action {
                "exclude" => x.excluded.insert(key),
                "keep" => x.kept.insert(key),
                // A part's maker is not found in text either.
                "part" => x.excluded.insert(key.clone()) | x.parts.insert(key),
                _ => {
                    return Err(err(format!(
                        "action must be exclude, keep or part, not {action:?}"
                    )));
                }
            };
        }
        Ok(x)
    }
}

/// Word statistics over the distinct registrant names: in how many names each word appears.
fn word_counts(registrants: &[(Box<str>, u32)]) -> FnvMap<&str, usize> {
    let mut distinct: HashSet<&str, BuildHasherDefault<Fnv>> =
        HashSet::with_capacity_and_hasher(registrants.len(), BuildHasherDefault::default());
    let mut generic: FnvMap<&str, usize> =
        FnvMap::with_capacity_and_hasher(registrants.len(), BuildHasherDefault::default());
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in registrants {
        if !distinct.insert(name) {
            continue;
        }
        seen.clear();
        for w in name.split(' ') {
            if !seen.contains(&w) {
                seen.push(w);
                *generic.entry(w).or_default() += 1;
            }
        }
    }
    generic
}

/// What decides whether a normalised name may be found in free text, in tables for the
/// registry's 62,000 names.
struct Firing<'a> {
    /// The generic words: [`JOINING`] and every word in at least [`GENERIC_WORD_NAMES`]
    /// registrants' names.
    generic: HashSet<&'a str, BuildHasherDefault<Fnv>>,
    /// `rules/names.tsv`'s verdicts: `false` for an excluded name, else `true` for a kept one.
    curated: FnvMap<&'a str, bool>,
    /// The dictionary words.
    dictionary: HashSet<&'a str, BuildHasherDefault<Fnv>>,
}

impl<'a> Firing<'a> {
    fn new(registrants: &'a [(Box<str>, u32)], x: &'a Exclusions) -> Self {
        let generic = word_counts(registrants)
            .into_iter()
            .filter(|(_, n)| *n >= GENERIC_WORD_NAMES)
            .map(|(w, _)| w)
            .chain(JOINING)
            .collect();
        let mut curated = FnvMap::default();
        curated.extend(x.kept.iter().map(|k| (k.as_str(), true)));
        curated.extend(x.excluded.iter().map(|k| (k.as_str(), false)));
        Firing {
            generic,
            curated,
            dictionary: x.dictionary.iter().map(String::as_str).collect(),
        }
    }

    /// Whether a normalised name may be found in free text. `curated`: a netorigin display
    /// name or spelling (held to fewer letters than a registrant's name).
    fn fires(&self, key: &str, curated: bool) -> bool {
        if let Some(&verdict) = self.curated.get(key) {
            return verdict;
        }
        let telling = |w: &str| !self.generic.contains(w) && !w.bytes().all(|b| b.is_ascii_digit());
        if !key.split(' ').any(telling) {
            return false;
        }
        if !key.contains(' ') {
            let letters = key.chars().count();
            if self.dictionary.contains(key) || letters < if curated { 2 } else { MIN_SINGLE_WORD }
            {
                return false;
            }
        }
        true
    }
}

/// The vendors of `Names::vendors` that several names share, each pushed once.
#[derive(Default)]
struct Interner<'a> {
    index: FnvMap<(&'a str, &'a str), u32>,
}

impl<'a> Interner<'a> {
    /// The index of (vendor, origin) in `names.vendors`, pushed there the first time.
    fn get(&mut self, names: &mut Names, vendor: &'a str, origin: &'a str) -> u32 {
        *self.index.entry((vendor, origin)).or_insert_with(|| {
            names.vendors.push(VendorRef {
                vendor: vendor.to_string(),
                origin: origin.to_string(),
            });
            (names.vendors.len() - 1) as u32
        })
    }
}

impl Names {
    /// Whether an organisation (an IEEE OUI's holder, as registered) makes parts or
    /// white-label platforms (`part` in `rules/names.tsv`): its MAC on a device's interface
    /// names the network chip or the board, not the maker of the device.
    pub fn is_part_maker(&self, organisation: &str) -> bool {
        self.parts
            .contains(&normalise(&clean_organisation(organisation)))
    }

    /// The names of the bundled tables, built once per process.
    ///
    /// # Panics
    /// Never on the bundled files, whose parse unit tests check.
    pub fn bundled() -> &'static Names {
        static NAMES: OnceLock<Names> = OnceLock::new();
        NAMES.get_or_init(|| {
            let enterprises = Enterprises::bundled().expect("bundled enterprises parse");
            let vendors = Vendors::bundled(&enterprises).expect("bundled vendors parse");
            let exclusions = Exclusions::bundled().expect("bundled name lists parse");
            Names::build(&enterprises, &vendors, IanaRegistry::bundled(), &exclusions)
        })
    }

    /// Builds the names from the curated tables and the registry.
    pub fn build(
        enterprises: &Enterprises,
        vendors: &Vendors,
        iana: &IanaRegistry,
        exclusions: &Exclusions,
    ) -> Names {
        let mut names = Names {
            parts: exclusions.parts.clone(),
            ..Names::default()
        };
        let mut interner = Interner::default();
        // Registrants, as vendors.
        let mut registrants: Vec<(Box<str>, u32)> = Vec::with_capacity(iana.len());
        names.by_pen.reserve(iana.len());
        names.vendors.reserve(iana.len());
        let (mut scratch, mut key, mut spans) = (Scratch::default(), String::new(), Vec::new());
        for (pen, organisation) in iana.iter() {
            let curated = enterprises.get(pen);
            if curated.is_some_and(|e| e.is_generic_agent()) {
                continue;
            }
            let cleaned = clean_into(organisation, &mut scratch);
            normalise_into(cleaned, &mut key, &mut spans);
            let i = match curated {
                Some(e) => interner.get(&mut names, &e.vendor, &e.origin),
                None => match vendors.resolve_normalised(&key) {
                    Some(r) => interner.get(&mut names, &r.vendor, &r.origin),
                    // A name of its own: not interned (a repeat costs a row, not a lookup).
                    None => {
                        names
                            .vendors
                            .push(own_vendor(cleaned, || format!("pen-{pen}")));
                        (names.vendors.len() - 1) as u32
                    }
                },
            };
            if curated.is_none() {
                names.by_pen.push((pen, i));
            }
            registrants.push((key.as_str().into(), i));
        }
        names.names.reserve(registrants.len() + 1024);
        // Curated names first: they win over a registrant of the same name.
        let curated: Vec<(Box<str>, u32)> = vendors
            .names()
            .filter(|(_, r)| r.origin != GENERIC_AGENTS)
            .map(|(w, r)| {
                let i = interner.get(&mut names, &r.vendor, &r.origin);
                (w.join(" ").into_boxed_str(), i)
            })
            .collect();
        // Whether each may fire, decided before the names move into the index.
        let firing = Firing::new(&registrants, exclusions);
        let fire: Vec<bool> = (curated.iter().map(|(key, _)| firing.fires(key, true)))
            .chain(registrants.iter().map(|(key, _)| firing.fires(key, false)))
            .collect();
        drop(firing);
        for ((key, i), fire) in curated.into_iter().chain(registrants).zip(fire) {
            names.add(key, i, fire);
        }
        names
    }

    /// Adds a normalised name for vendor index `vendor`, unless the name is empty or known:
    /// the first to come wins. `fire`: whether it may be found in free text.
    fn add(&mut self, key: Box<str>, vendor: u32, fire: bool) {
        if key.is_empty() || self.names.contains_key(&key) {
            return;
        }
        if fire {
            let count = key.split(' ').count();
            let first = key.split(' ').next().unwrap_or_default();
            match self.first_words.get_mut(first) {
                Some(longest) => *longest = (*longest).max(count),
                None => {
                    self.first_words.insert(first.into(), count);
                }
            }
        }
        self.names.insert(
            key,
            Entry {
                vendor,
                fires: fire,
            },
        );
    }

    /// The vendor a registered enterprise number stands for when `rules/enterprises.tsv` has
    /// no row for it: the registrant, resolved as the module docs say. `None` for an
    /// unassigned number and for a number with a curated row.
    pub fn enterprise(&self, pen: u32) -> Option<&VendorRef> {
        let i = self.by_pen.binary_search_by_key(&pen, |e| e.0).ok()?;
        self.vendors.get(self.by_pen[i].1 as usize)
    }

    /// The vendor an organisation name from a registry stands for (an IEEE OUI's holder): a
    /// curated spelling, else a registrant of the same cleaned name, else the cleaned name
    /// with its own group key. `None` for a name that names nobody (empty, or IEEE's
    /// "Private" for a holder that asked not to be listed).
    pub fn organisation(&self, vendors: &Vendors, organisation: &str) -> Option<VendorRef> {
        if let Some(r) = vendors.resolve(organisation) {
            return Some(r.clone());
        }
        let cleaned = clean_organisation(organisation);
        if cleaned.is_empty() || cleaned.eq_ignore_ascii_case("private") {
            return None;
        }
        if let Some(e) = self.names.get(normalise(&cleaned).as_str()) {
            return self.vendors.get(e.vendor as usize).cloned();
        }
        let r = own_vendor(&cleaned, String::new);
        (!r.origin.is_empty()).then_some(r)
    }

    /// Every name in `text` that may fire (see the module docs): whole words, longest first,
    /// left to right, no overlaps; one entry per distinct vendor, in order of appearance.
    pub fn find(&self, text: &str) -> Vec<Found<'_>> {
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let (mut norm, mut spans) = (String::new(), Vec::new());
        normalise_into(&text[..end], &mut norm, &mut spans);
        let mut found: Vec<Found<'_>> = Vec::new();
        let mut i = 0;
        while i < spans.len() {
            let (start, first_end) = spans[i];
            let Some(&longest) = self.first_words.get(&norm[start..first_end]) else {
                i += 1;
                continue;
            };
            let mut matched = 0;
            for n in (1..=longest.min(spans.len() - i)).rev() {
                let key = &norm[start..spans[i + n - 1].1];
                if let Some((name, e)) = self.names.get_key_value(key)
                    && e.fires
                {
                    let vendor = &self.vendors[e.vendor as usize];
                    if !found.iter().any(|f| f.vendor == vendor) {
                        found.push(Found { name, vendor });
                    }
                    matched = n;
                    break;
                }
            }
            i += matched.max(1);
        }
        found
    }

    /// Whether a name (any spelling) may fire in free text.
    pub fn fires(&self, name: &str) -> bool {
        self.names
            .get(normalise(name).as_str())
            .is_some_and(|e| e.fires)
    }

    /// The one-word names (curated and registrants') before the dictionary is applied: the
    /// list `rules/names-dictionary.txt` is derived from, with a word list.
    pub fn one_word_names(&self) -> BTreeSet<&str> {
        self.names
            .keys()
            .map(|k| &**k)
            .filter(|k| !k.contains(' '))
            .collect()
    }
}

/// A vendor of its own for a cleaned registry name; `fallback` gives the key of a name with no
/// Latin letter.
fn own_vendor(cleaned: &str, fallback: impl FnOnce() -> String) -> VendorRef {
    let key = group_key(cleaned);
    VendorRef {
        vendor: cleaned.to_string(),
        origin: if key.is_empty() { fallback() } else { key },
    }
}

#[cfg(test)]
mod tests;
