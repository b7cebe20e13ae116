# gatewayops: two commands do everything: `make demo` and `make test`.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/gatewayops
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X gatewayops/cli.version=$(VERSION)
FUZZTIME ?= 20s

.DEFAULT_GOAL := help
.PHONY: help build test demo bench fuzz load fmt vet image

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-8s %s\n", $$1, $$2}'

build: ## build bin/gatewayops
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

test: vet ## vet, then every test against a real redis-server (tests start their own)
	@./scripts/test-deps.sh
	$(GO) test -race -count=1 -timeout 15m ./...
	$(GO) run . runbook check
	@# A short real fuzzing run of the parsers that face the wire (seeds also run above).
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 5s ./alarms/emf
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeCBORRequest$$' -fuzztime 5s ./alarms/cwlocal
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeJSONRequest$$' -fuzztime 5s ./alarms/cwlocal
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeQueryRequest$$' -fuzztime 5s ./alarms/cwlocal

demo: build ## open the console on the embedded stack (Redis, admin API, CloudWatch, simulator)
	./$(BIN) demo

# The image: a static binary (no VCS stamp, so a dirty flag cannot change it),
# file times from the commit, so one commit gives one digest.
COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
IMAGE_ARCH ?= $(shell $(GO) env GOARCH)
image: ## build the admin-server OCI image offline into bin/image/ and print its digest
	CGO_ENABLED=0 GOOS=linux GOARCH=$(IMAGE_ARCH) $(GO) build -trimpath -buildvcs=false -ldflags "-s -w $(LDFLAGS)" -o bin/image/gatewayops-linux-$(IMAGE_ARCH) .
	SOURCE_DATE_EPOCH=$$(git log -1 --format=%ct 2>/dev/null || echo 0) $(GO) run ./deploy/image/cmd/buildimage \
		--binary bin/image/gatewayops-linux-$(IMAGE_ARCH) --arch $(IMAGE_ARCH) --version $(VERSION) --commit $(COMMIT) \
		--layout bin/image/oci --archive bin/image/gatewayops-oci.tar

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
