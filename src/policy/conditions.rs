//! Conditions on where a device stands: its role, technologies, site, owner and acquisition
//! date, read from the record's [`Context`]. Each condition holds, fails, or is not settled
//! because the context does not say; a rule whose conditions are not all settled (and none
//! fails) is for a person to review, never clear.

use regex::Regex;

use crate::date::Date;
use crate::record::{Context, role_word, technology_words};

/// A site a rule names: a name (compared without regard to case) or a `/pattern/`.
#[derive(Debug, Clone)]
pub enum SiteName {
    /// A site's name or code, as the inventory gives it.
    Name(String),
    /// A regular expression over the site's name.
    Pattern(Regex),
}

impl SiteName {
    /// Whether the site `site` is this one.
    fn matches(&self, site: &str) -> bool {
        match self {
            SiteName::Name(n) => n.to_lowercase() == site.trim().to_lowercase(),
            SiteName::Pattern(re) => re.is_match(site.trim()),
        }
    }
}

/// The conditions of a rule (or what a share cap is of) on a device's context; each one
/// empty or absent says nothing. Roles and technologies are kept as records keep them
/// ([`role_word`], [`technology_words`]).
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    /// Roles, any of which the device's must be.
    pub roles: Vec<String>,
    /// Technologies, any of which the device must serve.
    pub technologies: Vec<String>,
    /// Sites, any of which the device must stand at.
    pub sites: Vec<SiteName>,
    /// Owners (legal entities), any of which must own it; compared without regard to case.
    pub owners: Vec<String>,
    /// Acquired on or before this day.
    pub acquired_by: Option<Date>,
    /// Acquired strictly after this day.
    pub acquired_after: Option<Date>,
    /// Whether the day a sweep first saw the device may settle an acquisition condition when
    /// the acquisition date is not known: a device is acquired on or before the day it is
    /// first seen, so first seen on or before D proves `acquired_by D` and disproves
    /// `acquired_after D`.
    pub first_seen_as_acquired: bool,
}

/// What a device's context says of a set of conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// Every condition holds; why, in words with their sources (`technology 4g: inventory
    /// sites.csv:4`), none if there are no conditions.
    Holds(Vec<String>),
    /// A condition does not hold.
    Fails,
    /// None fails, but the context does not settle some: what is unknown (`technology`,
    /// `role`, `site`, `owner`, `acquisition date`), and why the others hold.
    Unsettled {
        /// What the context does not say.
        unknown: Vec<&'static str>,
        /// Why the settled conditions hold.
        holds: Vec<String>,
    },
}

/// One condition against one context.
enum Check {
    Holds(String),
    Fails,
    Unknown(&'static str),
}

impl Conditions {
    /// Whether there are no conditions.
    pub fn is_empty(&self) -> bool {
        self.roles.is_empty()
            && self.technologies.is_empty()
            && self.sites.is_empty()
            && self.owners.is_empty()
            && self.acquired_by.is_none()
            && self.acquired_after.is_none()
    }

    /// What `context` says of these conditions.
    pub fn standing(&self, context: &Context) -> Standing {
        let mut checks = Vec::new();
        if !self.roles.is_empty() {
            checks.push(self.role(context));
        }
        if !self.technologies.is_empty() {
            checks.push(self.technology(context));
        }
        if !self.sites.is_empty() {
            checks.push(match &context.site {
                None => Check::Unknown("site"),
                Some(s) if self.sites.iter().any(|n| n.matches(&s.value)) => {
                    Check::Holds(format!("site {}: {}", s.value, s.source))
                }
                Some(_) => Check::Fails,
            });
        }
        if !self.owners.is_empty() {
            checks.push(match &context.owner {
                None => Check::Unknown("owner"),
                Some(o) if self.owners.iter().any(|n| same_words(n, &o.value)) => {
                    Check::Holds(format!("owner {}: {}", o.value, o.source))
                }
                Some(_) => Check::Fails,
            });
        }
        if let Some(d) = self.acquired_by {
            checks.push(self.acquisition(d, true, context));
        }
        if let Some(d) = self.acquired_after {
            checks.push(self.acquisition(d, false, context));
        }
        let (mut unknown, mut holds) = (Vec::new(), Vec::new());
        for c in checks {
            match c {
                Check::Fails => return Standing::Fails,
                Check::Holds(why) => holds.push(why),
                Check::Unknown(what) if !unknown.contains(&what) => unknown.push(what),
                Check::Unknown(_) => {}
            }
        }
        if unknown.is_empty() {
            Standing::Holds(holds)
        } else {
            Standing::Unsettled { unknown, holds }
        }
    }

    fn role(&self, context: &Context) -> Check {
        let Some(role) = &context.role else {
            return Check::Unknown("role");
        };
        match role_word(&role.value) {
            None => Check::Unknown("role"),
            Some(word) if self.roles.contains(&word) => {
                Check::Holds(format!("role {word}: {}", role.source))
            }
            Some(_) => Check::Fails,
        }
    }

    fn technology(&self, context: &Context) -> Check {
        let Some(source) = context.technology.as_ref().map(|t| &t.source) else {
            return Check::Unknown("technology");
        };
        let served: Vec<String> = context
            .technologies()
            .filter_map(technology_words)
            .flat_map(|t| t.split('+').map(str::to_string).collect::<Vec<_>>())
            .collect();
        if served.is_empty() {
            return Check::Unknown("technology");
        }
        let common: Vec<&str> = served
            .iter()
            .filter(|t| self.technologies.contains(t))
            .map(String::as_str)
            .collect();
        if common.is_empty() {
            Check::Fails
        } else {
            Check::Holds(format!("technology {}: {source}", common.join("+")))
        }
    }

    /// `acquired_by d` (`by`) or `acquired_after d`: the carrier's date if known, else the
    /// first sighting where the policy allows it and it proves or disproves the condition (a
    /// device is acquired on or before the day it is first seen).
    fn acquisition(&self, d: Date, by: bool, context: &Context) -> Check {
        let word = if by { "by" } else { "after" };
        if let Some(a) = &context.acquired {
            let holds = if by { a.value <= d } else { a.value > d };
            return if holds {
                Check::Holds(format!(
                    "acquired {word} {d}: acquired {} ({})",
                    a.value, a.source
                ))
            } else {
                Check::Fails
            };
        }
        match context.first_seen {
            Some(seen) if self.first_seen_as_acquired && seen <= d && by => {
                Check::Holds(format!("acquired by {d}: first seen {seen}"))
            }
            Some(seen) if self.first_seen_as_acquired && seen <= d => Check::Fails,
            _ => Check::Unknown("acquisition date"),
        }
    }

    /// What the role and technology conditions name, in words: `technology fibre-access`,
    /// `role core and technology 4g or 5g` (what a share cap is of).
    pub fn of(&self) -> String {
        let mut parts = Vec::new();
        if !self.roles.is_empty() {
            parts.push(format!("role {}", self.roles.join(" or ")));
        }
        if !self.technologies.is_empty() {
            parts.push(format!("technology {}", self.technologies.join(" or ")));
        }
        parts.join(" and ")
    }
}

/// Whether two names are the same but for case and spacing.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> { s.split_whitespace().map(str::to_lowercase).collect() };
    words(a) == words(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Sourced;

    fn day(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn context() -> Context {
        Context {
            site: Some(Sourced::new("TOR01".into(), "inventory a.csv:2")),
            role: Some(Sourced::new("Core".into(), "inventory a.csv:2")),
            technology: Some(Sourced::new("4g+5g".into(), "inventory a.csv:2")),
            owner: Some(Sourced::new("Acme  Mobile Ltd".into(), "inventory a.csv:2")),
            acquired: Some(Sourced::new(day("2019-05-01"), "inventory a.csv:2")),
            first_seen: None,
        }
    }

    #[test]
    fn each_condition_holds_fails_or_is_unknown() {
        let c = Conditions {
            roles: vec!["core".into()],
            technologies: vec!["5g".into()],
            sites: vec![SiteName::Name("tor01".into())],
            owners: vec!["acme mobile ltd".into()],
            acquired_by: Some(day("2020-06-30")),
            acquired_after: Some(day("2018-08-13")),
            first_seen_as_acquired: false,
        };
        let Standing::Holds(why) = c.standing(&context()) else {
            panic!("{:?}", c.standing(&context()));
        };
        assert_eq!(why[1], "technology 5g: inventory a.csv:2");
        assert_eq!(
            why[4],
            "acquired by 2020-06-30: acquired 2019-05-01 (inventory a.csv:2)"
        );
        let other = Context {
            technology: Some(Sourced::new("fibre-access".into(), "x")),
            ..context()
        };
        assert_eq!(c.standing(&other), Standing::Fails);
        let late = Context {
            acquired: Some(Sourced::new(day("2020-07-01"), "x")),
            ..context()
        };
        assert_eq!(c.standing(&late), Standing::Fails);
        let early = Context {
            acquired: Some(Sourced::new(day("2018-08-13"), "x")),
            ..context()
        };
        assert_eq!(c.standing(&early), Standing::Fails, "after is strict");
        let Standing::Unsettled { unknown, holds } = c.standing(&Context {
            role: None,
            acquired: None,
            ..context()
        }) else {
            panic!()
        };
        assert_eq!(unknown, ["role", "acquisition date"]);
        assert_eq!(holds.len(), 3);
        // A failing condition decides even when others are unknown.
        assert_eq!(
            c.standing(&Context {
                role: None,
                ..other
            }),
            Standing::Fails
        );
    }

    #[test]
    fn first_seen_proves_by_and_disproves_after_only() {
        let by = Conditions {
            acquired_by: Some(day("2020-06-30")),
            first_seen_as_acquired: true,
            ..Conditions::default()
        };
        let after = Conditions {
            acquired_after: Some(day("2018-08-13")),
            first_seen_as_acquired: true,
            ..Conditions::default()
        };
        let seen = |d: &str| Context {
            first_seen: Some(day(d)),
            ..Context::default()
        };
        assert_eq!(
            by.standing(&seen("2019-03-01")),
            Standing::Holds(vec!["acquired by 2020-06-30: first seen 2019-03-01".into()])
        );
        assert!(matches!(
            by.standing(&seen("2021-01-01")),
            Standing::Unsettled { .. }
        ));
        assert_eq!(after.standing(&seen("2018-08-13")), Standing::Fails);
        assert!(matches!(
            after.standing(&seen("2019-01-01")),
            Standing::Unsettled { .. }
        ));
        let not_asked = Conditions {
            first_seen_as_acquired: false,
            ..by
        };
        assert!(matches!(
            not_asked.standing(&seen("2019-03-01")),
            Standing::Unsettled { .. }
        ));
    }

    #[test]
    fn site_patterns_and_what_a_share_is_of() {
        let c = Conditions {
            sites: vec![SiteName::Pattern(Regex::new("^LON[0-9]+$").unwrap())],
            ..Conditions::default()
        };
        let at = |s: &str| Context {
            site: Some(Sourced::new(s.to_string(), "x")),
            ..Context::default()
        };
        assert!(matches!(c.standing(&at("LON07")), Standing::Holds(_)));
        assert_eq!(c.standing(&at("MAN01")), Standing::Fails);
        let of = Conditions {
            roles: vec!["access".into()],
            technologies: vec!["4g".into(), "5g".into()],
            ..Conditions::default()
        };
        assert_eq!(of.of(), "role access and technology 4g or 5g");
        assert!(Conditions::default().is_empty() && !of.is_empty());
    }
}
