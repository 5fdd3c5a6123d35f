/* socketpair.c - socklab socketpair [TRANSPORT]: two sockets born connected, with no name, shared by a parent and its child. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"
#include "demos/cli.h"
#include "demos/peerproc.h"

/* The command as data: --help, the options it parses, the man page and the completions come from it. */
int socketpair_main(int argc, char **argv);

static const struct cli_option options[] = {
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "A connected pair of unix datagram sockets shared with a child, then the kernel refusing a TCP pair:",
	  "socklab socketpair unixgram\nsocklab socketpair tcp" },
	{ NULL, NULL },
};

const struct command socketpair_command = {
	.name = "socketpair",
	.summary = "two sockets born connected, with no name, for a parent and its child",
	.main = socketpair_main,
	.operands = { { "[TRANSPORT]", CLI_ONE, &cli_schemes } },
	.description = "socketpair(2) makes two sockets already connected to each other, in one call, with no name: "
		       "nobody else can connect or send to them, and no file is left behind. A process keeps one end and "
		       "gives the other to its child across fork(), as a shell gives a pipe. TRANSPORT is unix (default), "
		       "unixgram or unixpacket; tcp and udp show the kernel refusing: an inet socket is reached through an "
		       "address and a port (exit 1).",
	.options = options,
	.examples = examples,
};

/* "(unbound)", or the name the kernel gives for fd. */
static const char *name_of(int fd, char *buf, size_t len)
{
	struct addr a;

	if (sys_getsockname(fd, &a) < 0)
		snprintf(buf, len, "-1 %s", errno_name(errno));
	else
		addr_format(&a, buf, len);
	return buf;
}

/* n bytes of buf, made printable: what came from a socket never reaches a terminal raw. */
static const char *printable(char *buf, ssize_t n)
{
	for (ssize_t i = 0; i < n; i++)
		buf[i] = buf[i] >= ' ' && buf[i] <= '~' ? buf[i] : '.';
	return buf;
}

/* The child's side: one message in, one answer out, on the end it kept. */
static void child(struct peerproc *pp, int end)
{
	char buf[64];

	int w = sys_wait(end, 0, PEERPROC_WAIT_MS);
	ssize_t n = w > 0 ? sys_recv(end, buf, sizeof buf, 0) : -1;
	if (n < 0) {
		cli_error("socketpair", w == 0 ? SL_ETIMEDOUT_REPLY : errno, "recv", "child: recv");
		peerproc_exit(pp, 1);
	}
	printf("child  (pid %ld): recv(%d) = %zd bytes: \"%.*s\"\n", (long)getpid(), end, n, (int)n, printable(buf, n));
	fflush(stdout); /* before the answer, so that the parent's next line comes after this one */
	int code = sys_send(end, "hello, parent", 13) == 13 ? 0 : cli_error("socketpair", errno, "send", "child: send");
	sys_close(end);
	peerproc_exit(pp, code);
}

/* The parent's side: a message to the child, and its answer. */
static int parent(int end)
{
	char buf[64];

	fflush(stdout); /* what the parent said so far comes before the child's line */
	if (sys_send(end, "hello, child", 12) != 12)
		return cli_error("socketpair", errno, "send", "parent: send");
	int w = sys_wait(end, 0, PEERPROC_WAIT_MS);
	ssize_t n = w > 0 ? sys_recv(end, buf, sizeof buf, 0) : -1;
	if (n < 0)
		return cli_error("socketpair", w == 0 ? SL_ETIMEDOUT_REPLY : errno, "recv", "parent: recv");
	printf("parent (pid %ld): recv(%d) = %zd bytes: \"%.*s\"\n", (long)getpid(), end, n, (int)n, printable(buf, n));
	return 0;
}

/* What the pair is before anyone talks: no names, and the kernel says who made it. */
static void describe(const int sv[2])
{
	char a[ADDR_TEXT_MAX], b[ADDR_TEXT_MAX];
	struct sys_cred c;

	name_of(sv[0], a, sizeof a);
	name_of(sv[1], b, sizeof b);
	printf("getsockname: %s and %s: no name, nobody else can reach them, no file to remove\n", a, b);
	if (sys_peercred(sv[1], &c) == 0)
		printf("SO_PEERCRED of %d: pid %ld%s: the kernel records the process that made the pair\n", sv[1], c.pid,
		       c.pid == (long)getpid() ? ", this process" : "");
}

int socketpair_main(int argc, char **argv)
{
	const char *scheme = "unix";
	struct peerproc pp;
	int c, sv[2];

	/* Each line goes out whole and at once: in order with standard error, and with the other process's lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = cli_next_option(&socketpair_command, argc, argv)) != -1) {
		if (c != 'h')
			return cli_bad_option("socketpair", c, argv);
		return cli_help(&socketpair_command);
	}
	if (argc - optind > 1)
		return cli_usage_error("socketpair", "unexpected argument '%.40s'", argv[optind + 1]);
	if (optind < argc)
		scheme = argv[optind];
	const struct transport *t = transport_find(scheme, strlen(scheme));
	if (!t)
		return cli_usage_error("socketpair", "unknown transport '%.40s' (a scheme: unix, unixgram, unixpacket, tcp, udp)",
				       scheme);
	if (transport_in_user_space(t)) /* no socket of the kernel's to pair: its type is what rdt hands the application */
		return cli_usage_error("socketpair", "%s is socklab's own protocol, not a socket type of the kernel's: "
				       "socketpair() makes pairs of unix sockets only", t->scheme);
	int domain = t->domain == AF_UNSPEC ? AF_INET : t->domain; /* inet: IPv4 asks as well as IPv6 would */
	if (sys_socketpair(domain, t->type, sv) < 0) {
		int err = errno;
		printf("socketpair(%s, %s) = -1 %s (%s)\n", trace_family_name(domain), trace_type_name(t->type), errno_name(err),
		       errno_text(err));
		fflush(stdout);
		fprintf(stderr, "socklab: socketpair: the kernel makes pairs of unix sockets only: a %s socket is reached "
				"through an address and a port\n", t->scheme);
		return EXIT_RUNTIME;
	}
	printf("socketpair(%s, %s) = [%d %d]: two sockets, connected to each other already\n", trace_family_name(domain),
	       trace_type_name(t->type), sv[0], sv[1]);
	describe(sv);
	signal(SIGPIPE, SIG_IGN);
	int forked = peerproc_start(&pp);
	if (forked == 0) {
		sys_close(sv[0]);
		child(&pp, sv[1]);
	}
	int rc = 0;
	if (forked < 0) {
		rc = cli_error("socketpair", errno, NULL, "fork the child");
	} else {
		sys_close(sv[1]);
		printf("parent (pid %ld) keeps %d; its child (pid %ld) has %d, inherited across fork()\n", (long)getpid(), sv[0],
		       (long)pp.pid, sv[1]);
		sv[1] = -1;
		rc = parent(sv[0]);
		int code = peerproc_finish(&pp);
		if (rc == 0 && code != 0)
			rc = EXIT_RUNTIME; /* the child said why */
	}
	sys_close(sv[0]);
	if (sv[1] >= 0)
		sys_close(sv[1]);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error("socketpair", errno, NULL, "write standard output");
	return rc;
}
