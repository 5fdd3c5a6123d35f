/* test_hostile.c - hostile and broken peers, while one good client is served byte-exact by the same echo-server. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/io.h"
#include "tests/support/robust.h"

ParameterizedTestParameters(hostile, slowloris)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * Clients that connect and then say nothing. A datagram client that says
 * nothing is invisible, so there each says one thing and then goes quiet,
 * holding a session until it is idle too long. The server holds them all and
 * still serves the good one.
 */
ParameterizedTest(size_t *i, hostile, slowloris)
{
	struct scene sc;
	struct sock *h = calloc(SLOWLORIS, sizeof *h);

	scene_start(&sc, *i, 0);
	for (int k = 0; k < SLOWLORIS; k++) {
		hostile_dial(&sc, &h[k]);
		if (!sock_is_connected(&h[k])) {
			char c;
			cr_assert(sock_send(&h[k], "?", 1) == 1);
			cr_assert(test_readable(h[k].fd) && sock_recv(&h[k], &c, 1, NULL) == 1);
		}
		if (k % 25 == 0)
			good_round(&sc);
	}
	/* Every one holds a descriptor of the server; socklab's own protocol, two: the ends of a socketpair (rdt_sock.h). */
	if (sock_is_connected(&sc.good))
		settle(&sc, sc.base_fds + SLOWLORIS * (transport_in_user_space(sc.t) ? 2 : 1));
	good_rounds(&sc, 20);
	for (int k = 0; k < SLOWLORIS; k++)
		sock_close(&h[k]);
	free(h);
	scene_end(&sc, NULL);
}

ParameterizedTestParameters(hostile, megabyte_then_vanish)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Clients that send a megabyte, never read the echo, and close: the server's replies go nowhere. */
ParameterizedTest(size_t *i, hostile, megabyte_then_vanish)
{
	struct scene sc;

	scene_start(&sc, *i, 0);
	for (int k = 0; k < 4; k++) {
		struct sock h;
		hostile_dial(&sc, &h);
		size_t sent = hostile_flood(&h, MEGABYTE, sock_keeps_boundaries(&h) ? 65000 : MEGABYTE, 2000);
		cr_expect(sent == MEGABYTE || !sock_is_reliable(&h), "%s: only %zu bytes went", sc.t->scheme, sent);
		/*
		 * While it stays, unread: not on unixgram. There the kernel charges a
		 * datagram to its sender until it is read, so echoes the client never
		 * reads fill the server's one send buffer and every reply waits until
		 * that client reads or leaves (see docs/robustness.md).
		 */
		if (!transport_has_socket_file(sc.t) || sock_is_connected(&h))
			good_round(&sc);
		sock_close(&h);
		good_rounds(&sc, 5);
	}
	scene_end(&sc, NULL);
}

ParameterizedTestParameters(hostile, reset_mid_transfer)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * Clients that vanish half-way through a transfer, with the echo already on its
 * way back: TCP resets (SO_LINGER 0); a unix socket closed with unread data
 * resets its peer too; a datagram peer just disappears.
 */
ParameterizedTest(size_t *i, hostile, reset_mid_transfer)
{
	struct scene sc;
	char half[3000];

	scene_start(&sc, *i, 0);
	test_fill_random(half, sizeof half, 3);
	for (int k = 0; k < 20; k++) {
		struct sock h;
		hostile_dial(&sc, &h);
		cr_assert(sock_send_all(&h, half, sizeof half) == (ssize_t)sizeof half);
		cr_assert(test_readable(h.fd), "%s: no echo came back", sc.t->scheme);
		if (!transport_has_socket_file(sc.t) && sock_is_connected(&h))
			cr_assert(setsockopt(h.fd, SOL_SOCKET, SO_LINGER, &(struct linger){ 1, 0 }, sizeof(struct linger)) == 0);
		sock_close(&h);
		good_round(&sc);
	}
	scene_end(&sc, NULL);
}

ParameterizedTestParameters(hostile, garbage_and_empty_messages)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Every byte value, and messages of zero bytes: echoed as they are on a stream, and they hurt nobody. */
ParameterizedTest(size_t *i, hostile, garbage_and_empty_messages)
{
	struct scene sc;
	struct sock h;
	size_t total = 0;
	char *all = malloc(GARBAGE_MESSAGES * 2000), *back = malloc(GARBAGE_MESSAGES * 2000);

	scene_start(&sc, *i, 0);
	hostile_dial(&sc, &h);
	for (int k = 0; k < GARBAGE_MESSAGES; k++) {
		size_t len = k % 8 == 0 ? 0 : (size_t)(k * 997) % 2000;
		test_fill_random(all + total, len, (unsigned)k);
		/* A stream has no empty messages: send(2) of nothing sends nothing. */
		if (len || sock_keeps_boundaries(&h))
			cr_assert(sock_send_all(&h, all + total, len) == (ssize_t)len, "%s: %s", sc.t->scheme,
				  strerror(errno));
		total += len;
		/* Datagrams: take the echoes as they come, not to hold the server's buffer (see above). */
		while (sock_keeps_boundaries(&h) && !sock_is_connected(&h) &&
		       recv(h.fd, back, 2000, MSG_DONTWAIT) >= 0)
			;
		if (k % 20 == 0)
			good_round(&sc);
	}
	if (!sock_keeps_boundaries(&h)) {
		size_t got;
		cr_expect(sock_set_recv_timeout(&h, TEST_WAIT_S * 1000) == 0);
		cr_expect(sock_recv_exact(&h, back, total, &got) == 0 && memcmp(all, back, total) == 0,
			  "%s: the garbage did not come back as it was sent (%zu of %zu bytes)", sc.t->scheme, got, total);
	}
	sock_close(&h);
	free(all);
	free(back);
	scene_end(&sc, NULL);
}

ParameterizedTestParameters(hostile, larger_than_any_buffer)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/*
 * Message transports: messages larger than the server's buffer (unix: 300 KB,
 * over its 256 KB; UDP: the largest datagram there is, 65,507 bytes). Streams:
 * a client that sends without end and never reads, so that the server must
 * stop reading it rather than buffer without limit.
 */
ParameterizedTest(size_t *i, hostile, larger_than_any_buffer)
{
	struct scene sc;
	struct sock h;

	scene_start(&sc, *i, 0);
	hostile_dial(&sc, &h);
	long rss = server_rss_kb(&sc);
	if (!sock_keeps_boundaries(&h)) {
		size_t sent = hostile_flood(&h, 64 * MEGABYTE, MEGABYTE, 500);
		good_rounds(&sc, 10);
		long grew = server_rss_kb(&sc) - rss;
		cr_log_info("%s: a client sent %zu bytes and read none; the server grew by %ld KB", sc.t->scheme, sent, grew);
		cr_expect(grew < 8 * 1024, "%s: the server grew by %ld KB while a client sent %zu bytes and read none",
			  sc.t->scheme, grew, sent);
		cr_expect(sent >= MEGABYTE, "%s: only %zu bytes went: the server stopped reading too soon",
			  sc.t->scheme, sent);
	} else {
		size_t big = transport_has_socket_file(sc.t) ? 300 * 1024 : 65507;
		char *msg = calloc(1, big + 1);
		int size = (int)(2 * big);
		/* The kernel doubles it and caps it at twice wmem_max: 425,984 bytes by default, room for 300 KB. */
		cr_assert(setsockopt(h.fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size) == 0);
		for (int k = 0; k < 20; k++) {
			cr_assert(sock_send(&h, msg, big) == (ssize_t)big, "%s: %zu bytes: %s", sc.t->scheme, big,
				  strerror(errno));
			good_round(&sc);
		}
		if (!transport_has_socket_file(sc.t)) /* one byte more than UDP can carry: the sender is told */
			cr_expect(sock_send(&h, msg, big + 1) < 0 && errno == EMSGSIZE);
		free(msg);
	}
	sock_close(&h);
	char *err;
	scene_end(&sc, &err);
	if (transport_keeps_boundaries(sc.t) && transport_has_socket_file(sc.t))
		cr_expect(strstr(err, "larger than the server's buffer (262,144 bytes) was dropped"), "%s: no notice:\n%s", sc.t->scheme,
			  err);
	free(err);
}

ParameterizedTestParameters(hostile, writing_to_a_vanished_peer)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* Clients that send and close at once, before any echo: the server writes to peers that are gone, and lives. */
ParameterizedTest(size_t *i, hostile, writing_to_a_vanished_peer)
{
	struct scene sc;
	char msg[60000];

	scene_start(&sc, *i, 0);
	test_fill_random(msg, sizeof msg, 9);
	for (int k = 0; k < 50; k++) {
		struct sock h;
		hostile_dial(&sc, &h);
		cr_assert(sock_send_all(&h, msg, sizeof msg) == (ssize_t)sizeof msg);
		sock_close(&h);
		if (k % 10 == 0)
			good_round(&sc);
	}
	scene_end(&sc, NULL);
}
