/* chat_client.c - socklab chat-client: the tutorial's chat client, on any transport. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "chat_proto.h"
#include "core/errors.h"
#include "core/io.h"
#include "core/sys/sys.h"
#include "demos/cli.h"

#define DEFAULT_TIMEOUT_MS 3000
#define PRINT_MAX 256    /* a reply is printed escaped, up to this long */
#define LINE_MAX_BYTES 65536 /* the longest line sent: the server's own limit for one message */

static const char usage[] =
	"usage: socklab chat-client [--timeout SECONDS] ENDPOINT\n"
	"The tutorial's chat client: prints the server's greeting, then sends each line of\n"
	"standard input as one message (without its line ending, as the tutorial does) and\n"
	"prints the server's answer. The line 'stop' ends the chat; empty lines are skipped.\n\n"
	"On a datagram transport (udp, unixgram) there is no connection, so the server cannot\n"
	"greet first: this client opens with an empty datagram, and says so.\n\n"
	"  --timeout SECONDS  how long to wait for the connection and for each answer\n"
	"                     (default 3, more than 0)\n"
	"  --trace            narrate every socket call on standard error\n";

struct client {
	const char *where; /* the endpoint as the user wrote it */
	struct sock sock;
	int timeout_ms;    /* --timeout: for the connection and for each answer */
	char *in;          /* standard input read so far, not yet sent: read(2), not stdio, so that */
	size_t inlen, incap; /* waiting for a line can watch the socket too (see next_line) */
	int ineof;
};

/* The server ended the conversation: recv() returned 0, its end of the stream. */
static int server_closed(const struct client *c, const char *when)
{
	fprintf(stderr, "socklab: chat-client: %s: the server closed the connection %s (recv() = 0: it sent its end)\n",
		c->where, when);
	return EXIT_RUNTIME;
}

/* The greeting. On a stream it may come in pieces (one recv need not be one send): read until it is whole. */
static int greeting(struct client *c)
{
	char buf[CHAT_RECV_MAX], text[PRINT_MAX];
	size_t len = 0;
	int truncated = 0;

	do {
		ssize_t n = sock_recv_reply(&c->sock, buf + len, sizeof buf - len, &truncated);
		if (n < 0)
			return cli_error_on("chat-client", c->sock.t, errno, "recv", "the greeting from %s", c->where);
		if (n == 0 && sock_is_connected(&c->sock))
			return server_closed(c, "before greeting");
		len += (size_t)n;
	} while (!sock_keeps_boundaries(&c->sock) && chat_check_greeting(buf, len) == CHAT_GREETING_PARTIAL &&
		 len < sizeof buf);
	printf("%s\n", chat_printable(buf, len, text, sizeof text));
	fflush(stdout);
	return 0;
}

/* After "stop": a connection ends (the server closes it); a datagram client just stops talking. */
static int stopped(struct client *c)
{
	char buf[CHAT_RECV_MAX];

	if (!sock_is_connected(&c->sock)) {
		printf("stop sent: there is no connection to close; the server simply forgets this client\n");
		fflush(stdout);
		return 0;
	}
	ssize_t n = sock_recv_reply(&c->sock, buf, sizeof buf, NULL);
	if (n < 0)
		return cli_error_on("chat-client", c->sock.t, errno, "recv", "the end of the chat from %s", c->where);
	if (n > 0) {
		fprintf(stderr, "socklab: chat-client: %s answered 'stop' instead of closing: is it the tutorial's chat server?\n",
			c->where);
		return EXIT_RUNTIME;
	}
	printf("the server closed the connection\n");
	fflush(stdout);
	return 0;
}

/* One message and its answer: one letter from the tutorial's server. */
static int exchange(struct client *c, const char *line, size_t len)
{
	char buf[CHAT_RECV_MAX], text[PRINT_MAX];
	int truncated = 0;

	int r = cli_message_fits("chat-client", c->where, &c->sock, len);
	if (r != 0)
		return r;
	if (sock_send_all(&c->sock, line, len) < 0)
		return cli_error_on("chat-client", c->sock.t, errno, "send", "send to %s", c->where);
	if (chat_is_stop(line, len))
		return stopped(c);
	ssize_t n = sock_recv_reply(&c->sock, buf, sizeof buf, &truncated);
	if (n < 0)
		return cli_error_on("chat-client", c->sock.t, errno, "recv", "the answer from %s", c->where);
	if (n == 0 && sock_is_connected(&c->sock))
		return server_closed(c, "before answering");
	printf("server: %s\n", chat_printable(buf, (size_t)n, text, sizeof text));
	fflush(stdout);
	return 0;
}

/*
 * A connection's socket became readable while the client waited for the
 * user: the server closed (it stopped, or crashed and its kernel sent the
 * end), failed, or said something unasked. Returns 0 to go on waiting.
 */
static int server_spoke(struct client *c)
{
	char buf[CHAT_RECV_MAX], text[PRINT_MAX];
	ssize_t n = sock_recv(&c->sock, buf, sizeof buf, NULL);

	if (n == 0)
		return server_closed(c, "while the client waited for input");
	if (n < 0)
		return cli_error_on("chat-client", c->sock.t, errno, "recv", "wait on %s", c->where);
	printf("server (unasked): %s\n", chat_printable(buf, (size_t)n, text, sizeof text));
	fflush(stdout);
	return 0;
}

/*
 * The next line of standard input into *line (its line ending removed).
 * Returns its length, -1 at the end of input, or -2 after printing an error.
 * While no whole line has come, waits on standard input and, on a
 * connection, on the socket too: a server that goes away is noticed at once,
 * not when the next line is typed.
 */
static ssize_t next_line(struct client *c, const char **line, size_t *used)
{
	for (;;) {
		char *nl = c->inlen ? memchr(c->in, '\n', c->inlen) : NULL;
		if (nl || (c->ineof && c->inlen > 0)) {
			size_t n = nl ? (size_t)(nl - c->in) : c->inlen;
			*used = nl ? n + 1 : n;
			if (n > 0 && c->in[n - 1] == '\r')
				n--;
			*line = c->in;
			return (ssize_t)n;
		}
		if (c->ineof)
			return -1;
		if (c->inlen == LINE_MAX_BYTES) {
			fprintf(stderr, "socklab: chat-client: a line of standard input is longer than %d bytes, the most "
					"one message may be\n", LINE_MAX_BYTES);
			return -2;
		}
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = c->sock.fd, .events = POLLIN } };
		int r = sys_poll(p, sock_is_connected(&c->sock) ? 2 : 1, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cli_error("chat-client", errno, NULL, "wait for input"), -2;
		if ((p[1].revents & (POLLIN | POLLHUP | POLLERR)) && server_spoke(c) != 0)
			return -2;
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (c->incap < LINE_MAX_BYTES && c->inlen == c->incap) {
			size_t cap = c->incap ? c->incap * 2 : 4096;
			char *b = realloc(c->in, cap < LINE_MAX_BYTES ? cap : LINE_MAX_BYTES);
			if (!b)
				return cli_error("chat-client", ENOMEM, NULL, "read standard input"), -2;
			c->in = b, c->incap = cap < LINE_MAX_BYTES ? cap : LINE_MAX_BYTES;
		}
		ssize_t n = read(0, c->in + c->inlen, c->incap - c->inlen);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			return cli_error("chat-client", errno, NULL, "read standard input"), -2;
		c->ineof = n == 0;
		c->inlen += n > 0 ? (size_t)n : 0;
	}
}

/* Each line of standard input, without its line ending, until "stop" or the end of input. */
static int chat(struct client *c)
{
	const char *line;
	size_t used;
	ssize_t n = 0;
	int rc = 0, done = 0;

	while (rc == 0 && !done && (n = next_line(c, &line, &used)) >= 0) {
		if (n > 0) { /* zero bytes on a stream are no message at all: the server would never answer */
			done = chat_is_stop(line, (size_t)n);
			rc = exchange(c, line, (size_t)n);
		}
		if (used < c->inlen)
			memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
	}
	if (rc == 0 && n == -2)
		rc = EXIT_RUNTIME;
	else if (rc == 0 && !done)
		printf("end of input without 'stop': %s\n",
		       sock_is_connected(&c->sock) ? "closing the connection (the server sees its end)"
						   : "nothing tells the server, which forgets this client when it has been quiet long enough");
	fflush(stdout);
	return rc;
}

int chat_client_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "timeout", required_argument, NULL, 'w' }, { "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct client c = { 0 };
	struct endpoint ep;
	int opt, rc, timeout_ms = DEFAULT_TIMEOUT_MS;

	while ((opt = getopt_long(argc, argv, ":w:h", options, NULL)) != -1) {
		switch (opt) {
		case 'w':
			if ((rc = cli_duration("chat-client", "--timeout", optarg, &timeout_ms)) != 0)
				return rc;
			break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("chat-client", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("chat-client", optind == argc ? "missing ENDPOINT" : "too many arguments");
	c.where = argv[optind];
	if ((rc = cli_endpoint("chat-client", c.where, ENDPOINT_CLIENT, &ep)) != 0)
		return rc;
	if ((rc = cli_dial_within("chat-client", c.where, &ep, timeout_ms, &c.sock)) != 0)
		return rc;
	if (sock_set_recv_timeout(&c.sock, timeout_ms) < 0)
		rc = cli_error("chat-client", errno, NULL, "set the answer timeout");
	if (rc == 0 && sock_is_connected(&c.sock)) {
		printf("connected to %s\n", c.where);
	} else if (rc == 0) {
		/* The lesson: without a connection, the server has not heard of us. Speak first. */
		printf("%s has no connections: the server cannot greet a client it has never heard from,\n"
		       "so this client speaks first, with an empty datagram, and the greeting is the answer\n",
		       ep.t->scheme);
		fflush(stdout); /* before the datagram, so that --trace shows them in the order they happen */
		if (sock_send(&c.sock, "", 0) < 0)
			rc = cli_error_on("chat-client", c.sock.t, errno, "sendto", "send to %s", c.where);
	}
	fflush(stdout);
	if (rc == 0)
		rc = greeting(&c);
	if (rc == 0)
		rc = chat(&c);
	sock_close(&c.sock);
	free(c.in);
	if (rc == 0 && fflush(stdout) != 0)
		rc = cli_error("chat-client", errno, NULL, "write standard output");
	return rc;
}
