# socklab - build, test and demonstrate. `make demo` and `make test` are all the set-up there is.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror
# -I.: every #include names its file from the top of the tree ("core/sys/sys.h"), or by its bare name within one folder.
CPPFLAGS += -I. -D_POSIX_C_SOURCE=200809L
# What a system hides under _POSIX_C_SOURCE that socklab uses (untested here: see the README's platforms).
UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
CPPFLAGS += -D_DARWIN_C_SOURCE
endif
ifeq ($(UNAME_S),FreeBSD)
CPPFLAGS += -D__BSD_VISIBLE=1
endif
ifeq ($(UNAME_S),NetBSD)
CPPFLAGS += -D_NETBSD_SOURCE
endif
ifeq ($(UNAME_S),OpenBSD)
CPPFLAGS += -D_BSD_SOURCE
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

# musl-gcc searches musl's headers only, and the kernel's (linux/*.h, asm/) are not among them: a directory of links
# to the kernel's own comes after musl's (-idirafter). They are the kernel's uapi headers, written for any libc (Alpine
# ships the same ones to musl as linux-headers); only they are reachable, never a glibc header.
ifneq ($(findstring musl-gcc,$(CC)),)
KERNEL_HEADERS := $(B)/kernel-headers
CPPFLAGS += -idirafter $(KERNEL_HEADERS)
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

.PHONY: all test demo deps clean fuzz valgrind loadcheck lab compare musl generate install install-strip uninstall
all: $(B)/socklab

$(B)/obj/%.o: %.c | $(KERNEL_HEADERS)
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

# make install: the program, its manual page and its completions, where the GNU Coding Standards put them; DESTDIR
# (a staging directory, as a package build uses) is honoured here and in uninstall only:
#   make DESTDIR=/tmp/stage prefix=/usr install
PREFIX          ?= /usr/local
prefix          ?= $(PREFIX)
exec_prefix     ?= $(prefix)
bindir          ?= $(exec_prefix)/bin
datarootdir     ?= $(prefix)/share
mandir          ?= $(datarootdir)/man
man1dir         ?= $(mandir)/man1
bashcompdir     ?= $(datarootdir)/bash-completion/completions
zshcompdir      ?= $(datarootdir)/zsh/site-functions
fishcompdir     ?= $(datarootdir)/fish/vendor_completions.d
INSTALL         ?= install
INSTALL_PROGRAM ?= $(INSTALL)
INSTALL_DATA    ?= $(INSTALL) -m 644
# What install puts where (tests/test_install.c checks the list): the program, then the files `make generate` wrote.
INSTALLED = $(DESTDIR)$(bindir)/socklab $(DESTDIR)$(man1dir)/socklab.1 $(DESTDIR)$(bashcompdir)/socklab \
	$(DESTDIR)$(zshcompdir)/_socklab $(DESTDIR)$(fishcompdir)/socklab.fish

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(man1dir) $(DESTDIR)$(bashcompdir) $(DESTDIR)$(zshcompdir) \
		$(DESTDIR)$(fishcompdir)
	$(INSTALL_PROGRAM) $(B)/socklab $(DESTDIR)$(bindir)/socklab
	$(INSTALL_DATA) man/socklab.1 $(DESTDIR)$(man1dir)/socklab.1
	$(INSTALL_DATA) completions/socklab.bash $(DESTDIR)$(bashcompdir)/socklab
	$(INSTALL_DATA) completions/_socklab $(DESTDIR)$(zshcompdir)/_socklab
	$(INSTALL_DATA) completions/socklab.fish $(DESTDIR)$(fishcompdir)/socklab.fish

install-strip:
	@$(MAKE) --no-print-directory INSTALL_PROGRAM='$(INSTALL_PROGRAM) -s' install

# Removes what install installed, and nothing else (the directories may hold other programs' files).
uninstall:
	rm -f $(INSTALLED)

# make generate: the manual page and the completions, written again from the descriptions the program holds
# (demos/command.h; `socklab --generate man|bash|zsh|fish`). tests/test_generate.c fails when they drift.
GENERATED = man/socklab.1:man completions/socklab.bash:bash completions/_socklab:zsh completions/socklab.fish:fish
generate: $(B)/socklab
	@mkdir -p man completions
	@for g in $(GENERATED); do \
		file=$${g%%:*}; \
		$(B)/socklab --generate $${g#*:} > $$file.new && mv $$file.new $$file && echo "wrote $$file" || exit 1; \
	done

# make musl: socklab built by musl-gcc (Debian's musl-tools) into build/musl, and the whole suite run against it. The
# test binary stays a glibc one (libcriterion is built against glibc): every test runs the program under test,
# SOCKLAB, and that is the musl build.
MUSL_B := build/musl
musl: deps
	@$(MAKE) --no-print-directory $(B)/socklab-tests
	@$(MAKE) --no-print-directory B=$(MUSL_B) CC=musl-gcc SANITIZE= $(MUSL_B)/socklab
	SOCKLAB=$(CURDIR)/$(MUSL_B)/socklab $(B)/socklab-tests --jobs 2

$(B)/kernel-headers:
	@mkdir -p $@
	ln -sfn /usr/include/linux $@/linux
	ln -sfn /usr/include/asm-generic $@/asm-generic
	ln -sfn /usr/include/$(shell $(CC) -print-multiarch)/asm $@/asm

demo: $(B)/socklab
	@sh demos/demo.sh $(B)/socklab

# The real thing, as root: a network namespace whose loopback drops LOSS% of the packets (nftables),
# and socklab contrast and send/recv inside it. Without root it says what it needs and fails. As root it
# installs what it needs when missing (iproute2, nftables) and nothing else; see docs/lab.md.
LOSS ?= 10
lab: $(B)/socklab
	@if [ "$$(id -u)" = 0 ]; then sh tests/support/deps.sh iproute2:ip nftables:nft; fi
	@sh demos/lab.sh $(B)/socklab $(LOSS)

# make compare: socklab beside plain calls, socat, nc, iperf3 and sockperf in one run of interleaved rounds
# (a minute or two each): every ratio with its target, pass or fail (demos/bench/bench_compare.sh; root installs
# iperf3 and sockperf). Measures this machine: not part of make test, nor of CI.
ROUNDS ?= 5
compare: $(B)/socklab
	@sh demos/bench/bench_compare.sh $(B)/socklab $(ROUNDS)

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
