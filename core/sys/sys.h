/* sys.h - thin wrappers over the socket system calls: traced, EINTR handled, SIGPIPE-free. */
#ifndef SOCKLAB_SYS_H
#define SOCKLAB_SYS_H

#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/addr.h"
#include "core/batch.h"

/*
 * Every socket call in core/ and transports/ goes through these wrappers
 * (sys.c: a socket's life; sys_io.c: data and waiting), so that --trace can
 * narrate it and so that three rules hold everywhere:
 *
 *  - EINTR is handled: a call a signal interrupted is restarted, except
 *    close() (Linux has already closed the descriptor; retrying could close
 *    another thread's new one) and poll() (the caller decides, since a signal
 *    is often how a server learns it should stop).
 *  - Writing to a peer that has gone never raises SIGPIPE (MSG_NOSIGNAL, or
 *    SO_NOSIGPIPE where the platform has that instead): it returns EPIPE.
 *  - Each returns what the system call returns, -1 with errno on failure.
 */

/* socket(2), with close-on-exec set. Returns the descriptor or -1. */
int sys_socket(int domain, int type, int protocol);
/* setsockopt(2) for an int option; name is the option's name for the trace. */
int sys_setsockopt_int(int fd, int level, int option, const char *name, int value);
/* getsockopt(2) for an int option. Returns 0 and fills *value, or -1. */
int sys_getsockopt_int(int fd, int level, int option, const char *name, int *value);
/* getsockopt(2) of any option into value (*len bytes; *len is updated), name for the trace. 0 or -1. */
int sys_getsockopt(int fd, int level, int option, const char *name, void *value, socklen_t *len);
/*
 * ioctl(2) that reads an int about a socket: FIONREAD (bytes waiting to be
 * read), and on Linux SIOCOUTQ (bytes the sending side still holds). name
 * for the trace. 0 and *value, or -1.
 */
int sys_ioctl_int(int fd, unsigned long request, const char *name, int *value);
/* bind(2) and listen(2). */
int sys_bind(int fd, const struct addr *a);
int sys_listen(int fd, int backlog);
/* accept(2); fills *peer when non-NULL; the new descriptor is close-on-exec. */
int sys_accept(int fd, struct addr *peer);
/*
 * connect(2). Blocks until the handshake ends on a blocking socket. If a
 * signal interrupts it, the kernel goes on connecting in the background: this
 * waits for the outcome with poll(2) and reads it with SO_ERROR, as POSIX says.
 * On a non-blocking socket it returns -1 EINPROGRESS as connect(2) does.
 */
int sys_connect(int fd, const struct addr *a);
/*
 * connect(2) that waits at most timeout_ms for the handshake: the socket is
 * made non-blocking, connect() returns EINPROGRESS, poll(2) waits for it to
 * become writable (again after EINTR, with the time that is left), and
 * SO_ERROR gives the outcome; then it is blocking again. Returns 0, or -1
 * with errno: the handshake's error (ECONNREFUSED...), or ETIMEDOUT when the
 * time ran out first (the kernel's attempt is abandoned with the socket).
 */
int sys_connect_within(int fd, const struct addr *a, int timeout_ms);
/* send(2) with MSG_NOSIGNAL. May send less than len on a stream. */
ssize_t sys_send(int fd, const void *buf, size_t len);
/* recv(2). 0 means end of stream (the peer closed) on a stream socket. */
ssize_t sys_recv(int fd, void *buf, size_t len, int flags);
/* sendto(2) with MSG_NOSIGNAL; to NULL sends to the connected peer. */
ssize_t sys_sendto(int fd, const void *buf, size_t len, const struct addr *to);
/*
 * recvfrom(2), built on recvmsg(2) so it can also report truncation: when the
 * datagram was longer than len, *truncated becomes 1 (the rest is discarded by
 * the kernel). from and truncated may be NULL.
 */
ssize_t sys_recvfrom(int fd, void *buf, size_t len, int flags, struct addr *from, int *truncated);
/*
 * recvmsg(2): as sys_recvfrom, and when local is not NULL, the local address
 * the datagram arrived at (its destination, for a unicast one; for a
 * broadcast, an address of the interface), from its IP_PKTINFO/IPV6_PKTINFO
 * control message (asked for with sys_want_local); local->len is 0 when none
 * came, or when it names a multicast group, which nothing can answer from.
 */
ssize_t sys_recvfrom_local(int fd, void *buf, size_t len, int flags, struct addr *from, struct addr *local,
			   int *truncated);
/*
 * sendmsg(2): as sys_sendto, leaving from the local address from (its port
 * is ignored): an IP_PKTINFO/IPV6_PKTINFO control message sets the source, so
 * that a reply comes from the address the request was sent to.
 */
ssize_t sys_sendto_from(int fd, const void *buf, size_t len, const struct addr *to, const struct addr *from);
/*
 * setsockopt(IP_PKTINFO, or IPV6_RECVPKTINFO for an AF_INET6 socket, which
 * then reports IPv4 destinations too, mapped): each datagram received will
 * say which local address it was sent to. ip(7), ipv6(7), RFC 3542 6.1.
 * Does nothing where the system has neither. 0 or -1.
 */
int sys_want_local(int fd, int family);
/* shutdown(2): SHUT_RD, SHUT_WR or SHUT_RDWR. */
int sys_shutdown(int fd, int how);
/* close(2). Never retried: see above. */
int sys_close(int fd);
/* getsockname(2): the address fd is bound to, into *a. */
int sys_getsockname(int fd, struct addr *a);
/* Sets or clears O_NONBLOCK on fd. */
int sys_set_nonblocking(int fd, int on);
/*
 * setsockopt(SO_RCVTIMEO): a blocking receive on fd gives up after timeout_ms
 * (0: never) and fails with EAGAIN.
 */
int sys_set_recv_timeout(int fd, int timeout_ms);
/* poll(2), traced. Returns -1 EINTR when a signal arrives: the caller loops. */
int sys_poll(struct pollfd *fds, nfds_t n, int timeout_ms);
/* unlink(2), traced: socket files are files, and removing them is part of the lesson. */
int sys_unlink(const char *path);
/*
 * chmod(2) of path without following a symbolic link (fchmodat with
 * AT_SYMLINK_NOFOLLOW), traced: how a server widens its socket file's mode.
 * Returns 0, or -1 with errno (EOPNOTSUPP when path is a symlink).
 */
int sys_chmod(const char *path, mode_t mode);

/*
 * Waits until fd is readable (or writable, if for_write), for at most
 * timeout_ms milliseconds (-1: no limit). Returns 1 when ready, 0 on timeout,
 * -1 with errno. Retries after EINTR with the time that is left.
 */
int sys_wait(int fd, int for_write, int timeout_ms);

/* Milliseconds from a monotonic clock, for timeouts and idle sessions. */
long long sys_now_ms(void);

/* Sleeps ms milliseconds (nothing when ms <= 0); a signal does not cut the sleep short. Not traced. */
void sys_sleep_ms(long long ms);

/* getsockopt(SO_RCVTIMEO): the receive timeout of fd in milliseconds (0: none), or -1. */
int sys_get_recv_timeout(int fd);

/*
 * Sleeps ms milliseconds, or less: returns -1 at once when *stop is set,
 * before the sleep or after a signal handler interrupted it (the handler set
 * it: the process is being stopped, and a wait must not hold it up). 0 when
 * the whole time passed. stop may be NULL (then as sys_sleep_ms). Not traced.
 */
int sys_nap_ms(long long ms, const volatile sig_atomic_t *stop);

/*
 * Many messages per system call (sys_batch.c; struct sock_msg in core/batch.h).
 * Each takes at most SOCK_BATCH_MAX messages and fills every taken message's
 * got. Where the system has no sendmmsg/recvmmsg (macOS), they loop over
 * sys_sendto/sys_recvfrom instead, and the trace shows those calls.
 */

/*
 * sendmmsg(2) with MSG_NOSIGNAL: message i goes to m[i].addr, or to `to`
 * when that is NULL (to NULL too: the connected peer). Returns how many went
 * (from the first, in order), or -1 with errno when not even the first did.
 * Blocks like sendto(2).
 */
ssize_t sys_sendmmsg(int fd, struct sock_msg *m, size_t n, const struct addr *to);
/*
 * recvmmsg(2) with MSG_WAITFORONE: waits for one message as recvfrom(2) does
 * (not at all on a non-blocking socket), then takes only those already
 * queued. Fills got, truncated and, where m[i].addr is set, the sender.
 * Returns how many (>= 1), or -1 with errno (EAGAIN: nothing came in time).
 */
ssize_t sys_recvmmsg(int fd, struct sock_msg *m, size_t n);
/*
 * UDP segmentation offload (Linux 4.18, UDP_SEGMENT): one sendmsg(2) whose
 * payload is the n messages one after another, which the kernel cuts into
 * datagrams of seg bytes as late as it can (on loopback, as it delivers
 * them). Every message but the last must be exactly seg bytes long, the last
 * at most seg, and the whole at most UDP's 65,507 bytes. Returns n (all went
 * as one) or -1: EOPNOTSUPP where the system has no UDP_SEGMENT; EINVAL or
 * EIO when the kernel or the route refuses it (send them another way).
 */
ssize_t sys_send_segments(int fd, struct sock_msg *m, size_t n, size_t seg, const struct addr *to);
/*
 * UDP's receive offload (Linux 5.0, UDP_GRO): the socket takes datagrams
 * that travelled together (one sys_send_segments() on loopback, or a card's
 * GRO) as one. Every read of it must then be sys_recv_coalesced(): a plain
 * recv would get them glued. 0, or -1 with errno (ENOPROTOOPT: not here).
 */
int sys_set_udp_gro(int fd);
/*
 * recvmsg(2) on such a socket, blocking as the socket does: what arrived
 * into buf (cap bytes), one or more datagrams one after another, each *seg
 * bytes but the last (*seg is the whole when it was one datagram). Fills
 * *from (if not NULL) and *truncated (if not NULL: cap was too small, the
 * rest is lost). Returns the bytes, or -1 with errno. Without UDP_GRO, one
 * datagram, as recvfrom(2).
 */
ssize_t sys_recv_coalesced(int fd, void *buf, size_t cap, size_t *seg, struct addr *from, int *truncated);

#endif
