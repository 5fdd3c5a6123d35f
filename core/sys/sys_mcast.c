/* sys_mcast.c - the traced calls of IP multicast: MCAST_JOIN_GROUP, and choosing the interface a group's datagrams leave by. */
#ifdef __linux__
#define _DEFAULT_SOURCE /* struct group_req, struct ip_mreqn: not POSIX; glibc shows them with this */
#endif
#include "sys_mcast.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "trace.h"

/* "lo", or the number when the interface has no name (any more). */
static const char *if_text(unsigned ifindex, char *buf)
{
	if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "%u", ifindex);
	return buf;
}

int sys_join_group(int fd, const struct addr *group, unsigned ifindex)
{
#ifdef MCAST_JOIN_GROUP
	struct group_req req;
	char res[96], text[ADDR_TEXT_MAX], name[IF_NAMESIZE + 8];
	int level = group->ss.ss_family == AF_INET6 ? IPPROTO_IPV6 : IPPROTO_IP;

	memset(&req, 0, sizeof req);
	req.gr_interface = ifindex;
	memcpy(&req.gr_group, &group->ss, group->len <= sizeof req.gr_group ? group->len : sizeof req.gr_group);
	int r = setsockopt(fd, level, MCAST_JOIN_GROUP, &req, sizeof req);
	if (trace_on)
		trace_line("setsockopt(%d, %s, MCAST_JOIN_GROUP, %s on %s) %s", fd, level == IPPROTO_IPV6 ? "IPPROTO_IPV6" : "IPPROTO_IP",
			   addr_format(group, text, sizeof text), if_text(ifindex, name), trace_result(r, res, sizeof res));
	return r;
#else
	(void)fd, (void)group, (void)ifindex;
	errno = EOPNOTSUPP; /* a system whose headers (as socklab includes them) hide RFC 3678's call */
	return -1;
#endif
}

int sys_multicast_if(int fd, int family, unsigned ifindex)
{
	char res[96], name[IF_NAMESIZE + 8];
	int r;

	if (family == AF_INET6) {
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof ifindex);
	} else {
#if defined(__linux__)
		struct ip_mreqn m; /* Linux takes an interface index here */
		memset(&m, 0, sizeof m);
		m.imr_ifindex = (int)ifindex;
		r = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof m);
#elif defined(IP_MULTICAST_IFINDEX)
		r = setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IFINDEX, &ifindex, sizeof ifindex); /* macOS */
#else
		errno = EOPNOTSUPP; /* elsewhere IP_MULTICAST_IF wants an address: not written here */
		r = -1;
#endif
	}
	if (trace_on)
		trace_line("setsockopt(%d, %s, %s, %s) %s", fd, family == AF_INET6 ? "IPPROTO_IPV6" : "IPPROTO_IP",
			   family == AF_INET6 ? "IPV6_MULTICAST_IF" : "IP_MULTICAST_IF", if_text(ifindex, name),
			   trace_result(r, res, sizeof res));
	return r;
}
