-- NEN 7513 audit trail: one row per recorded access, the AuditEvent as JSONB plus the columns it is searched by.
-- Persons appear only as resource ids and keyed pseudonyms, never as a BSN.
create table audit_event (
    id                 uuid        primary key,
    recorded           timestamptz not null,
    action             char(1)     not null,
    subtype            text        not null,
    outcome            smallint    not null,
    client_id          text,
    organization       text,
    purpose_of_use     text,
    patients           text[]      not null,
    patient_pseudonyms text[]      not null,
    content            jsonb       not null
);
create index audit_event_recorded_idx on audit_event (recorded);
create index audit_event_patients_idx on audit_event using gin (patients);
create index audit_event_pseudonyms_idx on audit_event using gin (patient_pseudonyms);
create index audit_event_client_idx on audit_event (client_id, recorded);
create index audit_event_organization_idx on audit_event (organization, recorded);

-- Append-only, whatever the application does: rows can be added, never changed or removed.
create function audit_event_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_event is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end;
$$;
create trigger audit_event_no_update_or_delete before update or delete on audit_event
    for each row execute function audit_event_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_append_only();
