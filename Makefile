# gatewayops: two commands do everything: `make demo` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/gatewayops
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X gatewayops/cli.version=$(VERSION)
FUZZTIME ?= 20s

.DEFAULT_GOAL := help
.PHONY: help build test demo bench fuzz load fmt vet

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/gatewayops
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

test: vet ## vet, then every test against a real redis-server (tests start their own)
	@command -v redis-server >/dev/null || { echo "redis-server is missing: apt-get install -y redis-server"; exit 1; }
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) run . runbook check
	@# A short real fuzzing run of the parsers that face the wire (seeds also run above).
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 5s ./alarms/emf
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCBORRequest$$' -fuzztime 5s ./alarms/cwlocal
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSONRequest$$' -fuzztime 5s ./alarms/cwlocal

demo: build ## open the console on the embedded stack (Redis, admin API, CloudWatch, simulator)
	./$(BIN) demo

bench: ## run the benchmarks and write docs/benchmarks.md
	./scripts/bench.sh

fuzz: ## run every fuzz target for FUZZTIME (default 20s) each
	./scripts/fuzz.sh $(FUZZTIME)

load: ## the full load tests: admin server under 200 clients for 30 s, simulator flat out while drains run
	set -o pipefail; GATEWAYOPS_LOAD=1 $(GO) test -count=1 -v -timeout 5m -run Load ./loadtest/ | grep -E '^(LOAD|---|ok|FAIL)'

fmt: ## gofmt every Go file
	gofmt -w $$(git ls-files '*.go')

vet: ## go vet and a gofmt check
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
