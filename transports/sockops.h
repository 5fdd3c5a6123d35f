/* sockops.h - operations several transport tables share, as the kernel's tables share inet_* and unix_*. */
#ifndef SOCKLAB_SOCKOPS_H
#define SOCKLAB_SOCKOPS_H

#include "core/transport.h"

/* Every transport: getsockname(2), shutdown(2) (what the kernel says of it) and close(2). */
int sockops_getname(struct sock *s, struct addr *out);
int sockops_shutdown(struct sock *s, int how);
int sockops_close(struct sock *s);

/* Connected transports: listen(2), accept(2), send(2). */
int sockops_listen(struct sock *s, int backlog);
int sockops_accept(struct sock *s, struct sock *out);
ssize_t sockops_send(struct sock *s, const void *buf, size_t len);

/* Streams: recv(2); a message never exists, so nothing is ever truncated. */
ssize_t sockops_stream_recv(struct sock *s, void *buf, size_t len, int *truncated);
/* Seqpacket: recv(2) of one whole message, with truncation reported. */
ssize_t sockops_msg_recv(struct sock *s, void *buf, size_t len, int *truncated);

/*
 * Datagram transports: sendto(2)/recvfrom(2) to and from anyone; sendmsg(2)
 * and recvmsg(2) when the local address matters (see struct transport).
 */
ssize_t sockops_dgram_sendto(struct sock *s, const void *buf, size_t len, const struct addr *to,
			     const struct addr *from);
ssize_t sockops_dgram_recvfrom(struct sock *s, void *buf, size_t len, struct addr *from, struct addr *local,
			       int *truncated);
/* A datagram client: sendto(2) the dialed peer; recvfrom(2) that ignores anyone else. */
ssize_t sockops_dgram_send(struct sock *s, const void *buf, size_t len);
ssize_t sockops_dgram_recv(struct sock *s, void *buf, size_t len, int *truncated);

/* socket(2) with the transport's type in a's family, into s->fd. */
int sockops_socket(struct sock *s, const struct addr *a);
/* A connected transport's dial: socket(2), then connect(2). */
int sockops_connect(struct sock *s, const struct addr *a);

/*
 * bind(2) for an IPv4/IPv6 socket. An IPv6 socket is made dual-stack first
 * (IPV6_V6ONLY off), so that a server on [::] also answers IPv4 clients.
 */
int sockops_inet_bind(struct sock *s, const struct addr *a);

#endif
