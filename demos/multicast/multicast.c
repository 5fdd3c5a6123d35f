/* multicast.c - socklab multicast: one datagram sent once reaches every member of a group, and every socket on a broadcast address. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "demos/cli.h"
#include "demos/netns.h"
#include "multicast.h"

static const char usage[] =
	"usage: socklab multicast [--receivers N] [-4 | -6] [--host]\n"
	"One sendto() to a multicast group, and every socket that joined the group reads the\n"
	"datagram: no connection can do that, each needs a send of its own. Then the same with\n"
	"the multicast loop off, and a broadcast, first without SO_BROADCAST, then with it.\n"
	"It runs in a private network namespace (nothing on this host changes; root, or an\n"
	"unprivileged user namespace), on a veth pair it makes there.\n\n"
	"  --receivers N  how many receivers join (1 to 64, default 3)\n"
	"  -4, -6         IPv4 only, IPv6 only (default both; --host: IPv4)\n"
	"  --host         on this host's loopback instead, changed in nothing: no namespace\n"
	"                 needed, but lo carries no IPv6 multicast and loops everything back\n"
	"  --trace        narrate every socket call on standard error\n";

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
	static const struct option options[] = {
		{ "receivers", required_argument, NULL, 'n' }, { "host", no_argument, NULL, 'H' },
		{ "trace", no_argument, NULL, 't' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct mcast_net net;
	int c, v4 = 0, v6 = 0, host = 0, rc;
	long receivers = 3;
	char *end;

	/* Each line goes out whole and at once: in order with standard error, and with the other process's lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt_long(argc, argv, ":46h", options, NULL)) != -1) {
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
		case 'h': fputs(usage, stdout); return 0;
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
