/* fuzz_peer_table.c - fuzz target: the datagram session table, driven by bytes, checked against a plain array. */
#include <netinet/in.h>
#include <string.h>
#include <sys/un.h>

#include "core/engine/peer_table.h"
#include "fuzz.h"

#define SLOTS 80 /* entries the model can hold: more than the table's first 64 buckets, so that it grows */

/* A byte reader that returns 0 once the input is used up. */
struct bytes {
	const uint8_t *p;
	size_t left;
};

static uint8_t next(struct bytes *b)
{
	if (b->left == 0)
		return 0;
	b->left--;
	return *b->p++;
}

/* An address as recvfrom(2) could report it: IPv4, IPv6, a unix path, an abstract name, or no name. */
static void make_addr(struct bytes *b, struct addr *a)
{
	uint8_t kind = next(b) % 5;

	memset(a, 0, sizeof *a);
	if (kind == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		sin->sin_family = AF_INET;
		sin->sin_port = (in_port_t)(next(b) % 4); /* few values: equal addresses are common */
		sin->sin_addr.s_addr = next(b) % 4;
		a->len = sizeof *sin;
	} else if (kind == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = (in_port_t)(next(b) % 4);
		sin6->sin6_addr.s6_addr[15] = next(b) % 4;
		sin6->sin6_scope_id = next(b) % 2;
		sin6->sin6_flowinfo = next(b); /* not part of who the peer is */
		a->len = sizeof *sin6;
	} else {
		struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
		size_t n = next(b) % (sizeof sun->sun_path + 1);
		sun->sun_family = AF_UNIX;
		for (size_t i = 0; i < n; i++)
			sun->sun_path[i] = (char)(next(b) % 3); /* NULs, 1s and 2s: paths, abstract names, both */
		if (kind == 2 && n > 0 && sun->sun_path[0] == 0)
			sun->sun_path[0] = 'p';
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (kind == 4 ? 0 : n));
	}
}

int fuzz_peer_table(const uint8_t *data, size_t size)
{
	struct bytes b = { data, size };
	struct peer_table t;
	struct peer_entry slot[SLOTS];
	int in[SLOTS] = { 0 };
	size_t count = 0;

	peer_table_init(&t);
	for (int ops = 0; b.left > 0 && ops < 300; ops++) {
		uint8_t op = next(&b);
		struct addr a;
		make_addr(&b, &a);

		/* The model: which slot holds an equal address, if any. */
		int found = -1, free_slot = -1;
		for (int i = 0; i < SLOTS; i++) {
			if (in[i] && addr_equal(&slot[i].addr, &a))
				found = i;
			else if (!in[i] && free_slot < 0)
				free_slot = i;
		}
		FUZZ_CHECK(found < 0 || addr_hash(&slot[found].addr) == addr_hash(&a)); /* equal: the same hash */
		struct peer_entry *e = peer_table_find(&t, &a);
		FUZZ_CHECK(found < 0 ? e == NULL : e == &slot[found]);

		char text[ADDR_TEXT_MAX];
		FUZZ_CHECK(addr_format(&a, text, sizeof text) == text && strlen(text) < sizeof text);

		if (op % 3 == 0 && found < 0 && free_slot >= 0) {
			slot[free_slot].addr = a;
			if (peer_table_insert(&t, &slot[free_slot]) == 0)
				in[free_slot] = 1, count++;
		} else if (op % 3 == 1 && found >= 0) {
			peer_table_remove(&t, &slot[found]);
			in[found] = 0, count--;
			FUZZ_CHECK(peer_table_find(&t, &a) == NULL);
		}
		FUZZ_CHECK(t.count == count);
	}
	for (int i = 0; i < SLOTS; i++)
		if (in[i]) {
			FUZZ_CHECK(peer_table_find(&t, &slot[i].addr) == &slot[i]);
			peer_table_remove(&t, &slot[i]);
		}
	FUZZ_CHECK(t.count == 0);
	peer_table_free(&t);
	return 0;
}
