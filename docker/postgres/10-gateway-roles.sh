#!/usr/bin/env bash
# The gateway's two database roles: gateway_owner owns the database and runs the migrations (spring.flyway.user);
# gateway_app serves and owns nothing (spring.datasource.username), so it cannot disable or drop the audit trail's
# trigger, alter a table or set session_replication_role. Run by the postgres image at its first start
# (/docker-entrypoint-initdb.d) and by .ci/run against the machine's server. Idempotent.
set -euo pipefail
: "${POSTGRES_DB:?}" "${POSTGRES_USER:?}"
psql -v ON_ERROR_STOP=1 -q --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="${GATEWAY_OWNER_PASSWORD:-}" -v app_password="${GATEWAY_APP_PASSWORD:-}" <<'SQL'
set client_min_messages = warning;
select format('create role %I login', r) from unnest(array['gateway_owner', 'gateway_app']) r
  where not exists (select from pg_roles where rolname = r) \gexec
alter role gateway_owner nosuperuser nocreatedb nocreaterole password :'owner_password';
alter role gateway_app nosuperuser nocreatedb nocreaterole noinherit password :'app_password';
select format('alter database %I owner to gateway_owner', current_database()) \gexec
SQL
