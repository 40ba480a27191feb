-- +goose Up
-- Access: what each vendor has been told about its subscribers' IP ranges,
-- and single sign-on identities and the domains allowed to create users.

-- The daily digest remembers, per vendor, the last audit record it covered,
-- so a digest lists every change once however late the duty runs.
CREATE TABLE access_digests (
    vendor_id     INTEGER PRIMARY KEY REFERENCES vendors(id) ON DELETE CASCADE,
    last_audit_id INTEGER   NOT NULL,
    sent_at       TIMESTAMP NOT NULL
);
-- The changes-since feed reads one entity's records in id order.
CREATE INDEX audit_log_entity_order ON audit_log (entity, id);

-- An identity at an OIDC or SAML provider, linked to one Samla user.
CREATE TABLE sso_identities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER   NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    provider      TEXT      NOT NULL,
    subject       TEXT      NOT NULL,
    email         TEXT      NOT NULL DEFAULT '',
    created_at    TIMESTAMP NOT NULL,
    last_login_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sso_identities_subject ON sso_identities (provider, subject);
CREATE INDEX sso_identities_user ON sso_identities (user_id);

-- An e-mail domain whose people may create their own user on first sign-in,
-- with the role (and library or vendor) they get.
CREATE TABLE sso_domains (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    domain     TEXT      NOT NULL,
    role       TEXT      NOT NULL,
    library_id INTEGER   REFERENCES libraries(id) ON DELETE CASCADE,
    vendor_id  INTEGER   REFERENCES vendors(id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX sso_domains_domain ON sso_domains (domain);

-- +goose Down
DROP TABLE sso_domains;
DROP TABLE sso_identities;
DROP INDEX audit_log_entity_order;
DROP TABLE access_digests;
