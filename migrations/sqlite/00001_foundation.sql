-- +goose Up
CREATE TABLE libraries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    name                TEXT    NOT NULL,
    type                TEXT    NOT NULL,
    country             TEXT    NOT NULL DEFAULT 'NO',
    county_number       TEXT    NOT NULL DEFAULT '',
    municipality_number TEXT    NOT NULL DEFAULT '',
    parent_id           INTEGER REFERENCES libraries(id) ON DELETE SET NULL,
    org_number          TEXT    NOT NULL DEFAULT '',
    isil                TEXT,
    latitude            REAL,
    longitude           REAL,
    population          INTEGER,
    students            INTEGER,
    fte                 INTEGER,
    website             TEXT    NOT NULL DEFAULT '',
    notes               TEXT    NOT NULL DEFAULT '',
    invoice_party       TEXT    NOT NULL DEFAULT 'self',
    invoice_org_number  TEXT    NOT NULL DEFAULT '',
    invoice_address     TEXT    NOT NULL DEFAULT '',
    einvoice_endpoint   TEXT    NOT NULL DEFAULT '',
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX libraries_isil ON libraries (isil) WHERE isil IS NOT NULL;
CREATE INDEX libraries_county ON libraries (country, county_number);
CREATE INDEX libraries_parent ON libraries (parent_id);

CREATE TABLE contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL,
    email      TEXT NOT NULL,
    phone      TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts (email);

CREATE TABLE library_contacts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    role       TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX library_contacts_unique ON library_contacts (library_id, contact_id, role);
-- Exactly one primary contact per library: the database keeps it at most one,
-- the registry's "no primary contact" filter finds the ones still missing.
CREATE UNIQUE INDEX library_contacts_one_primary ON library_contacts (library_id) WHERE role = 'primary';
CREATE INDEX library_contacts_contact ON library_contacts (contact_id);

CREATE TABLE ip_ranges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    range_text TEXT    NOT NULL,
    start_key  TEXT    NOT NULL,
    end_key    TEXT    NOT NULL,
    shared     BOOLEAN NOT NULL DEFAULT FALSE,
    note       TEXT    NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ip_ranges_library ON ip_ranges (library_id);
CREATE INDEX ip_ranges_start ON ip_ranges (start_key, end_key);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL,
    library_id    INTEGER REFERENCES libraries(id) ON DELETE SET NULL,
    country       TEXT    NOT NULL DEFAULT '',
    county_number TEXT    NOT NULL DEFAULT '',
    locale        TEXT    NOT NULL DEFAULT '',
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);

CREATE TABLE sessions (
    token  TEXT PRIMARY KEY,
    data   BLOB NOT NULL,
    expiry TIMESTAMP NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         TIMESTAMP NOT NULL,
    user_id    INTEGER,
    actor      TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  INTEGER NOT NULL,
    library_id INTEGER,
    action     TEXT    NOT NULL,
    changes    TEXT    NOT NULL DEFAULT '{}',
    reason     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_library ON audit_log (library_id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE ip_ranges;
DROP TABLE library_contacts;
DROP TABLE contacts;
DROP TABLE libraries;
