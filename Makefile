# socklab - build, test and demonstrate. `make demo` and `make test` are all the set-up there is.

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    := -std=c11 -Wall -Wextra -Werror
CPPFLAGS += -D_POSIX_C_SOURCE=200809L
ifeq ($(shell uname -s),Darwin)
CPPFLAGS += -D_DARWIN_C_SOURCE
endif

# make SANITIZE=1: AddressSanitizer and UndefinedBehaviorSanitizer, in a build directory of their own.
ifeq ($(SANITIZE),1)
B       := build/sanitize
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
B       := build
endif

LIB_SRC  := $(wildcard core/*.c transports/*.c)
DEMO_SRC := $(wildcard demos/*.c)
TEST_SRC := $(wildcard tests/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/obj/%.o)
DEMO_OBJ := $(DEMO_SRC:%.c=$(B)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(B)/obj/%.o)
# The tests call the demos' helpers too, but not their main().
TEST_DEMO_OBJ := $(filter-out $(B)/obj/demos/main.o,$(DEMO_OBJ))

.PHONY: all test demo deps clean
all: $(B)/socklab

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/libsocklab.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(B)/socklab: $(DEMO_OBJ) $(B)/libsocklab.a
	$(CC) $(LDFLAGS) -o $@ $(DEMO_OBJ) $(B)/libsocklab.a

$(B)/socklab-tests: $(TEST_OBJ) $(TEST_DEMO_OBJ) $(B)/libsocklab.a
	$(CC) $(LDFLAGS) -o $@ $(TEST_OBJ) $(TEST_DEMO_OBJ) $(B)/libsocklab.a -lcriterion -lpthread

# Installs what the tests need (as root on Debian), or says how.
deps:
	@sh tests/deps.sh

# Every test, over real sockets. SOCKLAB is the program under test.
test: deps
	@$(MAKE) --no-print-directory $(B)/socklab $(B)/socklab-tests
	SOCKLAB=$(CURDIR)/$(B)/socklab $(B)/socklab-tests --jobs 2

demo: $(B)/socklab
	@sh demos/demo.sh $(B)/socklab

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(DEMO_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
