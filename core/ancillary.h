/* ancillary.h - descriptors and credentials beside the bytes, for a struct sock: what only unix sockets carry. */
#ifndef SOCKLAB_ANCILLARY_H
#define SOCKLAB_ANCILLARY_H

#include "core/sys/sys_msg.h"
#include "core/transport.h"

/*
 * Thin wrappers over core/sys/sys_msg.h for code that holds a socket rather
 * than a descriptor. They work on every transport, and the kernel decides:
 * AF_UNIX sockets carry SCM_RIGHTS and SCM_CREDENTIALS; on TCP and UDP Linux
 * takes the bytes and ignores both without an error (net/core/sock.c,
 * __sock_cmsg_send: "SCM_RIGHTS and SCM_CREDENTIALS are semantically in
 * SOL_UNIX"), so a sender learns nothing and the receiver gets no descriptor.
 * These go straight to the kernel: an impaired endpoint's ?drop= and such do
 * not apply to them.
 */

/*
 * One sendmsg(2) of buf with nfds descriptors (SCM_RIGHTS) on s: to the
 * connected peer, or, on a datagram client, to the address it dialed.
 * Returns the bytes sent (a stream may take fewer), or -1 with errno.
 */
static inline ssize_t sock_send_fds(struct sock *s, const void *buf, size_t len, const int *fds, size_t nfds)
{
	return sys_send_fds(s->fd, buf, len, fds, nfds, sock_is_connected(s) ? NULL : &s->peer);
}

/*
 * The safe receive (sys_recv_ctl in sys_msg.h) on s: at most len bytes and
 * at most keep descriptors, the rest closed; from (may be NULL) says who sent
 * a datagram. Returns the bytes, or -1 with errno; *ctl holds what came.
 */
static inline ssize_t sock_recv_ctl(struct sock *s, void *buf, size_t len, struct addr *from, size_t keep,
				    struct sys_ctl *ctl)
{
	return sys_recv_ctl(s->fd, buf, len, 0, from, keep, ctl);
}

/*
 * SO_PEERCRED of s: the process at the other end when it connected (see
 * sys_peercred). Not ancillary data, but the other half of the lesson: who
 * connected, where SCM_CREDENTIALS says who sent each message.
 */
static inline int sock_peer_cred(struct sock *s, struct sys_cred *c)
{
	return sys_peercred(s->fd, c);
}

#endif
