/* transfer_recv_msgs.h - recv over a message transport: the inbox its reader (transfer_recv_msgs.c) and its ring (transfer_recv_ring.c) share. */
#ifndef SOCKLAB_TRANSFER_RECV_MSGS_H
#define SOCKLAB_TRANSFER_RECV_MSGS_H

#include <stddef.h>
#include <stdint.h>

#include "core/transport.h"
#include "transfer_cli.h"
#include "transfer_proto.h"

#define WINDOW 8192                    /* messages kept while an earlier one is missing... */
#define HELD_MAX (16 * 1024 * 1024)    /* ...and their bytes, at most: then the oldest gap is given up */

/* A message that came before an earlier one, waiting for the gap to fill. */
struct slot {
	char *data; /* its payload, NULL when the slot is empty */
	size_t len;
};

struct inbox {
	const struct recv_msgs_options *o;
	struct sock *s;
	const char *unit;          /* "datagrams", or "messages" on a connection */
	struct addr peer;          /* datagram: the sender being served */
	struct addr local;         /* datagram: the address it sent to; acknowledgements leave from there */
	int have_peer, have_end, failed;
	struct xfer_header end;    /* the sender's totals */
	struct xfer_tally tally;
	struct slot *ring;         /* out-of-order messages, by number modulo nslots */
	size_t nslots;
	size_t held;               /* bytes kept in ring, at most HELD_MAX */
	uint64_t next;             /* the number of the next message to write */
	uint64_t written;          /* bytes written, in order */
	uint32_t crc;
	uint64_t too_late;         /* came after the receiver had given up waiting for them: not received */
	uint64_t ignored;          /* not from this transfer */
	long long start_ms;
};

/* Makes in's ring: WINDOW empty slots. 0, or -1 ENOMEM. */
int inbox_ring_new(struct inbox *in);
/* Frees the ring and what it still holds. */
void inbox_ring_free(struct inbox *in);

/* The slot of message next goes out (written, or given up when empty), and is freed. */
void inbox_advance_slot(struct inbox *in);

/* The end: what still waits goes out in order, up to message sent; the gaps are given up. */
void inbox_flush(struct inbox *in, uint64_t sent);

/*
 * Message n, its payload: written now if it is the next one, else kept until
 * the ones before it come. What is kept is bounded, in messages (WINDOW) and
 * in bytes (HELD_MAX): past either, the oldest gap is given up, and a message
 * that fills it later is too late. Returns 0, or -1 when message n could not
 * be used (too late, or no memory to keep it): it was not received.
 */
int inbox_place(struct inbox *in, uint64_t n, const char *data, size_t len);

#endif
