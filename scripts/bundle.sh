#!/usr/bin/env bash
# Bundles one service into a self-contained folder: compiled JavaScript and production
# dependencies only (pnpm deploy), started with `node dist/main.js` from inside that folder.
# The Dockerfile runs it, CI runs it and starts the result (infra/test/bundle.int.spec.ts).
#   usage: scripts/bundle.sh command-service|query-service|projector OUTPUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

service=${1:-}
out=${2:-}
case "$service" in
  command-service | query-service | projector) ;;
  *)
    echo "usage: scripts/bundle.sh command-service|query-service|projector OUTPUT_DIR" >&2
    exit 2
    ;;
esac
if [ -z "$out" ]; then
  echo "bundle: no output folder given" >&2
  exit 2
fi
if [ -e "$out" ] && [ -n "$(ls -A "$out")" ]; then
  if [ ! -f "$out/BUNDLE" ]; then
    echo "bundle: $out exists, is not empty and is not a bundle; refusing to replace it" >&2
    exit 2
  fi
  rm -rf "$out"
fi

# BUNDLE_SKIP_BUILD=1 when the caller has just built the workspace (scripts/setup.sh does).
if [ "${BUNDLE_SKIP_BUILD:-}" != "1" ]; then pnpm exec tsc -b; fi
# --legacy: workspace packages are copied in (not linked), so the folder stands alone.
pnpm --filter "@iwf/$service" deploy --prod --legacy --reporter=silent "$out"

# Sources, tests, type declarations and build metadata are not needed at run time.
rm -rf "$out/src" "$out/tsconfig.json"
find "$out" -type d -path '*/@iwf/*/src' -prune -exec rm -rf {} +
find "$out" -path '*/@iwf/*' \( -name '*.spec.js' -o -name '*.spec.js.map' -o -name '*.d.ts' -o -name '*.d.ts.map' \
  -o -name '*.tsbuildinfo' -o -name 'tsconfig.json' \) -delete
find "$out/dist" \( -name '*.spec.js' -o -name '*.spec.js.map' -o -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -delete

version=$(node -p "require('./$service/package.json').version")
printf 'service=%s\nversion=%s\n' "$service" "$version" >"$out/BUNDLE"
echo "bundle: $service $version in $out ($(du -sh "$out" | cut -f1))"
