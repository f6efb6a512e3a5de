# kmm-operator build, test and local-cluster targets. Everything builds offline from vendor/,
# except the local control plane tools (hack/tools), which have their own module.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -o errexit -o nounset -o pipefail -c

GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/kmm-operator/kmm-operator/pkg/version.Version=$(VERSION)
export GOFLAGS := -mod=vendor

.PHONY: all
all: build

## build: build bin/kmm-operator and bin/kmm-mirror (static binaries)
.PHONY: build
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/kmm-operator ./cmd/kmm-operator
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/kmm-mirror ./cmd/kmm-mirror

## images: build the kmm-operator, kmm-mirror and pause images into .local/images/*.tar without a container engine (hack/images.sh)
.PHONY: images
images:
	VERSION=$(VERSION) hack/images.sh

## test: the complete test suite, against the local control plane (hack/test.sh)
.PHONY: test
test:
	hack/test.sh

## run: the one-command demo: local control plane, the operator in the foreground, the minimal example
.PHONY: run
run:
	hack/run.sh

## bench: benchmarks on the local control plane (BENCH_N=1000 by default; BENCH_N=50 is the quick mode), see docs/benchmarks.md
.PHONY: bench
bench:
	$(GO) run ./test/bench

## bench-mirror: kmm-mirror against a bare franz-go loop on in-process kfake clusters (BENCH_MIRROR_N=1000000 by default; BENCH_MIRROR_QUICK=1 is the quick mode), see docs/benchmarks.md
.PHONY: bench-mirror
bench-mirror:
	$(GO) run ./test/benchmirror

## cluster-up: start the local control plane (builds it on first use), see hack/cluster/README.md
.PHONY: cluster-up
cluster-up:
	hack/cluster/cluster.sh up

## deploy: install the operator in the local cluster as real pods on its real node (kubectl apply -k of artifacts/install; DEPLOY_VARIANT=namespaced for the namespaced install), see docs/running.md
.PHONY: deploy
deploy:
	VERSION=$(VERSION) hack/deploy.sh $(DEPLOY_VARIANT)

## cluster-down: stop the local control plane and delete its state
.PHONY: cluster-down
cluster-down:
	hack/cluster/cluster.sh down

## tools: build the local control plane binaries into bin/ (incremental)
.PHONY: tools
tools:
	hack/tools/build.sh

## verify: formatting, vet, generated code and vendor/ up to date
.PHONY: verify
verify: verify-gofmt verify-vet verify-codegen verify-vendor verify-chart

# The chart's README lists every value of values.yaml (hack/chartdoc).
.PHONY: verify-chart
verify-chart:
	$(GO) run ./hack/chartdoc -check

.PHONY: verify-gofmt
verify-gofmt:
	@out="$$(gofmt -l cmd pkg hack test 2>/dev/null | grep -v '^pkg/generated/' || true)"; \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi; \
	echo "gofmt: ok"

.PHONY: verify-vet
verify-vet:
	$(GO) vet ./...

.PHONY: verify-codegen
verify-codegen:
	hack/verify-codegen.sh
	hack/verify-codegen-detects-drift.sh

# go mod tidy and go mod vendor must both be no-ops (checked in a scratch copy, offline).
.PHONY: verify-vendor
verify-vendor:
	hack/verify-vendor.sh

## codegen: regenerate clientset, listers, informers, apply configurations, deepcopy and the CRD
.PHONY: codegen
codegen:
	hack/update-codegen.sh

.PHONY: clean
clean:
	rm -rf bin/kmm-operator bin/kmm-mirror bin/codegen

.PHONY: help
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed 's/^## //'
