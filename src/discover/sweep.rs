//! The sweep: first contact with every target at once ([`crate::net::first_contact`]: each
//! community in v2c and v1, and the engine-ID probe), then, for each address that answered,
//! the credential ladder and the walk of the plan; each record is built and streamed as its
//! device completes.
//!
//! Politeness: every datagram waits for the global [`Pacer`]; each device has its own cap on
//! requests in flight, first contact included; a device that times out is tried with each
//! credential once (plus retries) and then reported silent. The sweep never sends a SET.
//!
//! Bounds: once a credential is tried, the device's session is [`Guarded`]: it backs off and
//! then gives up after requests go unanswered, falls back from GETBULK to GETNEXT where bulk
//! answers misbehave, cuts huge values, and stops at the device's time limit; each walk stops
//! at its row cap and at OIDs out of order. What went wrong goes in the record's notes.
//!
//! After the walk plan, the objects of the inventory rules that apply to the device (its
//! vendor's model, version and serial objects) are fetched through the same paced session.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::{Semaphore, mpsc};

use super::build::{NeighborCollector, device_record, identify};
use super::plan::{HR_DEVICE_DESCR, HR_PRINTER_STATUS, identity_objects, walk_plan};
use crate::identify::inventory::Source;
use crate::identify::{Identifier, SubtreeSteps};
use crate::net::engine_probe::check_user;
use crate::net::first_contact::{Contact, Plan, first_contact};
use crate::net::{Paced, Pacer};
use crate::record::{DiscoveredVia, Observations, Observed, TableWalk};
use crate::snmp::guard::{GIVE_UP_AFTER, GuardLimits, Guarded};
use crate::snmp::usm::UserKeys;
use crate::snmp::walk::{WalkEnd, WalkLimits, run};
use crate::snmp::{Connector, Credential, Session, SnmpError, oids};
use crate::snmp::{CredentialKind, PrivProtocol};
use crate::wire::snmprec::{engine_id_comment, write_snmprec};
use crate::wire::{Oid, VarBind};
use std::collections::HashMap;

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
    /// Retries after a timeout.
    pub retries: u32,
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
            retries: 1,
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
}

/// Sweeps `targets`, sending an [`Event`] per address probed and per device completed.
pub async fn sweep<C: Connector>(
    connector: Arc<C>,
    targets: impl Iterator<Item = IpAddr> + Send + 'static,
    config: Arc<SweepConfig>,
    identifier: Arc<Identifier>,
    events: mpsc::Sender<Event>,
) -> SweepSummary {
    // v3 users' master keys, derived once per sweep (DES users excepted: their salts must
    // come from the client's persistent state, so they are left to the client).
    let usm_keys: Arc<HashMap<usize, UserKeys>> = Arc::new(
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
            .collect(),
    );
    let pacer = Arc::new(Pacer::new(config.rate));
    let concurrency = config.concurrency.max(1);
    let mut summary = SweepSummary::default();
    let mut neighbors = NeighborCollector::default();
    let mut probed: std::collections::HashSet<IpAddr> = std::collections::HashSet::new();
    let mut known_chassis: std::collections::HashSet<String> = std::collections::HashSet::new();
    // Wave 0 is the targets; each later wave, the new in-scope neighbours of the one before.
    let mut wave: Box<dyn Iterator<Item = IpAddr> + Send> = Box::new(targets);
    let mut depth = 0u32;
    let plan = Plan {
        port: config.port,
        timeout: config.timeout,
        retries: config.retries,
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
            AbortOnDrop(tokio::spawn(async move {
                first_contact(wave, &config.credentials, &plan, &pacer, contacts_tx).await;
            }))
        };
        // Each contact's work: the device stage for those that answered, nothing for the
        // silent. Only device stages count against `concurrency`: a silent address is done as
        // soon as it comes, so that contacts never pile up behind slow devices (a /8 holds
        // millions of silent addresses; memory must grow with the devices found). `staged` is
        // whether the contact needs the device stage, decided once, where it is queued.
        let work = |contact: Contact, staged: bool| {
            let (connector, config, pacer) = (connector.clone(), config.clone(), pacer.clone());
            let (identifier, events, usm_keys) =
                (identifier.clone(), events.clone(), usm_keys.clone());
            async move {
                let address = contact
                    .address
                    .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
                let record = if staged {
                    // Boxed: the device stage's state is large, and a silent contact's future
                    // (waiting, say, for a slow reader of events) must stay small.
                    Box::pin(device(
                        &*connector,
                        address,
                        &contact,
                        &config,
                        pacer,
                        &identifier,
                        &usm_keys,
                        &events,
                    ))
                    .await
                } else {
                    None
                };
                let answered = record.is_some();
                let _ = events.send(Event::Probed { address, answered }).await;
                let mut neighbors = NeighborCollector::default();
                let mut leads = Vec::new();
                if let Some(r) = record {
                    neighbors.add(&r, &identifier);
                    leads = crawl_leads(&r);
                    let _ = events.send(Event::Device(Box::new(r))).await;
                }
                (staged, address, answered, neighbors, leads)
            }
        };
        let mut contacts = contacts;
        let mut contacts_open = true;
        let mut running = futures::stream::FuturesUnordered::new();
        let mut staged_running = 0usize;
        // Contacts that answered, waiting for a device-stage slot.
        let mut waiting: std::collections::VecDeque<Contact> = std::collections::VecDeque::new();
        let mut next: Vec<IpAddr> = Vec::new();
        let mut wave_leads = Vec::new();
        loop {
            while staged_running < concurrency
                && let Some(c) = waiting.pop_front()
            {
                staged_running += 1;
                running.push(work(c, true));
            }
            let (staged, address, answered, found, leads) = tokio::select! {
                c = contacts.recv(), if contacts_open => {
                    match c {
                        Some(c) if needs_device_stage(&c, &config) => waiting.push_back(c),
                        Some(c) => running.push(work(c, false)),
                        None => contacts_open = false,
                    }
                    continue;
                }
                Some(done) = running.next() => done,
                else => break,
            };
            staged_running -= usize::from(staged);
            if config.crawl.is_some() {
                // Kept only for the crawl, which must not probe an address twice: a sweep of
                // a /8 without it keeps nothing per silent address.
                probed.insert(address);
            }
            neighbors.merge(found);
            summary.probed += 1;
            if answered {
                summary.responders += 1;
            } else {
                summary.silent += 1;
                if summary.silent_examples.len() < 20 {
                    summary.silent_examples.push(address);
                }
            }
            wave_leads.extend(leads);
        }
        let _ = first.join().await;
        let Some(crawl) = &config.crawl else { break };
        depth += 1;
        if depth > crawl.max_depth {
            break;
        }
        // Chassis IDs of everything polled so far: a neighbour already walked through another
        // of its addresses is not walked again.
        for lead in &wave_leads {
            if lead.polled
                && let Some(c) = &lead.chassis
            {
                known_chassis.insert(c.clone());
            }
        }
        for lead in wave_leads.into_iter().filter(|l| !l.polled) {
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
        if next.is_empty() {
            break;
        }
        wave = Box::new(next.into_iter());
    }
    // Devices seen only as neighbours come last, once every polled device is known.
    for d in neighbors.finish() {
        summary.neighbors_only += 1;
        let _ = events.send(Event::Device(Box::new(d))).await;
    }
    summary.requests = pacer.sent.load(std::sync::atomic::Ordering::Relaxed);
    summary.timeouts = pacer.timeouts.load(std::sync::atomic::Ordering::Relaxed);
    summary
}

/// What a polled device tells the crawl: its own chassis ID, and each neighbour's management
/// address with its chassis ID.
struct Lead {
    polled: bool,
    address: Option<IpAddr>,
    chassis: Option<String>,
}

fn crawl_leads(d: &Observed) -> Vec<Lead> {
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

/// A task that is stopped when its handle is dropped: first contact must not go on sending
/// once the sweep that started it is stopped (Ctrl-C, SIGTERM, a stopped schedule).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl AbortOnDrop {
    /// Waits for the task to end.
    async fn join(mut self) -> Result<(), tokio::task::JoinError> {
        (&mut self.0).await
    }
}

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

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

#[allow(clippy::too_many_arguments)]
async fn device<C: Connector>(
    connector: &C,
    address: IpAddr,
    contact: &Contact,
    config: &SweepConfig,
    pacer: Arc<Pacer>,
    identifier: &Identifier,
    usm_keys: &HashMap<usize, UserKeys>,
    events: &mpsc::Sender<Event>,
) -> Option<Observed> {
    let peer = SocketAddr::new(address, config.port);
    let permits = Arc::new(Semaphore::new(config.max_in_flight_per_device.max(1)));
    let mut notes = Vec::new();
    // Whether anything came back in first contact, even what could not be used: such a device
    // is reported, with notes on what went wrong, not counted silent.
    let mut answered = contact.heard();
    notes.extend(contact.notes());
    // The engine-ID probe was part of first contact.
    let engine_id = contact.engine.clone();
    let mut found = None;
    for (position, credential) in config.credentials.iter().enumerate() {
        if !credential.applies_to(address) {
            continue;
        }
        // A community that first contact tried and got no answer with is not tried again.
        if matches!(credential.kind, CredentialKind::Community { .. })
            && !contact.answered.contains(&position)
        {
            notes.push(format!("{}: no response", credential.label()));
            continue;
        }
        // A v3 user is first tried with a request built here, so that an agent's Report says
        // at once why it is refused (the client library waits out its timeout instead).
        if let (Some(engine), Some(keys)) = (&engine_id, usm_keys.get(&credential.index))
            && let Ok(local) = keys.localize(&engine.id)
        {
            let _permit = permits.acquire().await.ok()?;
            if let Err(reason) =
                check_user(peer, engine, &local, config.timeout, config.retries, &pacer).await
            {
                notes.push(format!("{}: {reason}", credential.label()));
                continue;
            }
        }
        let session = match connector.session(peer, credential, config.timeout).await {
            Ok(s) => Guarded::new(
                Paced::new(s, pacer.clone(), permits.clone(), config.retries),
                GuardLimits {
                    give_up_after: GIVE_UP_AFTER,
                    back_off: config.timeout,
                    max_value_size: config.max_value_size,
                    deadline: Some(tokio::time::Instant::now() + config.max_device_time),
                },
            ),
            Err(e) => {
                notes.push(format!("{}: {e}", credential.label()));
                continue;
            }
        };
        match probe(&session).await {
            Ok(values) => {
                found = Some((session, credential, values));
                break;
            }
            Err(SnmpError::Timeout) => notes.push(format!("{}: no response", credential.label())),
            Err(e) => {
                answered |= matches!(e, SnmpError::Status { .. } | SnmpError::Malformed(_));
                notes.push(format!("{}: {e}", credential.label()));
            }
        }
    }
    let Some((session, credential, probed)) = found else {
        // No credential worked; an agent that revealed its engine ID, or answered something
        // unusable, is still a device, identified from what it gave.
        if engine_id.is_none() && !answered {
            return None;
        }
        let obs = Observations {
            engine_id: engine_id.map(|e| e.id),
            ..Observations::default()
        };
        notes.push(if obs.engine_id.is_some() {
            "answered only the credential-free SNMPv3 engine-ID probe: no credential worked".into()
        } else {
            "answered, but nothing that could be used: no credential worked".into()
        });
        return Some(device_record(
            address.to_string(),
            DiscoveredVia::Snmp,
            None,
            &obs,
            notes,
            identifier,
        ));
    };
    let probed_uptime = probed
        .iter()
        .find(|vb| vb.oid == oids::sys_uptime())
        .and_then(|vb| vb.value.as_u64());
    let mut obs = Observations {
        engine_id: engine_id.map(|e| e.id),
        ..Observations::default()
    };
    obs.extend(probed);
    if config.walk {
        let session = &session;
        let limits = config.limits;
        let walks = futures::stream::iter(walk_plan())
            .map(move |table| async move {
                let (rows, end) = run(session, &table.root, limits).await;
                (table, rows, end)
            })
            .buffered(config.max_in_flight_per_device.max(1))
            .collect::<Vec<_>>()
            .await;
        for (table, rows, end) in walks {
            let why = match &end {
                // GaveUp is said once for the device, by the guard.
                WalkEnd::EndOfTable
                | WalkEnd::EndOfMibView
                | WalkEnd::TimeLimit
                | WalkEnd::GaveUp => None,
                WalkEnd::Error { reason } => Some(reason.clone()),
                WalkEnd::NonIncreasing { oid } => Some(format!(
                    "the agent answered {oid}, which does not come after the OID asked for"
                )),
                WalkEnd::Loop { oid } => {
                    Some(format!("the agent looped back to {oid}, already walked"))
                }
                WalkEnd::RowCap => Some(format!("row cap of {} reached", limits.max_rows)),
            };
            if let Some(why) = why {
                notes.push(format!("walk of {} stopped: {why}", table.name));
            }
            obs.tables.push(TableWalk {
                table: table.name.to_string(),
                root: table.root.to_string(),
                rows: rows.len(),
                end,
            });
            obs.extend(rows);
        }
    }
    obs.extend(identity(&session).await);
    if config.walk {
        let walked: Vec<Oid> = walk_plan().into_iter().map(|t| t.root).collect();
        obs.extend(inventory(&session, &obs, identifier, &walked).await);
    }
    // sysUpTime is read by the probe and again in the system table: going back means the device
    // restarted while it was swept.
    let walked_uptime = obs.get(&oids::sys_uptime()).and_then(|v| v.as_u64());
    if let (Some(before), Some(after)) = (probed_uptime, walked_uptime)
        && after < before
    {
        notes.push(format!(
            "sysUpTime went back from {before} to {after} (hundredths of a second) while the device \
             was swept: it restarted, and values from before and after the restart are mixed"
        ));
    }
    notes.extend(session.notes());
    if let Some(dir) = &config.save_walks {
        let path = dir.join(format!("{}.snmprec", address.to_string().replace(':', "_")));
        if let Err(e) = std::fs::write(&path, saved_walk(&obs)) {
            let _ = events
                .send(Event::Warning(format!(
                    "cannot save walk to {}: {e}",
                    path.display()
                )))
                .await;
        }
    }
    Some(device_record(
        address.to_string(),
        DiscoveredVia::Snmp,
        Some(credential.label()),
        &obs,
        notes,
        identifier,
    ))
}

/// A device's answers as `.snmprec` text, with its engine ID as a comment so that a replay
/// answers discovery as the device did. No credential is in it.
fn saved_walk(obs: &Observations) -> String {
    let head = obs
        .engine_id
        .as_deref()
        .map(engine_id_comment)
        .unwrap_or_default();
    head + &write_snmprec(&obs.varbinds())
}

/// The objects of [`identity_objects`] and the private subtrees the device serves: one GETNEXT
/// of every object's prefix and of the enterprises arc (each object kept only if the answer
/// falls inside its prefix); the printer's hrDeviceDescr row where hrPrinterStatus named it;
/// then one GETNEXT per further subtree, as [`SubtreeSteps`] says, so that the record holds the
/// subtrees that offline identification of a full recording finds.
async fn identity<S: Session>(session: &S) -> Vec<VarBind> {
    let objects = identity_objects();
    let mut steps = SubtreeSteps::default();
    let mut asked: Vec<Oid> = objects.iter().map(|t| t.root.clone()).collect();
    asked.extend(steps.request().cloned());
    let answers = ask_each_if_refused(session, Ask::GetNext, &asked)
        .await
        .unwrap_or_default();
    let answer_to = |root: &Oid| {
        answers
            .iter()
            .find(|vb| vb.oid.starts_with(root) && !vb.value.is_exception())
    };
    let mut found: Vec<VarBind> = objects
        .iter()
        .filter_map(|t| answer_to(&t.root).cloned())
        .collect();
    let printer = Oid::new(HR_PRINTER_STATUS);
    if let Some(index) = answer_to(&printer).and_then(|vb| vb.oid.suffix(&printer)) {
        let mut descr = Oid::new(HR_DEVICE_DESCR);
        for &i in index {
            descr = descr.child(i);
        }
        if let Ok(vbs) = session.get(std::slice::from_ref(&descr)).await {
            found.extend(vbs.into_iter().filter(|vb| !vb.value.is_exception()));
        }
    }
    // The first step's answer came with the objects': the least OID after the arc among the
    // answers (what any other prefix's GETNEXT found past the arc cannot come before it, and
    // the arc's own answer may be missing where a v1 agent refused it). Each later step is a
    // GETNEXT of its own.
    let arc = crate::identify::enterprises_arc();
    let mut answer = answers
        .into_iter()
        .filter(|vb| vb.oid > arc)
        .min_by(|a, b| a.oid.cmp(&b.oid));
    loop {
        let opened = steps.answer(
            answer.as_ref().map(|vb| &vb.oid),
            answer.as_ref().is_some_and(|vb| !vb.value.is_exception()),
        );
        if opened {
            found.extend(answer.take());
        }
        let Some(from) = steps.request() else { break };
        answer = match session.get_next(std::slice::from_ref(from)).await {
            Ok(vbs) => vbs.into_iter().next(),
            Err(_) => None,
        };
    }
    found
}

/// The objects of the inventory rules that apply to the device as identified so far
/// (`rules/inventory.toml`): one GET for the exact objects, one GETNEXT per prefix keeping only
/// an answer inside it, so that the record says what offline identification of a full walk
/// says. What the probe or the walks already hold is not asked again.
async fn inventory<S: Session>(
    session: &S,
    obs: &Observations,
    identifier: &Identifier,
    walked: &[Oid],
) -> Vec<VarBind> {
    let id = identify(obs, identifier);
    let sys_object_id = obs.get(&oids::sys_object_id()).and_then(|v| v.as_oid());
    let inside_walk = |o: &Oid| walked.iter().any(|r| o.starts_with(r));
    let mut gets = Vec::new();
    let mut found = Vec::new();
    for source in identifier.inventory_sources(sys_object_id, id.vendor.as_deref()) {
        match &source {
            Source::Get(o) if obs.get(o).is_none() && !inside_walk(o) => gets.push(o.clone()),
            Source::First(p) if !inside_walk(p) => {
                if let Ok(vbs) = session.get_next(std::slice::from_ref(p)).await {
                    found.extend(
                        vbs.into_iter()
                            .filter(|vb| source.answered_by(&vb.oid) && !vb.value.is_exception()),
                    );
                }
            }
            _ => {}
        }
    }
    for chunk in gets.chunks(INVENTORY_GET_BATCH) {
        if let Ok(vbs) = get_each_if_refused(session, chunk).await {
            found.extend(vbs.into_iter().filter(|vb| !vb.value.is_exception()));
        }
    }
    found
}

/// Objects asked in one inventory GET.
const INVENTORY_GET_BATCH: usize = 8;

/// GET of the four system objects.
async fn probe<S: Session>(session: &S) -> Result<Vec<VarBind>, SnmpError> {
    let wanted = [
        oids::sys_descr(),
        oids::sys_object_id(),
        oids::sys_name(),
        oids::sys_uptime(),
    ];
    get_each_if_refused(session, &wanted).await
}

/// A request of several objects: GET or GETNEXT.
#[derive(Debug, Clone, Copy)]
enum Ask {
    Get,
    GetNext,
}

/// GET of several objects: see [`ask_each_if_refused`].
async fn get_each_if_refused<S: Session>(
    session: &S,
    wanted: &[Oid],
) -> Result<Vec<VarBind>, SnmpError> {
    ask_each_if_refused(session, Ask::Get, wanted).await
}

/// GET or GETNEXT of several objects. A v1 agent that lacks one (or has nothing after one)
/// answers noSuchName for the whole request; then each is asked alone so the others are not
/// lost. So too when the answer would not fit in one message (tooBig: huge values).
async fn ask_each_if_refused<S: Session>(
    session: &S,
    ask: Ask,
    wanted: &[Oid],
) -> Result<Vec<VarBind>, SnmpError> {
    let once = |oids: &[Oid]| {
        let oids = oids.to_vec();
        async move {
            match ask {
                Ask::Get => session.get(&oids).await,
                Ask::GetNext => session.get_next(&oids).await,
            }
        }
    };
    match once(wanted).await {
        Err(SnmpError::Status { status: 1 | 2, .. }) if wanted.len() > 1 => {
            let mut got = Vec::new();
            for oid in wanted {
                if let Ok(v) = once(std::slice::from_ref(oid)).await {
                    got.extend(v);
                }
            }
            Ok(got)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulate::agent::Agent;
    use crate::simulate::fault::{Fault, Faults};
    use crate::simulate::recording::Recording;
    use crate::simulate::server::{Simulation, Traffic};
    use crate::snmp::Secret;
    use crate::snmp::backend::AsyncSnmp;
    use crate::wire::Version;
    use std::path::Path;

    /// A simulation of `agents` from `base` on port 16161, and a sweep of it with the v2c
    /// community `public` and no rate cap.
    async fn simulated(agents: Vec<Agent>, base: &str) -> (Simulation, SweepConfig) {
        let sim = Simulation::start(
            agents,
            base.parse().unwrap(),
            16_161,
            Arc::new(Traffic::logged()),
        )
        .await
        .unwrap();
        let config = SweepConfig {
            credentials: vec![Credential::community(
                Version::V2c,
                Secret::new("public"),
                1,
            )],
            port: sim.addresses[0].port(),
            rate: None,
            ..SweepConfig::default()
        };
        (sim, config)
    }

    /// Sweeps the agents of `texts` (recordings) with a v2c community, and returns each
    /// record with the offline record of the same recording, in the agents' order.
    async fn sweep_and_replay(texts: &[String], base: &str) -> Vec<(Observed, Observed)> {
        let identifier = Arc::new(Identifier::bundled().unwrap());
        let recordings: Vec<Arc<Recording>> = texts
            .iter()
            .map(|t| Arc::new(Recording::parse(Path::new("t"), t.as_bytes()).unwrap()))
            .collect();
        let agents = recordings
            .iter()
            .map(|r| Agent::new(r.clone(), None))
            .collect();
        let (sim, config) = simulated(agents, base).await;
        let config = SweepConfig {
            timeout: Duration::from_millis(2000),
            ..config
        };
        let targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        let (tx, mut rx) = mpsc::channel(64);
        let running = tokio::spawn(sweep(
            Arc::new(AsyncSnmp::bind().await.unwrap()),
            targets.clone().into_iter(),
            Arc::new(config),
            identifier.clone(),
            tx,
        ));
        let mut records = HashMap::new();
        let events = async {
            while let Some(e) = rx.recv().await {
                if let Event::Device(d) = e {
                    records.insert(d.address.clone(), *d);
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(60), events)
            .await
            .expect("the sweep ends");
        running.await.unwrap();
        sim.stop().await;
        targets
            .iter()
            .zip(&recordings)
            .map(|(a, rec)| {
                let mut obs = Observations::default();
                obs.extend(rec.objects.iter().cloned());
                let offline = device_record(
                    a.to_string(),
                    DiscoveredVia::Snmp,
                    None,
                    &obs,
                    Vec::new(),
                    &identifier,
                );
                (records.remove(&a.to_string()).expect("swept"), offline)
            })
            .collect()
    }

    fn subtrees(r: &Observed) -> Vec<(String, String)> {
        r.identification
            .evidence
            .iter()
            .filter(|e| e.source.starts_with("private subtree"))
            .map(|e| (e.source.clone(), e.value.clone()))
            .collect()
    }

    /// A generic agent (net-snmp's sysObjectID, a plain Linux sysDescr) whose only maker
    /// evidence is a private subtree of a vendor that no list names in advance (Ubiquiti's),
    /// behind a CDP cache row, UCD's and net-snmp's own subtrees; and an agent serving more
    /// subtrees than the cap. The sweep finds what offline identification of the whole
    /// recording finds: the first subtrees in OID order, the same evidence.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sweep_finds_the_private_subtrees_offline_identification_finds() {
        let head = "1.3.6.1.2.1.1.1.0|4|Linux ap 4.4.153 #1 SMP armv7l\n\
                    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.8072.3.2.10\n\
                    1.3.6.1.2.1.1.5.0|4|ap\n";
        let mut ubiquiti = head.to_string();
        ubiquiti.push_str(
            "1.3.6.1.4.1.9.9.23.1.2.1.1.6.1.1|4|core-1\n\
             1.3.6.1.4.1.2021.4.5.0|2|1024\n\
             1.3.6.1.4.1.8072.1.3.2.1.0|2|0\n\
             1.3.6.1.4.1.41112.1.4.1.1.4.1|4|airMAX\n\
             1.3.6.1.4.1.41112.1.4.1.1.5.1|4|more\n",
        );
        let mut many = head.to_string();
        for pen in [
            11, 43, 171, 2011, 2636, 3902, 4881, 6527, 14988, 25506, 41112,
        ] {
            many.push_str(&format!("1.3.6.1.4.1.{pen}.1.2.0|2|{pen}\n"));
            many.push_str(&format!("1.3.6.1.4.1.{pen}.1.3.0|2|{pen}\n"));
        }
        let got = sweep_and_replay(&[ubiquiti, many], "127.67.1.1").await;
        let (swept, offline) = &got[0];
        assert_eq!(
            (
                swept.identification.vendor.as_deref(),
                swept.identification.origin.as_deref()
            ),
            (Some("Ubiquiti"), Some("ubiquiti")),
            "{:?}",
            swept.identification.evidence
        );
        assert_eq!(
            subtrees(swept),
            [(
                "private subtree of enterprise 41112 answers".to_string(),
                "1.3.6.1.4.1.41112.1.4.1.1.4.1".to_string()
            )]
        );
        assert_eq!(subtrees(swept), subtrees(offline));
        assert_eq!(
            (&swept.identification.vendor, &swept.identification.origin),
            (
                &offline.identification.vendor,
                &offline.identification.origin
            )
        );
        let (swept, offline) = &got[1];
        let pens: Vec<String> = subtrees(swept)
            .into_iter()
            .map(|(s, _)| s.split(' ').nth(4).unwrap_or_default().to_string())
            .collect();
        assert_eq!(
            pens,
            ["11", "43", "171", "2011", "2636", "3902", "4881", "6527"],
            "the first {} in OID order",
            crate::identify::MAX_PRIVATE_SUBTREES
        );
        assert_eq!(subtrees(swept), subtrees(offline));
    }

    /// With one device-stage slot taken by a slow device, the silent addresses that come out
    /// of first contact meanwhile are done at once: they neither wait for the slot nor pile
    /// up behind it (on a /8, millions would).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn silent_addresses_do_not_wait_behind_a_slow_device() {
        let text = "1.3.6.1.2.1.1.1.0|4|Huawei Versatile Routing Platform\n\
                    1.3.6.1.2.1.1.2.0|6|1.3.6.1.4.1.2011.2.23.96\n";
        let rec = Arc::new(Recording::parse(Path::new("t"), text.as_bytes()).unwrap());
        // Every answer of the first agent waits 150 ms: its walk of the plan's tables takes
        // seconds. The other twenty never answer: each is known silent once its v2c probe and
        // its engine-ID probe have waited out 500 ms each, while the slow walk goes on.
        let slow = Faults::new(&[Fault::Slow]).delays(Duration::from_millis(150), Duration::ZERO);
        let mut agents = vec![Agent::new(rec.clone(), None).with_faults(Arc::new(slow))];
        for _ in 0..20 {
            agents.push(
                Agent::new(rec.clone(), None).with_faults(Arc::new(Faults::new(&[Fault::Silent]))),
            );
        }
        let (sim, config) = simulated(agents, "127.67.0.1").await;
        let config = SweepConfig {
            timeout: Duration::from_millis(500),
            retries: 0,
            concurrency: 1,
            ..config
        };
        let targets: Vec<IpAddr> = sim.addresses.iter().map(|a| a.ip()).collect();
        let (tx, mut rx) = mpsc::channel(1024);
        let running = tokio::spawn(sweep(
            Arc::new(AsyncSnmp::bind().await.unwrap()),
            targets.into_iter(),
            Arc::new(config),
            Arc::new(Identifier::bundled().unwrap()),
            tx,
        ));
        let mut probed = Vec::new();
        let events = async {
            while let Some(e) = rx.recv().await {
                if let Event::Probed { answered, .. } = e {
                    probed.push(answered);
                }
            }
        };
        // A bound far above what the exchange needs: never hang the suite.
        tokio::time::timeout(Duration::from_secs(60), events)
            .await
            .expect("the sweep ends");
        let summary = running.await.unwrap();
        sim.stop().await;
        assert_eq!((summary.responders, summary.silent), (1, 20));
        // The slow device is the last done, although it answered first.
        assert_eq!(probed.len(), 21);
        assert_eq!(probed.iter().position(|&a| a), Some(20), "{probed:?}");
    }
}
