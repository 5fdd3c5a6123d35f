/* sys_pktinfo.c - a datagram's local address (IP_PKTINFO): recvfrom that says where it came to, sendto from there. */
#ifdef __linux__
#define _GNU_SOURCE /* struct in6_pktinfo (RFC 3542), which glibc shows only then */
#endif
#include "sys.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys_private.h"

/*
 * A server bound to 0.0.0.0 hears datagrams sent to any of the host's
 * addresses, and recvfrom(2) does not say which. A reply sent with plain
 * sendto(2) leaves from the address the route prefers, and a client that
 * sent to another address of the host (127.0.0.2, a second interface) takes
 * it for a stranger's. The control messages below carry the datagram's
 * destination in (IP_PKTINFO, IPV6_PKTINFO) and the reply's source out: ip(7),
 * ipv6(7), RFC 3542 section 6.
 */

/* "127.0.0.2" or "::1": a local address from packet info, which has no port. */
static const char *host_text(const struct addr *a, char *out, size_t len)
{
	const void *ip = a->ss.ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)&a->ss)->sin6_addr
						     : (const void *)&((const struct sockaddr_in *)&a->ss)->sin_addr;
	if (!inet_ntop(a->ss.ss_family, ip, out, (socklen_t)len))
		snprintf(out, len, "?");
	return out;
}

/* The destination address of a datagram, from its IP_PKTINFO or IPV6_PKTINFO control message. */
static void local_from_cmsg(struct msghdr *msg, struct addr *local)
{
	local->len = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
#ifdef IP_PKTINFO
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			struct sockaddr_in *sin = (struct sockaddr_in *)&local->ss;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			memset(sin, 0, sizeof *sin);
			sin->sin_family = AF_INET;
			/*
			 * ipi_spec_dst, "the local address of the packet" (ip(7)): the header's
			 * destination for a unicast datagram, a local address of the interface
			 * for a broadcast or multicast one, which no reply may come from.
			 */
			sin->sin_addr = pi.ipi_spec_dst;
			local->len = sizeof *sin;
		}
#endif
#ifdef IPV6_PKTINFO
		if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&local->ss;
			memcpy(&pi, CMSG_DATA(c), sizeof pi);
			memset(sin6, 0, sizeof *sin6);
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = pi.ipi6_addr; /* the header's destination */
			if (IN6_IS_ADDR_LINKLOCAL(&pi.ipi6_addr))
				sin6->sin6_scope_id = (uint32_t)pi.ipi6_ifindex; /* meaningful only with its interface */
			/* A group (or an IPv4 one, mapped) is no address to answer from: leave the kernel to choose. */
			int group = IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr) ||
				    (IN6_IS_ADDR_V4MAPPED(&pi.ipi6_addr) && (pi.ipi6_addr.s6_addr[12] & 0xf0) == 0xe0);
			local->len = group ? 0 : sizeof *sin6;
		}
#endif
	}
}

/*
 * A peer on a unix datagram socket may attach descriptors (SCM_RIGHTS) to
 * what it sends; once a control buffer is given to recvmsg(2), the kernel
 * installs them in this process. Nothing here wants them: close each one, so
 * that a client cannot fill the server's descriptor table.
 */
static void close_rights(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int rfd;
			memcpy(&rfd, CMSG_DATA(c) + i * sizeof(int), sizeof rfd);
			close(rfd);
		}
	}
}

ssize_t sys_recvfrom_local(int fd, void *buf, size_t len, int flags, struct addr *from, struct addr *local, int *truncated)
{
	char res[96], text[ADDR_TEXT_MAX], host[64];
	union { struct cmsghdr align; char buf[256]; } control;
	struct addr tmp;
	struct addr *f = from ? from : &tmp;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_name = &f->ss, .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	do {
		msg.msg_namelen = sizeof f->ss;
		msg.msg_control = local ? control.buf : NULL;
		msg.msg_controllen = local ? sizeof control.buf : 0;
		msg.msg_flags = 0;
#ifdef MSG_CMSG_CLOEXEC
		r = recvmsg(fd, &msg, flags | (local ? MSG_CMSG_CLOEXEC : 0)); /* never inherited, even for a moment */
#else
		r = recvmsg(fd, &msg, flags);
#endif
	} while (r < 0 && errno == EINTR);
	if (r >= 0 && local) {
		int saved = errno;
		close_rights(&msg);
		errno = saved;
	}
	f->len = r >= 0 ? msg.msg_namelen : 0;
	if (local) {
		local->len = 0;
		if (r >= 0)
			local_from_cmsg(&msg, local);
	}
	if (r >= 0 && from && msg.msg_namelen < sizeof(sa_family_t)) {
		/*
		 * An unbound unix datagram sender has no name, and the kernel then writes
		 * nothing, not even the family: take this socket's, so that
		 * addr_is_unnamed_unix() sees an unnamed AF_UNIX address, not stale bytes.
		 */
		struct sockaddr_storage self;
		socklen_t sl = sizeof self;
		f->ss.ss_family = getsockname(fd, (struct sockaddr *)&self, &sl) == 0 ? self.ss_family : AF_UNSPEC;
	}
	if (truncated)
		*truncated = r >= 0 && (msg.msg_flags & MSG_TRUNC);
	if (trace_on) {
		const char *trunc = r >= 0 && (msg.msg_flags & MSG_TRUNC) ? ", MSG_TRUNC" : "";
		/* Without from, this is recv(2) of one message (seqpacket): narrate it as that. */
		const char *name = from ? "recvfrom" : "recv"; /* recvmsg(2) underneath, named as what it does */
		if (r >= 0 && local && local->len)
			trace_line("recvmsg(%d, %zu %s) %s, from %s, local address %s (%s)%s", fd, BYTES(len), RESULT(r),
				   addr_format(f, text, sizeof text), host_text(local, host, sizeof host),
				   local->ss.ss_family == AF_INET6 ? "IPV6_PKTINFO" : "IP_PKTINFO", trunc);
		else if (r >= 0 && from)
			trace_line("%s(%d, %zu %s) %s, from %s%s", name, fd, BYTES(len), RESULT(r),
				   addr_format(f, text, sizeof text), trunc);
		else
			trace_line("%s(%d, %zu %s) %s%s", name, fd, BYTES(len), RESULT(r), trunc);
	}
	return r;
}

ssize_t sys_recvfrom(int fd, void *buf, size_t len, int flags, struct addr *from, int *truncated)
{
	return sys_recvfrom_local(fd, buf, len, flags, from, NULL, truncated);
}

/* The control message that makes a datagram leave from the local address from. Returns its length, 0 if none. */
static size_t pktinfo_cmsg(const struct addr *from, char *buf, size_t cap)
{
	struct msghdr msg = { .msg_control = buf, .msg_controllen = cap };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(buf, 0, cap);
#ifdef IP_PKTINFO
	if (from->ss.ss_family == AF_INET && c && cap >= CMSG_SPACE(sizeof(struct in_pktinfo))) {
		struct in_pktinfo pi = { .ipi_spec_dst = ((const struct sockaddr_in *)&from->ss)->sin_addr };
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		return CMSG_SPACE(sizeof pi);
	}
#endif
#ifdef IPV6_PKTINFO
	if (from->ss.ss_family == AF_INET6 && c && cap >= CMSG_SPACE(sizeof(struct in6_pktinfo))) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&from->ss;
		struct in6_pktinfo pi = { .ipi6_addr = sin6->sin6_addr, .ipi6_ifindex = sin6->sin6_scope_id };
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(c), &pi, sizeof pi);
		return CMSG_SPACE(sizeof pi);
	}
#endif
	return 0;
}

ssize_t sys_sendto_from(int fd, const void *buf, size_t len, const struct addr *to, const struct addr *from)
{
	char res[96], text[ADDR_TEXT_MAX], host[64];
	union { struct cmsghdr align; char buf[256]; } control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_name = (void *)&to->ss, .msg_namelen = to->len, .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t r;

	msg.msg_controllen = pktinfo_cmsg(from, control.buf, sizeof control.buf);
	msg.msg_control = msg.msg_controllen ? control.buf : NULL;
	do
		r = sendmsg(fd, &msg, SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	if (trace_on)
		trace_line("sendmsg(%d, %zu %s, %s, from %s (%s)) %s", fd, BYTES(len), addr_format(to, text, sizeof text),
			   host_text(from, host, sizeof host), from->ss.ss_family == AF_INET6 ? "IPV6_PKTINFO" : "IP_PKTINFO",
			   RESULT(r));
	return r;
}

int sys_want_local(int fd, int family)
{
	char res[96];
	int one = 1, r = 0;
	const char *name = "";

#if defined(IP_PKTINFO) && defined(IPV6_RECVPKTINFO)
	if (family == AF_INET6) {
		/* A dual-stack socket hears IPv4 too: it then reports the IPv4 address, mapped (::ffff:a.b.c.d). */
		name = "IPV6_RECVPKTINFO";
		r = setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof one);
	} else if (family == AF_INET) {
		name = "IP_PKTINFO";
		r = setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one);
	}
#else
	(void)fd, (void)family, (void)one; /* elsewhere the kernel picks the source of a reply */
#endif
	if (trace_on && name[0])
		trace_line("setsockopt(%d, %s, %s, 1) %s", fd, family == AF_INET6 ? "IPPROTO_IPV6" : "IPPROTO_IP", name,
			   RESULT(r));
	return r;
}

