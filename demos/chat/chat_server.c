/* chat_server.c - socklab chat-server: the tutorial's chat server, many chats at once, on any transport. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chat_proto.h"
#include "core/engine/engine.h"
#include "demos/cli.h"

#define MESSAGE_MAX (64 * 1024) /* a stream message longer than this is answered in parts */
#define HELD_MAX (8 * 1024 * 1024) /* every client's unfinished stream messages, at most: then each is cut short */
#define MESSAGE_MIN 256            /* what a client's message may hold even then */
#define KEEP_MAX 4096              /* a larger buffer is freed once its message is answered */
#define DEFAULT_IDLE_MS 600000  /* datagram chats: forget a client after 10 minutes of silence */

static const char usage[] =
	"usage: socklab chat-server [--seed N] [--quiet] [--idle SECONDS] [--mode MODE] ENDPOINT\n"
	"The tutorial's chat server, for many clients at once: it greets each client with\n"
	"'type the message', answers every message with one random letter, and ends the\n"
	"chat when the client sends 'stop'. Serves until SIGINT, SIGTERM or SIGHUP.\n"
	"Prints 'listening on ENDPOINT' once bound; logs each message on standard error.\n\n"
	"On a datagram transport (udp, unixgram) there is no connection: the server learns\n"
	"of a client from its first datagram, greets it then, and answers that datagram too\n"
	"(an empty one, which socklab's chat-client sends to be heard, gets only the greeting).\n\n"
	"  --seed N         the letters' seed: the same seed, the same letters for each client\n"
	"  --quiet          do not log clients and messages\n"
	"  --idle SECONDS   datagram transports: forget a client quiet this long (default 600,\n"
	"                   more than 0)\n"
	"  --mode MODE      unix socket files: the file's mode, in octal (666: every user)\n"
	"  --trace          narrate every socket call on standard error\n";

struct chat {
	int quiet;
	int boundaries; /* each recv() is one whole message (udp, unixgram, unixpacket) */
	int connected;  /* there are connections: the server can greet first */
	uint64_t seed;
	size_t held; /* bytes of every client's message buffers, at most HELD_MAX (beyond MESSAGE_MIN each) */
};

/* What the server keeps for one client. */
struct chatter {
	uint64_t letters;   /* the generator of this client's letters */
	int opener;         /* datagram: the next message is the client's opening datagram */
	size_t len, cap;    /* stream: the message received so far, in buf */
	char *buf;          /* grown as a message needs, up to MESSAGE_MAX */
};

/* "client 3: ...": one line on standard error, unless --quiet. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 3, 4)))
#endif
static void log_line(const struct chat *c, struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet)
		return;
	fprintf(stderr, "client %lu: ", session_id(s));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void on_open(struct session *s, void *app)
{
	struct chat *c = app;
	struct chatter *ch = malloc(sizeof *ch);
	char peer[ADDR_TEXT_MAX];

	if (!ch) {
		session_close(s);
		return;
	}
	ch->letters = chat_seed(c->seed, session_id(s));
	ch->opener = !c->connected;
	ch->len = ch->cap = 0;
	ch->buf = NULL;
	session_set_data(s, ch);
	addr_format(session_peer(s), peer, sizeof peer);
	if (c->connected)
		log_line(c, s, "connected from %s; greeting it", peer);
	else
		log_line(c, s, "a new peer, %s: its first datagram is the first the server hears of it, so only now "
			 "can it greet", peer);
	session_send(s, CHAT_GREETING, sizeof CHAT_GREETING - 1);
}

/* One whole message from the client: "stop" ends the chat, anything else gets a letter. */
static void answer(struct chat *c, struct session *s, struct chatter *ch, const char *msg, size_t len)
{
	char text[80], letter[2] = { 0 };

	chat_printable(msg, len, text, sizeof text);
	if (chat_is_stop(msg, len)) {
		log_line(c, s, "'%s': %s", text,
			 c->connected ? "closing the connection" : "forgetting this client (there is no connection to close)");
		session_close(s);
		return;
	}
	letter[0] = chat_letter(&ch->letters);
	log_line(c, s, "'%s' -> '%s'", text, letter);
	session_send(s, letter, 1);
}

/*
 * Makes ch's buffer hold want bytes, or as many as the bounds allow: at most
 * MESSAGE_MAX for one client, and HELD_MAX for all of them (MESSAGE_MIN each
 * always). 0, or -1 when out of memory.
 */
static int grow(struct chat *c, struct chatter *ch, size_t want)
{
	size_t cap = want < MESSAGE_MAX ? want : MESSAGE_MAX;
	size_t left = c->held < HELD_MAX ? HELD_MAX - c->held : 0;

	if (cap - ch->cap > left)
		cap = ch->cap + left;
	if (cap < MESSAGE_MIN)
		cap = MESSAGE_MIN;
	if (cap <= ch->cap)
		return 0;
	char *p = realloc(ch->buf, cap);
	if (!p)
		return -1;
	c->held += cap - ch->cap;
	ch->buf = p, ch->cap = cap;
	return 0;
}

/*
 * A message transport hands over one whole message per call. A stream hands
 * over whatever one recv() returned; the protocol marks no ends, so the
 * server takes everything that has arrived, until nothing more is waiting,
 * as the message (the client waits for the answer before sending again).
 */
static void on_message(struct session *s, const void *data, size_t len, void *app)
{
	struct chat *c = app;
	struct chatter *ch = session_data(s);

	if (!ch)
		return;
	if (ch->opener) {
		/*
		 * The first datagram opened the session (the greeting went out in
		 * on_open) and is a message too: answer it, unless it is empty, as
		 * socklab's chat-client's opener is: a knock, with no text to answer.
		 */
		ch->opener = 0;
		if (len == 0)
			return;
	}
	if (c->boundaries) {
		answer(c, s, ch, data, len);
		return;
	}
	if (ch->cap < MESSAGE_MAX && ch->len + len > ch->cap && grow(c, ch, ch->len + len) < 0) {
		session_close(s); /* no memory for this client's message: end its chat */
		return;
	}
	while (len > 0) {
		size_t take = len < ch->cap - ch->len ? len : ch->cap - ch->len;
		memcpy(ch->buf + ch->len, data, take);
		ch->len += take, len -= take;
		data = (const char *)data + take;
		if (ch->len == ch->cap || (len == 0 && !session_input_waiting(s))) {
			answer(c, s, ch, ch->buf, ch->len); /* a full buffer is a message: answered in parts */
			ch->len = 0;
		}
	}
	if (ch->len == 0 && ch->cap > KEEP_MAX) { /* a quiet client keeps no large buffer */
		c->held -= ch->cap;
		free(ch->buf);
		ch->buf = NULL, ch->cap = 0;
	}
}

static void on_close(struct session *s, enum session_end why, void *app)
{
	static const char *const reason[] = {
		[SESSION_PEER_CLOSED] = "the client closed its end without 'stop'",
		[SESSION_ERROR] = "the connection failed",
		[SESSION_IDLE] = "quiet too long: forgotten (a datagram client never says goodbye)",
		[SESSION_CLOSED] = NULL, /* after 'stop', already said */
		[SESSION_STOPPED] = "the server is stopping",
		[SESSION_SHED] = "closed by the server: it does not read its answers, and they took too much memory",
	};
	struct chat *c = app;
	struct chatter *ch = session_data(s);

	if (ch && ch->len > 0 && chat_is_stop(ch->buf, ch->len))
		log_line(c, s, "'stop', and closed its end");
	else if (reason[why])
		log_line(c, s, "%s", reason[why]);
	if (ch) {
		c->held -= ch->cap;
		free(ch->buf);
	}
	free(ch);
}

static void stop(void *engine)
{
	engine_stop(engine);
}

/* A seed nobody chose: the time and the process, so that two servers differ. */
static uint64_t any_seed(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}

int chat_server_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "seed", required_argument, NULL, 's' }, { "quiet", no_argument, NULL, 'q' },
		{ "idle", required_argument, NULL, 'i' }, { "mode", required_argument, NULL, 'm' },
		{ "trace", no_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	const struct engine_callbacks callbacks = { on_open, on_message, on_close, NULL };
	struct engine_options eopt = { .idle_ms = DEFAULT_IDLE_MS };
	struct chat chat = { .seed = any_seed() };
	struct endpoint ep;
	struct sock ls;
	char bound[ENDPOINT_FORMAT_MAX];
	unsigned long long seed;
	int opt, rc, mode = -1;

	while ((opt = getopt_long(argc, argv, ":qh", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (cli_number(optarg, 0, UINT64_MAX, &seed) < 0)
				return cli_usage_error("chat-server", "--seed takes a whole number, not '%.20s'", optarg);
			chat.seed = seed;
			break;
		case 'q': chat.quiet = 1; break;
		case 'i':
			if ((rc = cli_duration("chat-server", "--idle", optarg, &eopt.idle_ms)) != 0)
				return rc;
			break;
		case 'm':
			if ((rc = cli_mode("chat-server", optarg, &mode)) != 0)
				return rc;
			break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("chat-server", opt, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("chat-server", optind == argc ? "missing ENDPOINT" : "too many arguments");
	if ((rc = cli_endpoint("chat-server", argv[optind], ENDPOINT_SERVER, &ep)) != 0)
		return rc;
	cli_hold_signals(); /* until the handler that removes the socket file is in place */
	if ((rc = cli_listen_mode("chat-server", argv[optind], &ep, mode, &ls)) != 0)
		return rc;
	chat.boundaries = sock_keeps_boundaries(&ls);
	chat.connected = sock_is_connected(&ls);

	struct engine *engine = engine_new(&ls, &callbacks, &chat, &eopt);
	if (!engine) {
		rc = cli_error("chat-server", errno, "engine", "start serving %s", argv[optind]);
		sock_close(&ls);
		return rc;
	}
	if (cli_on_stop(stop, engine) < 0) {
		rc = cli_error("chat-server", errno, NULL, "handle SIGINT, SIGTERM and SIGHUP");
		engine_free(engine);
		sock_close(&ls);
		return rc;
	}
	printf("listening on %s\n", cli_bound_endpoint(&ls, bound, sizeof bound));
	fflush(stdout);
	rc = engine_run(engine) == 0 ? 0 : cli_error("chat-server", errno, "poll", "wait for clients");
	cli_on_stop_end(); /* from here no handler may reach the engine: it is about to be freed */
	if (!chat.quiet)
		fprintf(stderr, "socklab: chat-server: stopped after %llu chat%s\n", engine_stats(engine)->opened,
			engine_stats(engine)->opened == 1 ? "" : "s");
	engine_free(engine);
	sock_close(&ls); /* removes the socket file, if this server made one */
	return rc;
}
