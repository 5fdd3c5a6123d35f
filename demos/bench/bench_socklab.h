/* bench_socklab.h - the two loops every benchmark path needs, written over socklab's interface. */
#ifndef SOCKLAB_BENCH_SOCKLAB_H
#define SOCKLAB_BENCH_SOCKLAB_H

#include "bench.h"

/*
 * The same loops as send_all() and recv_exact() in bench_raw.h, one wrapper
 * call where those make one system call: what is measured is the interface
 * (sock_send, sock_recv), not socklab's other helpers.
 */
static inline int send_all(struct sock *s, const void *b, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t r = sock_send(s, (const char *)b + done, n - done);
		if (r < 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static inline int recv_exact(struct sock *s, void *b, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = sock_recv(s, (char *)b + got, n - got, NULL);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

#endif
