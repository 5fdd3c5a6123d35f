/* creds.c - socklab creds ENDPOINT: who is at the other end, as the kernel tells a server (SO_PEERCRED, SO_PEERPIDFD, SCM_CREDENTIALS). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/errors.h"
#include "core/sys/sys.h"
#include "demos/cli.h"
#include "demos/peerproc.h"

/* The command as data: --help, the options it parses, the man page and the completions come from it. */
int creds_main(int argc, char **argv);

static const struct cli_option options[] = {
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Who is at the other end of a unix stream, and what a TCP server can know instead:",
	  "socklab creds unix:/tmp/creds.sock\nsocklab creds tcp://127.0.0.1:0" },
	{ NULL, NULL },
};

const struct command creds_command = {
	.name = "creds",
	.summary = "who is at the other end of a unix socket: SO_PEERCRED, SO_PEERPIDFD, SCM_CREDENTIALS",
	.main = creds_main,
	.operands = { { "ENDPOINT", CLI_ENDPOINT, NULL } },
	.description = "A server at ENDPOINT (this process) and a client process that connects, hands its socket to a "
		       "child of its own, and exits; the child then sends \"hello\". The server asks the kernel who is at "
		       "the other end: SO_PEERCRED (who connected, fixed at connect()), SO_PEERPIDFD (a descriptor for "
		       "that process, Linux 6.5+), and SCM_CREDENTIALS on the message, which SO_PASSCRED asks for (who "
		       "sent it). Only unix sockets know their peer's process: over tcp:// and udp:// creds shows what "
		       "the kernel answers instead, and fails (exit 1).",
	.options = options,
	.examples = examples,
};

/* "-1 ENODATA (no data available)", for a call that failed. */
static const char *failure(int err, char *buf, size_t len)
{
	snprintf(buf, len, "-1 %s (%s)", errno_name(err), errno_text(err));
	return buf;
}

/* The grandchild: waits for the server's word, sends "hello" on the socket it inherited, and ends. */
static void send_hello(struct peerproc *pp, struct sock *cli)
{
	int code = peerproc_wait_turn(pp) == 0 && sock_send(cli, "hello", 5) == 5 ? 0 : 1;

	sock_close(cli);
	peerproc_exit(pp, code); /* closes the pipes it inherited too */
}

/* The client, in the child: dials, gives the socket to a child of its own, tells the server that child's pid, exits. */
static void client(struct peerproc *pp, struct sock *listener, const char *where)
{
	struct endpoint ep;
	struct sock cli;
	char line[32];

	sock_abandon(listener); /* this process's copies, its lock too: closed, never unlinked (the file is the server's) */
	sock_init(&cli);
	if (cli_endpoint("creds", where, ENDPOINT_CLIENT, &ep) != 0 || cli_dial("creds", where, &ep, &cli) != 0)
		peerproc_exit(pp, 1);
	fflush(stdout);
	pid_t kid = fork();
	if (kid == 0)
		send_hello(pp, &cli);
	if (kid < 0) {
		cli_error("creds", errno, NULL, "client: fork");
		peerproc_exit(pp, 1);
	}
	printf("client (pid %ld): %s; its child (pid %ld) has the socket now, and the client exits\n", (long)getpid(),
	       sock_is_connected(&cli) ? "connected" : "made a socket (no connection)", (long)kid);
	snprintf(line, sizeof line, "%ld", (long)kid);
	peerproc_ready(pp, line);
	sys_close(cli.fd); /* the child holds the socket, and its name if it has one */
	peerproc_exit(pp, 0);
}

/* SO_PEERCRED: who the kernel says connected. Returns 1 when it named a process. */
static int show_peercred(struct sock *s, pid_t client_pid)
{
	struct sys_cred c;
	char r[96];

	if (sock_peer_cred(s, &c) < 0) {
		printf("server: SO_PEERCRED = %s\n", failure(errno, r, sizeof r));
		return 0;
	}
	printf("server: SO_PEERCRED = pid %ld, uid %ld, gid %ld: ", c.pid, c.uid, c.gid);
	if (c.pid == 0)
		printf("no process: %s\n", sock_is_connected(s) ? "the kernel knows this peer by its address only"
							       : "a socket without a connection has no peer");
	else if (c.pid == (long)client_pid)
		printf("the client, fixed at connect(); it has exited since\n");
	else
		printf("pid %ld, not the client (%ld)\n", c.pid, (long)client_pid);
	return c.pid != 0;
}

/* What SO_PEERPIDFD's failure means, after its errno. */
static const char *pidfd_why(int err)
{
	if (err == ENOPROTOOPT)
		return ": this kernel has no SO_PEERPIDFD (Linux 6.5 added it)";
	if (err == EOPNOTSUPP)
		return ": socklab was built without SO_PEERPIDFD on this system";
#ifdef ENODATA
	if (err == ENODATA)
		return ": no peer process";
#endif
	return "";
}

/* SO_PEERPIDFD: a descriptor for the process that connected; poll(2) says whether it has exited. */
static void show_pidfd(struct sock *s)
{
	char r[96];
	int pidfd = sys_peerpidfd(s->fd);

	if (pidfd < 0) {
		int err = errno;
		printf("server: SO_PEERPIDFD = %s%s\n", failure(err, r, sizeof r), pidfd_why(err));
		return;
	}
	int exited = sys_wait(pidfd, 0, 0) == 1; /* a pidfd is readable once its process has exited */
	long pid = sys_pidfd_pid(pidfd);
	printf("server: SO_PEERPIDFD = pidfd %d: %s", pidfd, exited ? "readable, so that process has exited" : "that process runs");
	if (pid > 0)
		printf(" (pid %ld)", pid);
	printf(" (a pidfd never names another)\n");
	sys_close(pidfd);
}

/* The message, and the credentials the kernel attached to it. Returns 1 when they came. */
static int show_message(struct sock *s, long sender)
{
	struct sys_ctl ctl;
	char buf[16], r[96];

	int w = sys_wait(s->fd, 0, PEERPROC_WAIT_MS);
	ssize_t n = w > 0 ? sock_recv_ctl(s, buf, sizeof buf, NULL, 0, &ctl) : -1;
	if (n < 0) {
		printf("server: recvmsg() = %s\n", failure(w == 0 ? SL_ETIMEDOUT_REPLY : errno, r, sizeof r));
		return 0;
	}
	for (ssize_t i = 0; i < n; i++) /* a peer's bytes: never raw on a terminal */
		buf[i] = buf[i] >= ' ' && buf[i] <= '~' ? buf[i] : '.';
	printf("server: \"%.*s\" came", (int)n, buf);
	if (!ctl.has_cred) {
		printf(" with no SCM_CREDENTIALS\n");
		return 0;
	}
	printf(" with SCM_CREDENTIALS pid %ld, uid %ld, gid %ld: %s\n", ctl.cred.pid, ctl.cred.uid, ctl.cred.gid,
	       ctl.cred.pid == sender ? "the child, which sent it" : "not the child?");
	return 1;
}

/* The server's side, once the client process runs. Returns the exit code. */
static int serve(struct peerproc *pp, struct sock *srv)
{
	struct sock acc, *rx = srv;
	char line[32], r[96];
	int rc = EXIT_RUNTIME;

	sock_init(&acc);
	if (sock_is_connected(srv)) {
		int w = sys_wait(srv->fd, 0, PEERPROC_WAIT_MS);
		if (w == 0)
			errno = ETIMEDOUT; /* the client never connected: it said why, or hangs */
		if (w <= 0 || sock_accept(srv, &acc) < 0)
			return cli_error("creds", errno, "accept", "accept the client");
		rx = &acc;
	}
	if (peerproc_wait_ready(pp, line, sizeof line) < 0) {
		rc = errno == ECHILD ? EXIT_RUNTIME : cli_error("creds", errno, NULL, "wait for the client");
		goto out;
	}
	peerproc_reap(pp); /* the client has exited: what does the kernel say about it now? */
	int named = show_peercred(rx, pp->pid);
	show_pidfd(rx);
	/* Asked before the message is sent: the kernel attaches credentials as it queues a message. */
	if (sys_set_passcred(rx->fd, 1) < 0)
		printf("server: setsockopt(SO_PASSCRED) = %s\n", failure(errno, r, sizeof r));
	if (peerproc_give_turn(pp) < 0) {
		rc = cli_error("creds", errno, NULL, "let the client's child send");
		goto out;
	}
	int credited = show_message(rx, strtol(line, NULL, 10));
	if (named || credited)
		rc = 0;
	else
		fprintf(stderr, "socklab: creds: %s cannot say who the peer is: only unix sockets know their peer's process\n",
			srv->t->scheme);
out:
	sock_close(&acc);
	return rc;
}

int creds_main(int argc, char **argv)
{
	char bound[ENDPOINT_FORMAT_MAX];
	struct endpoint ep;
	struct peerproc pp;
	struct sock srv;
	int c, rc;

	/* Each line goes out whole and at once: in order with standard error, and with the other process's lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = cli_next_option(&creds_command, argc, argv)) != -1) {
		if (c != 'h')
			return cli_bad_option("creds", c, argv);
		return cli_help(&creds_command);
	}
	if (optind == argc)
		return cli_usage_error("creds", "missing ENDPOINT, where the server listens");
	if (argc - optind > 1)
		return cli_usage_error("creds", "unexpected argument '%.40s'", argv[optind + 1]);
	sock_init(&srv);
	if ((rc = cli_endpoint("creds", argv[optind], ENDPOINT_SERVER, &ep)) != 0)
		return rc;
	/* Its descriptor is one end of a socketpair whose other end is this process's own thread (rdt_sock.h). */
	if (transport_in_user_space(ep.t))
		return cli_usage_error("creds", "%s is socklab's own protocol over UDP datagrams: only a unix socket says "
				       "who the peer process is", ep.t->scheme);
	if ((rc = cli_listen("creds", argv[optind], &ep, &srv)) != 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	printf("server (pid %ld): listening on %s\n", (long)getpid(), cli_bound_endpoint(&srv, bound, sizeof bound));
	int parent = peerproc_start(&pp);
	if (parent == 0)
		client(&pp, &srv, bound);
	if (parent < 0)
		rc = cli_error("creds", errno, NULL, "start the client's process");
	else
		rc = serve(&pp, &srv);
	if (parent > 0) {
		if (rc != 0)
			kill(pp.pid, SIGTERM);
		peerproc_finish(&pp);
	}
	sock_close(&srv);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error("creds", errno, NULL, "write standard output");
	return rc;
}
