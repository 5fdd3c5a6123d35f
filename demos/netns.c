/* netns.c - a private network for one run: unshare(2) a network namespace (and a user namespace without root), lo up. */
#ifdef __linux__
#define _GNU_SOURCE /* unshare(2), CLONE_NEWNET, CLONE_NEWUSER */
#endif
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"

#ifdef __linux__
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>

static int in_user_ns;

/* Reads a number from a /proc/sys file; -1 when it does not exist (the setting is not in this kernel). */
static long read_sysctl(const char *path)
{
	char buf[32];
	long v = -1;
	FILE *f = fopen(path, "re");

	if (f) {
		if (fgets(buf, sizeof buf, f))
			v = strtol(buf, NULL, 10);
		fclose(f);
	}
	return v;
}

/* Why the kernel refused a user namespace, as far as its settings tell. */
static int explain_refusal(int err, char *why, size_t whylen)
{
	errno = err;
	if (read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == 1)
		return fail_why(why, whylen, "unprivileged user namespaces are forbidden here by AppArmor "
					     "(kernel.apparmor_restrict_unprivileged_userns=1): run as root, or allow them "
					     "with 'sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0'");
	if (read_sysctl("/proc/sys/kernel/unprivileged_userns_clone") == 0)
		return fail_why(why, whylen, "unprivileged user namespaces are off (kernel.unprivileged_userns_clone=0): "
					     "run as root, or 'sudo sysctl kernel.unprivileged_userns_clone=1'");
	if (read_sysctl("/proc/sys/user/max_user_namespaces") == 0)
		return fail_why(why, whylen, "user namespaces are off (user.max_user_namespaces=0): run as root, or "
					     "'sudo sysctl user.max_user_namespaces=10000'");
	return fail_why(why, whylen, "unshare(CLONE_NEWUSER|CLONE_NEWNET): %s (a container or seccomp policy may "
				     "forbid namespaces): run as root on the host", errno_text(err));
}

/* Writes text to a /proc file in one write(2), as uid_map and gid_map require. */
static int write_proc(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Root inside, the caller outside: one line of each map (user_namespaces(7), "User and group ID mappings"). */
static int map_ids(unsigned uid, unsigned gid)
{
	char line[64];

	snprintf(line, sizeof line, "0 %u 1\n", uid);
	if (write_proc("/proc/self/uid_map", line) < 0)
		return -1;
	/* An unprivileged process must give up setgroups(2) before it may write gid_map. */
	if (write_proc("/proc/self/setgroups", "deny\n") < 0 && errno != ENOENT)
		return -1;
	snprintf(line, sizeof line, "0 %u 1\n", gid);
	return write_proc("/proc/self/gid_map", line);
}

/* ioctl(SIOCSIFFLAGS) on a socket: the loopback interface of a new namespace starts down. */
static int loopback_up(void)
{
	struct ifreq ifr;
	int fd = sys_socket(AF_INET, SOCK_DGRAM, 0), r = -1;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	if (trace_on)
		trace_line("ioctl(%d, SIOCSIFFLAGS, lo up) = %d%s%s", fd, r, r < 0 ? " " : "", r < 0 ? errno_name(errno) : "");
	int saved = errno;
	sys_close(fd);
	errno = saved;
	return r;
}

int netns_enter_private(char *why, size_t whylen)
{
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	int flags = uid == 0 ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET;

	int r = unshare(flags);
	if (trace_on)
		trace_line("unshare(%s) = %d%s%s", uid == 0 ? "CLONE_NEWNET" : "CLONE_NEWUSER|CLONE_NEWNET", r,
			   r < 0 ? " " : "", r < 0 ? errno_name(errno) : "");
	if (r < 0) {
		if (uid == 0)
			return fail_why(why, whylen, "unshare(CLONE_NEWNET): %s (a container may forbid new namespaces)",
					errno_text(errno));
		return explain_refusal(errno, why, whylen);
	}
	in_user_ns = uid != 0;
	if (in_user_ns && map_ids(uid, gid) < 0)
		return fail_why(why, whylen, "map this user into the new user namespace: %s", errno_text(errno));
	if (loopback_up() < 0)
		return fail_why(why, whylen, "bring up the loopback interface of the new namespace: %s", errno_text(errno));
	return 0;
}

int netns_unprivileged(void)
{
	return in_user_ns;
}

#else /* not Linux: no network namespaces */

int netns_enter_private(char *why, size_t whylen)
{
	errno = ENOSYS;
	return fail_why(why, whylen, "private network namespaces exist only on Linux");
}

int netns_unprivileged(void)
{
	return 0;
}

#endif
