/* rdt_burst.c - many datagrams per system call: a client's UDP socket read with recvmmsg, and written with sendmmsg. */
#include <errno.h>
#include <stdlib.h>

#include "rdt_sock.h"

/*
 * A system call costs about the same for one small datagram as for many
 * (core/batch.h). The protocol thread reads what a client's UDP socket holds
 * in one sock_recv_batch, and what its cores give to send in one round goes
 * out in one sock_send_batch, at the end of the round (rdt_burst_flush), or
 * when RDT_BATCH are waiting. A client's socket is connected: every datagram
 * goes to its peer, from its address; a listener bound to one address reads
 * and sends in batches too (each with its peer's address), since every
 * datagram arrives at, and leaves from, that one address. A listener on
 * 0.0.0.0 or :: reads one datagram at a time (recvmsg, with the address it
 * was sent to) and must answer from that address (sock_sendmsg's local
 * address, which a batch does not carry): it sends one at a time too.
 *
 * Unless the impairment layer wraps it, a batched socket also asks for
 * UDP's receive offload (udp_coalesce, UDP_GRO): what the peer sent in one
 * UDP_SEGMENT message (udp_send_batch) crosses loopback as one packet and is
 * read in one call, then cut into its datagrams here, each taken as if it
 * had come alone. Without it the kernel cuts the packet on the way in, one
 * buffer, one copy and one wake-up per datagram: on loopback that work is a
 * large part of what each of rdt's messages costs. An impaired socket is
 * read a datagram at a time, since each one's fate is drawn.
 *
 * The buffers are the thread's, shared by every driver it serves: whoever
 * queues datagrams flushes them before the thread moves to another driver
 * (rdt_driver_input and rdt_driver_run end with rdt_burst_flush), so that a
 * thousand clients cost one set of buffers, not a thousand. Under rdt_lock.
 */
struct burst {
	unsigned char *buf;          /* RDT_BATCH slots of size bytes */
	size_t size;
	struct sock_msg m[RDT_BATCH];
	struct addr peer[RDT_BATCH];  /* a listener's: output, where each goes; input, where each came from */
	unsigned n;                  /* output: datagrams waiting in the first n slots */
	struct rdt_driver *owner;    /* output: whose they are */
};

static struct burst in, out;
static unsigned char *coalesced; /* RDT_COALESCED_ROOM bytes: one read of a UDP_GRO socket */

#define RDT_COALESCED_ROOM 65536 /* more than UDP's largest payload (65,507 bytes), all a coalesced read can hold */

static int batched(const struct rdt_driver *d) { return !d->listener || d->one_addr; }

/* b's slots hold size bytes each, or -1 (no memory: the caller goes one datagram at a time). */
static int fit(struct burst *b, size_t size)
{
	if (b->buf && b->size >= size)
		return 0;
	unsigned char *p = realloc(b->buf, RDT_BATCH * size);
	if (!p)
		return -1;
	b->buf = p;
	b->size = size;
	return 0;
}

void rdt_burst_flush(struct rdt_driver *d)
{
	unsigned sent = 0;

	if (out.owner != d)
		return;
	if (out.n == 1 && out.m[0].addr) /* one datagram: sendto(2), as anyone would, and as --trace reads best */
		(void)sock_sendto(&d->udp, out.m[0].buf, out.m[0].len, out.m[0].addr);
	else if (out.n == 1)
		(void)sock_send(&d->udp, out.m[0].buf, out.m[0].len);
	while (out.n > 1 && sent < out.n) {
		ssize_t r = sock_send_batch(&d->udp, out.m + sent, out.n - sent);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS))
			break; /* the socket's buffer is full: these are lost, as on any network, and timers repair it */
		sent += r > 0 ? (unsigned)r : 1; /* one refused (ECONNREFUSED from an ICMP...): a loss, then the rest */
	}
	out.n = 0;
	out.owner = NULL;
}

unsigned char *rdt_burst_slot(struct rdt_driver *d)
{
	if (!batched(d))
		return d->out;
	if (out.owner && out.owner != d)
		rdt_burst_flush(out.owner); /* never happens when every user flushes; cheap insurance */
	if (out.n == 0 && fit(&out, d->dgram_max) < 0)
		return d->out;
	return out.buf + out.n * out.size;
}

void rdt_burst_queue(struct rdt_driver *d, struct rdt_chan *c, unsigned char *slot, size_t len)
{
	if (slot == d->out) {
		rdt_driver_transmit(d, c, slot, len);
		return;
	}
	out.m[out.n] = (struct sock_msg){ .buf = slot, .len = len, .addr = d->listener ? &out.peer[out.n] : NULL };
	if (d->listener) /* a copy: c may be freed before the flush */
		out.peer[out.n] = c->entry.addr;
	out.owner = d;
	if (++out.n == RDT_BATCH)
		rdt_burst_flush(d);
}

/* One datagram of what a read took, to its connection (a listener's: by its sender's address), and answered. */
static void take_one(struct rdt_driver *d, const unsigned char *buf, size_t len, const struct addr *from, long long now)
{
	if (d->listener) {
		rdt_demux_input(d, buf, len, from, &d->here, now);
	} else if (d->chans) {
		(void)rdt_input(d->chans->core, buf, len, now);
		rdt_driver_answer(d, d->chans, now);
	}
}

/* A UDP_GRO socket: up to RDT_BATCH reads, each cut into its datagrams. 1, or -1 with errno if the first failed. */
static int input_coalesced(struct rdt_driver *d, long long now)
{
	for (int k = 0; k < RDT_BATCH; k++) {
		struct addr from;
		size_t seg;
		ssize_t n = udp_recv_coalesced(&d->udp, coalesced, RDT_COALESCED_ROOM, &seg, &from);
		if (n < 0)
			return k ? 1 : -1;
		if (n == 0)
			take_one(d, coalesced, 0, &from, now); /* an empty datagram: refused, and counted, as any malformed one */
		for (size_t off = 0; off < (size_t)n; off += seg)
			take_one(d, coalesced + off, (size_t)n - off < seg ? (size_t)n - off : seg, &from, now);
	}
	return 1;
}

int rdt_burst_input(struct rdt_driver *d, long long now)
{
	if (d->gro && (coalesced || (coalesced = malloc(RDT_COALESCED_ROOM)))) {
		int r = input_coalesced(d, now);
		if (!d->listener && d->chans)
			rdt_chan_touch(d->chans);
		return r;
	}
	/* No memory for it: one datagram at a time, and a coalesced read is cut short: a loss, which timers repair. */
	if (!batched(d) || fit(&in, d->dgram_max + 1) < 0)
		return 0;
	for (unsigned i = 0; i < RDT_BATCH; i++) /* one byte more than the largest: a longer one shows, and is refused */
		in.m[i] = (struct sock_msg){ .buf = in.buf + i * in.size, .len = d->dgram_max + 1,
					     .addr = d->listener ? &in.peer[i] : NULL };
	ssize_t n = sock_recv_batch(&d->udp, in.m, RDT_BATCH);
	if (n < 0)
		return -1;
	for (ssize_t i = 0; i < n; i++) /* each to its connection, answered before the next (rdt_driver_answer) */
		take_one(d, in.m[i].buf, in.m[i].got, &in.peer[i], now);
	if (!d->listener && d->chans)
		rdt_chan_touch(d->chans);
	return 1;
}

void rdt_burst_free(void)
{
	free(coalesced);
	coalesced = NULL;
	free(in.buf);
	free(out.buf);
	in = (struct burst){ 0 };
	out = (struct burst){ 0 };
}
