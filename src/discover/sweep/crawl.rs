//! The crawl: what each polled device tells of its neighbours, and the next wave of addresses
//! to sweep from it.

use std::collections::HashSet;
use std::net::IpAddr;

use super::Crawl;
use crate::record::Observed;

/// What a polled device tells the crawl: its own chassis ID, and each neighbour's management
/// address with its chassis ID.
pub(super) struct Lead {
    polled: bool,
    address: Option<IpAddr>,
    chassis: Option<String>,
}

pub(super) fn crawl_leads(d: &Observed) -> Vec<Lead> {
    let mut leads = vec![Lead {
        polled: true,
        address: None,
        chassis: d.identification.chassis_mac.map(|m| m.to_string()),
    }];
    for n in &d.neighbors {
        for a in &n.management_addresses {
            leads.push(Lead {
                polled: false,
                address: a.parse().ok(),
                chassis: n.chassis_id.as_ref().map(ToString::to_string),
            });
        }
    }
    leads
}

/// The addresses of the next wave: the in-scope neighbours of a wave's devices not probed
/// yet, within the crawl's device budget. `known_chassis` holds the chassis IDs of everything
/// polled so far (and those queued): a neighbour already walked through another of its
/// addresses is not walked again.
pub(super) fn next_wave(
    crawl: &Crawl,
    leads: Vec<Lead>,
    known_chassis: &mut HashSet<String>,
    probed: &HashSet<IpAddr>,
) -> Vec<IpAddr> {
    let mut next: Vec<IpAddr> = Vec::new();
    for lead in &leads {
        if lead.polled
            && let Some(c) = &lead.chassis
        {
            known_chassis.insert(c.clone());
        }
    }
    for lead in leads.into_iter().filter(|l| !l.polled) {
        let budget_left = crawl.max_devices.saturating_sub(probed.len() + next.len());
        if budget_left == 0 {
            break;
        }
        let Some(address) = lead.address else {
            continue;
        };
        let in_scope = crawl.scope.iter().any(|n| n.contains(&address))
            && !crawl.exclude.iter().any(|n| n.contains(&address));
        let known = lead
            .chassis
            .as_ref()
            .is_some_and(|c| known_chassis.contains(c));
        if in_scope && !known && !probed.contains(&address) && !next.contains(&address) {
            if let Some(c) = lead.chassis {
                known_chassis.insert(c);
            }
            next.push(address);
        }
    }
    next
}
