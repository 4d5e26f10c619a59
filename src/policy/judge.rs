//! Verdicts: every rule of every policy against a device and each of its modules, at a given
//! date, with exceptions applied. The device's verdict is the worst of its own and its modules'
//! (a Huawei optic makes the router that holds it banned gear to remove). An identified device
//! that no rule matches is clear; one not identified is `unknown`, never silently clear. A
//! rule's conditions on where the device stands (its context) that the context does not settle
//! make its finding a review, never clear.

use std::net::IpAddr;

use super::conditions::Standing;
use super::document::{Exception, Policy, Rule};
use crate::date::Date;
use crate::record::{Finding, Observed, Verdict};

/// What a rule looks at: the device itself or one of its modules.
struct Subject<'a> {
    origin: Option<&'a str>,
    vendor: Option<&'a str>,
    model: Option<&'a str>,
    module: Option<u32>,
    label: String,
}

fn matches(rule: &Rule, d: &Observed, s: &Subject<'_>) -> bool {
    if (s.module.is_some() && !rule.modules) || (s.module.is_none() && !rule.devices) {
        return false;
    }
    if !rule.discovered_via.is_empty()
        && !rule
            .discovered_via
            .iter()
            .any(|v| v == d.discovered_via.as_str())
    {
        return false;
    }
    if !rule.scope.is_empty() {
        let Ok(ip) = d.address.parse::<IpAddr>() else {
            return false;
        };
        if !rule.scope.iter().any(|n| n.contains(&ip)) {
            return false;
        }
    }
    rule.whose.matches(s.origin, s.vendor, s.model)
}

fn exception_for<'a>(policy: &'a Policy, rule: &Rule, d: &Observed) -> Option<&'a Exception> {
    policy.exceptions.iter().find(|e| {
        (e.rules.is_empty() || e.rules.contains(&rule.id))
            && (e.serial.is_some() && e.serial == d.identification.serial
                || e.chassis_mac.is_some()
                    && e.chassis_mac == d.identification.chassis_mac.map(|m| m.to_string())
                || e.address.as_deref() == Some(d.address.as_str()))
    })
}

/// Adds to `reason` why a rule's conditions on the device's context hold (with their sources);
/// when some are not settled, the note that ends the reason and makes the finding a review:
/// ` (technology unknown: review)`.
fn where_it_stands(standing: &Standing, reason: &mut String) -> Option<String> {
    let (holds, unknown) = match standing {
        Standing::Holds(holds) => (holds, None),
        Standing::Unsettled { unknown, holds } => (holds, Some(unknown)),
        Standing::Fails => return None,
    };
    if !holds.is_empty() {
        reason.push_str(&format!(" ({})", holds.join("; ")));
    }
    unknown.map(|u| format!(" ({} unknown: review)", u.join(" and ")))
}

/// Judges a device by every policy at `today`: its verdict and the findings behind it.
pub fn judge(policies: &[Policy], d: &Observed, today: Date) -> (Verdict, Vec<Finding>) {
    let mut subjects = vec![Subject {
        origin: d.identification.origin.as_deref(),
        vendor: d.identification.vendor.as_deref(),
        model: d.identification.model.as_deref(),
        module: None,
        label: "device".into(),
    }];
    for m in &d.modules {
        if m.origin.is_some() || m.vendor.is_some() {
            subjects.push(Subject {
                origin: m.origin.as_deref(),
                vendor: m.vendor.as_deref(),
                model: m.model.as_deref(),
                module: Some(m.index),
                label: format!(
                    "module {} ({})",
                    m.index,
                    m.name
                        .as_deref()
                        .or(m.description.as_deref())
                        .unwrap_or("unnamed")
                ),
            });
        }
    }
    let mut verdict = if d.identification.origin.is_some() {
        Verdict::Clear
    } else {
        Verdict::Unknown
    };
    let mut findings = Vec::new();
    for p in policies {
        for rule in &p.rules {
            let standing = rule.conditions.standing(&d.context);
            if standing == Standing::Fails {
                continue;
            }
            for s in &subjects {
                if !matches(rule, d, s) {
                    continue;
                }
                let mut reason = format!("{}: {}", s.label, rule.reason);
                let mut effective = rule.verdict;
                let unsettled = where_it_stands(&standing, &mut reason);
                if unsettled.is_some() {
                    effective = Verdict::Review;
                }
                // Below the rule's confidence the match is a question for a person, not a ruling.
                if s.module.is_none() && d.identification.confidence < rule.min_confidence {
                    effective = Verdict::Review;
                    reason.push_str(&format!(
                        " (identification confidence {:.2} is under the rule's {:.2}: review)",
                        d.identification.confidence, rule.min_confidence
                    ));
                }
                let mut exception = None;
                if let Some(e) = exception_for(p, rule, d) {
                    match e.expires {
                        Some(x) if x < today => {
                            reason.push_str(&format!(
                                " (the exception approved by {} expired on {x})",
                                e.approved_by
                            ));
                        }
                        _ => {
                            exception = Some(format!(
                                "{} (approved by {}{})",
                                e.justification,
                                e.approved_by,
                                e.expires
                                    .map(|x| format!(", until {x}"))
                                    .unwrap_or_default()
                            ));
                        }
                    }
                }
                reason.push_str(unsettled.as_deref().unwrap_or_default());
                if exception.is_none() {
                    verdict = verdict.min(effective);
                }
                findings.push(Finding {
                    rule: rule.id.clone(),
                    policy: format!("{} {}", p.name, p.version),
                    jurisdiction: p.jurisdiction.clone(),
                    verdict: effective,
                    severity: rule.severity.clone(),
                    reason,
                    module: s.module,
                    no_new_installs_after: rule.no_new_installs_after.map(|x| x.to_string()),
                    deadline: rule.remove_by.map(|x| x.to_string()),
                    days_left: rule.remove_by.map(|x| x.days() - today.days()),
                    exception,
                });
            }
        }
    }
    (verdict, findings)
}

/// Sets each identified module's own verdict from the findings about it: the worst of those
/// not lifted by an exception, else clear. Modules whose maker is unknown keep no verdict.
pub fn module_verdicts(modules: &mut [crate::record::Module], findings: &[Finding]) {
    for m in modules.iter_mut().filter(|m| m.origin.is_some()) {
        m.verdict = Some(
            findings
                .iter()
                .filter(|f| f.module == Some(m.index) && f.exception.is_none())
                .map(|f| f.verdict)
                .min()
                .unwrap_or(Verdict::Clear),
        );
    }
}
