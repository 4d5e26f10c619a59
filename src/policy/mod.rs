//! Policy: which origins a carrier's rules forbid or want reviewed, turned into a verdict per
//! device and module.
//!
//! For now one policy is built in, `huawei-origin`: the Huawei group and ZTE banned; H3C,
//! xFusion and Honor for review; anything identified otherwise is clear, and anything not
//! identified is `unknown` (never silently clear). Policy files, jurisdictions, deadlines and
//! exceptions build on this shape.

pub mod date;
pub mod document;
pub mod judge;

use crate::device::{Finding, Verdict};

/// One rule: an origin group and what it earns.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's name, as findings cite it.
    pub name: String,
    /// The company group it matches.
    pub origin: String,
    /// `Banned` or `Review`.
    pub verdict: Verdict,
    /// How serious.
    pub severity: String,
    /// Why, in words.
    pub reason: String,
}

/// A named set of rules.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The policy's name.
    pub name: String,
    /// Its rules.
    pub rules: Vec<Rule>,
}

impl Policy {
    /// The built-in default.
    pub fn huawei_origin() -> Policy {
        let rule = |origin: &str, verdict, severity: &str, reason: &str| Rule {
            name: format!("origin-{origin}"),
            origin: origin.to_string(),
            verdict,
            severity: severity.to_string(),
            reason: reason.to_string(),
        };
        Policy {
            name: "huawei-origin".to_string(),
            rules: vec![
                rule(
                    "huawei",
                    Verdict::Banned,
                    "high",
                    "Huawei-group equipment is banned from 5G networks",
                ),
                rule(
                    "zte",
                    Verdict::Banned,
                    "high",
                    "ZTE equipment is banned from 5G networks",
                ),
                rule(
                    "h3c",
                    Verdict::Review,
                    "medium",
                    "H3C was a Huawei joint venture: review",
                ),
                rule(
                    "xfusion",
                    Verdict::Review,
                    "medium",
                    "xFusion is Huawei's former server business: review",
                ),
                rule(
                    "honor",
                    Verdict::Review,
                    "low",
                    "Honor is Huawei's former device brand: review",
                ),
            ],
        }
    }

    /// The verdict and findings for an identified origin (`None`: not identified).
    pub fn evaluate(&self, origin: Option<&str>) -> (Verdict, Vec<Finding>) {
        let Some(origin) = origin else {
            return (Verdict::Unknown, Vec::new());
        };
        let findings: Vec<(Verdict, Finding)> = self
            .rules
            .iter()
            .filter(|r| r.origin == origin)
            .map(|r| {
                (
                    r.verdict,
                    Finding {
                        rule: r.name.clone(),
                        policy: self.name.clone(),
                        jurisdiction: None,
                        verdict: r.verdict,
                        severity: r.severity.clone(),
                        reason: r.reason.clone(),
                        module: None,
                        no_new_installs_after: None,
                        deadline: None,
                        days_left: None,
                        exception: None,
                    },
                )
            })
            .collect();
        let verdict = findings
            .iter()
            .map(|(v, _)| *v)
            .min()
            .unwrap_or(Verdict::Clear);
        (verdict, findings.into_iter().map(|(_, f)| f).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_verdicts() {
        let p = Policy::huawei_origin();
        assert_eq!(p.evaluate(Some("huawei")).0, Verdict::Banned);
        assert_eq!(p.evaluate(Some("huawei")).1[0].rule, "origin-huawei");
        assert_eq!(p.evaluate(Some("zte")).0, Verdict::Banned);
        assert_eq!(p.evaluate(Some("h3c")).0, Verdict::Review);
        assert_eq!(p.evaluate(Some("cisco")), (Verdict::Clear, vec![]));
        assert_eq!(p.evaluate(None), (Verdict::Unknown, vec![]));
    }
}
