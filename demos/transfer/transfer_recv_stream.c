/* transfer_recv_stream.c - recv over a stream: a greeting, then framed data from socklab send (an end it can check) or raw bytes from anything else. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sys/sys.h"
#include "demos/cli.h"
#include "transfer_cli.h"
#include "transfer_proto.h"

struct stream_in {
	struct sock *c;
	const struct recv_msgs_options *o;
	unsigned long long bytes, calls; /* data written, and recv() calls made */
	uint32_t crc;
	unsigned char tail[XFER_HEADER_SIZE]; /* framed: the last bytes, held back: they may be the END header */
	size_t tlen;
	int failed;
};

/* Data out: written, counted, summed. */
static void put(struct stream_in *in, const void *p, size_t n)
{
	if (n == 0 || in->failed)
		return;
	if (transfer_write_all(in->o->out, p, n) < 0) {
		cli_error("recv", errno, NULL, "write the data");
		in->failed = 1;
		return;
	}
	in->crc = xfer_crc_update(in->crc, p, n);
	in->bytes += n;
	progress_update(in->o->progress, in->bytes);
}

/* Framed: everything but the last XFER_HEADER_SIZE bytes seen so far is data. */
static void put_framed(struct stream_in *in, const unsigned char *p, size_t n)
{
	size_t total = in->tlen + n;

	if (total <= XFER_HEADER_SIZE) {
		memcpy(in->tail + in->tlen, p, n);
		in->tlen = total;
		return;
	}
	size_t out = total - XFER_HEADER_SIZE, from_tail = out < in->tlen ? out : in->tlen;
	put(in, in->tail, from_tail);
	put(in, p, out - from_tail);
	memmove(in->tail, in->tail + from_tail, in->tlen - from_tail); /* what stays of the old tail... */
	in->tlen -= from_tail;
	memcpy(in->tail + in->tlen, p + (out - from_tail), n - (out - from_tail)); /* ...and the end of p */
	in->tlen = XFER_HEADER_SIZE;
}

/* One recv(); 0 at the end of the stream, -1 on an error or a stop (said). */
static ssize_t take(struct stream_in *in, void *buf, size_t len)
{
	ssize_t n = sock_recv(in->c, buf, len, NULL);

	if (*in->o->stopping) {
		fprintf(stderr, "socklab: recv: stopped by a signal before the end of the stream: the data is incomplete\n");
		return -1;
	}
	if (n < 0)
		cli_error_on("recv", in->c->t, errno, "recv", "receive from %s", in->o->where);
	else
		in->calls++;
	return n;
}

/*
 * Framed, at the end of the stream: the tail is the sender's END, or, when
 * it is not one, data the sender had sent before it stopped half-way.
 * 1 when it is the END (in *end), else 0 (the tail is written as data).
 */
static int take_end(struct stream_in *in, struct xfer_header *end)
{
	const char *why;

	if (in->tlen == XFER_HEADER_SIZE && xfer_decode(in->tail, in->tlen, end, &why) == 0 && end->type == XFER_END)
		return 1;
	put(in, in->tail, in->tlen);
	in->tlen = 0;
	return 0;
}

/* Framed: does the sender's END say what arrived? The exit code, and the lines that say why not. */
static int check_end(struct stream_in *in, int have_end, const struct xfer_header *end)
{
	uint32_t check = xfer_cksum(in->crc, in->bytes);

	if (!have_end) {
		fprintf(stderr, "recv: cksum %lu %llu\n", (unsigned long)check, in->bytes);
		fprintf(stderr, "socklab: recv: the stream ended without the sender's end marker after %llu bytes: the data"
				" is incomplete (was the sender stopped?)\n", in->bytes);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "recv: cksum %lu %llu (the sender's: %lu %llu)\n", (unsigned long)check, in->bytes,
		(unsigned long)end->check, (unsigned long long)end->bytes);
	if (end->bytes == in->bytes && end->check == check)
		return 0;
	fprintf(stderr, "socklab: recv: the data differs from what was sent: %s\n",
		end->bytes != in->bytes ? "not as many bytes" : "the checksums differ");
	return EXIT_RUNTIME;
}

/* Framed: the acknowledgement, so that the sender's report says what arrived too. */
static void acknowledge(struct stream_in *in)
{
	unsigned char ack[XFER_HEADER_SIZE];
	struct xfer_header a = { .type = XFER_ACK, .count = in->calls, .bytes = in->bytes,
				 .check = xfer_cksum(in->crc, in->bytes) };

	xfer_encode(&a, ack);
	(void)sock_send_all(in->c, ack, sizeof ack); /* a sender that is gone does not need it */
}

int transfer_recv_stream(struct sock *c, const struct recv_msgs_options *o)
{
	struct stream_in in = { .c = c, .o = o };
	unsigned char *buf = malloc(TRANSFER_IO_BUF), first[XFER_HEADER_SIZE];
	char from[ADDR_TEXT_MAX], timing[64];
	struct xfer_header h;
	const char *why;
	size_t got = 0;
	ssize_t n = 1;
	int rc = 0;

	if (!buf)
		return cli_error("recv", ENOMEM, NULL, "start receiving");
	(void)sock_send_all(c, XFER_HELLO, sizeof XFER_HELLO - 1); /* who is here, before anything else */
	progress_start(o->progress, "recv");
	while (got < sizeof first && (n = take(&in, first + got, sizeof first - got)) > 0)
		got += (size_t)n;
	int framed = got == sizeof first && xfer_decode(first, got, &h, &why) == 0 && h.type == XFER_START;
	if (!framed)
		put(&in, first, got); /* raw bytes from the start */
	while (n > 0 && !in.failed && (n = take(&in, buf, TRANSFER_IO_BUF)) > 0) {
		if (framed)
			put_framed(&in, buf, (size_t)n);
		else
			put(&in, buf, (size_t)n);
	}
	struct xfer_header end;
	int have_end = framed && n == 0 && !in.failed && take_end(&in, &end);
	progress_end(o->progress, in.bytes);
	int named = !addr_is_unnamed_unix(&c->peer);
	fprintf(stderr, "recv: %llu bytes%s%s in %llu recv() call%s, %s\n", in.bytes, named ? " from " : "",
		named ? addr_format(&c->peer, from, sizeof from) : "", in.calls, in.calls == 1 ? "" : "s",
		transfer_timing(o->progress->start_ms, in.bytes, timing, sizeof timing));
	if (n < 0 || in.failed) {
		fprintf(stderr, "recv: cksum %lu %llu\n", (unsigned long)xfer_cksum(in.crc, in.bytes), in.bytes);
		rc = EXIT_RUNTIME;
	} else if (framed) {
		rc = check_end(&in, have_end, &end);
		acknowledge(&in);
	} else {
		fprintf(stderr, "recv: cksum %lu %llu\n", (unsigned long)xfer_cksum(in.crc, in.bytes), in.bytes);
		fprintf(stderr, "recv: the sender did not say how much it would send (nc? socat?): whether all of it arrived"
				" cannot be known\n");
	}
	free(buf);
	return rc;
}
