-- A person's records across every partition (consent decisions look her up by BSN): the primary key starts with the
-- owner, so without this index the lookup read a whole type's identifiers (1 ms per call at 25,000 rows).
create index resource_identifier_value_idx on resource_identifier (resource_type, system, value);

-- Planner statistics without relying on the server's autovacuum. A server with autovacuum off (found on a CI machine)
-- never analyses the gateway's tables: the planner then guesses from page counts alone, picks the wrong index for
-- "= any(?)" lookups and ingest ran at a third of its speed. The gateway calls this every few seconds; it analyses
-- the tables that changed by more than autovacuum's own defaults (50 rows + 10%) since their last analysis, and
-- returns their names. It runs as the tables' owner (security definer): the application role owns nothing and may
-- not analyse. Two instances never analyse at the same time (the second returns nothing).
create function refresh_table_statistics() returns setof text
    language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
    t record;
begin
    if not pg_try_advisory_xact_lock(hashtext('refresh_table_statistics')) then
        return;
    end if;
    for t in
        select s.relname from pg_stat_user_tables s join pg_class c on c.oid = s.relid
        where c.relnamespace = '${flyway:defaultSchema}'::regnamespace and c.relowner = (select oid from pg_roles where rolname = current_user)
          and c.relkind = 'r'
          and (s.n_mod_since_analyze > 50 + 0.1 * greatest(c.reltuples, 0)
               or (c.reltuples < 0 and s.n_live_tup > 0))
        order by s.relname
    loop
        execute format('analyze %I.%I', '${flyway:defaultSchema}', t.relname);
        return next t.relname;
    end loop;
end;
$$;
revoke all on function refresh_table_statistics() from public;

do $$
declare
    app text := '${application_role}';
begin
    if app <> '' and app <> current_user then
        execute format('grant execute on function refresh_table_statistics() to %I', app);
    end if;
end;
$$;
