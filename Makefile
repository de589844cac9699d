# vfio-ct build.  See README.md.
#
#   make                 harness library and every suite program, native
#   make ARCH=arm64      the same, cross-built with aarch64-linux-gnu-gcc
#   make unit            offline unit tests (plain and ASan+UBSan builds)
#   make lint            cppcheck and clang-tidy over the C, shellcheck over the shell
#   make mutants         the suites against deliberately broken VFIO modules
#   make splat-live      the runner against real kernel splats (fixtures/splat/live)
#   make check           everything above plus the emulated conformance run
#   make install INSTALL_PATH=DIR   kselftest-style install tree
#
# Kernel-provided headers (kselftest harness, VFIO/iommufd uapi) come from
# KSRC=/path/to/linux when given, else from Debian's linux-source-6.12,
# extracted into $(CACHE) by harness/sh/ksrc.sh.

HOST_ARCH := $(shell uname -m | sed -e 's/aarch64/arm64/')
ARCH      ?= $(HOST_ARCH)
CACHE     ?= $(or $(VFIOCT_CACHE),$(HOME)/.cache/vfio-ct)
BUILD     ?= build/$(ARCH)
KSRC      ?=
KHDR      := $(CACHE)/kheaders/v2-$(if $(KSRC),$(shell printf '%s' '$(abspath $(KSRC))' | cksum | cut -d' ' -f1),linux-source-6.12)
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
UNIT_SRCS := $(sort $(wildcard suites/unit/*.c))
UNIT_SAN  := $(UNIT_SRCS:%.c=$(BUILD)-san/%)
HDRS      := $(wildcard harness/*.h)

.PHONY: all headers unit unit-plain unit-san unit-sh lint mutants splat-live cross check emulated install clean distclean deps
.DEFAULT_GOAL := all

all: $(LIB) $(SUITES)

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
unit-sh: $(BUILD)/fixtures/progs/crash
	VCT_SH=dash prove --norc -v --exec dash $(UNIT_SH)
	VCT_SH='busybox ash' VCT_AWK='busybox awk' prove --norc -v --exec 'busybox ash' $(UNIT_SH)
unit-san: $(UNIT_SAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	prove --norc -v --exec '' $^

cross:
	$(MAKE) ARCH=arm64 all

LINT_SRCS := $(LIB_SRCS) $(SUITE_SRCS)
lint: $(KHDR)/VERSION
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,portability,performance \
	    --inline-suppr --suppress=missingIncludeSystem '--suppress=*:$(KHDR)/kselftest/*' \
	    -Iharness -I$(KHDR)/kselftest -D__GNUC__ harness suites
	@# clang-tidy's default checks, less the one that asks for C11 Annex K's
	@# memcpy_s/snprintf_s, which glibc does not provide.  One file per call:
	@# clang-tidy 14 given several files reports va_list false positives.
	@set -e; for f in $(LINT_SRCS); do \
	    echo "clang-tidy $$f"; \
	    clang-tidy --quiet --warnings-as-errors='*' \
	        -checks=-clang-analyzer-security.insecureAPI.DeprecatedOrUnsafeBufferHandling \
	        $$f -- $(CPPFLAGS) -std=gnu11 -Wall -Wextra; \
	done
	shellcheck -s sh -S warning run.sh .ci/run harness/sh/*.sh suites/*/*.sh fixtures/mutants/*.sh \
	    fixtures/splat/live/*.sh fixtures/failures/bin/* fixtures/failures/repo-bin/*

emulated: all
	./run.sh --no-build

deps:
	harness/sh/deps.sh build cross lint

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) cross
	$(MAKE) lint
	./run.sh --no-build --results results/check-$$(date +%Y%m%d-%H%M%S)
	@# The stress suite again, short, with fio and the kernel-owned disk.
	./run.sh --no-build --suite stress --results results/check-stress-$$(date +%Y%m%d-%H%M%S)
	./run.sh --no-build --host qemu-aarch64-smmuv3 --results results/check-arm64-$$(date +%Y%m%d-%H%M%S)
	$(MAKE) mutants
	$(MAKE) splat-live

# Real kernel splats (fixtures/splat/live: a test-only module) in one guest
# boot: the runner must report each where it happened (about 3-4 min).
splat-live: all
	prove --norc -v --exec sh fixtures/splat/live/check.sh

# Broken VFIO modules (fixtures/mutants/*.sed) that the suites must catch.
mutants: all
	prove --norc -v --exec sh fixtures/mutants/check.sh

# ---- install (kselftest layout) ---------------------------------------------
INSTALL_PATH ?= $(CURDIR)/install
install: all
	@mkdir -p '$(INSTALL_PATH)'
	@: > '$(INSTALL_PATH)/kselftest-list.txt'
	@for p in $(filter-out $(BUILD)/suites/unit/%,$(SUITES)); do \
	    area=$$(basename $$(dirname $$p)); \
	    mkdir -p '$(INSTALL_PATH)'/$$area; \
	    install -m 0755 $$p '$(INSTALL_PATH)'/$$area/; \
	    echo "$$area:$$(basename $$p)" >> '$(INSTALL_PATH)/kselftest-list.txt'; \
	done
	cp -R run.sh harness hosts fixtures '$(INSTALL_PATH)/'
	@echo "installed into $(INSTALL_PATH)"

clean:
	rm -rf build
distclean: clean
	rm -rf '$(CACHE)/kheaders' '$(CACHE)/sysroot-arm64' '$(CACHE)/sysroot-amd64'

.SECONDARY:
