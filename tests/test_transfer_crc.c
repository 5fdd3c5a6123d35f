/* test_transfer_crc.c - send and recv's checksum: cksum(1)'s numbers, and its fast ways held to the plain bytewise CRC. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/transfer/transfer_crc.h"
#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers.h"

#define BIG (1u << 20) /* bytes of random data the fast paths are checked on */

TestSuite(transfer_crc, .timeout = 60);

/* The CRC as POSIX describes cksum(1): a bit at a time, polynomial 0x04C11DB7, highest bit first. */
static uint32_t bytewise(uint32_t crc, const unsigned char *p, size_t len)
{
	while (len--) {
		crc ^= (uint32_t)*p++ << 24;
		for (int k = 0; k < 8; k++)
			crc = crc & 0x80000000u ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
	}
	return crc;
}

static unsigned char *random_bytes(size_t len, unsigned seed)
{
	unsigned char *p = malloc(len);

	cr_assert_not_null(p);
	test_fill_random(p, len, seed);
	return p;
}

/* Numbers printed by cksum(1) itself (GNU coreutils 9.1), for fixed inputs. */
Test(transfer_crc, known_cksum_values)
{
	static const struct {
		const char *text;
		uint32_t cksum;
	} known[] = {
		{ "", 4294967295u },           /* printf '' | cksum */
		{ "a", 1220704766u },          /* printf a | cksum */
		{ "123456789", 930766865u },   /* printf 123456789 | cksum */
		{ "The quick brown fox jumps over the lazy dog", 2074844392u },
		{ "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		  3925871577u }, /* printf '%0100d' 0 | cksum: long enough for the fast path */
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		size_t n = strlen(known[i].text);
		cr_expect_eq(xfer_cksum(xfer_crc_update(0, known[i].text, n), n), known[i].cksum, "'%s'", known[i].text);
	}
}

/* Against the cksum program on this machine, for a few sizes around the fast path's steps. */
Test(transfer_crc, agrees_with_the_cksum_program)
{
	static const size_t sizes[] = { 63, 64, 65, 127, 128, 1000, 4096 + 17, 65536, BIG - 3 };
	unsigned char *data = random_bytes(BIG, 42);
	char dir[64], path[128];

	test_tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/data", dir);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		FILE *f = fopen(path, "wb");
		cr_assert_not_null(f);
		cr_assert_eq(fwrite(data, 1, sizes[i], f), sizes[i]);
		cr_assert_eq(fclose(f), 0);
		const char *argv[] = { "cksum", path, NULL };
		struct run_result r;
		cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
		cr_assert_eq(r.status, 0, "cksum: %s", r.err);
		unsigned long want = strtoul(r.out, NULL, 10);
		uint32_t got = xfer_cksum(xfer_crc_update(0, data, sizes[i]), sizes[i]);
		cr_expect_eq(got, want, "%zu bytes: %lu, cksum(1) says %lu", sizes[i], (unsigned long)got, want);
		test_run_free(&r);
	}
	test_rmdir(dir);
	free(data);
}

/* Every length up to 600 at every alignment mod 16, from a non-zero CRC: each way equals the bytewise one. */
Test(transfer_crc, every_length_and_alignment)
{
	unsigned char *data = random_bytes(700, 7);

	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len <= 600; len++) {
			uint32_t start = 0x9e3779b9u * (uint32_t)(len + 1), want = bytewise(start, data + off, len);
			cr_assert_eq(xfer_crc_slice8(start, data + off, len), want, "slice8: len %zu at +%zu", len, off);
			cr_assert_eq(xfer_crc_clmul(start, data + off, len), want, "clmul: len %zu at +%zu", len, off);
			cr_assert_eq(xfer_crc_update(start, data + off, len), want, "update: len %zu at +%zu", len, off);
		}
	free(data);
}

/* A megabyte, whole and in pieces of changing sizes: the same CRC every way. */
Test(transfer_crc, pieces_give_the_whole)
{
	unsigned char *data = random_bytes(BIG, 11);
	uint32_t want = bytewise(0, data, BIG), crc = 0;

	cr_expect_eq(xfer_crc_slice8(0, data, BIG), want);
	cr_expect_eq(xfer_crc_clmul(0, data, BIG), want);
	for (size_t at = 0, n = 1; at < BIG; at += n, n = n * 7 % 70001 + 1)
		crc = xfer_crc_update(crc, data + at, at + n > BIG ? BIG - at : n);
	cr_expect_eq(crc, want);
	free(data);
}

/* On this project's x86-64 machines the fast path must really run, or the tests above prove nothing about it. */
Test(transfer_crc, the_fast_path_is_tested_where_it_exists)
{
#if defined(__x86_64__) && defined(__linux__)
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	int has = 0;

	cr_assert_not_null(f);
	while (!has && fgets(line, sizeof line, f))
		has = strncmp(line, "flags", 5) == 0 && strstr(line, " pclmulqdq") && strstr(line, " ssse3");
	fclose(f);
	cr_expect_eq(xfer_crc_has_clmul(), has, "the CPU %s PCLMULQDQ", has ? "has" : "lacks");
#else
	cr_expect_eq(xfer_crc_has_clmul(), 0);
#endif
}
