-- Municipality (CBS code) → responsible JGZ organisation, loaded from mappings/jgz-routing.csv (or the configured
-- file) at startup and by $reload-routing: replaceable without a release.
create table jgz_route (
    municipality text primary key,
    organization text not null,
    name         text not null,
    -- FHIR base URL for push delivery; null = the organisation pulls
    endpoint     text
);

-- Mothers whose handovers must be brought up to date (new data, a consent change, a new routing table): one row per
-- mother however often she is asked for, written in the transaction that causes it, taken with SKIP LOCKED.
create table handover_check (
    mother       text        primary key,
    requested_at timestamptz not null
);

-- One handover per child-and-moment (prenatal: the mother's pregnancy; postnatal: one child). Its documents and
-- Tasks are resources in the receiving JGZ organisation's partition; this row remembers where it stands.
create table handover (
    id                 uuid        primary key,
    mother             text        not null,
    -- the child (postnatal) or '' (prenatal), so that the pair is unique
    child              text        not null,
    moment             text        not null,
    source_owner       text        not null,
    municipality       text,
    recipient          text,
    -- parked (no JGZ organisation for the municipality), active (a document is out), cancelled (consent withdrawn)
    status             text        not null,
    status_reason      text,
    version            integer     not null default 0,
    content_hash       text,
    bundle_identifier  text,
    document_id        text,
    task_id            text,
    acknowledged_at    timestamptz,
    -- when the first document went out (monitoring: handover before 28 weeks)
    first_sent_at      timestamptz,
    created_at         timestamptz not null,
    updated_at         timestamptz not null,
    unique (mother, child, moment)
);
create index handover_status_idx on handover (status);
create index handover_task_idx on handover (task_id);

-- The push outbox: one row per document to POST to a JGZ endpoint, written in the transaction that makes the
-- document. Taken with FOR UPDATE SKIP LOCKED (one instance sends an item at a time), oldest first per order key
-- (the handover), retried with exponential backoff, dead after the configured number of attempts.
create table handover_delivery (
    id                bigserial   primary key,
    handover_id       uuid        not null references handover (id),
    order_key         text        not null,
    task_id           text        not null,
    document_id       text        not null,
    bundle_identifier text        not null,
    recipient         text        not null,
    endpoint          text        not null,
    -- pending, delivered, dead, cancelled
    status            text        not null,
    attempts          integer     not null default 0,
    next_attempt_at   timestamptz not null,
    last_error        text,
    created_at        timestamptz not null,
    delivered_at      timestamptz
);
create index handover_delivery_due_idx on handover_delivery (next_attempt_at) where status = 'pending';
create index handover_delivery_order_idx on handover_delivery (order_key, id) where status = 'pending';
