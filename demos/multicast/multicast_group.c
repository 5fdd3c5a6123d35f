/* multicast_group.c - receivers that share one port and join a group (or listen on a broadcast address), and what each read. */
#include "multicast.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/sys_mcast.h"

/* text as a socket address of its family, port 0; a link-scope IPv6 group gets net's interface as its scope. */
static int to_addr(const char *text, const struct mcast_net *net, struct addr *a)
{
	memset(a, 0, sizeof *a);
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&a->ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_scope_id = net->ifindex;
		a->len = sizeof *s6;
		return inet_pton(AF_INET6, text, &s6->sin6_addr) == 1 ? 0 : -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&a->ss;
	s4->sin_family = AF_INET;
	a->len = sizeof *s4;
	return inet_pton(AF_INET, text, &s4->sin_addr) == 1 ? 0 : -1;
}

int mcast_open(struct mcast_group *g, const struct mcast_net *net, const char *text, size_t n, int join_it, char *why,
	       size_t whylen)
{
	const char *step = "make a receiver";
	struct addr a;
	int fd = -1;

	memset(g, 0, sizeof *g);
	if (to_addr(text, net, &a) < 0) {
		errno = EINVAL;
		return fail_why(why, whylen, "'%s' is not an address", text);
	}
	g->family = a.ss.ss_family;
	for (; g->n < n && g->n < MCAST_RECEIVERS_MAX; g->n++) {
		fd = sys_socket(g->family, SOCK_DGRAM, 0);
		if (fd < 0)
			goto fail;
		step = "share the port (SO_REUSEADDR)";
		if (sys_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1) < 0)
			goto fail;
		step = "bind";
		if (sys_bind(fd, &a) < 0 || (g->n == 0 && sys_getsockname(fd, &a) < 0))
			goto fail; /* the first picks the port; the others bind the same one */
		step = "join the group";
		if (join_it && sys_join_group(fd, &a, net->ifindex) < 0)
			goto fail;
		g->fds[g->n] = fd;
		fd = -1;
	}
	g->to = a;
	return 0;
fail:;
	int saved = errno;
	if (fd >= 0)
		sys_close(fd); /* the one that failed */
	mcast_close(g);
	errno = saved;
	return fail_why(why, whylen, "%s %s: %s", step, text, errno_text(saved));
}

void mcast_close(struct mcast_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		sys_close(g->fds[i]);
	g->n = 0;
}

int mcast_collect(struct mcast_group *g, int ms, int verbose)
{
	long long deadline = sys_now_ms() + ms;
	char buf[64], from[ADDR_TEXT_MAX];
	int got = 0;

	for (size_t i = 0; i < g->n; i++) {
		long long left = deadline - sys_now_ms();
		int r = sys_wait(g->fds[i], 0, left > 0 ? (int)left : 0); /* one deadline for all: they share the datagram */
		if (r < 0)
			return -1;
		if (r == 0) {
			if (verbose)
				printf("  receiver %zu: nothing came\n", i + 1);
			continue;
		}
		struct addr a;
		ssize_t n = sys_recvfrom(g->fds[i], buf, sizeof buf, MSG_DONTWAIT, &a, NULL);
		if (n < 0)
			return -1;
		got++;
		for (ssize_t k = 0; k < n; k++) /* anyone on the link may send to a group: never raw on a terminal */
			buf[k] = buf[k] >= ' ' && buf[k] <= '~' ? buf[k] : '.';
		if (verbose)
			printf("  receiver %zu: recvfrom() = %zd bytes \"%.*s\" from %s\n", i + 1, n, (int)n, buf,
			       addr_format(&a, from, sizeof from));
	}
	return got;
}
