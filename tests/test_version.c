/* test_version.c - socklab --version as GNU asks, and every feature it claims is one this build has. */
#define _GNU_SOURCE /* struct ucred: the SO_PEERCRED probe */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/engine/poller.h"
#include "core/sys/sys_msg.h"
#include "demos/cli.h"
#include "tests/support/helpers.h"

static struct run_result version;

static void run_version(void)
{
	const char *argv[] = { "socklab", "--version", NULL };

	cr_assert(test_run(argv, NULL, 0, &version) == 0);
}

static void done(void)
{
	test_run_free(&version);
}

/* Is feature name listed, on a line of its own ("  epoll   what it is")? */
static int claims(const char *name)
{
	char needle[64];

	snprintf(needle, sizeof needle, "\n  %s ", name);
	return strstr(version.out, needle) != NULL;
}

/* The first line is "socklab X.Y.Z" (GNU Coding Standards, --version), exit 0, nothing on stderr. */
Test(version, first_line, .init = run_version, .fini = done)
{
	unsigned a, b, c;
	char end;

	cr_expect_eq(version.status, 0);
	cr_expect_str_eq(version.err, "");
	cr_expect_eq(sscanf(version.out, "socklab %u.%u.%u%c", &a, &b, &c, &end), 4, "%s", version.out);
	cr_expect_eq(end, '\n', "%s", version.out);
	cr_expect(strncmp(version.out, "socklab " SOCKLAB_VERSION "\n", strlen(SOCKLAB_VERSION) + 9) == 0);
}

/*
 * What the build claims, it does: each claim is checked against the code
 * path it names (through the library this test links, built from the same
 * sources with the same guards), and what Linux always has is claimed there.
 */
Test(version, claims_are_true, .init = run_version, .fini = done)
{
	struct poller *p = poller_new(POLLER_EPOLL);
	struct endpoint ep;
	char why[128];
	int sv[2];

	cr_expect_eq(claims("epoll"), p && strcmp(poller_name(p), "epoll") == 0, "epoll: claimed %d", claims("epoll"));
	if (p)
		poller_free(p);
	cr_expect_eq(claims("abstract-unix-names"), endpoint_parse("unix:@x", ENDPOINT_SERVER, &ep, why, sizeof why) == 0);
	cr_assert(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct sys_cred cred;
	cr_expect_eq(claims("SO_PEERCRED"), sys_peercred(sv[0], &cred) == 0 && cred.pid == (long)getpid());
	cr_expect_eq(claims("SCM_CREDENTIALS"), sys_set_passcred(sv[0], 1) == 0);
	if (claims("SO_PEERPIDFD")) {
		int fd = sys_peerpidfd(sv[0]);
		cr_expect(fd >= 0 || errno == ENOPROTOOPT || errno == EINVAL, "SO_PEERPIDFD claimed, and the call says %s",
			  strerror(errno)); /* an older kernel answers ENOPROTOOPT: built with, not running on */
		if (fd >= 0)
			close(fd);
	}
	close(sv[0]);
	close(sv[1]);
#ifdef __linux__
	const char *linux_has[] = { "epoll", "abstract-unix-names", "af-packet", "network-namespaces", "SO_PEERCRED",
				    "IP_PKTINFO", "TCP_INFO", "MSG_NOSIGNAL", "sendmmsg" };
	for (size_t i = 0; i < sizeof linux_has / sizeof linux_has[0]; i++)
		cr_expect(claims(linux_has[i]), "a Linux build without %s:\n%s", linux_has[i], version.out);
#endif
}
