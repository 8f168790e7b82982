#!/usr/bin/env bash
# The production topology of compose.yml, run natively (no Docker engine here): Keycloak (Maven Central's
# keycloak-quarkus-dist) with keycloak/kansrijke-start-realm.json imported, Caddy (Debian) with caddy/Caddyfile and
# its local CA, two gateway instances on the machine's PostgreSQL (127.0.0.1:5432, database gateway_e2e, the roles of
# postgres/10-gateway-roles.sh), then the user journeys and refusals through https://localhost:8443. Prints each
# journey's result and time; exits 1 if one fails. A person's sign-in runs in Debian's chromium. Needs the built gateway and tools (mvn -DskipTests package).
set -euo pipefail
cd "$(dirname "$0")/.."
KEYCLOAK_VERSION=26.4.7
dir=target/e2e
mkdir -p "$dir"
if [ ! -x "$dir/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ]; then
  mvn -B -q -ntp -N dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:tar.gz" \
    -DoutputDirectory="$dir"
  tar -xzf "$dir/keycloak-quarkus-dist-$KEYCLOAK_VERSION.tar.gz" -C "$dir"
fi
missing=""
command -v caddy >/dev/null || missing="$missing caddy"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/bin/chromedriver ] || missing="$missing chromium-driver"
if [ -n "$missing" ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing
fi
psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "drop database if exists gateway_e2e" \
  -c "create database gateway_e2e"
PGHOST=127.0.0.1 POSTGRES_USER=postgres POSTGRES_DB=gateway_e2e bash docker/postgres/10-gateway-roles.sh
jar=gateway/target/app/gateway.jar
[ -f "$jar" ] || jar=gateway/target/gateway.jar
exec java -jar tools/target/tools-cli.jar e2e --keycloak "$dir/keycloak-$KEYCLOAK_VERSION" --jar "$jar" \
  --jdbc jdbc:postgresql://127.0.0.1:5432/gateway_e2e --work "$dir/run" --limit PT10M
