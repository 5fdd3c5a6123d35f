/* transfer_send_stream.c - socklab send over a stream: raw bytes, framed with an end the receiver can check when it is socklab's recv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "demos/cli.h"
#include "transfer_proto.h"
#include "transfer_send.h"

/*
 * All of buf on a stream. The socket is non-blocking, so a send() takes what
 * fits in the socket's buffer and returns that count: often less than asked.
 * The rest is sent once poll() says there is room again. Data (count set)
 * is counted as the kernel takes it, never before.
 */
static int put(struct sender *s, const char *buf, size_t len, int count)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = sock_send(&s->sock, buf + done, len - done);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = sys_wait(s->sock.fd, 1, s->timeout_ms);
			if (r <= 0)
				return cli_error_on("send", s->sock.t, r == 0 ? SL_ETIMEDOUT_REPLY : errno, "send", "send to %s",
						    s->where);
			continue;
		}
		if (n < 0)
			return cli_error_on("send", s->sock.t, errno, "send", "send to %s", s->where);
		if (count) {
			s->calls++;
			s->partial += (size_t)n < len - done;
			s->bytes += (unsigned long long)n;
			s->crc = xfer_crc_update(s->crc, buf + done, (size_t)n);
		}
		done += (size_t)n;
	}
	return 0;
}

/* Reads exactly len bytes by deadline. 0, or -1 with errno (SL_ETIMEDOUT_REPLY, SL_ESHORT at the end of stream). */
static int take(struct sender *s, void *buf, size_t len, long long deadline)
{
	for (size_t got = 0; got < len;) {
		long long left = deadline - sys_now_ms();
		int r = left > 0 ? sys_wait(s->sock.fd, 0, (int)left) : 0;
		if (r <= 0) {
			errno = r == 0 ? SL_ETIMEDOUT_REPLY : errno;
			return -1;
		}
		ssize_t n = sock_recv(&s->sock, (char *)buf + got, len - got, NULL);
		if (n == 0)
			errno = SL_ESHORT;
		if (n <= 0 && (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)))
			return -1;
		got += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

/* Did a socklab recv greet us, within XFER_HELLO_MS? Anything else (silence, other bytes, an end) means no. */
static int greeted(struct sender *s)
{
	char hello[sizeof XFER_HELLO - 1];
	int wait = s->timeout_ms < XFER_HELLO_MS ? s->timeout_ms : XFER_HELLO_MS;

	return take(s, hello, sizeof hello, sys_now_ms() + wait) == 0 && memcmp(hello, XFER_HELLO, sizeof hello) == 0;
}

/* Raw bytes: after the last one, shutdown(SHUT_WR) says "no more", and the receiver's close says "all read". */
static int finish_raw(struct sender *s)
{
	char buf[4096];
	long long deadline = sys_now_ms() + s->timeout_ms; /* whatever the receiver sends meanwhile */

	if (sock_shutdown(&s->sock, SHUT_WR) < 0)
		return cli_error_on("send", s->sock.t, errno, "send", "end the stream to %s", s->where);
	for (;;) {
		long long left = deadline - sys_now_ms();
		int r = left > 0 ? sys_wait(s->sock.fd, 0, (int)left) : 0;
		if (r == 0) {
			fprintf(stderr, "socklab: send: %s has not closed its end after everything was sent: it may not have read"
					" it all\n", s->where);
			return EXIT_RUNTIME;
		}
		ssize_t n = r < 0 ? -1 : sock_recv(&s->sock, buf, sizeof buf, NULL);
		if (n == 0)
			return 0;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return cli_error_on("send", s->sock.t, errno, "recv", "wait for %s to close", s->where);
	}
}

/* Framed: the END header, the end of stream, then the receiver's ACK: what it got, and its cksum. */
static int finish_framed(struct sender *s)
{
	unsigned char end[XFER_HEADER_SIZE], ack[XFER_HEADER_SIZE];
	uint32_t check = xfer_cksum(s->crc, s->bytes);
	struct xfer_header h = { .type = XFER_END, .count = s->calls, .bytes = s->bytes, .check = check }, a;
	const char *why;
	int rc;

	xfer_encode(&h, end);
	if ((rc = put(s, (const char *)end, sizeof end, 0)) != 0)
		return rc;
	if (sock_shutdown(&s->sock, SHUT_WR) < 0)
		return cli_error_on("send", s->sock.t, errno, "send", "end the stream to %s", s->where);
	if (take(s, ack, sizeof ack, sys_now_ms() + s->timeout_ms) < 0)
		return cli_error_on("send", s->sock.t, errno, "recv", "the acknowledgement from %s", s->where);
	if (xfer_decode(ack, sizeof ack, &a, &why) < 0 || a.type != XFER_ACK) {
		fprintf(stderr, "socklab: send: %s answered with what is not an acknowledgement (%s)\n", s->where,
			why ? why : "another type of message");
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "send: the receiver got %llu of %llu bytes, cksum %lu %llu\n", (unsigned long long)a.bytes,
		s->bytes, (unsigned long)a.check, (unsigned long long)a.bytes);
	if (a.bytes != s->bytes || a.check != check) {
		fprintf(stderr, "socklab: send: %s did not get the data whole: %llu of %llu bytes, %s\n", s->where,
			(unsigned long long)a.bytes, s->bytes, a.check == check ? "same cksum" : "another cksum");
		return EXIT_RUNTIME;
	}
	return 0;
}

int send_stream_all(struct sender *s)
{
	char *buf = malloc(TRANSFER_IO_BUF), timing[64];
	ssize_t n = 0;
	int rc = 0, framed = 0;

	if (!buf)
		return cli_error("send", ENOMEM, NULL, "start sending");
	if (sock_set_nonblocking(&s->sock) < 0)
		rc = cli_error("send", errno, NULL, "make the socket non-blocking");
	if (rc == 0 && (framed = greeted(s)) != 0) {
		unsigned char start[XFER_HEADER_SIZE];
		xfer_encode(&(struct xfer_header){ .type = XFER_START }, start);
		rc = put(s, (const char *)start, sizeof start, 0);
	}
	progress_start(&s->pg, "send");
	while (rc == 0 && (n = transfer_read_full(s->in, buf, TRANSFER_IO_BUF)) > 0) {
		rc = put(s, buf, (size_t)n, 1);
		progress_update(&s->pg, s->bytes);
		sender_pace(s);
	}
	if (rc == 0 && n < 0)
		rc = cli_error("send", errno, NULL, "read the input");
	progress_end(&s->pg, s->bytes);
	fprintf(stderr, "send: %llu bytes to %s in %llu send() call%s, %llu of them partial, %s\n", s->bytes, s->where,
		s->calls, s->calls == 1 ? "" : "s", s->partial, transfer_timing(s->pg.start_ms, s->bytes, timing, sizeof timing));
	fprintf(stderr, "send: cksum %lu %llu\n", (unsigned long)xfer_cksum(s->crc, s->bytes), s->bytes);
	if (rc == 0 && !framed)
		fprintf(stderr, "send: no greeting from a socklab recv: raw bytes, whose receiver cannot check that it got "
				"them all\n");
	if (rc == 0)
		rc = framed ? finish_framed(s) : finish_raw(s);
	free(buf);
	return rc;
}
