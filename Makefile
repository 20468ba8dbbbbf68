# edgeflux: two commands do all set-up on a fresh machine.
#   make dev    install what is missing, build, serve the API + playground on 127.0.0.1:8787
#   make test   install what is missing, run every suite (what CI runs via .ci/run)
# Tools are pinned and installed idempotently by scripts/install-toolchain.sh.

SHELL := /bin/bash
# wasm builds: --release (what ships) or --dev (faster to compile)
PROFILE ?= --release
export CARGO_TERM_COLOR ?= never

.PHONY: dev test toolchain build cli pkg worker check-core clean

dev: toolchain pkg worker
	scripts/dev.sh

test: toolchain
	tests/run-all

toolchain:
	scripts/install-toolchain.sh

build: cli pkg worker

cli:
	cargo build -p edgeflux-cli

pkg:
	scripts/build-pkg.sh $(PROFILE)

worker:
	scripts/build-worker.sh $(PROFILE)

check-core:
	scripts/check-core.sh

clean:
	rm -rf pkg/edgeflux* pkg/package.json www/pkg worker/build
