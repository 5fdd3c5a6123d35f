/* load_client.c - what every load client shares, streams and messages alike: its messages' bytes, its place in the loop, its end. */
#include <string.h>

#include "load.h"
#include "load_run.h"

/*
 * The messages. Message m of client c has a size and contents that depend only
 * on (seed, c, m), so the sender makes them up and the checker makes them up
 * again: nothing sent is kept in memory.
 */

#define CHECK_CHUNK 4096 /* bytes made up at a time to compare against */

/* splitmix64's finalizer: a cheap, well-mixed 64-bit hash. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Depends only on (seed, c, m): the sender and the checker agree without keeping anything. */
uint64_t load_key(const struct load_options *o, unsigned c, unsigned m)
{
	return mix(o->seed ^ mix(((uint64_t)c << 32) | m));
}

size_t load_size(const struct load_options *o, uint64_t key)
{
	uint64_t span = (uint64_t)(o->size_max - o->size_min) + 1;

	return o->size_min + (size_t)(mix(key ^ 0x51ce5) % span);
}

/* Byte k of a message is byte k % 8 of mix(key + k / 8): any range can be made up on its own. */
void load_fill(uint64_t key, size_t off, unsigned char *out, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t k = off + i;
		uint64_t w = mix(key + k / 8);
		for (unsigned j = (unsigned)(k % 8); j < 8 && i < len; j++, i++)
			out[i] = (unsigned char)(w >> (8 * j));
	}
}

int load_check(uint64_t key, size_t off, const unsigned char *data, size_t len)
{
	unsigned char want[CHECK_CHUNK];

	for (size_t done = 0; done < len;) {
		size_t n = len - done < CHECK_CHUNK ? len - done : CHECK_CHUNK;
		load_fill(key, off + done, want, n);
		if (memcmp(want, data + done, n) != 0)
			return 0;
		done += n;
	}
	return 1;
}

/* Watch the client's socket for ev; remember it, so that an unchanged interest costs no system call. */
void load_client_watch(struct load_run *run, struct load_client *c, unsigned ev)
{
	if (ev != c->events && poller_mod(run->poller, c->sock.fd, ev) == 0)
		c->events = ev;
}

void load_client_done(struct load_run *run, struct load_client *c)
{
	if (c->done)
		return;
	c->done = 1;
	run->ndone++;
	poller_del(run->poller, c->sock.fd);
	c->events = 0;
}

void load_client_fail(struct load_run *run, struct load_client *c, const char *op, int err)
{
	struct load_result *r = run->r;

	if (!r->err) {
		r->err = err;
		r->err_client = c->id;
		r->err_op = op;
	}
	r->failed++;
	r->lost += c->next_send - c->finished;      /* sent, and never back whole: lost with the client */
	r->unsent += run->o->messages - c->next_send; /* never sent: not lost, not counted sent */
	c->finished = run->o->messages;
	load_client_done(run, c);
}

/* A message came back whole (or is given up for lost): the window has room again. */
void load_client_finish(struct load_run *run, struct load_client *c, unsigned long long *counter)
{
	(*counter)++;
	if (++c->finished == run->o->messages)
		load_client_done(run, c);
}

void load_client_block(struct load_run *run, struct load_client *c)
{
	if (!c->blocked) {
		c->blocked = 1;
		run->blocked[run->nblocked++] = c;
	}
}
