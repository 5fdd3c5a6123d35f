/* echo_server.c - socklab echo-server: send every client back what it sent, on any transport. */
#include <errno.h>
#include <stdio.h>

#include "core/engine/engine.h"
#include "demos/cli.h"

/* The command as data: --help, the options it parses, the man page and the completions come from it. */
int echo_server_main(int argc, char **argv);

static const struct cli_option options[] = {
	{ 'q', "quiet", NULL, CLI_TEXT, NULL, "do not log clients as they come and go", CLI_SHORT },
	{ 'p', "poller", "NAME", CLI_ONE, &cli_pollers, "how to wait for many sockets: epoll (Linux default) or poll", 0 },
	{ 'i', "idle", "SECONDS", CLI_TEXT, NULL,
	  "datagram transports: forget a client quiet this long (default 60, more than 0)", 0 },
	{ 'm', "mode", "MODE", CLI_TEXT, NULL,
	  "unix socket files: set the file's mode, in octal (666 lets every user connect; by default others never get "
	  "write permission)", 0 },
	CLI_OPTION_TRACE,
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Serve echo over TCP on the loopback address, port 5555 (port 0: any free port, printed):",
	  "socklab echo-server tcp://127.0.0.1:5555" },
	{ "The same server over a unix socket file, which every user may connect to:",
	  "socklab echo-server --mode 666 unix:/tmp/echo.sock" },
	{ NULL, NULL },
};

const struct command echo_server_command = {
	.name = "echo-server",
	.summary = "serve echo on ENDPOINT until Ctrl-C",
	.main = echo_server_main,
	.operands = { { "ENDPOINT", CLI_ENDPOINT, NULL } },
	.description = "Serves echo on ENDPOINT until Ctrl-C (SIGINT), SIGTERM or SIGHUP, then closes every client and "
		       "removes the socket file it created. Prints `listening on ENDPOINT` once bound (with the real port "
		       "when given port 0).",
	.options = options,
	.examples = examples,
};


struct echo {
	int quiet;
	int connected; /* clients connect (tcp, unix, unixpacket); else they are peers seen in datagrams */
};

static void on_open(struct session *s, void *app)
{
	struct echo *echo = app;
	char peer[ADDR_TEXT_MAX];

	if (echo->quiet)
		return;
	addr_format(session_peer(s), peer, sizeof peer);
	if (echo->connected)
		fprintf(stderr, "client %lu: connected from %s\n", session_id(s), peer);
	else /* no connection was opened: a datagram came from an address not seen before */
		fprintf(stderr, "client %lu: a new peer, %s (its first datagram)\n", session_id(s), peer);
}

/* The whole of echo: what came in goes back out. The engine completes partial sends. */
static void on_message(struct session *s, const void *data, size_t len, void *app)
{
	(void)app;
	session_send(s, data, len);
}

static void on_close(struct session *s, enum session_end why, void *app)
{
	static const char *const reason[] = {
		[SESSION_PEER_CLOSED] = "the client closed its end",
		[SESSION_ERROR] = "the connection failed",
		[SESSION_IDLE] = "quiet too long (a datagram client never says goodbye)",
		[SESSION_CLOSED] = "closed by the server",
		[SESSION_STOPPED] = "the server is stopping",
		[SESSION_SHED] = ("closed by the server: its unread replies were the largest when all of them passed "
				  "the server's bound"),
	};
	struct echo *echo = app;

	if (echo->quiet)
		return;
	if (echo->connected)
		fprintf(stderr, "client %lu: closed, %s\n", session_id(s), reason[why]);
	else /* a datagram peer has no connection to close: the server forgets its address */
		fprintf(stderr, "client %lu: forgotten, %s\n", session_id(s),
			why == SESSION_ERROR ? "a reply to it could not be sent" : reason[why]);
}

static void on_notice(enum engine_notice what, const struct addr *peer, void *app)
{
	static const char *const text[] = {
		[NOTICE_UNADDRESSED] = ("a datagram came from an unbound unix socket: there is no address to reply "
					"to (a unixgram client must bind a name of its own)"),
		[NOTICE_TRUNCATED] = "a message larger than the server's buffer (" ENGINE_MESSAGE_MAX_TEXT ") was dropped",
		[NOTICE_DROPPED] = "a reply was dropped: that client does not read its replies",
		[NOTICE_REFUSED] = "a connection was closed at once: out of file descriptors (see 'ulimit -n')",
		[NOTICE_PAUSED] = "a client sends faster than it reads its replies: reading from it pauses",
		[NOTICE_SHED] = ("a client was closed: the replies waiting for all clients passed the server's bound, and "
				 "its were the largest (it does not read them)"),
		[NOTICE_TOO_BIG] = "a reply was dropped: larger than the server's socket can send in one message",
	};
	char who[ADDR_TEXT_MAX];

	(void)app;
	fprintf(stderr, "socklab: echo-server: %s%s%s\n", text[what], peer ? ", from " : "",
		peer ? addr_format(peer, who, sizeof who) : "");
}

static void stop(void *engine)
{
	engine_stop(engine);
}

int echo_server_main(int argc, char **argv)
{
	const struct engine_callbacks callbacks = { on_open, on_message, on_close, on_notice };
	struct engine_options eopt = { 0 };
	struct echo echo = { 0 };
	struct endpoint ep;
	struct sock ls;
	char bound[ENDPOINT_FORMAT_MAX];
	int c, rc, mode = -1;

	while ((c = cli_next_option(&echo_server_command, argc, argv)) != -1) {
		switch (c) {
		case 'q': echo.quiet = 1; break;
		case 't': cli_trace_on(); break;
		case 'h': return cli_help(&echo_server_command);
		case 'p':
			if ((rc = cli_poller("echo-server", optarg, &eopt.poller)) != 0)
				return rc;
			break;
		case 'i':
			if ((rc = cli_duration("echo-server", "--idle", optarg, &eopt.idle_ms)) != 0)
				return rc;
			break;
		case 'm':
			if ((rc = cli_mode("echo-server", optarg, &mode)) != 0)
				return rc;
			break;
		default: return cli_bad_option("echo-server", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("echo-server", optind == argc ? "missing ENDPOINT" : "too many arguments");
	if ((rc = cli_endpoint("echo-server", argv[optind], ENDPOINT_SERVER, &ep)) != 0)
		return rc;
	cli_hold_signals(); /* until the handler that removes the socket file is in place */
	if ((rc = cli_listen_mode("echo-server", argv[optind], &ep, mode, &ls)) != 0)
		return rc;
	echo.connected = sock_is_connected(&ls);

	struct engine *engine = engine_new(&ls, &callbacks, &echo, &eopt);
	if (!engine) {
		rc = cli_error("echo-server", errno, "engine", "start serving %s", argv[optind]);
		sock_close(&ls);
		return rc;
	}
	if (cli_on_stop(stop, engine) < 0) {
		rc = cli_error("echo-server", errno, NULL, "handle SIGINT, SIGTERM and SIGHUP");
		engine_free(engine);
		sock_close(&ls);
		return rc;
	}
	printf("listening on %s\n", cli_bound_endpoint(&ls, bound, sizeof bound));
	fflush(stdout);

	rc = engine_run(engine) == 0 ? 0 : cli_error("echo-server", errno, "poll", "wait for clients");
	cli_on_stop_end(); /* from here no handler may reach the engine: it is about to be freed */
	const struct engine_stats *st = engine_stats(engine);
	if (!echo.quiet)
		fprintf(stderr, "socklab: echo-server: stopped after %llu client%s, %llu byte%s in, %llu byte%s out\n",
			st->opened, st->opened == 1 ? "" : "s", st->bytes_in, st->bytes_in == 1 ? "" : "s", st->bytes_out,
			st->bytes_out == 1 ? "" : "s");
	engine_free(engine);
	sock_close(&ls); /* removes the socket file, if this server made one */
	return rc;
}
