-- The gateway serves as ${application_role}, which owns nothing: it cannot alter or drop a table, disable or drop a
-- trigger, or set session_replication_role (all need the owner or a superuser). It reads and writes what serving
-- needs; the audit trail and the consent decisions it may only read and append to. Tables later migrations create
-- get the same rights by default. With no separate application role (the placeholder empty or the migrating role
-- itself) nothing is granted.
do $$
declare
    app text := '${application_role}';
begin
    if app = '' or app = current_user then
        return;
    end if;
    execute format('revoke create on schema %I from public', current_schema());
    execute format('grant usage on schema %I to %I', current_schema(), app);
    execute format('grant select, insert, update, delete on all tables in schema %I to %I', current_schema(), app);
    execute format('grant usage, select on all sequences in schema %I to %I', current_schema(), app);
    execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to %I',
                   current_schema(), app);
    execute format('alter default privileges in schema %I grant usage, select on sequences to %I', current_schema(), app);
    execute format('revoke update, delete, truncate on audit_event, consent_decision from %I', app);
    execute format('revoke all on flyway_schema_history from %I', app);
end;
$$;
