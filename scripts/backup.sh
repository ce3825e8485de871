#!/usr/bin/env bash
# Backs up the system's data: the event store (iwf_events), the read models and their
# checkpoints (iwf_read), command-side state (iwf_command) and any other iwf_* schema, in one
# consistent snapshot (pg_dump's custom format; restore with scripts/restore.sh).
#   usage: scripts/backup.sh [FILE]     (default backups/<database>_<UTC time>.dump)
#   DATABASE_URL names the database (default postgres://postgres@127.0.0.1:5432/workflows).
set -euo pipefail
cd "$(dirname "$0")/.."

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
