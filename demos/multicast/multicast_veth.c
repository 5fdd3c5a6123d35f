/* multicast_veth.c - a veth pair with addresses, made through rtnetlink in socklab's private namespace: `ip link add` in C. */
#ifdef __linux__
#define _GNU_SOURCE
#endif
#include "multicast.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "core/sys/trace.h"

#ifdef __linux__
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <unistd.h>

/* One rtnetlink request: a header, the family's own header, attributes after them. */
struct nlreq {
	struct nlmsghdr h;
	char body[512];
};

/* Appends attribute type with len bytes of data to r (no check beyond the buffer: requests here are small). */
static struct rtattr *put_attr(struct nlreq *r, unsigned short type, const void *data, size_t len)
{
	struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->h.nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h.nlmsg_len = NLMSG_ALIGN(r->h.nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

/* Closes a nested attribute opened by put_attr(..., NULL, 0): its length covers what came after it. */
static void end_nest(struct nlreq *r, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)r + r->h.nlmsg_len - (char *)nest);
}

/* Sends r and reads the kernel's acknowledgement. 0, or -1 with the errno the kernel answered. */
static int talk(int fd, struct nlreq *r, const char *what)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char reply[1024];
	int err = EPROTO;

	r->h.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (sendto(fd, r, r->h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		err = errno;
	else {
		ssize_t n;
		do
			n = recv(fd, reply, sizeof reply, 0);
		while (n < 0 && errno == EINTR);
		struct nlmsghdr *h = (struct nlmsghdr *)reply;
		if (n < 0)
			err = errno;
		else if (NLMSG_OK(h, (unsigned)n) && h->nlmsg_type == NLMSG_ERROR)
			err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
	}
	if (trace_on)
		trace_line("netlink(%d, %s) = %s%s", fd, what, err ? "-1 " : "0", err ? errno_name(err) : "");
	errno = err;
	return err ? -1 : 0;
}

/* RTM_NEWLINK: a veth pair, a and its peer b. */
static int add_veth(int fd, const char *a, const char *b)
{
	struct nlreq r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK,
				  .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL } };
	struct ifinfomsg peer = { .ifi_family = AF_UNSPEC };

	memset(r.body, 0, sizeof r.body);
	put_attr(&r, IFLA_IFNAME, a, strlen(a) + 1);
	struct rtattr *info = put_attr(&r, IFLA_LINKINFO, NULL, 0);
	put_attr(&r, IFLA_INFO_KIND, "veth", 4);
	struct rtattr *data = put_attr(&r, IFLA_INFO_DATA, NULL, 0);
	struct rtattr *p = put_attr(&r, VETH_INFO_PEER, &peer, sizeof peer);
	put_attr(&r, IFLA_IFNAME, b, strlen(b) + 1);
	end_nest(&r, p), end_nest(&r, data), end_nest(&r, info);
	return talk(fd, &r, "RTM_NEWLINK veth sl0, peer sl1");
}

/* RTM_NEWADDR: text/prefix on ifindex; a broadcast address for IPv4, no duplicate detection for IPv6. */
static int add_addr(int fd, unsigned ifindex, int family, const char *text, int prefix, const char *bcast)
{
	struct nlreq r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifaddrmsg)), .nlmsg_type = RTM_NEWADDR,
				  .nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL } };
	struct ifaddrmsg *ifa = NLMSG_DATA(&r.h);
	unsigned char bytes[16], bb[4];
	char what[96];

	memset(r.body, 0, sizeof r.body);
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_flags = family == AF_INET6 ? IFA_F_NODAD : 0; /* usable at once: no wait for duplicate detection */
	ifa->ifa_index = ifindex;
	if (inet_pton(family, text, bytes) != 1) {
		errno = EINVAL;
		return -1;
	}
	size_t len = family == AF_INET ? 4 : 16;
	put_attr(&r, IFA_LOCAL, bytes, len);
	put_attr(&r, IFA_ADDRESS, bytes, len);
	if (bcast && inet_pton(AF_INET, bcast, bb) == 1)
		put_attr(&r, IFA_BROADCAST, bb, 4);
	snprintf(what, sizeof what, "RTM_NEWADDR %s/%d%s%s", text, prefix, bcast ? " broadcast " : "", bcast ? bcast : "");
	return talk(fd, &r, what);
}

/* RTM_NEWLINK on an existing interface: up. */
static int link_up(int fd, unsigned ifindex, const char *name)
{
	struct nlreq r = { .h = { .nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg)), .nlmsg_type = RTM_NEWLINK } };
	struct ifinfomsg *ifi = NLMSG_DATA(&r.h);
	char what[48];

	memset(r.body, 0, sizeof r.body);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)ifindex;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	snprintf(what, sizeof what, "RTM_NEWLINK %s up", name);
	return talk(fd, &r, what);
}

int mcast_make_veth(struct mcast_net *net, char *why, size_t whylen)
{
	int fd = sys_socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), r = -1;
	const char *step = "open a netlink socket";

	memset(net, 0, sizeof *net);
	snprintf(net->ifname, sizeof net->ifname, "sl0");
	snprintf(net->v4, sizeof net->v4, "10.199.0.1");
	snprintf(net->v4_bcast, sizeof net->v4_bcast, "10.199.0.255");
	snprintf(net->v6, sizeof net->v6, "fd00:5c::1");
	if (fd < 0)
		goto out;
	step = "make a veth pair (is the veth module there?)";
	if (add_veth(fd, "sl0", "sl1") < 0 || (net->ifindex = if_nametoindex("sl0")) == 0)
		goto out;
	unsigned peer = if_nametoindex("sl1");
	step = "give sl0 its addresses";
	if (add_addr(fd, net->ifindex, AF_INET, net->v4, 24, net->v4_bcast) < 0 ||
	    add_addr(fd, net->ifindex, AF_INET6, net->v6, 64, NULL) < 0)
		goto out;
	step = "bring sl0 and sl1 up"; /* a veth has a carrier only while both ends are up */
	r = link_up(fd, net->ifindex, "sl0") < 0 || link_up(fd, peer, "sl1") < 0 ? -1 : 0;
out:;
	int saved = errno;
	if (fd >= 0)
		sys_close(fd);
	errno = saved;
	return r < 0 ? fail_why(why, whylen, "%s: %s", step, errno_text(saved)) : 0;
}

#else /* not Linux: no veth, no namespaces */

int mcast_make_veth(struct mcast_net *net, char *why, size_t whylen)
{
	memset(net, 0, sizeof *net);
	errno = ENOSYS;
	return fail_why(why, whylen, "a veth pair in a private namespace exists only on Linux: try --host");
}

#endif

void mcast_use_loopback(struct mcast_net *net)
{
	memset(net, 0, sizeof *net);
#ifdef __linux__
	snprintf(net->ifname, sizeof net->ifname, "lo");
#else
	snprintf(net->ifname, sizeof net->ifname, "lo0"); /* the BSDs' and macOS's name for it */
#endif
	net->ifindex = if_nametoindex(net->ifname);
	snprintf(net->v4, sizeof net->v4, "127.0.0.1");
	snprintf(net->v4_bcast, sizeof net->v4_bcast, "127.255.255.255");
	net->host = 1;
}
