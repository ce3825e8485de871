#!/usr/bin/env bash
# Prepares a fresh machine and clone: pnpm, dependencies, local PostgreSQL and Redis, build.
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
if ! command -v pnpm >/dev/null || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "setup: installing pnpm $pnpm_version through npm"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

bash scripts/services.sh
bash scripts/infra-tools.sh

# Quiet on success; on failure the captured output says why.
install_log=$(mktemp)
install_args=()
if [ "${CI:-}" = "true" ]; then install_args+=(--frozen-lockfile); fi
if ! pnpm install "${install_args[@]}" >"$install_log" 2>&1; then
  cat "$install_log" >&2
  rm -f "$install_log"
  echo "setup: pnpm install failed" >&2
  exit 1
fi
rm -f "$install_log"
pnpm exec tsc -b
# pnpm links a workspace binary (the iwf CLI) only once the file it points to exists, which
# on a fresh clone is after this first build: link it now, so `pnpm exec iwf` works at once.
if [ ! -e node_modules/.bin/iwf ]; then
  pnpm install --offline "${install_args[@]}" >/dev/null 2>&1 || true
  if [ ! -e node_modules/.bin/iwf ]; then
    echo "setup: the iwf CLI is not linked (node_modules/.bin/iwf); run pnpm install" >&2
    exit 1
  fi
fi
# The 3-broker mock Kafka cluster the Kafka relay and consumer-group tests run against.
bash infra/kafka-mock/build.sh
