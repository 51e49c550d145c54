# yuecall — make run: install what is needed and serve on the defaults; make test: the whole suite.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=600
RUN_PKGS := espeak-ng
TEST_PKGS := espeak-ng sox sip-tester tshark nats-server iproute2 lame opus-tools chromium
BIN := bin/yuecall

.PHONY: run test build deps-run deps-test check-go bench lint clean

check-go:
	@command -v go >/dev/null || { echo "Go >= 1.26 is needed (https://go.dev/dl); put it on PATH" >&2; exit 1; }

deps-run:
	@missing=""; for p in $(RUN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then $(APT) update -qq && $(APT) install -y -qq $$missing; fi

deps-test:
	@missing=""; for p in $(TEST_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; $(APT) update -qq && $(APT) install -y -qq $$missing; fi

build: check-go
	go build -trimpath -o $(BIN) ./cmd/yuecall

run: deps-run build
	./$(BIN) serve

test: deps-test check-go
	go vet ./...
	mkdir -p test-output/screenshots
	YUECALL_SCREENSHOTS=$(CURDIR)/test-output/screenshots go test -race -count=1 -timeout 25m ./...
	@echo "screenshots of the desk and softphone pages: test-output/screenshots/"

bench: check-go
	go test -run '^$$' -bench . -benchmem ./audio/ ./media/rtp/ ./call/

clean:
	rm -rf bin
