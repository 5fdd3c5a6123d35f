/* contrast_flow.c - scenarios 7 and 12: a fast sender and a slow reader; numbered messages, counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* Flow control: a megabyte in messages of a kilobyte, more than the default socket buffers hold. */
#define FLOW_COUNT 1000
#define FLOW_SIZE 1000
/* Both socket buffers are set to this, so that a megabyte is more than they hold. */
#define FLOW_BUFFER (64 * 1024)
/* Delivery: numbered messages the reader reads as they come. */
#define DELIVERY_COUNT 100
#define DELIVERY_SIZE 100
/* A sender stuck this long with nothing to read has a problem, not a lesson. */
#define STUCK_MS 2000

/* What a run of numbered messages did. Each message starts with its number, six digits. */
struct tally {
	size_t count, size;          /* what the sender sends */
	size_t sent, waits;          /* messages handed to the socket; times it said "wait" (EAGAIN) */
	size_t reads, arrived, dups, late; /* receives; distinct messages; extra copies; overtaken ones */
	long long high;              /* the highest number seen so far */
	long long start, last;       /* when the first send began; when data last arrived */
	long long ms;                /* from the first send to the last data read */
	unsigned char seen[FLOW_COUNT > DELIVERY_COUNT ? FLOW_COUNT : DELIVERY_COUNT];
	char rec[FLOW_SIZE];         /* a stream's bytes, cut back into messages */
	size_t rlen;
	int eof;
};

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
		/* The sender must wait. The slow reader reads now, until the socket takes more. */
		t->waits++;
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
static void tally_reset(struct tally *t, size_t count, size_t size)
{
	memset(t, 0, sizeof *t);
	t->count = count;
	t->size = size;
	t->high = -1;
}

/* The client sends t->count numbered messages; the server reads them, all along or only when it must. */
static int run(struct pair *p, struct tally *t, int slow)
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
	sock_close(&p->cli); /* the end of the stream; a datagram held back by ?reorder= goes now */
	while (t->arrived < t->count && !t->eof && lab_wait(pair_server(p), lab_patience(pair_server(p))) > 0)
		if (read_all(p, t) < 0)
			goto out;
	t->ms = t->last - t->start; /* not the wait that found nothing more */
	r = 0;
out:
	free(msg);
	return r;
}

/* UDP counts what it dropped for a full buffer in /proc/net/snmp (snmp6 for IPv6). */
static long long rcvbuf_errors(const struct transport *t, const struct addr *a)
{
	if (transport_is_connected(t) || transport_has_socket_file(t))
		return -1;
	return lab_snmp(a->ss.ss_family, "Udp", "RcvbufErrors");
}

/* TCP counts every segment it sent again, host-wide, in /proc/net/snmp (for IPv6 too). */
static long long retransmitted(const struct transport *t)
{
	if (transport_has_socket_file(t) || !transport_is_connected(t))
		return -1;
	return lab_snmp(AF_INET, "Tcp", "RetransSegs");
}

/* 7. A fast sender, a slow reader, the default buffers: does the sender wait, or is data dropped? */
int scenario_flow(struct lab *lab, const struct transport *t, struct cell *c)
{
	static struct tally tl;
	struct pair p;
	char say[200];

	tally_reset(&tl, FLOW_COUNT, FLOW_SIZE);
	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	if (sys_setsockopt_int(pair_server(&p)->fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", FLOW_BUFFER) < 0 ||
	    sys_setsockopt_int(p.cli.fd, SOL_SOCKET, SO_SNDBUF, "SO_SNDBUF", FLOW_BUFFER) < 0) {
		pair_close(&p);
		return cell_fail(c, "setsockopt", errno);
	}
	long long before = rcvbuf_errors(t, &p.at);
	int r = run(&p, &tl, 1), err = errno;
	long long after = rcvbuf_errors(t, &p.at);
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "transfer", err);
	obs_int(c, "sent", (long long)tl.sent);
	obs_int(c, "arrived", (long long)tl.arrived);
	obs_int(c, "sender_waited", (long long)tl.waits);
	snprintf(say, sizeof say, "%zu of %zu arrived; the sender ", tl.arrived, tl.sent);
	if (tl.waits)
		SAY(say, "waited %zu times", tl.waits);
	else
		SAY(say, "never waited");
	if (before >= 0 && after >= 0) {
		obs_int(c, "kernel_rcvbuf_errors", after - before);
		SAY(say, "; kernel: Udp RcvbufErrors +%lld", after - before);
	}
	cell_say(c, "%s", say);
	return 0;
}

/* 12. A hundred numbered messages, read as they come: how many arrive, in what order, how soon? */
int scenario_delivery(struct lab *lab, const struct transport *t, struct cell *c)
{
	static struct tally tl;
	struct pair p;
	char say[200];

	tally_reset(&tl, DELIVERY_COUNT, DELIVERY_SIZE);
	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	long long before = retransmitted(t);
	int r = run(&p, &tl, 0), err = errno;
	long long after = retransmitted(t);
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "transfer", err);
	obs_int(c, "sent", (long long)tl.sent);
	obs_int(c, "arrived", (long long)tl.arrived);
	obs_int(c, "duplicates", (long long)tl.dups);
	obs_int(c, "out_of_order", (long long)tl.late);
	obs_int(c, "ms", tl.ms);
	if (before >= 0 && after >= 0)
		obs_int(c, "kernel_tcp_retransmits", after - before);
	snprintf(say, sizeof say, "%zu of %zu arrived", tl.arrived, tl.sent);
	if (tl.dups)
		SAY(say, ", %zu twice", tl.dups);
	if (tl.late)
		SAY(say, ", %zu out of order", tl.late);
	else
		SAY(say, ", in order");
	/* RetransSegs counts the whole host's TCP (or the lab's namespace): data, not a claim in the cell. */
	cell_say(c, "%s, in %lld ms", say, tl.ms);
	return 0;
}
