/* transfer_send.h - what socklab send's two halves share: the sender, for streams (transfer_send_stream.c) and messages (transfer_send.c). */
#ifndef SOCKLAB_TRANSFER_SEND_H
#define SOCKLAB_TRANSFER_SEND_H

#include <stdint.h>

#include "core/transport.h"
#include "transfer_cli.h"

struct sender {
	const char *where;
	struct sock sock;
	int in;
	long long rate;  /* bytes per second; 0: as fast as the socket takes them */
	int timeout_ms;
	struct progress pg;
	unsigned long long bytes, calls, partial; /* what the kernel took: a send() that failed is not counted */
	uint32_t crc;    /* of those bytes */
};

/* Keeps the average rate at or under --rate by waiting when ahead of it. */
void sender_pace(const struct sender *s);

/*
 * The whole input over a stream (tcp, unix): framed for a socklab recv that
 * greets first (see transfer_proto.h), raw bytes for anything else. Prints
 * the report; returns the exit code: 0 when all was sent and, if framed,
 * the receiver confirmed every byte and the cksum.
 */
int send_stream_all(struct sender *s);

#endif
