/* udp.h - the udp transport's table, and what a transport built on its sockets (rdt) may ask beyond the table. */
#ifndef SOCKLAB_UDP_H
#define SOCKLAB_UDP_H

#include <sys/types.h>

#include "core/transport.h"

extern const struct transport udp_transport;

/*
 * UDP's receive offload on s (sys_set_udp_gro): datagrams that travelled
 * together are read as one, and cut again by size. Only for the udp
 * transport's own socket, not one the impairment layer wraps: that layer
 * must see, and decide, each datagram. From then on, read s only with
 * udp_recv_coalesced. 0, or -1: EINVAL (wrapped), ENOPROTOOPT (not here).
 */
int udp_coalesce(struct sock *s);

/*
 * What arrived at s (udp_coalesce'd) into buf: one or more datagrams one
 * after another, each *seg bytes but the last (sys_recv_coalesced). Blocks
 * as s does. Returns the bytes, or -1 with errno.
 */
ssize_t udp_recv_coalesced(struct sock *s, void *buf, size_t cap, size_t *seg, struct addr *from);

#endif
