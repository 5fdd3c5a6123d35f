/* transfer_recv.c - socklab recv: listen, take in one transfer, write it out, and report exactly what arrived. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "transfer_proto.h"
#include "demos/cli.h"
#include "transfer_cli.h"
#include "transfer_file.h"

static const char usage[] =
	"usage: socklab recv [--timeout SECONDS] [--rcvbuf BYTES] [--slow MS] [--mode MODE] ENDPOINT [FILE]\n"
	"Listens on ENDPOINT, takes in one transfer from 'socklab send' (over tcp and unix, from\n"
	"anything that sends bytes: nc, socat...), writes it to FILE or standard output, and\n"
	"reports on standard error: bytes, recv() calls or messages, the data's cksum and, over\n"
	"datagrams, how many were lost, reordered or duplicated. Prints 'listening on ENDPOINT'\n"
	"once bound: on standard output with a FILE, else on standard error. Exits 0 when all\n"
	"the data arrived.\n\n"
	"FILE is written beside itself and takes its place only when all the data arrived: a\n"
	"failure never destroys it (a FILE that was not there gets what arrived). Over a stream,\n"
	"'socklab send' marks the end of its data, so that recv can tell a whole transfer from\n"
	"one cut short; from nc or socat it cannot, and says so.\n\n"
	"  --timeout SECONDS  message transports: give up once the sender is quiet this long\n"
	"                     (default 10, more than 0)\n"
	"  --rcvbuf BYTES     the socket's receive buffer (SO_RCVBUF), e.g. 4K: a small one fills sooner\n"
	"  --slow MS          pause MS milliseconds after each message, as a slow reader would\n"
	"  --mode MODE        unix socket files: the file's mode, in octal (666: every user)\n"
	"  --trace            narrate every socket call on standard error\n";

/*
 * SIGINT, SIGTERM and SIGHUP: the socket calls restart after a signal, so the handler
 * wakes them instead with shutdown(2), which is async-signal-safe: a blocked
 * accept() or recv() returns, and recv closes its socket (removing the socket
 * file) on the normal path.
 */
static volatile sig_atomic_t stopping, listen_fd = -1, conn_fd = -1;

static void stop(void *ctx)
{
	(void)ctx;
	stopping = 1;
	if (conn_fd >= 0)
		shutdown(conn_fd, SHUT_RDWR);
	if (listen_fd >= 0)
		shutdown(listen_fd, SHUT_RDWR);
}

/* Receives the one transfer on the bound (and listening) socket ls. */
static int serve(struct sock *ls, const char *where, struct recv_msgs_options *io)
{
	struct sock conn, *s = ls;
	int rc;

	sock_init(&conn);
	if (sock_is_connected(ls)) {
		if (sock_accept(ls, &conn) < 0)
			return stopping ? 0 : cli_error("recv", errno, "accept", "accept a sender on %s", where);
		conn_fd = conn.fd;
		s = &conn;
	}
	if (stopping) {
		rc = 0;
	} else if (!sock_keeps_boundaries(s)) {
		*io->served = 1;
		rc = transfer_recv_stream(s, io);
	} else {
		rc = transfer_recv_msgs(s, io);
	}
	conn_fd = -1;
	sock_close(&conn);
	return rc;
}

int recv_main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "timeout", required_argument, NULL, 'w' }, { "rcvbuf", required_argument, NULL, 'b' },
		{ "slow", required_argument, NULL, 's' },    { "mode", required_argument, NULL, 'm' },
		{ "trace", no_argument, NULL, 't' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct progress pg = { 0 };
	struct recv_msgs_options io = { .out = STDOUT_FILENO, .timeout_ms = TRANSFER_DEFAULT_TIMEOUT_MS, .progress = &pg };
	struct endpoint ep;
	struct sock ls;
	char bound[ENDPOINT_FORMAT_MAX];
	unsigned long long rcvbuf = 0, slow = 0;
	int opt, rc, mode = -1;

	while ((opt = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (opt) {
		case 'w':
			if ((rc = cli_duration("recv", "--timeout", optarg, &io.timeout_ms)) != 0)
				return rc;
			break;
		case 'b':
			if (cli_size(optarg, 1, 1 << 30, &rcvbuf) < 0)
				return cli_usage_error("recv", "--rcvbuf takes a size in bytes such as 4K, not '%.20s'", optarg);
			break;
		case 's':
			if (cli_number(optarg, 0, 10000, &slow) < 0)
				return cli_usage_error("recv", "--slow takes milliseconds (at most 10000), not '%.20s'", optarg);
			break;
		case 'm':
			if ((rc = cli_mode("recv", optarg, &mode)) != 0)
				return rc;
			break;
		case 't': cli_trace_on(); break;
		case 'h': fputs(usage, stdout); return 0;
		default: return cli_bad_option("recv", opt, argv);
		}
	}
	io.slow_ms = (int)slow;
	io.stopping = &stopping;
	if (optind == argc || argc - optind > 2)
		return cli_usage_error("recv", optind == argc ? "missing ENDPOINT" : "too many arguments");
	io.where = argv[optind];
	if ((rc = cli_endpoint("recv", io.where, ENDPOINT_SERVER, &ep)) != 0)
		return rc;
	const char *file = argv[optind + 1];
	struct out_file of;
	int served = 0;
	cli_hold_signals(); /* until the handlers that remove the socket file and the temporary file are in place */
	if ((rc = out_file_open(&of, file)) != 0)
		return rc;
	if ((rc = cli_listen_mode("recv", io.where, &ep, mode, &ls)) != 0)
		goto out;
	if (rcvbuf && sys_setsockopt_int(ls.fd, SOL_SOCKET, SO_RCVBUF, "SO_RCVBUF", (int)rcvbuf) < 0) {
		rc = cli_error("recv", errno, NULL, "set SO_RCVBUF to %llu", rcvbuf);
		goto close;
	}
	/* Measured in socklab contrast, scenario 7: AF_UNIX queues past the reader's SO_RCVBUF. */
	if (rcvbuf && transport_has_socket_file(ep.t))
		fprintf(stderr, "recv: --rcvbuf has no effect here: a unix socket charges what waits for the reader to the "
				"sender's SO_SNDBUF%s\n",
			transport_is_connected(ep.t) ? "" : ", and holds at most net.unix.max_dgram_qlen datagrams");
	listen_fd = ls.fd;
	if (cli_on_stop(stop, NULL) < 0) {
		rc = cli_error("recv", errno, NULL, "handle SIGINT, SIGTERM and SIGHUP");
		goto close;
	}
	if ((rc = out_file_ready(&of)) != 0) /* FILE opened in place (a device...) only now the socket is ready */
		goto close;
	io.out = of.fd;
	io.served = &served;
	/* Standard output may be the data itself: then the line goes to standard error. */
	fprintf(of.path ? stdout : stderr, "listening on %s\n", cli_bound_endpoint(&ls, bound, sizeof bound));
	fflush(stdout);
	rc = serve(&ls, io.where, &io);
	cli_on_stop_end();
	listen_fd = -1;
close:
	sock_close(&ls); /* removes the socket file, if recv made one */
out:
	rc = out_file_close(&of, rc, served ? 1 : -1); /* FILE replaced only by a whole transfer */
	return rc;
}
