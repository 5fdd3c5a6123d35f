/* test_hints.c - every hint follows the facts of the transport it is about, never its neighbour's. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "tests/support/helpers.h"

ParameterizedTestParameters(hints, follow_the_facts)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

static int has(const char *hint, const char *words)
{
	return hint && strstr(hint, words) != NULL;
}

ParameterizedTest(size_t *i, hints, follow_the_facts)
{
	const struct transport *t = transport_registry[*i];
	int lossy = !transport_is_reliable(t), file = transport_has_socket_file(t), conn = transport_is_connected(t);
	const char *timeout = errno_hint(SL_ETIMEDOUT_REPLY, "recv", t);
	const char *refused = errno_hint(ECONNREFUSED, "sendto", t);

	cr_expect(timeout, "%s: no hint for a reply that did not come", t->scheme);
	cr_expect_eq(has(timeout, "datagram can be lost"), lossy, "%s: %s", t->scheme, timeout);
	cr_expect_eq(has(timeout, "connection is up"), conn, "%s: %s", t->scheme, timeout);
	cr_expect_eq(has(refused, "ICMP"), lossy, "%s: only UDP hears of a refusal through ICMP: %s", t->scheme, refused);
	cr_expect_eq(has(refused, "socket file"), file, "%s: %s", t->scheme, refused);
	cr_expect_eq(has(errno_hint(ECONNREFUSED, "connect", t), "is a server listening?"), !file, "%s", t->scheme);
	if (conn)
		cr_expect(has(errno_hint(SL_ETIMEDOUT_REPLY, "send", t), "stopped reading"), "%s", t->scheme);
	cr_expect_eq(has(errno_hint(EPIPE, NULL, t), "closed the connection"), conn, "%s", t->scheme);
}

/* Not knowing the transport, a command gets only what is true of every one. */
Test(hints, unknown_transport)
{
	cr_expect_str_eq(errno_hint(SL_ETIMEDOUT_REPLY, "recv", NULL), "no answer came: try a longer --timeout");
	cr_expect_str_eq(errno_hint(ECONNREFUSED, "sendto", NULL), "nobody is listening at that address");
	cr_expect_str_eq(errno_hint(ECONNREFUSED, "connect", NULL), "is a server listening?");
	cr_expect_null(errno_hint(EINTR, NULL, NULL));
}

/*
 * A TCP receiver that accepts and never reads: send fills both buffers, then
 * waits for room, and after --timeout says what happened: flow control, not
 * a lost datagram.
 */
Test(hints, tcp_receiver_that_stops_reading, .timeout = 30)
{
	static const char script[] =
		"import socket, sys\n"
		"s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
		"print('listening on tcp://127.0.0.1:%d' % s.getsockname()[1], flush=True)\n"
		"c, _ = s.accept()\n"
		"sys.stdin.read()\n";
	struct test_peer py;
	struct run_result r;
	char line[128], dir[64], file[128], cmd[256];

	test_tmpdir(dir, sizeof dir);
	snprintf(file, sizeof file, "%s/big", dir);
	snprintf(cmd, sizeof cmd, "head -c 32000000 /dev/zero > %s", file);
	cr_assert_eq(system(cmd), 0);
	const char *server[] = { "python3", "-c", script, NULL };
	cr_assert_eq(test_peer_start(&py, server), 0);
	cr_assert_eq(test_peer_wait_line(&py, 1, "listening on ", line, sizeof line), 0, "%s", py.errbuf);
	const char *argv[] = { "socklab", "send", "--timeout", "1", line + strlen("listening on "), file, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.err, "(the receiver stopped reading: its buffer and this sender's are full"), "%s", r.err);
	cr_expect_null(strstr(r.err, "datagram"), "%s", r.err);
	test_run_free(&r);
	test_peer_close_input(&py);
	test_peer_wait_exit(&py);
	test_peer_free(&py);
	test_rmdir(dir);
}
