/* bench_raw_server.c - the baseline's servers, with plain socket calls: the same loops as bench_socklab_server.c. */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench_raw.h"

static unsigned char buf[BENCH_STREAM_WRITE];

static void serve_bulk(int c, int boundaries, size_t size)
{
	unsigned char ack[16];
	unsigned long long bytes = 0, msgs = 0;
	size_t off = 0;
	int last = 0;

	for (;;) {
		ssize_t n = raw_recv(c, buf, size - off, boundaries, NULL);
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

static _Noreturn void serve_connected(int ls, int boundaries)
{
	for (;;) {
		unsigned char kind = 0; /* stays 0 when the first byte never comes */
		int c = accept(ls, NULL, NULL);
		if (c < 0 && errno == EINTR)
			continue;
		if (c < 0)
			_exit(1);
		if (raw_recv(c, &kind, 1, boundaries, NULL) == 1 && kind == BENCH_RTT_CONN) {
			while (recv_exact(c, buf, BENCH_PING, boundaries) == 0 && send_all(c, buf, BENCH_PING) == 0)
				;
		} else if (kind == BENCH_BULK_CONN) {
			serve_bulk(c, boundaries, boundaries ? BENCH_UNIX_MSG : BENCH_STREAM_WRITE);
		}
		close(c);
	}
}

static void reply(int ls, unsigned char tag, uint32_t round, uint64_t count, uint64_t calls, const struct addr *to)
{
	unsigned char m[BENCH_REPLY];

	m[0] = tag;
	bench_put32(m + 1, round);
	bench_put64(m + 5, count);
	bench_put64(m + 13, calls);
	raw_sendto(ls, m, sizeof m, to);
}

static ssize_t take(int ls, unsigned char (*in)[BENCH_UNIX_MSG], struct addr *from, size_t *len, int batch)
{
	if (batch > 1)
		return raw_recv_batch(ls, in, from, len, (size_t)batch);
	ssize_t n = raw_recv(ls, in[0], BENCH_UNIX_MSG, 1, &from[0]);
	if (n < 0)
		return -1;
	len[0] = (size_t)n;
	return 1;
}

static _Noreturn void serve_datagrams(int ls, int batch)
{
	static unsigned char in[BENCH_BATCH_MAX][BENCH_UNIX_MSG];
	struct addr from[BENCH_BATCH_MAX];
	size_t len[BENCH_BATCH_MAX];
	uint32_t round = 0;
	uint64_t count = 0, calls = 0;

	for (;;) {
		ssize_t n = take(ls, in, from, len, batch);
		const struct addr *credit = NULL;
		int this_call = 0;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char *b = in[i];
			if (len[i] >= 1 && b[0] == BENCH_PING_TAG)
				raw_sendto(ls, b, len[i], &from[i]);
			if (len[i] < 5 || b[0] == BENCH_PING_TAG)
				continue;
			uint32_t r = bench_get32(b + 1);
			if (b[0] == BENCH_DATA_TAG) {
				if (r != round)
					round = r, count = calls = 0;
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

/* The server's address: 127.0.0.1 with a port the kernel picks, or DIR/rawcallN.sock (as long a path as socklab's). */
static void server_addr(struct bench_peer *p, const char *dir)
{
	memset(&p->addr, 0, sizeof p->addr);
	if (transport_has_socket_file(p->t)) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&p->addr.ss;
		sun->sun_family = AF_UNIX;
		snprintf(p->path, sizeof p->path, "%s/rawcall%d.sock", dir, p->id);
		snprintf(sun->sun_path, sizeof sun->sun_path, "%s", p->path);
		p->addr.len = sizeof *sun;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&p->addr.ss;
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		p->addr.len = sizeof *sin;
	}
}

int bench_raw_bind(struct bench_peer *p, const char *dir)
{
	int one = 1, connected = transport_is_connected(p->t);

	server_addr(p, dir);
	p->fd = socket(p->addr.ss.ss_family, p->t->type, 0);
	if (p->fd < 0)
		return -1;
	/* The socket options socklab's tcp_bind sets, and no others. */
	if (!transport_has_socket_file(p->t) && connected && setsockopt(p->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
		return -1;
	if (bind(p->fd, (struct sockaddr *)&p->addr.ss, p->addr.len) < 0 || (connected && listen(p->fd, SOMAXCONN) < 0))
		return -1;
	p->addr.len = sizeof p->addr.ss;
	return getsockname(p->fd, (struct sockaddr *)&p->addr.ss, &p->addr.len);
}

void bench_raw_serve(struct bench_peer *p)
{
	if (transport_is_connected(p->t))
		serve_connected(p->fd, transport_keeps_boundaries(p->t));
	serve_datagrams(p->fd, p->batch);
}

void bench_raw_close(struct bench_peer *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->path[0])
		unlink(p->path);
	p->path[0] = '\0';
}
