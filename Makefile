# axsearch — build, test, benchmark.
#
#   make            build ./axsearch
#   make run        the quick search into runs/quick and its plots (installs what is missing)
#   make test       the checks below, then the test suite (installs what is missing)
#   make check      check-layers (util/layers.txt), check-funcs, check-links
#   make asan       the test suite under AddressSanitizer + UBSan
#   make bench      the speed benchmarks (never run in CI)
#   make fuzz       every reader under libFuzzer + ASan/UBSan, FUZZ_SECONDS each (30)
#   make deps       install the Debian packages the project needs
#
# Every module's .c file is found by wildcard, so a new file needs no edit
# here. WERROR=1 (CI) turns warnings into errors.

CC      ?= gcc
BUILD   ?= build
OPT     ?= -O2
WARN    := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -Wvla -Wformat=2
ifeq ($(WERROR),1)
WARN    += -Werror
endif
# _DEFAULT_SOURCE: POSIX (fsync, getopt_long, clock_gettime) on top of C11.
CPPFLAGS := -I. -I$(BUILD)/gen -D_DEFAULT_SOURCE
CFLAGS  := -std=c11 $(OPT) -g -fopenmp $(WARN) $(EXTRA_CFLAGS)
LDLIBS  := -fopenmp -linih -lprotobuf-c -lz -lm
TEST_LDLIBS := -lcmocka

# ONNX's protobuf schema as Debian's libonnx-dev installs it; the C code is
# generated at build time by protoc-c and never committed.
ONNX_PROTO ?= /usr/include/onnx/onnx.proto
GEN_C   := $(BUILD)/gen/onnx/onnx.pb-c.c
GEN_H   := $(BUILD)/gen/onnx/onnx.pb-c.h

LIB_SRC := $(wildcard util/*.c ga/*.c approx/*.c accel_model/*.c fitness/*.c fitness/*/*.c)
# cli/ minus main.c is a library of its own, so tests call the config
# parser, the checkpoint state and the baselines directly.
CLI_SRC := $(filter-out cli/main.c,$(wildcard cli/*.c))
TEST_SRC := $(wildcard tests/test_*.c)
TEST_SUPPORT := $(filter-out $(TEST_SRC),$(wildcard tests/*.c))
BENCH_SRC := $(wildcard benchmarks/bench_*.c)
FUZZ_SRC := $(filter-out tests/fuzz/fuzz_support.c,$(wildcard tests/fuzz/fuzz_*.c))

LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/onnx/onnx.pb-c.o
CLI_OBJ := $(CLI_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ := $(BUILD)/cli/main.o
TEST_SUPPORT_OBJ := $(TEST_SUPPORT:%.c=$(BUILD)/%.o)
TEST_BIN := $(TEST_SRC:%.c=$(BUILD)/%)
BENCH_BIN := $(BENCH_SRC:%.c=$(BUILD)/%)
LIB     := $(BUILD)/libaxsearch.a
CLI_LIB := $(BUILD)/libaxcli.a

.PHONY: all deps test asan bench fuzz fuzz-build run clean check-deps check check-layers check-funcs check-links
# Keep objects that pattern rules build on the way to a binary.
.SECONDARY:
.DEFAULT_GOAL := all

all: axsearch

deps:
	@util/deps.sh

# Targets a new user types install what is missing first.
check-deps:
	@util/deps.sh

$(GEN_C) $(GEN_H): $(ONNX_PROTO)
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -I$(dir $(ONNX_PROTO)).. onnx/onnx.proto

$(BUILD)/gen/onnx/onnx.pb-c.o: $(GEN_C)
	$(CC) $(CPPFLAGS) -std=c11 $(OPT) -g -c $< -o $@

# Every object may include the generated header; make sure it exists first.
$(BUILD)/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(CLI_LIB): $(CLI_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/axsearch: $(MAIN_OBJ) $(CLI_LIB) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(MAIN_OBJ) $(CLI_LIB) $(LIB) $(LDLIBS)

# Replaced by rename, so a running ./axsearch (a long search) is no obstacle.
axsearch: $(BUILD)/axsearch
	@cp $< $@.tmp && mv -f $@.tmp $@

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(TEST_SUPPORT_OBJ) $(CLI_LIB) $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(TEST_SUPPORT_OBJ) $(CLI_LIB) $(LIB) $(TEST_LDLIBS) $(LDLIBS)

$(BUILD)/benchmarks/%: $(BUILD)/benchmarks/%.o $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(BUILD)/tests/fuzz/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/fuzz_support.o $(CLI_LIB) $(LIB)
	$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(BUILD)/tests/fuzz/fuzz_support.o $(CLI_LIB) $(LIB) $(LDLIBS)

# The house rules, checked on the sources: the layering of util/layers.txt
# (and a proof that the check can fail), the length of functions, and that
# every relative link of README.md and docs/ leads to a file.
check: check-layers check-funcs check-links
check-layers:
	@util/check_layers.sh
	@tests/check_layers_selftest.sh
check-funcs:
	@util/check_funcs.sh
check-links:
	@util/check_links.sh

# The tests run the program too (exit codes, messages), so build it first.
test: check-deps check
	@$(MAKE) --no-print-directory $(BUILD)/axsearch $(TEST_BIN)
	@AXSEARCH=$(abspath $(BUILD)/axsearch) util/run_tests.sh $(TEST_BIN)

asan: check-deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    test

bench: check-deps
	@$(MAKE) --no-print-directory $(BUILD)/axsearch $(BENCH_BIN)
	@for b in $(BENCH_BIN); do echo "== $$b"; AXSEARCH=$(abspath $(BUILD)/axsearch) $$b || exit 1; done

# The readers under clang's libFuzzer with ASan and UBSan (build-fuzz/):
# each target runs its regression inputs, then FUZZ_SECONDS of fuzzing
# (util/run_fuzz.sh). Needs clang (make deps installs it for this target).
FUZZ_SECONDS ?= 30
FUZZ_CFLAGS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
fuzz-build:
	@util/deps.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 EXTRA_CFLAGS="$(FUZZ_CFLAGS)" \
	    $(FUZZ_SRC:%.c=build-fuzz/%)
fuzz: check-deps fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) util/run_fuzz.sh $(FUZZ_SRC:%.c=build-fuzz/%)

# The main job: the quick search (configs/quick.ini: LeNet-5) into
# runs/quick (replaced if present), then its figures.
run: check-deps
	@$(MAKE) --no-print-directory axsearch
	@rm -rf runs/quick && mkdir -p runs
	./axsearch search configs/quick.ini --out runs/quick
	./axsearch plot runs/quick

clean:
	rm -rf build build-asan build-fuzz axsearch

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d) $(TEST_SUPPORT_OBJ:.o=.d) \
    $(FUZZ_SRC:%.c=$(BUILD)/%.d) $(BUILD)/tests/fuzz/fuzz_support.d
