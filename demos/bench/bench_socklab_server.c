/* bench_socklab_server.c - the benchmark's servers through socklab's interface: echo pings, count bulk, grant credit. */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transports/endpoint.h"
#include "core/io.h"
#include "bench_socklab.h"

static unsigned char buf[BENCH_STREAM_WRITE]; /* where what comes is put */

/*
 * Bulk receiver: reads blocks of size bytes and throws them away. A read never
 * spans two blocks, so the first byte of each is seen: the last block of a
 * round is acknowledged with the round's byte and block counts.
 */
static void serve_bulk(struct sock *c, size_t size)
{
	unsigned char ack[16];
	unsigned long long bytes = 0, msgs = 0;
	size_t off = 0;
	int last = 0;

	for (;;) {
		ssize_t n = sock_recv(c, buf, size - off, NULL);
		if (n <= 0)
			return;
		if (off == 0)
			last = buf[0] == BENCH_LAST_TAG;
		off += (size_t)n;
		bytes += (size_t)n;
		if (off < size)
			continue;
		off = 0;
		msgs++;
		if (last) {
			bench_put64(ack, bytes);
			bench_put64(ack + 8, msgs);
			if (send_all(c, ack, sizeof ack) < 0)
				return;
			bytes = msgs = 0;
		}
	}
}

/* Connected: one connection at a time, its first byte saying what it is for. */
static _Noreturn void serve_connected(struct sock *ls)
{
	for (;;) {
		unsigned char kind = 0; /* stays 0 when the first byte never comes */
		struct sock c;
		if (sock_accept(ls, &c) < 0)
			_exit(1);
		if (sock_recv(&c, &kind, 1, NULL) == 1 && kind == BENCH_RTT_CONN) {
			/* Request and response: read the whole ping, then answer it. */
			while (recv_exact(&c, buf, BENCH_PING) == 0 && send_all(&c, buf, BENCH_PING) == 0)
				;
		} else if (kind == BENCH_BULK_CONN) {
			serve_bulk(&c, sock_keeps_boundaries(&c) ? BENCH_UNIX_MSG : BENCH_STREAM_WRITE);
		}
		sock_close(&c);
	}
}

/* Datagrams: one socket for every client; the first byte of each datagram says what to do. */
static _Noreturn void serve_datagrams(struct sock *ls)
{
	unsigned char reply[13];
	uint32_t round = 0;
	uint64_t count = 0;

	for (;;) {
		struct addr from;
		ssize_t n = sock_recvfrom(ls, buf, sizeof buf, &from, NULL);
		if (n >= 1 && buf[0] == BENCH_PING_TAG)
			sock_sendto(ls, buf, (size_t)n, &from);
		if (n < 5 || buf[0] == BENCH_PING_TAG)
			continue;
		uint32_t r = bench_get32(buf + 1);
		if (buf[0] == BENCH_DATA_TAG && r != round)
			round = r, count = 0; /* a new round */
		if (buf[0] == BENCH_DATA_TAG && ++count % BENCH_CREDIT_EVERY != 0)
			continue;
		reply[0] = buf[0] == BENCH_END_TAG ? BENCH_FINAL_TAG : BENCH_CREDIT_TAG;
		bench_put32(reply + 1, r);
		bench_put64(reply + 5, r == round ? count : 0);
		sock_sendto(ls, reply, sizeof reply, &from);
	}
}

int bench_socklab_bind(struct bench_peer *p, const char *dir)
{
	char text[160], why[160];
	struct endpoint ep;
	int gai;

	endpoint_local(p->t, dir, "socklab", text, sizeof text);
	if (endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why) < 0) {
		errno = EINVAL;
		return -1;
	}
	sock_init(&p->bulk);
	if (sock_listen_endpoint(&p->ls, &ep, SOMAXCONN, &gai) < 0 || sock_getname(&p->ls, &p->addr) < 0)
		return -1;
	return 0;
}

void bench_socklab_serve(struct bench_peer *p)
{
	if (sock_is_connected(&p->ls))
		serve_connected(&p->ls);
	serve_datagrams(&p->ls);
}

void bench_socklab_close(struct bench_peer *p)
{
	sock_close(&p->ls); /* removes the socket file */
}
