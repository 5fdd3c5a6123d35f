/* bench_raw.h - the plain socket calls of the benchmark's baseline, shared by its client and server files. */
#ifndef SOCKLAB_BENCH_RAW_H
#define SOCKLAB_BENCH_RAW_H

#include <errno.h>
#include <sys/socket.h>

#include "bench.h"

/* As core/sys/sys_private.h: where there is no MSG_NOSIGNAL (older macOS), bench ignores SIGPIPE (cli_on_stop), and a send gets EPIPE all the same. */
#ifdef MSG_NOSIGNAL
#define RAW_SEND_FLAGS MSG_NOSIGNAL
#else
#define RAW_SEND_FLAGS 0
#endif

/*
 * To be a fair baseline, every loop makes the system calls socklab's makes,
 * with the same flags and buffer sizes: send(MSG_NOSIGNAL) and recv() on a
 * stream, recvmsg() where socklab needs to see truncation or the sender,
 * sendto() for datagrams, each retried after EINTR. Only the indirection differs.
 */

static inline ssize_t raw_send(int fd, const void *b, size_t n)
{
	ssize_t r;
	do
		r = send(fd, b, n, RAW_SEND_FLAGS);
	while (r < 0 && errno == EINTR);
	return r;
}

static inline ssize_t raw_sendto(int fd, const void *b, size_t n, const struct addr *to)
{
	ssize_t r;
	do
		r = sendto(fd, b, n, RAW_SEND_FLAGS, (const struct sockaddr *)&to->ss, to->len);
	while (r < 0 && errno == EINTR);
	return r;
}

/* recv(2) on a stream; on a message transport recvmsg(2), filling from when asked, as socklab does. */
static inline ssize_t raw_recv(int fd, void *b, size_t n, int boundaries, struct addr *from)
{
	struct iovec iov = { .iov_base = b, .iov_len = n };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct addr tmp;
	ssize_t r;

	if (!boundaries) {
		do
			r = recv(fd, b, n, 0);
		while (r < 0 && errno == EINTR);
		return r;
	}
	from = from ? from : &tmp;
	msg.msg_name = &from->ss;
	do {
		msg.msg_namelen = sizeof from->ss;
		r = recvmsg(fd, &msg, 0);
	} while (r < 0 && errno == EINTR);
	from->len = msg.msg_namelen;
	return r;
}

static inline int send_all(int fd, const void *b, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = raw_send(fd, (const char *)b + done, n - done);
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static inline int recv_exact(int fd, void *b, size_t n, int boundaries)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = raw_recv(fd, (char *)b + got, n - got, boundaries, NULL);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/*
 * Many datagrams per system call (bench_raw_batch.c), as socklab's tables
 * make them. raw_send_batch: up to k datagrams of size bytes from buf to `to`
 * (UDP segmentation offload when udp and the kernel has it, else sendmmsg);
 * raw_recv_batch: up to n waiting datagrams into buf[i], their senders and
 * lengths (recvmmsg, MSG_WAITFORONE). Each returns how many, or -1 with errno.
 */
ssize_t raw_send_batch(int fd, int udp, void *buf, size_t size, size_t k, const struct addr *to);
ssize_t raw_recv_batch(int fd, unsigned char (*buf)[BENCH_UNIX_MSG], struct addr *from, size_t *len, size_t n);

#endif
