/* test_load_counts.c - socklab load's figures add up: never more lost than sent, what was never sent said apart, --messages 0. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "tests/support/helpers.h"

TestSuite(load_counts, .timeout = 60);

/* A number from load's --json summary: "key":N. */
static long long field(const char *json, const char *key)
{
	char pat[64];
	snprintf(pat, sizeof pat, "\"%s\":", key);
	const char *p = strstr(json, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* Checks the sums every summary must satisfy, whatever happened. */
static void expect_sums(const char *json, long long clients, long long messages, const char *what)
{
	long long sent = field(json, "sent"), echoed = field(json, "echoed"), corrupted = field(json, "corrupted");
	long long lost = field(json, "lost"), unsent = field(json, "unsent");

	cr_expect(sent >= 0 && unsent >= 0, "%s: %s", what, json);
	cr_expect_eq(sent, echoed + corrupted + lost, "%s: sent %lld != echoed %lld + corrupted %lld + lost %lld", what,
		     sent, echoed, corrupted, lost);
	cr_expect_leq(lost, sent, "%s: %lld lost of %lld sent", what, lost, sent);
	cr_expect_eq(sent + unsent, clients * messages, "%s: %lld sent + %lld not sent != %lld", what, sent, unsent,
		     clients * messages);
}

ParameterizedTestParameters(load_counts, server_that_hangs_up)
{
	static size_t idx[8];
	size_t n = 0;

	for (size_t i = 0; transport_registry[i] && n < 8; i++)
		if (transport_is_connected(transport_registry[i]))
			idx[n++] = i;
	return cr_make_param_array(size_t, idx, n);
}

/* The rude server's loop: accept, close, forever. */
static void hang_up_on_all(struct sock *ls, void *ctx)
{
	(void)ctx;
	for (;;) {
		struct sock c;
		if (sock_accept(ls, &c) == 0)
			sock_close(&c);
	}
}

/*
 * A "server" that accepts each client and hangs up at once: every client
 * fails after its first message. Those messages are lost; the 99 each never
 * sent are not, and the summary says so.
 */
ParameterizedTest(size_t *i, load_counts, server_that_hangs_up)
{
	const struct transport *t = transport_registry[*i];
	char dir[64], ep[200];
	struct sock ls;

	test_tmpdir(dir, sizeof dir);
	pid_t pid = test_fork_listener(t, dir, "rude", 16, hang_up_on_all, NULL, &ls, ep, sizeof ep);
	const char *argv[] = { "socklab", "load", "--json", "--clients", "5", "--messages", "100", ep, NULL };
	struct run_result r;
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	cr_expect_eq(r.status, 1, "%s: %s", t->scheme, r.err);
	expect_sums(r.out, 5, 100, t->scheme);
	cr_expect_gt(field(r.out, "unsent"), 0, "%s: %s", t->scheme, r.out);
	test_run_free(&r);
	sock_close(&ls);
	test_rmdir(dir);
}

ParameterizedTestParameters(load_counts, zero_messages)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* --messages 0: every client connects, none sends, and load says so at once, with exit 0. */
ParameterizedTest(size_t *i, load_counts, zero_messages)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64];

	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	const char *argv[] = { "socklab", "load", "--json", "--clients", "20", "--messages", "0", srv.endpoint, NULL };
	long long t0 = sys_now_ms();
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: %s", t->scheme, r.err);
	cr_expect_lt(sys_now_ms() - t0, 2000, "%s: --messages 0 waited", t->scheme);
	cr_expect_eq(field(r.out, "connected"), 20, "%s: %s", t->scheme, r.out);
	expect_sums(r.out, 20, 0, t->scheme);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/* And a good run adds up too: the sums hold when nothing goes wrong. */
Test(load_counts, a_good_run_adds_up)
{
	struct test_server srv;
	struct run_result r;
	char dir[64];

	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, transport_find("unixgram", 8), dir), 0);
	const char *argv[] = { "socklab", "load", "--json", "--clients", "8", "--messages", "50", "--window", "4",
			       srv.endpoint, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	expect_sums(r.out, 8, 50, "unixgram");
	cr_expect_eq(field(r.out, "echoed"), 400, "%s", r.out);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}
