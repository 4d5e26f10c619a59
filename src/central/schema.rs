//! The central schema: every migration in order, each applied in its own transaction, and the
//! `netorigin_schema` table that says which are applied. A database whose schema is newer than
//! this netorigin knows is refused, never half-used.
//!
//! Devices are stored as intervals: a `device` row per physical box (found again by the local
//! store's identity rules), and a `device_state` row per stretch of time in which it looked the
//! same (same address, name, maker, model, firmware, serial, verdict, findings, modules, context
//! and site). A sweep that finds a device unchanged only extends its open state's `last_seen`,
//! so a million devices swept daily add nothing but updates until something changes. The
//! `device` row also carries a copy of its current state's filter columns (site, verdict, vendor,
//! model, earliest deadline), so the fleet summary is one scan of one table.

use deadpool_postgres::Client;

use super::CentralError;

/// The schema, one step a migration; `netorigin_schema` holds the number of each step applied.
/// Steps are never edited once released: a change is a new step.
pub const MIGRATIONS: &[&str] = &[
    // v1: sites, tokens, sweeps, devices as intervals with their modules and findings.
    "CREATE TABLE site (
        id bigserial PRIMARY KEY,
        name text NOT NULL UNIQUE,
        created timestamptz NOT NULL DEFAULT now(),
        -- the start of the newest sweep applied to the intervals (NULL: none yet)
        newest_started timestamptz,
        -- the start of the newest complete sweep applied: a device whose current state is here
        -- is current when last seen since, removed when last seen before
        current_since timestamptz
    );
    CREATE TABLE token (
        id bigserial PRIMARY KEY,
        hash bytea NOT NULL UNIQUE,
        role text NOT NULL CHECK (role IN ('site', 'viewer', 'admin')),
        site_id bigint REFERENCES site(id) ON DELETE CASCADE,
        label text NOT NULL,
        created timestamptz NOT NULL DEFAULT now(),
        CHECK ((role = 'site') = (site_id IS NOT NULL))
    );
    CREATE TABLE sweep (
        uuid uuid PRIMARY KEY,
        site_id bigint NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        started timestamptz NOT NULL,
        ended timestamptz,
        status text NOT NULL CHECK (status IN ('complete', 'interrupted', 'failed')),
        parameters jsonb NOT NULL,
        data_versions text NOT NULL,
        judged_on text NOT NULL,
        probed bigint,
        responders bigint,
        silent bigint,
        requests bigint,
        timeouts bigint,
        note text,
        devices bigint NOT NULL DEFAULT 0,
        received timestamptz NOT NULL DEFAULT now(),
        -- false: older than the site's newest applied sweep, kept but not applied
        applied boolean NOT NULL
    );
    CREATE INDEX sweep_by_site ON sweep(site_id, started);
    CREATE TABLE device (
        id bigserial PRIMARY KEY,
        serial text,
        chassis_mac text,
        engine_id text,
        -- the address, only for a device with no other key (matched within its site only)
        address_key text,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        site_id bigint NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        state_id bigint NOT NULL,
        -- copies of the current state's columns the fleet views filter and count by
        verdict text NOT NULL,
        vendor_lc text,
        model_lc text,
        earliest_deadline date,
        -- the site it last moved from, if it ever moved
        moved_from bigint REFERENCES site(id) ON DELETE SET NULL
    );
    CREATE INDEX device_by_serial ON device(serial) WHERE serial IS NOT NULL;
    CREATE INDEX device_by_mac ON device(chassis_mac) WHERE chassis_mac IS NOT NULL;
    CREATE INDEX device_by_engine ON device(engine_id) WHERE engine_id IS NOT NULL;
    CREATE INDEX device_by_address ON device(site_id, address_key) WHERE address_key IS NOT NULL;
    CREATE INDEX device_by_site ON device(site_id, verdict);
    CREATE TABLE device_state (
        id bigserial PRIMARY KEY,
        device_id bigint NOT NULL REFERENCES device(id) ON DELETE CASCADE,
        site_id bigint NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        -- the state it follows (NULL: the device's first), and the site it came from if it moved
        previous_id bigint REFERENCES device_state(id),
        moved_from bigint REFERENCES site(id) ON DELETE SET NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        first_sweep uuid NOT NULL REFERENCES sweep(uuid),
        last_sweep uuid NOT NULL REFERENCES sweep(uuid),
        fingerprint bytea NOT NULL,
        address text NOT NULL,
        sys_name text,
        vendor text,
        origin text,
        model text,
        version text,
        serial text,
        verdict text NOT NULL,
        site_ctx text,
        role text,
        technology text,
        earliest_deadline date,
        record jsonb NOT NULL
    );
    CREATE INDEX state_by_device ON device_state(device_id, first_seen);
    CREATE INDEX state_by_first_seen ON device_state(first_seen);
    CREATE INDEX state_by_last_sweep ON device_state(last_sweep);
    CREATE INDEX state_by_first_sweep ON device_state(first_sweep);
    ALTER TABLE device ADD FOREIGN KEY (state_id) REFERENCES device_state(id)
        DEFERRABLE INITIALLY DEFERRED;
    CREATE TABLE state_module (
        state_id bigint NOT NULL REFERENCES device_state(id) ON DELETE CASCADE,
        idx bigint NOT NULL,
        class text,
        model text,
        serial text,
        vendor text,
        origin text,
        verdict text
    );
    CREATE INDEX module_by_state ON state_module(state_id);
    CREATE TABLE state_finding (
        state_id bigint NOT NULL REFERENCES device_state(id) ON DELETE CASCADE,
        rule text NOT NULL,
        policy text NOT NULL,
        verdict text NOT NULL,
        deadline text,
        module bigint,
        exception text
    );
    CREATE INDEX finding_by_state ON state_finding(state_id);",
    // v2: the web pages' search (issue 20). Copies on `device` of its current state's
    // columns people search by, filled by ingest, and indexes that serve the work-list order
    // (rank, site, address, id) so a page's LIMIT stops early: alone, after a site, vendor or
    // model, and a verdict (an equal rank). The text search is a substring of `search_lc`
    // (its fields joined by a newline), served by a trigram index when pg_trgm can be had.
    "ALTER TABLE device
        ADD COLUMN site_name text,
        ADD COLUMN address text,
        ADD COLUMN sys_name text,
        ADD COLUMN origin_lc text,
        ADD COLUMN serial_lc text;
    UPDATE device d SET site_name = s.name, address = st.address, sys_name = st.sys_name,
        origin_lc = lower(st.origin), serial_lc = lower(st.serial)
    FROM device_state st, site s WHERE st.id = d.state_id AND s.id = d.site_id;
    ALTER TABLE device ALTER COLUMN site_name SET NOT NULL,
        ALTER COLUMN address SET NOT NULL,
        -- the work-list rank: banned, review, unknown, clear
        ADD COLUMN rank smallint NOT NULL GENERATED ALWAYS AS (
            CASE verdict WHEN 'banned' THEN 0 WHEN 'review' THEN 1 WHEN 'unknown' THEN 2
                ELSE 3 END) STORED,
        ADD COLUMN search_lc text NOT NULL GENERATED ALWAYS AS (
            lower(coalesce(sys_name, '') || E'\\n' || coalesce(vendor_lc, '') || E'\\n'
                || coalesce(model_lc, '') || E'\\n' || coalesce(serial_lc, '') || E'\\n'
                || address)) STORED;
    CREATE INDEX device_worklist ON device(rank, site_name, address, id);
    CREATE INDEX device_site_worklist ON device(site_name, rank, address, id);
    CREATE INDEX device_vendor_worklist ON device(vendor_lc, rank, site_name, address, id);
    CREATE INDEX device_model_worklist ON device(model_lc, rank, site_name, address, id);
    CREATE INDEX device_by_serial_lc ON device(serial_lc) WHERE serial_lc IS NOT NULL;
    CREATE INDEX device_by_address_prefix ON device(address text_pattern_ops);
    CREATE INDEX state_by_site ON device_state(site_id, first_seen);
    CREATE INDEX sweep_by_started ON sweep(started);
    CREATE INDEX module_banned ON state_module(state_id) WHERE verdict = 'banned';
    DO $$ BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        CREATE INDEX device_search ON device USING gin (search_lc gin_trgm_ops);
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm cannot be had: the text search scans';
    END $$;",
    // v3: each site's removal ledger (issue 21), as its bundles carry it. An item is one banned
    // or review device or module of the site's own ledger, keyed by its identity there (an
    // identity over 512 bytes by its SHA-256: `sha256:` and hex), as the newest applied bundle
    // said it stands; an entry is one step, kept as first received, keyed by the site's own
    // number for it. Dates are the site's days; times stay the site's Unix milliseconds.
    "CREATE TABLE ledger_item (
        site_id bigint NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        identity text NOT NULL,
        -- its number in the site's history database
        local_id bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('device', 'module')),
        parent text,
        serial text,
        chassis_mac text,
        engine_id text,
        address text NOT NULL,
        vendor text,
        model text,
        -- lower-cased copies the fleet filter compares (as device.vendor_lc, model_lc)
        vendor_lc text,
        model_lc text,
        sys_name text,
        -- the site its context names (site_id is the site that uploaded it)
        site_ctx text,
        role text,
        technology text,
        acquired date,
        verdict text NOT NULL,
        rule text,
        jurisdiction text,
        deadline date,
        state text NOT NULL CHECK (state IN ('found', 'planned', 'decommissioned', 'removed',
            'in-custody', 'sanitised', 'destroyed', 'exempt')),
        since date NOT NULL,
        target date,
        exception text,
        first_seen_ms bigint NOT NULL,
        last_seen_ms bigint NOT NULL,
        absent_sweeps bigint NOT NULL,
        reappeared boolean NOT NULL,
        -- the sweep whose bundle last wrote it
        updated_by uuid NOT NULL REFERENCES sweep(uuid),
        PRIMARY KEY (site_id, identity)
    );
    CREATE INDEX ledger_item_by_state ON ledger_item(state, site_id);
    CREATE TABLE ledger_entry (
        site_id bigint NOT NULL REFERENCES site(id) ON DELETE CASCADE,
        -- its number, and its item's, in the site's history database
        local_id bigint NOT NULL,
        item_local_id bigint NOT NULL,
        identity text NOT NULL,
        from_state text,
        state text NOT NULL,
        day date NOT NULL,
        recorded_ms bigint NOT NULL,
        recorded_by text NOT NULL,
        note text,
        target date,
        exception text,
        -- [{name, sha256, size}]: the files stay at the site
        evidence jsonb NOT NULL,
        -- the sweep whose bundle brought it first
        received_with uuid NOT NULL REFERENCES sweep(uuid),
        PRIMARY KEY (site_id, local_id)
    );
    CREATE INDEX ledger_entry_by_item ON ledger_entry(site_id, identity);",
];

/// A fixed key for the advisory lock that keeps two servers from migrating at once.
const MIGRATION_LOCK: i64 = 0x6e65_746f_7269_6731;

/// Brings the schema up to date: each missing step in its own transaction. Returns the
/// version now.
pub(super) async fn migrate(client: &mut Client, steps: &[&str]) -> Result<usize, CentralError> {
    let q = super::query_error;
    client
        .batch_execute("CREATE TABLE IF NOT EXISTS netorigin_schema (version int PRIMARY KEY)")
        .await
        .map_err(q)?;
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(q)?;
    let result = apply(client, steps).await;
    client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(q)?;
    result
}

async fn apply(client: &mut Client, steps: &[&str]) -> Result<usize, CentralError> {
    let found = version(client).await?;
    if found > steps.len() {
        return Err(CentralError::NewerSchema {
            found,
            known: steps.len(),
        });
    }
    for (i, step) in steps.iter().enumerate().skip(found) {
        let v = i + 1;
        let tx = client.transaction().await.map_err(super::query_error)?;
        tx.batch_execute(step)
            .await
            .map_err(|e| CentralError::Schema(format!("migration {v}: {}", super::reason(&e))))?;
        tx.execute(
            "INSERT INTO netorigin_schema (version) VALUES ($1)",
            &[&(v as i32)],
        )
        .await
        .map_err(super::query_error)?;
        tx.commit().await.map_err(super::query_error)?;
    }
    Ok(steps.len())
}

/// The number of migrations applied.
pub(super) async fn version(client: &Client) -> Result<usize, CentralError> {
    let row = client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM netorigin_schema",
            &[],
        )
        .await
        .map_err(super::query_error)?;
    let v: i32 = row.get(0);
    Ok(usize::try_from(v).unwrap_or(0))
}
