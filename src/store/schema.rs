//! The schema, as numbered migrations. `PRAGMA user_version` holds how many have run.

/// Each entry migrates from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: everything SPEC §3 lists.
    r#"
CREATE TABLE accounts (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE,
    password_hash       TEXT NOT NULL,
    two_step            INTEGER NOT NULL DEFAULT 0 CHECK (two_step IN (0, 1)),
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

CREATE TABLE sign_in_methods (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    kind        TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    address     TEXT NOT NULL,
    verified    INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    added_at    TEXT NOT NULL,
    removed_at  TEXT
);
CREATE INDEX sign_in_methods_account ON sign_in_methods(account_id);
-- An address belongs to at most one account at a time, so a lookup finds one account.
CREATE UNIQUE INDEX sign_in_methods_address ON sign_in_methods(kind, address)
    WHERE removed_at IS NULL;

CREATE TABLE recovery_codes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    code_hash   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    used_at     TEXT
);
-- Only one code is valid per account at a time, enforced by the database itself.
CREATE UNIQUE INDEX recovery_codes_one_active ON recovery_codes(account_id)
    WHERE revoked_at IS NULL AND used_at IS NULL;
CREATE INDEX recovery_codes_account ON recovery_codes(account_id, id);

CREATE TABLE one_time_codes (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    method_id   INTEGER NOT NULL REFERENCES sign_in_methods(id),
    purpose     TEXT NOT NULL,
    code_hash   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    tries_left  INTEGER NOT NULL,
    used_at     TEXT
);
CREATE INDEX one_time_codes_method ON one_time_codes(method_id, id);

CREATE TABLE lockouts (
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    kind         TEXT NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    lock_count   INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    PRIMARY KEY (account_id, kind)
) WITHOUT ROWID;

CREATE TABLE pending_changes (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts(id),
    kind              TEXT NOT NULL,
    new_password_hash TEXT NOT NULL,
    requested_at      TEXT NOT NULL,
    effective_at      TEXT NOT NULL,
    cancelled_at      TEXT,
    applied_at        TEXT
);
CREATE INDEX pending_changes_account ON pending_changes(account_id, id);

CREATE TABLE security_events (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX security_events_account ON security_events(account_id, id);

CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER REFERENCES accounts(id),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'phone')),
    address     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    -- The body is sealed (XChaCha20-Poly1305) with the outbox key kept beside the database,
    -- because a body may carry a one-time code.
    sealed_body BLOB NOT NULL,
    sent_at     TEXT NOT NULL
);
CREATE INDEX outbox_address ON outbox(address, id);

CREATE TABLE agents (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    TEXT NOT NULL
);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    agent       TEXT NOT NULL,
    action      TEXT NOT NULL,
    account_id  INTEGER,
    detail      TEXT NOT NULL DEFAULT '',
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL
);
CREATE INDEX audit_log_agent ON audit_log(agent, id);
CREATE INDEX audit_log_account ON audit_log(account_id, id);
"#,
    // 2: the rules of the adversary review (SPEC §4, §6).
    r#"
-- One-time codes are HMAC-SHA-256 under the key file from now on; a code stored the old way
-- can no longer be checked, so it stops working (the holder asks for a new one).
UPDATE one_time_codes SET tries_left = 0 WHERE used_at IS NULL;

-- An unverified address blocks nobody: only verified addresses are unique.
DROP INDEX sign_in_methods_address;
CREATE UNIQUE INDEX sign_in_methods_verified_address ON sign_in_methods(kind, address)
    WHERE removed_at IS NULL AND verified = 1;
CREATE INDEX sign_in_methods_address ON sign_in_methods(kind, address);

-- Consecutive failures since the last success, across lockouts (the 100-failure cap).
ALTER TABLE lockouts ADD COLUMN streak INTEGER NOT NULL DEFAULT 0;

-- The recovery code a code-alone recovery issued: cancelling the change revokes it.
ALTER TABLE pending_changes ADD COLUMN recovery_code_id INTEGER REFERENCES recovery_codes(id);

-- The audit chain's head, keyed: deleting the newest rows no longer verifies.
CREATE TABLE audit_head (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    last_id  INTEGER NOT NULL,
    mac      TEXT NOT NULL
);
"#,
    // 3: the recovery drill (SPEC §10): when the holder last checked a saved code, without
    // spending it. Only a time; the typed code is never stored.
    r#"
ALTER TABLE recovery_codes ADD COLUMN checked_at TEXT;
"#,
    // 4: case references (SPEC §10): the ticket an agent typed with a lookup, on the audit rows
    // of that lookup and of the views and helper runs after it. Rows without one keep NULL,
    // and with it the hash they were chained with.
    r#"
ALTER TABLE audit_log ADD COLUMN case_ref TEXT;
CREATE INDEX audit_log_case ON audit_log(case_ref, id) WHERE case_ref IS NOT NULL;
"#,
    // 5: authenticator apps (SPEC §10): the TOTP secret sealed under the key file, the last
    // step a code was accepted for (no replay), at most one live app per account.
    r#"
CREATE TABLE authenticator_apps (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    sealed_secret BLOB NOT NULL,
    added_at      TEXT NOT NULL,
    verified_at   TEXT,
    removed_at    TEXT,
    last_step     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX authenticator_apps_account ON authenticator_apps(account_id, id);
CREATE UNIQUE INDEX authenticator_apps_one_live ON authenticator_apps(account_id)
    WHERE removed_at IS NULL;

-- Which sign-in method an event was about (issue 11, item 11): the owner sees their own
-- addresses in full in their activity, while the event keeps the masked form everyone else
-- sees. Events written before have no row here and stay masked.
CREATE TABLE event_methods (
    event_id  INTEGER PRIMARY KEY REFERENCES security_events(id),
    method_id INTEGER NOT NULL REFERENCES sign_in_methods(id)
);
"#,
    // 6 (CLUSTERED_BY_ACCOUNT): what the account view reads, clustered by account (issue 13).
    // An account's events, methods and codes are written weeks apart among everyone else's,
    // so in their tables each row sits on a page of its own, and a lookup with a cold cache
    // read a page per row. Each index below holds every column the view (or the lookup by
    // address) reads, in account order, so one descent finds all of an account's rows. Each
    // replaces the narrower index that was its prefix; the tables, their ids and every
    // unique rule (one active code, one verified owner of an address) stay as they were.
    r#"
DROP INDEX security_events_account;
CREATE INDEX security_events_account_view
    ON security_events(account_id, id, at, kind, detail);

DROP INDEX sign_in_methods_account;
CREATE INDEX sign_in_methods_account_view
    ON sign_in_methods(account_id, id, kind, address, verified, added_at, removed_at);

DROP INDEX sign_in_methods_address;
CREATE INDEX sign_in_methods_address_account
    ON sign_in_methods(kind, address, account_id, verified, removed_at);

DROP INDEX recovery_codes_account;
CREATE INDEX recovery_codes_account_view
    ON recovery_codes(account_id, id, created_at, revoked_at, used_at, checked_at);
"#,
];

/// The schema version whose migration clusters the account view's rows by account (covering
/// indexes). Named once, for the tests that migrate the version before it.
pub const CLUSTERED_BY_ACCOUNT: i64 = 6;

/// The schema version this build writes and understands.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

/// Steps of a migration that need the key file; run in the migration's transaction.
pub(crate) fn after_migration(
    tx: &rusqlite::Transaction<'_>,
    version: i64,
    keys: &super::keyfile::Keys,
    path: &std::path::Path,
) -> super::Result<()> {
    if version == 2 {
        super::audit::rechain(tx, &keys.audit).map_err(|e| super::classify(path, e))?;
        tx.execute_batch(AUDIT_TRIGGER)
            .map_err(|e| super::classify(path, e))?;
    }
    Ok(())
}

/// Audit ids only increase: a row cannot be replaced or slipped in before the last one.
const AUDIT_TRIGGER: &str = r#"
CREATE TRIGGER audit_log_append_only BEFORE INSERT ON audit_log
WHEN NEW.id IS NULL
  OR NEW.id <= (SELECT coalesce(max(id), 0) FROM audit_log)
  OR NEW.id <= coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0)
BEGIN
    SELECT RAISE(ABORT, 'audit rows are only appended, with increasing ids');
END;
"#;

/// Tables that hold account data: the desk may never write them.
pub const ACCOUNT_TABLES: &[&str] = &[
    "accounts",
    "sign_in_methods",
    "recovery_codes",
    "one_time_codes",
    "lockouts",
    "pending_changes",
    "security_events",
    "outbox",
    "agents",
    "authenticator_apps",
    "event_methods",
];
