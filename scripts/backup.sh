#!/usr/bin/env bash
# Backs up the system's data: the event store (iwf_events), the read models and their
# checkpoints (iwf_read), command-side state (iwf_command) and any other iwf_* schema, in one
# consistent snapshot (pg_dump's custom format; restore with scripts/restore.sh).
#   usage: scripts/backup.sh [FILE]     (default backups/<database>_<UTC time>.dump)
#   DATABASE_URL names the database (default postgres://postgres@127.0.0.1:5432/workflows).
#   With EVENT_STORE=kurrentdb the log is not in PostgreSQL, so this refuses (docs/OPERATIONS.md).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${EVENT_STORE:-postgres}" = "kurrentdb" ]; then
  echo "backup: EVENT_STORE=kurrentdb keeps the event log in KurrentDB, which this PostgreSQL dump would leave out; back up KurrentDB with its own tools (docs/OPERATIONS.md, Backups)" >&2
  exit 2
fi
database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/workflows}
database=$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)) || "postgres")' "$database_url")
file=${1:-backups/${database}_$(date -u +%Y%m%d_%H%M%S).dump}
mkdir -p "$(dirname "$file")"

if ! psql "$database_url" -XAtqc "SELECT 1 FROM pg_namespace WHERE nspname = 'iwf_events'" | grep -q 1; then
  echo "backup: $database has no event store (schema iwf_events); nothing to back up" >&2
  exit 1
fi

# One snapshot for every schema: the read models' checkpoints match the events in the file.
pg_dump "$database_url" --format=custom --compress=6 --no-owner --no-privileges \
  --schema='iwf_*' --file="$file.partial"
pg_restore --list "$file.partial" >/dev/null
mv "$file.partial" "$file"

events=$(psql "$database_url" -XAtqc "SELECT count(*) FROM iwf_events.events")
echo "backup: $file ($(du -h "$file" | cut -f1), about $events events from $database)"
