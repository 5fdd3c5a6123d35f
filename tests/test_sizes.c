/* test_sizes.c - every message size works, or fails with one line naming the size and the limit: none is dropped in silence. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/engine/engine.h"
#include "tests/support/helpers.h"

TestSuite(sizes, .timeout = 120);

/* Sizes around every limit there is: UDP's datagram, a unix socket's default send buffer, socklab's read buffer. */
static const size_t sizes[] = { 65507, 65508, 212960, 212961, 250000, ENGINE_MESSAGE_MAX, ENGINE_MESSAGE_MAX + 1, 300000 };

static size_t message_transports[8];

ParameterizedTestParameters(sizes, echo_client_every_size)
{
	size_t n = 0;

	for (size_t i = 0; transport_registry[i] && n < 8; i++)
		if (transport_keeps_boundaries(transport_registry[i]))
			message_transports[n++] = i;
	return cr_make_param_array(size_t, message_transports, n);
}

/* echo-client, one message of each size: its echo, byte-exact, or one line with the size and the most there is. */
ParameterizedTest(size_t *i, sizes, echo_client_every_size)
{
	const struct transport *t = transport_registry[*i];
	struct test_server srv;
	char dir[64], size_text[32];

	test_tmpdir(dir, sizeof dir);
	cr_assert_eq(test_echo_server(&srv, t, dir), 0);
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t len = sizes[k];
		char *line = malloc(len + 1);
		memset(line, 'a' + (int)(k % 26), len);
		line[len] = '\n';
		const char *argv[] = { "socklab", "echo-client", srv.endpoint, NULL };
		struct run_result r;
		cr_assert_eq(test_run(argv, line, len + 1, &r), 0);
		snprintf(size_text, sizeof size_text, "a message of %zu bytes", len);
		if (r.status == 0) {
			cr_expect(r.outlen == len + 1 && memcmp(r.out, line, len + 1) == 0, "%s, %zu bytes: the echo differs",
				  t->scheme, len);
		} else {
			cr_expect_eq(r.status, 1, "%s, %zu bytes: exit %d", t->scheme, len, r.status);
			cr_expect(strstr(r.err, size_text) && strstr(r.err, "the most is "), "%s, %zu bytes: %s", t->scheme,
				  len, r.err);
			cr_expect(len > 65507, "%s: %zu bytes refused", t->scheme, len);
		}
		/* Every message the server can read, it can echo: up to its buffer on unix, a datagram's worth on UDP. */
		if (len <= (transport_has_socket_file(t) ? ENGINE_MESSAGE_MAX : 65507))
			cr_expect_eq(r.status, 0, "%s, %zu bytes: %s", t->scheme, len, r.err);
		test_run_free(&r);
		free(line);
	}
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	cr_expect_eq(strstr(srv.errtext, "dropped"), NULL, "%s: %s", t->scheme, srv.errtext);
	test_rmdir(dir);
}

/*
 * A client of its own, with a send buffer raised to take 250 KB at once (as
 * any program may): the server reads it, and must be able to send it back,
 * though its own default buffer holds less.
 */
Test(sizes, server_echoes_a_message_its_default_buffer_could_not)
{
	for (size_t i = 0; transport_registry[i]; i++) {
		const struct transport *t = transport_registry[i];
		if (!transport_keeps_boundaries(t) || !transport_has_socket_file(t))
			continue;
		struct test_server srv;
		struct sock c;
		char dir[64];
		size_t len = 250000;
		int big = 2 * (int)len;
		test_tmpdir(dir, sizeof dir);
		cr_assert_eq(test_echo_server(&srv, t, dir), 0);
		cr_assert_eq(test_dial(&c, srv.endpoint), 0);
		cr_assert(setsockopt(c.fd, SOL_SOCKET, SO_SNDBUF, &big, sizeof big) == 0);
		char *msg = malloc(len);
		test_fill_random(msg, len, 3);
		cr_expect_eq(test_echo_once(&c, msg, len), 0, "%s: %zu bytes: %s", t->scheme, len, strerror(errno));
		free(msg);
		sock_close(&c);
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
		test_rmdir(dir);
	}
}

/* load: the largest size each message transport can carry works; one byte more is refused before anything is sent. */
Test(sizes, load_sizes_at_the_limit)
{
	for (size_t i = 0; transport_registry[i]; i++) {
		const struct transport *t = transport_registry[i];
		if (!transport_keeps_boundaries(t))
			continue;
		size_t most = transport_has_socket_file(t) ? ENGINE_MESSAGE_MAX : 65507;
		struct test_server srv;
		char dir[64], size[32];
		test_tmpdir(dir, sizeof dir);
		cr_assert_eq(test_echo_server(&srv, t, dir), 0);
		for (int over = 0; over < 2; over++) {
			snprintf(size, sizeof size, "%zu", most + (size_t)over);
			const char *argv[] = { "socklab", "load", "--clients", "2", "--messages", "3", "--size", size, srv.endpoint, NULL };
			struct run_result r;
			cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
			cr_expect_eq(r.status, over ? 2 : 0, "%s --size %s: %s", t->scheme, size, r.err);
			if (over)
				cr_expect(strstr(r.err, "the most is"), "%s: %s", t->scheme, r.err);
			test_run_free(&r);
		}
		cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
		test_rmdir(dir);
	}
}
