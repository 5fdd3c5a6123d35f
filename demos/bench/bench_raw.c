/* bench_raw.c - the baseline's clients: the same loops as bench_socklab.c, written with plain socket calls. */
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "bench_raw.h"

#define PROBE_MS 100
#define STALLS_MAX 3

static unsigned char buf[BENCH_STREAM_WRITE];

static void hangup(struct bench_peer *p)
{
	if (p->bulk_fd >= 0)
		close(p->bulk_fd);
	p->bulk_fd = -1;
}

/* socket(2) and connect(2); a datagram client: socket(2), and on unix a bind(2) to an autobound name. */
static int dial(struct bench_peer *p, unsigned char kind)
{
	struct timeval tv = { .tv_sec = BENCH_TIMEOUT_MS / 1000, .tv_usec = (BENCH_TIMEOUT_MS % 1000) * 1000 };
	int fd = socket(p->addr.ss.ss_family, p->t->type, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		goto fail;
	if (transport_is_connected(p->t)) {
		if (connect(fd, (struct sockaddr *)&p->addr.ss, p->addr.len) < 0 || send_all(fd, &kind, 1) < 0)
			goto fail;
	} else if (transport_has_socket_file(p->t)) {
		sa_family_t family = AF_UNIX;
		if (bind(fd, (struct sockaddr *)&family, sizeof family) < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/* A datagram from anyone but the server is skipped, as socklab's dialed datagram socket does. */
static ssize_t recv_from_server(struct bench_peer *p, int fd, void *b, size_t n)
{
	for (;;) {
		struct addr from;
		ssize_t r = raw_recv(fd, b, n, 1, &from);
		if (r < 0 || (from.len == p->addr.len && memcmp(&from.ss, &p->addr.ss, from.len) == 0))
			return r;
	}
}

static int ping(struct bench_peer *p, int fd, unsigned char *out, unsigned char *in)
{
	int connected = transport_is_connected(p->t);

	if (connected ? send_all(fd, out, BENCH_PING) < 0 : raw_sendto(fd, out, BENCH_PING, &p->addr) < 0)
		return -1;
	if (!transport_keeps_boundaries(p->t))
		return recv_exact(fd, in, BENCH_PING, 0) < 0 ? -1 : 1;
	ssize_t n = connected ? raw_recv(fd, in, BENCH_PING, 1, NULL) : recv_from_server(p, fd, in, BENCH_PING);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && !connected)
		return 0;
	return n == BENCH_PING ? 1 : -1;
}

static int rtt(struct bench_peer *p, double seconds, struct bench_round *out)
{
	unsigned char out_msg[BENCH_PING] = { BENCH_PING_TAG }, in_msg[BENCH_PING];
	int fd = dial(p, BENCH_RTT_CONN), rc = -1;

	if (fd < 0)
		return -1;
	double end = bench_now() + seconds;
	for (int first = 1;; first = 0) {
		double t0 = bench_now();
		int r = ping(p, fd, out_msg, in_msg);
		double t1 = bench_now();
		if (r < 0)
			goto out;
		if (r == 0 && ++out->lost > BENCH_LOST_MAX) {
			errno = ETIMEDOUT;
			goto out;
		}
		if (r == 0)
			continue;
		if (first)
			out->first_us = (t1 - t0) * 1e6;
		else if (bench_record(out, (t1 - t0) * 1e6) < 0)
			goto out;
		if (t1 >= end && out->n > 0)
			break;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

static int bulk_connected(int fd, size_t size, double seconds, struct bench_round *out, int boundaries)
{
	unsigned char ack[16];
	unsigned long long msgs = 0;
	double t0 = bench_now(), end = t0 + seconds;

	buf[0] = BENCH_MORE_TAG;
	for (;;) {
		if (bench_now() >= end)
			buf[0] = BENCH_LAST_TAG;
		if (send_all(fd, buf, size) < 0)
			return -1;
		msgs++;
		if (buf[0] == BENCH_LAST_TAG)
			break;
	}
	if (recv_exact(fd, ack, sizeof ack, boundaries) < 0)
		return -1;
	out->seconds = bench_now() - t0;
	out->bytes = bench_get64(ack);
	out->msgs = bench_get64(ack + 8);
	out->lost = msgs - out->msgs;
	return 0;
}

static long long counted(struct bench_peer *p, int fd, uint32_t round, unsigned char tag, unsigned long long *calls)
{
	unsigned char m[BENCH_REPLY];
	ssize_t n = recv_from_server(p, fd, m, sizeof m);

	if (n == (ssize_t)sizeof m && m[0] == tag && bench_get32(m + 1) == round) {
		if (calls)
			*calls = bench_get64(m + 13);
		return (long long)bench_get64(m + 5);
	}
	if (n >= 0)
		errno = 0;
	return -1;
}

static ssize_t send_some(struct bench_peer *p, int fd, size_t size, size_t room)
{
	if (p->batch == 1)
		return raw_sendto(fd, buf, size, &p->addr) < 0 ? -1 : 1;
	return raw_send_batch(fd, !transport_has_socket_file(p->t), buf, size, room < (size_t)p->batch ? room : (size_t)p->batch,
			      &p->addr);
}

static int bulk_datagrams(struct bench_peer *p, int fd, size_t size, double seconds, struct bench_round *out)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = PROBE_MS * 1000 };
	unsigned char ctl[5];
	uint32_t round = ++p->round;
	unsigned long long sent = 0, credited = 0;
	long long c;
	int stalls = 0;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
		return -1;
	buf[0] = BENCH_DATA_TAG;
	bench_put32(buf + 1, round);
	bench_put32(ctl + 1, round);
	double t0 = bench_now(), end = t0 + seconds;
	while (bench_now() < end) {
		if (sent - credited < BENCH_WINDOW) {
			ssize_t n = send_some(p, fd, size, (size_t)(BENCH_WINDOW - (sent - credited)));
			if (n > 0)
				sent += (unsigned long long)n, out->send_calls++;
			else if (errno != ENOBUFS)
				return -1;
		} else if ((c = counted(p, fd, round, BENCH_CREDIT_TAG, NULL)) >= 0) {
			credited = (unsigned long long)c > credited ? (unsigned long long)c : credited, stalls = 0;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			if (errno)
				return -1;
		} else if (++stalls >= STALLS_MAX) {
			credited = sent, stalls = 0;
		} else {
			ctl[0] = BENCH_PROBE_TAG;
			raw_sendto(fd, ctl, sizeof ctl, &p->addr);
		}
	}
	for (int tries = 0; tries < BENCH_TIMEOUT_MS / PROBE_MS; tries++) {
		ctl[0] = BENCH_END_TAG;
		if (raw_sendto(fd, ctl, sizeof ctl, &p->addr) < 0)
			return -1;
		while ((c = counted(p, fd, round, BENCH_FINAL_TAG, &out->recv_calls)) < 0 && errno == 0)
			;
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
	errno = ETIMEDOUT;
	return -1;
}

static int bulk(struct bench_peer *p, double seconds, struct bench_round *out)
{
	size_t size = bench_msg_size(p->t);

	if (p->bulk_fd < 0 && (p->bulk_fd = dial(p, BENCH_BULK_CONN)) < 0)
		return -1;
	memset(buf, 'x', size);
	return transport_is_connected(p->t)
		       ? bulk_connected(p->bulk_fd, size, seconds, out, transport_keeps_boundaries(p->t))
		       : bulk_datagrams(p, p->bulk_fd, size, seconds, out);
}

const struct bench_path bench_raw_path = {
	.name = "raw",
	.bind = bench_raw_bind,
	.serve = bench_raw_serve,
	.rtt = rtt,
	.bulk = bulk,
	.hangup = hangup,
	.close = bench_raw_close,
};
