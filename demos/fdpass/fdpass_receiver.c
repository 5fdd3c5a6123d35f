/* fdpass_receiver.c - the other process of socklab fdpass: it takes a descriptor it never opened, and reads a file through it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/errors.h"
#include "core/sys/sys.h"
#include "demos/cli.h"
#include "fdpass.h"

/* The most of the file the receiver reads and shows. */
#define READ_MAX 4096
#define SHOW_MAX 60

/* Waits for s to be readable, at most PEERPROC_WAIT_MS; prints why not and exits otherwise. */
static void wait_for(struct peerproc *pp, struct sock *s, const char *what)
{
	int r = sys_wait(s->fd, 0, PEERPROC_WAIT_MS);
	if (r > 0)
		return;
	cli_error("fdpass", r == 0 ? ETIMEDOUT : errno, NULL, "receiver: wait for %s", what);
	peerproc_exit(pp, 1);
}

/* Reads the file through the descriptor that came, and shows its first line: the proof it is the same file. */
static void read_through(int fd)
{
	static char buf[READ_MAX];
	ssize_t n;

	do
		n = read(fd, buf, sizeof buf);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		printf("receiver (pid %ld): read(%d) = -1 %s (%s)\n", (long)getpid(), fd, errno_name(errno), errno_text(errno));
		return;
	}
	size_t line = strcspn(buf, "\n");
	line = line < (size_t)n ? line : (size_t)n;
	size_t show = line < SHOW_MAX ? line : SHOW_MAX;
	for (size_t i = 0; i < show; i++)
		if ((unsigned char)buf[i] < ' ' || (unsigned char)buf[i] > '~')
			buf[i] = '.';
	printf("receiver (pid %ld): read(%d) = %zd bytes through it: \"%.*s\"%s\n", (long)getpid(), fd, n, (int)show, buf,
	       show < line || (size_t)n > line + 1 ? " ..." : "");
}

/* Prints what one receive brought: the byte, and the descriptor or its absence. */
static int report(ssize_t n, const struct sys_ctl *ctl)
{
	long me = (long)getpid();

	if (ctl->nfds == 0) {
		printf("receiver (pid %ld): recvmsg() = %zd byte%s, and no descriptor came with %s\n", me, n, n == 1 ? "" : "s",
		       n == 1 ? "it" : "them");
		return FDPASS_NO_DESCRIPTOR;
	}
	printf("receiver (pid %ld): recvmsg() = %zd byte%s, SCM_RIGHTS [%d]: new to this process%s\n", me, n,
	       n == 1 ? "" : "s", ctl->fds[0], ctl->closed ? "" : ", close-on-exec");
	if (ctl->closed)
		printf("receiver (pid %ld): %zu more came and were closed: this receiver takes one\n", me, ctl->closed);
	read_through(ctl->fds[0]);
	return 0;
}

void fdpass_receive(struct peerproc *pp, const char *text, const struct endpoint *ep)
{
	char bound[ENDPOINT_FORMAT_MAX], buf[64];
	struct sock srv, conn;
	struct sys_ctl ctl;
	int code = 1;

	sock_init(&srv), sock_init(&conn);
	if (cli_listen("fdpass", text, ep, &srv) != 0)
		peerproc_exit(pp, 1);
	printf("receiver (pid %ld): listening on %s\n", (long)getpid(), cli_bound_endpoint(&srv, bound, sizeof bound));
	if (peerproc_ready(pp, bound) < 0)
		goto out;
	struct sock *rx = &srv;
	if (sock_is_connected(&srv)) {
		wait_for(pp, &srv, "the sender to connect");
		if (sock_accept(&srv, &conn) < 0) {
			cli_error("fdpass", errno, "accept", "receiver: accept on %s", bound);
			goto out;
		}
		rx = &conn;
	}
	wait_for(pp, rx, "the message");
	ssize_t n = sock_recv_ctl(rx, buf, sizeof buf, NULL, 1, &ctl);
	if (n < 0) {
		cli_error("fdpass", errno, "recv", "receiver: recvmsg on %s", bound);
		goto out;
	}
	if (peerproc_wait_turn(pp) < 0) {
		cli_error("fdpass", errno, NULL, "receiver: wait for the sender");
		sys_ctl_close(&ctl);
		goto out;
	}
	code = n == 0 && sock_is_connected(rx) && ctl.nfds == 0 ? 1 : report(n, &ctl);
	if (code == 1)
		fprintf(stderr, "socklab: fdpass: receiver: the connection ended before a message came\n");
	sys_ctl_close(&ctl);
out:
	sock_close(&conn);
	sock_close(&srv); /* removes the socket file */
	peerproc_exit(pp, code);
}
