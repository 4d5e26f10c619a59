//! Storing a bundle's removal ledger (issue 21, bundle format 2), in the bundle's transaction:
//! its items upserted by (site, identity) when the bundle's sweep is applied (a sweep older
//! than the site's newest leaves them as the newer bundle said), its entries inserted by
//! (site, the site's number for them) and never changed once stored. Each batch is one
//! statement over arrays (`UNNEST`).

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use tokio_postgres::Transaction;
use tokio_postgres::types::ToSql;

use crate::bundle::{LedgerEntryLine, LedgerItemLine};
use crate::central::{CentralError, MAX_KEY_BYTES, query_error, search_text};
use crate::date::Date;

/// An identity key as the central ledger keys it: as sent, or, past [`MAX_KEY_BYTES`] (more
/// than an index entry holds), `sha256:` and its digest in hex.
pub(crate) fn identity_key(identity: &str) -> String {
    if identity.len() <= MAX_KEY_BYTES {
        return identity.to_string();
    }
    let digest = crate::wire::hex(&Sha256::digest(identity.as_bytes()));
    format!("sha256:{digest}")
}

/// A date as days since 1970-01-01, which PostgreSQL adds to that day: any date a bundle can
/// hold (years 0 to 9999) is one, where its text would not be for year 0.
fn days(d: Date) -> i32 {
    i32::try_from(d.days()).unwrap_or(if d.days() < 0 { i32::MIN } else { i32::MAX })
}

fn opt_days(d: Option<Date>) -> Option<i32> {
    d.map(days)
}

/// Upserts a batch of ledger items of site `site_id`, as sweep `sweep`'s bundle carries them.
/// An identity given twice in the batch is stored as its last line says.
pub(super) async fn upsert_items(
    tx: &Transaction<'_>,
    items: &[LedgerItemLine],
    site_id: i64,
    sweep: &str,
) -> Result<(), CentralError> {
    let mut last: HashMap<String, &LedgerItemLine> = HashMap::with_capacity(items.len());
    for i in items {
        last.insert(identity_key(&i.identity), i);
    }
    let (keys, items): (Vec<String>, Vec<&LedgerItemLine>) = last.into_iter().unzip();
    let col = |f: fn(&LedgerItemLine) -> Option<String>| -> Vec<Option<String>> {
        items.iter().map(|i| f(i)).collect()
    };
    let local_id: Vec<i64> = items.iter().map(|i| i.id).collect();
    let kind: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
    let parent: Vec<Option<String>> = col(|i| i.parent.clone());
    let serial: Vec<Option<String>> = col(|i| i.serial.clone());
    let mac: Vec<Option<String>> = col(|i| i.chassis_mac.clone());
    let engine: Vec<Option<String>> = col(|i| i.engine_id.clone());
    let address: Vec<String> = items.iter().map(|i| i.address.clone()).collect();
    let vendor: Vec<Option<String>> = col(|i| i.vendor.clone());
    let model: Vec<Option<String>> = col(|i| i.model.clone());
    let vendor_lc: Vec<Option<String>> = col(|i| i.vendor.as_deref().map(search_text));
    let model_lc: Vec<Option<String>> = col(|i| i.model.as_deref().map(search_text));
    let sys_name: Vec<Option<String>> = col(|i| i.sys_name.clone());
    let site_ctx: Vec<Option<String>> = col(|i| i.site.clone());
    let role: Vec<Option<String>> = col(|i| i.role.clone());
    let technology: Vec<Option<String>> = col(|i| i.technology.clone());
    let acquired: Vec<Option<i32>> = items.iter().map(|i| opt_days(i.acquired)).collect();
    let verdict: Vec<&str> = items.iter().map(|i| i.verdict.as_str()).collect();
    let rule: Vec<Option<String>> = col(|i| i.rule.clone());
    let jurisdiction: Vec<Option<String>> = col(|i| i.jurisdiction.clone());
    let deadline: Vec<Option<i32>> = items.iter().map(|i| opt_days(i.deadline)).collect();
    let state: Vec<&str> = items.iter().map(|i| i.state.as_str()).collect();
    let since: Vec<i32> = items.iter().map(|i| days(i.since)).collect();
    let target: Vec<Option<i32>> = items.iter().map(|i| opt_days(i.target)).collect();
    let exception: Vec<Option<String>> = col(|i| i.exception.clone());
    let first: Vec<i64> = items.iter().map(|i| i.first_seen_ms).collect();
    let last: Vec<i64> = items.iter().map(|i| i.last_seen_ms).collect();
    let absent: Vec<i64> = items.iter().map(|i| i.absent_sweeps).collect();
    let reappeared: Vec<bool> = items.iter().map(|i| i.reappeared).collect();
    let p: [&(dyn ToSql + Sync); 31] = [
        &site_id,
        &sweep,
        &keys,
        &local_id,
        &kind,
        &parent,
        &serial,
        &mac,
        &engine,
        &address,
        &vendor,
        &model,
        &vendor_lc,
        &model_lc,
        &sys_name,
        &site_ctx,
        &role,
        &technology,
        &acquired,
        &verdict,
        &rule,
        &jurisdiction,
        &deadline,
        &state,
        &since,
        &target,
        &exception,
        &first,
        &last,
        &absent,
        &reappeared,
    ];
    tx.execute(UPSERT_ITEMS, &p).await.map_err(query_error)?;
    Ok(())
}

/// The upsert of [`upsert_items`]: $1 the site, $2 the sweep, then a column an array.
const UPSERT_ITEMS: &str = "INSERT INTO ledger_item (site_id, identity, local_id, kind, parent,
        serial, chassis_mac, engine_id, address, vendor, model, vendor_lc, model_lc, sys_name,
        site_ctx, role, technology, acquired, verdict, rule, jurisdiction, deadline, state,
        since, target, exception, first_seen_ms, last_seen_ms, absent_sweeps, reappeared,
        updated_by)
    SELECT $1, v.identity, v.local_id, v.kind, v.parent, v.serial, v.mac, v.engine, v.address,
        v.vendor, v.model, v.vendor_lc, v.model_lc, v.sys_name, v.site_ctx, v.role,
        v.technology, date '1970-01-01' + v.acquired, v.verdict, v.rule, v.jurisdiction,
        date '1970-01-01' + v.deadline, v.state, date '1970-01-01' + v.since,
        date '1970-01-01' + v.target, v.exception, v.first_ms, v.last_ms, v.absent,
        v.reappeared, $2::text::uuid
    FROM UNNEST($3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],
                $15::text[], $16::text[], $17::text[], $18::text[], $19::int[], $20::text[],
                $21::text[], $22::text[], $23::int[], $24::text[], $25::int[], $26::int[],
                $27::text[], $28::bigint[], $29::bigint[], $30::bigint[], $31::bool[])
        AS v(identity, local_id, kind, parent, serial, mac, engine, address, vendor, model,
             vendor_lc, model_lc, sys_name, site_ctx, role, technology, acquired, verdict, rule,
             jurisdiction, deadline, state, since, target, exception, first_ms, last_ms, absent,
             reappeared)
    ON CONFLICT (site_id, identity) DO UPDATE SET local_id = EXCLUDED.local_id,
        kind = EXCLUDED.kind, parent = EXCLUDED.parent, serial = EXCLUDED.serial,
        chassis_mac = EXCLUDED.chassis_mac, engine_id = EXCLUDED.engine_id,
        address = EXCLUDED.address, vendor = EXCLUDED.vendor, model = EXCLUDED.model,
        vendor_lc = EXCLUDED.vendor_lc, model_lc = EXCLUDED.model_lc,
        sys_name = EXCLUDED.sys_name, site_ctx = EXCLUDED.site_ctx, role = EXCLUDED.role,
        technology = EXCLUDED.technology, acquired = EXCLUDED.acquired,
        verdict = EXCLUDED.verdict, rule = EXCLUDED.rule, jurisdiction = EXCLUDED.jurisdiction,
        deadline = EXCLUDED.deadline, state = EXCLUDED.state, since = EXCLUDED.since,
        target = EXCLUDED.target, exception = EXCLUDED.exception,
        first_seen_ms = EXCLUDED.first_seen_ms, last_seen_ms = EXCLUDED.last_seen_ms,
        absent_sweeps = EXCLUDED.absent_sweeps, reappeared = EXCLUDED.reappeared,
        updated_by = EXCLUDED.updated_by";

/// Inserts a batch of ledger entries of site `site_id` that the server lacks, brought by sweep
/// `sweep`'s bundle; an entry stored already is left as it is.
pub(super) async fn insert_entries(
    tx: &Transaction<'_>,
    entries: &[LedgerEntryLine],
    site_id: i64,
    sweep: &str,
) -> Result<(), CentralError> {
    let col = |f: fn(&LedgerEntryLine) -> Option<String>| -> Vec<Option<String>> {
        entries.iter().map(f).collect()
    };
    let local_id: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let item: Vec<i64> = entries.iter().map(|e| e.item).collect();
    let identity: Vec<String> = entries.iter().map(|e| identity_key(&e.identity)).collect();
    let from: Vec<Option<&str>> = entries.iter().map(|e| e.from.map(|s| s.as_str())).collect();
    let state: Vec<&str> = entries.iter().map(|e| e.state.as_str()).collect();
    let day: Vec<i32> = entries.iter().map(|e| days(e.day)).collect();
    let recorded: Vec<i64> = entries.iter().map(|e| e.recorded_ms).collect();
    let by: Vec<String> = entries.iter().map(|e| e.by.clone()).collect();
    let note: Vec<Option<String>> = col(|e| e.note.clone());
    let target: Vec<Option<i32>> = entries.iter().map(|e| opt_days(e.target)).collect();
    let exception: Vec<Option<String>> = col(|e| e.exception.clone());
    let evidence: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| serde_json::to_value(&e.evidence).unwrap_or_default())
        .collect();
    let p: [&(dyn ToSql + Sync); 14] = [
        &site_id, &sweep, &local_id, &item, &identity, &from, &state, &day, &recorded, &by, &note,
        &target, &exception, &evidence,
    ];
    tx.execute(
        "INSERT INTO ledger_entry (site_id, local_id, item_local_id, identity, from_state, state,
             day, recorded_ms, recorded_by, note, target, exception, evidence, received_with)
         SELECT $1, v.local_id, v.item, v.identity, v.from_state, v.state,
                date '1970-01-01' + v.day, v.recorded, v.recorded_by, v.note,
                date '1970-01-01' + v.target, v.exception, v.evidence, $2::text::uuid
         FROM UNNEST($3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::int[],
                     $9::bigint[], $10::text[], $11::text[], $12::int[], $13::text[],
                     $14::jsonb[])
              AS v(local_id, item, identity, from_state, state, day, recorded, recorded_by, note,
                   target, exception, evidence)
         ON CONFLICT (site_id, local_id) DO NOTHING",
        &p,
    )
    .await
    .map_err(query_error)?;
    Ok(())
}
