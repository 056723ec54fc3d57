# axsearch — build, test, benchmark.
#
#   make            build ./axsearch
#   make run        the quick search into runs/quick and its plots (installs what is missing)
#   make colour-data  Colour Fashion-MNIST as CIFAR-10 batches in runs/data/cfmnist (configs/colour_quick.ini)
#   make test       the checks below, then the test suite (installs what is missing)
#   make check      check-layers (util/layers.txt), check-funcs, check-links
#   make asan       the test suite under AddressSanitizer + UBSan
#   make tsan       the threaded tests under ThreadSanitizer (clang, LLVM OpenMP + Archer)
#   make valgrind   a short search, its resume and plot under valgrind's memcheck
#   make bench      the speed benchmarks (never run in CI)
#   make fuzz       every reader under libFuzzer + ASan/UBSan, FUZZ_SECONDS each (30)
#   make deps       install the Debian packages the project needs
#   make MPI=1      ./axsearch built with Open MPI (util/deps.sh --mpi): mpirun -np N ./axsearch search ...
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
LDLIBS  := -fopenmp -linih -lprotobuf-c -lpng -ljpeg -lz -lm
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
TEST_SUPPORT := $(filter-out $(TEST_SRC) tests/tsan_selftest.c,$(wildcard tests/*.c))
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

.PHONY: all deps mpi-deps test asan tsan valgrind bench fuzz fuzz-build run colour-data clean check-deps check check-layers check-funcs check-links
# Keep objects that pattern rules build on the way to a binary.
.SECONDARY:
.DEFAULT_GOAL := all

all: axsearch

deps:
	@util/deps.sh

mpi-deps:
	@util/deps.sh --mpi

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

# The MPI build (cli/dist.h): cli/dist.c and cli/main.c compiled again with
# AX_MPI and Open MPI's flags (mpicc --showme), linked ahead of the
# libraries so that they stand in for the plain objects. `make MPI=1` makes
# ./axsearch this one; `make` alone never needs Open MPI.
MPI_COMPILE = $(shell mpicc --showme:compile)
MPI_LINK    = $(shell mpicc --showme:link)
MPI_OBJ     := $(BUILD)/mpi/cli/dist.o $(BUILD)/mpi/cli/main.o
HAVE_MPI    := $(shell command -v mpicc >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1 && echo 1)
$(BUILD)/mpi/%.o: %.c | $(GEN_H)
	@command -v mpicc >/dev/null || { echo "no mpicc: install Open MPI with util/deps.sh --mpi"; exit 1; }
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAX_MPI $(MPI_COMPILE) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/axsearch-mpi: $(MPI_OBJ) $(CLI_LIB) $(LIB)
	$(CC) $(CFLAGS) -o $@ $(MPI_OBJ) $(CLI_LIB) $(LIB) $(LDLIBS) $(MPI_LINK)

ifeq ($(MPI),1)
AXSEARCH_BIN := $(BUILD)/axsearch-mpi
$(MPI_OBJ): | mpi-deps
else
AXSEARCH_BIN := $(BUILD)/axsearch
endif

# Replaced by rename, so a running ./axsearch (a long search) is no obstacle.
axsearch: $(AXSEARCH_BIN)
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
# With Open MPI installed, the MPI build too: tests/test_mpi.c runs it
# under mpirun (MPI_TESTS=0 leaves it out, as the sanitizer builds do:
# Open MPI's own allocations are not theirs to judge).
MPI_TESTS ?= $(HAVE_MPI)
test: check-deps check
	@$(MAKE) --no-print-directory $(BUILD)/axsearch $(TEST_BIN) $(if $(filter 1,$(MPI_TESTS)),$(BUILD)/axsearch-mpi)
	@AXSEARCH=$(abspath $(BUILD)/axsearch) $(if $(filter 1,$(MPI_TESTS)),AXSEARCH_MPI=$(abspath $(BUILD)/axsearch-mpi)) \
	    util/run_tests.sh $(TEST_BIN)

asan: check-deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 MPI_TESTS=0 \
	    EXTRA_CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    test

# The OpenMP paths under ThreadSanitizer (build-tsan/): clang with LLVM's
# OpenMP runtime and its Archer tool (libomp-14-dev), which tells TSan
# about OpenMP's barriers, locks and reductions through OMPT, so no
# suppression file is needed; ignore_noninstrumented_modules keeps TSan
# out of the runtime's own (uninstrumented) internals, as Archer asks. The tests that run threads: the emulator and its
# prefix cache, the fitness batch, accuracy recovery, NSGA-II, and whole
# searches with 1 to 4 threads through the program built with TSan
# (test_search's thread-invariance test; AX_TEST_FILTER picks it).
TSAN_TESTS := test_emu test_pcache test_fit test_recover test_nsga test_search
TSAN_LIB   := /usr/lib/llvm-14/lib
TSAN_ENV   := OMP_TOOL_LIBRARIES=$(TSAN_LIB)/libarcher.so LD_LIBRARY_PATH=$(TSAN_LIB) \
    TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 ignore_noninstrumented_modules=1"
tsan: check-deps
	@util/deps.sh --fuzz
	@$(MAKE) --no-print-directory BUILD=build-tsan CC=clang OPT=-O1 \
	    EXTRA_CFLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
	    build-tsan/axsearch $(TSAN_TESTS:%=build-tsan/tests/%)
	@clang -O1 -g -fopenmp -fsanitize=thread -o build-tsan/tsan_selftest tests/tsan_selftest.c
	@$(TSAN_ENV) build-tsan/tsan_selftest > /dev/null 2> build-tsan/tsan_selftest.log; \
	    if [ $$? -eq 66 ] && [ $$(grep -c 'WARNING: ThreadSanitizer' build-tsan/tsan_selftest.log) -eq 1 ]; then \
	        echo "tsan: the planted race is reported, the reduction is not"; \
	    else echo "tsan: the self-test failed (build-tsan/tsan_selftest.log)"; exit 1; fi
	@$(TSAN_ENV) AX_TEST_FILTER=threads_give_identical_files AXSEARCH=$(abspath build-tsan/axsearch) \
	    util/run_tests.sh $(TSAN_TESTS:%=build-tsan/tests/%)

# A short search (tests/valgrind.ini), resumed for one more generation,
# then plotted, each under memcheck: any invalid access, use of an
# uninitialised value or definite/indirect leak fails it. (gnuplot, a
# child of plot, is not traced.)
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
valgrind: check-deps
	@util/deps.sh --valgrind
	@$(MAKE) --no-print-directory $(BUILD)/axsearch
	@rm -rf $(BUILD)/valgrind-run
	$(VALGRIND) $(BUILD)/axsearch search tests/valgrind.ini --out $(BUILD)/valgrind-run > /dev/null
	$(VALGRIND) $(BUILD)/axsearch resume $(BUILD)/valgrind-run --gens 3 > /dev/null
	$(VALGRIND) $(BUILD)/axsearch plot $(BUILD)/valgrind-run > /dev/null 2> $(BUILD)/valgrind-plot.log || \
	    { cat $(BUILD)/valgrind-plot.log; exit 1; }
	@echo "valgrind: search, resume and plot ran clean"

bench: check-deps
	@$(MAKE) --no-print-directory $(BUILD)/axsearch $(BENCH_BIN) $(if $(HAVE_MPI),$(BUILD)/axsearch-mpi)
	@for b in $(BENCH_BIN); do echo "== $$b"; AXSEARCH=$(abspath $(BUILD)/axsearch) \
	    $(if $(HAVE_MPI),AXSEARCH_MPI=$(abspath $(BUILD)/axsearch-mpi)) $$b || exit 1; done

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

# Colour Fashion-MNIST as CIFAR-10 batches (configs/colour_quick.ini reads
# it): python3-numpy and the dataset package only.
colour-data: check-deps
	@util/deps.sh --numpy
	/usr/bin/python3 models/colour_fmnist.py runs/data/cfmnist

clean:
	rm -rf build build-asan build-tsan build-fuzz axsearch

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(MAIN_OBJ:.o=.d) $(MPI_OBJ:.o=.d) $(TEST_BIN:=.d) $(BENCH_BIN:=.d) $(TEST_SUPPORT_OBJ:.o=.d) \
    $(FUZZ_SRC:%.c=$(BUILD)/%.d) $(BUILD)/tests/fuzz/fuzz_support.d
