/* test_chunk.c - every demo stays correct when each recv returns one byte (?chunk=1), over every transport. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/support/helpers.h"

/*
 * chunk=1 makes each send and each recv on a stream move one byte, as a
 * network is allowed to: a demo that assumes one recv is one send breaks.
 * Message transports keep their boundaries (a message cannot be cut), so
 * for them the same tests check that the option changes nothing.
 */
#define CHUNK "?chunk=1"

ParameterizedTestParameters(chunk, echo)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* echo-server and echo-client, both cut to a byte at a time: every reply whole and exact. */
ParameterizedTest(size_t *i, chunk, echo)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64], ep[256], cli[300], line[3001];

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "echo", ep, sizeof ep);
	strcat(ep, CHUNK);
	const char *server[] = { "socklab", "echo-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&srv, server), 0, "%s: echo-server did not start", ep);
	snprintf(cli, sizeof cli, "%s" CHUNK, srv.endpoint);
	const char *args[] = { "socklab", "echo-client", cli, "hello", "two words", NULL };
	cr_assert_eq(test_run(args, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", cli, r.status, r.err);
	cr_expect_str_eq(r.out, "hello\ntwo words\n", "%s", cli);
	test_run_free(&r);
	/* A long line on standard input: 3,000 one-byte sends, 3,000 one-byte receives, each way. */
	for (size_t k = 0; k < 3000; k++)
		line[k] = (char)('a' + k % 26);
	line[3000] = '\n';
	const char *stdin_args[] = { "socklab", "echo-client", cli, NULL };
	cr_assert_eq(test_run(stdin_args, line, sizeof line, &r), 0);
	cr_expect_eq(r.status, 0, "%s: exit %d: %s", cli, r.status, r.err);
	cr_expect(r.outlen == sizeof line && memcmp(r.out, line, sizeof line) == 0, "%s: the long line changed", cli);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

ParameterizedTestParameters(chunk, chat)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* One chat with a fresh server: what the client printed, its endpoint replaced by "EP". */
static char *chat(const struct transport *t, const char *dir, const char *options, int *status)
{
	struct test_server srv;
	struct run_result r;
	char ep[256], where[300];
	static const char input[] = "hello\nhow are you\nstop\n";

	test_server_endpoint(t, dir, "chat", ep, sizeof ep);
	strcat(ep, options);
	const char *server[] = { "socklab", "chat-server", "--seed", "4", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&srv, server), 0, "%s: chat-server did not start", ep);
	snprintf(where, sizeof where, "%s", srv.endpoint);
	const char *client[] = { "socklab", "chat-client", where, NULL };
	cr_assert_eq(test_run(client, input, sizeof input - 1, &r), 0);
	*status = r.status;
	test_server_stop(&srv, SIGTERM);
	char *out = calloc(1, r.outlen + 1), *o = out;
	for (const char *p = r.out; *p;) { /* the endpoint (a port, a path) differs from run to run */
		if (strncmp(p, where, strlen(where)) == 0) {
			o += sprintf(o, "EP");
			p += strlen(where);
		} else {
			*o++ = *p++;
		}
	}
	test_run_free(&r);
	return out;
}

/*
 * The chat server reads each message a byte at a time, and answers exactly
 * as it does unimpaired. Only the server is cut: the tutorial's protocol
 * marks no message ends, so a client whose sends were cut too would be
 * splitting its own messages (that is the protocol's lesson, not a bug).
 */
ParameterizedTest(size_t *i, chunk, chat)
{
	const struct transport *t = transport_registry[*i];
	char dir[64];
	int plain_status, cut_status;

	test_tmpdir(dir, sizeof dir);
	char *plain = chat(t, dir, "", &plain_status);
	char *cut = chat(t, dir, CHUNK, &cut_status);
	cr_expect_eq(plain_status, 0, "%s: %s", t->scheme, plain);
	cr_expect_eq(cut_status, plain_status, "%s: exit %d through chunk=1", t->scheme, cut_status);
	cr_expect_str_eq(cut, plain, "%s: the chat changed when each recv returned one byte", t->scheme);
	cr_expect(strstr(plain, "type the message"), "%s: %s", t->scheme, plain);
	free(plain);
	free(cut);
	test_rmdir(dir);
}

ParameterizedTestParameters(chunk, send_recv)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* send and recv, both cut: 20,000 random bytes arrive byte-exact, and both say so. */
ParameterizedTest(size_t *i, chunk, send_recv)
{
	const struct transport *t = transport_registry[*i];
	struct test_peer recv;
	struct run_result r;
	char dir[64], ep[256], in[320], out[320], line[512], where[300];
	static char data[20000];

	test_tmpdir(dir, sizeof dir);
	test_fill_random(data, sizeof data, 7);
	snprintf(in, sizeof in, "%s/in.bin", dir);
	snprintf(out, sizeof out, "%s/out.bin", dir);
	FILE *f = fopen(in, "wb");
	cr_assert(f && fwrite(data, 1, sizeof data, f) == sizeof data && fclose(f) == 0);
	test_server_endpoint(t, dir, "xfer", ep, sizeof ep);
	strcat(ep, CHUNK);
	const char *receiver[] = { test_socklab(), "recv", ep, out, NULL };
	cr_assert_eq(test_peer_start(&recv, receiver), 0);
	cr_assert_eq(test_peer_wait_line(&recv, 1, "listening on ", line, sizeof line), 0, "%s: %s", ep, recv.errbuf);
	snprintf(where, sizeof where, "%s" CHUNK, strstr(line, "listening on ") + 13);
	const char *sender[] = { "socklab", "send", where, in, NULL };
	cr_assert_eq(test_run(sender, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: send exit %d: %s", where, r.status, r.err);
	cr_expect_eq(test_peer_wait_exit(&recv), 0, "%s: recv: %s", where, recv.errbuf);
	test_run_free(&r);
	test_peer_free(&recv);
	f = fopen(out, "rb");
	static char back[sizeof data + 1];
	size_t n = f ? fread(back, 1, sizeof back, f) : 0;
	if (f)
		fclose(f);
	cr_expect(n == sizeof data && memcmp(back, data, n) == 0, "%s: %zu bytes came, not byte-exact", where, n);
	test_rmdir(dir);
}

ParameterizedTestParameters(chunk, load)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* socklab load: several clients at once, every echoed byte checked, through chunk=1 on both ends. */
ParameterizedTest(size_t *i, chunk, load)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	struct run_result r;
	char dir[64], ep[256], cli[300];

	test_tmpdir(dir, sizeof dir);
	test_server_endpoint(t, dir, "load", ep, sizeof ep);
	strcat(ep, CHUNK);
	const char *server[] = { "socklab", "echo-server", "--quiet", ep, NULL };
	cr_assert_eq(test_server_start(&srv, server), 0, "%s: echo-server did not start", ep);
	snprintf(cli, sizeof cli, "%s" CHUNK, srv.endpoint);
	const char *args[] = { "socklab", "load", "--clients", "4", "--messages", "20", "--size", "1-200", cli, NULL };
	cr_assert_eq(test_run(args, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s: exit %d: %s%s", cli, r.status, r.out, r.err);
	test_run_free(&r);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}
