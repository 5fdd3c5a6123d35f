/* wire.c - socklab wire: the packets of socklab's own exchange, as a ladder, mermaid or JSON, and as a pcap file. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demos/cli.h"
#include "wire.h"

/* Where `socklab wire tcp` puts its server: the namespace is socklab's own, so any port is free; 7 is echo's (RFC 862). */
#define DEFAULT_HOST_PORT "127.0.0.1:7"
#define DEFAULT_LOSS 20

static const char usage[] =
	"usage: socklab wire TRANSPORT|ENDPOINT [--scenario NAME] [--format ladder|mermaid|json]\n"
	"                    [--explain] [--pcap FILE] [--loss PERCENT] [--seed N]\n"
	"Runs one of socklab's exchanges over TRANSPORT in a private network namespace of its own\n"
	"(as root, or unprivileged through a user namespace where the kernel allows it), captures\n"
	"its packets with a packet socket on lo, and shows every one: time, direction, TCP flags,\n"
	"seq/ack relative to each side's initial sequence number (as Wireshark shows them), length,\n"
	"window, and each side's TCP state as the packets show it. `socklab wire tcp` puts the\n"
	"server at " DEFAULT_HOST_PORT "; an ENDPOINT (tcp://[::1]:5555) chooses. unix sockets have no\n"
	"packets: it says so, and shows the exchange's system calls instead.\n\n"
	"  --scenario NAME    the exchange (default echo), see below\n"
	"  --format FORMAT    ladder (default: text, 80 columns), mermaid (a sequenceDiagram),\n"
	"                     or json (an object per packet, and a summary)\n"
	"  --explain          answer the Wireshark lab's questions from this capture: initial\n"
	"                     sequence numbers, segment lengths, RTT samples and the smoothed RTT,\n"
	"                     windows, retransmissions; UDP's four header fields\n"
	"  --pcap FILE        also write the packets to FILE (pcap: tcpdump -r FILE, Wireshark)\n"
	"  --loss PERCENT     nftables in the namespace drops PERCENT of the data packets\n"
	"  --seed N           drop the same packets each run (by their order), not at random\n"
	"  --trace            (before wire) narrate every call, the capture socket's too\n\n"
	"scenarios:\n";

static int help(void)
{
	fputs(usage, stdout);
	for (size_t i = 0; i < wire_nscenarios; i++)
		printf("  %-12s %s\n", wire_scenarios[i].name, wire_scenarios[i].what);
	return 0;
}

/* A whole number from lo to hi, or -1. */
static long long number(const char *text, long long lo, long long hi)
{
	char *end;
	long long v = strtoll(text, &end, 10);
	return end == text || *end || text[0] == '-' || text[0] == '+' || v < lo || v > hi ? -1 : v;
}

/* TRANSPORT ("tcp") or ENDPOINT ("tcp://[::1]:5555") into o->t and o->ep. 0, or the exit code. */
static int target(const char *text, struct wire_options *o)
{
	char full[ENDPOINT_TEXT_MAX + 1];
	const struct transport *t = strchr(text, ':') ? NULL : transport_find(text, strlen(text));

	if (!t && !strchr(text, ':'))
		return cli_usage_error("wire", "'%.40s' is neither a transport nor an endpoint (try tcp, udp or unix)", text);
	o->bare = t != NULL;
	if (t && t->domain != AF_UNIX)
		snprintf(full, sizeof full, "%s://%s", t->scheme, DEFAULT_HOST_PORT);
	else if (t)
		snprintf(full, sizeof full, "%s:wire.sock", t->scheme); /* wire_unix() makes it in a directory of its own */
	else
		snprintf(full, sizeof full, "%s", text);
	/* Nobody listens in the refusing scenarios: the endpoint is a client's, and needs a port. */
	return cli_endpoint("wire", full, o->sc->served ? ENDPOINT_SERVER : ENDPOINT_CLIENT, &o->ep);
}

/*
 * Standard input and error, if closed, become /dev/null: else the next socket
 * would take their number, and the packet socket could end up as fd 2, sending
 * an error line onto lo as a frame. A closed standard output is an error now.
 */
static int standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (fd == 1)
			return cli_error("wire", EBADF, NULL, "write standard output");
		int n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n != fd) { /* open() takes the lowest free number: fd itself */
			if (n >= 0)
				close(n);
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

int wire_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "scenario", required_argument, NULL, 's' }, { "format", required_argument, NULL, 'f' },
		{ "pcap", required_argument, NULL, 'p' },     { "explain", no_argument, NULL, 'e' },
		{ "loss", required_argument, NULL, 'l' },     { "seed", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
	};
	struct wire_options o = { .sc = &wire_scenarios[0], .format = "ladder", .loss = -1 };
	long long v = 0;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		if (c == 'h')
			return help();
		if (c == 's' && !(o.sc = wire_scenario_find(optarg)))
			return cli_usage_error("wire", "no scenario named '%.40s'", optarg);
		if (c == 'f' && strcmp(optarg, "ladder") && strcmp(optarg, "mermaid") && strcmp(optarg, "json"))
			return cli_usage_error("wire", "--format takes ladder, mermaid or json, not '%.20s'", optarg);
		if (c == 'l' && (v = number(optarg, 0, 100)) < 0)
			return cli_usage_error("wire", "--loss takes a whole percentage from 0 to 100, not '%.20s'", optarg);
		if (c == 'S' && (v = number(optarg, 0, 4294967295L)) < 0)
			return cli_usage_error("wire", "--seed takes a whole number from 0 to 4294967295, not '%.20s'", optarg);
		if (c == '?' || c == ':')
			return cli_bad_option("wire", c, argv);
		o.format = c == 'f' ? optarg : o.format;
		o.pcap = c == 'p' ? optarg : o.pcap;
		o.explain |= c == 'e';
		o.loss = c == 'l' ? (int)v : o.loss;
		o.seeded |= c == 'S';
		o.seed = c == 'S' ? (unsigned)v : o.seed;
	}
	if (optind == argc)
		return cli_usage_error("wire", "missing TRANSPORT or ENDPOINT (tcp, udp, unix..., or tcp://[::1]:5555)");
	if (optind + 1 < argc)
		return cli_usage_error("wire", "too many arguments ('%.40s')", argv[optind + 1]);
	int rc = target(argv[optind], &o);
	if (rc || (rc = standard_fds()))
		return rc;
	/* A reader that goes away (socklab wire tcp | head) is an EPIPE to report, and so is an nft that dies. */
	struct sigaction ign = { .sa_handler = SIG_IGN };
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, NULL);
	o.t = o.ep.t;
	if (o.sc->connection && !transport_is_connected(o.t))
		return cli_usage_error("wire", "--scenario %s needs a connection, and %s has none", o.sc->name, o.t->scheme);
	if (o.t->domain == AF_UNIX) {
		if (o.sc->network || o.loss >= 0 || o.pcap)
			return cli_usage_error("wire", "%s needs a network, and a unix socket never leaves the kernel",
					       o.sc->network ? "--scenario" : o.loss >= 0 ? "--loss" : "--pcap");
		return wire_unix(&o);
	}
	if (o.loss < 0 && strcmp(o.sc->name, "loss") == 0)
		o.loss = DEFAULT_LOSS;
	return wire_run(&o);
}
