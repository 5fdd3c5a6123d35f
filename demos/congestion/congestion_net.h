/* congestion_net.h - the bottleneck: sender, router and receiver namespaces, veth pairs, tbf, nftables loss. */
#ifndef SOCKLAB_CONGESTION_NET_H
#define SOCKLAB_CONGESTION_NET_H

#include <stddef.h>

#include "congestion.h"

/*
 *   sender ns               router ns                      receiver ns
 *   s0 10.0.1.1 ---veth--- s1 10.0.1.2   r1 10.0.2.1 ---veth--- r0 10.0.2.2
 *                                        tbf (rate, buffer)
 *                          nftables: --loss on forward
 *
 * The bottleneck is the router's queue toward the receiver, so the sender's
 * own queue (and TCP small queues, which limit what one socket may leave in
 * a qdisc of its own host) plays no part.
 */
enum { NET_ROUTER, NET_SENDER, NET_RECEIVER, NET_COUNT };

#define CONGESTION_RECEIVER_ADDR "10.0.2.2"

struct congestion_net {
	int ns[NET_COUNT]; /* open /proc/self/ns/net of each; -1 before */
};

/*
 * Checks that ip, tc and nft are installed and that each algorithm of o is
 * in this kernel (tcp_available_congestion_control; as root the kernel loads
 * a missing module by itself on first use). Touches nothing. Returns 0, or
 * -1 with one line in why.
 */
int congestion_net_check(const struct congestion_opts *o, char *why, size_t whylen);

/*
 * Moves this process into a private network namespace (netns_enter_private,
 * as root or through a user namespace), makes the two others, and builds
 * the picture above with ip, tc and nft, each run inside its namespace.
 * Nothing on the host changes; everything goes when this process and its
 * children end. Leaves the process in the sender's namespace. Returns 0, or
 * -1 with one line in why. Blocks while the tools run.
 */
int congestion_net_up(const struct congestion_opts *o, struct congestion_net *net, char *why, size_t whylen);

/* Moves this process into namespace which (NET_*). 0, or -1 with errno. */
int congestion_net_enter(const struct congestion_net *net, int which);

/* Closes the namespace fds (the namespaces go when nothing else holds them). */
void congestion_net_down(struct congestion_net *net);

#endif
