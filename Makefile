# socklab - build, test and demonstrate. `make demo` and `make test` are all the set-up there is.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror
# -I.: every #include names its file from the top of the tree ("core/sys/sys.h"), or by its bare name within one folder.
CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L
ifeq ($(shell uname -s),Darwin)
CPPFLAGS += -D_DARWIN_C_SOURCE
endif

# make SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer, in a build directory of their own.
ifeq ($(SANITIZE),1)
B       := build/sanitize
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
# Reports go to files, one per process, and `make test` fails when any was written: a leak found as
# a test process exits does not fail that test, and a report on a demo's stderr would only confuse
# the test that reads it.
SAN_LOGS = $(CURDIR)/$(B)/sanitizer-logs
export ASAN_OPTIONS = log_path=$(SAN_LOGS)/asan:detect_stack_use_after_return=1:strict_string_checks=1
export UBSAN_OPTIONS = log_path=$(SAN_LOGS)/ubsan:print_stacktrace=1
export LSAN_OPTIONS = suppressions=$(CURDIR)/tests/support/lsan.supp:print_suppressions=0
SAN_PREP = @rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
SAN_CHECK = ; rc=$$?; if ls $(SAN_LOGS)/* >/dev/null 2>&1; then cat $(SAN_LOGS)/*; \
	echo "sanitizer reports above, kept in $(SAN_LOGS)"; rc=1; fi; exit $$rc
else
B       := build
endif

LIB_SRC  := $(wildcard core/*.c core/*/*.c transports/*.c transports/*/*.c)
DEMO_SRC := $(wildcard demos/*.c demos/*/*.c)
TEST_SRC := $(wildcard tests/*.c tests/*/*.c)
# The fuzz targets' bodies too, so that the tests replay their corpora (tests/test_fuzz.c); not libFuzzer's entry.
TEST_SRC += $(filter-out fuzz/entry.c,$(wildcard fuzz/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
DEMO_OBJ := $(DEMO_SRC:%.c=$(B)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(B)/obj/%.o)
# The tests call the demos' helpers too, but not their main().
TEST_DEMO_OBJ := $(filter-out $(B)/obj/demos/main.o,$(DEMO_OBJ))

.PHONY: all test demo deps clean fuzz valgrind loadcheck lab
all: $(B)/socklab

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libsocklab.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/socklab: $(DEMO_OBJ) $(B)/libsocklab.a
	$(CC) $(LDFLAGS) -o $@ $(DEMO_OBJ) $(B)/libsocklab.a -lpthread -lm

$(B)/socklab-tests: $(TEST_OBJ) $(TEST_DEMO_OBJ) $(B)/libsocklab.a
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(TEST_DEMO_OBJ) $(B)/libsocklab.a -lcriterion -lpthread -lm

# Installs what the tests need (as root on Debian), or says how.
deps:
	@sh tests/support/deps.sh

# Every test, over real sockets. SOCKLAB is the program under test.
test: deps
	@$(MAKE) --no-print-directory $(B)/socklab $(B)/socklab-tests
	$(SAN_PREP)
	SOCKLAB=$(CURDIR)/$(B)/socklab $(B)/socklab-tests --jobs 2 $(SAN_CHECK)

demo: $(B)/socklab
	@sh demos/demo.sh $(B)/socklab

# The real thing, as root: a network namespace whose loopback drops LOSS% of the packets (nftables),
# and socklab contrast and send/recv inside it. Without root it says what it needs and fails. As root it
# installs what it needs when missing (iproute2, nftables) and nothing else; see docs/lab.md.
LOSS ?= 10
lab: $(B)/socklab
	@if [ "$$(id -u)" = 0 ]; then sh tests/support/deps.sh iproute2:ip nftables:nft; fi
	@sh demos/lab.sh $(B)/socklab $(LOSS)

clean:
	rm -rf build

# make fuzz: every libFuzzer target in fuzz/ for FUZZ_SECONDS at once (make fuzz FUZZ_SECONDS=600 for
# longer), under ASan and UBSan, from fuzz/corpus/NAME and fuzz/regressions/NAME. Needs clang.
FUZZ_CC      ?= $(firstword $(shell command -v clang-14 clang 2>/dev/null))
FUZZ_SECONDS ?= 20
FUZZ_B        = $(B)/fuzz
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
# Each target is fuzz/fuzz_NAME.c, whose function is fuzz_NAME: its seeds are fuzz/corpus/NAME.
FUZZ_NAMES   := $(patsubst fuzz_%,%,$(basename $(notdir $(wildcard fuzz/fuzz_*.c))))
# The targets' bodies, and the demos' pure parsers they feed (chat_proto.c, transfer_proto.c).
FUZZ_OBJ      = $(patsubst %.c,$(B)/obj/%.o,$(filter-out fuzz/entry.c,$(wildcard fuzz/*.c)) $(wildcard demos/*/*_proto.c))

fuzz: deps
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_CFLAGS)" SANITIZE= $(FUZZ_NAMES:%=$(FUZZ_B)/fuzz-%)
	@sh fuzz/run.sh $(FUZZ_B) $(FUZZ_SECONDS) $(FUZZ_NAMES)

# The protocols of the commands (demos/chat/chat_proto.c, demos/transfer/transfer_proto.c...) are fuzzed too: link
# every command's objects, as the tests do, but not main().
$(B)/fuzz-%: fuzz/entry.c $(FUZZ_OBJ) $(TEST_DEMO_OBJ) $(B)/libsocklab.a
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -fsanitize=fuzzer -DFUZZ_TARGET=fuzz_$* $< $(FUZZ_OBJ) $(TEST_DEMO_OBJ) $(B)/libsocklab.a -lpthread -lm -o $@

# make valgrind: the demos under valgrind's memcheck, run by the test suites named in VALGRIND_SUITES;
# fails on any error or leak (tests/support/valgrind.sh). The suites in VALGRIND_FD_SUITES run with
# --track-fds=yes too, and fail on a descriptor socklab (or a process it forked) left open at exit.
VALGRIND_SUITES ?= echo badinput files modes signals stale transfer_truth
VALGRIND_FD_SUITES ?= fdpass creds socketpair multicast pitfalls_fds
valgrind: deps
	@$(MAKE) --no-print-directory $(B)/socklab $(B)/socklab-tests
	@sh tests/support/valgrind.sh $(CURDIR)/$(B) $(VALGRIND_SUITES) -- $(VALGRIND_FD_SUITES)

# make loadcheck: the load test at full size on every transport, 1,000 clients x 1,000 messages each.
loadcheck: deps
	@$(MAKE) --no-print-directory $(B)/socklab $(B)/socklab-tests
	SOCKLAB_LOADCHECK=full SOCKLAB=$(CURDIR)/$(B)/socklab $(B)/socklab-tests --filter 'loadcheck/*' --jobs 1

-include $(LIB_OBJ:.o=.d) $(DEMO_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
