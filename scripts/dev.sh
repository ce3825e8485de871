#!/usr/bin/env bash
# Starts the whole system in one process (iwf dev) on :8080, after preparing the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node projector/dist/cli/main.js dev "$@"
