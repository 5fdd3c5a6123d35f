/* contrast.c - socklab contrast: run every scenario over every transport and print what was observed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transports/impair/impair.h"
#include "demos/cli.h"
#include "contrast.h"

extern const struct command contrast_command; /* its options and --help (contrast_command.c) */

/* The rows: what each asks, and why the answers differ. The answers themselves are measured. */
const struct scenario contrast_scenarios[] = {
	{ "handshake", "dial where nobody listens",
	  "a connection starts with a handshake: a refusal (TCP's RST) comes back at once, but a firewall that drops "
	  "leaves connect() waiting while the SYN is sent again (make lab); a datagram is just sent, and only a "
	  "connect()ed UDP socket hears the ICMP error, on its next call (unix sockets are local: the kernel knows at "
	  "once)", scenario_handshake, NULL },
	{ "boundaries", "three sends back to back",
	  "a stream is bytes without edges: the kernel joins sends; datagram and seqpacket sockets keep each send "
	  "a message of its own", scenario_boundaries, NULL },
	{ "empty", "send(\"\"), then \"x\", then close",
	  "on a stream an empty send sends nothing and recv() = 0 means the end; a message can be empty, so "
	  "recv() = 0 is a message and no end is ever marked (on seqpacket, 0 means either)", scenario_empty, NULL },
	{ "end", "the client half-closes: seen? answered?",
	  "a connection has two directions and an end the peer reads as 0; a datagram socket has no connection to "
	  "end: shutdown() tells nobody (Linux still stops its sends: EPIPE), so its peer never learns it left",
	  scenario_end, NULL },
	{ "size", "one 70,000-byte message",
	  "a stream has no message size; a UDP datagram holds at most 65,507 bytes (IPv4); unix messages are "
	  "limited by the socket buffer", scenario_size, NULL },
	{ "buffer", "100 bytes, a 10-byte buffer",
	  "a stream keeps unread bytes for the next recv(); a message is read once, and what did not fit is "
	  "discarded (MSG_TRUNC)", scenario_buffer, NULL },
	{ "flow", "1,000 x 1 KB to a slow reader",
	  "what makes a fast sender wait differs: TCP, the reader's window (its SO_RCVBUF, 16 KiB asked, the kernel "
	  "doubles it); AF_UNIX ignores the reader's buffer: a stream or seqpacket fills the sender's SO_SNDBUF (64 "
	  "KiB asked), unixgram queues net.unix.max_dgram_qlen datagrams; UDP makes nobody wait: a full buffer "
	  "drops, and the kernel counts it", scenario_flow, NULL },
	{ "greeting", "can the server speak first?",
	  "accept() gives the server a socket for its client before any data; a datagram server learns an "
	  "address only from a datagram the client sends first", scenario_greeting, NULL },
	{ "clients", "3 clients, one from a bare socket()",
	  "a connected server has a socket per client; a datagram server has one socket and an address per "
	  "message, and an unbound unix datagram client has no address to answer", scenario_clients,
	  "a bare socket() is the kernel's, and rdt is no protocol of the kernel's: only socklab's protocol thread "
	  "can dial it" },
	{ "restart", "the server dies: bind again at once",
	  "TCP keeps the port of a connection it closed first in TIME_WAIT (SO_REUSEADDR binds anyway); a unix "
	  "socket file outlives its server and must be removed; UDP leaves nothing", scenario_restart,
	  "it binds the kernel's socket of the transport and counts the kernel's TIME_WAIT; rdt's TIME_WAIT is "
	  "socklab's own, in the process that holds the UDP port" },
	{ "calls", "the system calls of one exchange",
	  "connected transports add listen, accept and connect, and each close reaches the peer; datagram "
	  "transports only send and receive (a unix datagram client binds a name, to be answered)",
	  scenario_calls,
	  "one thread of socklab's runs the protocol of both ends here, so their calls cannot be told apart by side; "
	  "--trace on a client and a server shows each (docs/rdt.md)" },
	{ "delivery", "100 numbered messages, read as they come",
	  "on one host UDP loses only when a receive buffer overflows (row 7) and here the reader keeps up; over a "
	  "lossy network (make lab) UDP loses and reorders, while TCP delivers everything, in order, later, and "
	  "counts what it sent again (TCP_INFO)", scenario_delivery, NULL },
	{ "descriptors", "pass an open descriptor (SCM_RIGHTS)",
	  "only a unix socket carries descriptors; on TCP and UDP Linux sends the bytes and drops SCM_RIGHTS "
	  "without an error; a stream carries a descriptor only with bytes, a message may be empty", scenario_descriptors,
	  "descriptors travel only over unix sockets, and rdt is made of UDP datagrams" },
	{ "credentials", "who is the peer process?",
	  "the kernel knows the process behind a unix socket: SO_PEERCRED at connect(), SCM_CREDENTIALS per message "
	  "(SO_PASSCRED); an inet peer is an address, perhaps on another host", scenario_credentials,
	  "only a unix socket names the peer process, and rdt is made of UDP datagrams: its peer is an address" },
	{ "one-to-many", "one send, 3 receivers",
	  "a UDP datagram to a multicast group reaches every socket that joined it; a connection has one peer, and a "
	  "unix datagram one address, so each receiver needs a send of its own", scenario_one_to_many, NULL },
	{ "stranger", "a third socket sends to the client",
	  "a connection has two ends only; an unconnected datagram socket takes anyone's datagrams, and connect() "
	  "makes the kernel filter them (UDP drops them quietly, a unix stranger gets EPERM)", scenario_stranger,
	  "a stranger's datagram reaches rdt's UDP socket, where socklab's protocol, not the kernel, discards and "
	  "counts it (tests/test_rdt_strangers.c)" },
};
const size_t contrast_nscenarios = sizeof contrast_scenarios / sizeof contrast_scenarios[0];

static volatile sig_atomic_t stopping;

static void stop(void *ctx)
{
	(void)ctx;
	stopping = 1;
}

int contrast_run(const struct scenario *sc, struct lab *lab, const struct transport *t, struct cell *c)
{
	unsigned long before = transport_stub_calls;

	if (sc->user_space && transport_in_user_space(t)) { /* the kernel's own scenario: said, never run */
		obs_str(c, "applies", "no");
		obs_str(c, "why_not", sc->user_space);
		cell_say(c, "does not apply to socklab's own protocol: %s", sc->user_space);
		return 0;
	}
	int r = sc->run(lab, t, c);

	if (transport_stub_calls == before)
		return r;
	/* An errno from socklab's own stub is no observation: never show it as the kernel's. */
	memset(c, 0, sizeof *c);
	c->failed = 1;
	obs_str(c, "failed", "a socklab stub answered, not the kernel");
	cell_say(c, "not shown: a transport_no_* stub of socklab answered, not the kernel (a bug in socklab)");
	return -1;
}

/* --format mermaid or sequence: one traced exchange per transport (scenario 11), drawn. */
static int draw(struct lab *lab, const struct table *tb, const char *format)
{
	struct calls runs[16] = { { 0 } };
	size_t n = 0;
	int rc = 0;

	/* The kernel's calls, side by side: socklab's own protocol runs both ends in one thread of its own here. */
	for (size_t i = 0; i < tb->ncols && rc == 0; i++)
		if (!transport_in_user_space(tb->cols[i]) && contrast_capture(lab, tb->cols[i], &runs[n++]) < 0)
			rc = cli_error("contrast", errno, NULL, "trace an exchange over %s", tb->cols[i]->scheme);
	if (rc == 0 && n == 0)
		rc = cli_usage_error("contrast", "--format %s draws the kernel's transports; rdt's calls are its protocol "
				     "thread's: see them with --trace", format);
	else if (rc == 0 && strcmp(format, "mermaid") == 0)
		print_mermaid(stdout, runs, n);
	else if (rc == 0)
		print_sequence(stdout, runs, n, tb->width);
	for (size_t i = 0; i < n; i++)
		calls_free(&runs[i]);
	return rc;
}

/* Every scenario over every transport, then the table. */
static int run_table(struct lab *lab, struct table *tb, const char *format)
{
	struct cell *cells = calloc(tb->nrows * tb->ncols, sizeof *cells);
	int failed = 0;

	if (!cells)
		return cli_error("contrast", ENOMEM, NULL, "make room for %zu cells", tb->nrows * tb->ncols);
	for (size_t r = 0; r < tb->nrows && !stopping; r++)
		for (size_t i = 0; i < tb->ncols && !stopping; i++)
			failed += contrast_run(tb->rows[r], lab, tb->cols[i], &cells[r * tb->ncols + i]) < 0;
	tb->cells = cells;
	if (!stopping) {
		if (strcmp(format, "json") == 0)
			print_json(stdout, tb);
		else if (strcmp(format, "markdown") == 0)
			print_markdown(stdout, tb);
		else
			print_text(stdout, tb);
	}
	free(cells);
	fflush(stdout); /* the table first, then what went wrong */
	if (stopping) {
		fprintf(stderr, "socklab: contrast: interrupted: no table\n");
		return EXIT_RUNTIME;
	}
	if (failed) {
		fprintf(stderr, "socklab: contrast: %d cell%s could not run: the table says why\n", failed,
			failed == 1 ? "" : "s");
		return EXIT_RUNTIME;
	}
	return 0;
}

/* What the options asked for, to check together once all are read. */
struct asked {
	const char *format;
	int scenarios, width, filtered; /* given on the command line */
};

static int is_one_of(const char *format, const char *a, const char *b)
{
	return strcmp(format, a) == 0 || strcmp(format, b) == 0;
}

/* Every option applies to every format it is given with, or is refused: a silent no-op would mislead. */
static int check_options(const struct asked *a, const struct table *tb, const struct lab *lab)
{
	char why[256];
	int diagram = is_one_of(a->format, "mermaid", "sequence");

	if (diagram && a->scenarios && (tb->nrows != 1 || strcmp(tb->rows[0]->name, "calls") != 0))
		return cli_usage_error("contrast", "--format %s draws the traced exchange of scenario 11 (calls): "
						   "--scenarios can name only calls", a->format);
	if (a->width && !is_one_of(a->format, "text", "sequence"))
		return cli_usage_error("contrast", "--width shapes text and sequence; %s has no width", a->format);
	if (a->filtered && diagram)
		return cli_usage_error("contrast", "--filtered is for scenario 1 (handshake), which --format %s does not "
						   "run", a->format);
	int handshake = 0;
	for (size_t r = 0; r < tb->nrows; r++)
		handshake |= tb->rows[r]->run == scenario_handshake;
	if (a->filtered && !handshake)
		return cli_usage_error("contrast", "--filtered is for scenario 1 (handshake), which --scenarios leaves out");
	for (size_t i = 0; lab->options && i < tb->ncols; i++)
		if (impair_parse_options(tb->cols[i], lab->options, why, sizeof why) < 0)
			return cli_usage_error("contrast", "bad --impair: %s; --transports udp keeps the transport it applies "
							   "to", why);
	return 0;
}

/* A whole number from lo to hi, or -1. */
static long number(const char *text, long lo, long hi)
{
	char *end;
	long v = strtol(text, &end, 10);

	return *text >= '0' && *text <= '9' && *end == '\0' && v >= lo && v <= hi ? v : -1;
}

int contrast_main(int argc, char **argv)
{
	const struct transport *cols[16];
	const struct scenario *rows[32];
	struct table tb = { .rows = rows, .cols = cols };
	struct lab lab = { .options = NULL };
	struct asked asked = { .format = "text" };
	char why[256];
	int c, n;
	long v;

	for (; transport_registry[tb.ncols] && tb.ncols < 16; tb.ncols++)
		cols[tb.ncols] = transport_registry[tb.ncols];
	for (; tb.nrows < contrast_nscenarios && tb.nrows < 32; tb.nrows++)
		rows[tb.nrows] = &contrast_scenarios[tb.nrows];
	while ((c = cli_next_option(&contrast_command, argc, argv)) != -1) {
		switch (c) {
		case 'T':
			if ((n = pick_transports(optarg, cols, 16)) < 0)
				return EXIT_USAGE;
			tb.ncols = (size_t)n;
			break;
		case 'S':
			if ((n = pick_scenarios(optarg, rows, 32)) < 0)
				return EXIT_USAGE;
			tb.nrows = (size_t)n;
			asked.scenarios = 1;
			break;
		case 'f':
			asked.format = NULL;
			for (size_t i = 0; cli_word(&contrast_formats, i, NULL); i++)
				if (strcmp(optarg, cli_word(&contrast_formats, i, NULL)) == 0)
					asked.format = cli_word(&contrast_formats, i, NULL);
			if (!asked.format)
				return cli_usage_error("contrast", "--format takes text, markdown, json, mermaid or sequence, "
								   "not '%.20s'", optarg);
			break;
		case 'w':
			if ((v = number(optarg, CONTRAST_WIDTH_MIN, CONTRAST_WIDTH_MAX)) < 0)
				return cli_usage_error("contrast", "--width takes a number of columns from %d to %d, not "
								   "'%.20s'", CONTRAST_WIDTH_MIN, CONTRAST_WIDTH_MAX, optarg);
			asked.width = (int)v;
			break;
		case 'F':
			if ((v = number(optarg, 1, 65535)) < 0)
				return cli_usage_error("contrast", "--filtered takes a port from 1 to 65535, not '%.20s'", optarg);
			lab.filtered = (unsigned)v;
			asked.filtered = 1;
			break;
		case 'i':
			if (impair_parse_options(NULL, optarg, why, sizeof why) < 0)
				return cli_usage_error("contrast", "bad --impair: %s", why);
			lab.options = tb.options = optarg;
			break;
		case 't': cli_trace_on(); break;
		case 'h': return cli_help(&contrast_command);
		default: return cli_bad_option("contrast", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("contrast", "unexpected argument '%.40s'", argv[optind]);
	if (check_options(&asked, &tb, &lab) != 0)
		return EXIT_USAGE;
	tb.width = contrast_width(asked.width);
	cli_on_stop(stop, NULL); /* first: a signal must never find the directory made and nobody to remove it */
	snprintf(lab.dir, sizeof lab.dir, "/tmp/socklab-contrast.XXXXXX");
	if (!mkdtemp(lab.dir))
		return cli_error("contrast", errno, NULL, "make a directory for socket files in /tmp");
	int diagram = is_one_of(asked.format, "mermaid", "sequence");
	int rc = diagram ? draw(&lab, &tb, asked.format) : run_table(&lab, &tb, asked.format);
	lab_cleanup(&lab);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error("contrast", errno, NULL, "write standard output");
	return rc;
}
