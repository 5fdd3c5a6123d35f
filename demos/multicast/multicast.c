/* multicast.c - socklab multicast: one datagram sent once reaches every member of a group, and every socket on a broadcast address. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "demos/cli.h"
#include "demos/netns.h"
#include "multicast.h"

/* The command as data: --help, the options it parses, the man page and the completions come from it. */
int multicast_main(int argc, char **argv);

#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

static const struct cli_option options[] = {
	{ 'n', "receivers", "N", CLI_TEXT, NULL, "how many receivers join (1 to " NUMBER(MCAST_RECEIVERS_MAX) ", default 3)",
	  0 },
	{ '4', NULL, NULL, CLI_TEXT, NULL, "IPv4 only (default: both; with --host, IPv4 only)", CLI_SHORT },
	{ '6', NULL, NULL, CLI_TEXT, NULL, "IPv6 only (not with -4: leave both out for both)", CLI_SHORT },
	{ 'H', "host", NULL, CLI_TEXT, NULL,
	  "on this host's loopback instead, changed in nothing: no namespace needed, but lo carries no IPv6 multicast "
	  "and loops everything back", 0 },
	CLI_OPTION_TRACE,
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Five receivers in a namespace of its own, then three on this host's loopback, IPv4:",
	  "socklab multicast --receivers 5\nsocklab multicast --host" },
	{ NULL, NULL },
};

const struct command multicast_command = {
	.name = "multicast",
	.summary = "one datagram, sent once, read by every member of a group (and broadcast)",
	.main = multicast_main,
	.description = "One sendto() to a multicast group, and every socket that joined the group reads the datagram: no "
		       "connection can do that, each needs a send of its own. Then the same with the multicast loop off, "
		       "and a broadcast, first without SO_BROADCAST, then with it. It runs in a private network "
		       "namespace (nothing on this host changes; root, or an unprivileged user namespace), on a veth pair "
		       "it makes there.",
	.options = options,
	.examples = examples,
};

/* Where the lesson runs: a veth pair in a namespace of its own, or the host's loopback. 0 or an exit code. */
static int make_network(struct mcast_net *net, int host)
{
	char why[384];

	if (host) {
		mcast_use_loopback(net);
		printf("the host's loopback %s (%s, broadcast %s), changed in nothing\n", net->ifname, net->v4, net->v4_bcast);
		return 0;
	}
	if (netns_enter_private(why, sizeof why) < 0 || mcast_make_veth(net, why, sizeof why) < 0) {
		fprintf(stderr, "socklab: multicast: %s (or run with --host, on this host's loopback)\n", why);
		return EXIT_RUNTIME;
	}
	printf("a private network namespace: a veth pair %s and sl1; %s has %s/24 (broadcast %s) and %s/64\n",
	       net->ifname, net->ifname, net->v4, net->v4_bcast, net->v6);
	return 0;
}

int multicast_main(int argc, char **argv)
{
	struct mcast_net net;
	int c, v4 = 0, v6 = 0, host = 0, rc;
	long receivers = 3;
	char *end;

	/* Each line goes out whole and at once: in order with standard error, and with the other process's lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = cli_next_option(&multicast_command, argc, argv)) != -1) {
		switch (c) {
		case 'n':
			errno = 0;
			receivers = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || receivers < 1 || receivers > MCAST_RECEIVERS_MAX)
				return cli_usage_error("multicast", "--receivers takes 1 to %d, not '%.20s'", MCAST_RECEIVERS_MAX,
						       optarg);
			break;
		case '4': v4 = 1; break;
		case '6': v6 = 1; break;
		case 'H': host = 1; break;
		case 't': cli_trace_on(); break;
		case 'h': return cli_help(&multicast_command);
		default: return cli_bad_option("multicast", c, argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("multicast", "unexpected argument '%.40s'", argv[optind]);
	if (v4 && v6)
		return cli_usage_error("multicast", "-4 and -6 together: leave both out for both");
	if (!v4 && !v6) {
		v4 = 1;
		v6 = !host;
	}
	if ((rc = make_network(&net, host)) != 0)
		return rc;
	if (v4)
		rc = mcast_group_lesson(&net, AF_INET, (size_t)receivers);
	if (v6) {
		int r6 = mcast_group_lesson(&net, AF_INET6, (size_t)receivers);
		rc = rc ? rc : r6;
	}
	if (v4) {
		int rb = mcast_broadcast_lesson(&net, (size_t)receivers);
		rc = rc ? rc : rb;
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error("multicast", errno, NULL, "write standard output");
	return rc;
}
