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

static _Noreturn void serve_datagrams(int ls)
{
	unsigned char reply[13];
	uint32_t round = 0;
	uint64_t count = 0;

	for (;;) {
		struct addr from;
		ssize_t n = raw_recv(ls, buf, sizeof buf, 1, &from);
		if (n >= 1 && buf[0] == BENCH_PING_TAG)
			raw_sendto(ls, buf, (size_t)n, &from);
		if (n < 5 || buf[0] == BENCH_PING_TAG)
			continue;
		uint32_t r = bench_get32(buf + 1);
		if (buf[0] == BENCH_DATA_TAG && r != round)
			round = r, count = 0;
		if (buf[0] == BENCH_DATA_TAG && ++count % BENCH_CREDIT_EVERY != 0)
			continue;
		reply[0] = buf[0] == BENCH_END_TAG ? BENCH_FINAL_TAG : BENCH_CREDIT_TAG;
		bench_put32(reply + 1, r);
		bench_put64(reply + 5, r == round ? count : 0);
		raw_sendto(ls, reply, sizeof reply, &from);
	}
}

/* The server's address: 127.0.0.1 with a port the kernel picks, or DIR/rawcall.sock (as long a path as socklab's). */
static void server_addr(struct bench_peer *p, const char *dir)
{
	memset(&p->addr, 0, sizeof p->addr);
	if (transport_has_socket_file(p->t)) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&p->addr.ss;
		sun->sun_family = AF_UNIX;
		snprintf(p->path, sizeof p->path, "%s/rawcall.sock", dir);
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
	serve_datagrams(p->fd);
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
