/* test_contrast_truth.c - every contrast cell from the kernel: no stub's errno, what limits each sender, TCP's own figures. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "demos/contrast/contrast.h"
#include "tests/support/helpers.h"

/* A scenario that asks a udp socket to listen: a transport_no_* stub answers, and a cell would show its errno. */
static int stub_scenario(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct sock s;

	(void)t;
	if (lab_open(lab, transport_find("udp", 3), ENDPOINT_SERVER, NULL, 1, &s) < 0)
		return cell_fail(c, "open", errno);
	int r = sock_listen(&s, 1);
	obs_result(c, "listen", r, errno);
	cell_say(c, "listen(): %s", r < 0 ? errno_name(errno) : "0");
	sock_close(&s);
	return 0;
}

/* The guard every cell passes through: a stub's answer is refused, so such a cell can never reach the table. */
Test(contrast_truth, a_stubs_errno_is_never_a_cell)
{
	static const struct scenario fake = { "fake", "a stub answers", "never shown", stub_scenario, NULL };
	struct lab lab = { .options = NULL };
	struct cell c = { 0 };

	test_tmpdir(lab.dir, sizeof lab.dir);
	cr_expect_eq(contrast_run(&fake, &lab, transport_find("udp", 3), &c), -1);
	cr_expect(c.failed, "the cell was kept: %s", c.summary);
	cr_expect(strstr(c.summary, "stub") && !strstr(c.summary, "EOPNOTSUPP"), "%s", c.summary);
	test_rmdir(lab.dir);
}

/* One scenario over t in a lab of its own, through the guard. */
static void run_one(const char *name, const struct transport *t, struct cell *c)
{
	struct lab lab = { .options = NULL };

	test_tmpdir(lab.dir, sizeof lab.dir);
	memset(c, 0, sizeof *c);
	cr_assert_eq(contrast_run(scenario_find(name, strlen(name)), &lab, t, c), 0, "%s/%s: %s", name, t->scheme,
		     c->summary);
	test_rmdir(lab.dir);
}

static long long num(const struct cell *c, const char *key)
{
	char v[64];

	return cell_get(c, key, v, sizeof v) ? atoll(v) : -1;
}

ParameterizedTestParameters(contrast_truth, what_makes_the_sender_wait)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * Row 7, measured: TCP stops at the reader's window (no more unread than its
 * SO_RCVBUF); AF_UNIX ignores the reader's SO_RCVBUF (more than it waits)
 * and a unixgram sender stops at net.unix.max_dgram_qlen + 1 datagrams; UDP
 * never stops, and its socket counts exactly what it dropped.
 */
ParameterizedTest(size_t *i, contrast_truth, what_makes_the_sender_wait)
{
	const struct transport *t = transport_registry[*i];
	struct cell c;
	long long qlen = kernel_setting("/proc/sys/net/unix/max_dgram_qlen");

	run_one("flow", t, &c);
	long long rcvbuf = num(&c, "reader_rcvbuf"), in = num(&c, "first_wait_reader_bytes");
	if (!transport_is_reliable(t)) {
		cr_expect_eq(num(&c, "sender_waited"), 0, "%s", c.summary);
		cr_expect_eq(num(&c, "kernel_socket_drops"), num(&c, "sent") - num(&c, "arrived"), "%s", c.summary);
		cr_expect(strstr(c.summary, "the kernel dropped"), "%s", c.summary);
		return;
	}
	cr_expect_gt(num(&c, "sender_waited"), 0, "%s", c.summary);
	if (transport_in_user_space(t)) { /* socklab's own window, said as such: no kernel buffer of a socketpair */
		cr_expect_gt(num(&c, "rdt_window"), 0, "%s", c.summary);
		cr_expect_eq(rcvbuf, -1, "%s: a socketpair's SO_RCVBUF shown as rdt's", c.summary);
		cr_expect(strstr(c.summary, "socklab's rdt"), "%s", c.summary);
	} else if (!transport_has_socket_file(t)) {
		cr_expect_leq(in, rcvbuf, "%s: more unread than the window: %s", t->scheme, c.summary);
		cr_expect(strstr(c.summary, "the window its SO_RCVBUF"), "%s", c.summary);
	} else if (transport_is_connected(t)) {
		cr_expect_gt(in, rcvbuf, "%s: the reader's SO_RCVBUF limited it: %s", t->scheme, c.summary);
		cr_expect(strstr(c.summary, "unused") && strstr(c.summary, "SO_SNDBUF"), "%s", c.summary);
	} else {
		cr_expect_eq(num(&c, "first_wait_messages"), qlen + 1, "%s", c.summary);
		cr_expect(strstr(c.summary, "net.unix.max_dgram_qlen is"), "%s", c.summary);
	}
}

ParameterizedTestParameters(contrast_truth, tcp_info_only_on_tcp)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Row 12: TCP's cell carries the connection's own TCP_INFO; no other transport has one. */
ParameterizedTest(size_t *i, contrast_truth, tcp_info_only_on_tcp)
{
	const struct transport *t = transport_registry[*i];
	struct cell c;
	int tcp = transport_is_connected(t) && !transport_has_socket_file(t) && !transport_in_user_space(t);

	run_one("delivery", t, &c);
	cr_expect_eq(num(&c, "tcpi_snd_cwnd") > 0, tcp, "%s: %s", t->scheme, c.summary);
	cr_expect_eq(strstr(c.summary, "segments sent again") != NULL, tcp, "%s", c.summary);
}

/* Row 12's why no longer claims that one host never loses: row 7 shows it does. */
Test(contrast_truth, no_lossless_loopback_claim)
{
	for (size_t s = 0; s < contrast_nscenarios; s++) {
		cr_expect_null(strstr(contrast_scenarios[s].why, "nothing is lost"), "%s", contrast_scenarios[s].why);
		cr_expect_null(strstr(contrast_scenarios[s].why, "never loses"), "%s", contrast_scenarios[s].why);
	}
}
