/* chat_client.c - socklab chat-client: the tutorial's chat client, on any transport. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "chat_proto.h"
#include "core/errors.h"
#include "core/io.h"
#include "demos/cli.h"

#define DEFAULT_TIMEOUT_MS 3000
#define PRINT_MAX 256 /* a reply is printed escaped, up to this long */

static const char usage[] =
	"usage: socklab chat-client [--timeout SECONDS] ENDPOINT\n"
	"The tutorial's chat client: prints the server's greeting, then sends each line of\n"
	"standard input as one message (without its line ending, as the tutorial does) and\n"
	"prints the server's answer. The line 'stop' ends the chat; empty lines are skipped.\n\n"
	"On a datagram transport (udp, unixgram) there is no connection, so the server cannot\n"
	"greet first: this client opens with an empty datagram, and says so.\n\n"
	"  --timeout SECONDS  how long to wait for each answer (default 3, more than 0)\n"
	"  --trace            narrate every socket call on standard error\n";

struct client {
	const char *where; /* the endpoint as the user wrote it */
	struct sock sock;
};

/* The greeting. On a stream it may come in pieces (one recv need not be one send): read until it is whole. */
static int greeting(struct client *c)
{
	char buf[CHAT_RECV_MAX], text[PRINT_MAX];
	size_t len = 0;
	int truncated = 0;

	do {
		ssize_t n = sock_recv_reply(&c->sock, buf + len, sizeof buf - len, &truncated);
		if (n < 0)
			return cli_error("chat-client", errno, "recv", "the greeting from %s", c->where);
		if (n == 0 && sock_is_connected(&c->sock))
			return cli_error("chat-client", SL_ESHORT, "recv", "the greeting from %s", c->where);
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
		return cli_error("chat-client", errno, "recv", "the end of the chat from %s", c->where);
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
		return cli_error("chat-client", errno, "send", "send to %s", c->where);
	if (chat_is_stop(line, len))
		return stopped(c);
	ssize_t n = sock_recv_reply(&c->sock, buf, sizeof buf, &truncated);
	if (n < 0)
		return cli_error("chat-client", errno, "recv", "the answer from %s", c->where);
	if (n == 0 && sock_is_connected(&c->sock))
		return cli_error("chat-client", EPIPE, "recv", "the answer from %s", c->where);
	printf("server: %s\n", chat_printable(buf, (size_t)n, text, sizeof text));
	fflush(stdout);
	return 0;
}

/* Each line of standard input, without its line ending, until "stop" or the end of input. */
static int chat(struct client *c)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int rc = 0, done = 0;

	while (rc == 0 && !done && (n = cli_read_line(&line, &cap, stdin)) >= 0) {
		if (n == 0)
			continue; /* zero bytes on a stream are no message at all: the server would never answer */
		done = chat_is_stop(line, (size_t)n);
		rc = exchange(c, line, (size_t)n);
	}
	if (rc == 0 && ferror(stdin))
		rc = cli_error("chat-client", errno, NULL, "read standard input");
	else if (rc == 0 && !done)
		printf("end of input without 'stop': %s\n",
		       sock_is_connected(&c->sock) ? "closing the connection (the server sees its end)"
						   : "nothing tells the server, which forgets this client when it has been quiet long enough");
	fflush(stdout);
	free(line);
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
	if ((rc = cli_dial("chat-client", c.where, &ep, &c.sock)) != 0)
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
			rc = cli_error("chat-client", errno, "sendto", "send to %s", c.where);
	}
	fflush(stdout);
	if (rc == 0)
		rc = greeting(&c);
	if (rc == 0)
		rc = chat(&c);
	sock_close(&c.sock);
	if (rc == 0 && fflush(stdout) != 0)
		rc = cli_error("chat-client", errno, NULL, "write standard output");
	return rc;
}
