# geowarden build and test entry points. `make test` is what CI runs
# (.ci/run): it installs what the tests need, then runs every test.

GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X github.com/geowarden/geowarden/internal/cli.Version=$(VERSION)
BIN       := bin/geowarden

.PHONY: all build test deps vet unit services fuzz-short bench clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/geowarden

# Debian packages the tests use: independent readers of sanitized outputs
# (gpsbabel, ogrinfo from gdal-bin, exiftool) and of OSM extracts (osmium),
# a browser that opens the HTML reports (chromium), the services the
# server's stores and queues run on (postgresql, nats-server), and Python
# with its cryptography package for the independent audit log verifier.
DEB_PKGS := gpsbabel gdal-bin libimage-exiftool-perl osmium-tool chromium postgresql nats-server python3-cryptography

deps:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	$(GO) mod download

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Tests that need an external tool skip when it is missing, except here:
# GEOWARDEN_REQUIRE_TOOLS=1 turns a missing tool into a failure.
unit:
	eval "$$(scripts/services.sh)" && GEOWARDEN_REQUIRE_TOOLS=1 $(GO) test -race -count=1 -timeout 30m ./...

# Start PostgreSQL and nats-server on loopback when they are not running
# (the unit target does this itself); prints the variables tests read.
services:
	@scripts/services.sh

test: deps vet build unit

# A short fuzz pass over every fuzz target of every package (the long ones
# are run by hand, -fuzztime 5m).
FUZZTIME ?= 30s
fuzz-short:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f\$$" -fuzztime $(FUZZTIME) -parallel 1 $$pkg || exit 1; \
		done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
