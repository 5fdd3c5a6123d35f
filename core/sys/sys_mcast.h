/* sys_mcast.h - the traced calls of IP multicast: join a group on an interface, send a group's datagrams out of one. */
#ifndef SOCKLAB_SYS_MCAST_H
#define SOCKLAB_SYS_MCAST_H

#include "core/addr.h"

/*
 * setsockopt(MCAST_JOIN_GROUP) (RFC 3678, the same call for IPv4 and IPv6):
 * fd now receives the datagrams sent to group (an AF_INET or AF_INET6
 * address; its port is ignored) that arrive on interface ifindex. fd must be
 * bound to the group's port. 0 or -1 with errno (ENODEV: no such interface).
 */
int sys_join_group(int fd, const struct addr *group, unsigned ifindex);

/*
 * IP_MULTICAST_IF or IPV6_MULTICAST_IF: fd's datagrams to a group leave by
 * interface ifindex (without it, the routing table decides, and a host with
 * no default route has nowhere to send them). 0 or -1 with errno.
 */
int sys_multicast_if(int fd, int family, unsigned ifindex);

#endif
