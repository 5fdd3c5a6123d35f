/* test_contrast.c - socklab contrast: the facts each scenario observes on every transport, and the table's shape. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/contrast/contrast.h"
#include "tests/support/helpers.h"

/* Every scenario over t, in this process, with ?options on every endpoint (or none). */
static void run_all(const struct transport *t, const char *options, struct cell *cells)
{
	struct lab lab = { .options = options };
	DIR *d;
	int fds = test_open_fds(), left = 0;

	test_tmpdir(lab.dir, sizeof lab.dir);
	cr_assert(lab.dir[0], "no temporary directory");
	unsigned long stubs = transport_stub_calls;
	for (size_t s = 0; s < contrast_nscenarios; s++) {
		memset(&cells[s], 0, sizeof cells[s]);
		contrast_run(&contrast_scenarios[s], &lab, t, &cells[s]);
		cr_expect_not(cells[s].failed, "%s/%s: %s", contrast_scenarios[s].name, t->scheme, cells[s].summary);
		cr_expect_neq(cells[s].summary[0], '\0', "%s/%s: no summary", contrast_scenarios[s].name, t->scheme);
	}
	cr_expect_eq(transport_stub_calls, stubs, "%s: a cell came from a transport_no_* stub, not the kernel", t->scheme);
	cr_expect_eq(test_open_fds(), fds, "%s: the scenarios leaked descriptors", t->scheme);
	if ((d = opendir(lab.dir)) != NULL) {
		for (struct dirent *e; (e = readdir(d)) != NULL;)
			left += e->d_name[0] != '.';
		closedir(d);
	}
	cr_expect_eq(left, 0, "%s: %d socket files left in %s", t->scheme, left, lab.dir);
	test_rmdir(lab.dir);
}

/* The JSON text the scenario called name observed under key, "" if none. */
static const char *get(struct cell *cells, const char *name, const char *key)
{
	static char buf[8][512];
	static int next;
	char *b = buf[next++ % 8];

	for (size_t s = 0; s < contrast_nscenarios; s++)
		if (strcmp(contrast_scenarios[s].name, name) == 0)
			return cell_get(&cells[s], key, b, sizeof buf[0]) ? b : "";
	cr_assert_fail("no scenario %s", name);
	return "";
}

ParameterizedTestParameters(contrast, facts)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* What the kernel does, checked against the transport's facts: never against timing. */
ParameterizedTest(size_t *i, contrast, facts, .timeout = 60)
{
	const struct transport *t = transport_registry[*i];
	static struct cell cells[32];
	int connected = transport_is_connected(t), messages = transport_keeps_boundaries(t);
	int local = transport_has_socket_file(t), udp = !local && !connected;
	int user = transport_in_user_space(t); /* socklab's own protocol: made of UDP datagrams */
	const char *n = t->scheme;

	run_all(t, NULL, cells);
	/* 1: nobody listens */
	if (connected)
		cr_expect_str_eq(get(cells, "handshake", "dial"), local ? "\"ENOENT\"" : "\"ECONNREFUSED\"", "%s", n);
	else
		cr_expect_str_eq(get(cells, "handshake", "send"), local ? "\"ENOENT\"" : "5", "%s", n);
	if (udp)
		cr_expect_str_eq(get(cells, "handshake", "connected_next_call"), "\"ECONNREFUSED\"");
	/* 2: three sends */
	if (messages) {
		cr_expect_str_eq(get(cells, "boundaries", "reads"), "3", "%s", n);
		cr_expect_str_eq(get(cells, "boundaries", "data"), "[\"a\", \"bb\", \"ccc\"]", "%s", n);
	} else {
		cr_expect_str_eq(get(cells, "boundaries", "data"), "[\"abbccc\"]", "%s: the sends should join", n);
	}
	/* 3: an empty send */
	cr_expect_str_eq(get(cells, "empty", "send_empty"), "0", "%s", n);
	cr_expect_str_eq(get(cells, "empty", "empty_is_a_message"), messages ? "true" : "false", "%s", n);
	/* 4: half-close: the kernel's answers (Linux), never a stub's EOPNOTSUPP */
	cr_expect_str_eq(get(cells, "end", "shutdown"), udp ? "\"ENOTCONN\"" : "0", "%s", n);
	if (!connected) {
		cr_expect_str_eq(get(cells, "end", "next_send"), "\"EPIPE\"", "%s: shut all the same", n);
		cr_expect_str_eq(get(cells, "end", "connected_shutdown"), "0", "%s", n);
		cr_expect_str_eq(get(cells, "end", "connected_next_send"), "\"EPIPE\"", "%s", n);
	}
	cr_expect_str_eq(get(cells, "end", "server_saw_end"), connected ? "true" : "false", "%s", n);
	cr_expect_str_eq(get(cells, "end", "client_got"), "\"answer\"", "%s: the answer after shutdown", n);
	/* 5: 70,000 bytes */
	if (udp || user) /* a message in one UDP datagram, or (rdt) no larger than one could be */
		cr_expect_str_eq(get(cells, "size", "send"), "\"EMSGSIZE\"", "%s", n);
	else
		cr_expect_str_eq(get(cells, "size", "received"), "70000", "%s", n);
	if (messages && !udp && !user)
		cr_expect_str_eq(get(cells, "size", "reads"), "1", "%s: a message arrives whole", n);
	/* 6: a 10-byte buffer */
	cr_expect_str_eq(get(cells, "buffer", "truncated"), messages ? "true" : "false", "%s", n);
	cr_expect_str_eq(get(cells, "buffer", "rest_bytes"), messages ? "0" : "90", "%s", n);
	if (messages)
		cr_expect_str_eq(get(cells, "buffer", "real_size"), "100", "%s: MSG_TRUNC's real size", n);
	/* 7: flow control (what limits each transport: tests/test_contrast_truth.c) */
	if (udp) {
		long sent = atol(get(cells, "flow", "sent")), came = atol(get(cells, "flow", "arrived"));
		cr_expect_lt(came, sent, "udp: a slow reader lost nothing");
		cr_expect_eq(atol(get(cells, "flow", "kernel_socket_drops")), sent - came, "the socket counts its drops");
		cr_expect_geq(atol(get(cells, "flow", "kernel_rcvbuf_errors")), sent - came, "the kernel counts the drops");
		cr_expect_str_eq(get(cells, "flow", "sender_waited"), "0");
	} else {
		cr_expect_str_eq(get(cells, "flow", "arrived"), get(cells, "flow", "sent"), "%s: lost data", n);
		cr_expect_gt(atol(get(cells, "flow", "sender_waited")), 0, "%s: the sender never waited", n);
	}
	/* 8: who speaks first */
	cr_expect_str_eq(get(cells, "greeting", "accepted_before_data"), connected ? "true" : "false", "%s", n);
	if (connected)
		cr_expect_str_eq(get(cells, "greeting", "client_got"), "\"hello\"", "%s", n);
	else
		cr_expect_eq(get(cells, "greeting", "greeting_sent")[0], '"', "%s: greeted nobody", n);
	/* 9, 10: the kernel's own sockets and TIME_WAIT: the cell says why it does not apply to socklab's protocol */
	if (user) {
		cr_expect_str_eq(get(cells, "clients", "applies"), "\"no\"", "%s", n);
		cr_expect_str_eq(get(cells, "restart", "applies"), "\"no\"", "%s", n);
		cr_expect_neq(get(cells, "restart", "why_not")[0], '\0', "%s", n);
		goto calls;
	}
	/* 9: three clients */
	cr_expect_str_eq(get(cells, "clients", "server_sockets"), connected ? "4" : "1", "%s", n);
	if (local && !connected)
		cr_expect(strstr(get(cells, "clients", "peers"), "\"(unbound)\"]"), "%s", get(cells, "clients", "peers"));
	/* 10: restart */
	cr_expect_str_eq(get(cells, "restart", "socklab_bind"), "\"ok\"", "%s", n);
	cr_expect_str_eq(get(cells, "restart", "bind"), local || connected ? "\"EADDRINUSE\"" : "\"ok\"", "%s", n);
	if (local)
		cr_expect_str_eq(get(cells, "restart", "file_left"), "true", "%s", n);
	else if (connected)
		cr_expect_gt(atol(get(cells, "restart", "time_wait")), 0, "TIME_WAIT");
	if (!local)
		cr_expect_str_eq(get(cells, "restart", "bind_reuseaddr"), "\"ok\"", "%s", n);
	/* 11: the calls */
	cr_expect_eq(strstr(get(cells, "calls", "server"), "accept(") != NULL, connected, "%s", n);
	cr_expect_eq(strstr(get(cells, "calls", "client"), "connect(") != NULL, connected, "%s", n);
calls: /* 11 does not apply to socklab's own protocol either: its thread makes both ends' calls */
	if (user)
		cr_expect_str_eq(get(cells, "calls", "applies"), "\"no\"", "%s", n);
	/* 12: delivery on one host */
	cr_expect_str_eq(get(cells, "delivery", "arrived"), "100", "%s", n);
	cr_expect_str_eq(get(cells, "delivery", "out_of_order"), "0", "%s", n);
	cr_expect_eq(get(cells, "delivery", "kernel_tcp_retransmits")[0] != '\0', connected && !local && !user,
		     "%s: a TCP counter is TCP's", n);
	if (user)
		cr_expect_str_eq(get(cells, "delivery", "rdt_retransmits"), "0", "%s: no loss on one host", n);
}

ParameterizedTestParameters(contrast, impaired)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Through the impairment layer: UDP loses and reorders; a reliable transport refuses the fiction; chunk cuts streams. */
ParameterizedTest(size_t *i, contrast, impaired)
{
	const struct transport *t = transport_registry[*i];
	struct lab lab = { .options = "drop=0.05&reorder=0.3&seed=5" }, chunked = { .options = "chunk=1" };
	struct cell c = { 0 }, b = { 0 };
	char v[64];

	test_tmpdir(lab.dir, sizeof lab.dir);
	memcpy(chunked.dir, lab.dir, sizeof lab.dir);
	int r = scenario_delivery(&lab, t, &c);
	cr_assert_eq(scenario_boundaries(&chunked, t, &b), 0, "%s: %s", t->scheme, b.summary);
	test_rmdir(lab.dir);
	if (transport_in_user_space(t)) {
		/* The layer acts beneath socklab's own protocol, on real datagrams: lost, and repaired. */
		cr_assert_eq(r, 0, "%s: %s", t->scheme, c.summary);
		cr_expect_str_eq(cell_get(&c, "arrived", v, sizeof v), "100", "%s: %s", t->scheme, c.summary);
		cr_expect_str_eq(cell_get(&c, "out_of_order", v, sizeof v), "0", "%s: %s", t->scheme, c.summary);
		cr_expect_gt(atol(cell_get(&c, "rdt_retransmits", v, sizeof v)), 0, "%s: %s", t->scheme, c.summary);
	} else if (transport_is_reliable(t)) {
		cr_expect_eq(r, -1, "%s: drop= was not refused: %s", t->scheme, c.summary);
	} else {
		long arrived = atol(cell_get(&c, "arrived", v, sizeof v)), late = atol(cell_get(&c, "out_of_order", v, sizeof v));
		cr_assert_eq(r, 0, "%s: %s", t->scheme, c.summary);
		cr_expect_lt(arrived, 100, "%s: %s", t->scheme, c.summary);
		cr_expect_gt(late, 0, "%s: %s", t->scheme, c.summary);
	}
	if (!transport_keeps_boundaries(t))
		cr_expect_str_eq(cell_get(&b, "reads", v, sizeof v), "6", "%s: chunk=1, one byte a read", t->scheme);
}
