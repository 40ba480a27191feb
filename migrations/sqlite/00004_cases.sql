-- +goose Up
-- The case desk. A case belongs to the team: owner is optional and never
-- the only way to find it. Messages are inbound mail, replies sent from
-- Samla and internal notes; every raw mail is kept as it came.

-- Who a vendor's mail comes from, and how its own ticket numbers look.
ALTER TABLE vendors ADD COLUMN mail_domains   TEXT NOT NULL DEFAULT '';
ALTER TABLE vendors ADD COLUMN ticket_pattern TEXT NOT NULL DEFAULT '';

-- One row per secret the desk needs (the key that signs outgoing
-- Message-IDs and reply addresses), made on first start.
CREATE TABLE case_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    subject           TEXT    NOT NULL,
    state             TEXT    NOT NULL DEFAULT 'new',
    priority          TEXT    NOT NULL DEFAULT 'normal',
    library_id        INTEGER REFERENCES libraries(id) ON DELETE SET NULL,
    product_id        INTEGER REFERENCES products(id) ON DELETE SET NULL,
    vendor_id         INTEGER REFERENCES vendors(id) ON DELETE SET NULL,
    owner_id          INTEGER REFERENCES users(id) ON DELETE SET NULL,
    vendor_ref        TEXT    NOT NULL DEFAULT '',
    linked_case_id    INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    last_message_at   TIMESTAMP NOT NULL,
    first_response_at TIMESTAMP,
    solved_at         TIMESTAMP,
    closed_at         TIMESTAMP,
    version           INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX cases_state ON cases (state, last_message_at);
CREATE INDEX cases_library ON cases (library_id);
CREATE INDEX cases_vendor ON cases (vendor_id, vendor_ref);
CREATE INDEX cases_product ON cases (product_id);

CREATE TABLE case_tags (
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    tag     TEXT    NOT NULL,
    PRIMARY KEY (case_id, tag)
);
CREATE INDEX case_tags_tag ON case_tags (tag);

CREATE TABLE case_followers (
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (case_id, user_id)
);

-- People on a case. kind: staff, library, vendor or external. copied: they
-- receive the replies sent from Samla.
CREATE TABLE case_participants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL,
    name       TEXT    NOT NULL DEFAULT '',
    kind       TEXT    NOT NULL,
    library_id INTEGER REFERENCES libraries(id) ON DELETE SET NULL,
    vendor_id  INTEGER REFERENCES vendors(id) ON DELETE SET NULL,
    copied     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX case_participants_email ON case_participants (case_id, email);
CREATE INDEX case_participants_by_email ON case_participants (email);

-- Every mail as it came, byte for byte, stored once.
CREATE TABLE mail_raw (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    data        BLOB    NOT NULL,
    source      TEXT    NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX mail_raw_sha256 ON mail_raw (sha256);

-- kind: inbound, outbound or note. auto: '', auto_reply, bounce or bulk.
CREATE TABLE case_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id      INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL,
    message_id   TEXT,
    in_reply_to  TEXT    NOT NULL DEFAULT '',
    refs         TEXT    NOT NULL DEFAULT '',
    from_addr    TEXT    NOT NULL DEFAULT '',
    from_name    TEXT    NOT NULL DEFAULT '',
    to_addrs     TEXT    NOT NULL DEFAULT '',
    cc_addrs     TEXT    NOT NULL DEFAULT '',
    subject      TEXT    NOT NULL DEFAULT '',
    body_text    TEXT    NOT NULL DEFAULT '',
    body_html    TEXT    NOT NULL DEFAULT '',
    auto         TEXT    NOT NULL DEFAULT '',
    problem      TEXT    NOT NULL DEFAULT '',
    thread_rule  TEXT    NOT NULL DEFAULT '',
    raw_id       INTEGER REFERENCES mail_raw(id),
    author_id    INTEGER REFERENCES users(id) ON DELETE SET NULL,
    outbox_id    INTEGER REFERENCES mail_outbox(id) ON DELETE SET NULL,
    sent_at      TIMESTAMP,
    created_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX case_messages_message_id ON case_messages (message_id) WHERE message_id IS NOT NULL;
CREATE INDEX case_messages_case ON case_messages (case_id, created_at);

CREATE TABLE case_attachments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   INTEGER NOT NULL REFERENCES case_messages(id) ON DELETE CASCADE,
    filename     TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    content_id   TEXT    NOT NULL DEFAULT '',
    inline       BOOLEAN NOT NULL DEFAULT FALSE,
    size         INTEGER NOT NULL,
    data         BLOB    NOT NULL
);
CREATE INDEX case_attachments_message ON case_attachments (message_id);

-- Every Message-ID Samla has seen — its own, the mails it ingested, and
-- every id in their References — with the case it belongs to. This is
-- what threads a reply to a mail from before the desk was on copy.
CREATE TABLE case_mail_ids (
    message_id TEXT    PRIMARY KEY,
    case_id    INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE
);

-- How far the IMAP fetch has come, per mailbox.
CREATE TABLE mail_inbox_positions (
    mailbox      TEXT    PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

CREATE TABLE case_snippets (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT    NOT NULL,
    lang       TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);

-- A named filter; query is the list page's query string.
CREATE TABLE case_views (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    query      TEXT    NOT NULL,
    created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX case_views_name ON case_views (name);

-- Outgoing replies need their own headers; notices leave these empty.
ALTER TABLE mail_outbox ADD COLUMN from_addr   TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN cc_addrs    TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN reply_to    TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN message_id  TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN in_reply_to TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN refs        TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN personal    BOOLEAN NOT NULL DEFAULT FALSE;

-- Full-text search over subjects and messages: one row per message.
CREATE VIRTUAL TABLE case_search USING fts5(subject, body, case_id UNINDEXED, message_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');

-- +goose Down
DROP TABLE case_search;
ALTER TABLE mail_outbox DROP COLUMN personal;
ALTER TABLE mail_outbox DROP COLUMN refs;
ALTER TABLE mail_outbox DROP COLUMN in_reply_to;
ALTER TABLE mail_outbox DROP COLUMN message_id;
ALTER TABLE mail_outbox DROP COLUMN reply_to;
ALTER TABLE mail_outbox DROP COLUMN cc_addrs;
ALTER TABLE mail_outbox DROP COLUMN from_addr;
DROP TABLE case_views;
DROP TABLE case_snippets;
DROP TABLE mail_inbox_positions;
DROP TABLE case_mail_ids;
DROP TABLE case_attachments;
DROP TABLE case_messages;
DROP TABLE mail_raw;
DROP TABLE case_participants;
DROP TABLE case_followers;
DROP TABLE case_tags;
DROP TABLE cases;
DROP TABLE case_secrets;
ALTER TABLE vendors DROP COLUMN ticket_pattern;
ALTER TABLE vendors DROP COLUMN mail_domains;
