//! The patterns of the identification rules (sysDescr fingerprints, inventory rules).
//!
//! The regex crate's engine, configured for how the rules are used: hundreds of patterns held
//! for the whole run, each tried against one short text per device and most of them failing.
//! Two things differ from `regex::Regex`:
//!
//! - No one-pass DFA. The regex crate builds one per pattern with captures to extract them
//!   quickly; over the bundled rules they took 23 MB of a sweep's memory, for captures that are
//!   taken once per device (after a match), where the backtracker serves as well.
//! - A literal prefilter. Most rules are anchored at the start of the text (`\A\s*...`), so the
//!   engine cannot skip ahead to a literal and reads the whole text before it fails. When a
//!   pattern cannot match without some literal (say `Versatile Routing Platform`), a text
//!   without it fails at the cost of a substring search.
//!
//! - Compiled when first needed. A pattern is parsed when its rule is loaded (a syntax error
//!   names the rule then), but its automaton is built the first time a text gets past the
//!   literal prefilter: building all of them took nine tenths of a sweep's start on the main
//!   thread before the first datagram could go, and most are never needed in a given sweep.
//!   The bundled rules' patterns are all built by a unit test, so none fails at run time.
//!
//! Patterns are compiled with `(?s)`: `.` matches a line break, as sysDescr values span lines.

use std::sync::OnceLock;

use memchr::memmem::Finder;
use regex_automata::meta::{self, Regex};
use regex_automata::util::captures::Captures;
use regex_syntax::hir::{Hir, HirKind};

/// A rule pattern: parsed, its automaton built when first needed.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The pattern as written.
    source: Box<str>,
    /// The automaton, once built (`None` if it could not be: it matches nothing).
    regex: OnceLock<Option<Regex>>,
    /// A literal every match contains, when the pattern has one.
    required: Option<Finder<'static>>,
    /// The names of its capture groups, in order.
    names: Vec<Box<str>>,
}

/// A match of a [`Pattern`], with its capture groups.
pub struct PatternMatch<'t> {
    caps: Captures,
    text: &'t str,
}

impl Pattern {
    /// Parses `pattern` (with `(?s)` in front); the error is the parser's message. The
    /// automaton is built on first use ([`Pattern::build`] builds it now).
    pub fn new(pattern: &str) -> Result<Pattern, String> {
        let hir = parse(pattern)?;
        let required = required_literal(&hir).map(|l| Finder::new(&l).into_owned());
        let mut names = Vec::new();
        capture_names(&hir, &mut names);
        Ok(Pattern {
            source: pattern.into(),
            regex: OnceLock::new(),
            required,
            names,
        })
    }

    /// Builds the automaton now, if it is not built yet; the error is the builder's message
    /// (a pattern whose automaton is too large, say).
    pub fn build(&self) -> Result<(), String> {
        let mut error = None;
        self.regex.get_or_init(|| {
            parse(&self.source)
                .and_then(|hir| {
                    Regex::builder()
                        .configure(config())
                        .build_from_hir(&hir)
                        .map_err(|e| e.to_string())
                })
                .map_err(|e| error = Some(e))
                .ok()
        });
        match (self.regex.get(), error) {
            (_, Some(e)) => Err(e),
            (Some(Some(_)), None) => Ok(()),
            _ => Err(format!("pattern {:?} could not be built", self.source)),
        }
    }

    /// The automaton, built if it is not yet; `None` if it cannot be.
    fn regex(&self) -> Option<&Regex> {
        if self.regex.get().is_none() {
            let _ = self.build();
        }
        self.regex.get().and_then(Option::as_ref)
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> bool {
        if let Some(f) = &self.required
            && f.find(text.as_bytes()).is_none()
        {
            return false;
        }
        self.regex().is_some_and(|r| r.is_match(text))
    }

    /// The first match in `text`, with its groups.
    pub fn captures<'t>(&self, text: &'t str) -> Option<PatternMatch<'t>> {
        if !self.is_match(text) {
            return None;
        }
        let regex = self.regex()?;
        let mut caps = regex.create_captures();
        regex.captures(text, &mut caps);
        caps.is_match().then_some(PatternMatch { caps, text })
    }

    /// The names of the capture groups.
    pub fn group_names(&self) -> impl Iterator<Item = &str> {
        self.names.iter().map(|n| &**n)
    }
}

/// `pattern` parsed with `(?s)`.
fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .dot_matches_new_line(true)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The names of `hir`'s capture groups, in the order of their indexes (an opening
/// parenthesis's position), appended to `out`.
fn capture_names(hir: &Hir, out: &mut Vec<Box<str>>) {
    match hir.kind() {
        HirKind::Capture(c) => {
            if let Some(name) = &c.name {
                out.push(name.clone());
            }
            capture_names(&c.sub, out);
        }
        HirKind::Repetition(r) => capture_names(&r.sub, out),
        HirKind::Concat(subs) | HirKind::Alternation(subs) => {
            subs.iter().for_each(|s| capture_names(s, out));
        }
        _ => {}
    }
}

impl<'t> PatternMatch<'t> {
    /// The text of the group called `name`, if it took part in the match.
    pub fn name(&self, name: &str) -> Option<&'t str> {
        let span = self.caps.get_group_by_name(name)?;
        self.text.get(span.range())
    }

    /// `template` with `$name`, `${name}` and `$1` replaced by the groups' texts (as
    /// `regex::Captures::expand` does), appended to `dst`.
    pub fn expand(&self, template: &str, dst: &mut String) {
        self.caps.interpolate_string_into(self.text, template, dst);
    }
}

/// A literal that every match of `hir` contains: the longest of those found in sequence
/// (concatenations, groups, repetitions of at least one). Alternations and classes give none.
fn required_literal(hir: &Hir) -> Option<Vec<u8>> {
    fn longest(a: Option<Vec<u8>>, b: Option<Vec<u8>>) -> Option<Vec<u8>> {
        let (a, b) = (a.filter(|l| !l.is_empty()), b.filter(|l| !l.is_empty()));
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.len() > a.len() { b } else { a }),
            (a, b) => a.or(b),
        }
    }
    match hir.kind() {
        HirKind::Literal(l) => Some(l.0.to_vec()).filter(|l| !l.is_empty()),
        HirKind::Capture(c) => required_literal(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => required_literal(&r.sub),
        HirKind::Concat(subs) => {
            let mut best = None;
            let mut run: Vec<u8> = Vec::new();
            for sub in subs {
                if let HirKind::Literal(l) = sub.kind() {
                    run.extend_from_slice(&l.0);
                } else {
                    best = longest(best, Some(std::mem::take(&mut run)));
                    best = longest(best, required_literal(sub));
                }
            }
            longest(best, Some(run))
        }
        _ => None,
    }
}

/// The engine's configuration for every pattern: everything but the one-pass DFA.
fn config() -> meta::Config {
    Regex::config().onepass(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required(p: &str) -> Option<String> {
        let hir = regex_syntax::ParserBuilder::new()
            .dot_matches_new_line(true)
            .build()
            .parse(p)
            .unwrap();
        required_literal(&hir).map(|l| String::from_utf8(l).unwrap())
    }

    #[test]
    fn required_literals_are_found_only_where_every_match_has_them() {
        assert_eq!(
            required(r"\A\s*(?P<model>S\d+) Huawei Versatile Routing.*?Version"),
            Some(" Huawei Versatile Routing".to_string())
        );
        assert_eq!(
            required(r"(?:Cisco|Juniper) router"),
            Some(" router".into())
        );
        assert_eq!(required(r"(?:abc)+x"), Some("abc".into()));
        // Optional parts, alternations and case-insensitive text promise nothing.
        assert_eq!(required(r"(?:Huawei)?\d+"), None);
        assert_eq!(required(r"Cisco|Juniper"), None);
        assert_eq!(required(r"(?i)huawei"), None);
    }

    #[test]
    fn matches_as_the_regex_crate_does() {
        let cases = [
            (
                r"\A\s*(?P<model>[A-Z]\d+) Huawei",
                "  S5720 Huawei VRP",
                true,
            ),
            (
                r"\A\s*(?P<model>[A-Z]\d+) Huawei",
                "x S5720 Huawei VRP",
                false,
            ),
            (
                r"Version (?P<version>V\d{3}R\d{3}\w*)",
                "VRP Version V200R010C00\n",
                true,
            ),
            (r"(?i)zte corporation", "ZTE Corporation ZXR10", true),
            (r"Cisco.*IOS", "Cisco\nIOS", true),
            (r"Cisco.*IOS", "IOS Cisco", false),
        ];
        for (p, text, want) in cases {
            let ours = Pattern::new(p).unwrap();
            let theirs = regex::Regex::new(&format!("(?s){p}")).unwrap();
            assert_eq!(ours.is_match(text), want, "{p} on {text:?}");
            assert_eq!(theirs.is_match(text), want, "{p} on {text:?}");
            let (a, b) = (ours.captures(text), theirs.captures(text));
            assert_eq!(a.is_some(), b.is_some());
            if let (Some(a), Some(b)) = (a, b) {
                for name in ours.group_names() {
                    assert_eq!(a.name(name), b.name(name).map(|m| m.as_str()), "{p}");
                }
            }
        }
    }

    #[test]
    fn templates_expand_named_and_numbered_groups() {
        let p = Pattern::new(r"(?P<family>[A-Z]+)-(\d+)").unwrap();
        let m = p.captures("model NE-40 chassis").unwrap();
        let mut s = String::new();
        m.expand("${family}${2}E", &mut s);
        assert_eq!(s, "NE40E");
        assert_eq!(m.name("family"), Some("NE"));
        assert_eq!(m.name("absent"), None);
    }

    #[test]
    fn patterns_are_built_without_the_one_pass_dfa() {
        // What the memory figure in the module text rests on.
        assert!(!config().get_onepass());
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(Pattern::new("(unclosed").is_err());
    }

    #[test]
    fn capture_names_are_the_automatons_in_order() {
        let p = Pattern::new(r"(?P<a>x)(y(?P<b>z|(?P<c>w)))*(?:(?P<d>v))?").unwrap();
        let ours: Vec<&str> = p.group_names().collect();
        assert_eq!(ours, ["a", "b", "c", "d"]);
        p.build().unwrap();
        let built: Vec<&str> = p
            .regex()
            .unwrap()
            .group_info()
            .pattern_names(regex_automata::PatternID::ZERO)
            .flatten()
            .collect();
        assert_eq!(ours, built);
    }

    #[test]
    fn the_automaton_is_built_only_when_a_text_passes_the_prefilter() {
        let p = Pattern::new(r"\A\s*(?P<model>S\d+) Huawei Versatile Routing").unwrap();
        assert!(p.regex.get().is_none());
        assert!(!p.is_match("Cisco IOS Software"));
        assert!(p.regex.get().is_none(), "no text held the literal");
        assert!(p.is_match(" S5720 Huawei Versatile Routing Platform"));
        assert!(p.regex.get().is_some());
    }

    #[test]
    fn an_automaton_too_large_to_build_is_an_error_and_matches_nothing() {
        // Parses, but over the builder's size limits.
        let p = Pattern::new(r"(?:\w{1000}){1000}").unwrap();
        assert!(p.build().is_err());
        assert!(!p.is_match(&"a".repeat(10)));
    }
}
