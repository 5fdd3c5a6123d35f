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

/* A CREDIT or FINAL datagram: the round, the datagrams counted, the receive calls that took them. */
static void reply(struct sock *ls, unsigned char tag, uint32_t round, uint64_t count, uint64_t calls,
		  const struct addr *to)
{
	unsigned char m[BENCH_REPLY];

	m[0] = tag;
	bench_put32(m + 1, round);
	bench_put64(m + 5, count);
	bench_put64(m + 13, calls);
	sock_sendto(ls, m, sizeof m, to);
}

/* What is waiting: up to batch datagrams in one recvmmsg(), or one recvfrom() with --batch 1. */
static ssize_t take(struct sock *ls, struct sock_msg *m, int batch)
{
	if (batch > 1)
		return sock_recv_batch(ls, m, (size_t)batch);
	ssize_t n = sock_recvfrom(ls, m[0].buf, m[0].len, m[0].addr, NULL);
	if (n < 0)
		return -1;
	m[0].got = (size_t)n;
	return 1;
}

/*
 * Datagrams: one socket for every client; the first byte of each says what to
 * do. With batch > 1, recvmmsg() takes what is waiting, up to batch, in one
 * call; the credit for a batch goes once, after it.
 */
static _Noreturn void serve_datagrams(struct sock *ls, int batch)
{
	static unsigned char in[BENCH_BATCH_MAX][BENCH_UNIX_MSG];
	struct sock_msg m[BENCH_BATCH_MAX];
	struct addr from[BENCH_BATCH_MAX];
	uint32_t round = 0;
	uint64_t count = 0, calls = 0;

	for (int i = 0; i < BENCH_BATCH_MAX; i++)
		m[i] = (struct sock_msg){ .buf = in[i], .len = sizeof in[i], .addr = &from[i] };
	for (;;) {
		ssize_t n = take(ls, m, batch);
		const struct addr *credit = NULL;
		int this_call = 0;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char *b = in[i];
			if (m[i].got >= 1 && b[0] == BENCH_PING_TAG)
				sock_sendto(ls, b, m[i].got, &from[i]);
			if (m[i].got < 5 || b[0] == BENCH_PING_TAG)
				continue;
			uint32_t r = bench_get32(b + 1);
			if (b[0] == BENCH_DATA_TAG) {
				if (r != round)
					round = r, count = calls = 0; /* a new round */
				calls += !this_call, this_call = 1;
				if (++count % BENCH_CREDIT_EVERY == 0)
					credit = &from[i];
				continue;
			}
			reply(ls, b[0] == BENCH_END_TAG ? BENCH_FINAL_TAG : BENCH_CREDIT_TAG, r, r == round ? count : 0,
			      r == round ? calls : 0, &from[i]);
		}
		if (credit)
			reply(ls, BENCH_CREDIT_TAG, round, count, calls, credit);
	}
}

int bench_socklab_bind(struct bench_peer *p, const char *dir)
{
	char name[16], text[160], why[160];
	struct endpoint ep;
	int gai;

	snprintf(name, sizeof name, "socklab%d", p->id);
	endpoint_local(p->t, dir, name, text, sizeof text);
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
	serve_datagrams(&p->ls, p->batch);
}

void bench_socklab_close(struct bench_peer *p)
{
	sock_close(&p->ls); /* removes the socket file */
}
