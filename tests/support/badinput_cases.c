/* badinput_cases.c - the bad invocations test_badinput.c runs, one a line: add a case by adding a line. */
#include "robust.h"

/*
 * Each case says how socklab must fail: its exit code, and words the one line
 * on standard error must hold (struct bad_case in robust.h; placeholders such
 * as {dir} are filled in by the test). A case for a command that is not built
 * (yet) is skipped, not failed.
 */

/* A socklab command line, and a shell line (for redirections): the exit code, and what the line says. */
#define RUN(status, says, ...) { { __VA_ARGS__ }, status, says, NULL }
#define SHELL(status, says, line) { { NULL }, status, says, line }

const struct bad_case bad_cases[] = {
	/* the program itself */
	RUN(2, "unknown option '--bogus'", "--bogus"),
	RUN(2, "unknown command 'frobnicate'", "frobnicate"),
	RUN(2, "unknown command", "{huge}"),
	/* echo-server: options and arguments */
	RUN(2, "missing ENDPOINT", "echo-server"),
	RUN(2, "too many arguments", "echo-server", "tcp://127.0.0.1:0", "extra"),
	RUN(2, "unknown option '--bogus'", "echo-server", "--bogus", "tcp://127.0.0.1:0"),
	RUN(2, "unknown option '-z'", "echo-server", "-z", "tcp://127.0.0.1:0"),
	RUN(2, "option '--poller' needs a value", "echo-server", "--poller"),
	RUN(2, "'kqueue'", "echo-server", "--poller", "kqueue", "tcp://127.0.0.1:0"),
	RUN(2, "'--quiet' takes no value", "echo-server", "--quiet=yes", "tcp://127.0.0.1:0"),
	RUN(2, "--idle takes a number of seconds", "echo-server", "--idle", "-1", "tcp://127.0.0.1:0"),
	RUN(2, "'888'", "echo-server", "--mode", "888", "unix:{dir}/s.sock"),
	RUN(2, "'1777'", "echo-server", "--mode", "1777", "unix:{dir}/s.sock"),
	RUN(2, "--mode applies to a unix socket file", "echo-server", "--mode", "666", "tcp://127.0.0.1:0"),
	RUN(2, "--mode applies to a unix socket file", "echo-server", "--mode", "666", "unix:@socklab-badinput"),
	/* echo-server: malformed endpoints */
	RUN(2, "empty endpoint", "echo-server", ""),
	RUN(2, "unknown scheme 'tpc'", "echo-server", "tpc://127.0.0.1:0"),
	RUN(2, "missing scheme", "echo-server", "garbage"),
	RUN(2, "missing scheme", "echo-server", "://127.0.0.1:0"),
	RUN(2, "the most is 1024", "echo-server", "{huge}"),
	RUN(2, "missing port", "echo-server", "tcp://127.0.0.1"),
	RUN(2, "missing port", "echo-server", "tcp://127.0.0.1:"),
	RUN(2, "expected '//'", "echo-server", "tcp:127.0.0.1:0"),
	RUN(2, "port 'http' is not a number", "echo-server", "tcp://127.0.0.1:http"),
	RUN(2, "is not a number", "echo-server", "udp://127.0.0.1:-1"),
	RUN(2, "out of range", "echo-server", "tcp://127.0.0.1:65536"),
	RUN(2, "out of range", "echo-server", "tcp://127.0.0.1:99999999999999999999"),
	RUN(2, "after the port", "echo-server", "tcp://127.0.0.1:0/x"),
	RUN(2, "unterminated '['", "echo-server", "tcp://[::1:5555"),
	RUN(2, "expected ':' after ']'", "echo-server", "tcp://[::1]5555"),
	RUN(2, "empty IPv6 address", "echo-server", "udp://[]:5555"),
	RUN(2, "needs brackets", "echo-server", "tcp://::1:5555"),
	RUN(2, "a character a host name cannot have", "echo-server", "tcp://bad host:1"),
	RUN(2, "host name is 300 characters", "echo-server", "tcp://{long}:1"),
	RUN(2, "'bogus'", "echo-server", "tcp://127.0.0.1:0?bogus=1"),
	RUN(2, "missing path", "echo-server", "unix:"),
	RUN(2, "missing abstract name", "echo-server", "unixgram:@"),
	RUN(2, "a unix endpoint has no host", "echo-server", "unix://host/x.sock"),
	RUN(2, "sun_path holds at most", "echo-server", "unix:{dir}/{long}"),
	RUN(2, "sun_path holds at most", "echo-server", "unixpacket:@{long}"),
	/* echo-server: failures at run time */
	RUN(1, "no such file or directory", "echo-server", "unix:{dir}/missing/s.sock"),
	RUN(1, "not a socket", "echo-server", "unixgram:{dir}/file"),
	RUN(1, "not a socket", "echo-server", "unixpacket:{dir}"),
	RUN(1, "address already in use", "echo-server", "tcp://127.0.0.1:{busy}"),
	/* echo-client */
	RUN(2, "missing ENDPOINT", "echo-client"),
	RUN(2, "missing host", "echo-client", "tcp://:5555"),
	RUN(2, "port 0", "echo-client", "tcp://127.0.0.1:0"),
	RUN(2, "option '--timeout' needs a value", "echo-client", "--timeout"),
	RUN(2, "'soon'", "echo-client", "--timeout", "soon", "tcp://127.0.0.1:1"),
	RUN(2, "'1e9'", "echo-client", "--timeout", "1e9", "tcp://127.0.0.1:1"),
	RUN(1, "connection refused", "echo-client", "tcp://127.0.0.1:{refused}", "hi"),
	RUN(1, "no such file or directory", "echo-client", "unix:{dir}/nobody.sock", "hi"),
	RUN(1, "connection refused", "echo-client", "unixpacket:{dir}/file", "hi"),
	RUN(1, "no such file or directory", "echo-client", "unixgram:{dir}/nobody.sock", "hi"),
	RUN(1, "no reply within the timeout", "echo-client", "--timeout", "0.2", "udp://127.0.0.1:{refused}", "hi"),
	SHELL(1, "read standard input: is a directory", "exec \"$SOCKLAB\" echo-client {echo} < {dir}"),
	SHELL(1, "write standard output: no space left", "exec \"$SOCKLAB\" echo-client {echo} hi > /dev/full"),
	/* load */
	RUN(2, "missing ENDPOINT", "load"),
	RUN(2, "'abc'", "load", "tcp://127.0.0.1:1", "--clients", "abc"),
	RUN(2, "--clients", "load", "tcp://127.0.0.1:1", "--clients", "0"),
	RUN(2, "'10-5'", "load", "tcp://127.0.0.1:1", "--size", "10-5"),
	RUN(2, "--window", "load", "tcp://127.0.0.1:1", "--window", "0"),
	RUN(2, "option '--messages' needs a value", "load", "udp://[::1]:1", "--messages"),
	RUN(1, "connection refused", "load", "tcp://127.0.0.1:{refused}", "--clients", "2"),
	SHELL(1, "write standard output: no space left",
	      "exec \"$SOCKLAB\" load {echo} --clients 2 --messages 2 > /dev/full"),
	/* chat */
	RUN(2, "missing ENDPOINT", "chat-server"),
	RUN(2, "'x'", "chat-server", "--seed", "x", "tcp://127.0.0.1:0"),
	RUN(2, "'9'", "chat-server", "--mode", "9", "unix:{dir}/c.sock"),
	RUN(1, "no such file or directory", "chat-server", "unix:{dir}/missing/c.sock"),
	RUN(2, "missing ENDPOINT", "chat-client"),
	RUN(2, "unterminated '['", "chat-client", "udp://[::1:5555"),
	RUN(1, "connection refused", "chat-client", "tcp://127.0.0.1:{refused}"),
	/* send and recv: files that cannot be read or written */
	RUN(2, "missing ENDPOINT", "send"),
	RUN(2, "too many arguments", "send", "tcp://127.0.0.1:1", "a", "b"),
	RUN(2, "'0'", "send", "--size", "0", "udp://127.0.0.1:1"),
	RUN(2, "'fast'", "send", "--rate", "fast", "tcp://127.0.0.1:1"),
	RUN(1, "open {dir}/missing: no such file or directory", "send", "tcp://127.0.0.1:{refused}", "{dir}/missing"),
	RUN(1, "is a directory", "send", "tcp://127.0.0.1:{refused}", "{dir}"),
	SHELL(1, "read standard input: is a directory", "exec \"$SOCKLAB\" send tcp://127.0.0.1:{refused} < {dir}"),
	RUN(1, "connection refused", "send", "unixpacket:{dir}/file", "{dir}/file"),
	RUN(2, "missing ENDPOINT", "recv"),
	RUN(2, "'lots'", "recv", "--rcvbuf", "lots", "tcp://127.0.0.1:0"),
	RUN(2, "'8'", "recv", "--mode", "8", "unix:{dir}/r.sock"),
	RUN(1, "no such file or directory", "recv", "tcp://127.0.0.1:0", "{dir}/missing/out"),
	RUN(1, "not a socket", "recv", "unix:{dir}/file"),
	RUN(1, "address already in use", "recv", "tcp://127.0.0.1:{busy}"),
	/* pitfalls */
	RUN(2, "missing NAME", "pitfalls"),
	RUN(2, "no pitfall named 'nope'", "pitfalls", "nope"),
	RUN(2, "not udp", "pitfalls", "partial-send", "udp://127.0.0.1:0"),
	RUN(2, "missing port", "pitfalls", "two-messages", "tcp://x"),
	/* bench and contrast */
	RUN(2, "'foo'", "bench", "--transports", "foo"),
	RUN(2, "'nope'", "bench", "--test", "nope"),
	RUN(2, "'-1'", "bench", "--seconds", "-1"),
	RUN(2, "'foo'", "contrast", "--transports", "tcp,foo"),
	RUN(2, "'xml'", "contrast", "--format", "xml"),
	RUN(2, "'nope'", "contrast", "--scenarios", "nope"),
	RUN(2, "drop", "contrast", "--impair", "drop=2"),
};

const size_t bad_case_count = sizeof bad_cases / sizeof bad_cases[0];
