/* pitfalls.c - socklab pitfalls NAME: what the tutorials gloss over, made to happen live, one small function each. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "demos/cli.h"
#include "pitfalls.h"

#define BIG (4 * 1024 * 1024) /* more than any socket buffer takes at once */

static const char usage[] =
	"usage: socklab pitfalls NAME [ENDPOINT]\n"
	"Makes one thing the socket tutorials gloss over happen, here and now, and says what\n"
	"happened. A server and a client in this one process talk over ENDPOINT (default\n"
	"tcp://127.0.0.1:0; any connected transport, and for two-messages any transport).\n"
	"Add --trace before the command to see every call: socklab --trace pitfalls NAME.\n\n"
	"pitfalls:\n";

/* "send(4194304 bytes) = 2621440", in the words of the trace, for the pitfall's own lines. */
static const char *result(ssize_t r, int err, char *buf, size_t len)
{
	if (r >= 0)
		snprintf(buf, len, "%zd", r);
	else
		snprintf(buf, len, "-1 %s (%s)", errno_name(err), errno_text(err));
	return buf;
}

/* One send() of BIG bytes on a non-blocking socket: it takes what fits, and says how much. */
static int partial_send(struct pair *p)
{
	char *buf = calloc(1, BIG), r[96];
	size_t sent = 0, got = 0;
	unsigned calls = 0;
	int rc = 0;

	if (!buf)
		return cli_error("pitfalls", ENOMEM, NULL, "set up");
	if (sock_set_nonblocking(&p->client) < 0 || sock_set_nonblocking(p->reader) < 0)
		rc = cli_error("pitfalls", errno, NULL, "make the sockets non-blocking");
	ssize_t n = rc ? -1 : sock_send(&p->client, buf, BIG);
	if (rc == 0) {
		printf("send(%d bytes) = %s\n", BIG, result(n, errno, r, sizeof r));
		if (n >= 0 && n < BIG)
			printf("one send() took only part: the socket's buffer was full, and nobody was reading yet\n");
		sent = n > 0 ? (size_t)n : 0;
	}
	/* The fix: send the rest, again and again, while the other side reads. */
	while (rc == 0 && got < BIG) {
		if (sent < BIG) {
			n = sock_send(&p->client, buf + sent, BIG - sent);
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
				rc = cli_error("pitfalls", errno, "send", "send the rest");
			sent += n > 0 ? (size_t)n : 0;
			calls += n > 0;
		}
		ssize_t m = sock_recv(p->reader, buf, BIG, NULL);
		if (m == 0 || (m < 0 && errno != EAGAIN && errno != EWOULDBLOCK))
			rc = cli_error("pitfalls", m == 0 ? SL_ESHORT : errno, "recv", "read what was sent");
		got += m > 0 ? (size_t)m : 0;
		if (rc == 0 && m < 0 && sys_wait(p->reader->fd, 0, 2000) <= 0)
			rc = cli_error("pitfalls", SL_ETIMEDOUT_REPLY, "recv", "read what was sent");
	}
	if (rc == 0) {
		printf("the rest went in %u more send() call%s, while the reader read: all %d bytes arrived\n", calls,
		       calls == 1 ? "" : "s", BIG);
		printf("the fix: loop until everything is sent (sock_send_all in core/transport.c; Python's sendall)\n");
	}
	free(buf);
	return rc;
}

/* One send() of 100000 bytes; the reader asks for 65536 at a time. */
static int part_of_a_message(struct pair *p)
{
	enum { LEN = 100000, ASK = 65536 };
	char *buf = calloc(1, LEN), r[96];
	size_t got = 0;
	int recvs = 0, truncated = 0;

	if (!buf)
		return cli_error("pitfalls", ENOMEM, NULL, "set up");
	/* Non-blocking: if the socket cannot take it all, send() says so instead of waiting for a reader that is us. */
	ssize_t n = sock_set_nonblocking(&p->client) < 0 ? -1 : sock_send(&p->client, buf, LEN);
	printf("send(%d bytes) = %s\n", LEN, result(n, errno, r, sizeof r));
	if (n < 0)
		printf("too large for one %s message: a datagram has a size limit, and nothing splits it for you\n",
		       p->server.t->scheme);
	while (n > 0 && got < (size_t)n && !truncated) {
		ssize_t m = pair_recv(p, buf, ASK, &truncated);
		printf("recv(%d bytes) = %s%s\n", ASK, result(m, errno, r, sizeof r), truncated ? ", MSG_TRUNC" : "");
		if (m <= 0)
			break;
		got += (size_t)m, recvs++;
	}
	if (truncated)
		printf("a message transport never splits a message: the kernel gave the first %d bytes and dropped the\n"
		       "rest, so a reader's buffer must hold the largest message\n", ASK);
	if (recvs > 1)
		printf("one send(), %d recv()s: a stream hands over what has arrived, up to what was asked;\n"
		       "the tutorial's recv(1024) gets only the start of anything longer\n"
		       "the fix: know how long a message is (a length first, or a delimiter) and recv until it is all\n"
		       "there (sock_recv_exact in core/io.c)\n", recvs);
	free(buf);
	return 0;
}

/* Two send()s before the reader reads: on a stream, one recv() may return both. */
static int two_messages(struct pair *p)
{
	char buf[1024], r[96];

	if (sock_send_all(&p->client, "hello", 5) < 0 || sock_send_all(&p->client, "world", 5) < 0)
		return cli_error("pitfalls", errno, "send", "send two messages");
	printf("send(\"hello\") and send(\"world\"), before the reader reads\n");
	if (pair_wait_bytes(p, 10) < 0)
		return cli_error("pitfalls", errno, "recv", "wait for the messages");
	ssize_t n = pair_recv(p, buf, sizeof buf, NULL);
	printf("recv(1024) = %s: \"%.*s\"\n", result(n, errno, r, sizeof r), n > 0 ? (int)n : 0, buf);
	if (n == 10)
		printf("two messages, one recv(): a stream keeps no boundaries, so the tutorial's server would take\n"
		       "\"helloworld\" for one message, and \"stop\" sent right after another would never be seen\n");
	else
		printf("one message per recv(): %s keeps boundaries, as every message transport does\n", p->server.t->scheme);
	printf("the fix, on a stream: frame the messages (a length first, or a delimiter such as a newline)\n");
	return 0;
}

/* Tutorial 001's mistake: recv() on the listening socket instead of the accepted one. */
static int recv_on_listener(struct pair *p)
{
	char buf[1024], r[96];

	if (sock_send_all(&p->client, "hello", 5) < 0)
		return cli_error("pitfalls", errno, "send", "send a message");
	ssize_t n = sys_recv(p->server.fd, buf, sizeof buf, 0);
	printf("recv(listening socket) = %s\n", result(n, errno, r, sizeof r));
	printf("a listening socket carries no data: it only hands out connections, one accept() each\n");
	n = sock_recv(p->reader, buf, sizeof buf, NULL);
	printf("recv(the socket accept() returned) = %s: \"%.*s\"\n", result(n, errno, r, sizeof r), n > 0 ? (int)n : 0, buf);
	return 0;
}

/* The peer goes away: the end of stream, then a send that "works", then EPIPE. */
static int vanished_peer(struct pair *p)
{
	char buf[64], r[96];

	sock_close(p->reader);
	printf("the server closed its connection (a crashed process's kernel would do the same)\n");
	ssize_t n = sock_recv(&p->client, buf, sizeof buf, NULL);
	printf("recv() = %s%s\n", result(n, errno, r, sizeof r), n == 0 ? ": the end of the stream, the peer sends no more" : "");
	for (int i = 1; i <= 3; i++) {
		n = sock_send(&p->client, "hello", 5);
		printf("send(\"hello\") = %s%s\n", result(n, errno, r, sizeof r),
		       n > 0 ? ": accepted by our kernel; the peer's kernel answers with a reset (RST)" : "");
		if (n < 0)
			break;
	}
	printf("without MSG_NOSIGNAL that send() raises SIGPIPE, and the process dies silently (Python:\n"
	       "BrokenPipeError); socklab's sys_send() passes MSG_NOSIGNAL and gets EPIPE instead\n");
	return 0;
}

/* A server that died leaves its socket file behind, and a plain bind() then fails. */
static int stale_socket_file(struct pair *p)
{
	(void)p;
	return pitfall_stale_file();
}

static const struct pitfall pitfalls[] = {
	{ "partial-send", "one send() takes only part of the data", PAIR_STREAM, partial_send },
	{ "part-of-a-message", "one recv() returns only part of what one send() sent", PAIR_ANY, part_of_a_message },
	{ "two-messages", "one recv() returns two send()s at once", PAIR_ANY, two_messages },
	{ "recv-on-listener", "recv() on the listening socket (tutorial 001's mistake)", PAIR_CONNECTED, recv_on_listener },
	{ "vanished-peer", "the peer goes away: end of stream, then EPIPE", PAIR_CONNECTED, vanished_peer },
	{ "stale-socket-file", "a dead server's socket file blocks bind()", PAIR_NONE, stale_socket_file },
	{ "fds-small-buffer", "a control buffer for one descriptor, three sent", PAIR_NONE, pitfall_fds_small_buffer },
	{ "fds-no-buffer", "descriptors sent to a reader with no control buffer", PAIR_NONE, pitfall_fds_no_buffer },
	{ "fds-zero-bytes", "a descriptor with no bytes: a stream loses it", PAIR_NONE, pitfall_fds_zero_bytes },
	{ "fds-too-many", "SCM_MAX_FD: 253 descriptors in one message, then 254", PAIR_NONE, pitfall_fds_too_many },
	{ "fds-barrier", "bytes before and after a descriptor on a stream", PAIR_NONE, pitfall_fds_barrier },
	{ "fds-exec", "a received descriptor without close-on-exec, and exec()", PAIR_NONE, pitfall_fds_exec },
	{ NULL, NULL, 0, NULL },
};

int pitfalls_main(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("pitfalls", "missing NAME, the pitfall to show");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		for (const struct pitfall *f = pitfalls; f->name; f++)
			printf("  %-18s %s\n", f->name, f->summary);
		return 0;
	}
	if (argc > 3)
		return cli_usage_error("pitfalls", "too many arguments");
	for (const struct pitfall *f = pitfalls; f->name; f++)
		if (strcmp(f->name, argv[1]) == 0) {
			int rc = pitfall_run(f, argc == 3 ? argv[2] : NULL);
			if (fflush(stdout) != 0 || ferror(stdout)) /* what it showed did not reach the reader */
				rc = cli_error("pitfalls", errno, NULL, "write standard output");
			return rc;
		}
	return cli_usage_error("pitfalls", "no pitfall named '%.40s'", argv[1]);
}
