/* outq.h - what a client has not yet taken: bytes for a stream, whole messages for the rest. */
#ifndef SOCKLAB_OUTQ_H
#define SOCKLAB_OUTQ_H

#include <stddef.h>
#include <stdint.h>

/*
 * A queue of bytes waiting for a socket with room. When records is set, it
 * holds whole messages (each stored behind its 4-byte length), so that the
 * boundaries a message transport keeps are kept here too; otherwise it is a
 * plain byte queue for a stream, where any prefix may be sent.
 */
struct outq {
	unsigned char *data;
	size_t head, tail, cap; /* queued bytes are data[head..tail) */
	int records;
};

/* Makes q empty; records: it holds whole messages (see above). Allocates nothing. */
void outq_init(struct outq *q, int records);
/* Frees what q holds and makes it empty again, keeping its kind. */
void outq_free(struct outq *q);

/* Appends len bytes (one message when records is set). 0, or -1 ENOMEM. */
int outq_push(struct outq *q, const void *buf, size_t len);

/* Bytes queued, with record headers: what counts against a client's limit. */
static inline size_t outq_size(const struct outq *q) { return q->tail - q->head; }
static inline int outq_empty(const struct outq *q) { return q->tail == q->head; }
/* Bytes allocated: what the queue costs in memory (it doubles as it grows, and is freed when it drains). */
static inline size_t outq_memory(const struct outq *q) { return q->cap; }

/* The front: a stream's queued bytes, or the first message. Sets *len. */
const void *outq_front(const struct outq *q, size_t *len);

/* Removes n bytes from the front (a stream), or the first message (records; n ignored). */
void outq_pop(struct outq *q, size_t n);

#endif
