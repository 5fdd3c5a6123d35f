/* load.c - socklab load: many clients at once against an echo server, every echoed byte checked. */
#include "load.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/engine/engine.h"
#include "core/errors.h"
#include "core/io.h"
#include "core/transport.h"
#include "demos/cli.h"

#define FDS_SPARE 16            /* descriptors besides the clients': stdio, the poller, a name lookup */
#define MAX_CLIENTS 1000000
#define MAX_WINDOW 1024
#define MAX_IN_FLIGHT (1u << 22) /* --clients x --window: a slot each (24 bytes), 96 MiB at most */
#define MAX_SIZE (64u << 20)    /* one message at most: 64 MiB */

static const char usage[] =
	"usage: socklab load [OPTIONS] ENDPOINT\n"
	"Opens N clients to the echo server at ENDPOINT, all of them connected at the same\n"
	"time, then has each send M messages of random sizes (the same ones for the same\n"
	"--seed) and checks every byte that comes back. Exits 0 when nothing came back\n"
	"corrupted and, on a reliable transport, nothing was lost; lost datagrams (UDP) are\n"
	"counted and reported.\n\n"
	"  --clients N        clients at once (default 10); each needs a file descriptor\n"
	"  --messages M       messages per client (default 100; 0: connect them all, send nothing)\n"
	"  --size MIN-MAX     message sizes in bytes, or one size N (default 1-1024)\n"
	"  --window W         messages a client may have sent and not yet seen back (default 1)\n"
	"  --seed S           seed for the sizes and the bytes (default 1)\n"
	"  --timeout SECONDS  an echo not back after this long is lost, and a connect()\n"
	"                     not done after this long fails (default 5, more than 0)\n"
	"  --poller NAME      how to wait for the clients' sockets: epoll (Linux default) or poll\n"
	"  --json             print the summary as one JSON object\n"
	"  --trace            narrate every socket call on standard error\n";

/* "MIN-MAX" or "N". */
static int parse_sizes(const char *text, struct load_options *o)
{
	char lo[32];
	const char *dash = strchr(text, '-');
	unsigned long long a, b;

	if (!dash)
		return cli_number(text, 0, MAX_SIZE, &a) < 0 ? -1 : (o->size_min = o->size_max = a, 0);
	if ((size_t)(dash - text) >= sizeof lo)
		return -1;
	snprintf(lo, sizeof lo, "%.*s", (int)(dash - text), text);
	if (cli_number(lo, 0, MAX_SIZE, &a) < 0 || cli_number(dash + 1, 0, MAX_SIZE, &b) < 0 || a > b)
		return -1;
	o->size_min = a;
	o->size_max = b;
	return 0;
}

/*
 * Each client holds a descriptor: raise the soft limit on open files to the
 * hard one (any process may), and say so plainly when even that is too few.
 */
static int raise_fd_limit(unsigned clients)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)clients + FDS_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return cli_error("load", errno, NULL, "read the limit on open files");
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			return cli_error("load", errno, NULL, "raise the limit on open files");
	}
	if (rl.rlim_cur != RLIM_INFINITY && need > rl.rlim_cur)
		return cli_usage_error("load",
				       "--clients %u needs %llu file descriptors, but this process may open only %llu "
				       "(the hard limit, 'ulimit -Hn'; root can raise it)",
				       clients, (unsigned long long)need, (unsigned long long)rl.rlim_cur);
	return 0;
}

static void print_text(const struct load_options *o, const struct load_result *r)
{
	printf("clients:    %u of %u connected at once (in %.3f s)\n", r->connected, o->clients, r->connect_s);
	printf("messages:   %llu sent, %llu echoed intact\n", r->sent, r->echoed);
	printf("bytes:      %llu sent, %llu echoed\n", r->bytes_sent, r->bytes_echoed);
	printf("lost:       %llu\n", r->lost);
	printf("corrupted:  %llu\n", r->corrupted);
	if (r->unsent)
		printf("not sent:   %llu (their client had failed)\n", r->unsent);
	if (r->unexpected)
		printf("unexpected: %llu (came back, and no message in flight explains them)\n", r->unexpected);
	if (r->duplicates)
		printf("duplicates: %llu (datagrams that came back twice, or late)\n", r->duplicates);
	printf("elapsed:    %.3f s\n", r->elapsed_s);
	printf("msgs/s:     %.0f\n", r->elapsed_s > 0 ? r->echoed / r->elapsed_s : 0.0);
}

static void print_json(const char *where, const struct endpoint *ep, const struct load_options *o,
		       const struct load_result *r, int ok)
{
	printf("{\"endpoint\":\"");
	for (const char *p = where; *p; p++)
		printf(*p == '"' || *p == '\\' ? "\\%c" : (unsigned char)*p < 0x20 ? "?" : "%c", *p);
	printf("\",\"transport\":\"%s\",\"clients\":%u,\"connected\":%u,\"messages\":%u,\"window\":%u,"
	       "\"size_min\":%zu,\"size_max\":%zu,\"seed\":%" PRIu64 ",\"sent\":%llu,\"echoed\":%llu,"
	       "\"bytes_sent\":%llu,\"bytes_echoed\":%llu,\"lost\":%llu,\"corrupted\":%llu,\"duplicates\":%llu,"
	       "\"unsent\":%llu,\"unexpected\":%llu,"
	       "\"failed\":%u,\"connect_s\":%.6f,\"elapsed_s\":%.6f,\"msgs_per_s\":%.0f,\"ok\":%s}\n",
	       ep->t->scheme, o->clients, r->connected, o->messages, o->window, o->size_min, o->size_max, o->seed,
	       r->sent, r->echoed, r->bytes_sent, r->bytes_echoed, r->lost, r->corrupted, r->duplicates, r->unsent,
	       r->unexpected, r->failed,
	       r->connect_s, r->elapsed_s, r->elapsed_s > 0 ? r->echoed / r->elapsed_s : 0.0, ok ? "true" : "false");
}

/* Did the run pass? Nothing corrupted, no client failed, and nothing lost where the transport promises delivery. */
static int passed(const struct endpoint *ep, const struct load_result *r)
{
	return !r->err && !r->corrupted && !r->unexpected && (r->echoed || !r->sent) &&
	       !(r->lost && transport_is_reliable(ep->t));
}

/* The one line that says why the run failed. */
static int explain(const char *where, const struct endpoint *ep, const struct load_options *o,
		   const struct load_result *r)
{
	if (r->gai) {
		fprintf(stderr, "socklab: load: look up %s: %s (check the host name)\n", where, gai_strerror(r->gai));
		return EXIT_RUNTIME;
	}
	if (r->err == SL_ETIMEDOUT_REPLY && transport_is_reliable(ep->t)) {
		fprintf(stderr, "socklab: load: client %u of %u: no echo from %s for %.1f s (is the server stuck, or "
			"overloaded? try a longer --timeout)\n", r->err_client + 1, o->clients, where, o->timeout_ms / 1000.0);
		return EXIT_RUNTIME;
	}
	if (r->err)
		return cli_error("load", r->err, r->err_op, "client %u of %u: %s %s", r->err_client + 1, o->clients,
				 strcmp(r->err_op, "recv") == 0 ? "echo from" : strcmp(r->err_op, "send") == 0 ? "send to"
														: "connect to",
				 where);
	if (r->corrupted || r->unexpected)
		return cli_error("load", SL_EMISMATCH, NULL, "%llu messages came back corrupted from %s%s", r->corrupted,
				 where, r->unexpected ? ", with more that no message explains" : "");
	if (r->sent && !r->echoed) {
		fprintf(stderr, "socklab: load: no echo came back from %s (is an echo server running there?)\n", where);
		return EXIT_RUNTIME;
	}
	fprintf(stderr, "socklab: load: %llu messages lost on %s, a reliable transport (is that an echo server?)\n",
		r->lost, ep->t->scheme);
	return EXIT_RUNTIME;
}

int load_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "clients", required_argument, NULL, 'c' }, { "messages", required_argument, NULL, 'm' },
		{ "size", required_argument, NULL, 's' },    { "window", required_argument, NULL, 'w' },
		{ "seed", required_argument, NULL, 'S' },    { "timeout", required_argument, NULL, 'T' },
		{ "poller", required_argument, NULL, 'p' },  { "json", no_argument, NULL, 'j' },
		{ "trace", no_argument, NULL, 't' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct load_options o = { .clients = 10, .messages = 100, .size_min = 1, .size_max = 1024, .window = 1,
				  .seed = 1, .timeout_ms = 5000 };
	unsigned long long v;
	struct endpoint ep;
	struct load_result r;
	int c, json = 0, rc;

	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) { /* options may follow ENDPOINT */
		switch (c) {
		case 'c':
			if (cli_number(optarg, 1, MAX_CLIENTS, &v) < 0)
				return cli_usage_error("load", "--clients takes a number from 1 to %d, not '%.20s'",
						       MAX_CLIENTS, optarg);
			o.clients = (unsigned)v;
			break;
		case 'm':
			if (cli_number(optarg, 0, UINT32_MAX, &v) < 0)
				return cli_usage_error("load", "--messages takes a number, not '%.20s'", optarg);
			o.messages = (unsigned)v;
			break;
		case 's':
			if (parse_sizes(optarg, &o) < 0)
				return cli_usage_error("load", "--size takes MIN-MAX or N, in bytes up to %u, not '%.20s'",
						       MAX_SIZE, optarg);
			break;
		case 'w':
			if (cli_number(optarg, 1, MAX_WINDOW, &v) < 0)
				return cli_usage_error("load", "--window takes a number from 1 to %d, not '%.20s'",
						       MAX_WINDOW, optarg);
			o.window = (unsigned)v;
			break;
		case 'S':
			if (cli_number(optarg, 0, UINT64_MAX, &v) < 0)
				return cli_usage_error("load", "--seed takes a number, not '%.20s'", optarg);
			o.seed = v;
			break;
		case 'T':
			if ((rc = cli_duration("load", "--timeout", optarg, &o.timeout_ms)) != 0)
				return rc;
			break;
		case 'p':
			if ((rc = cli_poller("load", optarg, &o.poller)) != 0)
				return rc;
			break;
		case 'j': json = 1; break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("load", c, argv);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("load", optind == argc ? "missing ENDPOINT" : "too many arguments");
	if ((rc = cli_endpoint("load", argv[optind], ENDPOINT_CLIENT, &ep)) != 0)
		return rc;
	if (!transport_keeps_boundaries(ep.t) && o.size_min == 0)
		o.size_min = 1; /* on a stream an empty message sends nothing, and nothing comes back */
	if (o.size_max == 0 && o.size_min > 0)
		return cli_usage_error("load", "--size 0 sends nothing on a stream");
	size_t most = !transport_keeps_boundaries(ep.t) ? MAX_SIZE : transport_has_socket_file(ep.t) ? ENGINE_MESSAGE_MAX
													: IO_UDP4_MAX;
	if (o.size_max > most)
		return cli_usage_error("load", "--size: a message of %zu bytes is too long for %s: the most is %zu (%s)",
				       o.size_max, ep.t->scheme, most,
				       transport_has_socket_file(ep.t) ? "socklab's echo server reads no more in one message"
								       : "a UDP datagram carries no more");
	if ((unsigned long long)o.clients * o.window > MAX_IN_FLIGHT)
		return cli_usage_error("load", "--clients %u x --window %u is %llu messages in flight; the most is %u", o.clients,
				       o.window, (unsigned long long)o.clients * o.window, MAX_IN_FLIGHT);
	if ((rc = raise_fd_limit(o.clients)) != 0)
		return rc;
	if (load_run(&ep, &o, &r) < 0)
		return cli_error("load", errno, NULL, "run %u clients", o.clients);
	int ok = passed(&ep, &r);
	if (r.connected == o.clients && json)
		print_json(argv[optind], &ep, &o, &r, ok);
	else if (r.connected == o.clients)
		print_text(&o, &r);
	if (fflush(stdout) != 0)
		return cli_error("load", errno, NULL, "write standard output");
	return ok ? 0 : explain(argv[optind], &ep, &o, &r);
}
