//! The statements that write a batch: new devices, new states with their modules and
//! findings, and devices found again, each one statement over arrays (`UNNEST`).

use std::time::SystemTime;

use tokio_postgres::Transaction;
use tokio_postgres::types::ToSql;

use super::{DeviceRows, Incoming, States};
use crate::central::{CentralError, query_error};

/// New devices, each with its first state.
pub(super) async fn insert_devices(
    tx: &Transaction<'_>,
    news: &DeviceRows,
    started: SystemTime,
    site_id: i64,
) -> Result<(), CentralError> {
    let p: [&(dyn ToSql + Sync); 16] = [
        &news.id,
        &news.serial,
        &news.chassis_mac,
        &news.engine_id,
        &news.address_key,
        &started,
        &site_id,
        &news.state_id,
        &news.verdict,
        &news.vendor_lc,
        &news.model_lc,
        &news.earliest_deadline,
        &news.address,
        &news.sys_name,
        &news.origin_lc,
        &news.serial_lc,
    ];
    tx.execute(
        "INSERT INTO device (id, serial, chassis_mac, engine_id, address_key, first_seen,
             last_seen, site_id, state_id, verdict, vendor_lc, model_lc, earliest_deadline,
             site_name, address, sys_name, origin_lc, serial_lc)
         SELECT v.id, v.serial, v.mac, v.engine, v.address, $6, $6, $7, v.state, v.verdict,
                v.vendor, v.model, v.deadline::date, (SELECT name FROM site WHERE id = $7),
                v.addr, v.sys_name, v.origin, v.serial_lc
         FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                     $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[],
                     $13::text[], $14::text[], $15::text[], $16::text[])
              AS v(id, serial, mac, engine, address, state, verdict, vendor, model, deadline,
                   addr, sys_name, origin, serial_lc)",
        &p,
    )
    .await
    .map_err(query_error)?;
    Ok(())
}

/// New states (of new devices, and of devices changed or moved).
pub(super) async fn insert_states(
    tx: &Transaction<'_>,
    states: &States,
    site_id: i64,
    started: SystemTime,
    sweep: &str,
) -> Result<(), CentralError> {
    let s = states;
    let p: [&(dyn ToSql + Sync); 21] = [
        &s.id,
        &s.device_id,
        &site_id,
        &s.previous_id,
        &s.moved_from,
        &started,
        &sweep,
        &s.fingerprint,
        &s.address,
        &s.sys_name,
        &s.vendor,
        &s.origin,
        &s.model,
        &s.version,
        &s.serial,
        &s.verdict,
        &s.site_ctx,
        &s.role,
        &s.technology,
        &s.earliest_deadline,
        &s.record,
    ];
    tx.execute(
        "INSERT INTO device_state (id, device_id, site_id, previous_id, moved_from,
             first_seen, last_seen, first_sweep, last_sweep, fingerprint, address, sys_name,
             vendor, origin, model, version, serial, verdict, site_ctx, role, technology,
             earliest_deadline, record)
         SELECT v.id, v.device, $3, v.previous, v.moved, $6, $6, $7::text::uuid,
                $7::text::uuid, v.fp, v.address, v.sys_name, v.vendor, v.origin, v.model,
                v.version, v.serial, v.verdict, v.site_ctx, v.role, v.technology,
                v.deadline::date, v.record::jsonb
         FROM UNNEST($1::bigint[], $2::bigint[], $4::bigint[], $5::bigint[], $8::bytea[],
                     $9::text[], $10::text[], $11::text[], $12::text[], $13::text[],
                     $14::text[], $15::text[], $16::text[], $17::text[], $18::text[],
                     $19::text[], $20::text[], $21::text[])
              AS v(id, device, previous, moved, fp, address, sys_name, vendor, origin, model,
                   version, serial, verdict, site_ctx, role, technology, deadline, record)",
        &p,
    )
    .await
    .map_err(query_error)?;
    Ok(())
}

/// Devices found again: their current state, site and the copies the views filter by.
pub(super) async fn update_devices(
    tx: &Transaction<'_>,
    updates: &DeviceRows,
    started: SystemTime,
    site_id: i64,
) -> Result<(), CentralError> {
    let u = updates;
    let p: [&(dyn ToSql + Sync); 16] = [
        &u.id,
        &u.state_id,
        &u.serial,
        &u.chassis_mac,
        &u.engine_id,
        &u.verdict,
        &u.vendor_lc,
        &u.model_lc,
        &u.earliest_deadline,
        &u.moved_from,
        &started,
        &site_id,
        &u.address,
        &u.sys_name,
        &u.origin_lc,
        &u.serial_lc,
    ];
    tx.execute(
        "UPDATE device d SET state_id = v.state, site_id = $12,
             last_seen = greatest(d.last_seen, $11),
             serial = coalesce(d.serial, v.serial),
             chassis_mac = coalesce(d.chassis_mac, v.mac),
             engine_id = coalesce(d.engine_id, v.engine),
             verdict = v.verdict, vendor_lc = v.vendor, model_lc = v.model,
             earliest_deadline = v.deadline::date,
             moved_from = coalesce(v.moved, d.moved_from),
             site_name = (SELECT name FROM site WHERE id = $12), address = v.addr,
             sys_name = v.sys_name, origin_lc = v.origin, serial_lc = v.serial_lc
         FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                     $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[],
                     $13::text[], $14::text[], $15::text[], $16::text[])
              AS v(id, state, serial, mac, engine, verdict, vendor, model, deadline, moved,
                   addr, sys_name, origin, serial_lc)
         WHERE d.id = v.id",
        &p,
    )
    .await
    .map_err(query_error)?;
    Ok(())
}

/// The modules and findings of the new states.
pub(super) async fn insert_parts(
    tx: &Transaction<'_>,
    stated: &[(i64, &Incoming)],
) -> Result<(), CentralError> {
    let mut m_state = Vec::new();
    let mut m_idx = Vec::new();
    let mut m_class: Vec<Option<String>> = Vec::new();
    let mut m_model = Vec::new();
    let mut m_serial = Vec::new();
    let mut m_vendor = Vec::new();
    let mut m_origin = Vec::new();
    let mut m_verdict: Vec<Option<String>> = Vec::new();
    let mut f_state = Vec::new();
    let mut f_rule = Vec::new();
    let mut f_policy = Vec::new();
    let mut f_verdict = Vec::new();
    let mut f_deadline = Vec::new();
    let mut f_module: Vec<Option<i64>> = Vec::new();
    let mut f_exception = Vec::new();
    for (state, d) in stated {
        for m in &d.record.modules {
            m_state.push(*state);
            m_idx.push(i64::from(m.index));
            m_class.push(
                m.class
                    .as_ref()
                    .and_then(|c| serde_json::to_value(c).ok())
                    .and_then(|v| v.as_str().map(str::to_string)),
            );
            m_model.push(m.model.clone());
            m_serial.push(m.serial.clone());
            m_vendor.push(m.vendor.clone());
            m_origin.push(m.origin.clone());
            m_verdict.push(m.verdict.map(|v| v.as_str().to_string()));
        }
        for f in &d.record.judgement.findings {
            f_state.push(*state);
            f_rule.push(f.rule.clone());
            f_policy.push(f.policy.clone());
            f_verdict.push(f.verdict.as_str().to_string());
            f_deadline.push(f.deadline.clone());
            f_module.push(f.module.map(i64::from));
            f_exception.push(f.exception.clone());
        }
    }
    if !m_state.is_empty() {
        tx.execute(
            "INSERT INTO state_module (state_id, idx, class, model, serial, vendor, origin, verdict)
             SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                                  $6::text[], $7::text[], $8::text[])",
            &[
                &m_state, &m_idx, &m_class, &m_model, &m_serial, &m_vendor, &m_origin,
                &m_verdict,
            ],
        )
        .await
        .map_err(query_error)?;
    }
    if !f_state.is_empty() {
        tx.execute(
            "INSERT INTO state_finding (state_id, rule, policy, verdict, deadline, module, exception)
             SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[],
                                  $6::bigint[], $7::text[])",
            &[
                &f_state,
                &f_rule,
                &f_policy,
                &f_verdict,
                &f_deadline,
                &f_module,
                &f_exception,
            ],
        )
        .await
        .map_err(query_error)?;
    }
    Ok(())
}
