/* echo_client.c - socklab echo-client: send each message, print each reply, on any transport. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/errors.h"
#include "core/io.h"
#include "demos/cli.h"

#define DEFAULT_TIMEOUT_MS 3000
#define SMALL_MESSAGE (64 * 1024) /* always fits in a loopback socket's buffers */

static const char usage[] =
	"usage: socklab echo-client [--timeout SECONDS] ENDPOINT [MESSAGE...]\n"
	"Sends each MESSAGE (or, with none, each line of standard input) to the echo server\n"
	"at ENDPOINT and prints each reply on its own line. Exits 0 when every reply came back.\n"
	"Options may come anywhere; a MESSAGE that starts with '-' goes after '--'.\n\n"
	"  --timeout SECONDS  how long to wait for the connection (connect) and for each\n"
	"                     reply (default 3, more than 0): over udp a datagram can be\n"
	"                     lost, and nobody tells the sender\n"
	"  --trace            narrate every socket call on standard error\n";

struct client {
	const char *where;   /* the endpoint as the user wrote it, for messages */
	struct sock sock;
	int timeout_ms;
	char *reply;         /* room for a reply one byte longer than the message */
	size_t cap;
};

/* Makes c->reply hold at least n bytes. */
static int reserve(struct client *c, size_t n)
{
	if (n <= c->cap)
		return 0;
	char *p = realloc(c->reply, n);
	if (!p)
		return -1;
	c->reply = p;
	c->cap = n;
	return 0;
}

/*
 * On a message transport one send is one message and one recv returns one
 * reply. A stream has no boundaries: the client ends each message with a
 * newline and reads back exactly as many bytes as it sent.
 */
static int echo_one(struct client *c, const char *msg, size_t len)
{
	size_t got = 0;
	int r;

	if (reserve(c, len + 1) < 0)
		return cli_error("echo-client", ENOMEM, NULL, "message of %zu bytes", len);
	if (sock_keeps_boundaries(&c->sock)) {
		int truncated = 0; /* a reply longer than the message is cut off, and then differs */
		if ((r = cli_message_fits("echo-client", c->where, &c->sock, len)) != 0)
			return r;
		if (sock_send_all(&c->sock, msg, len) < 0)
			return cli_error_on("echo-client", c->sock.t, errno, "send", "send to %s", c->where);
		ssize_t n = sock_recv_reply(&c->sock, c->reply, len + 1, &truncated);
		if (n < 0)
			return cli_error_on("echo-client", c->sock.t, errno, "recv", "reply from %s", c->where);
		if (n == 0 && len > 0 && sock_is_connected(&c->sock))
			return cli_error_on("echo-client", c->sock.t, SL_ESHORT, "recv", "reply from %s", c->where);
		got = (size_t)n;
	} else {
		char *framed = malloc(len + 1);
		if (!framed)
			return cli_error("echo-client", ENOMEM, NULL, "message of %zu bytes", len);
		memcpy(framed, msg, len);
		framed[len] = '\n';
		/* What fits in the socket buffers can be sent before reading; more must be read while sent. */
		if (len + 1 <= SMALL_MESSAGE)
			r = sock_send_all(&c->sock, framed, len + 1) < 0 ? -1
									: sock_recv_exact(&c->sock, c->reply, len + 1, &got);
		else
			r = sock_exchange(&c->sock, framed, len + 1, c->reply, len + 1, &got, c->timeout_ms);
		free(framed);
		if (r < 0)
			return cli_error_on("echo-client", c->sock.t, errno, "recv", "reply from %s (%zu of %zu bytes came back)",
					 c->where, got, len + 1);
		got--; /* the newline this client added */
	}
	/* Compared first: only the user's own bytes are printed raw, never what a server made up (escape sequences...). */
	if (got != len || memcmp(c->reply, msg, len) != 0)
		return cli_error_on("echo-client", c->sock.t, SL_EMISMATCH, NULL, "reply from %s (%zu bytes for %zu)", c->where,
				    got, len);
	fwrite(c->reply, 1, got, stdout);
	putchar('\n');
	if (fflush(stdout) != 0)
		return cli_error("echo-client", errno, NULL, "write standard output");
	return 0;
}

/* Each line of standard input is a message, without its line ending. */
static int echo_lines(struct client *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0;

	while (rc == 0 && (n = cli_read_line(&line, &cap, stdin)) >= 0)
		rc = echo_one(c, line, (size_t)n);
	if (rc == 0 && ferror(stdin))
		rc = cli_error("echo-client", errno, NULL, "read standard input");
	free(line);
	return rc;
}

int echo_client_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "timeout", required_argument, NULL, 'w' }, { "trace", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct client c = { .timeout_ms = DEFAULT_TIMEOUT_MS };
	struct endpoint ep;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, ":w:h", options, NULL)) != -1) {
		switch (opt) {
		case 'w':
			if ((rc = cli_duration("echo-client", "--timeout", optarg, &c.timeout_ms)) != 0)
				return rc;
			break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("echo-client", opt, argv);
		}
	}
	if (optind == argc)
		return cli_usage_error("echo-client", "missing ENDPOINT");
	c.where = argv[optind];
	if ((rc = cli_endpoint("echo-client", c.where, ENDPOINT_CLIENT, &ep)) != 0)
		return rc;
	if ((rc = cli_dial_within("echo-client", c.where, &ep, c.timeout_ms, &c.sock)) != 0)
		return rc;
	if (sock_set_recv_timeout(&c.sock, c.timeout_ms) < 0)
		rc = cli_error("echo-client", errno, NULL, "set the reply timeout");
	for (int i = optind + 1; rc == 0 && i < argc; i++)
		rc = echo_one(&c, argv[i], strlen(argv[i]));
	if (rc == 0 && optind + 1 == argc)
		rc = echo_lines(&c);
	sock_close(&c.sock);
	free(c.reply);
	if (rc == 0 && fflush(stdout) != 0)
		rc = cli_error("echo-client", errno, NULL, "write standard output");
	return rc;
}
