/* io.h - the loops a correct client needs around send and recv: timeouts, whole replies, no deadlock. */
#ifndef SOCKLAB_IO_H
#define SOCKLAB_IO_H

#include <stddef.h>
#include <sys/types.h>

struct sock;

/*
 * Makes every blocking receive on s give up after timeout_ms (SO_RCVTIMEO);
 * the functions below then fail with SL_ETIMEDOUT_REPLY. 0 or -1.
 */
int sock_set_recv_timeout(struct sock *s, int timeout_ms);

/*
 * Receives one message (or, on a stream, what one recv returns) on a
 * blocking socket, turning a timeout into SL_ETIMEDOUT_REPLY.
 */
ssize_t sock_recv_reply(struct sock *s, void *buf, size_t len, int *truncated);

/*
 * Stream: receives exactly len bytes, calling recv as often as it takes (one
 * recv may return any part of what was sent). Returns 0, or -1 with errno:
 * SL_ETIMEDOUT_REPLY, SL_ESHORT (the peer closed first; *got says how much
 * came), or recv's error.
 */
int sock_recv_exact(struct sock *s, void *buf, size_t len, size_t *got);

/*
 * Stream: sends all outlen bytes of out while receiving exactly inlen bytes
 * into in, both at once. Doing them one after the other deadlocks once the
 * data outgrows the socket buffers: the peer stops reading because its
 * replies are not being read. Uses poll(2) on a non-blocking socket for the
 * duration, and leaves it blocking; timeout_ms bounds each wait for
 * progress. Returns as sock_recv_exact.
 */
int sock_exchange(struct sock *s, const void *out, size_t outlen, void *in, size_t inlen, size_t *got,
		  int timeout_ms);

/* The largest UDP payload: 65,535 less the IPv4 (20) and UDP (8) headers; IPv6 has no header in the count (RFC 8200). */
#define IO_UDP4_MAX 65507
#define IO_UDP6_MAX 65527

/*
 * The largest message s can send in one send(2): SIZE_MAX on a stream (no
 * messages), IO_UDP4_MAX or IO_UDP6_MAX for UDP, and for a unix message
 * socket what its send buffer allows, first raised toward want when that is
 * lower (the kernel caps it at net.core.wmem_max). 0 when it cannot be told
 * (errno). Makes system calls only for a unix message socket.
 */
size_t sock_message_max(struct sock *s, size_t want);

#endif
