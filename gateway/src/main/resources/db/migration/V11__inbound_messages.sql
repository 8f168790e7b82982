-- HL7v3 kernset messages (PWD 2.3) as received over HTTP or from the intake directory. A message is processed once
-- per sender and message id: the row is written in the ingest's own transaction, so a message is either stored with
-- its resources or not at all, and a resend (same id, same content) is a no-op.
create table inbound_message (
    sender       text        not null,
    message_id   text        not null,
    sha256       text        not null,
    channel      text        not null,
    received_at  timestamptz not null default now(),
    resources    integer     not null,
    primary key (sender, message_id)
);

-- Messages that could not be processed: nothing of them is stored but this row, with the reason, so an administrator
-- can list them and replay one after the cause is fixed (the mother registered, the mapping extended). The body is
-- personal data: it is read only by the audited dead-letter operations and removed when replayed successfully.
create table inbound_dead_letter (
    id           uuid        primary key,
    received_at  timestamptz not null default now(),
    channel      text        not null,
    sender       text        not null,
    sender_client text       not null,
    message_id   text,
    file_name    text,
    status       integer     not null,
    reason       text        not null,
    body         bytea,
    replayed_at  timestamptz,
    replay_outcome text
);
create index inbound_dead_letter_open_idx on inbound_dead_letter (received_at) where replayed_at is null;
