-- +goose Up
-- Usage statistics (COUNTER R5/R5.1). Every number belongs to an import
-- batch: one report × library × platform × month, replaced whole by a
-- re-upload or re-harvest. The facts are one narrow table of small keys.

-- A vendor's platform as COUNTER names it, mapped to a product for cost per use.
CREATE TABLE usage_platforms (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    name_key   TEXT    NOT NULL,
    product_id INTEGER REFERENCES products(id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX usage_platforms_key ON usage_platforms (name_key);

CREATE TABLE usage_metrics (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT    NOT NULL
);
CREATE UNIQUE INDEX usage_metrics_name ON usage_metrics (name);

-- Titles, databases and items, interned once with their identifiers.
CREATE TABLE usage_titles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    title_key   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    publisher   TEXT    NOT NULL DEFAULT '',
    doi         TEXT    NOT NULL DEFAULT '',
    isbn        TEXT    NOT NULL DEFAULT '',
    print_issn  TEXT    NOT NULL DEFAULT '',
    online_issn TEXT    NOT NULL DEFAULT '',
    proprietary TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX usage_titles_key ON usage_titles (kind, title_key);

-- Where numbers came from: an uploaded file or a harvest response, kept
-- (up to a size) so every number can be traced back and read again.
CREATE TABLE usage_sources (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    file_name   TEXT    NOT NULL DEFAULT '',
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    data        BLOB,
    release     TEXT    NOT NULL DEFAULT '',
    report_id   TEXT    NOT NULL DEFAULT '',
    warnings    TEXT    NOT NULL DEFAULT '[]',
    exceptions  TEXT    NOT NULL DEFAULT '[]',
    created_by  TEXT    NOT NULL DEFAULT '',
    created_at  TIMESTAMP NOT NULL
);

-- status: usage, no_usage (the vendor said so: 3030 …) or partial (3031/3032).
CREATE TABLE usage_batches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id   TEXT    NOT NULL,
    library_id  INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    platform_id INTEGER NOT NULL REFERENCES usage_platforms(id),
    month       TEXT    NOT NULL,
    source_id   INTEGER NOT NULL REFERENCES usage_sources(id),
    status      TEXT    NOT NULL,
    exceptions  TEXT    NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX usage_batches_key ON usage_batches (report_id, library_id, platform_id, month);
CREATE INDEX usage_batches_month ON usage_batches (month, library_id);
CREATE INDEX usage_batches_platform ON usage_batches (platform_id, month);

-- title_id 0 is the platform itself (PR rows).
CREATE TABLE usage_facts (
    batch_id  INTEGER NOT NULL REFERENCES usage_batches(id) ON DELETE CASCADE,
    title_id  INTEGER NOT NULL,
    metric_id INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (batch_id, title_id, metric_id)
) WITHOUT ROWID;
CREATE INDEX usage_facts_title ON usage_facts (title_id);

-- Each batch's totals per metric, written with it: the monthly questions
-- (per library, county, product, month) read these, never the facts.
CREATE TABLE usage_totals (
    batch_id  INTEGER NOT NULL REFERENCES usage_batches(id) ON DELETE CASCADE,
    metric_id INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    PRIMARY KEY (batch_id, metric_id)
) WITHOUT ROWID;

-- SUSHI: a platform's endpoint, and each library's credentials for it
-- (requestor id and API key encrypted with the key from configuration).
CREATE TABLE usage_sushi_endpoints (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    platform_id INTEGER NOT NULL REFERENCES usage_platforms(id) ON DELETE CASCADE,
    base_url    TEXT    NOT NULL,
    reports     TEXT    NOT NULL DEFAULT 'TR,DR,PR',
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX usage_sushi_endpoints_platform ON usage_sushi_endpoints (platform_id);

CREATE TABLE usage_sushi_credentials (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id    INTEGER NOT NULL REFERENCES usage_sushi_endpoints(id) ON DELETE CASCADE,
    library_id     INTEGER NOT NULL REFERENCES libraries(id) ON DELETE CASCADE,
    customer_id    TEXT    NOT NULL,
    requestor_enc  TEXT    NOT NULL DEFAULT '',
    api_key_enc    TEXT    NOT NULL DEFAULT '',
    platform_param TEXT    NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX usage_sushi_credentials_key ON usage_sushi_credentials (endpoint_id, library_id);

-- One line per credentials × report × month: the harvest log.
CREATE TABLE usage_harvests (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    credential_id INTEGER NOT NULL REFERENCES usage_sushi_credentials(id) ON DELETE CASCADE,
    report_id     TEXT    NOT NULL,
    month         TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    message       TEXT    NOT NULL DEFAULT '',
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_try_at   TIMESTAMP NOT NULL,
    source_id     INTEGER REFERENCES usage_sources(id) ON DELETE SET NULL,
    updated_at    TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX usage_harvests_key ON usage_harvests (credential_id, report_id, month);
CREATE INDEX usage_harvests_due ON usage_harvests (status, next_try_at);

-- +goose Down
DROP TABLE usage_harvests;
DROP TABLE usage_sushi_credentials;
DROP TABLE usage_sushi_endpoints;
DROP TABLE usage_totals;
DROP TABLE usage_facts;
DROP TABLE usage_batches;
DROP TABLE usage_sources;
DROP TABLE usage_titles;
DROP TABLE usage_metrics;
DROP TABLE usage_platforms;
