# The two commands a newcomer needs: `make run` and `make test`.

GO        ?= go
VERSION   := $(shell cat VERSION)
REVISION  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BRANCH    := $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
VERSION_PKG := github.com/prometheus/common/version
LDFLAGS   := -s -w -X $(VERSION_PKG).Version=$(VERSION) -X $(VERSION_PKG).Revision=$(REVISION) \
             -X $(VERSION_PKG).Branch=$(BRANCH) -X $(VERSION_PKG).BuildUser=socsec \
             -X $(VERSION_PKG).BuildDate=$(shell date -u +%Y%m%d-%H:%M:%S)
# Runs, not seconds: a duration's end races Go's fuzzing coordinator (go.dev/issue/75804),
# which then fails a run that found nothing; minimising also counts runs.
FUZZTIME  ?= 3000x

.PHONY: all build run test deps lint vet unit fuzz generate check-metrics loadtest profile backfill docker screenshots

all: lint build test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o socsec_exporter ./cmd/socsec_exporter

run:
	$(GO) run ./cmd/socsec_exporter

# The whole test suite: installs the test programs when missing (Debian's
# prometheus 2.42, the oldest supported; prometheus, promtool, amtool and helm
# built at the versions of deploy/versions.env, a few minutes the first time),
# then lint, every Go test (unit, golden, end-to-end against real Prometheus)
# and a short run of every fuzz target.
test: deps lint unit fuzz

deps:
	./scripts/install-test-deps.sh

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

lint: vet
	$(GO) run $(STATICCHECK) ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -count=1 ./...

# Every fuzz target of every package, each for FUZZTIME.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test $$pkg -list '^Fuzz' | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$target"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 100x; \
	  done; \
	done

# Regenerates every generated file: dashboards, the Helm chart's copies of the
# rules and dashboards, and golden outputs. Review the
# diff before committing; the tests fail while the committed files differ.
generate:
	$(GO) generate ./dashboards
	$(GO) generate ./deploy/helm
	$(GO) test ./collector -run TestGolden -update
	$(GO) test ./e2e -run TestCheckCommand -update
	$(GO) test ./internal/app -run TestCheckDocExample -update

# promtool's lint of a live scrape of the embedded default (also part of `make unit`).
check-metrics:
	$(GO) test -count=1 ./e2e -run TestDefaultScrapeIsCleanForPromtool

# TSDB blocks of every dataset year for a long-retention history Prometheus
# (docs/history.md). CONFIG=socsec.yml for your datasets.
backfill: build
	SOCSEC_EXPORTER=./socsec_exporter ./scripts/backfill.sh $(if $(CONFIG),--config.file=$(CONFIG)) $(or $(HISTORY),history)

# Benchmarks against nginx and node_exporter at 10k/100k/1M series, with RSS,
# start-up against gzip -1, every view warm, four and 200 connections and
# reload under load (about 12 minutes; docs/benchmarks.md).
loadtest:
	./scripts/loadtest.sh

# CPU and heap profiles of a load and of scrapes at 1M series, into
# docs/profiles/ (about a minute).
profile:
	./scripts/profile.sh

docker:
	docker build -t socsec_exporter:$(VERSION) .

# PNGs of the top of the provenance pages, 1280 by 1400 px, of the embedded default, into docs/screenshots/ for the docs: a real Chromium (make deps
# installs it) on the real binary. Chinese names need a CJK font, e.g. apt-get install fonts-wqy-microhei.
screenshots:
	$(GO) test -count=1 ./e2e -run '^TestBrowserScreenshots$$' -screenshots=$(CURDIR)/docs/screenshots
