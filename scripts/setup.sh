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
# The 3-broker mock Kafka cluster the Kafka relay and consumer-group tests run against.
bash infra/kafka-mock/build.sh
