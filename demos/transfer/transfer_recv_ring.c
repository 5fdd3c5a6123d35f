/* transfer_recv_ring.c - recv's messages that came early, kept in bounds until the gap before them fills or is given up. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "demos/cli.h"
#include "transfer_recv_msgs.h"

/* Writes message next (or notes it missing) and moves on. */
static void advance(struct inbox *in, const char *data, size_t len, int have)
{
	if (have && !in->failed) {
		if (transfer_write_all(in->o->out, data, len) < 0) {
			cli_error("recv", errno, NULL, "write the data");
			in->failed = 1;
		}
		in->crc = xfer_crc_update(in->crc, data, len);
		in->written += len;
		progress_update(in->o->progress, in->written);
	}
	in->next++;
}

void inbox_advance_slot(struct inbox *in)
{
	struct slot *sl = &in->ring[in->next % in->nslots];

	advance(in, sl->data, sl->len, sl->data != NULL);
	in->held -= sl->data ? sl->len : 0;
	free(sl->data);
	sl->data = NULL;
}

static void drain_ring(struct inbox *in)
{
	while (in->ring[in->next % in->nslots].data)
		inbox_advance_slot(in);
}

int inbox_place(struct inbox *in, uint64_t n, const char *data, size_t len)
{
	if (n < in->next)
		return -1;
	while (n >= in->next + in->nslots || (n > in->next && in->held + len > HELD_MAX))
		inbox_advance_slot(in); /* no room to wait any longer: the oldest gap is given up */
	if (n == in->next) {
		advance(in, data, len, 1);
	} else {
		struct slot *sl = &in->ring[n % in->nslots];
		if (!(sl->data = malloc(len ? len : 1)))
			return -1;
		memcpy(sl->data, data, len);
		sl->len = len;
		in->held += len;
	}
	drain_ring(in);
	return 0;
}

int inbox_ring_new(struct inbox *in)
{
	in->nslots = WINDOW;
	in->ring = calloc(in->nslots, sizeof *in->ring);
	return in->ring ? 0 : -1;
}

void inbox_ring_free(struct inbox *in)
{
	for (size_t i = 0; in->ring && i < in->nslots; i++)
		free(in->ring[i].data);
	free(in->ring);
	in->ring = NULL;
	in->held = 0;
}

void inbox_flush(struct inbox *in, uint64_t sent)
{
	while (in->next < sent)
		inbox_advance_slot(in);
}
