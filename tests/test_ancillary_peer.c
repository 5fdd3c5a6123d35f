/* test_ancillary_peer.c - a hostile peer's control messages and claims: what the kernel refuses, and what socklab believes. */
#define _GNU_SOURCE /* struct ucred */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/sys/sys.h"
#include "core/sys/sys_msg.h"
#include "tests/support/helpers.h"

/* sendmsg(2) of "x" with one hand-made control message: level, type, payload, and the length its header claims. */
static ssize_t send_raw(int fd, int level, int type, const void *data, size_t dlen, size_t claimed_len)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[256];
	} control;
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes,
			    .msg_controllen = CMSG_SPACE(dlen) };

	memset(&control, 0, sizeof control);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = claimed_len ? claimed_len : CMSG_LEN(dlen);
	memcpy(CMSG_DATA(c), data, dlen);
	return sys_sendmsg(fd, &m);
}

/* The receiver's view of the next message: bytes, and what came beside them. */
static ssize_t receive(int fd, struct sys_ctl *ctl)
{
	char buf[16];
	cr_assert(test_readable(fd));
	return sys_recv_ctl(fd, buf, sizeof buf, MSG_DONTWAIT, NULL, SYS_FDS_MAX, ctl);
}

/* Garbage a peer tries to send: the kernel refuses what it cannot check, drops what it does not know. */
Test(ancillary_peer, garbage_control_messages)
{
	int sv[2], zero = 0, bad = 9999;
	struct sys_ctl ctl;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_DGRAM, sv) == 0);
	int before = test_open_fds();
	cr_expect_eq(send_raw(sv[0], SOL_SOCKET, 99, &zero, sizeof zero, 0), -1, "an unknown SOL_SOCKET type went");
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(send_raw(sv[0], SOL_SOCKET, SCM_RIGHTS, &zero, sizeof zero, 200), -1, "a length past the end went");
	cr_expect_eq(errno, EINVAL);
	cr_expect_eq(send_raw(sv[0], SOL_SOCKET, SCM_RIGHTS, &bad, sizeof bad, 0), -1, "a closed descriptor went");
	cr_expect_eq(errno, EBADF);
	cr_expect_eq(send_raw(sv[0], SOL_SOCKET, SCM_CREDENTIALS, &zero, sizeof zero, 0), -1, "short credentials went");
	cr_expect_eq(errno, EINVAL);
	/* Accepted, but nothing reaches the receiver: another level is ignored, a short SCM_RIGHTS carries none. */
	cr_expect_eq(send_raw(sv[0], 12345, 1, &zero, sizeof zero, 0), 1);
	cr_expect_eq(receive(sv[1], &ctl), 1);
	cr_expect_eq(ctl.nfds + ctl.unknown + (size_t)ctl.has_cred + ctl.closed, 0, "something came of level 12345");
	cr_expect_eq(send_raw(sv[0], SOL_SOCKET, SCM_RIGHTS, &zero, sizeof zero, CMSG_LEN(0) + 3), 1);
	cr_expect_eq(receive(sv[1], &ctl), 1);
	cr_expect_eq(ctl.nfds + ctl.closed, 0, "a descriptor from three bytes?");
	cr_expect_eq(test_open_fds(), before);
	close(sv[0]), close(sv[1]);
}

/*
 * An unprivileged sender may claim only itself (unix(7), SCM_CREDENTIALS): the kernel refuses another pid,
 * uid or gid with EPERM, and what the receiver reads is what the kernel checked.
 */
Test(ancillary_peer, credentials_an_unprivileged_peer_cannot_claim)
{
	int sv[2], status;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_DGRAM, sv) == 0);
	cr_assert(sys_set_passcred(sv[1], 1) == 0);
	pid_t kid = fork();
	cr_assert(kid >= 0);
	if (kid == 0) {
		/* As root, become nobody first; not as root, this process is unprivileged already. */
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(10);
		long me = (long)getpid(), uid = (long)getuid(), gid = (long)getgid();
		struct sys_cred init = { 1, uid, gid }, root = { me, 0, gid }, wheel = { me, uid, 0 }, self = { me, uid, gid };
		if (sys_send_cred(sv[0], "a", 1, &init, NULL) != -1 || errno != EPERM)
			_exit(11);
		if (sys_send_cred(sv[0], "b", 1, &root, NULL) != -1 || errno != EPERM)
			_exit(12);
		if (sys_send_cred(sv[0], "c", 1, &wheel, NULL) != -1 || errno != EPERM)
			_exit(13);
		_exit(sys_send_cred(sv[0], "d", 1, &self, NULL) == 1 ? 0 : 14);
	}
	cr_assert_eq(waitpid(kid, &status, 0), kid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child's claim %d was not refused",
		  WEXITSTATUS(status));
	struct sys_ctl ctl;
	char buf[4];
	cr_assert_eq(sys_recv_ctl(sv[1], buf, sizeof buf, MSG_DONTWAIT, NULL, 0, &ctl), 1);
	cr_expect_eq(buf[0], 'd', "a refused message arrived");
	cr_assert(ctl.has_cred);
	cr_expect_eq(ctl.cred.pid, (long)kid);
	cr_expect_eq(ctl.cred.uid, geteuid() == 0 ? 65534 : (long)getuid());
	close(sv[0]), close(sv[1]);
}

/* No claim at all: with SO_PASSCRED the kernel fills in the sender's own credentials. */
Test(ancillary_peer, credentials_without_a_claim)
{
	int sv[2];
	struct sys_ctl ctl;
	char c;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_STREAM, sv) == 0);
	cr_assert(sys_set_passcred(sv[1], 1) == 0);
	cr_assert_eq(sys_send(sv[0], "x", 1), 1);
	cr_assert_eq(sys_recv_ctl(sv[1], &c, 1, 0, NULL, 0, &ctl), 1);
	cr_assert(ctl.has_cred);
	cr_expect_eq(ctl.cred.pid, (long)getpid());
	cr_expect_eq(ctl.cred.uid, (long)geteuid());
	close(sv[0]), close(sv[1]);
}

/* sys_ctl_parse() on bytes no kernel wrote: it reads nothing outside them and closes nothing that is not a descriptor. */
static int dropped[8];
static size_t ndropped;

static void count_drop(int fd, void *ctx)
{
	(void)ctx;
	if (ndropped < 8)
		dropped[ndropped] = fd;
	ndropped++;
}

Test(ancillary_peer, parse_distrusts_every_length)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[128];
	} b;
	struct cmsghdr *h = (struct cmsghdr *)b.bytes;
	int fds[3] = { 7, -1, 8 };
	struct sys_ctl ctl;

	memset(&b, 0, sizeof b);
	h->cmsg_level = SOL_SOCKET, h->cmsg_type = SCM_RIGHTS, h->cmsg_len = CMSG_LEN(sizeof fds);
	memcpy(CMSG_DATA(h), fds, sizeof fds);
	sys_ctl_parse(b.bytes, CMSG_SPACE(sizeof fds), 1, 0, &ctl, count_drop, NULL);
	cr_expect_eq(ctl.nfds, 1);
	cr_expect_eq(ctl.fds[0], 7);
	cr_expect_eq(ndropped, 1, "-1 is not a descriptor to close");
	cr_expect_eq(dropped[0], 8);
	cr_expect_eq(ctl.unknown, 1);
	/* A length past the end, then one shorter than a header: the walk stops, keeps nothing it cannot trust. */
	h->cmsg_len = sizeof b.bytes + 1;
	sys_ctl_parse(b.bytes, sizeof b.bytes, 3, 0, &ctl, count_drop, NULL);
	cr_expect_eq(ctl.nfds, 0);
	cr_expect_eq(ctl.unknown, 1);
	h->cmsg_len = 3;
	sys_ctl_parse(b.bytes, sizeof b.bytes, 3, 0, &ctl, count_drop, NULL);
	cr_expect_eq(ctl.nfds + ctl.closed, 0);
	/* Fewer bytes than a header: nothing at all. */
	sys_ctl_parse(b.bytes, sizeof(struct cmsghdr) - 1, 3, 0, &ctl, count_drop, NULL);
	cr_expect_eq(ctl.nfds + ctl.unknown, 0);
	/* Discard: every descriptor goes to drop. */
	ndropped = 0;
	h->cmsg_len = CMSG_LEN(sizeof fds);
	sys_ctl_parse(b.bytes, CMSG_SPACE(sizeof fds), 3, 1, &ctl, count_drop, NULL);
	cr_expect_eq(ctl.nfds, 0);
	cr_expect_eq(ndropped, 2);
	cr_expect_eq(ctl.closed, 2);
}

/* Credentials of the wrong size are not believed, and a second set does not replace the first. */
Test(ancillary_peer, parse_credentials_of_the_wrong_size)
{
	union {
		struct cmsghdr align;
		unsigned char bytes[256];
	} b;
	struct ucred one = { 10, 20, 30 }, two = { 40, 50, 60 };
	struct sys_ctl ctl;

	memset(&b, 0, sizeof b);
	struct cmsghdr *h = (struct cmsghdr *)b.bytes;
	h->cmsg_level = SOL_SOCKET, h->cmsg_type = SCM_CREDENTIALS, h->cmsg_len = CMSG_LEN(sizeof one - 1);
	sys_ctl_parse(b.bytes, CMSG_SPACE(sizeof one), 0, 0, &ctl, NULL, NULL);
	cr_expect_not(ctl.has_cred, "11 bytes of credentials believed");
	cr_expect_eq(ctl.unknown, 1);
	h->cmsg_len = CMSG_LEN(sizeof one);
	memcpy(CMSG_DATA(h), &one, sizeof one);
	struct cmsghdr *h2 = (struct cmsghdr *)(b.bytes + CMSG_SPACE(sizeof one));
	h2->cmsg_level = SOL_SOCKET, h2->cmsg_type = SCM_CREDENTIALS, h2->cmsg_len = CMSG_LEN(sizeof two);
	memcpy(CMSG_DATA(h2), &two, sizeof two);
	sys_ctl_parse(b.bytes, 2 * CMSG_SPACE(sizeof one), 0, 0, &ctl, NULL, NULL);
	cr_assert(ctl.has_cred);
	cr_expect_eq(ctl.cred.pid, 10);
	cr_expect_eq(ctl.unknown, 1);
}

/* Descriptors open in process pid (its /proc/PID/fd), or -1. */
static int fds_of(pid_t pid)
{
	char path[64];
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

ParameterizedTestParameters(ancillary_peer, a_server_keeps_nothing_a_client_passes)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A client passes 253 descriptors with each of 20 messages: socklab's echo server answers each, and holds none of them. */
ParameterizedTest(size_t *i, ancillary_peer, a_server_keeps_nothing_a_client_passes, .timeout = 30)
{
	const struct transport *t = transport_registry[*i];
	static int fds[SYS_FDS_MAX];
	struct test_server srv;
	struct sock cli;
	char dir[64], buf[8];

	test_tmpdir(dir, sizeof dir);
	cr_assert(test_echo_server(&srv, t, dir) == 0);
	cr_assert(test_dial(&cli, srv.endpoint) == 0);
	for (size_t k = 0; k < SYS_FDS_MAX; k++)
		fds[k] = cli.fd; /* any open descriptor: 253 copies of it travel */
	cr_assert(test_echo_once(&cli, "x\n", 2) == 0);
	int before = fds_of(srv.pid);
	for (int k = 0; k < 20; k++) {
		cr_assert_eq(sock_send_fds(&cli, "y\n", 2, fds, SYS_FDS_MAX), 2, "%s: %s", t->scheme, strerror(errno));
		cr_assert(test_readable(cli.fd), "%s: no echo", t->scheme);
		cr_assert_eq(sock_recv(&cli, buf, sizeof buf, NULL), 2);
	}
	cr_expect_eq(fds_of(srv.pid), before, "%s: the server holds descriptors a client passed", t->scheme);
	sock_close(&cli);
	cr_expect_eq(test_server_stop(&srv, SIGTERM), 0);
	test_rmdir(dir);
}

/* SO_PASSRIGHTS off (Linux 6.16+): the kernel refuses descriptors at the sender, so the receiver never holds one. */
Test(ancillary_peer, a_receiver_that_refuses_descriptors)
{
	int sv[2];

	cr_assert(sys_socketpair(AF_UNIX, SOCK_STREAM, sv) == 0);
	if (sys_set_passrights(sv[1], 0) < 0) {
		cr_expect_eq(errno, ENOPROTOOPT, "%s", strerror(errno));
		close(sv[0]), close(sv[1]);
		cr_skip_test("this kernel has no SO_PASSRIGHTS (Linux 6.16 added it)");
	}
	cr_expect_eq(sys_send_fds(sv[0], "x", 1, &sv[0], 1, NULL), -1);
	cr_expect_eq(errno, EPERM);
	cr_expect_eq(sys_send(sv[0], "y", 1), 1, "bytes alone still go");
	close(sv[0]), close(sv[1]);
}
