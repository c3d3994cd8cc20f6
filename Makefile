# hallkiosk: `make demo` to see it, `make test` to check it. Both install what a fresh Debian 12
# machine lacks (build/setup.sh says what it installs).
GO      ?= go
TAGS    := migrated_fynedo
BIN     := bin
# The release version (VERSION): in the binaries (-X main.version), the .deb's name and the update bundle.
VERSION := $(shell cat VERSION)
LDFLAGS := -X main.version=$(VERSION)

.PHONY: deb deb-test bench-update all setup build demo test unit smoke queue-e2e contract lint screenshots bench-startup bench-devices bench-sync bench-queue bench-wall bench-screens soak clean golden

all: build

setup:
	@bash build/setup.sh test

build:
	@bash build/setup.sh build
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/hallkiosk ./kiosk/cmd/hallkiosk
	CGO_ENABLED=0 $(GO) build -o $(BIN)/devsim ./drivers/cmd/devsim
	CGO_ENABLED=0 $(GO) build -o $(BIN)/hallkiosk-diag ./drivers/cmd/hallkiosk-diag
	CGO_ENABLED=0 $(GO) build -o $(BIN)/hallkiosk-store ./localdb/cmd/hallkiosk-store
	CGO_ENABLED=0 $(GO) build -o $(BIN)/township ./township/cmd/township
	CGO_ENABLED=0 $(GO) build -ldflags "$(LDFLAGS)" -o $(BIN)/hallkiosk-update ./updater/cmd/hallkiosk-update

demo: build
	@bash build/setup.sh demo
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make demo: no display (DISPLAY and WAYLAND_DISPLAY are unset). Run it under Xvfb: xvfb-run -a -s '-screen 0 1920x1080x24' make demo"; \
	  exit 2; fi
	@bash build/demo.sh

test: setup lint unit build smoke queue-e2e contract

lint:
	@echo "lint: gofmt and go vet"
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed: $$out"; exit 1; fi
	$(GO) vet -tags $(TAGS) ./...

# The race detector makes software renders slow, so the golden images of the resident screens are
# compared in a second, race-free pass of that package.
unit:
	$(GO) test -race -count=1 -tags $(TAGS) ./...
	$(GO) test -count=1 -tags $(TAGS) ./kiosk/ui/selfservice ./kiosk/ui/window

smoke: build
	@bash build/smoke.sh $(BIN)/hallkiosk

# The hall's queue with the real binaries: the host killed mid-morning, the kiosk's own block, the
# take-in, every ticket called once.
queue-e2e: build
	@bash build/queue-e2e.sh $(BIN)/hallkiosk

# The Python example client (examples/python) against a township on 127.0.0.1: the contract
# (township/api/openapi.json) is enough to write a working client.
contract: build
	@bash build/contract.sh

screenshots:
	@bash build/setup.sh test
	@bash build/screenshots.sh

# The Debian package (out/hallkiosk_<version>_<arch>.deb; UPDATE_ROOT=root.json puts the trusted
# root for signed updates in it), and its install/reinstall/upgrade/remove/purge test in a fresh
# Debian 12 root (root; a few minutes; .ci/run runs it after make test).
deb: build
	@bash build/deb.sh $(VERSION)

deb-test: build
	@bash build/deb-test.sh

# A technician's install from a USB stick to the new version on trial, beside a plain copy of the
# same bundle with fsync (install/copy ratio; README: Updates).
bench-update:
	$(GO) test -run '^$$' -bench InstallFromStick -benchtime 5x ./updater/install

bench-startup:
	@bash build/setup.sh test
	@bash build/bench-startup.sh

# 10,000 resident sessions through the real widgets in one process; heap and goroutines after the
# last within 5 MB and 0 of after session 100 (about 20 minutes; not part of make test).
soak:
	FYNE_CACHE=1ms HALLKIOSK_SOAK=$${SOAK:-10000} $(GO) test -count=1 -timeout 3h -tags $(TAGS) -run TestSoak -v ./kiosk/ui/selfservice

# Tap to next painted frame for every resident screen in the real binary, beside a one-label change.
bench-screens:
	@bash build/setup.sh test
	@bash build/bench-screens.sh

# A window's call to three displays over 127.0.0.1: p95 and worst, beside one signed state request.
bench-wall:
	$(GO) test -run '^$$' -bench 'TablePage|WallMemory' -benchtime 1x ./kiosk/ui/disclosure
	$(GO) test -run '^$$' -bench TablePage -benchtime 200x ./kiosk/ui/disclosure

bench-queue:
	$(GO) test -run '^$$' -bench CallToDelivery -benchtime 1000x ./kiosk/queue/hall

bench-devices:
	$(GO) test -run '^$$' -bench . -benchtime 200x ./drivers/sim ./kiosk/docs

# Store and sync: durable submit vs raw fsync, township intake from 50 kiosks, 10k-item drain.
bench-sync:
	$(GO) test -run '^$$' -bench DurableSubmit -benchtime 1000x ./localdb
	$(GO) test -run '^$$' -bench Intake50Kiosks -benchtime 1000x ./township/server
	$(GO) test -run '^$$' -bench Drain10k -benchtime 1x ./kiosk/upload

clean:
	rm -rf $(BIN) out .demo

# Golden images of every resident screen (kiosk/ui/selfservice/testdata/golden): rewrite them after
# a visual change made on purpose, then look at every changed picture before committing it.
golden:
	HALLKIOSK_GOLDEN=update $(GO) test -count=1 -tags $(TAGS) ./kiosk/ui/selfservice ./kiosk/ui/window
	@git status --short kiosk/ui/selfservice/testdata/golden kiosk/ui/window/testdata/golden
