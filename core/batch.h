/* batch.h - one message of a batch: what sock_send_batch() and sys_sendmmsg() take, many at a time. */
#ifndef SOCKLAB_BATCH_H
#define SOCKLAB_BATCH_H

#include <stddef.h>

#include "addr.h"

/*
 * A system call costs the same whether it moves one small datagram or many:
 * entering the kernel, checking the socket, returning. sendmmsg(2) and
 * recvmmsg(2) (Linux) take an array of messages and pay that once. socklab's
 * batch operations take an array of these; the kernel's struct mmsghdr is
 * built from it inside the traced wrappers (core/sys/sys_batch.c).
 */
struct sock_msg {
	void *buf;          /* send: the message; receive: where it goes */
	size_t len;         /* send: its length; receive: the room at buf */
	struct addr *addr;  /* send: where to (NULL: the socket's peer); receive: filled with the sender (may be NULL) */
	size_t got;         /* after the call: the bytes sent, or the received message's length (at most len) */
	int truncated;      /* receive: 1 when the message was longer than len (the kernel dropped the rest) */
};

/* The most messages one batch call moves; a longer array is taken in part (the call returns how many). */
#define SOCK_BATCH_MAX 64

#endif
