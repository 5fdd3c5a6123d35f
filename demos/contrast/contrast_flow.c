/* contrast_flow.c - scenario 7: a fast sender and a slow reader: what makes the sender wait, measured, or what is dropped. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "transports/rdt/rdt_transport.h"
#include "contrast.h"

/* Flow control: a megabyte in messages of a kilobyte, more than the buffers below hold. */
#define FLOW_COUNT 1000
#define FLOW_SIZE 1000
_Static_assert(FLOW_COUNT <= TALLY_COUNT_MAX && FLOW_SIZE <= TALLY_SIZE_MAX, "a tally holds the flow scenario");
/*
 * The reader's receive buffer and the sender's send buffer, different on
 * purpose, so that the cell shows which one the kernel uses. The kernel
 * doubles both for its bookkeeping (socket(7), SO_RCVBUF): the cell shows
 * the value it uses, read back with getsockopt(2).
 */
#define FLOW_RCVBUF (16 * 1024)
#define FLOW_SNDBUF (64 * 1024)
/* Where Linux keeps the most datagrams a unix datagram socket queues (Documentation/networking/ip-sysctl.rst). */
#define DGRAM_QLEN "/proc/sys/net/unix/max_dgram_qlen"

/* UDP counts what it dropped for a full buffer in /proc/net/snmp (snmp6 for IPv6). */
static long long rcvbuf_errors(const struct transport *t, const struct addr *a)
{
	if (transport_is_reliable(t))
		return -1;
	return counters_snmp(a->ss.ss_family, "Udp", "RcvbufErrors");
}

static long long kib(long long bytes)
{
	return (bytes + 512) / 1024;
}

/*
 * What held the sender at its first wait, from what the kernel had queued
 * then (the slow reader had read nothing yet), never from the transport's name:
 * a queue of exactly max_dgram_qlen + 1 datagrams is the queue's limit (Linux
 * takes one more before it blocks); more bytes queued for the reader than its
 * SO_RCVBUF means that buffer is not what limits; otherwise it is the
 * receiver's window.
 */
static void limit(const struct tally *tl, long long rcvbuf, long long sndbuf, long long qlen, int messages, char *say,
		  size_t len)
{
	size_t o = strlen(say);

	if (messages && qlen >= 0 && tl->first_sent == (size_t)qlen + 1)
		snprintf(say + o, len - o, ", first at %zu datagrams queued: net.unix.max_dgram_qlen is %lld", tl->first_sent,
			 qlen);
	else if (tl->first_in > rcvbuf && rcvbuf > 0)
		snprintf(say + o, len - o, ", first with %lld KiB queued for the reader, over its SO_RCVBUF (%lld KiB, unused):"
					   " the sender's SO_SNDBUF (%lld KiB) was full", kib(tl->first_in), kib(rcvbuf),
			 kib(sndbuf));
	else if (tl->first_in >= 0)
		snprintf(say + o, len - o, ", first with %lld KiB unread at the reader (the window its SO_RCVBUF of %lld KiB "
					   "allows) and %lld KiB in the sender's buffer", kib(tl->first_in), kib(rcvbuf),
			 kib(tl->first_out));
}

/*
 * rdt: the buffers the kernel reports for the application's descriptor are a
 * socketpair's (rdt_sock.h), not the protocol's: the cell shows rdt's own
 * figures, and says they are socklab's. Its receiver advertises the room it
 * has left in every ACK; the sender stops at that window.
 */
static int flow_own(struct cell *c, const struct tally *tl, const struct rdt_stats *rs)
{
	obs_int(c, "sent", (long long)tl->sent);
	obs_int(c, "arrived", (long long)tl->arrived);
	obs_int(c, "sender_waited", (long long)tl->waits);
	obs_int(c, "rdt_window", rs->window);
	obs_int(c, "rdt_zero_window_probes", (long long)rs->probes);
	cell_say(c, "%zu of %zu arrived; the sender waited %zu time%s: socklab's rdt, its window of %u packets and the "
		    "room the reader advertises in each ACK (%llu zero-window probes)", tl->arrived, tl->sent, tl->waits,
		 tl->waits == 1 ? "" : "s", rs->window, (unsigned long long)rs->probes);
	return 0;
}

/* 7. A fast sender, a slow reader: does the sender wait, and for what; or is data dropped? */
int scenario_flow(struct lab *lab, const struct transport *t, struct cell *c)
{
	static struct tally tl;
	struct pair p;
	char say[240];

	tally_reset(&tl, FLOW_COUNT, FLOW_SIZE);
	if (pair_open_sized(lab, t, &p, FLOW_RCVBUF, FLOW_SNDBUF) < 0)
		return cell_fail(c, "open", errno);
	long long rcvbuf = kernel_sockopt(pair_server(&p)->fd, SO_RCVBUF, "SO_RCVBUF");
	long long sndbuf = kernel_sockopt(p.cli.fd, SO_SNDBUF, "SO_SNDBUF");
	long long qlen = kernel_setting(DGRAM_QLEN);
	long long before = rcvbuf_errors(t, &p.at);
	int r = tally_run(&p, &tl, 1), err = errno;
	long long after = rcvbuf_errors(t, &p.at);
	long long drops = transport_is_reliable(t) ? -1 : counters_udp_drops(addr_port(&p.at)); /* while the socket is open */
	struct rdt_stats rs;
	int own = rdt_sock_stats(&p.cli, &rs) == 0; /* socklab's own protocol: its window, not a kernel buffer */
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "transfer", err);
	if (own)
		return flow_own(c, &tl, &rs);
	obs_int(c, "sent", (long long)tl.sent);
	obs_int(c, "arrived", (long long)tl.arrived);
	obs_int(c, "sender_waited", (long long)tl.waits);
	obs_int(c, "reader_rcvbuf", rcvbuf);
	obs_int(c, "sender_sndbuf", sndbuf);
	if (tl.waits) {
		obs_int(c, "first_wait_messages", (long long)tl.first_sent);
		obs_int(c, "first_wait_reader_bytes", tl.first_in);
		obs_int(c, "first_wait_sender_bytes", tl.first_out);
	}
	if (transport_has_socket_file(t) && transport_keeps_boundaries(t) && qlen >= 0)
		obs_int(c, "max_dgram_qlen", qlen);
	snprintf(say, sizeof say, "%zu of %zu arrived; the sender ", tl.arrived, tl.sent);
	if (tl.waits) {
		SAY(say, "waited %zu time%s", tl.waits, tl.waits == 1 ? "" : "s");
		limit(&tl, rcvbuf, sndbuf, transport_has_socket_file(t) ? qlen : -1, transport_keeps_boundaries(t), say,
		      sizeof say);
	} else {
		SAY(say, "never waited");
	}
	/*
	 * The reader's socket counts its own drops (/proc/net/udp); RcvbufErrors
	 * is the whole host's (the lab's namespace's, in make lab), where other
	 * programs' drops count too.
	 */
	if (drops >= 0) {
		obs_int(c, "kernel_socket_drops", drops);
		SAY(say, "; the kernel dropped %lld at its full buffer (SO_RCVBUF %lld KiB)", drops, kib(rcvbuf));
	}
	if (before >= 0 && after >= 0) {
		obs_int(c, "kernel_rcvbuf_errors", after - before);
		SAY(say, "; Udp RcvbufErrors +%lld (all sockets)", after - before);
	}
	cell_say(c, "%s", say);
	return 0;
}
