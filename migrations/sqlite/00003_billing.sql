-- +goose Up
-- Money is integer minor units (øre) with a currency code; exchange rates are
-- integer millionths of the home currency per unit. No column holds a float.

-- The consortium as a seller: one row, edited by admins.
CREATE TABLE billing_settings (
    id               INTEGER PRIMARY KEY CHECK (id = 1),
    name             TEXT    NOT NULL DEFAULT '',
    org_number       TEXT    NOT NULL DEFAULT '',
    vat_registered   BOOLEAN NOT NULL DEFAULT TRUE,
    street           TEXT    NOT NULL DEFAULT '',
    postcode         TEXT    NOT NULL DEFAULT '',
    city             TEXT    NOT NULL DEFAULT '',
    country          TEXT    NOT NULL DEFAULT 'NO',
    bank_account     TEXT    NOT NULL DEFAULT '',
    email            TEXT    NOT NULL DEFAULT '',
    payment_days     INTEGER NOT NULL DEFAULT 30,
    home_currency    TEXT    NOT NULL DEFAULT 'NOK',
    contribution_vat TEXT    NOT NULL DEFAULT 'E',
    version          INTEGER NOT NULL DEFAULT 1,
    updated_at       TIMESTAMP NOT NULL
);

-- VAT is a setting per product: licences may be standard-rated, zero-rated
-- or exempt, and that is the admin's decision, not Samla's guess.
ALTER TABLE products ADD COLUMN vat_category TEXT    NOT NULL DEFAULT 'S';
ALTER TABLE products ADD COLUMN vat_rate_bp  INTEGER NOT NULL DEFAULT 2500;

ALTER TABLE agreements ADD COLUMN markup_bp INTEGER NOT NULL DEFAULT 500;

-- The price model's parameters (bands, rate, split key) as JSON; the
-- vendor's total for the offer when known in advance (a national licence).
ALTER TABLE offers ADD COLUMN price_spec        TEXT NOT NULL DEFAULT '{}';
ALTER TABLE offers ADD COLUMN vendor_cost_minor INTEGER;

CREATE TABLE exchange_rates (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    currency   TEXT    NOT NULL,
    rate_date  TEXT    NOT NULL,
    rate_micro INTEGER NOT NULL,
    frequency  TEXT    NOT NULL DEFAULT 'B',
    source     TEXT    NOT NULL,
    source_ref TEXT    NOT NULL DEFAULT '',
    created_by TEXT    NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX exchange_rates_unique ON exchange_rates (currency, rate_date, source);

CREATE TABLE consortium_costs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    year         INTEGER NOT NULL,
    description  TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT    NOT NULL DEFAULT 'NOK',
    created_by   TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX consortium_costs_year ON consortium_costs (year);

-- An invoice run makes one draft invoice per paying party; approving it
-- numbers them and marks their lines billed, all in one transaction.
CREATE TABLE invoice_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    year         INTEGER NOT NULL,
    period_from  TEXT    NOT NULL,
    period_to    TEXT    NOT NULL,
    issue_date   TEXT    NOT NULL,
    due_date     TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    rate_date    TEXT    NOT NULL,
    agreement_id INTEGER REFERENCES agreements(id),
    params       TEXT    NOT NULL DEFAULT '{}',
    skipped      TEXT    NOT NULL DEFAULT '[]',
    status       TEXT    NOT NULL DEFAULT 'draft',
    created_by   TEXT    NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    approved_by  TEXT    NOT NULL DEFAULT '',
    approved_at  TIMESTAMP
);

CREATE TABLE invoices (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id             INTEGER REFERENCES invoice_runs(id) ON DELETE CASCADE,
    kind               TEXT    NOT NULL DEFAULT 'invoice',
    number             TEXT,
    status             TEXT    NOT NULL DEFAULT 'draft',
    credits_invoice_id INTEGER REFERENCES invoices(id),
    party_key          TEXT    NOT NULL,
    party_kind         TEXT    NOT NULL,
    buyer_name         TEXT    NOT NULL,
    buyer_org_number   TEXT    NOT NULL DEFAULT '',
    buyer_address      TEXT    NOT NULL DEFAULT '',
    buyer_country      TEXT    NOT NULL DEFAULT 'NO',
    buyer_endpoint     TEXT    NOT NULL DEFAULT '',
    buyer_reference    TEXT    NOT NULL DEFAULT '',
    order_reference    TEXT    NOT NULL DEFAULT '',
    currency           TEXT    NOT NULL,
    issue_date         TEXT    NOT NULL,
    due_date           TEXT    NOT NULL,
    net_minor          INTEGER NOT NULL DEFAULT 0,
    vat_minor          INTEGER NOT NULL DEFAULT 0,
    total_minor        INTEGER NOT NULL DEFAULT 0,
    home_rate_micro    INTEGER,
    note               TEXT    NOT NULL DEFAULT '',
    created_at         TIMESTAMP NOT NULL,
    approved_at        TIMESTAMP
);
CREATE UNIQUE INDEX invoices_run_party ON invoices (run_id, party_key) WHERE run_id IS NOT NULL;
CREATE UNIQUE INDEX invoices_number ON invoices (number) WHERE number IS NOT NULL;
CREATE INDEX invoices_credits ON invoices (credits_invoice_id);

-- One line per subscription (and its markup) or share. source_key names
-- what the line bills; while billed is true no other line may bill it, so
-- nothing is ever invoiced twice. A credit note clears billed on the lines
-- it corrects, and they can be billed again.
CREATE TABLE invoice_lines (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id          INTEGER NOT NULL REFERENCES invoices(id) ON DELETE CASCADE,
    position            INTEGER NOT NULL,
    kind                TEXT    NOT NULL,
    library_id          INTEGER REFERENCES libraries(id),
    agreement_id        INTEGER REFERENCES agreements(id),
    offer_id            INTEGER REFERENCES offers(id),
    product_id          INTEGER REFERENCES products(id),
    description         TEXT    NOT NULL,
    amount_minor        INTEGER NOT NULL,
    vat_category        TEXT    NOT NULL,
    vat_rate_bp         INTEGER NOT NULL,
    source_currency     TEXT    NOT NULL,
    source_minor        INTEGER NOT NULL,
    rate_micro          INTEGER,
    rate_date           TEXT    NOT NULL DEFAULT '',
    markup_bp           INTEGER NOT NULL DEFAULT 0,
    computation         TEXT    NOT NULL DEFAULT '[]',
    source_key          TEXT    NOT NULL,
    billed              BOOLEAN NOT NULL DEFAULT FALSE,
    credited_by_line_id INTEGER REFERENCES invoice_lines(id)
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, position);
CREATE UNIQUE INDEX invoice_lines_billed ON invoice_lines (source_key) WHERE billed;
CREATE INDEX invoice_lines_agreement ON invoice_lines (agreement_id);
CREATE INDEX invoice_lines_library ON invoice_lines (library_id);
CREATE INDEX invoice_lines_credited ON invoice_lines (credited_by_line_id);

-- Gapless invoice numbers: taken inside the approving transaction.
CREATE TABLE invoice_counters (
    series TEXT PRIMARY KEY,
    next   INTEGER NOT NULL
);

-- Incoming invoices from vendors, checked against what was agreed.
CREATE TABLE vendor_invoices (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    agreement_id     INTEGER NOT NULL REFERENCES agreements(id),
    number           TEXT    NOT NULL,
    invoice_date     TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    amount_minor     INTEGER NOT NULL,
    rate_micro       INTEGER NOT NULL,
    home_minor       INTEGER NOT NULL,
    paid_on          TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL DEFAULT 'registered',
    expected_minor   INTEGER NOT NULL DEFAULT 0,
    difference_minor INTEGER NOT NULL DEFAULT 0,
    note             TEXT    NOT NULL DEFAULT '',
    created_by       TEXT    NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    approved_by      TEXT    NOT NULL DEFAULT '',
    approved_at      TIMESTAMP,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX vendor_invoices_number ON vendor_invoices (agreement_id, number);

-- +goose Down
DROP TABLE vendor_invoices;
DROP TABLE invoice_counters;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE invoice_runs;
DROP TABLE consortium_costs;
DROP TABLE exchange_rates;
ALTER TABLE offers DROP COLUMN vendor_cost_minor;
ALTER TABLE offers DROP COLUMN price_spec;
ALTER TABLE agreements DROP COLUMN markup_bp;
ALTER TABLE products DROP COLUMN vat_rate_bp;
ALTER TABLE products DROP COLUMN vat_category;
DROP TABLE billing_settings;
