# fuzz/fuzz.mk - libFuzzer targets (clang, ASan + UBSan); `make fuzz` runs them.
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS='resv capchain ...']
#
# Each target fuzz/fuzz_T.c is built against the harness sources compiled
# with coverage instrumentation, seeded from fixtures/ by mkseeds, first
# replays every input under fixtures/fuzz/T/ (the crashes found so far: they
# must pass now) and then fuzzes for FUZZ_SECONDS.  Corpora, logs and crash
# artifacts go to build/fuzz/.  Packages: harness/sh/deps.sh fuzz.
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= resv capchain device metrics collate splat compare profile platform teardown phases
FB           := build/fuzz
TOP          := $(abspath .)

FZ_CPPFLAGS := -Iharness -Ifuzz -isystem $(KHDR)/kselftest -I$(KHDR)/uapi -D_GNU_SOURCE \
               -DVCT_FIXTURES='"$(TOP)/fixtures"' -DVCT_TOP='"$(TOP)"'
FZ_WARN     := -Wall -Wextra -Werror -Wno-unused-parameter
FZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FZ_CFLAGS   := -std=gnu11 -g -O1 $(FZ_WARN) $(FZ_SAN)
FZ_LIBS     := -lpci -lm -pthread

FZ_HARNESS  := $(patsubst harness/%.c,$(FB)/harness/%.o,$(wildcard harness/*.c))
FZ_COMMON   := $(FB)/awkrun.o $(FB)/json.o
FZ_BINS     := $(FUZZ_TARGETS:%=$(FB)/fuzz_%)

.PHONY: run build
run: build $(FB)/mkseeds
	FB='$(FB)' FUZZ_SECONDS='$(FUZZ_SECONDS)' sh fuzz/fuzz.sh $(FUZZ_TARGETS)
build: $(FZ_BINS)

$(FB)/harness/%.o: harness/%.c $(wildcard harness/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CPPFLAGS) $(FZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FB)/%.o: fuzz/%.c $(wildcard fuzz/*.h harness/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CPPFLAGS) $(FZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FB)/libharness.a: $(FZ_HARNESS)
	rm -f $@
	ar rcs $@ $^
$(FB)/fuzz_%: $(FB)/fuzz_%.o $(FZ_COMMON) $(FB)/libharness.a
	$(FUZZ_CC) $(FZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(FZ_LIBS)
# The seed maker: a plain program (no fuzzer main), same harness sources.
$(FB)/mkseeds: fuzz/mkseeds.c harness/metrics.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FZ_CPPFLAGS) -std=gnu11 -O1 $(FZ_WARN) -o $@ $^ -lm

.SECONDARY:
