//! The device stage of a sweep: the credential ladder, the walk plan, the objects beside it,
//! and the record built from what the device answered.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use futures::StreamExt;
use tokio::sync::{Semaphore, mpsc};

use super::objects::{identity, inventory, probe};
use super::{Event, SweepConfig};
use crate::discover::build::device_record;
use crate::discover::plan::walk_plan;
use crate::identify::Identifier;
use crate::net::engine_probe::check_user;
use crate::net::first_contact::Contact;
use crate::net::{Paced, Pacer};
use crate::record::{DiscoveredVia, Observations, Observed, TableWalk};
use crate::snmp::guard::{GIVE_UP_AFTER, GuardLimits, Guarded};
use crate::snmp::walk::{WalkEnd, run};
use crate::snmp::{Connector, Credential, CredentialKind, Session, SnmpError, oids};
use crate::usm::UserKeys;
use crate::wire::snmprec::{engine_id_comment, push_snmprec};
use crate::wire::{Oid, VarBind};

/// A device's session, paced and guarded.
type DeviceSession<C> = Guarded<Paced<<C as Connector>::Session>>;

/// The device stage of one address that answered first contact (or that first contact could
/// not tell about): its record, or `None` when nothing at all came back.
#[allow(clippy::too_many_arguments)]
pub(super) async fn device<C: Connector>(
    connector: &C,
    address: IpAddr,
    contact: &Contact,
    config: &SweepConfig,
    pacer: Arc<Pacer>,
    identifier: &Arc<Identifier>,
    usm_keys: &HashMap<usize, UserKeys>,
    events: &mpsc::Sender<Event>,
) -> Option<Observed> {
    let mut notes = contact.notes();
    let Ladder {
        found,
        answered,
        notes: tried,
    } = ladder(connector, address, contact, config, pacer, usm_keys).await?;
    notes.extend(tried);
    // The engine-ID probe was part of first contact.
    let engine_id = contact.engine.clone();
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
        walk(&session, config, &mut obs, &mut notes).await;
    }
    obs.extend(identity(&session).await);
    if config.walk {
        let walked: Vec<Oid> = walk_plan().into_iter().map(|t| t.root).collect();
        obs.extend(inventory(&session, &obs, identifier, &walked).await);
    }
    notes.extend(restart_note(probed_uptime, &obs));
    notes.extend(session.notes());
    // Saving the walk (a file created: kernel time) and building the record are this device's
    // own CPU work: done on the blocking pool, so that the task driving every device's walk
    // goes on with the others meanwhile.
    let (save_walks, identifier) = (config.save_walks.clone(), Arc::clone(identifier));
    let credential = credential.label();
    let finished = tokio::task::spawn_blocking(move || {
        let warning = save_walk(save_walks.as_deref(), address, &obs);
        let record = device_record(
            address.to_string(),
            DiscoveredVia::Snmp,
            Some(credential),
            &obs,
            notes,
            &identifier,
        );
        (warning, record)
    })
    .await;
    let (warning, record) = match finished {
        Ok(done) => done,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        // The runtime is shutting down.
        Err(_) => return None,
    };
    if let Some(warning) = warning {
        let _ = events.send(Event::Warning(warning)).await;
    }
    Some(record)
}

/// How the credential ladder went: the session, credential and probe answers of the first
/// credential that worked, whether anything came back at all (even what could not be used:
/// such a device is reported, with notes on what went wrong, not counted silent), and notes.
struct Ladder<'c, S> {
    found: Option<(S, &'c Credential, Vec<VarBind>)>,
    answered: bool,
    notes: Vec<String>,
}

/// Tries each credential in scope in order, until one answers the probe.
async fn ladder<'c, C: Connector>(
    connector: &C,
    address: IpAddr,
    contact: &Contact,
    config: &'c SweepConfig,
    pacer: Arc<Pacer>,
    usm_keys: &HashMap<usize, UserKeys>,
) -> Option<Ladder<'c, DeviceSession<C>>> {
    let peer = SocketAddr::new(address, config.port);
    let permits = Arc::new(Semaphore::new(config.max_in_flight_per_device.max(1)));
    let mut notes = Vec::new();
    let mut answered = contact.heard();
    let engine_id = &contact.engine;
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
        if let (Some(engine), Some(keys)) = (engine_id, usm_keys.get(&credential.index))
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
                return Some(Ladder {
                    found: Some((session, credential, values)),
                    answered,
                    notes,
                });
            }
            Err(SnmpError::Timeout) => notes.push(format!("{}: no response", credential.label())),
            Err(e) => {
                answered |= matches!(e, SnmpError::Status { .. } | SnmpError::Malformed(_));
                notes.push(format!("{}: {e}", credential.label()));
            }
        }
    }
    Some(Ladder {
        found: None,
        answered,
        notes,
    })
}

/// Walks every table of the plan, a few at once; how each ended goes in the observations, and
/// why one stopped short in the notes.
async fn walk<S: Session>(
    session: &S,
    config: &SweepConfig,
    obs: &mut Observations,
    notes: &mut Vec<String>,
) {
    let limits = config.limits;
    let walks = futures::stream::iter(walk_plan())
        .map(move |table| async move {
            let (rows, end) = run(session, &table.root, limits).await;
            (table, rows, end)
        })
        .buffered(config.max_in_flight_per_device.max(1))
        .collect::<Vec<_>>()
        .await;
    // Every table's rows go in at once, in plan order, as one bulk load.
    let mut walked = Vec::with_capacity(walks.iter().map(|(_, rows, _)| rows.len()).sum());
    for (table, rows, end) in walks {
        let why = match &end {
            // GaveUp is said once for the device, by the guard.
            WalkEnd::EndOfTable | WalkEnd::EndOfMibView | WalkEnd::TimeLimit | WalkEnd::GaveUp => {
                None
            }
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
        walked.extend(rows);
    }
    obs.extend(walked);
}

/// sysUpTime is read by the probe and again in the system table: going back means the device
/// restarted while it was swept.
fn restart_note(probed_uptime: Option<u64>, obs: &Observations) -> Option<String> {
    let walked_uptime = obs.get(&oids::sys_uptime()).and_then(|v| v.as_u64());
    let (Some(before), Some(after)) = (probed_uptime, walked_uptime) else {
        return None;
    };
    (after < before).then(|| {
        format!(
            "sysUpTime went back from {before} to {after} (hundredths of a second) while the device \
             was swept: it restarted, and values from before and after the restart are mixed"
        )
    })
}

/// Saves the device's answers where `--save-walks` says; a warning when they cannot be.
fn save_walk(dir: Option<&Path>, address: IpAddr, obs: &Observations) -> Option<String> {
    let dir = dir?;
    let path = dir.join(format!("{}.snmprec", address.to_string().replace(':', "_")));
    let e = std::fs::write(&path, saved_walk(obs)).err()?;
    Some(format!("cannot save walk to {}: {e}", path.display()))
}

/// A device's answers as `.snmprec` text, with its engine ID as a comment so that a replay
/// answers discovery as the device did. No credential is in it.
pub(super) fn saved_walk(obs: &Observations) -> String {
    let head = obs
        .engine_id
        .as_deref()
        .map(engine_id_comment)
        .unwrap_or_default();
    let mut text = head;
    text.reserve(obs.values.len() * 48);
    push_snmprec(&mut text, obs.entries());
    text
}
