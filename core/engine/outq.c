/* outq.c - a growable queue of pending output, freed when it drains. */
#include "outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define RECORD_HEADER sizeof(uint32_t)

void outq_init(struct outq *q, int records)
{
	memset(q, 0, sizeof *q);
	q->records = records;
}

void outq_free(struct outq *q)
{
	free(q->data);
	outq_init(q, q->records);
}

static int make_room(struct outq *q, size_t need)
{
	if (q->cap - q->tail >= need)
		return 0;
	/* Slide the queued bytes to the front before growing. */
	if (q->head > 0) {
		memmove(q->data, q->data + q->head, q->tail - q->head);
		q->tail -= q->head;
		q->head = 0;
		if (q->cap - q->tail >= need)
			return 0;
	}
	size_t cap = q->cap ? q->cap : 4096;
	while (cap - q->tail < need) {
		if (cap > SIZE_MAX / 2) {
			errno = ENOMEM;
			return -1;
		}
		cap *= 2;
	}
	unsigned char *d = realloc(q->data, cap);
	if (!d)
		return -1;
	q->data = d;
	q->cap = cap;
	return 0;
}

int outq_push(struct outq *q, const void *buf, size_t len)
{
	if (q->records && len > UINT32_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	if (make_room(q, len + (q->records ? RECORD_HEADER : 0)) < 0)
		return -1;
	if (q->records) {
		uint32_t n = (uint32_t)len;
		memcpy(q->data + q->tail, &n, sizeof n);
		q->tail += sizeof n;
	}
	if (len)
		memcpy(q->data + q->tail, buf, len);
	q->tail += len;
	return 0;
}

const void *outq_front(const struct outq *q, size_t *len)
{
	if (outq_empty(q)) {
		*len = 0;
		return NULL;
	}
	if (!q->records) {
		*len = q->tail - q->head;
		return q->data + q->head;
	}
	uint32_t n;
	memcpy(&n, q->data + q->head, sizeof n);
	*len = n;
	return q->data + q->head + sizeof n;
}

void outq_pop(struct outq *q, size_t n)
{
	if (q->records) {
		uint32_t m;
		memcpy(&m, q->data + q->head, sizeof m);
		n = sizeof m + m;
	}
	q->head += n;
	if (q->head == q->tail)
		outq_free(q); /* an idle client holds no buffer */
}
