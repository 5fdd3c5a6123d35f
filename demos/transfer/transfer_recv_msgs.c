/* transfer_recv_msgs.c - recv over a message transport: numbered messages in, the data out in order, every loss counted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"
#include "core/transport.h"
#include "transfer_proto.h"
#include "demos/cli.h"
#include "transfer_cli.h"
#include "transfer_recv_msgs.h"

#define LINGER_MS 200                  /* after the sender's totals, how long a reordered straggler may take */
#define ACK_QUIET_MS 600               /* after our acknowledgement: three of the sender's resend intervals */
#define ACK_LINGER_MAX_MS 5000         /* and at most this long in all */
#define MSG_MAX (XFER_HEADER_SIZE + XFER_PAYLOAD_MAX)

/* Waits until s is readable or the deadline (0: none) passes. 0 when readable, -1 with errno (SL_ETIMEDOUT_REPLY). */
static int wait_until(struct sock *s, long long deadline)
{
	if (deadline == 0)
		return 0; /* the receive blocks as long as it takes */
	long long left = deadline - sys_now_ms();
	int r = left > 0 ? sys_wait(s->fd, 0, (int)left) : 0;
	if (r == 0)
		errno = SL_ETIMEDOUT_REPLY;
	return r > 0 ? 0 : -1;
}

/*
 * One message from the sender, waiting at most until deadline (0: for ever).
 * Datagram: the first valid one chooses the sender; others are ignored, and
 * the deadline does not move for them: a stray datagram or garbage never
 * keeps the receiver waiting longer.
 */
static ssize_t receive(struct inbox *in, char *buf, struct xfer_header *h, long long deadline)
{
	for (;;) {
		struct addr from, local;
		int truncated = 0;
		const char *why;
		if (wait_until(in->s, deadline) < 0)
			return *in->o->stopping ? (errno = EINTR, -1) : -1;
		ssize_t n = sock_is_connected(in->s) ? sock_recv_reply(in->s, buf, MSG_MAX, &truncated)
						     : sock_recvmsg(in->s, buf, MSG_MAX, &from, &local, &truncated);
		if (*in->o->stopping) {
			errno = EINTR;
			return -1;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			errno = SL_ETIMEDOUT_REPLY;
		if (n <= 0 && (n < 0 || sock_is_connected(in->s)))
			return n; /* an error, or the end of the connection */
		if (truncated || xfer_decode(buf, (size_t)n, h, &why) < 0 ||
		    (!sock_is_connected(in->s) && in->have_peer && !addr_equal(&from, &in->peer))) {
			in->ignored++;
			continue;
		}
		if (!sock_is_connected(in->s) && !in->have_peer) {
			in->peer = from;
			in->local = local; /* a receiver on a wildcard address answers from the address it was sent to */
			in->local = local; /* a receiver on a wildcard address answers from the address it was sent to */
			in->have_peer = 1;
		}
		return n;
	}
}

/* Reads until the transfer is whole, or the sender's totals came and the stragglers had their chance. */
static int take_in(struct inbox *in, char *buf)
{
	struct xfer_header h;
	long long linger_until = 0, last_ms = 0;

	for (;;) {
		/* The sender has been quiet for the timeout since its last message; or the stragglers' time is up. */
		long long deadline = last_ms ? last_ms + in->o->timeout_ms : 0;
		if (linger_until && (deadline == 0 || linger_until < deadline))
			deadline = linger_until;
		ssize_t n = receive(in, buf, &h, deadline);
		if (n < 0 && errno == SL_ETIMEDOUT_REPLY && in->start_ms)
			return 0; /* the stragglers had their chance, or the sender fell silent: finish() says which */
		if (n < 0 && errno == EINTR && !in->start_ms)
			return -1; /* stopped while waiting for a sender: nothing was lost */
		if (n < 0 && errno == EINTR) {
			fprintf(stderr, "socklab: recv: stopped by a signal during the transfer: the data is incomplete\n");
			return EXIT_RUNTIME;
		}
		if (n < 0)
			return cli_error_on("recv", in->s->t, errno, "recv", "receive from %s", in->o->where);
		if (n == 0)
			return 0; /* the connection ended: whatever is missing is counted missing */
		last_ms = sys_now_ms();
		if (!in->start_ms) {
			in->start_ms = last_ms;
			*in->o->served = 1;
			progress_start(in->o->progress, "recv");
		}
		if (h.type == XFER_DATA) {
			int r = xfer_tally_add(&in->tally, h.count);
			if (r < 0)
				return cli_error("recv", errno, NULL, "count message %llu", (unsigned long long)h.count);
			if (r != XFER_DUPLICATE && inbox_place(in, h.count, buf + XFER_HEADER_SIZE, h.length) < 0)
				in->too_late++; /* arrived, but of no use: not received, and the ACK says so (its repeats are dups) */
			if (in->o->slow_ms)
				sys_nap_ms(in->o->slow_ms, in->o->stopping); /* a stop signal ends the pause */
		} else if (h.type == XFER_END) {
			in->end = h;
			in->have_end = 1;
			if (xfer_tally_lost(&in->tally, h.count) == 0)
				return 0;
			if (!linger_until)
				linger_until = sys_now_ms() + LINGER_MS;
		}
		if (in->failed)
			return EXIT_RUNTIME;
	}
}

/*
 * Our acknowledgement is a datagram too, and can be lost: then the sender
 * repeats its totals and waits. So stay a moment and answer each repeat,
 * until the sender has been quiet for ACK_QUIET_MS. It is the reason TCP
 * keeps a closed connection in TIME_WAIT: the last ACK has no ACK of its own.
 */
static void answer_repeats(struct inbox *in, const char *ack)
{
	char buf[XFER_HEADER_SIZE * 2];
	long long until = sys_now_ms() + ACK_LINGER_MAX_MS, quiet = sys_now_ms() + ACK_QUIET_MS;

	while (!*in->o->stopping && sys_now_ms() < until) {
		struct addr from;
		struct xfer_header h;
		const char *why;
		int truncated = 0;
		if (wait_until(in->s, quiet < until ? quiet : until) < 0)
			return; /* quiet: the sender heard us (or is gone) */
		ssize_t n = sock_recvfrom(in->s, buf, sizeof buf, &from, &truncated);
		if (n < 0)
			return;
		if (!truncated && addr_equal(&from, &in->peer) && xfer_decode(buf, (size_t)n, &h, &why) == 0 &&
		    h.type == XFER_END) {
			sock_sendmsg(in->s, ack, XFER_HEADER_SIZE, &in->peer, &in->local);
			quiet = sys_now_ms() + ACK_QUIET_MS; /* only the sender's repeat keeps the receiver here */
		}
	}
}

/* The report, then the acknowledgement: once the sender hears it, the report is already written. */
static int finish(struct inbox *in)
{
	char timing[64], from[ADDR_TEXT_MAX] = "", ack[XFER_HEADER_SIZE];
	uint64_t sent = in->have_end ? in->end.count : in->tally.next;
	/* A message that came too late to be placed is in the data as a gap: not received, lost. */
	uint64_t received = in->tally.received - in->too_late;
	uint64_t lost = xfer_tally_lost(&in->tally, sent) + in->too_late;
	uint32_t check;

	inbox_flush(in, sent);
	if (in->have_peer)
		addr_format(&in->peer, from, sizeof from);
	progress_end(in->o->progress, in->written);
	check = xfer_cksum(in->crc, in->written);
	fprintf(stderr, "recv: %llu bytes%s%s in %llu %s, %s\n", (unsigned long long)in->written, *from ? " from " : "", from,
		(unsigned long long)received, in->unit, transfer_timing(in->start_ms, in->written, timing, sizeof timing));
	if (in->have_end)
		fprintf(stderr, "recv: %llu %s sent, %llu received, %llu lost, %llu reordered, %llu duplicated\n",
			(unsigned long long)sent, in->unit, (unsigned long long)received, (unsigned long long)lost,
			(unsigned long long)in->tally.late, (unsigned long long)in->tally.dups);
	if (in->too_late)
		fprintf(stderr, "recv: %llu of the lost arrived too late: their place in the data had been given up\n",
			(unsigned long long)in->too_late);
	fprintf(stderr, "recv: cksum %lu %llu", (unsigned long)check, (unsigned long long)in->written);
	if (in->have_end)
		fprintf(stderr, " (the sender's: %lu %llu)", (unsigned long)in->end.check, (unsigned long long)in->end.bytes);
	fputc('\n', stderr);
	if (in->ignored)
		fprintf(stderr, "recv: %llu ignored: not messages of this transfer\n", (unsigned long long)in->ignored);

	int rc = in->failed ? EXIT_RUNTIME : 0;
	if (!in->have_end) {
		fprintf(stderr, "socklab: recv: the sender stopped without its totals after %llu %s: the data may be incomplete"
				" (a sender can vanish, and nothing tells the receiver)\n",
			(unsigned long long)received, in->unit);
		return EXIT_RUNTIME; /* nobody to acknowledge */
	}
	if (lost) {
		char where[200];
		fprintf(stderr, "socklab: recv: %llu of %llu %s lost%s: the data is incomplete (%s)\n",
			(unsigned long long)lost, (unsigned long long)sent, in->unit,
			in->too_late ? ", some of them arriving after their place was given up" : "",
			transfer_where_lost(in->s, where, sizeof where));
		rc = EXIT_RUNTIME;
	} else if (check != in->end.check || in->written != in->end.bytes) {
		fprintf(stderr, "socklab: recv: the data differs from what was sent: the checksums differ\n");
		rc = EXIT_RUNTIME;
	}

	struct xfer_header a = { .type = XFER_ACK, .count = received, .bytes = in->written, .check = check,
				 .dups = (uint32_t)in->tally.dups, .late = (uint32_t)in->tally.late };
	xfer_encode(&a, (unsigned char *)ack);
	if (sock_is_connected(in->s)) {
		sock_send(in->s, ack, sizeof ack);
	} else {
		sock_sendmsg(in->s, ack, sizeof ack, &in->peer, &in->local);
		answer_repeats(in, ack);
	}
	return rc;
}

int transfer_recv_msgs(struct sock *s, const struct recv_msgs_options *o)
{
	struct inbox in = { .o = o, .s = s, .unit = sock_is_connected(s) ? "messages" : "datagrams" };
	char *buf = malloc(MSG_MAX);

	int rc = !buf || inbox_ring_new(&in) < 0 ? cli_error("recv", ENOMEM, NULL, "start receiving") : take_in(&in, buf);
	if (rc == 0)
		rc = finish(&in);
	else if (rc < 0)
		rc = 0; /* stopped before anything came */
	inbox_ring_free(&in);
	free(buf);
	xfer_tally_free(&in.tally);
	return rc;
}
