#!/usr/bin/env bash
# Runs every check and test: set-up, type check (build), lint, unit and integration tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm exec eslint . --max-warnings=0
bash scripts/security-audit.sh
pnpm exec vitest run "$@"
