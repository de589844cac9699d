# vfio-ct build.  See README.md.
#
#   make                 harness library and every suite program, native
#   make ARCH=arm64      the same, cross-built with aarch64-linux-gnu-gcc
#   make unit            offline unit tests (plain and ASan+UBSan builds)
#   make lint            cppcheck and clang-tidy over the C, shellcheck over the shell
#   make mutants         the suites against deliberately broken VFIO modules
#   make ab-check        run.sh --ab flags a 20 us UNMAP_DMA mutant, not a rebuild
#   make proof           run.sh --host local proven inside the emulated servers
#   make fuzz            libFuzzer over the parsers and the runner's awk (FUZZ_SECONDS)
#   make splat-live      the runner against real kernel splats (fixtures/splat/live)
#   make check           everything above plus the emulated conformance run
#   make check-kbuild    every suite on the kernel built from linux-source-6.12
#   make consumers RESULTS=DIR   run.json, JUnit, TAP::Parser and LKFT agree
#   make jenkins-lint    npm-groovy-lint over the Jenkinsfile
#   make install INSTALL_PATH=DIR   kselftest-style install tree
#
# Kernel-provided headers (kselftest harness, VFIO/iommufd uapi) come from
# KSRC=/path/to/linux when given, else from Debian's linux-source-6.12,
# extracted into $(CACHE) by harness/sh/ksrc.sh.

HOST_ARCH := $(shell harness/sh/arch.sh)
ARCH      ?= $(HOST_ARCH)
CACHE     ?= $(or $(VFIOCT_CACHE),$(HOME)/.cache/vfio-ct)
BUILD     ?= build/$(ARCH)
KSRC      ?=
NPROC     := $(shell nproc 2>/dev/null || echo 2)
KHDR      := $(CACHE)/kheaders/v4-$(if $(KSRC),$(shell printf '%s' '$(abspath $(KSRC))' | cksum | cut -d' ' -f1),linux-source-6.12)
FIXTURES  := $(abspath fixtures)

ifeq ($(ARCH),$(HOST_ARCH))
CC        ?= gcc
CROSS     :=
PCI_CFLAGS :=
PCI_LIBS  := -lpci
SYSROOT   :=
else ifeq ($(ARCH),arm64)
CROSS     := aarch64-linux-gnu-
CC        := $(CROSS)gcc
SYSROOT   := $(CACHE)/sysroot-arm64
SRLIB     := $(SYSROOT)/usr/lib/aarch64-linux-gnu
PCI_CFLAGS := -I$(SYSROOT)/usr/include/aarch64-linux-gnu
PCI_LIBS  := -L$(SRLIB) -Wl,-rpath-link,$(SRLIB) -Wl,-rpath-link,$(SYSROOT)/lib/aarch64-linux-gnu -lpci
else ifeq ($(ARCH),x86_64)
CROSS     := x86_64-linux-gnu-
CC        := $(CROSS)gcc
SYSROOT   := $(CACHE)/sysroot-amd64
SRLIB     := $(SYSROOT)/usr/lib/x86_64-linux-gnu
PCI_CFLAGS := -I$(SYSROOT)/usr/include/x86_64-linux-gnu
PCI_LIBS  := -L$(SRLIB) -Wl,-rpath-link,$(SRLIB) -Wl,-rpath-link,$(SYSROOT)/lib/x86_64-linux-gnu -lpci
else
$(error ARCH must be x86_64 or arm64, not '$(ARCH)')
endif
ifeq ($(origin CC),default)
CC := $(CROSS)gcc
endif
AR        := $(CROSS)ar

WARN      := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes
CPPFLAGS  += -Iharness -isystem $(KHDR)/kselftest -I$(KHDR)/uapi $(PCI_CFLAGS) \
             -DVCT_FIXTURES='"$(FIXTURES)"' -D_GNU_SOURCE
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARN) -pthread
LDLIBS    += $(PCI_LIBS) -lm -pthread
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIB_SRCS  := $(sort $(wildcard harness/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIB       := $(BUILD)/libvfioct.a
SUITE_SRCS := $(sort $(wildcard suites/*/*.c))
SUITES    := $(SUITE_SRCS:%.c=$(BUILD)/%)
# The kernel's own tools a suite runs, built as they are from the kernel
# source (ksrc.sh), static, into a tools/ folder beside the suite (the
# runner does not take them for suite programs; the initramfs carries them).
KTOOLS    := $(BUILD)/suites/stress/tools/dma_map_benchmark
UNIT_SRCS := $(sort $(wildcard suites/unit/*.c))
UNIT_SAN  := $(UNIT_SRCS:%.c=$(BUILD)-san/%)
HDRS      := $(wildcard harness/*.h)

.PHONY: check-kbuild-x86_64 check-kbuild-arm64 mutants-1 mutants-2 proof proof-x86_64 proof-arm64 check-lane-x86 check-lane-arm64 all headers unit unit-plain unit-san unit-sh lint mutants splat-live cross check emulated install clean distclean deps
.PHONY: ab-check check-kbuild unit-sh-dash unit-sh-ash check-steps check-kernels check-iommufd-x86_64 check-iommufd-arm64
.PHONY: consumers jenkins-lint jenkins-rehearsal screenshots lava
.DEFAULT_GOAL := all

all: $(LIB) $(SUITES) $(KTOOLS)

# ---- kernel headers and target libraries ---------------------------------
$(KHDR)/VERSION:
	KSRC='$(KSRC)' harness/sh/ksrc.sh '$(KHDR)'
headers: $(KHDR)/VERSION

ifneq ($(SYSROOT),)
$(SYSROOT)/.done:
	harness/sh/sysroot.sh '$(SYSROOT)' $(if $(filter arm64,$(ARCH)),arm64,amd64)
SYSROOT_DEP := $(SYSROOT)/.done
endif

# ---- objects and programs -------------------------------------------------
$(BUILD)/%.o: %.c $(HDRS) $(KHDR)/VERSION $(SYSROOT_DEP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# (the kernel's code with the flags of its kselftest Makefile, not ours)
$(BUILD)/suites/stress/tools/dma_map_benchmark: $(KHDR)/VERSION
	@mkdir -p $(@D)
	$(CC) -O2 -Wall -I$(KHDR)/ktools/include -static -o $@ $(KHDR)/ktools/dma/dma_map_benchmark.c

$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/suites/%: $(BUILD)/suites/%.o $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Sanitizer builds of the unit tests (native only).
$(BUILD)-san/%.o: %.c $(HDRS) $(KHDR)/VERSION
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) -c -o $@ $<

$(BUILD)-san/suites/unit/%: $(BUILD)-san/suites/unit/%.o $(LIB_SRCS:%.c=$(BUILD)-san/%.o)
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- tests -----------------------------------------------------------------
# Unit tests run on the build machine, first as built, then under
# AddressSanitizer + UBSan; prove reads their TAP.
# The runner's own shell and awk logic is tested under dash and busybox ash.
UNIT_SH   := $(sort $(wildcard suites/unit/*.sh))
unit: unit-plain unit-san unit-sh
unit-plain: $(UNIT_SRCS:%.c=$(BUILD)/%)
	prove --norc -v --exec '' $^
# A program that crashes on purpose (fixtures/progs/crash.c) for failures_test.sh.
$(BUILD)/fixtures/progs/%: fixtures/progs/%.c $(HDRS) $(KHDR)/VERSION
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-unused-parameter -Wno-missing-prototypes $(LDFLAGS) -o $@ $<
# The two shells' runs are targets of their own, so `make -j` runs them side
# by side, and each runs its files four at a time: most of their wall time
# is the runner's own waits (timeouts, locks, signals, idle guests), not CPU
# (dash: 227 checks in 179 s of wall for 59 CPU-seconds, one at a time).
# Each file works in a mktemp directory of its own.
unit-sh: unit-sh-dash unit-sh-ash
UNIT_PROVE := prove --norc -j4 --failures --comments
unit-sh-dash: $(KHDR)/VERSION $(BUILD)/fixtures/progs/crash
	VCT_KHDR='$(KHDR)' VCT_SH=dash $(UNIT_PROVE) --exec dash $(UNIT_SH)
unit-sh-ash: $(KHDR)/VERSION $(BUILD)/fixtures/progs/crash
	VCT_KHDR='$(KHDR)' VCT_SH='busybox ash' VCT_AWK='busybox awk' $(UNIT_PROVE) --exec 'busybox ash' $(UNIT_SH)
unit-san: $(UNIT_SAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	prove --norc -v --exec '' $^

cross:
	$(MAKE) ARCH=arm64 all

LINT_SRCS := $(LIB_SRCS) $(SUITE_SRCS) $(wildcard fuzz/*.c)
lint: $(KHDR)/VERSION
	cppcheck --quiet -j '$(NPROC)' --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	    --inline-suppr --suppress=missingIncludeSystem '--suppress=*:$(KHDR)/kselftest/*' \
	    -Iharness -I$(KHDR)/kselftest -D__GNUC__ harness suites fuzz
	@# clang-tidy's default checks, less the one that asks for C11 Annex K's
	@# memcpy_s/snprintf_s, which glibc does not provide.  One file per call
	@# (clang-tidy 14 given several files reports va_list false positives),
	@# as many calls at once as the machine has cores (each names the file
	@# it reports on); xargs exits non-zero when any call did.
	printf '%s\n' $(LINT_SRCS) | xargs -P '$(NPROC)' -I '{}' clang-tidy --quiet --warnings-as-errors='*' \
	    -checks=-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling \
	    '{}' -- $(CPPFLAGS) -std=gnu11 -Wall -Wextra
	@# a check that is the whole body of an unbraced loop (harness/lint/loops.awk says why)
	awk -f harness/lint/loops.awk suites/*/*.c harness/*.c fuzz/*.c
	shellcheck -s sh -S warning run.sh .ci/run harness/sh/*.sh suites/*/*.sh fixtures/mutants/*.sh \
	    fixtures/splat/live/*.sh fixtures/failures/bin/* fixtures/failures/repo-bin/* fixtures/tap.sh fuzz/fuzz.sh lava/*.sh

emulated: all
	./run.sh --no-build

deps:
	harness/sh/deps.sh build cross lint fuzz
	@# Node.js and Java for jenkins-lint, unless the machine has them (a
	@# nodejs that bundles npm conflicts with Debian's npm package).
	@command -v npm > /dev/null && command -v java > /dev/null || harness/sh/deps.sh jenkins-lint

# The emulated steps run in two lanes side by side: each TCG guest is one
# thread (tcg,thread=single), so on a 2-core machine two guests at a time
# keep both cores busy and no more (more guests than cores starve their
# vCPUs into soft lockups).  Each lane's steps run in order.
# The steps before them use every core: builds and unit runs with
# -j$(NPROC) (each target's output kept together, -O).
check: deps
	@# The kernels built from linux-source-6.12 (their build tools first:
	@# no two apt-get runs at once) compile from the start, beside the
	@# other steps (check-kernels).
	harness/sh/deps.sh kbuild cross
	$(MAKE) -j2 check-steps check-kernels
check-steps:
	$(MAKE) headers
	$(MAKE) -j'$(NPROC)' -O all cross
	$(MAKE) -j'$(NPROC)' -O unit
	@# libFuzzer 10 s per target (about 2 minutes with the build: one core),
	@# beside the linters (their packages came with `deps`).
	$(MAKE) -j'$(NPROC)' -O fuzz lint jenkins-lint FUZZ_SECONDS=10
	@# Every package the lanes need, installed before they start: two
	@# apt-get runs at once would fight over dpkg's lock.
	harness/sh/deps.sh run-x86_64 run-arm64 cross fio report mutants lava kbuild
	$(MAKE) -j2 check-lane-x86 check-lane-arm64
# The two kernels built from source (harness/sh/kbuild.sh: cached by source
# version and config hash, so warm this only looks them up; cold about 15
# and 18 CPU-minutes), compiled at nice 19 while the steps above run: a TCG
# guest keeps about half a core busy (the default x86 run: 78 CPU-seconds
# in 145 s), so the lanes leave most of a core to the compiler.  Each lane
# ends with the iommufd run on its kernel (check-iommufd-*), which waits on
# the build's lock until its kernel is there.
# arm64 first (864 objects against x86_64's 1297): lane 2 reaches its
# iommufd run first.
check-kernels:
	harness/sh/kbuild.sh build:6.12 arm64 '$(CACHE)' > /dev/null
	harness/sh/kbuild.sh build:6.12 x86_64 '$(CACHE)' > /dev/null

# Lane 1: the default x86 run (with what its consumers read), LAVA's
# standalone dispatcher on the x86 job (about 3 minutes warm), the stress
# suite short with fio and the kernel-owned disk, the x86 and arm64 server
# proofs, the live splats, half of the mutants, the A/B check, the iommufd
# run on the x86_64 kernel built from source (compiled second).
check-lane-x86: all cross
	r=results/check-$$(date +%Y%m%d-%H%M%S) && ./run.sh --no-build --results $$r && $(MAKE) consumers RESULTS=$$r
	$(MAKE) lava
	./run.sh --no-build --suite stress --results results/check-stress-$$(date +%Y%m%d-%H%M%S)
	$(MAKE) proof-x86_64
	$(MAKE) splat-live
	$(MAKE) mutants-1
	$(MAKE) ab-check
	$(MAKE) proof-arm64
	$(MAKE) check-iommufd-x86_64
# Lane 2: the ARM64 SMMUv3 run, the igb run, the other half of the mutants
# (each lane checks half of them, in a results directory of its own), the
# iommufd run on the arm64 kernel built from source (compiled first).
check-lane-arm64: all cross
	./run.sh --no-build --host qemu-aarch64-smmuv3 --results results/check-arm64-$$(date +%Y%m%d-%H%M%S)
	@# SR-IOV, resets and the igb DMA engine: QEMU 10.0 from bookworm-backports,
	@# fetched into the cache by the runner (qemu_suite; cold about 15 s).
	./run.sh --no-build --host qemu-x86_64-vtd-igb --suite device,dma --results results/check-igb-$$(date +%Y%m%d-%H%M%S)
	$(MAKE) mutants-2
	$(MAKE) check-iommufd-arm64

# Every suite on the kernel built from Debian's linux-source-6.12 with
# hosts/kconfig/ (run.sh --kernel build:6.12, harness/sh/kbuild.sh): the
# x86 VT-d host and the ARM64 SMMUv3 host.  Cold, each compiles its kernel
# first (nice -n 19, -j2; cached in $(CACHE)/kernels by source version and
# config hash, reused warm).  make check runs the mapping-level suites there
# (check-iommufd-*: every one of them in all five IOMMU modes, the three
# iommufd ones included, which Debian's kernels SKIP; irq is left out: its
# DMA goes through the preferred backend, not through every mode).
IOMMUFD_SUITES := resv,map,dma,group,stress/maps,stress/dmabench
check-kbuild: check-kbuild-x86_64 check-kbuild-arm64
check-kbuild-x86_64: all
	./run.sh --no-build --kernel build:6.12 --results results/check-kbuild-x86_64-$$(date +%Y%m%d-%H%M%S)
check-kbuild-arm64: all cross
	./run.sh --no-build --host qemu-aarch64-smmuv3 --kernel build:6.12 --results results/check-kbuild-arm64-$$(date +%Y%m%d-%H%M%S)
check-iommufd-x86_64: all
	./run.sh --no-build --kernel build:6.12 --suite '$(IOMMUFD_SUITES)' --results results/check-iommufd-x86_64-$$(date +%Y%m%d-%H%M%S)
check-iommufd-arm64: all cross
	./run.sh --no-build --host qemu-aarch64-smmuv3 --kernel build:6.12 --suite '$(IOMMUFD_SUITES)' --results results/check-iommufd-arm64-$$(date +%Y%m%d-%H%M%S)

# Real kernel splats (fixtures/splat/live: a test-only module) in one guest
# boot: the runner must report each where it happened (about 3-4 min).
splat-live: all
	prove --norc -v --exec sh fixtures/splat/live/check.sh

# The local host kind proven inside emulated servers, one step per
# architecture: suites/local/realhost_test.sh (refusals, --force, --dry-run,
# restores, the dma suite through NVMe and edu) in hosts/qemu-*-server.conf.
# Cost, measured on the shared 2-core machine (noisy): x86_64 7-8 minutes,
# arm64 about 10 (each: make install, one boot, 29 checks, ~30 local runs).
proof: proof-x86_64 proof-arm64
proof-x86_64: all
	./run.sh --no-build --host qemu-x86_64-server --results results/check-proof-x86_64-$$(date +%Y%m%d-%H%M%S)
proof-arm64: all
	./run.sh --no-build --host qemu-aarch64-server --results results/check-proof-arm64-$$(date +%Y%m%d-%H%M%S)

# What each consumer of a run reads agrees: run.json, junit.xml, Perl's
# TAP::Parser on combined.tap, the LKFT flattening (harness/sh/consumers.sh).
consumers:
	@test -n '$(RESULTS)' || { echo 'usage: make consumers RESULTS=results/<run>' >&2; exit 2; }
	harness/sh/consumers.sh '$(RESULTS)'

# The Jenkinsfile linted by npm-groovy-lint (CodeNarc; Java), installed into
# the cache from the npm registry (14.4.0: the last that runs on Debian 12's
# Node.js 18).  Its structure and commands: suites/unit/jenkins_test.sh.
GROOVY_LINT := $(CACHE)/npm/groovy-lint-14.4.0/node_modules/.bin/npm-groovy-lint
jenkins-lint:
	@command -v npm > /dev/null && command -v java > /dev/null || harness/sh/deps.sh jenkins-lint
	@test -x '$(GROOVY_LINT)' || npm install --no-audit --no-fund --prefix '$(CACHE)/npm/groovy-lint-14.4.0' npm-groovy-lint@14.4.0
	'$(GROOVY_LINT)' --noserver --failon warning Jenkinsfile

# The Jenkinsfile's cell and merge stages, run for real on one small cell.
jenkins-rehearsal: all
	rm -rf results/cell-* results/matrix
	VCT_HOST=qemu-x86_64-vtd VCT_KERNEL=debian:bookworm-backports VCT_SUITES=resv harness/sh/jenkins.sh cell
	harness/sh/jenkins.sh merge

# report.html and matrix.html as a browser draws them (headless Chromium):
# make screenshots RESULTS=results/<run> [MATRIX=results/<matrix>]
screenshots:
	@test -n '$(RESULTS)' || { echo 'usage: make screenshots RESULTS=results/<run> [MATRIX=dir]' >&2; exit 2; }
	harness/sh/deps.sh browser
	harness/sh/screenshot.sh '$(RESULTS)/report.html' '$(RESULTS)/report.png'
	@if [ -n '$(MATRIX)' ]; then harness/sh/screenshot.sh '$(MATRIX)/matrix.html' '$(MATRIX)/matrix.png'; fi

# LAVA for real: the x86 VT-d job run by Debian's standalone dispatcher
# (lava-run), its results against run.json's (lava/check.sh).
lava: all
	lava/check.sh qemu-x86_64-vtd

# Broken VFIO modules (fixtures/mutants/*.sed) that the suites must catch.
mutants: all cross
	prove --norc -v --exec sh fixtures/mutants/check.sh
MUTANT_NAMES := $(sort $(basename $(notdir $(wildcard fixtures/mutants/*.sed))))
MUTANT_HALF  := $(shell echo $$(( ($(words $(MUTANT_NAMES)) + 1) / 2 )))
# A/B inside one boot (run.sh --ab): one trial each, the 20 us-per-UNMAP
# mutant flagged and an independent rebuild of the same module not (two
# short boots).  The full power table: fixtures/mutants/ab-power.sh.
# 20 rounds, not the default 12: on a fresh 2-core machine the guest's
# speed switched between regimes about 3x apart for longer than one
# measurement (sd of the per-round ln(B/A) 0.40-0.50, quiet or not), and
# make check's ab-check once judged the 20 us mutant unchanged (p 0.012,
# above the primary's 0.008).  Resampling that machine's 240 quiet rounds
# (20 trials), the primary flags the 20 us mutant in 88 % of 12-round
# trials, 98.5 % of 16-round ones and 99.9 % of 20-round ones; the no-op
# stays at about 0.5 % at every length (the level is the same).
ab-check: all
	VCT_TRIALS=1 VCT_ROUNDS=20 VCT_RESULTS=$(CURDIR)/results/ab-check-$$(date +%Y%m%d-%H%M%S) prove --norc -v \
	    --exec sh fixtures/mutants/ab-power.sh :: unmodified unmap-udelay20
mutants-1: all cross
	VCT_RESULTS=$(CURDIR)/results/mutants-1-$$(date +%Y%m%d-%H%M%S) prove --norc -v --exec sh fixtures/mutants/check.sh :: \
	    $(wordlist 1,$(MUTANT_HALF),$(MUTANT_NAMES))
mutants-2: all cross
	VCT_RESULTS=$(CURDIR)/results/mutants-2-$$(date +%Y%m%d-%H%M%S) prove --norc -v --exec sh fixtures/mutants/check.sh :: \
	    $(wordlist $(shell echo $$(( $(MUTANT_HALF) + 1 ))),999,$(MUTANT_NAMES))

# ---- install (kselftest layout) ---------------------------------------------
# INSTALL_PATH/AREA/PROGRAM, kselftest-list.txt (`AREA:PROGRAM` lines) and
# AREA/settings, so the kernel's run_kselftest.sh (installed next to them by
# the kernel's own selftests install, or copied there) runs every program;
# plus run.sh, harness/, hosts/ and build/ARCH/suites/AREA -> ../../../AREA
# links, so `run.sh --host local` runs the same tree.
#
# The runner gives a program 45 s unless its collection's settings say
# `timeout=`.  Slowest guest times seen (run.json "seconds", QEMU TCG on a
# loaded 2-core machine, 2026-12-01): stress/kdma 31 s (with fio),
# dma/device 27 s (arm64), stress/maps 21 s (arm64), irq/nvme 14 s,
# device/device 9 s, the rest under 3 s.  Each collection gets about ten
# times its slowest, at least 120 s (real hardware is faster than TCG; a
# shared CI machine can be slower); stress more, for VCT_STRESS=full.
KSFT_TIMEOUT        := 120
KSFT_TIMEOUT_dma    := 300
KSFT_TIMEOUT_irq    := 180
KSFT_TIMEOUT_stress := 600
INSTALL_PATH ?= $(CURDIR)/install
install: all
	@mkdir -p '$(INSTALL_PATH)' '$(INSTALL_PATH)/build/$(ARCH)/suites'
	@: > '$(INSTALL_PATH)/kselftest-list.txt'
	@for p in $(filter-out $(BUILD)/suites/unit/%,$(SUITES)); do \
	    area=$$(basename $$(dirname $$p)); \
	    mkdir -p '$(INSTALL_PATH)'/$$area; \
	    install -m 0755 $$p '$(INSTALL_PATH)'/$$area/; \
	    echo "$$area:$$(basename $$p)" >> '$(INSTALL_PATH)/kselftest-list.txt'; \
	    ln -sfn ../../../$$area '$(INSTALL_PATH)/build/$(ARCH)/suites/'$$area; \
	done
	@for area in $(sort $(filter-out unit,$(notdir $(patsubst %/,%,$(dir $(SUITE_SRCS)))))); do \
	    t=$$(case $$area in dma) echo $(KSFT_TIMEOUT_dma) ;; irq) echo $(KSFT_TIMEOUT_irq) ;; \
	         stress) echo $(KSFT_TIMEOUT_stress) ;; *) echo $(KSFT_TIMEOUT) ;; esac); \
	    printf 'timeout=%s\n' $$t > '$(INSTALL_PATH)'/$$area/settings; \
	done
	cp -R run.sh harness hosts fixtures '$(INSTALL_PATH)/'
	@echo "installed into $(INSTALL_PATH)"

clean:
	rm -rf build
distclean: clean
	rm -rf '$(CACHE)/kheaders' '$(CACHE)/sysroot-arm64' '$(CACHE)/sysroot-amd64'

.SECONDARY:

# ---- fuzzing (fuzz/fuzz.mk): libFuzzer + ASan/UBSan over the harness's
# parsers and the runner's awk; FUZZ_SECONDS per target (default 60).
.PHONY: fuzz
fuzz: $(KHDR)/VERSION
	harness/sh/deps.sh fuzz
	$(MAKE) -f fuzz/fuzz.mk KHDR='$(KHDR)' $(if $(FUZZ_SECONDS),FUZZ_SECONDS='$(FUZZ_SECONDS)') \
	    $(if $(FUZZ_TARGETS),FUZZ_TARGETS='$(FUZZ_TARGETS)') run
