#!/usr/bin/env bash
# The ingest benchmark on the production path: the gateway on an external PostgreSQL (default: this machine's, with
# the two roles of docker/postgres/10-gateway-roles.sh), reached through tools' wire-count relay, which counts the
# statements the gateway executes and its round trips. Prints bench's figures and the counts per bundle of the
# measured phase (all the gateway's traffic in that time: ingest and the background work it causes).
#   tools/scripts/external-path.sh [--count 600] [--warmup 400] [--clients 8] [--compare-url http://localhost:8090/fhir]
# Needs: mvn -DskipTests package; psql; the server at PGHOST (127.0.0.1:5432, trust for postgres).
set -euo pipefail
cd "$(dirname "$0")/../.."
count=600 warmup=400 clients=8 compare=()
while [ $# -gt 0 ]; do
  case "$1" in
    --count) count=$2 ;; --warmup) warmup=$2 ;; --clients) clients=$2 ;; --compare-url) compare=(--compare-url "$2") ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
db=${BENCH_DB:-gateway_bench} relay_port=${RELAY_PORT:-6432} http_port=${HTTP_PORT:-8080} work=target/external-path
mkdir -p "$work"
psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qc "drop database if exists $db" -c "create database $db"
PGHOST=127.0.0.1 POSTGRES_USER=postgres POSTGRES_DB=$db bash docker/postgres/10-gateway-roles.sh
java -jar tools/target/tools-cli.jar wire-count --listen "$relay_port" --target 127.0.0.1:5432 --every 1 > "$work/relay.log" &
relay=$!
SPRING_DATASOURCE_URL=jdbc:postgresql://127.0.0.1:$relay_port/$db SPRING_DATASOURCE_USERNAME=gateway_app SPRING_DATASOURCE_PASSWORD= \
SPRING_FLYWAY_USER=gateway_owner SPRING_FLYWAY_PASSWORD= GATEWAY_PRIVACY_PSEUDONYM_SECRET=benchmark-only-secret-0123456789 \
  java -XX:+ExitOnOutOfMemoryError -XX:SharedArchiveFile=gateway/target/app/gateway.jsa -jar gateway/target/app/gateway.jar \
  --server.port="$http_port" > "$work/gateway.log" 2>&1 &
gateway=$!
trap 'kill $gateway $relay 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do curl -sf "http://localhost:$http_port/fhir/metadata" > /dev/null && break; sleep 1; done
curl -sf "http://localhost:$http_port/fhir/metadata" > /dev/null || { tail -20 "$work/gateway.log"; exit 1; }
counts() { sleep 6; tail -1 "$work/relay.log" | cut -f3,4; }
# CPU time (clock ticks) of a process list: where the machine's two cores go in the measured phase
ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo $t; }
cpu() { echo "$(ticks $gateway) $(ticks $relay) $(ticks $(pgrep -x postgres; pgrep -f '^postgres: '))"; }
url=http://localhost:$http_port/fhir
java -jar tools/target/tools-cli.jar bench --url "$url" --count "$warmup" --warmup 0 --clients "$clients" --seed 17 | tail -2
read -r statements0 trips0 < <(counts)
read -r gw0 relay0 pg0 < <(cpu)
# With pg_stat_statements preloaded on the server, the measured phase's statements are listed too.
top=$(psql -h 127.0.0.1 -U postgres -d "$db" -Atc "select 1 from pg_available_extensions a, pg_settings s where a.name = 'pg_stat_statements' and s.name = 'shared_preload_libraries' and s.setting like '%pg_stat_statements%'")
if [ "$top" = 1 ]; then
  psql -h 127.0.0.1 -U postgres -d "$db" -qc "create extension if not exists pg_stat_statements" -c "select pg_stat_statements_reset()" > /dev/null
fi
java -jar tools/target/tools-cli.jar bench --url "$url" --count "$count" --warmup 0 --clients "$clients" --seed 70 \
  --settle 0 ${compare[@]:+"${compare[@]}" --compare-warmup "$warmup"} | tee "$work/bench.txt"
read -r statements1 trips1 < <(counts)
read -r gw1 relay1 pg1 < <(cpu)
if [ "$top" = 1 ]; then
  psql -h 127.0.0.1 -U postgres -d "$db" -c "select calls, round((calls::numeric / $count), 1) as per_bundle, round(total_exec_time::numeric / $count, 2) as ms_per_bundle, left(regexp_replace(query, '\s+', ' ', 'g'), 110) as query from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database()) order by calls desc limit 30" | tee "$work/statements.txt"
fi
awk -v s=$((statements1 - statements0)) -v t=$((trips1 - trips0)) -v n="$count" \
  'BEGIN { printf "per bundle: %.1f statements, %.1f round trips (%d and %d for %d bundles)\n", s / n, t / n, s, t, n }'
# PostgreSQL's share only without --compare-url: the other server's run uses the same PostgreSQL
hz=$(getconf CLK_TCK)
awk -v g=$((gw1 - gw0)) -v r=$((relay1 - relay0)) -v p=$((pg1 - pg0)) -v n="$count" -v hz="$hz" -v c=${#compare[@]} \
  'BEGIN { printf "CPU per bundle: gateway %.1f ms, relay %.1f ms", g * 1000 / hz / n, r * 1000 / hz / n;
           if (c == 0) printf ", PostgreSQL %.1f ms", p * 1000 / hz / n; printf "\n" }'
