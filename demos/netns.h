/* netns.h - a private network for one run: a network namespace socklab creates, and that ends with it. */
#ifndef SOCKLAB_NETNS_H
#define SOCKLAB_NETNS_H

#include <stddef.h>

/*
 * Moves the calling process (before it starts threads or children) into a
 * new network namespace of its own, with nothing in it but a loopback
 * interface, brought up. Nothing on the host changes: the namespace has its
 * own interfaces, addresses, routes, qdiscs and nftables rules, and the
 * kernel removes it when the last process in it exits (network_namespaces(7)).
 *
 * As root it is unshare(CLONE_NEWNET). Otherwise it is
 * unshare(CLONE_NEWUSER | CLONE_NEWNET), and the process becomes root of a
 * user namespace of its own (uid and gid 0 mapped to the caller's), which
 * gives it CAP_NET_ADMIN and CAP_NET_RAW over that network namespace only
 * (user_namespaces(7)): enough for packet sockets, tc and nftables there.
 *
 * Returns 0, or -1 with errno and, in why, one line a learner can act on:
 * what the kernel refused and, where it can tell, the setting that forbids
 * it (Ubuntu's kernel.apparmor_restrict_unprivileged_userns, Debian's old
 * kernel.unprivileged_userns_clone, user.max_user_namespaces) and how to
 * allow it. Traced under --trace.
 */
int netns_enter_private(char *why, size_t whylen);

/* 1 when this process is root of the user namespace netns_enter_private() made (not root on the host). */
int netns_unprivileged(void);

#endif
