//! The sweep: first contact with every target at once ([`crate::net::first_contact`]: each
//! community in v2c and v1, and the engine-ID probe), then, for each address that answered,
//! the credential ladder and the walk of the plan; each record is built and streamed as its
//! device completes.
//!
//! Politeness: every datagram waits for the global [`Pacer`]; each device has its own cap on
//! requests in flight, first contact included; a device that times out is tried with each
//! credential once (plus retries) and then reported silent. The sweep never sends a SET.
//!
//! Bounds: once a credential is tried, the device's session is
//! [`Guarded`](crate::snmp::guard::Guarded): it backs off and then gives up after requests go
//! unanswered, falls back from GETBULK to GETNEXT where bulk answers misbehave, cuts huge values,
//! and stops at the device's time limit; each walk stops at its row cap and at OIDs out of order.
//! What went wrong goes in the record's notes.
//!
//! After the walk plan, the objects of the inventory rules that apply to the device (its
//! vendor's model, version and serial objects) are fetched through the same paced session.

mod crawl;
mod device;
mod objects;

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;

use super::build::NeighborCollector;
use crate::identify::Identifier;
use crate::net::Pacer;
use crate::net::first_contact::{Account, Contact, Plan, first_contact};
use crate::record::Observed;
use crate::snmp::walk::WalkLimits;
use crate::snmp::{Connector, Credential};
use crate::snmp::{CredentialKind, PrivProtocol};
use crate::usm::UserKeys;
use crawl::{Lead, crawl_leads, next_wave};
use device::device;

/// How to sweep.
#[derive(Debug, Clone)]
pub struct SweepConfig {
    /// The credential ladder, tried in order.
    pub credentials: Vec<Credential>,
    /// Whether to ask every target for its SNMPv3 engine ID first, with no credential.
    pub engine_probe: bool,
    /// The agents' UDP port.
    pub port: u16,
    /// How long to wait for each answer.
    pub timeout: Duration,
    /// Retries after a timeout: every request to a device that has answered; in first
    /// contact, the most an address that has not answered can earn (see `retries_explicit`).
    pub retries: u32,
    /// Whether `retries` was asked for: then a silent address gets them too. Otherwise a
    /// silent address is retried only as far as the sweep has evidence of loss.
    pub retries_explicit: bool,
    /// First contact sends every rung of the ladder to every address, not only its opening.
    pub probe_every_rung: bool,
    /// Requests per second across the whole sweep; `None`: unlimited.
    pub rate: Option<NonZeroU32>,
    /// Requests in flight to one device.
    pub max_in_flight_per_device: usize,
    /// Whether to walk responders (false: probe only).
    pub walk: bool,
    /// Bounds of each table walk.
    pub limits: WalkLimits,
    /// The most time spent on one device once a credential is tried on it: what is not asked
    /// by then is not asked.
    pub max_device_time: Duration,
    /// The longest value kept, in octets; longer ones are cut.
    pub max_value_size: usize,
    /// How many devices are handled at once.
    pub concurrency: usize,
    /// Where to write each device's answers as `.snmprec`.
    pub save_walks: Option<PathBuf>,
    /// Whether and how far to follow neighbours' management addresses.
    pub crawl: Option<Crawl>,
}

/// Bounds of a crawl: neighbours' management addresses are followed breadth-first, only
/// inside `scope`, never into `exclude`, at most `max_depth` hops from the targets and
/// `max_devices` addresses in all; a device already known by its chassis ID is not walked
/// again through another of its addresses, and an address is probed once, so loops end.
#[derive(Debug, Clone)]
pub struct Crawl {
    /// Where the crawl may go.
    pub scope: Vec<ipnet::IpNet>,
    /// Where it must not.
    pub exclude: Vec<ipnet::IpNet>,
    /// Hops from the targets.
    pub max_depth: u32,
    /// Addresses probed at most, targets included.
    pub max_devices: usize,
}

impl Default for SweepConfig {
    fn default() -> Self {
        SweepConfig {
            credentials: Vec::new(),
            engine_probe: true,
            port: 161,
            timeout: Duration::from_millis(1000),
            retries: DEFAULT_RETRIES,
            retries_explicit: false,
            probe_every_rung: false,
            rate: NonZeroU32::new(300),
            max_in_flight_per_device: 1,
            walk: true,
            limits: WalkLimits::default(),
            max_device_time: Duration::from_secs(600),
            max_value_size: crate::snmp::guard::MAX_VALUE_SIZE,
            concurrency: 256,
            save_walks: None,
            crawl: None,
        }
    }
}

/// What the sweep reports as it goes.
#[derive(Debug)]
pub enum Event {
    /// An address was probed; `answered` says whether anything answered.
    Probed {
        /// The address.
        address: IpAddr,
        /// Whether it answered.
        answered: bool,
    },
    /// That many addresses were probed and nothing answered (sent in batches: a /16 of
    /// silent addresses would otherwise be 65,536 events).
    Silent(u64),
    /// A device is complete.
    Device(Box<Observed>),
    /// Something went wrong that is not about one device (a walk could not be saved...).
    Warning(String),
}

/// Totals of a sweep.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SweepSummary {
    /// Addresses probed.
    pub probed: u64,
    /// Addresses that answered.
    pub responders: u64,
    /// Addresses that never answered.
    pub silent: u64,
    /// Devices seen only in polled devices' neighbour tables.
    pub neighbors_only: u64,
    /// Up to 20 of the silent addresses, to name them.
    pub silent_examples: Vec<IpAddr>,
    /// Requests sent, retries included.
    pub requests: u64,
    /// Requests that timed out.
    pub timeouts: u64,
    /// First contact's account of itself (retries and why, the timeout learned), for a sweep
    /// that ran here (not one read back from the history).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_contact: Option<Box<Account>>,
}

/// Sweeps `targets`, sending an [`Event`] per address probed and per device completed.
pub async fn sweep<C: Connector>(
    connector: Arc<C>,
    targets: impl Iterator<Item = IpAddr> + Send + 'static,
    config: Arc<SweepConfig>,
    identifier: Arc<Identifier>,
    events: mpsc::Sender<Event>,
) -> SweepSummary {
    let pacer = Arc::new(Pacer::new(config.rate));
    let stage = Stage {
        usm_keys: Arc::new(usm_keys(&config)),
        connector,
        config: config.clone(),
        pacer: pacer.clone(),
        identifier,
        events: events.clone(),
    };
    let mut swept = Swept::default();
    let mut known_chassis: HashSet<String> = HashSet::new();
    // Wave 0 is the targets; each later wave, the new in-scope neighbours of the one before.
    let mut wave: Box<dyn Iterator<Item = IpAddr> + Send> = Box::new(targets);
    let mut depth = 0u32;
    let plan = Plan {
        port: config.port,
        timeout: config.timeout,
        retries: config.retries,
        retries_explicit: config.retries_explicit,
        every_rung: config.probe_every_rung,
        engine_probe: config.engine_probe,
        max_in_flight_per_device: config.max_in_flight_per_device,
        max_addresses: FIRST_CONTACT_ADDRESSES,
    };
    loop {
        // First contact runs on its own task; each address comes out of it as soon as it is
        // known, and the ones that answered go on to the ladder and the walk at once.
        let (contacts_tx, contacts) = mpsc::unbounded_channel();
        let first = {
            let (config, pacer, plan) = (config.clone(), pacer.clone(), plan.clone());
            own_thread(async move {
                first_contact(wave, &config.credentials, &plan, &pacer, contacts_tx).await
            })
        };
        let leads = stage.wave(contacts, &mut swept).await;
        if let Ok(account) = first.await {
            match &mut swept.summary.first_contact {
                Some(a) => a.merge(&account),
                None => swept.summary.first_contact = Some(Box::new(account)),
            }
        }
        let Some(crawl) = &config.crawl else { break };
        depth += 1;
        if depth > crawl.max_depth {
            break;
        }
        let next = next_wave(crawl, leads, &mut known_chassis, &swept.probed);
        if next.is_empty() {
            break;
        }
        wave = Box::new(next.into_iter());
    }
    let mut summary = swept.summary;
    // Devices seen only as neighbours come last, once every polled device is known.
    for d in swept.neighbors.finish() {
        summary.neighbors_only += 1;
        let _ = events.send(Event::Device(Box::new(d))).await;
    }
    summary.requests = pacer.sent.load(std::sync::atomic::Ordering::Relaxed);
    summary.timeouts = pacer.timeouts.load(std::sync::atomic::Ordering::Relaxed);
    summary
}

/// The v3 users' master keys, derived once per sweep (DES users excepted: their salts must
/// come from the client's persistent state, so they are left to the client).
fn usm_keys(config: &SweepConfig) -> HashMap<usize, UserKeys> {
    config
        .credentials
        .iter()
        .filter_map(|c| match &c.kind {
            CredentialKind::Usm(u)
                if !matches!(u.privacy, Some((PrivProtocol::Des | PrivProtocol::Des3, _))) =>
            {
                UserKeys::new(u).ok().map(|k| (c.index, k))
            }
            _ => None,
        })
        .collect()
}

/// What the waves of a sweep have gathered so far.
#[derive(Default)]
struct Swept {
    summary: SweepSummary,
    /// The neighbours of every device polled.
    neighbors: NeighborCollector,
    /// Every address probed, kept only for the crawl, which must not probe one twice: a sweep
    /// of a /8 without it keeps nothing per silent address.
    probed: HashSet<IpAddr>,
}

impl Swept {
    /// Counts `address` probed, and whether it answered; keeps it if the sweep crawls.
    fn count(&mut self, address: IpAddr, answered: bool, crawl: bool) {
        if crawl {
            self.probed.insert(address);
        }
        let summary = &mut self.summary;
        summary.probed += 1;
        if answered {
            summary.responders += 1;
        } else {
            summary.silent += 1;
            if summary.silent_examples.len() < 20 {
                summary.silent_examples.push(address);
            }
        }
    }
}

/// What one contact's work gives back: its address, whether it answered, its neighbours and
/// what it tells the crawl.
type Done = (IpAddr, bool, NeighborCollector, Vec<Lead>);

/// The device stage of a sweep, with what every device's work shares.
struct Stage<C> {
    connector: Arc<C>,
    config: Arc<SweepConfig>,
    pacer: Arc<Pacer>,
    identifier: Arc<Identifier>,
    events: mpsc::Sender<Event>,
    usm_keys: Arc<HashMap<usize, UserKeys>>,
}

impl<C: Connector> Stage<C> {
    /// One contact's work: the device stage for an address that answered first contact; its
    /// events sent.
    fn work(&self, contact: Contact) -> impl Future<Output = Done> + use<C> {
        let (connector, config, pacer) = (
            self.connector.clone(),
            self.config.clone(),
            self.pacer.clone(),
        );
        let (identifier, events, usm_keys) = (
            self.identifier.clone(),
            self.events.clone(),
            self.usm_keys.clone(),
        );
        async move {
            let address = contact
                .address
                .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
            let record = device(
                &*connector,
                address,
                &contact,
                &config,
                pacer,
                &identifier,
                &usm_keys,
                &events,
            )
            .await;
            let answered = record.is_some();
            let _ = events.send(Event::Probed { address, answered }).await;
            let mut neighbors = NeighborCollector::default();
            let mut leads = Vec::new();
            if let Some(r) = record {
                neighbors.add(&r, &identifier);
                leads = crawl_leads(&r);
                let _ = events.send(Event::Device(Box::new(r))).await;
            }
            (address, answered, neighbors, leads)
        }
    }

    /// Works through one wave's contacts as first contact hands them over; what its devices
    /// tell the crawl. Only device stages count against `concurrency`: a silent address is
    /// done as soon as it comes, so that contacts never pile up behind slow devices (a /8 holds
    /// millions of silent addresses; memory must grow with the devices found).
    async fn wave(
        &self,
        mut contacts: mpsc::UnboundedReceiver<Vec<Contact>>,
        swept: &mut Swept,
    ) -> Vec<Lead> {
        let concurrency = self.config.concurrency.max(1);
        let mut contacts_open = true;
        // Each device stage is a task of its own, so that devices are walked and their records
        // built on every core; dropped with the wave (a stopped sweep), the set aborts them.
        let mut running = tokio::task::JoinSet::new();
        let mut addresses: HashMap<tokio::task::Id, IpAddr> = HashMap::new();
        // Contacts that answered, waiting for a device-stage slot.
        let mut waiting: VecDeque<Contact> = VecDeque::new();
        let mut wave_leads = Vec::new();
        loop {
            while running.len() < concurrency
                && let Some(c) = waiting.pop_front()
            {
                let address = c.address.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                let task = running.spawn(self.work(c));
                addresses.insert(task.id(), address);
            }
            let (address, answered, found, leads) = tokio::select! {
                batch = contacts.recv(), if contacts_open => {
                    let Some(batch) = batch else {
                        contacts_open = false;
                        continue;
                    };
                    // A silent address is counted here and told in one event per batch.
                    let mut silent = 0;
                    for c in batch {
                        if needs_device_stage(&c, &self.config) {
                            waiting.push_back(c);
                        } else {
                            silent += 1;
                            let address = c.address.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                            swept.count(address, false, self.config.crawl.is_some());
                        }
                    }
                    if silent > 0 {
                        let _ = self.events.send(Event::Silent(silent)).await;
                    }
                    continue;
                }
                Some(done) = running.join_next_with_id() => match done {
                    Ok((id, done)) => {
                        addresses.remove(&id);
                        done
                    }
                    // A device stage that panicked (a bug of ours): the sweep goes on, the
                    // address counts as not answering, and the warning says so.
                    Err(e) => {
                        let address = addresses.remove(&e.id());
                        let address = address.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
                        let warning = format!("{address}: the device stage failed ({e}); its record is missing");
                        let _ = self.events.send(Event::Warning(warning)).await;
                        let _ = self.events.send(Event::Probed { address, answered: false }).await;
                        (address, false, NeighborCollector::default(), Vec::new())
                    }
                },
                else => break,
            };
            swept.count(address, answered, self.config.crawl.is_some());
            swept.neighbors.merge(found);
            wave_leads.extend(leads);
        }
        wave_leads
    }
}

/// Runs first contact on a thread of its own, on a runtime of its own, and gives its result.
///
/// Its own thread because of what the kernel does per datagram: each one freed after sending
/// (and each ICMP error) wakes whoever waits on the socket. On the sweep's runtime, the worker
/// not sending sat in `epoll_wait` on it and was woken for every datagram, a third of a silent
/// sweep's time spent in wake-ups and task switches (perf, bench/compare's silent /16). On a
/// current-thread runtime of its own, nobody waits on the socket while first contact sends.
///
/// It stops by itself once its reader is gone: `first_contact` ends when `done` is closed
/// (the sweep stopped), even while it waits.
fn own_thread<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> tokio::sync::oneshot::Receiver<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let spawned = std::thread::Builder::new()
        .name("first-contact".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                let _ = tx.send(runtime.block_on(work));
            }
        });
    // A thread that cannot start (the process is out of threads): the receiver reports it as
    // an error, and the wave ends with no contact.
    drop(spawned);
    rx
}

/// Retries after a timeout when `--retries` is not given.
pub const DEFAULT_RETRIES: u32 = 1;

/// Addresses in first contact at once: about 100 bytes each, so a /16 in flight is a few MB.
const FIRST_CONTACT_ADDRESSES: usize = 65_536;

/// Whether an address goes on from first contact: it answered, or first contact could not
/// tell (no engine-ID probe, and v3 users in the ladder that only the client library can try).
fn needs_device_stage(contact: &Contact, config: &SweepConfig) -> bool {
    contact.heard()
        || (!config.engine_probe
            && config.credentials.iter().any(|c| {
                matches!(c.kind, CredentialKind::Usm(_))
                    && contact.address.is_some_and(|a| c.applies_to(a))
            }))
}

#[cfg(test)]
mod tests;
