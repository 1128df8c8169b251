-- dpm-policy's tables beside the engine's dpm_policy_packs (docs/publish.md, "The tenant map
-- in Postgres"). dpm-policy publish --apply runs this file inside its transaction for an
-- environment with tenant_map_delivery: postgres; every statement may run again harmlessly.
-- Services that resolve through dpm_policy_runtime read both tables with PostgresSource.

-- One row per tenant: the tenant's default pack, as DPM_TENANT_POLICY_PACK_MAP_JSON would say.
CREATE TABLE IF NOT EXISTS dpm_policy_tenant_packs (
    tenant_id TEXT PRIMARY KEY,
    policy_pack_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row: a number publish raises in every transaction that writes either table, so a reader
-- can tell "nothing changed" from one small query instead of reading both tables.
CREATE TABLE IF NOT EXISTS dpm_policy_revision (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    revision BIGINT NOT NULL,
    updated_at TEXT NOT NULL
);

INSERT INTO dpm_policy_revision (singleton, revision, updated_at)
VALUES (TRUE, 0, '1970-01-01T00:00:00+00:00')
ON CONFLICT (singleton) DO NOTHING;
