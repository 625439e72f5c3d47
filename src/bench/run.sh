#!/usr/bin/env bash
# Runs the dtx benchmark (see docs/benchmarks.md): Debian's PostgreSQL with its default settings, dtx from the
# packaged jar, the load generator and participant of src/bench. Arguments go to the benchmark
# (e.g. --smoke, --workloads saga2,bound, --out docs/benchmarks-run.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

have() { command -v "$1" >/dev/null 2>&1; }
if [ ! -x /usr/lib/postgresql/15/bin/pgbench ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg_ctlcluster 15 main start 2>/dev/null || true
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 <<'SQL'
SELECT 'CREATE ROLE dtxbench LOGIN CREATEDB PASSWORD ''dtxbench'''
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dtxbench') \gexec
SELECT 'CREATE DATABASE dtxbench OWNER dtxbench'
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'dtxbench') \gexec
SQL

[ -f target/quarkus-app/quarkus-run.jar ] || ./mvnw -B -q package -DskipTests
have go || { echo "bench: Go is needed (apt-get install golang-go)" >&2; exit 1; }
(cd src/bench && go build -o ../../target/dtx-bench .)
exec target/dtx-bench "$@"
