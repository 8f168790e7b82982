-- Consent decisions that gated data leaving the gateway (handover, monitoring), append-only like the audit trail:
-- "why was this sent" and "why was this not sent" stay answerable. Persons as Patient ids and audit pseudonyms.
create table consent_decision (
    id               uuid        primary key,
    decided_at       timestamptz not null,
    -- the moment the decision is about (usually decided_at)
    effective_at     timestamptz not null,
    patient          text        not null,
    person_pseudonym text,
    purpose          text        not null,
    recipient        text,
    outcome          text        not null,
    ground           text        not null,
    reason           text        not null,
    basis            text[]      not null,
    -- what the decision gated, e.g. Task/123
    context          text
);
create index consent_decision_patient_idx on consent_decision (patient, decided_at);
create index consent_decision_pseudonym_idx on consent_decision (person_pseudonym, decided_at);

-- One append-only guard for every such table (it names the table), replacing the audit trail's own.
create function append_only() returns trigger language plpgsql as $$
begin
    raise exception '% is append-only: % is not allowed', tg_table_name, tg_op using errcode = 'insufficient_privilege';
end;
$$;
drop trigger audit_event_no_update_or_delete on audit_event;
drop trigger audit_event_no_truncate on audit_event;
drop function audit_event_append_only();
create trigger audit_event_no_update_or_delete before update or delete on audit_event
    for each row execute function append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function append_only();
create trigger consent_decision_no_update_or_delete before update or delete on consent_decision
    for each row execute function append_only();
create trigger consent_decision_no_truncate before truncate on consent_decision
    for each statement execute function append_only();

-- Spring Integration's persistent queue channels (schema from spring-integration-jdbc, schema-postgresql.sql):
-- consent changes are queued here in the transaction that stores the Consent, so none is lost on a crash.
create sequence int_message_seq start with 1 increment by 1 no cycle;

create table int_channel_message (
    message_id       char(36)     not null,
    group_key        char(36)     not null,
    created_date     bigint       not null,
    message_priority bigint,
    message_sequence bigint       not null default nextval('int_message_seq'),
    message_bytes    bytea,
    region           varchar(100) not null,
    constraint int_channel_message_pk primary key (region, group_key, created_date, message_sequence)
);
create index int_channel_msg_delete_idx on int_channel_message (region, group_key, message_id);
