/* bench_socklab.c - the benchmark's clients through socklab's transport interface: sock_* calls only. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "transports/endpoint.h"
#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"
#include "bench_socklab.h"

#define PROBE_MS 100 /* datagrams: no credit for this long, ask for it */
#define STALLS_MAX 3 /* probes unanswered: count what is in flight as gone, and go on */

static unsigned char buf[BENCH_STREAM_WRITE]; /* what is sent */

static void hangup(struct bench_peer *p)
{
	sock_close(&p->bulk);
}

/* A client socket for this round; on a connection, its first byte says what for. */
static int dial(struct bench_peer *p, struct sock *s, unsigned char kind)
{
	sock_init(s);
	if (sock_dial(s, p->t, &p->addr) < 0 || sock_set_recv_timeout(s, BENCH_TIMEOUT_MS) < 0)
		return -1;
	if (p->nodelay && sys_setsockopt_int(s->fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY", 1) < 0)
		return -1;
	if (sock_is_connected(s) && send_all(s, &kind, 1) < 0)
		return -1;
	return 0;
}

/* One ping and its pong. 1 when done, 0 when a datagram was lost, -1 on error. */
static int ping(struct bench_peer *p, struct sock *s, unsigned char *out, unsigned char *in)
{
	if (p->split) /* two writes: what Nagle's algorithm holds back */
		return send_all(s, out, 8) < 0 || send_all(s, out + 8, BENCH_PING - 8) < 0 ||
				       recv_exact(s, in, BENCH_PING) < 0
			       ? -1
			       : 1;
	if (send_all(s, out, BENCH_PING) < 0)
		return -1;
	if (!sock_keeps_boundaries(s))
		return recv_exact(s, in, BENCH_PING) < 0 ? -1 : 1;
	ssize_t n = sock_recv(s, in, BENCH_PING, NULL);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !sock_is_connected(s))
		return 0;
	return n == BENCH_PING ? 1 : -1;
}

static int rtt(struct bench_peer *p, double seconds, struct bench_round *out)
{
	unsigned char out_msg[BENCH_PING] = { BENCH_PING_TAG }, in_msg[BENCH_PING];
	struct sock s;
	int rc = -1;

	if (dial(p, &s, BENCH_RTT_CONN) < 0)
		goto out;
	double end = bench_now() + seconds;
	for (int first = 1;; first = 0) {
		double t0 = bench_now();
		int r = ping(p, &s, out_msg, in_msg);
		double t1 = bench_now();
		if (r < 0)
			goto out;
		if (r == 0 && ++out->lost > BENCH_LOST_MAX) {
			errno = SL_ETIMEDOUT_REPLY; /* nobody answers any more */
			goto out;
		}
		if (r == 0)
			continue;
		else if (first)
			out->first_us = (t1 - t0) * 1e6;
		else if (bench_record(out, (t1 - t0) * 1e6) < 0)
			goto out;
		if (t1 >= end && out->n > 0)
			break;
	}
	rc = 0;
out:
	sock_close(&s);
	return rc;
}

/* Connected: blocks for the given time, the last one marked; done when the receiver acknowledges it. */
static int bulk_connected(struct sock *s, size_t size, double seconds, struct bench_round *out)
{
	unsigned char ack[16];
	unsigned long long msgs = 0;
	double t0 = bench_now(), end = t0 + seconds;

	buf[0] = BENCH_MORE_TAG;
	for (;;) {
		if (bench_now() >= end)
			buf[0] = BENCH_LAST_TAG;
		if (send_all(s, buf, size) < 0)
			return -1;
		msgs++;
		if (buf[0] == BENCH_LAST_TAG)
			break;
	}
	if (recv_exact(s, ack, sizeof ack) < 0)
		return -1;
	out->seconds = bench_now() - t0;
	out->bytes = bench_get64(ack);
	out->msgs = bench_get64(ack + 8);
	out->lost = msgs - out->msgs; /* 0: these transports are reliable */
	return 0;
}

/*
 * The receiver's count in a reply of kind tag for this round, and in *calls
 * (when not NULL) how many receive calls took the datagrams. -1 with errno
 * EAGAIN on a timeout, or 0 for another reply.
 */
static long long counted(struct sock *s, uint32_t round, unsigned char tag, unsigned long long *calls)
{
	unsigned char m[BENCH_REPLY];
	ssize_t n = sock_recv(s, m, sizeof m, NULL);

	if (n == (ssize_t)sizeof m && m[0] == tag && bench_get32(m + 1) == round) {
		if (calls)
			*calls = bench_get64(m + 13);
		return (long long)bench_get64(m + 5);
	}
	if (n >= 0)
		errno = 0;
	return -1;
}

/* Up to room datagrams: one send() each with --batch 1, else as many as one batch call takes. */
static ssize_t send_some(struct bench_peer *p, struct sock *s, struct sock_msg *m, size_t room)
{
	if (p->batch == 1)
		return sock_send(s, m[0].buf, m[0].len) < 0 ? -1 : 1;
	return sock_send_batch(s, m, room < (size_t)p->batch ? room : (size_t)p->batch);
}

/* Datagrams: at most BENCH_WINDOW ahead of the receiver's count, so that it is never overrun. */
static int bulk_datagrams(struct bench_peer *p, struct sock *s, size_t size, double seconds, struct bench_round *out)
{
	struct sock_msg m[BENCH_BATCH_MAX];
	unsigned char ctl[5];
	uint32_t round = ++p->round;
	unsigned long long sent = 0, credited = 0;
	long long c;
	int stalls = 0;

	if (sock_set_recv_timeout(s, PROBE_MS) < 0)
		return -1;
	buf[0] = BENCH_DATA_TAG;
	bench_put32(buf + 1, round);
	bench_put32(ctl + 1, round);
	for (int i = 0; i < BENCH_BATCH_MAX; i++)
		m[i] = (struct sock_msg){ .buf = buf, .len = size }; /* the same bytes each time: to the dialed peer */
	double t0 = bench_now(), end = t0 + seconds;
	while (bench_now() < end) {
		if (sent - credited < BENCH_WINDOW) {
			ssize_t n = send_some(p, s, m, (size_t)(BENCH_WINDOW - (sent - credited)));
			if (n > 0)
				sent += (unsigned long long)n, out->send_calls++;
			else if (errno != ENOBUFS) /* ENOBUFS: the sender's own queue was full; not sent */
				return -1;
		} else if ((c = counted(s, round, BENCH_CREDIT_TAG, NULL)) >= 0) {
			credited = (unsigned long long)c > credited ? (unsigned long long)c : credited, stalls = 0;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			if (errno)
				return -1;
		} else if (++stalls >= STALLS_MAX) {
			credited = sent, stalls = 0; /* what was in flight is gone: go on */
		} else {
			ctl[0] = BENCH_PROBE_TAG;
			sock_send(s, ctl, sizeof ctl);
		}
	}
	for (int tries = 0; tries < BENCH_TIMEOUT_MS / PROBE_MS; tries++) {
		ctl[0] = BENCH_END_TAG;
		if (sock_send(s, ctl, sizeof ctl) < 0)
			return -1;
		while ((c = counted(s, round, BENCH_FINAL_TAG, &out->recv_calls)) < 0 && errno == 0)
			; /* credits still on their way */
		if (c < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return -1;
		if (c >= 0) {
			out->seconds = bench_now() - t0;
			out->msgs = (unsigned long long)c;
			out->bytes = out->msgs * size;
			out->lost = sent - out->msgs;
			return 0;
		}
	}
	errno = SL_ETIMEDOUT_REPLY;
	return -1;
}

/* The client is kept from round to round, as a long transfer would be: no handshake or slow start inside a round. */
static int bulk(struct bench_peer *p, double seconds, struct bench_round *out)
{
	size_t size = bench_msg_size(p->t);

	if (p->bulk.fd < 0 && dial(p, &p->bulk, BENCH_BULK_CONN) < 0) {
		int saved = errno;
		sock_close(&p->bulk);
		errno = saved;
		return -1;
	}
	memset(buf, 'x', size);
	return sock_is_connected(&p->bulk) ? bulk_connected(&p->bulk, size, seconds, out)
					   : bulk_datagrams(p, &p->bulk, size, seconds, out);
}

const struct bench_path bench_socklab_path = {
	.name = "socklab",
	.bind = bench_socklab_bind,
	.serve = bench_socklab_serve,
	.rtt = rtt,
	.bulk = bulk,
	.hangup = hangup,
	.close = bench_socklab_close,
};
