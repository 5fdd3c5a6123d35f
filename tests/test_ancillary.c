/* test_ancillary.c - descriptors beside the bytes over every transport, and the safe receive that never leaks one. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"
#include "tests/support/helpers.h"

/* A server and its client over one transport; rx is where the server reads (accepted, or bound). */
struct link {
	char dir[64];
	struct sock srv, acc, cli;
	struct sock *rx;
};

static void link_open(struct link *l, const struct transport *t)
{
	char text[256], why[256], bound[ENDPOINT_FORMAT_MAX];
	struct endpoint ep;
	struct addr a;
	int gai;

	test_tmpdir(l->dir, sizeof l->dir);
	sock_init(&l->srv), sock_init(&l->acc), sock_init(&l->cli);
	test_server_endpoint(t, l->dir, "anc", text, sizeof text);
	cr_assert(endpoint_parse(text, ENDPOINT_SERVER, &ep, why, sizeof why) == 0, "%s", why);
	cr_assert(sock_listen_endpoint(&l->srv, &ep, 4, &gai) == 0, "listen %s: %s", text, strerror(errno));
	cr_assert(sock_getname(&l->srv, &a) == 0);
	cr_assert(test_dial(&l->cli, endpoint_format(t, &a, bound, sizeof bound)) == 0, "dial %s", bound);
	l->rx = &l->srv;
	if (transport_is_connected(t)) {
		cr_assert(sock_accept(&l->srv, &l->acc) == 0);
		l->rx = &l->acc;
	}
}

static void link_close(struct link *l)
{
	sock_close(&l->cli), sock_close(&l->acc), sock_close(&l->srv);
	test_rmdir(l->dir);
}

/* Do these two descriptors lead to the same open file? Write through one, read the offset through the other. */
static int same_file(int a, int b)
{
	off_t before = lseek(b, 0, SEEK_CUR);
	if (write(a, "z", 1) != 1)
		return 0;
	return lseek(b, 0, SEEK_CUR) == before + 1;
}

ParameterizedTestParameters(ancillary, one_descriptor)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

/* A descriptor crosses a unix socket as the same open file; tcp and udp take the byte and lose it, silently. */
ParameterizedTest(size_t *i, ancillary, one_descriptor)
{
	const struct transport *t = transport_registry[*i];
	struct link l;
	struct sys_ctl ctl;
	char path[128], buf[8];

	link_open(&l, t);
	snprintf(path, sizeof path, "%s/file", l.dir);
	int file = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	cr_assert(file >= 0);
	int before = test_open_fds();
	cr_assert_eq(sock_send_fds(&l.cli, "x", 1, &file, 1), 1, "%s: sendmsg: %s", t->scheme, strerror(errno));
	cr_assert(test_readable(l.rx->fd));
	cr_assert_eq(sock_recv_ctl(l.rx, buf, sizeof buf, NULL, 1, &ctl), 1);
	if (transport_has_socket_file(t)) {
		cr_assert_eq(ctl.nfds, 1, "%s: no descriptor came", t->scheme);
		cr_expect_neq(ctl.fds[0], file, "a new number in the receiver");
		cr_expect(fcntl(ctl.fds[0], F_GETFD) & FD_CLOEXEC, "received without close-on-exec");
		cr_expect(same_file(ctl.fds[0], file), "%s: not the same open file", t->scheme);
		cr_expect_eq(test_open_fds(), before + 1);
	} else {
		cr_expect_eq(ctl.nfds, 0, "%s: a descriptor crossed an inet socket?", t->scheme);
		cr_expect_eq(ctl.flags, 0, "%s: and nothing says it was lost", t->scheme);
		cr_expect_eq(test_open_fds(), before);
	}
	sys_ctl_close(&ctl);
	cr_expect_eq(test_open_fds(), before);
	close(file);
	link_close(&l);
}

/* Three descriptors to a receiver that keeps one: it keeps the first, and the two others are closed at once. */
Test(ancillary, keeps_what_it_wants_and_closes_the_rest)
{
	int sv[2], three[3] = { 0, 1, 2 };
	struct sys_ctl ctl;
	char c;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_STREAM, sv) == 0);
	int before = test_open_fds();
	cr_assert_eq(sys_send_fds(sv[0], "x", 1, three, 3, NULL), 1);
	cr_assert_eq(sys_recv_ctl(sv[1], &c, 1, 0, NULL, 1, &ctl), 1);
	cr_expect_eq(ctl.nfds, 1);
	cr_expect_eq(ctl.closed, 2);
	cr_expect_eq(test_open_fds(), before + 1, "the two unwanted ones leaked");
	sys_ctl_close(&ctl);
	cr_expect_eq(test_open_fds(), before);
	close(sv[0]), close(sv[1]);
}

/* SCM_MAX_FD: 253 descriptors in one message travel, every one close-on-exec; 254 the kernel refuses. */
Test(ancillary, the_limit_of_one_message)
{
	static int fds[SYS_FDS_MAX + 1];
	static struct sys_ctl ctl;
	int sv[2];
	char c;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_DGRAM, sv) == 0);
	int before = test_open_fds();
	cr_expect_eq(sys_send_fds(sv[0], "x", 1, fds, SYS_FDS_MAX + 1, NULL), -1);
	cr_expect_eq(errno, EINVAL, "254 descriptors: %s", strerror(errno));
	cr_assert_eq(sys_send_fds(sv[0], "x", 1, fds, SYS_FDS_MAX, NULL), 1, "253: %s", strerror(errno));
	cr_assert_eq(sys_recv_ctl(sv[1], &c, 1, 0, NULL, SYS_FDS_MAX, &ctl), 1);
	cr_expect_eq(ctl.nfds, SYS_FDS_MAX);
	cr_expect_eq(ctl.flags, 0);
	for (size_t k = 0; k < ctl.nfds; k++)
		cr_expect(fcntl(ctl.fds[k], F_GETFD) & FD_CLOEXEC, "descriptor %zu without close-on-exec", k);
	cr_expect_eq(test_open_fds(), before + SYS_FDS_MAX);
	sys_ctl_close(&ctl);
	cr_expect_eq(test_open_fds(), before);
	close(sv[0]), close(sv[1]);
}

/* A receiver out of descriptor numbers: the kernel installs what it can and sets MSG_CTRUNC; the helper closes those. */
Test(ancillary, out_of_descriptors_nothing_is_kept)
{
	static int fds[SYS_FDS_MAX];
	static struct sys_ctl ctl;
	int sv[2];
	char c;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_STREAM, sv) == 0);
	cr_assert_eq(sys_send_fds(sv[0], "x", 1, fds, SYS_FDS_MAX, NULL), 1);
	int before = test_open_fds();
	struct rlimit rl = { .rlim_cur = (rlim_t)sv[1] + 11, .rlim_max = (rlim_t)sv[1] + 11 };
	cr_assert(setrlimit(RLIMIT_NOFILE, &rl) == 0); /* this test's own process: Criterion forks each test */
	cr_assert_eq(sys_recv_ctl(sv[1], &c, 1, 0, NULL, SYS_FDS_MAX, &ctl), 1);
	cr_expect(ctl.flags & MSG_CTRUNC, "the kernel did not say the control data was cut");
	cr_expect_eq(ctl.nfds, 0);
	cr_expect_gt(ctl.closed, 0, "the kernel installed none at all?");
	cr_expect_eq(test_open_fds(), before, "descriptors leaked past a cut message");
	close(sv[0]), close(sv[1]);
}

/* A datagram cut short (MSG_TRUNC): its descriptors are closed with it, never half-used. */
Test(ancillary, a_cut_message_keeps_no_descriptor)
{
	int sv[2], two[2] = { 0, 1 };
	struct sys_ctl ctl;
	char c;

	cr_assert(sys_socketpair(AF_UNIX, SOCK_DGRAM, sv) == 0);
	int before = test_open_fds();
	cr_assert_eq(sys_send_fds(sv[0], "abc", 3, two, 2, NULL), 3);
	cr_assert_eq(sys_recv_ctl(sv[1], &c, 1, 0, NULL, 2, &ctl), 1);
	cr_expect(ctl.flags & MSG_TRUNC);
	cr_expect_eq(ctl.nfds, 0);
	cr_expect_eq(ctl.closed, 2);
	cr_expect_eq(test_open_fds(), before);
	close(sv[0]), close(sv[1]);
}

/* The trace shows the control data: which descriptors went, which came. */
static void collect(const char *line, void *ctx)
{
	char *all = ctx;
	snprintf(all + strlen(all), 4096 - strlen(all), "%s\n", line);
}

Test(ancillary, traced_with_its_control_data)
{
	static char all[4096];
	int sv[2], fd = 0;
	struct sys_ctl ctl;
	char c, want[64];

	cr_assert(sys_socketpair(AF_UNIX, SOCK_SEQPACKET, sv) == 0);
	trace_set_sink(collect, all);
	sys_send_fds(sv[0], "x", 1, &fd, 1, NULL);
	sys_recv_ctl(sv[1], &c, 1, 0, NULL, 1, &ctl);
	trace_set_sink(NULL, NULL);
	snprintf(want, sizeof want, "sendmsg(%d, 1 bytes, SCM_RIGHTS [0]) = 1", sv[0]);
	cr_expect(strstr(all, want), "no '%s' in:\n%s", want, all);
	snprintf(want, sizeof want, ", MSG_CMSG_CLOEXEC) = 1, SCM_RIGHTS [%d]", ctl.fds[0]);
	cr_expect(strstr(all, want), "no '%s' in:\n%s", want, all);
	sys_ctl_close(&ctl);
	close(sv[0]), close(sv[1]);
}
