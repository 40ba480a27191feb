-- +goose Up
-- Dates without time (periods, windows, expiry) are 'YYYY-MM-DD' text in both
-- engines: they are calendar days in Europe/Oslo, not instants, and text of
-- that form compares in date order.
CREATE TABLE vendors (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    org_number    TEXT    NOT NULL DEFAULT '',
    country       TEXT    NOT NULL DEFAULT '',
    support_email TEXT    NOT NULL DEFAULT '',
    support_url   TEXT    NOT NULL DEFAULT '',
    notes         TEXT    NOT NULL DEFAULT '',
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX vendors_name ON vendors (name);

ALTER TABLE users ADD COLUMN vendor_id INTEGER REFERENCES vendors(id) ON DELETE SET NULL;

CREATE TABLE products (
    id                       INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id                INTEGER NOT NULL REFERENCES vendors(id),
    slug                     TEXT    NOT NULL,
    name                     TEXT    NOT NULL,
    access_methods           TEXT    NOT NULL DEFAULT '',
    remote_access            BOOLEAN NOT NULL DEFAULT FALSE,
    target_groups            TEXT    NOT NULL DEFAULT '',
    processes_personal_data  BOOLEAN NOT NULL DEFAULT FALSE,
    requires_terms_acceptance BOOLEAN NOT NULL DEFAULT FALSE,
    published                BOOLEAN NOT NULL DEFAULT FALSE,
    version                  INTEGER NOT NULL DEFAULT 1,
    created_at               TIMESTAMP NOT NULL,
    updated_at               TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX products_slug ON products (slug);
CREATE INDEX products_vendor ON products (vendor_id);

-- The texts of a product per language; nb is required, sv and en optional.
CREATE TABLE product_texts (
    product_id     INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    lang           TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    answer_access  TEXT    NOT NULL DEFAULT '',
    answer_home    TEXT    NOT NULL DEFAULT '',
    answer_share   TEXT    NOT NULL DEFAULT '',
    answer_support TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (product_id, lang)
);

CREATE TABLE training_materials (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    title      TEXT    NOT NULL,
    url        TEXT    NOT NULL DEFAULT '',
    lang       TEXT    NOT NULL DEFAULT 'nb',
    subtitled  BOOLEAN NOT NULL DEFAULT FALSE,
    starts_at  TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX training_materials_product ON training_materials (product_id);

-- Versions of a product's licence: the text, and the terms as typed
-- properties (JSON) so products can be compared term by term.
CREATE TABLE licence_versions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id    INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    version       INTEGER NOT NULL,
    text          TEXT    NOT NULL DEFAULT '',
    document_name TEXT    NOT NULL DEFAULT '',
    document      BLOB,
    terms         TEXT    NOT NULL DEFAULT '{}',
    created_by    TEXT    NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX licence_versions_version ON licence_versions (product_id, version);

CREATE TABLE agreements (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor_id       INTEGER NOT NULL REFERENCES vendors(id),
    name            TEXT    NOT NULL,
    starts_on       TEXT    NOT NULL,
    ends_on         TEXT    NOT NULL,
    procurement_ref TEXT    NOT NULL DEFAULT '',
    notes           TEXT    NOT NULL DEFAULT '',
    version         INTEGER NOT NULL DEFAULT 1,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE offers (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id      INTEGER NOT NULL REFERENCES agreements(id) ON DELETE CASCADE,
    product_id        INTEGER NOT NULL REFERENCES products(id),
    price_minor       INTEGER NOT NULL DEFAULT 0,
    currency          TEXT    NOT NULL DEFAULT 'NOK',
    price_model       TEXT    NOT NULL DEFAULT 'flat',
    renews_by_default BOOLEAN NOT NULL DEFAULT FALSE,
    previous_offer_id INTEGER REFERENCES offers(id) ON DELETE SET NULL,
    created_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX offers_product ON offers (agreement_id, product_id);

CREATE TABLE enrolment_windows (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    name              TEXT    NOT NULL,
    opens_on          TEXT    NOT NULL,
    closes_on         TEXT    NOT NULL,
    reminder_days     INTEGER NOT NULL DEFAULT 7,
    opened_mailed_at  TIMESTAMP,
    reminder_mailed_at TIMESTAMP,
    created_at        TIMESTAMP NOT NULL
);

CREATE TABLE window_offers (
    window_id INTEGER NOT NULL REFERENCES enrolment_windows(id) ON DELETE CASCADE,
    offer_id  INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    PRIMARY KEY (window_id, offer_id)
);

-- A library's current answer to one offer in one window.
CREATE TABLE enrolments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    window_id   INTEGER NOT NULL REFERENCES enrolment_windows(id) ON DELETE CASCADE,
    offer_id    INTEGER NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
    library_id  INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    answer      TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    reason_text TEXT    NOT NULL DEFAULT '',
    source      TEXT    NOT NULL,
    user_id     INTEGER,
    answered_by TEXT    NOT NULL DEFAULT '',
    answered_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX enrolments_unique ON enrolments (window_id, offer_id, library_id);

CREATE TABLE trials (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    starts_on  TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL,
    notes      TEXT    NOT NULL DEFAULT '',
    lapsed_at  TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);

-- What a library has: from an enrolment (offer_id) or a trial (trial_id).
-- Its state (trial, pending terms, pending agreement, active, ended) is
-- derived when read, from dates, acceptances and agreements on file.
CREATE TABLE subscriptions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    offer_id   INTEGER REFERENCES offers(id) ON DELETE CASCADE,
    trial_id   INTEGER REFERENCES trials(id) ON DELETE CASCADE,
    starts_on  TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX subscriptions_offer ON subscriptions (library_id, offer_id) WHERE offer_id IS NOT NULL;
CREATE UNIQUE INDEX subscriptions_trial ON subscriptions (library_id, trial_id) WHERE trial_id IS NOT NULL;
CREATE INDEX subscriptions_product ON subscriptions (product_id);

CREATE TABLE terms_acceptances (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id         INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    product_id         INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    licence_version_id INTEGER NOT NULL REFERENCES licence_versions(id) ON DELETE CASCADE,
    user_id            INTEGER NOT NULL REFERENCES users(id),
    accepted_by        TEXT    NOT NULL,
    remote_addr        TEXT    NOT NULL DEFAULT '',
    accepted_at        TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX terms_acceptances_unique ON terms_acceptances (library_id, licence_version_id);

CREATE TABLE data_processing_agreements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    library_id    INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id) ON DELETE CASCADE,
    version       TEXT    NOT NULL DEFAULT '',
    signed_on     TEXT    NOT NULL,
    signed_by     TEXT    NOT NULL,
    expires_on    TEXT    NOT NULL DEFAULT '',
    document_name TEXT    NOT NULL DEFAULT '',
    document      BLOB,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX dpa_library_vendor ON data_processing_agreements (library_id, vendor_id);

-- Outgoing mail is written here in the same transaction as the change that
-- causes it, and sent by a worker: a crash never loses a receipt, and the
-- dedupe key keeps a notice from being sent twice.
CREATE TABLE mail_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    to_addr    TEXT    NOT NULL,
    subject    TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_at TIMESTAMP NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_try_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP,
    last_error TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX mail_outbox_dedupe ON mail_outbox (dedupe_key);
CREATE INDEX mail_outbox_pending ON mail_outbox (sent_at, next_try_at);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE data_processing_agreements;
DROP TABLE terms_acceptances;
DROP TABLE subscriptions;
DROP TABLE trials;
DROP TABLE enrolments;
DROP TABLE window_offers;
DROP TABLE enrolment_windows;
DROP TABLE offers;
DROP TABLE agreements;
DROP TABLE licence_versions;
DROP TABLE training_materials;
DROP TABLE product_texts;
DROP TABLE products;
ALTER TABLE users DROP COLUMN vendor_id;
DROP TABLE vendors;
