/* peer_table.h - datagram clients by address: a hash table from a peer's address to its entry. */
#ifndef SOCKLAB_PEER_TABLE_H
#define SOCKLAB_PEER_TABLE_H

#include <stddef.h>

#include "core/addr.h"

/*
 * A datagram server has one socket and learns who sent each datagram from
 * recvfrom(2). To keep a session per client it looks the address up here.
 * Entries are embedded in the caller's structure (an intrusive table): the
 * table never allocates an entry, only its bucket array.
 */
struct peer_entry {
	struct addr addr;
	struct peer_entry *next;
	unsigned long long hash;
};

struct peer_table {
	struct peer_entry **buckets;
	size_t nbuckets; /* a power of two, or 0 before the first insert */
	size_t count;
};

/* Makes t empty; nothing is allocated before the first insert. */
void peer_table_init(struct peer_table *t);
/* Frees the bucket array; the entries belong to the caller. */
void peer_table_free(struct peer_table *t);
/* The entry for addr, or NULL. */
struct peer_entry *peer_table_find(const struct peer_table *t, const struct addr *addr);
/* Adds e (e->addr set, not already in the table). 0, or -1 ENOMEM. */
int peer_table_insert(struct peer_table *t, struct peer_entry *e);
/* Removes e, which must be in the table. */
void peer_table_remove(struct peer_table *t, struct peer_entry *e);

#endif
