/* addr.c - print, compare and hash socket addresses of every family socklab uses. */
#include "addr.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#ifdef __linux__
#include <linux/if_ether.h>    /* ETH_P_ALL, ETH_P_IP, ETH_P_IPV6 */
#include <netpacket/packet.h> /* struct sockaddr_ll: a packet socket's address (packet(7)) */
#endif

#define SUN_PATH_OFFSET offsetof(struct sockaddr_un, sun_path)

/* Bytes of sun_path that a's length covers (0 for an unnamed socket). */
static size_t unix_name_len(const struct addr *a)
{
	if (a->len <= SUN_PATH_OFFSET)
		return 0;
	size_t n = a->len - SUN_PATH_OFFSET;
	return n > sizeof(((struct sockaddr_un *)0)->sun_path) ? sizeof(((struct sockaddr_un *)0)->sun_path) : n;
}

/*
 * The bytes that name an AF_UNIX socket: all of them for an abstract name
 * (they may include NULs), up to the first NUL for a path. The kernel may
 * report a path's length with or without its NUL, so lengths alone differ.
 */
static size_t unix_name_bytes(const struct addr *a)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
	size_t n = unix_name_len(a);

	if (n > 0 && sun->sun_path[0] == '\0')
		return n;
	return strnlen(sun->sun_path, n);
}

int addr_is_unnamed_unix(const struct addr *a)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
	return a->ss.ss_family == AF_UNIX && (unix_name_len(a) == 0 || (sun->sun_path[0] == '\0' && unix_name_len(a) == 1));
}

#ifdef __linux__
/* A packet socket's address: the interface, the protocol, and, on a received frame, its direction. */
static void format_packet(const struct addr *a, char *out, size_t outlen)
{
	const struct sockaddr_ll *ll = (const struct sockaddr_ll *)&a->ss;
	static const char *const types[] = { "to this host", "broadcast", "multicast", "to another host", "outgoing" };
	unsigned proto = ntohs(ll->sll_protocol);
	char pname[16];

	snprintf(pname, sizeof pname, "0x%04x", proto);
	if (proto == ETH_P_ALL || proto == ETH_P_IP || proto == ETH_P_IPV6)
		snprintf(pname, sizeof pname, "%s", proto == ETH_P_ALL ? "ETH_P_ALL" : proto == ETH_P_IP ? "IPv4" : "IPv6");
	/* bind(2) leaves sll_hatype 0; the kernel fills it (and sll_pkttype) in a received frame's address. */
	if (ll->sll_hatype && ll->sll_pkttype < sizeof types / sizeof types[0])
		snprintf(out, outlen, "ifindex %d, %s, %s", ll->sll_ifindex, pname, types[ll->sll_pkttype]);
	else
		snprintf(out, outlen, "ifindex %d, %s", ll->sll_ifindex, pname);
}
#endif

/*
 * Writes a unix name after prefix ("@" for an abstract name, "" for a path),
 * escaping every byte a terminal would not just show (controls, DEL, and
 * anything outside ASCII) as \xNN: a peer chooses its own name, and a name
 * printed raw could carry escape sequences into the terminal that shows a log.
 */
static void format_unix_name(const char *prefix, const char *name, size_t n, char *out, size_t outlen)
{
	size_t o = (size_t)snprintf(out, outlen, "%s", prefix);

	if (o >= outlen)
		o = outlen - 1;
	for (size_t i = 0; i < n; i++) { /* cut short when out is full, never in the middle of an escape */
		unsigned char c = (unsigned char)name[i];
		int plain = c >= 0x20 && c < 0x7f;
		if (o + (plain ? 1 : 4) >= outlen)
			break;
		if (plain)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
	}
	out[o] = '\0';
}

const char *addr_format(const struct addr *a, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN];

	switch (a->ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&a->ss;
		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
		snprintf(out, outlen, "%s:%u", host, ntohs(sin->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&a->ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
		snprintf(out, outlen, "[%s]:%u", host, ntohs(sin6->sin6_port));
		break;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
		size_t n = unix_name_len(a);
		if (addr_is_unnamed_unix(a))
			snprintf(out, outlen, "(unbound)");
		else if (sun->sun_path[0] == '\0')
			format_unix_name("@", sun->sun_path + 1, n - 1, out, outlen);
		else
			format_unix_name("", sun->sun_path, strnlen(sun->sun_path, n), out, outlen);
		break;
	}
#ifdef __linux__
	case AF_PACKET:
		format_packet(a, out, outlen);
		break;
#endif
	default:
		snprintf(out, outlen, "(address family %d)", a->ss.ss_family);
	}
	return out;
}

int addr_equal(const struct addr *a, const struct addr *b)
{
	/* Fast path: the same bytes are the same address (every datagram a dialed socket receives asks). */
	if (a->len == b->len && memcmp(&a->ss, &b->ss, a->len) == 0)
		return 1;
	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	switch (a->ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;
		return x->sin6_port == y->sin6_port && x->sin6_scope_id == y->sin6_scope_id &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	default: {
		size_t n = unix_name_bytes(a);
		return n == unix_name_bytes(b) &&
		       memcmp(((const struct sockaddr_un *)&a->ss)->sun_path,
			      ((const struct sockaddr_un *)&b->ss)->sun_path, n) == 0;
	}
	}
}

/* FNV-1a over a byte range, folded into h. */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t addr_hash(const struct addr *a)
{
	uint64_t h = fnv1a(0xcbf29ce484222325ULL, &a->ss.ss_family, sizeof a->ss.ss_family);
	switch (a->ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *x = (const void *)&a->ss;
		h = fnv1a(h, &x->sin_port, sizeof x->sin_port);
		return fnv1a(h, &x->sin_addr, sizeof x->sin_addr);
	}
	case AF_INET6: {
		const struct sockaddr_in6 *x = (const void *)&a->ss;
		h = fnv1a(h, &x->sin6_port, sizeof x->sin6_port);
		h = fnv1a(h, &x->sin6_scope_id, sizeof x->sin6_scope_id);
		return fnv1a(h, &x->sin6_addr, sizeof x->sin6_addr);
	}
	default:
		return fnv1a(h, ((const struct sockaddr_un *)&a->ss)->sun_path, unix_name_bytes(a));
	}
}

unsigned addr_port(const struct addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}
