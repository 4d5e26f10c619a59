//! What is asked of a device beside the walk plan: the four system objects of the probe, the
//! standard objects that name a maker and the private subtrees it serves, and the objects of
//! the inventory rules that apply to it; each asked one by one where the agent refuses the
//! request that asks for several.

use super::super::build::identify;
use super::super::plan::{HR_DEVICE_DESCR, HR_PRINTER_STATUS, identity_objects};
use crate::identify::inventory::Source;
use crate::identify::{Identifier, SubtreeSteps};
use crate::record::Observations;
use crate::snmp::{Session, SnmpError, oids};
use crate::wire::{Oid, VarBind};

/// GET of the four system objects.
pub(super) async fn probe<S: Session>(session: &S) -> Result<Vec<VarBind>, SnmpError> {
    let wanted = [
        oids::sys_descr(),
        oids::sys_object_id(),
        oids::sys_name(),
        oids::sys_uptime(),
    ];
    get_each_if_refused(session, &wanted).await
}

/// The objects of [`identity_objects`] and the private subtrees the device serves: one GETNEXT
/// of every object's prefix and of the enterprises arc (each object kept only if the answer
/// falls inside its prefix); the printer's hrDeviceDescr row where hrPrinterStatus named it;
/// then one GETNEXT per further subtree, as [`SubtreeSteps`] says, so that the record holds the
/// subtrees that offline identification of a full recording finds.
pub(super) async fn identity<S: Session>(session: &S) -> Vec<VarBind> {
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
pub(super) async fn inventory<S: Session>(
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
pub(super) const INVENTORY_GET_BATCH: usize = 8;

/// A request of several objects: GET or GETNEXT.
#[derive(Debug, Clone, Copy)]
pub(super) enum Ask {
    Get,
    GetNext,
}

/// GET of several objects: see [`ask_each_if_refused`].
pub(super) async fn get_each_if_refused<S: Session>(
    session: &S,
    wanted: &[Oid],
) -> Result<Vec<VarBind>, SnmpError> {
    ask_each_if_refused(session, Ask::Get, wanted).await
}

/// GET or GETNEXT of several objects. A v1 agent that lacks one (or has nothing after one)
/// answers noSuchName for the whole request; then each is asked alone so the others are not
/// lost. So too when the answer would not fit in one message (tooBig: huge values).
pub(super) async fn ask_each_if_refused<S: Session>(
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
