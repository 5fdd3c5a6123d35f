/* test_process.c - socklab as a process: descriptors 0-2 closed, standard output that fails, stop signals twice and SIGHUP. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/cli.h"
#include "tests/support/robust.h"

TestSuite(process, .timeout = 60);

/* Runs a /bin/sh line with $0 the program under test and $1 arg. */
static void shell(const char *line, const char *arg, struct run_result *r)
{
	const char *argv[] = { "sh", "-c", line, test_socklab(), arg, NULL };

	cr_assert_eq(test_run(argv, NULL, 0, r), 0);
}

/* "stopped after 1 client, 3 bytes in, ...": the bytes the server received, from its last words. */
static long bytes_in(const char *log)
{
	const char *p = strstr(log, "client, ");

	return p ? strtol(p + 8, NULL, 10) : -1;
}

ParameterizedTestParameters(process, closed_stdout_is_never_the_socket)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * echo-client started with standard output closed: its socket would take
 * descriptor 1, and the reply would be "printed" back into the socket. It
 * must fail to print, say so, and the server must get the message once.
 */
ParameterizedTest(size_t *i, process, closed_stdout_is_never_the_socket)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64], ep[160];

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "echo", ep, sizeof ep);
	const char *argv[] = { "socklab", "echo-server", ep, NULL };
	cr_assert_eq(test_server_start(&srv, argv), 0);
	shell("exec \"$0\" echo-client \"$1\" hi >&-", srv.endpoint, &r);
	cr_expect_eq(r.status, 1, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect(strstr(r.err, "socklab: echo-client: write standard output: bad file descriptor"), "%s: %s", t->scheme, r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	/* "hi" once: 2 bytes on a message transport, 3 with the newline on a stream; never the echo of the echo. */
	cr_expect_eq(bytes_in(srv.errtext), transport_keeps_boundaries(t) ? 2 : 3, "%s: %s", t->scheme, srv.errtext);
	test_rmdir(dir);
}

/* With standard input closed, the commands that read it fail at once: none reads its own socket as input. */
Test(process, closed_stdin_fails_at_once)
{
	static const char *const lines[] = {
		"exec \"$0\" send \"$1\" <&-",
		"exec \"$0\" echo-client \"$1\" <&-",
		"exec \"$0\" chat-client --timeout 5 \"$1\" <&-",
	};
	static const char *const says[] = { "socklab: send: read the input: bad file descriptor",
					    "socklab: echo-client: read standard input: bad file descriptor",
					    "socklab: chat-client: " };
	struct test_server srv;
	struct run_result r;
	char dir[64], ep[160];

	test_tmpdir(dir, sizeof dir);
	snprintf(ep, sizeof ep, "unix:%s/chat.sock", dir);
	const char *argv[] = { "socklab", "chat-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&srv, argv), 0);
	for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
		shell(lines[k], srv.endpoint, &r);
		cr_expect_eq(r.status, 1, "%s: exit %d: %s", lines[k], r.status, r.err);
		cr_expect(strstr(r.err, says[k]), "%s: %s", lines[k], r.err);
		test_run_free(&r);
	}
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/* With all three closed: exit codes still say what happened, and nothing lands on a socket. */
Test(process, all_three_closed)
{
	struct test_server srv;
	struct run_result r;

	char dir[64];
	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, transport_find("unix", 4), dir), 0);
	shell("\"$0\" echo-client \"$1\" hi <&- >&- 2>&-; echo \"exit $?\"", srv.endpoint, &r);
	cr_expect_str_eq(r.out, "exit 1\n", "%s", r.err);
	test_run_free(&r);
	shell("\"$0\" --version <&- >&- 2>&-; echo \"exit $?\"", srv.endpoint, &r);
	cr_expect_str_eq(r.out, "exit 1\n");
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/* A /bin/sh line per command that prints data on standard output, here /dev/full ($1: a directory with servers). */
static const char *const full_lines[] = {
	"exec \"$0\" --help >/dev/full",
	"exec \"$0\" --version >/dev/full",
	"exec \"$0\" echo-client \"unix:$1/echo.sock\" hi >/dev/full",
	"printf 'hi\\nstop\\n' | \"$0\" chat-client \"unix:$1/chat.sock\" >/dev/full",
	"exec \"$0\" load --clients 2 --messages 3 \"unix:$1/echo.sock\" >/dev/full",
	"exec \"$0\" load --json --clients 2 --messages 3 \"unix:$1/echo.sock\" >/dev/full",
	"exec \"$0\" contrast --transports unix,udp --scenarios boundaries >/dev/full",
	"exec \"$0\" pitfalls two-messages >/dev/full",
	"exec \"$0\" pitfalls stale-socket-file >/dev/full",
	"exec \"$0\" bench --transports unix --test rtt --seconds 0.01 >/dev/full",
	/* recv with the data on standard output; its "listening" line comes on stderr, through a fifo. */
	("mkfifo \"$1/f\"; \"$0\" recv \"unix:$1/r.sock\" >/dev/full 2>\"$1/f\" & exec 3<\"$1/f\"; read line <&3;"
	 " \"$0\" send \"unix:$1/r.sock\" /etc/passwd 2>/dev/null; wait $!; rc=$?; cat <&3 >&2; exit $rc"),
};

/* Every command, told that standard output is full, fails with one line that says so. */
Test(process, stdout_full_fails_every_command)
{
	struct test_server echo, chat;
	struct run_result r;
	char dir[64], ep[160], line[256];

	test_tmpdir(dir, sizeof dir);
	snprintf(ep, sizeof ep, "unix:%s/echo.sock", dir);
	const char *e[] = { "socklab", "echo-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&echo, e), 0);
	snprintf(ep, sizeof ep, "unix:%s/chat.sock", dir);
	const char *c[] = { "socklab", "chat-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&chat, c), 0);
	for (size_t k = 0; k < sizeof full_lines / sizeof full_lines[0]; k++) {
		shell(full_lines[k], dir, &r);
		cr_expect_eq(r.status, 1, "%s: exit %d: %s", full_lines[k], r.status, r.err);
		cr_expect(strstr(r.err, ": no space left on device"), "%s: %s", full_lines[k], r.err);
		test_run_free(&r);
	}
	for (const struct command *cmd = commands; cmd->name; cmd++) {
		snprintf(line, sizeof line, "exec \"$0\" %s --help >/dev/full", cmd->name);
		shell(line, dir, &r);
		cr_expect_eq(r.status, 1, "%s --help: exit %d", cmd->name, r.status);
		snprintf(line, sizeof line, "socklab: %s: write standard output: no space left on device\n", cmd->name);
		cr_expect_str_eq(r.err, line, "%s --help", cmd->name);
		test_run_free(&r);
	}
	cr_expect_eq(test_server_stop(&echo, SIGTERM), 0);
	cr_expect_eq(test_server_stop(&chat, SIGTERM), 0);
	test_rmdir(dir);
}
