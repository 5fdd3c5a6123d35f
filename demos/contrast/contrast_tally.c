/* contrast_tally.c - numbered messages from a client to the server, counted as they arrive: scenarios 7 and 12 run it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/sys/sys.h"
#include "contrast.h"

/* A sender stuck this long with nothing to read has a problem, not a lesson. */
#define STUCK_MS 2000

static void count_message(struct tally *t, const char *m)
{
	long long k = 0;

	for (int i = 0; i < 6; i++)
		k = k * 10 + (m[i] >= '0' && m[i] <= '9' ? m[i] - '0' : 0);
	if (k >= (long long)t->count)
		return;
	if (t->seen[k])
		t->dups++;
	else
		t->arrived++;
	t->seen[k] = 1;
	if (k < t->high)
		t->late++;
	else
		t->high = k;
}

/* Reads everything the server's side has now (it is non-blocking). Returns how many reads, or -1. */
static int read_all(struct pair *p, struct tally *t)
{
	static char buf[64 * 1024];
	int stream = !sock_keeps_boundaries(&p->cli), reads = 0;

	for (;; reads++) {
		ssize_t n = pair_server_recv(p, buf, sizeof buf, NULL);
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK || errno == EMSGSIZE ? reads : -1;
		if (n == 0 && sock_is_connected(&p->srv)) { /* the end (these messages are never empty) */
			t->eof = 1;
			return reads;
		}
		t->reads++;
		t->last = sys_now_ms();
		if (!stream) {
			if ((size_t)n >= 6)
				count_message(t, buf);
			continue;
		}
		for (ssize_t i = 0; i < n; i++) { /* a stream: cut the bytes back into messages */
			t->rec[t->rlen++] = buf[i];
			if (t->rlen == t->size) {
				count_message(t, t->rec);
				t->rlen = 0;
			}
		}
	}
}

/* Sends one message, waiting as the socket says; a slow reader reads only when the sender must wait. */
static int send_one(struct pair *p, struct tally *t, const char *msg)
{
	size_t off = 0;
	long long stuck = sys_now_ms() + STUCK_MS;

	while (off < t->size) {
		ssize_t n = sock_send(&p->cli, msg + off, t->size - off);
		if (n >= 0) {
			off += (size_t)n;
			if (sock_keeps_boundaries(&p->cli))
				break;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS)
			return -1;
		/* The sender must wait. Before the slow reader reads: where is what was sent? */
		if (t->waits++ == 0) {
			t->first_sent = t->sent;
			t->first_in = kernel_queued_in(pair_server(p)->fd);
			t->first_out = kernel_queued_out(p->cli.fd);
		}
		/* The slow reader reads now, until the socket takes more. */
		for (int r = 0; r == 0;) {
			int got = read_all(p, t);
			if (got < 0 || (r = sys_wait(p->cli.fd, 1, 10)) < 0)
				return -1;
			if (got > 0)
				stuck = sys_now_ms() + STUCK_MS; /* progress: the reader is getting data */
			if (sys_now_ms() > stuck) {
				errno = ETIMEDOUT;
				return -1;
			}
		}
	}
	t->sent++;
	return 0;
}

/* An empty tally for count messages of size bytes: none seen yet (high -1). */
void tally_reset(struct tally *t, size_t count, size_t size)
{
	memset(t, 0, sizeof *t);
	t->count = count;
	t->size = size;
	t->high = -1;
	t->first_in = t->first_out = -1;
}

/* The client sends t->count numbered messages; the server reads them, all along or only when it must. */
int tally_run(struct pair *p, struct tally *t, int slow)
{
	char *msg = malloc(t->size);
	int r = -1;

	if (!msg)
		return -1;
	if (sock_set_nonblocking(&p->cli) < 0 || sock_set_nonblocking(pair_server(p)) < 0)
		goto out;
	t->start = t->last = sys_now_ms();
	for (size_t i = 0; i < t->count; i++) {
		memset(msg, '.', t->size);
		snprintf(msg, t->size, "%06zu", i);
		msg[6] = '.';
		if (send_one(p, t, msg) < 0 || (!slow && read_all(p, t) < 0))
			goto out;
	}
	/*
	 * The end: a connection's is shutdown(SHUT_WR), which keeps the socket,
	 * so that its TCP_INFO can be read once everything arrived; a datagram
	 * socket closes (and a datagram held back by ?reorder= goes now).
	 */
	if (sock_is_connected(&p->cli) ? sock_shutdown(&p->cli, SHUT_WR) < 0 : sock_close(&p->cli) < 0)
		goto out;
	while (t->arrived < t->count && !t->eof && lab_wait(pair_server(p), lab_patience(pair_server(p))) > 0)
		if (read_all(p, t) < 0)
			goto out;
	t->ms = t->last - t->start; /* not the wait that found nothing more */
	if (p->cli.fd >= 0)
		kernel_tcp_info(p->cli.fd, &t->tcp); /* t->tcp.ok stays 0 on any socket but TCP */
	r = 0;
out:
	free(msg);
	return r;
}
