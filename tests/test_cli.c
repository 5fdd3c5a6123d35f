/* test_cli.c - the socklab command: help, usage errors (exit 2), runtime errors (exit 1). */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "demos/cli.h"
#include "tests/support/helpers.h"

TestSuite(cli, .timeout = 60);

/* Runs socklab with up to 7 arguments; the test fails if it cannot be started. */
#define RUN(r, ...)                                                                \
	do {                                                                       \
		const char *argv_[] = { "socklab", __VA_ARGS__, NULL };            \
		cr_assert_eq(test_run(argv_, NULL, 0, (r)), 0, "could not run socklab"); \
	} while (0)

/* Exactly one line, ending in a newline. */
static int one_line(const struct run_result *r)
{
	return r->errlen > 0 && strchr(r->err, '\n') == r->err + r->errlen - 1;
}

Test(cli, help_and_version)
{
	struct run_result r;

	for (int k = 0; k < 2; k++) {
		RUN(&r, k ? "-h" : "--help");
		cr_expect_eq(r.status, 0);
		cr_expect_str_eq(r.err, "");
		cr_expect(strstr(r.out, "usage: socklab"), "%s", r.out);
		for (size_t c = 0; commands[c]; c++)
			cr_expect(strstr(r.out, commands[c]->name), "--help does not list %s", commands[c]->name);
		for (size_t i = 0; transport_registry[i]; i++)
			cr_expect(strstr(r.out, transport_registry[i]->summary), "--help does not list %s",
				  transport_registry[i]->scheme);
		test_run_free(&r);
	}
	RUN(&r, "--version"); /* GNU's first line: the name and the version (tests/test_version.c: the rest) */
	cr_expect_eq(r.status, 0);
	cr_expect(strncmp(r.out, "socklab " SOCKLAB_VERSION "\n", strlen("socklab " SOCKLAB_VERSION "\n")) == 0, "%s",
		  r.out);
	cr_expect_str_eq(r.err, "");
	test_run_free(&r);
	/* No command at all: the usage, on stderr, as an error. */
	const char *argv[] = { "socklab", NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "usage: socklab"));
	cr_expect_str_eq(r.out, "");
	test_run_free(&r);
}

static size_t command_count(void)
{
	size_t n = 0;
	while (commands[n])
		n++;
	return n;
}

ParameterizedTestParameters(cli, command_help)
{
	static size_t idx[64];
	for (size_t i = 0; i < command_count() && i < 64; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, command_count());
}

/* Every subcommand, present and future: --help exits 0 with its usage; an unknown option exits 2 naming it. */
ParameterizedTest(size_t *i, cli, command_help)
{
	const char *name = commands[*i]->name;
	char usage[64];
	struct run_result r;

	snprintf(usage, sizeof usage, "usage: socklab %s", name);
	RUN(&r, name, "--help");
	cr_expect_eq(r.status, 0, "%s --help: exit %d", name, r.status);
	cr_expect(strncmp(r.out, usage, strlen(usage)) == 0, "%s --help printed:\n%s", name, r.out);
	cr_expect_str_eq(r.err, "");
	test_run_free(&r);
	RUN(&r, name, "--no-such-option", "tcp://127.0.0.1:5555");
	cr_expect_eq(r.status, 2, "%s: exit %d", name, r.status);
	cr_expect(one_line(&r), "%s: not one line:\n%s", name, r.err);
	cr_expect(strstr(r.err, "'--no-such-option'"), "%s: the option is not named: %s", name, r.err);
	test_run_free(&r);
}

static const struct usage_case {
	const char *argv[6];
	const char *why;
} usage_cases[] = {
	{ { "frobnicate" }, "socklab: unknown command 'frobnicate' (see 'socklab --help')" },
	{ { "--frob", "echo-client" }, "socklab: unknown option '--frob'" },
	{ { "echo-client" }, "socklab: echo-client: missing ENDPOINT (see 'socklab echo-client --help')" },
	{ { "echo-server" }, "socklab: echo-server: missing ENDPOINT" },
	{ { "echo-server", "tcp://127.0.0.1:0", "extra" }, "socklab: echo-server: too many arguments" },
	{ { "echo-client", "tpc://127.0.0.1:5555", "hi" },
	  "socklab: echo-client: bad endpoint 'tpc://127.0.0.1:5555': unknown scheme 'tpc'" },
	{ { "echo-server", "tcp://127.0.0.1" }, "bad endpoint 'tcp://127.0.0.1': missing port" },
	{ { "echo-client", "tcp://127.0.0.1:0", "hi" }, "port 0 is out of range 1..65535" },
	{ { "echo-client", "udp://:5555", "hi" }, "missing host" },
	{ { "echo-server", "tcp://127.0.0.1:70000" }, "port 70000 is out of range 1..65535" },
	{ { "echo-server", "unix:" }, "missing path after 'unix:'" },
	{ { "echo-client", "tcp://[::1:5555", "hi" }, "unterminated '['" },
	{ { "echo-client", "--timeout", "soon", "udp://127.0.0.1:9", "hi" },
	  "--timeout takes a number of seconds, not 'soon'" },
	{ { "echo-client", "--timeout" }, "'--timeout'" },
	{ { "echo-server", "--poller", "select", "tcp://127.0.0.1:0" }, "--poller takes poll or epoll, not 'select'" },
	{ { "echo-server", "--idle", "0", "udp://127.0.0.1:0" }, "--idle takes a number of seconds" },
};

ParameterizedTestParameters(cli, usage_errors)
{
	static size_t idx[sizeof usage_cases / sizeof usage_cases[0]];
	for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, sizeof idx / sizeof idx[0]);
}

/* Usage and endpoint errors: exit 2, nothing on stdout, one line on stderr that says what is wrong. */
ParameterizedTest(size_t *i, cli, usage_errors)
{
	const struct usage_case *c = &usage_cases[*i];
	const char *argv[8] = { "socklab" };
	struct run_result r;

	for (int k = 0; k < 6 && c->argv[k]; k++)
		argv[k + 1] = c->argv[k];
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 2, "%s ...: exit %d", c->argv[0], r.status);
	cr_expect(one_line(&r), "%s ...: not one line:\n%s", c->argv[0], r.err);
	cr_expect(strstr(r.err, c->why), "%s ...: \"%s\" does not say \"%s\"", c->argv[0], r.err, c->why);
	cr_expect_str_eq(r.out, "");
	test_run_free(&r);
}

/*
 * An address where nothing answers, held by the test: a unix socket file
 * nobody listens on, or an inet port bound but not listening (connect is
 * refused) or not reading (a datagram vanishes). Returns the descriptor to close.
 */
static int nobody_there(const struct transport *t, const char *dir, char *ep, size_t len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl = sizeof(struct sockaddr_in);
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
	/* A protocol socklab runs in user space is made of UDP datagrams: its port is a UDP one. */
	int type = transport_in_user_space(t) ? SOCK_DGRAM : t->type;
	int fd = socket(transport_has_socket_file(t) ? AF_UNIX : AF_INET, type, 0);

	cr_assert(fd >= 0);
	if (transport_has_socket_file(t)) {
		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof sun->sun_path, "%s/nobody.sock", dir);
		sl = sizeof *sun;
	} else {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	}
	cr_assert_eq(bind(fd, (struct sockaddr *)&ss, sl), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	if (transport_has_socket_file(t)) {
		snprintf(ep, len, "%s:%s", t->scheme, sun->sun_path);
		close(fd); /* the file stays: a stale socket */
		return -1;
	}
	snprintf(ep, len, "%s://127.0.0.1:%u", t->scheme, (unsigned)ntohs(sin->sin_port));
	return fd;
}

ParameterizedTestParameters(cli, nobody_there)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Nobody answers: exit 1 and one line that says why, with the hint a learner needs. Fast with --timeout 0.2. */
ParameterizedTest(size_t *i, cli, nobody_there)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[192], expect[320];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	int fd = nobody_there(t, dir, ep, sizeof ep);
	/* The hint follows the facts: a stale socket file is not an ICMP error, nor a missing TCP listener. */
	if (transport_has_socket_file(t))
		snprintf(expect, sizeof expect,
			 "socklab: echo-client: %s to %s: connection refused (the socket file is there, but no socket "
			 "has it open: its server stopped)\n", transport_is_connected(t) ? "connect" : "send", ep);
	else if (transport_in_user_space(t)) /* a UDP socket that never reads: the SYN waits in it, unanswered */
		snprintf(expect, sizeof expect,
			 "socklab: echo-client: connect to %s: connection timed out (no rdt server answered the handshake", ep);
	else if (transport_is_connected(t))
		snprintf(expect, sizeof expect,
			 "socklab: echo-client: connect to %s: connection refused (is a server listening?)\n", ep);
	else
		snprintf(expect, sizeof expect,
			 "socklab: echo-client: reply from %s: no reply within the timeout (a datagram can be lost", ep);
	long long t0 = sys_now_ms();
	RUN(&r, "echo-client", "--timeout", "0.2", ep, "anyone?");
	long long ms = sys_now_ms() - t0;
	cr_expect_eq(r.status, 1, "%s: exit %d: %s", t->scheme, r.status, r.err);
	cr_expect(one_line(&r), "%s: not one line:\n%s", t->scheme, r.err);
	cr_expect(strncmp(r.err, expect, strlen(expect)) == 0, "%s:\n got: %s want: %s", t->scheme, r.err, expect);
	cr_expect_str_eq(r.out, "");
	cr_expect(ms < 2000, "%s: %lld ms, for a 0.2 s timeout", t->scheme, ms);
	if (!(t->flags & (TRANSPORT_CONNECTED | TRANSPORT_RELIABLE)))
		cr_expect(ms >= 150, "%s: gave up after %lld ms, before the 0.2 s timeout", t->scheme, ms);
	test_run_free(&r);
	if (fd >= 0)
		close(fd);
	test_rmdir(dir);
}

Test(cli, no_socket_file)
{
	struct run_result r;

	RUN(&r, "echo-client", "unix:/nonexistent/echo.sock", "hi");
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, "socklab: echo-client: connect to unix:/nonexistent/echo.sock: no such file or directory "
				"(no socket file at that path: is the server running?)\n");
	test_run_free(&r);
	RUN(&r, "echo-server", "unixgram:/nonexistent/echo.sock");
	cr_expect_eq(r.status, 1);
	cr_expect(one_line(&r) && strstr(r.err, "listen on unixgram:/nonexistent/echo.sock: no such file or directory"),
		  "%s", r.err);
	test_run_free(&r);
}

Test(cli, trace_refused)
{
	char ep[192], want[256];
	struct run_result r;
	int fd = nobody_there(transport_find("tcp", 3), "/tmp", ep, sizeof ep);

	RUN(&r, "--trace", "echo-client", ep, "hi");
	cr_expect_eq(r.status, 1);
	snprintf(want, sizeof want, "trace: connect(3, %s) = -1 ECONNREFUSED (connection refused)", ep + 6);
	cr_expect(strstr(r.err, want), "no \"%s\" in:\n%s", want, r.err);
	test_run_free(&r);
	close(fd);
}

