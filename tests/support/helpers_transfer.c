/* helpers_transfer.c - files and receivers for the send/recv tests: seeded files, comparing them, starting recv. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/transfer/transfer_proto.h"
#include "helpers_transfer.h"

/* Writes len seeded random bytes to path; returns their cksum. */
uint32_t test_make_file(const char *path, size_t len, unsigned seed)
{
	char *buf = malloc(len ? len : 1);
	cr_assert(buf);
	test_fill_random(buf, len, seed);
	FILE *f = fopen(path, "wb");
	cr_assert(f && fwrite(buf, 1, len, f) == len && fclose(f) == 0, "write %s", path);
	uint32_t c = xfer_cksum(xfer_crc_update(0, buf, len), len);
	free(buf);
	return c;
}

/* 1 if the two files hold the same bytes. */
int test_same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
	static char ba[1 << 16], bb[1 << 16];
	int same = fa && fb;

	while (same) {
		size_t na = fread(ba, 1, sizeof ba, fa), nb = fread(bb, 1, sizeof bb, fb);
		same = na == nb && memcmp(ba, bb, na) == 0;
		if (na == 0)
			break;
	}
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	return same;
}

/* Starts `socklab recv [opts] ENDPOINT FILE` for t in dir. */
void test_start_recv(struct test_server *srv, const struct transport *t, const char *dir, const char *out)
{
	char ep[256];

	test_server_endpoint(t, dir, "recv", ep, sizeof ep);
	const char *argv[] = { "socklab", "recv", ep, out, NULL };
	cr_assert_eq(test_server_start(srv, argv), 0, "%s: recv did not start", t->scheme);
}
