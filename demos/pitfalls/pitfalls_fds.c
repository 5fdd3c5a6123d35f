/* pitfalls_fds.c - descriptors passed wrong: a control buffer too small, none at all, a descriptor sent with no bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "core/sys/trace.h"
#include "demos/cli.h"
#include "pitfalls.h"

int fds_open_pair(struct fds_lab *lab, int type)
{
	lab->sv[0] = lab->sv[1] = lab->file = -1;
	if (sys_socketpair(AF_UNIX, type, lab->sv) < 0)
		return cli_error("pitfalls", errno, NULL, "socketpair(AF_UNIX, %s)", trace_type_name(type));
	lab->file = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (lab->file < 0) {
		int err = errno;
		fds_close_pair(lab);
		return cli_error("pitfalls", err, "open", "open /dev/null, the descriptor to send");
	}
	lab->before = sys_open_fds();
	return 0;
}

void fds_close_pair(struct fds_lab *lab)
{
	for (int i = 0; i < 2; i++)
		if (lab->sv[i] >= 0)
			sys_close(lab->sv[i]);
	if (lab->file >= 0)
		close(lab->file);
	lab->sv[0] = lab->sv[1] = lab->file = -1;
}

ssize_t fds_send(struct fds_lab *lab, const char *data, size_t n)
{
	int fds[3] = { lab->file, lab->file, lab->file };
	char r[96];

	ssize_t sent = sys_send_fds(lab->sv[0], data, strlen(data), fds, n, NULL);
	int err = errno;
	printf("sendmsg(\"%s\", SCM_RIGHTS with %zu descriptor%s) = %s\n", data, n, n == 1 ? "" : "s",
	       fds_result(sent, err, r, sizeof r));
	errno = err; /* the caller asks why it failed */
	return sent;
}

const char *fds_result(ssize_t r, int err, char *buf, size_t len)
{
	if (r >= 0)
		snprintf(buf, len, "%zd", r);
	else
		snprintf(buf, len, "-1 %s (%s)", errno_name(err), errno_text(err));
	return buf;
}

void fds_count_line(const struct fds_lab *lab, const char *then)
{
	int now = sys_open_fds();
	printf("descriptors open in this process: %d before, %d after%s\n", lab->before, now, then);
}

/*
 * One recvmsg(2) with a control buffer of room bytes (0: none), as code that did not size it writes it.
 * The descriptors that came go to fds (at most 8), their number to *got.
 */
static ssize_t naive_recv(struct fds_lab *lab, size_t room, int *flags, size_t *got, int fds[8])
{
	union {
		struct cmsghdr align;
		unsigned char bytes[256];
	} control;
	char buf[64];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = room ? control.bytes : NULL,
			    .msg_controllen = room };

	ssize_t n = sys_recvmsg(lab->sv[1], &m, MSG_DONTWAIT);
	*flags = n >= 0 ? m.msg_flags : 0;
	*got = 0;
	for (struct cmsghdr *c = n >= 0 && room ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			*got = k < 8 ? k : 8;
			memcpy(fds, CMSG_DATA(c), *got * sizeof(int));
		}
	return n;
}

/* The fix, for every lesson: the safe receive, and the count after it. */
static void safe_receive(struct fds_lab *lab, size_t keep)
{
	struct sys_ctl ctl;
	char buf[64];

	ssize_t n = sys_recv_ctl(lab->sv[1], buf, sizeof buf, MSG_DONTWAIT, NULL, keep, &ctl);
	printf("sys_recv_ctl(keep %zu) = %zd: %zu kept, %zu closed by socklab%s\n", keep, n, ctl.nfds, ctl.closed,
	       ctl.flags & MSG_CTRUNC ? " (MSG_CTRUNC)" : "");
	fds_count_line(lab, ": the one kept is open, and nothing else");
	sys_ctl_close(&ctl);
}

/* A control buffer of CMSG_SPACE(sizeof(int)), meant for one descriptor, and three come. */
int pitfall_fds_small_buffer(struct pair *p)
{
	struct fds_lab lab;
	size_t got;
	int flags, fds[8], rc;

	(void)p;
	if ((rc = fds_open_pair(&lab, SOCK_STREAM)) != 0)
		return rc;
	fds_send(&lab, "x", 3);
	size_t room = CMSG_SPACE(sizeof(int));
	ssize_t n = naive_recv(&lab, room, &flags, &got, fds);
	int installed = sys_open_fds() - lab.before;
	printf("recvmsg(control buffer of CMSG_SPACE(sizeof(int)) = %zu bytes) = %zd%s: %zu descriptor%s in it\n", room, n,
	       flags & MSG_CTRUNC ? ", MSG_CTRUNC" : "", got, got == 1 ? "" : "s");
	fds_count_line(&lab, "");
	printf("%d installed in this process, %d closed by the kernel, unseen\n", installed, 3 - installed);
	if (got > 1)
		printf("a buffer meant for one held %zu: CMSG_SPACE() rounds up for alignment, and the kernel fills what fits\n",
		       got);
	printf("code that ignores MSG_CTRUNC uses the first, leaks the rest, and never learns one was lost\n");
	for (size_t i = 0; i < got; i++)
		sys_close(fds[i]);
	fds_count_line(&lab, " (after closing what came)");
	printf("the fix: room for the most a message can carry, and everything closed when a message was cut:\n");
	fds_send(&lab, "x", 3);
	safe_receive(&lab, 1);
	fds_count_line(&lab, " (after closing it)");
	fds_close_pair(&lab);
	return 0;
}

/* No control buffer at all, as recv(2) and read(2) have none: the kernel closes every descriptor. */
int pitfall_fds_no_buffer(struct pair *p)
{
	struct fds_lab lab;
	size_t got;
	int flags, fds[8], rc;
	char buf[8];

	(void)p;
	if ((rc = fds_open_pair(&lab, SOCK_STREAM)) != 0)
		return rc;
	fds_send(&lab, "x", 3);
	ssize_t n = naive_recv(&lab, 0, &flags, &got, fds);
	printf("recvmsg(no control buffer) = %zd%s: the byte came, and %zu descriptors\n", n,
	       flags & MSG_CTRUNC ? ", MSG_CTRUNC" : "", got);
	int kept = sys_open_fds() - lab.before;
	fds_count_line(&lab, "");
	printf("%d installed, %d closed by the kernel: a receive without a control buffer never gets one\n", kept, 3 - kept);
	fds_send(&lab, "y", 3);
	n = sys_recv(lab.sv[1], buf, sizeof buf, MSG_DONTWAIT);
	printf("recv() = %zd: the same, and recv() has no flags to say so: a server that reads with recv() or read()\n"
	       "drops what a client passes, whoever sends it (socklab's servers too, safely: nothing leaks)\n", n);
	fds_count_line(&lab, "");
	/* A receiver that never wants a descriptor can say so to the kernel, which then refuses them at the sender. */
	char r[96];
	int off = sys_set_passrights(lab.sv[1], 0), err = errno;
	printf("setsockopt(SO_PASSRIGHTS, 0) on the reader = %s%s\n", fds_result(off, err, r, sizeof r),
	       off == 0 ? "" : err == ENOPROTOOPT ? ": this kernel has no SO_PASSRIGHTS (Linux 6.16 added it)" : "");
	if (off == 0 && fds_send(&lab, "z", 3) < 0 && errno == EPERM)
		printf("the kernel refused the descriptors at the sender: nothing reached the reader to close\n");
	fds_close_pair(&lab);
	return 0;
}

/* One type of socket: a descriptor sent with no bytes at all, and what the reader finds. */
static void zero_bytes_on(int type)
{
	struct fds_lab lab;
	size_t got = 0;
	int flags = 0, fds[8];
	char r[96];

	if (fds_open_pair(&lab, type) != 0)
		return;
	printf("%s: ", trace_type_name(type));
	fds_send(&lab, "", 1);
	ssize_t n = naive_recv(&lab, 64, &flags, &got, fds);
	int err = errno;
	printf("  recvmsg() = %s, %zu descriptor%s: %s\n", fds_result(n, err, r, sizeof r), got, got == 1 ? "" : "s",
	       got ? "delivered, with an empty message" : n < 0 && err == EAGAIN ? "nothing to read: lost" : "lost");
	printf("  ");
	fds_count_line(&lab, got ? " (then it is closed)" : "");
	for (size_t i = 0; i < got; i++)
		sys_close(fds[i]);
	fds_close_pair(&lab);
}

/* A descriptor with zero bytes of data: a stream has nothing to carry it; a message can be empty. */
int pitfall_fds_zero_bytes(struct pair *p)
{
	(void)p;
	zero_bytes_on(SOCK_STREAM);
	zero_bytes_on(SOCK_SEQPACKET);
	zero_bytes_on(SOCK_DGRAM);
	printf("a stream carries descriptors with bytes: sent with none, nothing is queued, and the kernel drops\n"
	       "the descriptor without an error; a seqpacket or datagram message may be empty, and carries it.\n"
	       "the fix: always send at least one byte with a descriptor (socklab fdpass sends one)\n");
	return 0;
}
