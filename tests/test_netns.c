/* test_netns.c - netns_enter_private: a namespace of one's own, as root and as nobody, with lo up and the host untouched. */
#define _GNU_SOURCE /* setresuid, setresgid, setgroups */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "demos/netns.h"
#include "tests/support/helpers.h"

#define NOBODY 65534
/* The child's exit codes: 0 every check held; SKIP the kernel refused the namespace; else the check that failed. */
enum { OK, SKIP = 10, NOT_UP, NOT_REFUSED, NOT_ALONE, NOT_UNPRIVILEGED, NOT_NOBODY };

/* The host's interfaces, as names, into out. */
static void interfaces(char *out, size_t len)
{
	struct if_nameindex *list = if_nameindex();

	out[0] = '\0';
	for (struct if_nameindex *i = list; i && i->if_index; i++)
		snprintf(out + strlen(out), len - strlen(out), "%u:%s ", i->if_index, i->if_name);
	if_freenameindex(list);
}

/* Is interface name up (IFF_UP)? */
static int is_up(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), up = 0;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = (ifr.ifr_flags & IFF_UP) != 0;
	if (fd >= 0)
		close(fd);
	return up;
}

/* In the child: enter, then check what a private namespace must be. Writes the refusal to fd when the kernel says no. */
static int enter_and_check(int fd, int want_unprivileged)
{
	char why[512], list[512];
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	if (netns_enter_private(why, sizeof why) < 0) {
		(void)!write(fd, why, strlen(why));
		return SKIP;
	}
	if (!is_up("lo"))
		return NOT_UP;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sin, sizeof sin) == 0 || errno != ECONNREFUSED)
		return NOT_REFUSED;
	close(s);
	interfaces(list, sizeof list);
	if (strcmp(list, "1:lo ") != 0) /* nothing of the host's: its own lo only */
		return NOT_ALONE;
	return netns_unprivileged() == want_unprivileged ? OK : NOT_UNPRIVILEGED;
}

/*
 * Forks a child that becomes nobody first (as_nobody; dumpable again unless
 * stay_undumpable) and enters; returns its exit code, the refusal in why.
 */
static int run_child(int as_nobody, int stay_undumpable, char *why, size_t whylen)
{
	int p[2];

	cr_assert(pipe(p) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (as_nobody && (setgroups(0, NULL) < 0 || setresgid(NOBODY, NOBODY, NOBODY) < 0 ||
				  setresuid(NOBODY, NOBODY, NOBODY) < 0 || geteuid() != NOBODY))
			_exit(NOT_NOBODY);
		/*
		 * Changing uids made this process non-dumpable, which makes its /proc/self files
		 * root's: uid_map could not be written. A program started as nobody (execve) is
		 * dumpable, as socklab is; say so here, as execve would.
		 */
		if (as_nobody && !stay_undumpable && prctl(PR_SET_DUMPABLE, 1) < 0)
			_exit(NOT_NOBODY);
		_exit(enter_and_check(p[1], as_nobody || geteuid() != 0));
	}
	close(p[1]);
	ssize_t n = read(p[0], why, whylen - 1);
	why[n > 0 ? n : 0] = '\0';
	close(p[0]);
	int status;
	cr_assert(waitpid(pid, &status, 0) == pid);
	cr_assert(WIFEXITED(status), "the child died of signal %d", WTERMSIG(status));
	return WEXITSTATUS(status);
}

static void expect_private(int as_nobody)
{
	char before[512], after[512], why[512];
	int lo_up = is_up("lo");

	interfaces(before, sizeof before);
	int rc = run_child(as_nobody, 0, why, sizeof why);
	if (rc == SKIP)
		cr_skip_test("the kernel refused a private namespace here: %s", why);
	cr_expect_eq(rc, OK, "check %d failed in the namespace (see the enum)", rc);
	interfaces(after, sizeof after);
	cr_expect_str_eq(after, before, "the host's interfaces changed");
	cr_expect_eq(is_up("lo"), lo_up, "the host's lo changed");
}

Test(netns, as_root_lo_up_refused_and_alone)
{
	if (geteuid() != 0)
		cr_skip_test("needs root (CI runs as root); the unprivileged case is the next test");
	expect_private(0);
}

Test(netns, as_nobody_through_a_user_namespace)
{
	if (geteuid() != 0) { /* already unprivileged: the same path, as this user */
		expect_private(0);
		return;
	}
	expect_private(1);
}

Test(netns, a_refusal_is_one_line_saying_what_failed)
{
	char why[512] = "";

	if (geteuid() != 0)
		cr_skip_test("needs root, to become nobody without execve");
	/* Non-dumpable, its /proc/self/uid_map is root's: the kernel refuses the map, and the line says so. */
	int rc = run_child(1, 1, why, sizeof why);
	cr_assert_eq(rc, SKIP, "the namespace was entered after all (check %d)", rc);
	cr_expect(strstr(why, "map this user into the new user namespace: permission denied"), "said: %s", why);
	cr_expect(strchr(why, '\n') == NULL, "more than one line: %s", why);
}
