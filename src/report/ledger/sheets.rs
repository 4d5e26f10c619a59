//! The three reports as sheets: what each column counts, and the rows.

use std::collections::BTreeMap;

use super::{Cell, Col, Kind, Sheet};
use crate::date::Date;
use crate::record::LedgerState;
use crate::report::layout::Column;
use crate::store::LedgerItem;
use crate::store::ledger::ABSENT_AFTER;

const fn col(key: &'static str, table: Column, means: &'static str) -> Col {
    Col { key, table, means }
}

/// The status update's columns.
pub(super) const STATUS: [Col; 16] = [
    col(
        "site",
        Column::new("site", 16).at_least(4),
        "The site: the inventory's, as last judged, else the --site of the sweep that last saw the item; - where unknown. The total row says total.",
    ),
    col(
        "role",
        Column::new("role", 12).at_least(4),
        "The role the inventory gives (core, access, ran...); - where unknown.",
    ),
    col(
        "technology",
        Column::new("tech", 12).at_least(4),
        "The technology the inventory gives (4g, 5g, full-fibre...); - where unknown.",
    ),
    col(
        "items",
        Column::new("items", 6).whole(),
        "Banned or review devices and modules in the ledger, not counting exempt ones.",
    ),
    col(
        "found",
        Column::new("found", 6).whole().from(120),
        "Found by a sweep; nothing decided yet.",
    ),
    col(
        "planned",
        Column::new("planned", 7).whole().from(120),
        "Removal planned, with a target date.",
    ),
    col(
        "decommissioned",
        Column::new("decomm.", 7).whole().from(150),
        "Out of service, still in place.",
    ),
    col(
        "removed",
        Column::new("removed", 7).whole().from(100),
        "Off the network, not destroyed yet: removed, in custody or sanitised.",
    ),
    col(
        "destroyed",
        Column::new("destroyed", 9).whole().from(100),
        "Destroyed.",
    ),
    col(
        "exempt",
        Column::new("exempt", 6).whole().from(150),
        "Kept under an approved exception; not counted in items.",
    ),
    col(
        "remaining",
        Column::new("remaining", 9).whole(),
        "Still on the network: found, planned or decommissioned, or marked off it but seen again by a later sweep.",
    ),
    col(
        "percent_complete",
        Column::new("done %", 6).whole(),
        "Removed or later (destroyed included), not seen again since, out of items, in percent to a tenth; - when no items.",
    ),
    col(
        "overdue",
        Column::new("overdue", 7).whole(),
        "Remaining items past the earlier of their deadline and their planned target.",
    ),
    col(
        "next_deadline",
        Column::new("next due", 10).whole(),
        "The earliest deadline or planned target among the remaining items.",
    ),
    col(
        "reappeared",
        Column::new("reappeared", 10).whole().from(180),
        "Items marked off the network that a later sweep saw again.",
    ),
    col(
        "unconfirmed_absent",
        Column::new("absent", 6).whole().from(180),
        "Items still on the network in the ledger that 3 or more complete sweeps of their range in a row did not see (not counted removed).",
    ),
];

/// The annual list's columns.
pub(super) const ANNUAL: [Col; 21] = [
    col(
        "number",
        Column::new("#", 6).whole(),
        "The item's number in the ledger (#N names it on the command line).",
    ),
    col(
        "kind",
        Column::new("kind", 6).whole().from(140),
        "device or module.",
    ),
    col(
        "identity",
        Column::new("identity", 32).at_least(10).from(120),
        "What the ledger knows it by: serial, chassis MAC, engine ID or address (a module: module:serial:...).",
    ),
    col(
        "vendor",
        Column::new("vendor", 16).at_least(6),
        "The maker identified.",
    ),
    col(
        "model",
        Column::new("model", 24).at_least(6),
        "The model identified.",
    ),
    col(
        "serial",
        Column::new("serial", 24).at_least(6),
        "Its serial number.",
    ),
    col(
        "site",
        Column::new("site", 12).at_least(4),
        "Its site: the inventory's, else the --site of the sweep that last saw it.",
    ),
    col(
        "role",
        Column::new("role", 10).at_least(4).from(180),
        "Its role, from the inventory.",
    ),
    col(
        "technology",
        Column::new("tech", 10).at_least(4).from(180),
        "Its technology, from the inventory.",
    ),
    col(
        "acquired",
        Column::new("acquired", 10).whole().from(160),
        "The day it was acquired (from the inventory), or unknown.",
    ),
    col(
        "first_seen",
        Column::new("first seen", 10).whole().from(140),
        "The day a sweep first stored it.",
    ),
    col(
        "state",
        Column::new("state", 14).at_least(9),
        "Where its removal stands: found, planned, decommissioned, removed, in-custody, sanitised, destroyed or exempt.",
    ),
    col(
        "since",
        Column::new("since", 10).whole().from(140),
        "The day it entered that state.",
    ),
    col(
        "target",
        Column::new("target", 10).whole().from(120),
        "The target date of its planned removal.",
    ),
    col(
        "deadline",
        Column::new("deadline", 10).whole(),
        "The remove-by date of the rule that bans it.",
    ),
    col(
        "rule",
        Column::new("rule", 30).at_least(8).from(180),
        "The rule that bans it (policy/rule).",
    ),
    col(
        "jurisdiction",
        Column::new("where", 6).at_least(5).from(200),
        "That rule's jurisdiction.",
    ),
    col(
        "removed",
        Column::new("removed", 7).whole(),
        "yes when it is off the network in the ledger (removed, in custody, sanitised or destroyed).",
    ),
    col(
        "reappeared",
        Column::new("reappeared", 10).whole().from(200),
        "yes when a sweep saw it again after it was marked off the network.",
    ),
    col(
        "last_seen",
        Column::new("last seen", 10).whole().from(220),
        "The day a sweep last saw it.",
    ),
    col(
        "last_sweep",
        Column::new("sweep", 5).whole().from(220),
        "The number of the sweep that last saw it.",
    ),
];

/// The deadlines report's columns.
pub(super) const DEADLINES: [Col; 9] = [
    col(
        "jurisdiction",
        Column::new("where", 12).at_least(5),
        "The jurisdiction of the rule; - where none. The total row says total.",
    ),
    col(
        "rule",
        Column::new("rule", 36).at_least(10),
        "The rule (policy/rule); - for gear under review that no rule bans yet.",
    ),
    col(
        "deadline",
        Column::new("deadline", 10).whole(),
        "The rule's remove-by date.",
    ),
    col(
        "items",
        Column::new("items", 6).whole(),
        "Items under this rule and deadline, not counting exempt ones.",
    ),
    col(
        "remaining",
        Column::new("remaining", 9).whole(),
        "Of them, still on the network.",
    ),
    col(
        "overdue",
        Column::new("overdue", 7).whole(),
        "Of those, past the earlier of the deadline and their planned target.",
    ),
    col(
        "days_left",
        Column::new("days left", 9).whole().from(100),
        "Days from the report's day to the deadline; negative when it has passed.",
    ),
    col(
        "done_percent",
        Column::new("done %", 6).whole(),
        "Off the network out of items, in percent to a tenth.",
    ),
    col(
        "exempt",
        Column::new("exempt", 6).whole().from(120),
        "Kept under an approved exception.",
    ),
];

/// `done` of `of` in tenths of a percent, rounded half up; `None` of nothing.
pub(super) fn tenths(done: u64, of: u64) -> Option<u64> {
    (of > 0).then(|| (2000 * done + of) / (2 * of))
}

/// The counts of a group of items.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    items: u64,
    found: u64,
    planned: u64,
    decommissioned: u64,
    removed: u64,
    destroyed: u64,
    exempt: u64,
    overdue: u64,
    reappeared: u64,
    /// Marked off the network, then seen again: remaining, not done.
    seen_again: u64,
    absent: u64,
    next: Option<Date>,
}

impl Tally {
    fn add(&mut self, i: &LedgerItem, today: Date) {
        use LedgerState::*;
        match i.state {
            Found => self.found += 1,
            Planned => self.planned += 1,
            Decommissioned => self.decommissioned += 1,
            Removed | InCustody | Sanitised => self.removed += 1,
            Destroyed => self.destroyed += 1,
            Exempt => self.exempt += 1,
        }
        self.items += u64::from(i.state != Exempt);
        // Marked off the network but seen again: still there, whatever the ledger says.
        self.seen_again += u64::from(i.state.off_network() && i.reappeared());
        self.overdue += u64::from(i.overdue(today));
        self.reappeared += u64::from(i.reappeared());
        self.absent += u64::from(i.unconfirmed_absent(ABSENT_AFTER));
        if i.still_there() {
            self.next = match (self.next, i.due()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
    }

    fn remaining(&self) -> u64 {
        self.found + self.planned + self.decommissioned + self.seen_again
    }

    fn done(&self) -> u64 {
        self.removed + self.destroyed - self.seen_again
    }
}

/// A key part of a group: known values first, in order, `None` last.
type Part = (bool, String);

fn part(v: &Option<String>) -> Part {
    (v.is_none(), v.clone().unwrap_or_default())
}

fn unpart(p: &Part) -> Cell {
    Cell::text((!p.0).then_some(&p.1))
}

/// The status update: one row per (site, role, technology), unknown ones last, and a total.
pub fn status(items: &[LedgerItem], today: Date) -> Sheet {
    let mut groups: BTreeMap<[Part; 3], Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for i in items {
        let key = [part(&i.site), part(&i.role), part(&i.technology)];
        groups.entry(key).or_default().add(i, today);
        total.add(i, today);
    }
    let cells = |t: &Tally| -> Vec<Cell> {
        let n = [
            t.items,
            t.found,
            t.planned,
            t.decommissioned,
            t.removed,
            t.destroyed,
            t.exempt,
            t.remaining(),
        ];
        n.into_iter()
            .map(Cell::Count)
            .chain([
                Cell::Tenths(tenths(t.done(), t.items)),
                Cell::Count(t.overdue),
                Cell::text(t.next),
                Cell::Count(t.reappeared),
                Cell::Count(t.absent),
            ])
            .collect()
    };
    let rows = groups
        .iter()
        .map(|(key, t)| key.iter().map(unpart).chain(cells(t)).collect())
        .collect();
    let head = [
        Cell::text(Some("total")),
        Cell::Text(None),
        Cell::Text(None),
    ];
    Sheet {
        kind: Kind::Status,
        columns: &STATUS,
        rows,
        total: Some(head.into_iter().chain(cells(&total)).collect()),
    }
}

/// The day of a Unix time in milliseconds.
fn day(ms: i64) -> Date {
    Date::from_days(ms.div_euclid(86_400_000))
}

/// The annual list: one row per item, in the ledger's order.
pub fn annual(items: &[LedgerItem]) -> Sheet {
    let rows = items
        .iter()
        .map(|i| {
            vec![
                Cell::Count(i.id.max(0) as u64),
                Cell::text(Some(&i.kind)),
                Cell::text(Some(&i.identity)),
                Cell::text(i.vendor.as_ref()),
                Cell::text(i.model.as_ref()),
                Cell::text(i.serial.as_ref()),
                Cell::text(i.site.as_ref()),
                Cell::text(i.role.as_ref()),
                Cell::text(i.technology.as_ref()),
                Cell::text(Some(i.acquired.as_deref().unwrap_or("unknown"))),
                Cell::text(Some(day(i.first_seen_ms))),
                Cell::text(Some(i.state)),
                Cell::text(Some(&i.since)),
                Cell::text(i.target.as_ref()),
                Cell::text(i.deadline.as_ref()),
                Cell::text(i.rule.as_ref()),
                Cell::text(i.jurisdiction.as_ref()),
                Cell::Flag(i.state.off_network()),
                Cell::Flag(i.reappeared()),
                Cell::text(Some(day(i.last_seen_ms))),
                Cell::Count(i.last_sweep.max(0) as u64),
            ]
        })
        .collect();
    Sheet {
        kind: Kind::Annual,
        columns: &ANNUAL,
        rows,
        total: None,
    }
}

/// The deadlines: one row per (jurisdiction, rule, deadline), nearest deadline first (none
/// last), and a total.
pub fn deadlines(items: &[LedgerItem], today: Date) -> Sheet {
    let mut groups: BTreeMap<(Part, Part, Part), Tally> = BTreeMap::new();
    let mut total = Tally::default();
    for i in items {
        let key = (part(&i.deadline), part(&i.jurisdiction), part(&i.rule));
        groups.entry(key).or_default().add(i, today);
        total.add(i, today);
    }
    let cells = |t: &Tally, days: Option<i64>| {
        vec![
            Cell::Count(t.items),
            Cell::Count(t.remaining()),
            Cell::Count(t.overdue),
            Cell::Days(days),
            Cell::Tenths(tenths(t.done(), t.items)),
            Cell::Count(t.exempt),
        ]
    };
    let rows = groups
        .iter()
        .map(|((deadline, jurisdiction, rule), t)| {
            let days = Date::parse(&deadline.1).map(|d| d.days() - today.days());
            [unpart(jurisdiction), unpart(rule), unpart(deadline)]
                .into_iter()
                .chain(cells(t, days))
                .collect()
        })
        .collect();
    let head = [
        Cell::text(Some("total")),
        Cell::Text(None),
        Cell::Text(None),
    ];
    Sheet {
        kind: Kind::Deadlines,
        columns: &DEADLINES,
        rows,
        total: Some(head.into_iter().chain(cells(&total, None)).collect()),
    }
}
