#!/usr/bin/env bash
# Runs once, when the compose PostgreSQL volume is first initialised (docker-entrypoint-initdb.d).
# The services create their own schemas through migrations; this adds only the read-only
# monitoring role postgres-exporter logs in with (password from IWF_MONITOR_PASSWORD).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=monitor_password="${IWF_MONITOR_PASSWORD:-iwf_monitor}" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'iwf_monitor') AS create_role \gset
\if :create_role
  CREATE ROLE iwf_monitor LOGIN IN ROLE pg_monitor;
\endif
ALTER ROLE iwf_monitor PASSWORD :'monitor_password';
SQL
