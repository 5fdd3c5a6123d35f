/* fdpass.c - socklab fdpass ENDPOINT [FILE]: send an open file's descriptor to another process, which reads the file through it. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/errors.h"
#include "demos/cli.h"
#include "fdpass.h"

/* The command as data: --help, the options it parses, the man page and the completions come from it. */
int fdpass_main(int argc, char **argv);

static const struct cli_option options[] = {
	CLI_OPTION_HELP,
	CLI_OPTIONS_END,
};

static const struct cli_example examples[] = {
	{ "Pass a file nobody else can name, then /etc/hostname, and see the control data:",
	  "socklab fdpass unix:/tmp/fdpass.sock\nsocklab --trace fdpass unixpacket:/tmp/fdpass.sock /etc/hostname" },
	{ NULL, NULL },
};

const struct command fdpass_command = {
	.name = "fdpass",
	.summary = "send an open file's descriptor to another process over a unix socket",
	.main = fdpass_main,
	.operands = { { "ENDPOINT", CLI_ENDPOINT, NULL }, { "[FILE]", CLI_FILE, NULL } },
	.description = "Opens FILE (default: a new file with one line, whose name is removed at once, so that only a "
		       "descriptor leads to it) and sends its open descriptor over ENDPOINT in one sendmsg(SCM_RIGHTS) to "
		       "a receiver in another process, which reads the file through it. Both then share one open file, "
		       "offset and all. unix:, unixgram: and unixpacket: carry descriptors; over tcp:// and udp:// the "
		       "kernel sends the byte and drops the descriptor without an error, and fdpass says so and fails "
		       "(exit 1). Add --trace before the command to see the control data: `socklab --trace fdpass ...`",
	.options = options,
	.examples = examples,
};

/* A file only a descriptor leads to: made in a private directory, written, and its name removed. */
static int open_nameless(void)
{
	char dir[] = "/tmp/socklab-fdpass.XXXXXX", path[64], line[96];

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof path, "%s/note.txt", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int saved = errno;
	if (fd >= 0) {
		int n = snprintf(line, sizeof line, "written by pid %ld, whose name for this file is gone\n", (long)getpid());
		if (write(fd, line, (size_t)n) != n || lseek(fd, 0, SEEK_SET) != 0) {
			saved = errno ? errno : EIO;
			close(fd);
			fd = -1;
		}
		unlink(path);
	}
	rmdir(dir);
	errno = saved;
	return fd;
}

/* The sender's side, once the receiver listens at where: dial, send the descriptor, let the receiver speak. */
static int send_it(struct peerproc *pp, const char *where, int file)
{
	struct endpoint ep;
	struct sock cli;
	char r[96];
	long me = (long)getpid();
	int rc;

	sock_init(&cli);
	if ((rc = cli_endpoint("fdpass", where, ENDPOINT_CLIENT, &ep)) != 0 || (rc = cli_dial("fdpass", where, &ep, &cli)) != 0)
		return rc;
	/* One byte of data: on a stream, a descriptor sent with none is lost (socklab pitfalls fds-zero-bytes). */
	ssize_t n = sock_send_fds(&cli, "x", 1, &file, 1);
	int err = errno;
	if (n >= 0)
		snprintf(r, sizeof r, "%zd", n);
	else
		snprintf(r, sizeof r, "-1 %s (%s)", errno_name(err), errno_text(err));
	printf("sender   (pid %ld): sendmsg(1 byte, SCM_RIGHTS [%d]) = %s\n", me, file, r);
	sock_close(&cli);
	if (n < 0)
		return cli_error("fdpass", err, "send", "sender: sendmsg over %s", where);
	return peerproc_give_turn(pp) < 0 ? cli_error("fdpass", errno, NULL, "sender: let the receiver go on") : 0;
}

/* What the receiver's exit code means, said by the sender, who holds the file too. */
static int conclude(int code, const char *scheme, int file)
{
	if (code == 0) {
		printf("sender   (pid %ld): its descriptor %d is at offset %lld now: one open file, shared by two processes\n",
		       (long)getpid(), file, (long long)lseek(file, 0, SEEK_CUR));
		return 0;
	}
	if (code == FDPASS_NO_DESCRIPTOR) {
		fprintf(stderr, "socklab: fdpass: %s carried the byte but not the descriptor: Linux ignores SCM_RIGHTS on inet "
				"sockets, silently (only unix sockets carry descriptors)\n", scheme);
		return EXIT_RUNTIME;
	}
	if (code != 1) /* the receiver said why when it chose 1 */
		fprintf(stderr, "socklab: fdpass: the receiver ended with %d\n", code);
	return EXIT_RUNTIME;
}

int fdpass_main(int argc, char **argv)
{
	struct endpoint ep;
	struct peerproc pp;
	char where[ENDPOINT_FORMAT_MAX];
	int c, rc;

	/* Each line goes out whole and at once: in order with standard error, and with the other process's lines. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = cli_next_option(&fdpass_command, argc, argv)) != -1) {
		if (c != 'h')
			return cli_bad_option("fdpass", c, argv);
		return cli_help(&fdpass_command);
	}
	if (optind == argc)
		return cli_usage_error("fdpass", "missing ENDPOINT, where the receiver listens");
	if (argc - optind > 2)
		return cli_usage_error("fdpass", "unexpected argument '%.40s'", argv[optind + 2]);
	if ((rc = cli_endpoint("fdpass", argv[optind], ENDPOINT_SERVER, &ep)) != 0)
		return rc;
	if (transport_in_user_space(ep.t)) /* its messages cross a socketpair to socklab's thread, then UDP */
		return cli_usage_error("fdpass", "%s is socklab's own protocol over UDP datagrams: descriptors travel only "
				       "over unix sockets", ep.t->scheme);
	if (ep.options[0]) /* sendmsg() goes to the kernel itself: the impairment layer would be bypassed, silently */
		return cli_usage_error("fdpass", "'?%.40s': the impairment options do not apply to sendmsg() with descriptors",
				       ep.options);
	const char *name = argc - optind == 2 ? argv[optind + 1] : NULL;
	int file = name ? open(name, O_RDONLY | O_CLOEXEC) : open_nameless();
	if (file < 0)
		return cli_error("fdpass", errno, "open", "open %s", name ? name : "a file in /tmp");
	signal(SIGPIPE, SIG_IGN);
	int parent = peerproc_start(&pp);
	if (parent < 0) {
		close(file);
		return cli_error("fdpass", errno, NULL, "start the receiver's process");
	}
	if (!parent) {
		close(file); /* the receiver gets it only through the socket */
		fdpass_receive(&pp, argv[optind], &ep);
	}
	if (peerproc_wait_ready(&pp, where, sizeof where) < 0) {
		rc = errno == ECHILD ? EXIT_RUNTIME : cli_error("fdpass", errno, NULL, "wait for the receiver");
	} else {
		if (name)
			printf("sender   (pid %ld): opened %s as descriptor %d\n", (long)getpid(), name, file);
		else
			printf("sender   (pid %ld): made a file, descriptor %d, and removed its name: only descriptors lead to it\n",
			       (long)getpid(), file);
		rc = send_it(&pp, where, file);
	}
	if (rc != 0)
		kill(pp.pid, SIGTERM); /* the receiver would wait for a message that is not coming */
	int code = peerproc_finish(&pp);
	if (rc == 0)
		rc = conclude(code, ep.t->scheme, file);
	close(file);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = cli_error("fdpass", errno, NULL, "write standard output");
	return rc;
}
