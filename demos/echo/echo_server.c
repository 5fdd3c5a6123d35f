/* echo_server.c - socklab echo-server: send every client back what it sent, on any transport. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "core/engine/engine.h"
#include "demos/cli.h"

static const char usage[] =
	"usage: socklab echo-server [--quiet] [--poller poll|epoll] [--idle SECONDS] [--mode MODE] ENDPOINT\n"
	"Serves echo on ENDPOINT until Ctrl-C (SIGINT), SIGTERM or SIGHUP, then closes every\n"
	"client and removes the socket file it created. Prints 'listening on ENDPOINT' once bound\n"
	"(with the real port when given port 0).\n\n"
	"  --quiet          do not log clients as they come and go\n"
	"  --poller NAME    how to wait for many sockets: epoll (Linux default) or poll\n"
	"  --idle SECONDS   datagram transports: forget a client quiet this long (default 60,\n"
	"                   more than 0)\n"
	"  --mode MODE      unix socket files: set the file's mode, in octal (666 lets every\n"
	"                   user connect; by default others never get write permission)\n"
	"  --trace          narrate every socket call on standard error\n";

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
	static const struct option options[] = {
		{ "quiet", no_argument, NULL, 'q' }, { "poller", required_argument, NULL, 'p' },
		{ "idle", required_argument, NULL, 'i' }, { "trace", no_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const struct engine_callbacks callbacks = { on_open, on_message, on_close, on_notice };
	struct engine_options eopt = { 0 };
	struct echo echo = { 0 };
	struct endpoint ep;
	struct sock ls;
	char bound[ENDPOINT_FORMAT_MAX];
	int c, rc, mode = -1;

	while ((c = getopt_long(argc, argv, ":qh", options, NULL)) != -1) {
		switch (c) {
		case 'q': echo.quiet = 1; break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
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
