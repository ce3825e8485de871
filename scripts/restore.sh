#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into a new, empty database, then lets the log
# continue after the restored events (iwf_events.continue_after_restore: the new cluster's
# transaction ids may be far below the restored ones) and clears the system's Redis cache
# entries, which may be newer than the restored data. Stop the services first; start them after.
#   usage: scripts/restore.sh FILE
#   DATABASE_URL names the target (created when missing); REDIS_URL the cache to clear, under
#   the services' CACHE_NAMESPACE (by default, as theirs, the target database's name).
set -euo pipefail
cd "$(dirname "$0")/.."

file=${1:-}
if [ -z "$file" ] || [ ! -f "$file" ]; then
  echo "usage: scripts/restore.sh FILE (a backup made by scripts/backup.sh); got '${file}'" >&2
  exit 2
fi
database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/workflows}
redis_url=${REDIS_URL:-redis://127.0.0.1:6379}
database=$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$database_url")
namespace=${CACHE_NAMESPACE:-$database}
if ! [[ $namespace =~ ^[A-Za-z0-9_-]+$ ]]; then
  echo "restore: the cache namespace '$namespace' is not letters, digits, _ and -; set CACHE_NAMESPACE as the services have it" >&2
  exit 2
fi
maintenance_url=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/postgres"; console.log(u.toString())' "$database_url")

pg_restore --list "$file" >/dev/null

exists=$(psql "$maintenance_url" -XAtq -v name="$database" <<'SQL'
SELECT count(*) FROM pg_database WHERE datname = :'name';
SQL
)
if [ "$exists" = "0" ]; then
  psql "$maintenance_url" -XAtq -v ON_ERROR_STOP=1 -v name="$database" <<'SQL'
SELECT format('CREATE DATABASE %I', :'name') \gexec
SQL
  echo "restore: created database $database"
elif psql "$database_url" -XAtqc "SELECT 1 FROM pg_namespace WHERE nspname LIKE 'iwf\_%'" | grep -q 1; then
  echo "restore: $database already holds iwf_* schemas; restore into a new, empty database" >&2
  exit 1
fi

# All or nothing: a failed restore leaves the database empty.
pg_restore --dbname="$database_url" --no-owner --no-privileges --exit-on-error --single-transaction "$file"

# A backup from before the restore function existed gets the current schema first.
if [ "$(psql "$database_url" -XAtqc "SELECT to_regproc('iwf_events.continue_after_restore') IS NOT NULL")" != "t" ]; then
  DATABASE_URL=$database_url node projector/dist/cli/main.js migrate up
fi

read -r epoch offset last_tx first_tx < <(psql "$database_url" -XAtq -F ' ' -v ON_ERROR_STOP=1 \
  -c "SELECT epoch, tx_offset, coalesce(last_restored_tx::text, '-'), first_tx FROM iwf_events.continue_after_restore()")
events=$(psql "$database_url" -XAtqc "SELECT count(*) FROM iwf_events.events")
echo "restore: $events events into $database; log epoch $epoch, transaction id offset $offset (last restored $last_tx, next $first_tx)"

# Cached entries written after the backup would be newer than the restored read models.
if command -v redis-cli >/dev/null && [ "$(redis-cli -u "$redis_url" ping 2>/dev/null)" = "PONG" ]; then
  removed=$(redis-cli -u "$redis_url" --scan --pattern "$namespace:iwf:c:*" | xargs -r -n 500 redis-cli -u "$redis_url" del | awk '{ n += $1 } END { print n + 0 }')
  echo "restore: removed $removed cached entries under $namespace:iwf:c: from $(node -e 'const u = new URL(process.argv[1]); u.password = ""; console.log(u.toString())' "$redis_url")"
else
  echo "restore: Redis at REDIS_URL did not answer; delete its $namespace:iwf:c:* keys before starting the services"
fi
echo "restore: done; start the services, then check with: make verify"
