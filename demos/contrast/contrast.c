/* contrast.c - socklab contrast: run every scenario over every transport and print what was observed. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "transports/impair/impair.h"
#include "demos/cli.h"
#include "contrast.h"

static const char usage[] =
	"usage: socklab contrast [--transports LIST] [--scenarios LIST] [--format FORMAT] [--impair OPTIONS]\n"
	"Runs the same scenarios over every transport, on this host, and prints what the kernel\n"
	"did in each: a row per scenario, a column per transport, and why they differ.\n\n"
	"  --transports LIST  comma-separated schemes (default: all): tcp,udp\n"
	"  --scenarios LIST   comma-separated scenario names (default: all, see below)\n"
	"  --format FORMAT    text (default), markdown, json (one object per scenario and\n"
	"                     transport), or mermaid (sequence diagrams of one traced exchange)\n"
	"  --impair OPTIONS   impair every endpoint, as after '?' in an endpoint: drop=0.2&seed=7\n"
	"  --trace            narrate every socket call on standard error\n\n"
	"scenarios:\n";

/* The rows: what each asks, and why the answers differ. The answers themselves are measured. */
const struct scenario contrast_scenarios[] = {
	{ "handshake", "dial where nobody listens",
	  "a connection starts with a handshake, so a missing server is known at once; a datagram is just sent, "
	  "and only a connect()ed UDP socket hears the ICMP error, on its next call (unix sockets are local: the "
	  "kernel knows at once)", scenario_handshake },
	{ "boundaries", "three sends back to back",
	  "a stream is bytes without edges: the kernel joins sends; datagram and seqpacket sockets keep each send "
	  "a message of its own", scenario_boundaries },
	{ "empty", "send(\"\"), then \"x\", then close",
	  "on a stream an empty send sends nothing and recv() = 0 means the end; a message can be empty, so "
	  "recv() = 0 is a message and no end is ever marked (on seqpacket, 0 means either)", scenario_empty },
	{ "end", "the client half-closes: seen? answered?",
	  "a connection has two directions and an end the peer reads as 0; a datagram socket has no connection "
	  "to end, so its peer never learns it left", scenario_end },
	{ "size", "one 70,000-byte message",
	  "a stream has no message size; a UDP datagram holds at most 65,507 bytes (IPv4); unix messages are "
	  "limited by the socket buffer", scenario_size },
	{ "buffer", "100 bytes, a 10-byte buffer",
	  "a stream keeps unread bytes for the next recv(); a message is read once, and what did not fit is "
	  "discarded (MSG_TRUNC)", scenario_buffer },
	{ "flow", "1,000 x 1 KB, 64 KiB buffers, a slow reader",
	  "TCP and unix sockets make a fast sender wait for a slow reader (flow control); UDP has none: a full "
	  "receive buffer drops datagrams, and the kernel counts them", scenario_flow },
	{ "greeting", "can the server speak first?",
	  "accept() gives the server a socket for its client before any data; a datagram server learns an "
	  "address only from a datagram the client sends first", scenario_greeting },
	{ "clients", "3 clients, one from a bare socket()",
	  "a connected server has a socket per client; a datagram server has one socket and an address per "
	  "message, and an unbound unix datagram client has no address to answer", scenario_clients },
	{ "restart", "the server dies: bind again at once",
	  "TCP keeps the port of a connection it closed first in TIME_WAIT (SO_REUSEADDR binds anyway); a unix "
	  "socket file outlives its server and must be removed; UDP leaves nothing", scenario_restart },
	{ "calls", "the system calls of one exchange",
	  "connected transports add listen, accept and connect, and each close reaches the peer; datagram "
	  "transports only send and receive (a unix datagram client binds a name, to be answered)",
	  scenario_calls },
	{ "delivery", "100 numbered messages, read as they come",
	  "on one host nothing is lost or reordered; over a bad network (make lab, or --impair) UDP loses and "
	  "reorders while TCP delivers everything, in order, only later", scenario_delivery },
};
const size_t contrast_nscenarios = sizeof contrast_scenarios / sizeof contrast_scenarios[0];

static volatile sig_atomic_t stopping;

static void stop(void *ctx)
{
	(void)ctx;
	stopping = 1;
}

/* Removes the lab's directory and whatever a scenario left in it. */
static void lab_cleanup(struct lab *lab)
{
	DIR *d = opendir(lab->dir);
	struct dirent *e;
	char path[sizeof lab->dir + 256];

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", lab->dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(lab->dir);
}

/* The transports a comma-separated list names, in its order. Returns how many, or -1 (usage error printed). */
static int pick_transports(const char *list, const struct transport **out, size_t max)
{
	size_t k = 0;

	for (const char *p = list, *next; *p; p = next) {
		size_t len = strcspn(p, ",");
		next = p[len] ? p + len + 1 : p + len;
		const struct transport *t = transport_find(p, len);
		if (!t)
			return cli_usage_error("contrast", "unknown transport '%.*s' in --transports", (int)(len > 40 ? 40 : len),
					       p), -1;
		if (k == max)
			return cli_usage_error("contrast", "too many transports in --transports"), -1;
		out[k++] = t;
	}
	return k ? (int)k : (cli_usage_error("contrast", "--transports names no transport"), -1);
}

/* Likewise for --scenarios. */
static int pick_scenarios(const char *list, const struct scenario **out, size_t max)
{
	size_t k = 0;

	for (const char *p = list, *next; *p; p = next) {
		size_t len = strcspn(p, ",");
		next = p[len] ? p + len + 1 : p + len;
		const struct scenario *found = NULL;
		for (size_t i = 0; i < contrast_nscenarios && !found; i++)
			if (strlen(contrast_scenarios[i].name) == len && strncmp(contrast_scenarios[i].name, p, len) == 0)
				found = &contrast_scenarios[i];
		if (!found)
			return cli_usage_error("contrast", "unknown scenario '%.*s' in --scenarios", (int)(len > 40 ? 40 : len),
					       p), -1;
		if (k == max)
			return cli_usage_error("contrast", "too many scenarios in --scenarios"), -1;
		out[k++] = found;
	}
	return k ? (int)k : (cli_usage_error("contrast", "--scenarios names no scenario"), -1);
}

/* --format mermaid: one traced exchange per transport, drawn side by side. */
static int draw(struct lab *lab, const struct transport *const *cols, size_t ncols)
{
	struct calls runs[16] = { { 0 } };
	int rc = 0;

	for (size_t i = 0; i < ncols && rc == 0; i++)
		if (contrast_capture(lab, cols[i], &runs[i]) < 0)
			rc = cli_error("contrast", errno, NULL, "trace an exchange over %s", cols[i]->scheme);
	if (rc == 0)
		print_mermaid(stdout, runs, ncols);
	for (size_t i = 0; i < ncols; i++)
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
			failed += tb->rows[r]->run(lab, tb->cols[i], &cells[r * tb->ncols + i]) < 0;
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

int contrast_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "transports", required_argument, NULL, 'T' }, { "scenarios", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' }, { "impair", required_argument, NULL, 'i' },
		{ "trace", no_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	static const char *const formats[] = { "text", "markdown", "json", "mermaid" };
	const struct transport *cols[16];
	const struct scenario *rows[32];
	struct table tb = { .rows = rows, .cols = cols };
	struct lab lab = { .options = NULL };
	const char *format = "text";
	char why[256];
	int c, n;

	for (; transport_registry[tb.ncols] && tb.ncols < 16; tb.ncols++)
		cols[tb.ncols] = transport_registry[tb.ncols];
	for (; tb.nrows < contrast_nscenarios && tb.nrows < 32; tb.nrows++)
		rows[tb.nrows] = &contrast_scenarios[tb.nrows];
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
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
			break;
		case 'f':
			format = NULL;
			for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
				if (strcmp(optarg, formats[i]) == 0)
					format = formats[i];
			if (!format)
				return cli_usage_error("contrast", "--format takes text, markdown, json or mermaid, not '%.20s'",
						       optarg);
			break;
		case 'i':
			if (impair_parse_options(optarg, why, sizeof why) < 0)
				return cli_usage_error("contrast", "bad --impair: %s", why);
			lab.options = tb.options = optarg;
			break;
		case 't': cli_trace_on(); break;
		case 'h':
			fputs(usage, stdout);
			for (size_t i = 0; i < contrast_nscenarios; i++)
				printf("  %-12s %s\n", contrast_scenarios[i].name, contrast_scenarios[i].question);
			return 0;
		default: return cli_bad_option("contrast", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("contrast", "unexpected argument '%.40s'", argv[optind]);
	cli_on_stop(stop, NULL); /* first: a signal must never find the directory made and nobody to remove it */
	snprintf(lab.dir, sizeof lab.dir, "/tmp/socklab-contrast.XXXXXX");
	if (!mkdtemp(lab.dir))
		return cli_error("contrast", errno, NULL, "make a directory for socket files in /tmp");
	int rc = strcmp(format, "mermaid") == 0 ? draw(&lab, cols, tb.ncols) : run_table(&lab, &tb, format);
	lab_cleanup(&lab);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error("contrast", errno, NULL, "write standard output");
	return rc;
}
