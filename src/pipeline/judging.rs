//! Judging, the stage of every pipeline between a record observed and its observers: the
//! policies loaded and checked, each device judged by all of them at one date, and the
//! `--fail-on` outcome, and the policies' share caps counted over the devices.

use std::path::PathBuf;

use super::{Failure, other, usage};
use crate::identify::Identifier;
use crate::record::{DeviceRecord, Judgement, Observed, Verdict};

/// Which policies judge the devices, and at what date (`--policy`, `--today`, `--fail-on`).
#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// Policy files; none for the bundled huawei-origin policy.
    pub policies: Vec<PathBuf>,
    /// The date deadlines are judged at; none for today.
    pub today: Option<crate::date::Date>,
    /// The verdict that fails the command (exit code 3), if any.
    pub fail_on: Option<FailOn>,
    /// Inventory files (CSV, NetBox's device export, TOML), in order of precedence.
    pub inventory: Vec<PathBuf>,
}

/// The verdicts `--fail-on` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Any banned device.
    Banned,
    /// Any banned device, or any for review.
    Review,
}

/// The policies, loaded and checked, and the date they judge at.
pub struct Judging {
    policies: Vec<crate::policy::document::Policy>,
    today: crate::date::Date,
    fail_on: Option<FailOn>,
    /// Where devices stand, applied to each before it is judged.
    inventory: crate::inventory::Inventory,
    /// How many devices met the `--fail-on` threshold, and the first few of them.
    failing: u64,
    first_failing: Vec<String>,
    /// The policies' share caps, counted over the devices judged.
    shares: crate::policy::shares::ShareCount,
    /// The day the history database first saw each device, when the run stores.
    first_seen: Option<crate::store::FirstSeen>,
    /// What the removal ledger has off the network, when the run stores.
    off_network: crate::store::ledger::OffNetwork,
}

/// How many of the devices that met `--fail-on` its message names.
const FAILING_NAMED: usize = 3;

/// The default policy, bundled.
const DEFAULT_POLICY: &str = include_str!("../../policies/huawei-origin.toml");

impl Judging {
    /// Loads the policies named (or the default) and the inventory files; a bad file is exit
    /// code 2 with file, line and column.
    pub fn load(args: &Policies, identifier: &Identifier) -> Result<Judging, Failure> {
        use crate::policy::document::Policy as Document;
        let origins = identifier.vendors().origins();
        let policies = if args.policies.is_empty() {
            vec![
                Document::parse(
                    "policies/huawei-origin.toml (bundled)",
                    DEFAULT_POLICY,
                    &origins,
                )
                .map_err(other)?,
            ]
        } else {
            args.policies
                .iter()
                .map(|p| Document::load(p, &origins).map_err(usage))
                .collect::<Result<_, _>>()?
        };
        // Words a policy uses that the rules do not know: legal, but a misspelling would
        // quietly match nothing, so the person who runs it hears of them.
        for note in policies.iter().flat_map(|p: &Document| &p.notes) {
            eprintln!("warning: {}", crate::report::terminal_safe(note));
        }
        Ok(Judging {
            shares: crate::policy::shares::ShareCount::new(&policies),
            first_seen: None,
            off_network: Default::default(),
            policies,
            today: args.today.unwrap_or_else(crate::date::Date::today),
            fail_on: args.fail_on,
            inventory: crate::inventory::Inventory::load(&args.inventory).map_err(usage)?,
            failing: 0,
            first_failing: Vec::new(),
        })
    }

    /// Judges a device by every policy, its context first taken from the inventory, and counts
    /// it toward the policies' share caps.
    pub fn judge(&mut self, mut d: Observed) -> DeviceRecord {
        self.inventory.apply(&mut d);
        if let Some(index) = &self.first_seen {
            d.context.first_seen = index.of(&d);
        }
        self.shares.count(&d);
        let (verdict, findings) = crate::policy::judge::judge(&self.policies, &d, self.today);
        let mut d = d.judged(Judgement { verdict, findings });
        crate::policy::judge::module_verdicts(&mut d.modules, &d.judgement.findings);
        d.notes.extend(self.off_network.notes(&d));
        if self.threshold().is_some_and(|t| verdict <= t) {
            self.failing += 1;
            if self.first_failing.len() < FAILING_NAMED {
                let name = d
                    .sys_name
                    .as_deref()
                    .map(|n| format!(" ({})", crate::report::terminal_safe(n)))
                    .unwrap_or_default();
                self.first_failing.push(format!(
                    "{}{name}",
                    crate::report::terminal_safe(&d.address)
                ));
            }
        }
        d
    }

    /// The verdict `--fail-on` fails at, or worse.
    fn threshold(&self) -> Option<Verdict> {
        match self.fail_on? {
            FailOn::Banned => Some(Verdict::Banned),
            FailOn::Review => Some(Verdict::Review),
        }
    }

    /// Each share cap of the policies over the devices judged so far.
    pub fn shares(&self) -> Vec<crate::record::Share> {
        self.shares.shares()
    }

    /// Gives each device judged from now on the day the history database first saw it.
    pub fn with_first_seen(&mut self, index: crate::store::FirstSeen) {
        self.first_seen = Some(index);
    }

    /// Notes on each device judged from now on that the removal ledger has off the network
    /// (`reappeared`).
    pub fn with_ledger(&mut self, off_network: crate::store::ledger::OffNetwork) {
        self.off_network = off_network;
    }

    /// The date the policies judge at.
    pub fn today(&self) -> crate::date::Date {
        self.today
    }

    /// Names and versions of the policies, and the date.
    pub fn describe(&self) -> String {
        let names: Vec<String> = self
            .policies
            .iter()
            .map(|p| format!("{} {}", p.name, p.version))
            .collect();
        format!("{} (as of {})", names.join(", "), self.today)
    }

    /// The `--fail-on` outcome: exit code 3 when a verdict at or above the threshold was
    /// given, naming how many devices got one and the first few of them.
    pub fn outcome(&self) -> Result<(), Failure> {
        let Some(threshold) = self.threshold() else {
            return Ok(());
        };
        if self.failing == 0 {
            return Ok(());
        }
        let judged = if threshold == Verdict::Banned {
            "banned"
        } else {
            "banned or for review"
        };
        let more = self.failing - self.first_failing.len() as u64;
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        Err(Failure::Findings(format!(
            "{} judged {judged} (--fail-on {threshold}): {}{more}",
            crate::words::count(self.failing, "device", "devices"),
            self.first_failing.join(", ")
        )))
    }
}
