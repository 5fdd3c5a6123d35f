/* test_multicast.c - socklab multicast: one send reaches every member, as root and not, in a namespace and on the host. */
#define _GNU_SOURCE /* unshare(2), CLONE_NEWUSER */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/helpers.h"

/* How many times needle occurs in text. */
static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* The private namespace: every lesson's send reached all 3, the loop off reached none, a broadcast needed SO_BROADCAST. */
static void expect_full_run(const char *out, int status, const char *err)
{
	cr_expect_eq(status, 0, "%s%s", out, err);
	cr_expect(strstr(out, "a private network namespace: a veth pair sl0 and sl1"), "%s", out);
	cr_expect_eq(count(out, "one send, 3 of 3 receivers got it"), 3, "IPv4, IPv6 and broadcast: %s", out);
	cr_expect_eq(count(out, "recvfrom() = 12 bytes \"hello, group\""), 9, "%s", out);
	cr_expect_eq(count(out, "multicast loop 0: sendto() = 12: 0 of 3 got it"), 2, "%s", out);
	cr_expect(strstr(out, "= -1 EACCES (permission denied): a broadcast needs SO_BROADCAST first"), "%s", out);
	cr_expect_str_empty(err, "%s", err);
}

Test(multicast, in_a_private_namespace, .timeout = 30)
{
	struct run_result r;
	const char *argv[] = { "socklab", "multicast", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	expect_full_run(r.out, r.status, r.err);
	test_run_free(&r);
}

/* Can an unprivileged process make a user and network namespace here? Probed in a child, which changes nothing else. */
static int unprivileged_namespaces(void)
{
	int status;
	pid_t kid = fork();

	if (kid == 0) {
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
#ifdef __linux__
		_exit(unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 0 : 1);
#else
		_exit(1); /* no namespaces */
#endif
	}
	return kid > 0 && waitpid(kid, &status, 0) == kid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The same, as user nobody: through an unprivileged user namespace. */
Test(multicast, unprivileged, .timeout = 30)
{
	static char out[16384];
	int pipefd[2], status;
	size_t len = 0;

	if (!unprivileged_namespaces())
		cr_skip_test("this system forbids unprivileged user namespaces (socklab multicast says why; see netns.h)");
	cr_assert(pipe(pipefd) == 0);
	pid_t kid = fork();
	if (kid == 0) {
		dup2(pipefd[1], 1), dup2(pipefd[1], 2);
		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(126);
		execl(test_socklab(), "socklab", "multicast", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		struct pollfd p = { .fd = pipefd[0], .events = POLLIN };
		if (poll(&p, 1, TEST_WAIT_S * 1000) <= 0)
			break;
		ssize_t n = read(pipefd[0], out + len, sizeof out - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	out[len] = '\0';
	close(pipefd[0]);
	cr_assert_eq(waitpid(kid, &status, 0), kid);
	expect_full_run(out, WIFEXITED(status) ? WEXITSTATUS(status) : 128, "");
}

/* The host's loopback: IPv4 only; the loop option changes nothing there, and the output says why. */
Test(multicast, on_the_host_loopback, .timeout = 30)
{
	struct run_result r;
	const char *argv[] = { "socklab", "multicast", "--host", "--receivers", "2", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect_eq(count(r.out, "one send, 2 of 2 receivers got it"), 2, "%s", r.out);
	cr_expect(strstr(r.out, "2 of 2 got it: on lo the datagram itself comes back"), "%s", r.out);
	cr_expect_null(strstr(r.out, "IPv6"), "%s", r.out);
	test_run_free(&r);
}

Test(multicast, usage_errors)
{
	static const char *const bad[][4] = {
		{ "--receivers", "0", NULL }, { "--receivers", "65", NULL }, { "--receivers", "3x", NULL },
		{ "-4", "-6", NULL }, { "extra", NULL }, { "--bogus", NULL },
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		const char *argv[6] = { "socklab", "multicast", bad[k][0], bad[k][1], bad[k][2], NULL };
		struct run_result r;
		cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 2, "%s: %s", bad[k][0], r.err);
		cr_expect_eq(count(r.err, "\n"), 1, "one line: %s", r.err);
		cr_expect_str_empty(r.out);
		test_run_free(&r);
	}
}
