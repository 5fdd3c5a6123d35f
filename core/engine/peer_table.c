/* peer_table.c - a chained hash table of datagram peers that doubles as it fills. */
#include "peer_table.h"

#include <stdlib.h>

void peer_table_init(struct peer_table *t)
{
	t->buckets = NULL;
	t->nbuckets = 0;
	t->count = 0;
}

void peer_table_free(struct peer_table *t)
{
	free(t->buckets);
	peer_table_init(t);
}

struct peer_entry *peer_table_find(const struct peer_table *t, const struct addr *addr)
{
	if (t->nbuckets == 0)
		return NULL;
	unsigned long long h = addr_hash(addr);
	for (struct peer_entry *e = t->buckets[h & (t->nbuckets - 1)]; e; e = e->next)
		if (e->hash == h && addr_equal(&e->addr, addr))
			return e;
	return NULL;
}

static int grow(struct peer_table *t)
{
	size_t n = t->nbuckets ? t->nbuckets * 2 : 64;
	struct peer_entry **b = calloc(n, sizeof *b);
	if (!b)
		return -1;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (struct peer_entry *e = t->buckets[i], *next; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = n;
	return 0;
}

int peer_table_insert(struct peer_table *t, struct peer_entry *e)
{
	/* Keep chains short: at most one entry per bucket on average. */
	if (t->count >= t->nbuckets && grow(t) < 0)
		return -1;
	e->hash = addr_hash(&e->addr);
	struct peer_entry **head = &t->buckets[e->hash & (t->nbuckets - 1)];
	e->next = *head;
	*head = e;
	t->count++;
	return 0;
}

void peer_table_remove(struct peer_table *t, struct peer_entry *e)
{
	for (struct peer_entry **p = &t->buckets[e->hash & (t->nbuckets - 1)]; *p; p = &(*p)->next)
		if (*p == e) {
			*p = e->next;
			t->count--;
			return;
		}
}

