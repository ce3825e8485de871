#!/usr/bin/env bash
# Installs the tools the infrastructure checks use, from Debian, when they are missing:
# docker-compose (compose file validation), nginx (the gateway e2e test), ShellCheck, the
# PostgreSQL and Redis clients (backup and restore), and the PostgreSQL and Redis Prometheus
# exporters (the monitoring e2e test scrapes them). Quick when everything is there.
set -euo pipefail

missing=()
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v pg_dump >/dev/null || missing+=(postgresql-client)
command -v redis-cli >/dev/null || missing+=(redis-tools)
exporters=(prometheus-postgres-exporter prometheus-redis-exporter)
for exporter in "${exporters[@]}"; do
  command -v "$exporter" >/dev/null || missing+=("$exporter")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "infra-tools: installing ${missing[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The tests run their own nginx; one the package may have started would hold port 80.
  if [[ " ${missing[*]} " == *" nginx-light "* ]] && [ -f /run/nginx.pid ]; then nginx -s quit || true; fi
  # Likewise exporters the packages may have started, on 9187 and 9121: the test runs its own.
  for exporter in "${exporters[@]}"; do
    if [[ " ${missing[*]} " == *" $exporter "* ]]; then
      systemctl disable --now "$exporter" >/dev/null 2>&1 || service "$exporter" stop >/dev/null 2>&1 || true
    fi
  done
fi

# kubectl renders the kustomize overlays. This machine image carries it; Debian's own
# kubernetes-client (1.20) embeds a kustomize too old for the overlays, so it is no substitute.
if ! command -v kubectl >/dev/null; then
  echo "infra-tools: kubectl is not installed; the Kubernetes overlay checks will fail (they need kubectl 1.21 or later)" >&2
fi
