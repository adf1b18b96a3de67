# SPDX-License-Identifier: GPL-2.0
#
# ndis-shim top-level Makefile. The two commands a user needs:
#   make run     boot a VM with QEMU's edu device and show the shim at work
#   make check   host tests, then the VM tests in the plain, iommu and
#                swiotlb configurations, and a few under a tiny swiotlb pool
#                (swiotlb-tiny); ends with "N passed, N failed, N skipped"
#
# Other targets: bench (shim vs raw DMA API), setup, kernel, modules
# (default), host-test, clippy (or `make CLIPPY=1`), fmt-check, clean.
# `make KDIR=/path/to/rust-enabled/build` builds the modules against another
# kernel build tree.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# Kbuild includes this directory's Kbuild, not this file, when M= points here.

export NDIS_BUILD ?= $(TOP)/build
CONFIGS ?= plain iommu swiotlb swiotlb-tiny

.PHONY: all modules setup kernel check run bench host-test clippy fmt-check clean vm-test

all: modules

setup:
	@tools/setup.sh

kernel: setup
	@tools/build-kernel.sh >/dev/null

# KDIR given: build against it and skip our own kernel.
ifeq ($(KDIR),)
modules: kernel
else
modules:
endif
	@tools/build-modules.sh $(if $(KDIR),--kdir $(KDIR)) $(if $(CLIPPY),--clippy)

clippy:
	@$(MAKE) --no-print-directory modules CLIPPY=1

host-test:
	@tools/host-test.sh

fmt-check:
	@tools/host-test.sh --fmt-only

check:
	@tools/check.sh $(CONFIGS)

run:
	@tools/run.sh

# Shim against raw Linux DMA calls, per configuration, debug layers off.
bench: modules
	@tools/bench.sh $(filter-out swiotlb-tiny,$(CONFIGS))

vm-test: modules
	@tools/check.sh --vm-only $(CONFIGS)

clean:
	@tools/build-modules.sh --clean || true
	rm -rf $(NDIS_BUILD)
