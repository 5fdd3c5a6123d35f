/* multicast_lessons.c - one sendto() to a group and every member reads it; loop on and off; a broadcast and SO_BROADCAST. */
#include "multicast.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/sys_mcast.h"
#include "demos/cli.h"

/* How long receivers wait for a datagram that should come, and for one that should not. */
#define EXPECT_MS 1000
#define QUIET_MS 250

/* Administratively scoped (RFC 2365) and link-local transient (RFC 4291 2.7): groups that stay on this link. */
#define GROUP_V4 "239.255.0.1"
#define GROUP_V6 "ff12::5c"

static const char message[] = "hello, group";

/* The result of a call, as the trace writes it, for the lesson's own lines. */
static const char *outcome(ssize_t r, char *buf, size_t len)
{
	if (r >= 0)
		snprintf(buf, len, "%zd", r);
	else
		snprintf(buf, len, "-1 %s (%s)", errno_name(errno), errno_text(errno));
	return buf;
}

/* After a send with the loop off: what the count means, on this interface. */
static const char *loop_off_meaning(int got, size_t n, const struct mcast_net *net)
{
	if (got == 0)
		return "it left by the interface alone, and this host kept no copy";
	if ((size_t)got == n && net->host)
		return "on lo the datagram itself comes back: the option only stops the copy a real interface makes";
	return "some came back";
}

int mcast_group_lesson(const struct mcast_net *net, int family, size_t n)
{
	const char *name = family == AF_INET6 ? "IPv6" : "IPv4", *group = family == AF_INET6 ? GROUP_V6 : GROUP_V4;
	int level = family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;
	int loop_opt = family == AF_INET6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP;
	struct mcast_group g;
	char why[256], to[ADDR_TEXT_MAX], r[96];
	int loop = -1, rc = 0;

	if (mcast_open(&g, net, group, n, 1, why, sizeof why) < 0)
		return cli_error("multicast", errno, NULL, "%s: %s", name, why);
	printf("%s: %zu receiver%s joined %s on %s, on port %u\n", name, g.n, g.n == 1 ? "" : "s", group, net->ifname,
	       addr_port(&g.to));
	int fd = sys_socket(family, SOCK_DGRAM, 0);
	if (fd < 0 || sys_multicast_if(fd, family, net->ifindex) < 0 ||
	    sys_getsockopt_int(fd, level, loop_opt, family == AF_INET6 ? "IPV6_MULTICAST_LOOP" : "IP_MULTICAST_LOOP", &loop) < 0) {
		rc = cli_error("multicast", errno, NULL, "%s: make the sender", name);
		goto out;
	}
	ssize_t sent = sys_sendto(fd, message, sizeof message - 1, &g.to);
	printf("sendto(%s, %zu bytes) = %s, once (multicast loop %d, the default)\n", addr_format(&g.to, to, sizeof to),
	       sizeof message - 1, outcome(sent, r, sizeof r), loop);
	if (sent < 0) {
		if (errno == ENETUNREACH && net->host)
			fprintf(stderr, "socklab: multicast: %s: no route to %s by %s: this loopback carries no %s multicast "
					"(run without --host)\n", name, group, net->ifname, name);
		else
			cli_error("multicast", errno, "sendto", "%s: send to the group on %s", name, net->ifname);
		rc = EXIT_RUNTIME;
		goto out;
	}
	int got = mcast_collect(&g, EXPECT_MS, 1);
	if (got < 0) {
		rc = cli_error("multicast", errno, "recv", "%s: read what the receivers got", name);
		goto out;
	}
	printf("one send, %d of %zu receivers got it\n", got, g.n);
	if (got != (int)g.n)
		rc = EXIT_RUNTIME;
	if (sys_setsockopt_int(fd, level, loop_opt, family == AF_INET6 ? "IPV6_MULTICAST_LOOP" : "IP_MULTICAST_LOOP", 0) == 0) {
		sent = sys_sendto(fd, message, sizeof message - 1, &g.to);
		got = sent < 0 ? 0 : mcast_collect(&g, QUIET_MS, 0);
		printf("multicast loop 0: sendto() = %s: %d of %zu got it: %s\n", outcome(sent, r, sizeof r), got, g.n,
		       loop_off_meaning(got, g.n, net));
	}
out:
	if (fd >= 0)
		sys_close(fd);
	mcast_close(&g);
	return rc;
}

int mcast_broadcast_lesson(const struct mcast_net *net, size_t n)
{
	struct mcast_group g;
	char why[256], to[ADDR_TEXT_MAX], r[96];
	int rc = 0;

	if (mcast_open(&g, net, net->v4_bcast, n, 0, why, sizeof why) < 0)
		return cli_error("multicast", errno, NULL, "broadcast: %s", why);
	printf("broadcast: %zu receiver%s bound to %s, %s's broadcast address, port %u\n", g.n, g.n == 1 ? "" : "s",
	       net->v4_bcast, net->ifname,
	       addr_port(&g.to));
	int fd = sys_socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		rc = cli_error("multicast", errno, NULL, "broadcast: make the sender");
		goto out;
	}
	ssize_t sent = sys_sendto(fd, message, sizeof message - 1, &g.to);
	printf("sendto(%s) = %s%s\n", addr_format(&g.to, to, sizeof to), outcome(sent, r, sizeof r),
	       sent < 0 && errno == EACCES ? ": a broadcast needs SO_BROADCAST first" : "");
	if (sent >= 0)
		mcast_collect(&g, EXPECT_MS, 0); /* it went anyway: take it, so that the next count is of the next send */
	if (sys_setsockopt_int(fd, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST", 1) < 0) {
		rc = cli_error("multicast", errno, NULL, "broadcast: setsockopt(SO_BROADCAST)");
		goto out;
	}
	sent = sys_sendto(fd, message, sizeof message - 1, &g.to);
	printf("SO_BROADCAST 1: sendto() = %s\n", outcome(sent, r, sizeof r));
	int got = sent < 0 ? 0 : mcast_collect(&g, EXPECT_MS, 1);
	if (got < 0) {
		rc = cli_error("multicast", errno, "recv", "broadcast: read what the receivers got");
		goto out;
	}
	printf("one send, %d of %zu receivers got it\n", got, g.n);
	if (got != (int)g.n)
		rc = EXIT_RUNTIME;
out:
	if (fd >= 0)
		sys_close(fd);
	mcast_close(&g);
	return rc;
}
