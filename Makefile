# Intelligent Workflows: everyday commands. `make help` lists them; docs/OPERATIONS.md explains them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

API_URL        ?= http://localhost:8080
METRICS_URL    ?= http://localhost:9090
PROMETHEUS_URL ?= http://localhost:9091
GRAFANA_URL    ?= http://localhost:3000
DATABASE_URL   ?= postgres://postgres@127.0.0.1:5432/workflows
NAMESPACE      ?= intelligent-workflows
K8S_DIR        ?= infra/k8s
IMAGE_REPOSITORY ?= ghcr.io/intelligent-workflows/intelligent-workflows
IMAGE_TAG      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
SERVICES       := command-service query-service projector
BUNDLE_DIR     ?= build/bundles
IWF            := DATABASE_URL="$(DATABASE_URL)" node projector/dist/cli/main.js

# The Dockerfile needs BuildKit (cache mounts, its own .dockerignore); compose v1 uses it through the docker CLI.
export DOCKER_BUILDKIT := 1
export COMPOSE_DOCKER_CLI_BUILD := 1

# docker-compose v1 (Debian's package) or the v2 plugin, whichever is installed.
COMPOSE ?= $(shell command -v docker-compose >/dev/null 2>&1 && echo docker-compose || echo docker compose)

# Targets that need something this machine may lack stop with one line saying what.
define need_docker
	@docker info >/dev/null 2>&1 || { echo "$@: needs a running Docker engine, and none answers here (docker info failed)" >&2; exit 1; }
endef
define need_cluster
	@command -v kubectl >/dev/null 2>&1 || { echo "$@: needs kubectl, which is not installed (bash scripts/setup.sh installs the tools)" >&2; exit 1; }
	@kubectl cluster-info --request-timeout=5s >/dev/null 2>&1 || { echo "$@: needs a Kubernetes cluster, and kubectl reaches none (context: $$(kubectl config current-context 2>/dev/null || echo none))" >&2; exit 1; }
endef
# $(call need_secret,namespace): the deploy reads workflows-secret, which no overlay carries.
define need_secret
	@kubectl get secret workflows-secret -n $(1) >/dev/null 2>&1 || { echo "$@: create secret workflows-secret in namespace $(1) first (docs/OPERATIONS.md, Secrets)" >&2; exit 1; }
endef
define need_built
	@test -f projector/dist/cli/main.js || { echo "$@: the workspace is not built; run make build first" >&2; exit 1; }
endef

##@ Help
.PHONY: help
help: ## Show all available commands
	@if [ -t 1 ]; then bold=$$'\033[1m' cyan=$$'\033[36m' reset=$$'\033[0m'; else bold= cyan= reset=; fi; \
	awk -v bold="$$bold" -v cyan="$$cyan" -v reset="$$reset" 'BEGIN { FS = ":.*## " } \
	  /^##@/ { printf "\n%s%s%s\n", bold, substr($$0, 5), reset; next } \
	  /^[a-zA-Z0-9_.-]+:.*## / { printf "  %s%-20s%s %s\n", cyan, $$1, reset, $$2 }' $(MAKEFILE_LIST)
	@echo

##@ Development
.PHONY: setup deps dev dev-full
setup: ## Install tools and dependencies, start PostgreSQL and Redis, build
	bash scripts/setup.sh

deps: ## Install the JavaScript dependencies from the lockfile (setup does this and more)
	pnpm install --frozen-lockfile

dev: ## Start the whole system in one process on :8080 (iwf dev, local PostgreSQL and Redis)
	bash scripts/dev.sh

dev-full: ## Start the full stack in containers: gateway, services, monitoring and tracing
	$(need_docker)
	OTEL_EXPORTER_OTLP_ENDPOINT=$${OTEL_EXPORTER_OTLP_ENDPOINT:-http://otel-collector:4318} $(COMPOSE) --profile tracing up -d --build
	@echo "API $(API_URL)  Prometheus $(PROMETHEUS_URL)  Grafana $(GRAFANA_URL)  Jaeger http://localhost:16686"

##@ Building
.PHONY: build bundle docker-build
build: ## Build (type check and compile) every package
	pnpm exec tsc -b

bundle: build ## Bundle each service with production dependencies only into build/bundles/<service>
	@for service in $(SERVICES); do BUNDLE_SKIP_BUILD=1 bash scripts/bundle.sh $$service $(BUNDLE_DIR)/$$service; done

docker-build: ## Build one image per service (tag IMAGE_TAG, repository IMAGE_REPOSITORY)
	$(need_docker)
	@for service in $(SERVICES); do \
	  health=8080; [ $$service = projector ] && health=9090; \
	  docker build -f infra/docker/Dockerfile --build-arg SERVICE=$$service --build-arg HEALTH_PORT=$$health \
	    -t $(IMAGE_REPOSITORY)/$$service:$(IMAGE_TAG) . ; \
	done

##@ Testing
.PHONY: test test-unit test-coverage lint lint-infra
test: ## Run every check and test (the README's test command; CI runs the same)
	bash scripts/test.sh

test-unit: ## Run the unit tests only
	pnpm exec vitest run --project unit

test-coverage: ## Run the tests with coverage (report in coverage/)
	bash scripts/setup.sh
	pnpm exec vitest run --coverage --coverage.provider=v8 --coverage.reporter=text-summary --coverage.reporter=lcov

lint: ## Lint TypeScript (eslint) and shell scripts (shellcheck)
	pnpm exec eslint . --max-warnings=0
	shellcheck --severity=warning scripts/*.sh .ci/run

lint-infra: ## Validate the compose file, the Kubernetes overlays, the workflows and the gateway config
	pnpm exec vitest run --project int infra/test/config

##@ Docker Operations
.PHONY: docker-up docker-down docker-restart docker-rebuild docker-clean docker-logs docker-ps scale-out-up
docker-up: ## Start all containers (gateway, services, PostgreSQL, Redis, monitoring)
	$(need_docker)
	$(COMPOSE) up -d

docker-down: ## Stop all containers
	$(need_docker)
	$(COMPOSE) --profile tracing --profile scale-out down

docker-restart: ## Restart containers
	$(need_docker)
	$(COMPOSE) restart

docker-rebuild: ## Rebuild the images and restart
	$(need_docker)
	$(COMPOSE) up -d --build --force-recreate

docker-clean: ## Remove containers, volumes and locally built images
	$(need_docker)
	$(COMPOSE) --profile tracing --profile scale-out down --volumes --rmi local --remove-orphans

docker-logs: ## Follow the service logs (SERVICE=name for one)
	$(need_docker)
	$(COMPOSE) logs -f $(SERVICE)

docker-ps: ## Show container status
	$(need_docker)
	$(COMPOSE) ps

scale-out-up: ## Start the scale-out stack too: KurrentDB, Kafka (KRaft) and the relay
	$(need_docker)
	EVENT_STORE=kurrentdb PROJECTOR_SOURCE=kafka $(COMPOSE) --profile scale-out up -d

##@ Monitoring
.PHONY: monitoring-up monitoring-down metrics dashboards tracing-up
monitoring-up: ## Start the monitoring stack (Prometheus, Grafana, exporters)
	$(need_docker)
	$(COMPOSE) up -d prometheus grafana postgres-exporter redis-exporter

monitoring-down: ## Stop the monitoring stack
	$(need_docker)
	$(COMPOSE) stop prometheus grafana postgres-exporter redis-exporter

tracing-up: ## Start the OpenTelemetry collector and the Jaeger UI
	$(need_docker)
	$(COMPOSE) --profile tracing up -d otel-collector jaeger

metrics: ## Open Prometheus (prints the URL where no browser opens)
	@echo "Prometheus: $(PROMETHEUS_URL)   service metrics (iwf dev): $(METRICS_URL)/metrics"
	@command -v xdg-open >/dev/null 2>&1 && xdg-open $(PROMETHEUS_URL) >/dev/null 2>&1 || true

dashboards: ## Open Grafana (prints the URL where no browser opens)
	@echo "Grafana: $(GRAFANA_URL) (admin/admin unless GRAFANA_ADMIN_PASSWORD is set)"
	@command -v xdg-open >/dev/null 2>&1 && xdg-open $(GRAFANA_URL) >/dev/null 2>&1 || true

##@ Database
.PHONY: db-shell db-backup db-restore migrate-up migrate-down migrate-status
db-shell: ## Open a PostgreSQL shell on DATABASE_URL
	psql "$(DATABASE_URL)"

db-backup: ## Back up the event store and read models (to backups/, or BACKUP_FILE=path)
	DATABASE_URL="$(DATABASE_URL)" bash scripts/backup.sh $(BACKUP_FILE)

db-restore: ## Restore BACKUP_FILE=path into DATABASE_URL (a new, empty database)
	@test -n "$(BACKUP_FILE)" || { echo "db-restore: name the backup, e.g. make db-restore BACKUP_FILE=backups/workflows_20241105_120000.dump" >&2; exit 1; }
	DATABASE_URL="$(DATABASE_URL)" bash scripts/restore.sh "$(BACKUP_FILE)"

migrate-up: ## Apply pending migrations of every schema
	$(need_built)
	$(IWF) migrate up

migrate-down: ## Revert migrations of SCHEMA= newer than TO= (default 0: all)
	$(need_built)
	@test -n "$(SCHEMA)" || { echo "migrate-down: name the schema, e.g. make migrate-down SCHEMA=iwf_read TO=3" >&2; exit 1; }
	$(IWF) migrate down --schema $(SCHEMA) --to $(or $(TO),0)

migrate-status: ## List applied migrations per schema
	$(need_built)
	$(IWF) migrate status

##@ Replay and audit
.PHONY: rebuild verify verify-chain history export-events replay-check
rebuild: ## Rebuild read models blue/green (PROJECTION=name, default all)
	$(need_built)
	$(IWF) rebuild $(or $(PROJECTION),--all)

verify: ## Compare the live read models with a fresh replay (PROJECTION=name, default all)
	$(need_built)
	$(IWF) verify $(or $(PROJECTION),--all)

verify-chain: ## Recompute every stream's hash chain and name the first bad event
	$(need_built)
	$(IWF) verify-chain

history: ## Show a stream's events and state (STREAM=id, optional ARGS="--at-revision N")
	$(need_built)
	@test -n "$(STREAM)" || { echo "history: name the stream, e.g. make history STREAM=workflow:acme:approval (<category>:<tenant>:<id>)" >&2; exit 1; }
	$(IWF) history "$(STREAM)" $(ARGS)

export-events: ## Export events (ARGS="--tenant acme --format ndjson")
	$(need_built)
	$(IWF) export $(ARGS)

replay-check: ## Replay recorded executions through the current engine and list changed decisions
	$(need_built)
	$(IWF) replay-check $(ARGS)

##@ Health Checks
.PHONY: health ready
health: ## Check API health (API_URL, default http://localhost:8080)
	@curl -fsS --max-time 5 $(API_URL)/health || { echo; echo "health: $(API_URL)/health did not answer 200" >&2; exit 1; }
	@echo

ready: ## Check API readiness: 200 only when its dependencies answer
	@curl -fsS --max-time 5 $(API_URL)/ready || { echo; echo "ready: $(API_URL)/ready did not answer 200" >&2; exit 1; }
	@echo

##@ CI/CD
.PHONY: ci security-scan
ci: ## Run the CI pipeline locally (what .ci/run and the GitHub CI workflow run)
	bash .ci/run

security-scan: ## Audit production dependencies; scan the images with Trivy where it is installed
	pnpm audit --prod --audit-level high
	@if command -v trivy >/dev/null 2>&1; then \
	  trivy fs --scanners vuln,secret,misconfig --severity HIGH,CRITICAL --exit-code 1 . ; \
	else echo "security-scan: trivy is not installed here; dependency audit only (CI's docker workflow runs Trivy on the images)"; fi

##@ Kubernetes
.PHONY: k8s-validate k8s-render k8s-deploy-dev k8s-deploy-staging k8s-deploy-prod k8s-status
k8s-validate: ## Build every overlay with kustomize and validate it against the Kubernetes schemas
	pnpm exec vitest run --project int infra/test/config/kubernetes

k8s-render: ## Print an overlay's manifests (OVERLAY=dev|staging|production)
	kubectl kustomize $(K8S_DIR)/overlays/$(or $(OVERLAY),dev)

k8s-deploy-dev: ## Deploy the dev overlay
	$(need_cluster)
	$(call need_secret,intelligent-workflows-dev)
	kubectl apply -k $(K8S_DIR)/overlays/dev

k8s-deploy-staging: ## Deploy the staging overlay
	$(need_cluster)
	$(call need_secret,intelligent-workflows-staging)
	kubectl apply -k $(K8S_DIR)/overlays/staging

k8s-deploy-prod: ## Deploy the production overlay
	$(need_cluster)
	$(call need_secret,intelligent-workflows)
	kubectl apply -k $(K8S_DIR)/overlays/production

k8s-status: ## Show pods, services, routes and autoscalers
	$(need_cluster)
	kubectl get pods,svc,hpa,pdb,gateway,httproute -n $(NAMESPACE) -o wide
