/* pitfalls_fdlimits.c - descriptors at the edges: SCM_MAX_FD, the barrier a descriptor puts in a stream, and exec(). */
#ifdef __linux__
#define _GNU_SOURCE /* MSG_CMSG_CLOEXEC */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "demos/cli.h"
#include "pitfalls.h"

/* 253 descriptors in one message, then 254. */
int pitfall_fds_too_many(struct pair *p)
{
	static int fds[SYS_FDS_MAX + 1];
	static struct sys_ctl ctl;
	struct fds_lab lab;
	struct utsname u;
	char r[96];
	int rc;

	(void)p;
	if ((rc = fds_open_pair(&lab, SOCK_DGRAM)) != 0)
		return rc;
	if (uname(&u) == 0)
		printf("this is %s %s; Linux takes at most SCM_MAX_FD = 253 descriptors in one message\n"
		       "(include/net/scm.h; 255 before Linux 2.6.38)\n", u.sysname, u.release);
	for (size_t i = 0; i < SYS_FDS_MAX + 1; i++)
		fds[i] = lab.file;
	for (size_t n = SYS_FDS_MAX; n <= SYS_FDS_MAX + 1; n++) {
		ssize_t sent = sys_send_fds(lab.sv[0], "x", 1, fds, n, NULL);
		printf("sendmsg(\"x\", SCM_RIGHTS with %zu descriptors) = %s\n", n, fds_result(sent, errno, r, sizeof r));
		if (sent < 0)
			continue;
		ssize_t got = sys_recv_ctl(lab.sv[1], r, sizeof r, MSG_DONTWAIT, NULL, SYS_FDS_MAX, &ctl);
		printf("  received %zd byte%s and %zu descriptors: %d open now\n", got, got == 1 ? "" : "s", ctl.nfds,
		       sys_open_fds());
		sys_ctl_close(&ctl);
	}
	fds_count_line(&lab, "");
	printf("the fix: more than 253 go in several messages; and a receiver sizes its buffer for 253 (sys_msg.h)\n");
	fds_close_pair(&lab);
	return 0;
}

/* Reads lab's receiving end until nothing is left, len bytes at a time, one line per read. */
static void read_all(struct fds_lab *lab, size_t len)
{
	struct sys_ctl ctl;
	char buf[64];

	for (;;) {
		ssize_t n = sys_recv_ctl(lab->sv[1], buf, len, MSG_DONTWAIT, NULL, 8, &ctl);
		if (n <= 0)
			break;
		printf("  recvmsg(%zu bytes) = %zd \"%.*s\"", len, n, (int)n, buf);
		if (ctl.nfds)
			printf(", SCM_RIGHTS [%d]", ctl.fds[0]);
		printf("\n");
		sys_ctl_close(&ctl);
	}
}

/* Bytes before and after a descriptor, on a stream: where one read stops. */
int pitfall_fds_barrier(struct pair *p)
{
	struct fds_lab lab;
	int rc;

	(void)p;
	if ((rc = fds_open_pair(&lab, SOCK_STREAM)) != 0)
		return rc;
	printf("send(\"aaa\"), then\n");
	sys_send(lab.sv[0], "aaa", 3);
	fds_send(&lab, "bbb", 1);
	printf("send(\"ccc\"), all before the reader reads:\n");
	sys_send(lab.sv[0], "ccc", 3);
	read_all(&lab, 60);
	printf("two sends with a descriptor each, \"ddd\" and \"eee\":\n");
	fds_send(&lab, "ddd", 1);
	fds_send(&lab, "eee", 1);
	read_all(&lab, 60);
	printf("and \"fff\" with a descriptor, read 2 bytes at a time:\n");
	fds_send(&lab, "fff", 1);
	read_all(&lab, 2);
	printf("a read that reaches bytes sent with a descriptor stops at their end, so two descriptors never\n"
	       "come in one read, and the descriptor comes with the first of its bytes; bytes sent before it may\n"
	       "join that read. the fix: frame messages, and take a descriptor as part of the message it came in\n");
	fds_count_line(&lab, "");
	fds_close_pair(&lab);
	return 0;
}

/* Runs /bin/sh, which tries to read from fd: is it open in a program this process executes? 1 yes, 0 no, -1 unknown. */
static int open_after_exec(int fd)
{
	char script[64];
	int status;

	snprintf(script, sizeof script, "exec 2>/dev/null; : <&%d", fd);
	fflush(stdout);
	pid_t kid = fork();
	if (kid == 0) {
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	if (kid < 0 || waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status) == 127)
		return -1;
	return WEXITSTATUS(status) == 0;
}

/* One descriptor received with these recvmsg flags: is it close-on-exec, and does an exec'd shell see it? */
static void receive_with(struct fds_lab *lab, int flags, const char *how)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[CMSG_SPACE(sizeof(int))];
	} control;
	char c;
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control };
	struct cmsghdr *h;
	int fd = -1;

	if (sys_recvmsg(lab->sv[1], &m, flags | MSG_DONTWAIT) < 0 || !(h = CMSG_FIRSTHDR(&m)) || h->cmsg_type != SCM_RIGHTS) {
		printf("recvmsg(%s): no descriptor came\n", how);
		return;
	}
	memcpy(&fd, CMSG_DATA(h), sizeof fd);
	int cloexec = (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, seen = open_after_exec(fd);
	printf("recvmsg(%s): descriptor %d, FD_CLOEXEC %s; /bin/sh run from here %s\n", how, fd, cloexec ? "on" : "off",
	       seen < 0 ? "could not be run" : seen ? "has it open too" : "does not have it");
	sys_close(fd);
}

/* A descriptor received without MSG_CMSG_CLOEXEC stays open in every program the receiver executes. */
int pitfall_fds_exec(struct pair *p)
{
	struct fds_lab lab;
	int rc;

	(void)p;
	if ((rc = fds_open_pair(&lab, SOCK_STREAM)) != 0)
		return rc;
	fds_send(&lab, "x", 1);
	fds_send(&lab, "y", 1);
	receive_with(&lab, 0, "flags 0");
#ifdef MSG_CMSG_CLOEXEC
	receive_with(&lab, MSG_CMSG_CLOEXEC, "MSG_CMSG_CLOEXEC");
	printf("a descriptor that arrives without close-on-exec is handed to every program this process runs,\n"
	       "which can then read the file or the socket it leads to. the fix: MSG_CMSG_CLOEXEC, set by the\n"
	       "kernel as it installs the descriptor (sys_recv_ctl passes it): fcntl(FD_CLOEXEC) afterwards\n"
	       "leaves a moment in which another thread's fork and exec takes it along\n");
#else
	receive_with(&lab, 0, "flags 0, again");
	printf("this system has no MSG_CMSG_CLOEXEC: set FD_CLOEXEC at once after recvmsg (a moment remains)\n");
#endif
	fds_count_line(&lab, "");
	fds_close_pair(&lab);
	return 0;
}
