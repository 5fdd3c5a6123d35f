/* congestion_args.c - socklab congestion's options: the table of algorithms, the description, the parsing, one line per mistake. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "demos/cli.h"
#include "congestion.h"

#define PACKET_BYTES 1500 /* --buffer NNp: packets of the veth's MTU */
#define DEFAULT_BUFFER_PACKETS 100
#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

/*
 * The decreases are the specified ones: RFC 5681 section 3.1 (equation 4), RFC 9438 section 4.6; aimd's is
 * socklab's own rule (transports/rdt/rdt_send.c, rdt_snd_loss), written after RFC 5681's.
 */
const struct congestion_cc congestion_ccs[] = {
	{ "reno", &congestion_tcp_kind, 1, 0.5, "RFC 5681: ssthresh = FlightSize / 2" },
	{ "cubic", &congestion_tcp_kind, 1, 0.7, "RFC 9438: beta_cubic = 0.7" },
	{ "bbr", &congestion_tcp_kind, 0, 0, "BBR sets its window from bandwidth x min RTT, not from losses" },
	{ "aimd", &congestion_rdt_kind, 1, 0.5,
	  "socklab's rule, after RFC 5681: flight / 2" },
	{ NULL, NULL, 0, 0, NULL },
};

/* The i-th algorithm --cc can name, and where its decrease comes from in *about; NULL past the last. */
static const char *cc_name(size_t i, const char **about)
{
	for (size_t k = 0; k < i; k++)
		if (!congestion_ccs[k].name)
			return NULL;
	*about = congestion_ccs[i].beta_source;
	return congestion_ccs[i].name;
}

static const struct cli_words cc_words = { .nth = cc_name };
static const struct cli_word format_list[] = { { "chart", NULL }, { "json", NULL }, { "csv", NULL }, { NULL, NULL } };
static const struct cli_words formats = { .own = format_list };

static const struct cli_option options[] = {
	{ 'r', "rate", "RATE", CLI_TEXT, NULL, "the bottleneck: 20mbit (default), 500kbit, 1gbit...", 0 },
	{ 'b', "buffer", "SIZE", CLI_TEXT, NULL,
	  "its queue, in bytes or packets of " NUMBER(PACKET_BYTES) " bytes: " NUMBER(DEFAULT_BUFFER_PACKETS) "p (default)",
	  0 },
	{ 'l', "loss", "PCT", CLI_TEXT, NULL, "drop PCT% of the data segments at random on the way (0 to 50)", 0 },
	{ 'd', "delay", "MS", CLI_TEXT, NULL, "add MS to the round trip (needs the netem qdisc)", 0 },
	{ 'c', "cc", "LIST", CLI_LIST, &cc_words, "algorithms, run one after another (default: the first):", CLI_SHOW_WORDS },
	{ 'f', "flows", "N", CLI_TEXT, NULL, "flows sharing the bottleneck in each run (1 to " NUMBER(CONGESTION_MAX_FLOWS) ")",
	  0 },
	{ 'g', "stagger", "S", CLI_TEXT, NULL, "start flow i at i x S seconds (default 0: all together)", 0 },
	{ 's', "seconds", "S", CLI_TEXT, NULL, "length of each run (default 10)", 0 },
	{ 'i', "interval", "MS", CLI_TEXT, NULL, "between samples: TCP_INFO, or rdt's own (default 5)", 0 },
	{ 'o', "format", "F", CLI_ONE, &formats, "chart (default), or every sample as json or csv", 0 },
	{ 'e', "seed", "N", CLI_TEXT, NULL, "a loss pattern drawn from N, the same every run (default: the kernel's)", 0 },
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Reno through the default 20 Mbit/s bottleneck, then reno and cubic sharing a smaller one, two flows each:",
	  "socklab congestion\nsocklab congestion --rate 5mbit --cc reno,cubic --flows 2 --stagger 2" },
	{ "Kernel Reno, then socklab's own rdt over UDP with its AIMD window, sampled from rdt's sender:",
	  "socklab congestion --cc reno,aimd" },
	{ "Every sample, as CSV, with 1% of the segments lost the same way every run:",
	  "socklab congestion --loss 1 --seed 7 --format csv > samples.csv" },
	{ NULL, NULL },
};

int congestion_main(int argc, char **argv);

const struct command congestion_command = {
	.name = "congestion",
	.summary = "TCP's congestion window on a real bottleneck, sampled from the kernel",
	.main = congestion_main,
	.description = "Congestion control on a real bottleneck: socklab makes three network namespaces of its own "
		       "(sender, router, receiver; never the host's), a token bucket (tc tbf) on the router as the "
		       "bottleneck, and sends TCP through it, sampling the sender's TCP_INFO as it goes; --cc aimd sends "
		       "socklab's own rdt over UDP instead, sampled from its own sender (not TCP_INFO). Needs root, or "
		       "unprivileged user namespaces; and ip, tc, nft (iproute2, nftables).",
	.options = options,
	.examples = examples,
};

/* "20mbit", "500kbit", "1gbit", "64000bit" or bare bits per second, as tc(8) spells rates. */
static int parse_rate(const char *text, uint64_t *bps)
{
	static const struct { const char *unit; double scale; } units[] = {
		{ "", 1 }, { "bit", 1 }, { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
	};
	char *end;

	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || !(v > 0))
		return -1;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(end, units[i].unit) == 0) {
			v *= units[i].scale;
			if (v < 100e3 || v > 10e9)
				return -1;
			*bps = (uint64_t)v;
			return 0;
		}
	return -1;
}

/* Bytes, or packets with a "p": at least two packets, at most 64 MB. */
static int parse_buffer(const char *text, uint64_t *bytes)
{
	char *end;

	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text || text[0] == '-')
		return -1;
	if (strcmp(end, "p") == 0)
		v *= PACKET_BYTES;
	else if (*end)
		return -1;
	if (v < 2 * PACKET_BYTES || v > 64ull << 20)
		return -1;
	*bytes = v;
	return 0;
}

/* A whole number from lo to hi, or -1. */
static long parse_int(const char *text, long lo, long hi)
{
	char *end;

	errno = 0;
	long v = strtol(text, &end, 10);
	return errno || end == text || *end || v < lo || v > hi ? -1 : v;
}

/* --cc: names from congestion_ccs, in the order given. Returns 0, or the usage error. */
static int parse_ccs(const char *list, struct congestion_opts *o)
{
	o->ncc = 0;
	for (const char *p = list, *next; *p; p = next) {
		size_t len = strcspn(p, ",");
		const struct congestion_cc *found = NULL;
		next = p[len] ? p + len + 1 : p + len;
		for (const struct congestion_cc *c = congestion_ccs; c->name && !found; c++)
			if (strlen(c->name) == len && strncmp(c->name, p, len) == 0)
				found = c;
		if (!found)
			return cli_usage_error("congestion", "unknown algorithm '%.*s' in --cc: reno, cubic, bbr or aimd",
					       (int)(len > 20 ? 20 : len), p);
		if (o->ncc == CONGESTION_MAX_CCS)
			return cli_usage_error("congestion", "--cc names more than %d runs", CONGESTION_MAX_CCS);
		o->cc[o->ncc++] = found;
	}
	return o->ncc ? 0 : cli_usage_error("congestion", "--cc names no algorithm: reno, cubic, bbr or aimd");
}

/* The value of one option into *o; 0, or the usage error printed. */
static int set_option(int c, const char *v, struct congestion_opts *o)
{
	long n;
	char *end;

	switch (c) {
	case 'r':
		return parse_rate(v, &o->rate_bps) == 0 ? 0 : cli_usage_error("congestion",
			"--rate '%.20s' is not a rate from 100kbit to 10gbit (write it as tc does: 20mbit)", v);
	case 'b':
		return parse_buffer(v, &o->buffer_bytes) == 0 ? 0 : cli_usage_error("congestion",
			"--buffer '%.20s' is not a size from 3000 bytes (or 2p) to 64 MB: 150000, or 100p", v);
	case 'd':
		return (o->delay_ms = (int)parse_int(v, 0, 10000)) >= 0 ? 0 :
			cli_usage_error("congestion", "--delay '%.20s' is not a whole number of ms from 0 to 10000", v);
	case 'l':
		errno = 0;
		o->loss_pct = strtod(v, &end);
		return !errno && end != v && !*end && o->loss_pct >= 0 && o->loss_pct <= 50 ? 0 :
			cli_usage_error("congestion", "--loss '%.20s' is not a percentage from 0 to 50", v);
	case 'c':
		return parse_ccs(v, o);
	case 'f':
		return (o->flows = (int)parse_int(v, 1, CONGESTION_MAX_FLOWS)) > 0 ? 0 :
			cli_usage_error("congestion", "--flows '%.20s' is not a number from 1 to %d", v, CONGESTION_MAX_FLOWS);
	case 'g':
		return (o->stagger_ms = cli_seconds(v)) >= 0 && o->stagger_ms <= 600000 ? 0 :
			cli_usage_error("congestion", "--stagger '%.20s' is not a number of seconds up to 600", v);
	case 's':
		return (o->seconds_ms = cli_seconds(v)) >= 100 && o->seconds_ms <= 600000 ? 0 :
			cli_usage_error("congestion", "--seconds '%.20s' is not a number of seconds from 0.1 to 600", v);
	case 'i':
		return (o->interval_ms = (int)parse_int(v, 1, 1000)) > 0 ? 0 :
			cli_usage_error("congestion", "--interval '%.20s' is not a whole number of ms from 1 to 1000", v);
	case 'o':
		o->format = strcmp(v, "chart") == 0 ? FORMAT_CHART : strcmp(v, "json") == 0 ? FORMAT_JSON :
			    strcmp(v, "csv") == 0 ? FORMAT_CSV : (enum congestion_format)-1;
		return (int)o->format >= 0 ? 0 :
			cli_usage_error("congestion", "--format '%.20s' is not one of chart, json, csv", v);
	case 'e':
		n = parse_int(v, 0, 2147483647);
		o->seed = (unsigned)n;
		o->seeded = 1;
		return n >= 0 ? 0 : cli_usage_error("congestion", "--seed '%.20s' is not a whole number from 0 to 2^31-1", v);
	}
	return EXIT_USAGE;
}

int congestion_parse(int argc, char **argv, struct congestion_opts *o)
{
	int c;

	*o = (struct congestion_opts){ .rate_bps = 20000000, .buffer_bytes = DEFAULT_BUFFER_PACKETS * PACKET_BYTES,
				       .cc = { &congestion_ccs[0] }, .ncc = 1, .flows = 1, .seconds_ms = 10000,
				       .interval_ms = 5, .format = FORMAT_CHART };
	optind = 1;
	while ((c = cli_next_option(&congestion_command, argc, argv)) != -1) {
		if (c == 'h') {
			cli_help(&congestion_command);
			return 1;
		}
		if (c == '?' || c == ':')
			return cli_bad_option("congestion", c, argv);
		if (set_option(c, optarg, o) != 0)
			return EXIT_USAGE;
	}
	if (optind < argc)
		return cli_usage_error("congestion", "unexpected argument '%.40s'", argv[optind]);
	if (o->flows > 1 && (long)o->stagger_ms * (o->flows - 1) >= o->seconds_ms)
		return cli_usage_error("congestion", "--stagger %.1f s x %d flows leaves the last no time in %.1f s",
				       o->stagger_ms / 1000.0, o->flows - 1, o->seconds_ms / 1000.0);
	return 0;
}
