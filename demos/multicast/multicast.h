/* multicast.h - socklab multicast: what its files share: the network it makes, the receivers, one datagram sent once. */
#ifndef SOCKLAB_MULTICAST_H
#define SOCKLAB_MULTICAST_H

#include <stddef.h>

#include "core/addr.h"

/* The most receivers one run makes. */
#define MCAST_RECEIVERS_MAX 64

/* Where the lesson runs: a veth pair in a private namespace, or the host's own loopback. */
struct mcast_net {
	char ifname[16];      /* the interface the group is joined on: "sl0", or "lo" */
	unsigned ifindex;
	char v4[16];          /* its IPv4 address: "10.199.0.1", "127.0.0.1" */
	char v4_bcast[16];    /* its IPv4 broadcast address: "10.199.0.255", "127.255.255.255" */
	char v6[48];          /* its IPv6 address, "" when the lesson has none */
	int host;             /* 1: the host's loopback, where IP_MULTICAST_LOOP changes nothing */
};

/*
 * In the private namespace netns_enter_private() made: a veth pair sl0 and
 * sl1 (sl0's packets leave to sl1, so a copy for this host is the loop's
 * alone), 10.199.0.1/24 with broadcast 10.199.0.255 and fd00:5c::1/64 on
 * sl0, both up; what `ip link add sl0 type veth peer name sl1` and `ip addr
 * add` do, through rtnetlink(7). Fills *net. 0, or -1 with errno and, in
 * why, the step that failed. Linux only (ENOSYS elsewhere).
 */
int mcast_make_veth(struct mcast_net *net, char *why, size_t whylen);

/* The host's loopback, changed in nothing: IPv4 only (lo carries no IPv6 multicast). */
void mcast_use_loopback(struct mcast_net *net);

/* Receivers of one address and port, and what each read. */
struct mcast_group {
	int family;                     /* AF_INET or AF_INET6 */
	struct addr to;                 /* the group (or broadcast address) and port the sender sends to */
	int fds[MCAST_RECEIVERS_MAX];
	size_t n;
};

/*
 * Opens n receivers bound to the address text (a group, or a broadcast
 * address) on one port the kernel picks, SO_REUSEADDR on each so that they
 * share it; join: each joins the group on net's interface. 0, or -1 with
 * errno and the step in why; closes what it opened on failure.
 */
int mcast_open(struct mcast_group *g, const struct mcast_net *net, const char *text, size_t n, int join, char *why,
	       size_t whylen);
void mcast_close(struct mcast_group *g);

/*
 * Reads what each receiver got: each waits up to ms for one datagram, prints
 * a line per receiver when verbose, and returns how many got one (-1 with
 * errno when a wait or a read failed).
 */
int mcast_collect(struct mcast_group *g, int ms, int verbose);

/* The lessons (multicast_lessons.c): a group, and a broadcast. Each returns 0 or an exit code it has printed. */
int mcast_group_lesson(const struct mcast_net *net, int family, size_t n);
int mcast_broadcast_lesson(const struct mcast_net *net, size_t n);

#endif
