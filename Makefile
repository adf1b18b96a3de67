# SPDX-License-Identifier: GPL-2.0
#
# ndis-shim top-level Makefile. The two commands a user needs:
#   make run     boot a VM with QEMU's edu device and show the shim at work
#   make check   host tests, then the VM tests in the plain, iommu and
#                swiotlb configurations, and a few under a tiny swiotlb pool
#                (swiotlb-tiny); ends with "N passed, N failed, N skipped"
#
# Every target, one line each: `make help`.
# `make KDIR=/path/to/rust-enabled/build` builds the modules against another
# kernel build tree.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
# Kbuild includes this directory's Kbuild, not this file, when M= points here.

export NDIS_BUILD ?= $(TOP)/build
CONFIGS ?= plain iommu swiotlb swiotlb-tiny

.PHONY: all modules setup kernel check check-kasan run bench bench-nic host-test clippy fmt-check clean vm-test \
	install rust-analyzer htmldocs help

all: modules

setup:
	@tools/setup.sh

# build-kernel.sh: stages and a progress line a minute on stderr, the
# tree's path on stdout.
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

# Opt-in: the tests that move data (edu round trips in C and Rust, SG lists,
# shared memory, NDIS 5, the stress and random-sequence tests) and the
# canaries, in one plain boot of a KASAN kernel cached beside the test
# kernel, with modules and logs under build/kasan. kasan_multi_shot: report
# every bad access, not only the first. no5lvl: TCG offers LA57, and this
# KASAN kernel booted with 5-level paging reports wild accesses in its own
# early boot (ff11... direct-map addresses) and never reaches the tests.
# The host tests are make check's.
KASAN_TESTS ?= /(00-shim-load|03-ndis5-memory|20-edu-c-roundtrip|25-edu-c-shared-memory|26-edu-c-sg|28-edu-ndis5|30-edu-rust-roundtrip|31-edu-rust-sg|31-edu-rust-shared-memory|40-random-sequences|42-stress|47-race-one-adapter|48-race-teardown)\.sh$$|/canaries/
KASAN_ENV = NDIS_KERNEL_FLAVOR=kasan NDIS_BUILD=$(NDIS_BUILD)/kasan
check-kasan: setup
	@$(KASAN_ENV) tools/build-kernel.sh >/dev/null
	@$(KASAN_ENV) tools/build-modules.sh
	@$(KASAN_ENV) NDIS_VM_APPEND="kasan_multi_shot no5lvl $(NDIS_VM_APPEND)" NDIS_ONLY='$(KASAN_TESTS)' \
		tools/check.sh --vm-only plain

run:
	@tools/run.sh

# Shim against raw Linux DMA calls, per configuration, debug layers off;
# then the NIC benchmark (plain and iommu): per NIC family, the NDIS sample
# against Linux's driver on the same emulated device (e1000: e1000_ndis6 vs
# e1000; pcnet: pcnet_ndis5 vs pcnet32; NDIS_BENCH_NIC_FAMILIES picks them).
# NDIS_BENCH_PARTS picks the parts (default "dma nic"); the NIC part runs in
# the CONFIGS among plain, iommu.
NDIS_BENCH_PARTS ?= dma nic
NIC_CONFIGS = $(filter plain iommu,$(CONFIGS))
bench: modules
	@$(if $(filter dma,$(NDIS_BENCH_PARTS)),tools/bench.sh $(filter-out swiotlb-tiny,$(CONFIGS)))
	@$(if $(and $(filter nic,$(NDIS_BENCH_PARTS)),$(NIC_CONFIGS)),tools/bench-nic.sh $(NIC_CONFIGS))

# Only the NIC benchmark: the NDIS e1000 and pcnet samples against Linux's
# e1000 and pcnet32.
bench-nic: modules
	@tools/bench-nic.sh $(NIC_CONFIGS)

vm-test: modules
	@tools/check.sh --vm-only $(CONFIGS)

# The shim and the samples into $(INSTALL_MOD_PATH)/lib/modules/<kernel>/extra,
# then depmod: `modprobe edu_dma_c` then loads ndis_shim first.
install: modules
	@$(if $(KDIR),KDIR=$(KDIR)) INSTALL_MOD_PATH=$(INSTALL_MOD_PATH) tools/install.sh

rust-analyzer:
	@$(if $(KDIR),KDIR=$(KDIR)) tools/rust-analyzer.sh

htmldocs:
	@tools/htmldocs.sh

clean:
	@tools/build-modules.sh --clean || true
	rm -rf $(NDIS_BUILD)
	rm -f rust-project.json

help:
	@echo 'Targets (KDIR=/path/to/kernel/build builds against another Rust-enabled kernel):'
	@echo '  run            boot a VM with the edu device and show the shim at work'
	@echo '  check          host tests, docs, dkms, then the VM tests in every CONFIGS ($(CONFIGS))'
	@echo '  modules, all   (default) build ndis_shim.ko, the samples and test modules; CLIPPY=1 adds clippy'
	@echo '  clippy         modules with clippy on the Rust sources'
	@echo '  install        shim and samples into $$INSTALL_MOD_PATH/lib/modules/<kernel>/extra, then depmod'
	@echo '  setup          install the packages, sources and tools (idempotent)'
	@echo '  kernel         build the Rust-enabled test kernel into the cache (once; progress each minute)'
	@echo '  host-test      host tests only: rust/core, header check, progress lines'
	@echo '  fmt-check      rustfmt check of every Rust source'
	@echo '  vm-test        the VM tests only (CONFIGS=..., NDIS_ONLY=REGEX)'
	@echo '  check-kasan    the data-path tests and canaries on a KASAN kernel (opt-in)'
	@echo '  bench          shim vs raw DMA API per configuration, then the NIC benchmark (NDIS_BENCH_PARTS)'
	@echo '  bench-nic      only the NIC benchmark: NDIS samples vs Linux e1000 and pcnet32 (plain, iommu)'
	@echo '  rust-analyzer  write rust-project.json for the shim, the Rust API and the Rust sample'
	@echo '  htmldocs       Documentation/ as HTML in build/htmldocs (Sphinx, warnings as errors)'
	@echo '  clean          remove build/ and the objects'
	@echo '  help           this list'
	@echo 'Tool (not a target): sudo tools/ndiskd prints the live view (debugfs ndis_shim/view/) as one tree'
