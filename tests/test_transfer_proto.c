/* test_transfer_proto.c - the transfer protocol (xfer_*): its header, its cksum(1) checksum, its tally, as pure functions. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/transfer/transfer_proto.h"
#include "tests/support/helpers.h"

Test(transfer_proto, header_round_trip)
{
	unsigned char msg[XFER_HEADER_SIZE + 5];
	struct xfer_header h = { XFER_DATA, 0x030201, 0x0102030405060708ULL, 5, 0, 0, 0 }, d;
	const char *why;

	memcpy(msg + XFER_HEADER_SIZE, "hello", 5);
	h.check = xfer_cksum(xfer_crc_update(0, "hello", 5), 5);
	xfer_encode(&h, msg);
	cr_expect(memcmp(msg, "SLX1\1\0\0\0\0\0\0\0\0\3\2\1\1\2\3\4\5\6\7\10", 24) == 0, "big-endian, after the magic");
	cr_assert_eq(xfer_decode(msg, sizeof msg, &d, &why), 0, "%s", why);
	cr_expect(d.type == XFER_DATA && d.count == h.count && d.bytes == h.bytes && d.length == 5 && d.check == h.check);
	struct xfer_header ack = { XFER_ACK, 10, 20, 0, 30, 40, 50 };
	xfer_encode(&ack, msg);
	cr_assert_eq(xfer_decode(msg, XFER_HEADER_SIZE, &d, &why), 0, "%s", why);
	cr_expect(d.type == XFER_ACK && d.count == 10 && d.bytes == 20 && d.check == 30 && d.dups == 40 && d.late == 50);
}

/* Every way a message can be wrong is refused, with its reason. */
Test(transfer_proto, bad_messages)
{
	unsigned char good[XFER_HEADER_SIZE + 4], bad[sizeof good];
	struct xfer_header h = { XFER_DATA, 3, 0, 4, xfer_cksum(xfer_crc_update(0, "data", 4), 4), 0, 0 }, d;
	const char *why;
	static const struct {
		size_t at, len; /* byte to change, and the length to decode */
		unsigned char value;
		const char *why;
	} cases[] = {
		{ 0, sizeof good, 'X', "not a message" },
		{ 0, XFER_HEADER_SIZE - 1, 'S', "not a message" },  /* too short */
		{ 4, sizeof good, 9, "an unknown type" },
		{ 4, sizeof good, 0, "an unknown type" },
		{ 6, sizeof good, 1, "an unknown type" },           /* reserved bytes must be zero */
		{ 27, sizeof good, 5, "its length" },                /* says 5, 4 came */
		{ 0, sizeof good - 1, 'S', "its length" },          /* 3 came */
		{ 8, sizeof good, 0xff, "a message number beyond" },
		{ 41, sizeof good, 'X', "its payload was corrupted" },
		{ 30, sizeof good, 0x55, "its payload was corrupted" }, /* the checksum itself */
	};

	memcpy(good + XFER_HEADER_SIZE, "data", 4);
	xfer_encode(&h, good);
	cr_assert_eq(xfer_decode(good, sizeof good, &d, &why), 0);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		memcpy(bad, good, sizeof good);
		bad[cases[i].at] = cases[i].value;
		why = NULL;
		cr_expect_eq(xfer_decode(bad, cases[i].len, &d, &why), -1, "case %zu decoded", i);
		cr_expect(why && strncmp(why, cases[i].why, strlen(cases[i].why)) == 0, "case %zu: %s", i, why ? why : "-");
	}
	struct xfer_header end = { XFER_END, 5, 0, 0, 0, 0, 0 };
	xfer_encode(&end, bad);
	cr_expect_eq(xfer_decode(bad, XFER_HEADER_SIZE + 1, &d, &why), -1, "END carries no payload");
}

/* The same numbers as cksum(1), whatever the pieces. */
Test(transfer_proto, cksum_is_posix_cksum)
{
	cr_expect_eq(xfer_cksum(0, 0), 4294967295u);                                     /* printf '' | cksum */
	cr_expect_eq(xfer_cksum(xfer_crc_update(0, "123456789", 9), 9), 930766865u);      /* printf 123456789 | cksum */
	char buf[1000];
	test_fill_random(buf, sizeof buf, 9);
	uint32_t whole = xfer_cksum(xfer_crc_update(0, buf, sizeof buf), sizeof buf), crc = 0;
	for (size_t at = 0, n = 1; at < sizeof buf; at += n, n = n % 17 + 1)
		crc = xfer_crc_update(crc, buf + at, at + n > sizeof buf ? sizeof buf - at : n);
	cr_expect_eq(xfer_cksum(crc, sizeof buf), whole);
}

Test(transfer_proto, tally_counts_from_sequence_numbers)
{
	struct xfer_tally t = { 0 };
	/* 0 1 3 2 3 5 1 20000: 2 came late, 3 and 1 twice, 4 and 6..19999 never. */
	static const uint64_t order[] = { 0, 1, 3, 2, 3, 5, 1, 20000 };
	static const int kind[] = { XFER_NEW, XFER_NEW, XFER_NEW, XFER_LATE, XFER_DUPLICATE, XFER_NEW, XFER_DUPLICATE, XFER_NEW };

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		cr_expect_eq(xfer_tally_add(&t, order[i]), kind[i], "message %llu", (unsigned long long)order[i]);
	cr_expect_eq(t.received, 6);
	cr_expect_eq(t.dups, 2);
	cr_expect_eq(t.late, 1);
	cr_expect_eq(xfer_tally_lost(&t, 6), 1);
	cr_expect_eq(xfer_tally_lost(&t, 20001), 20001 - 6);
	cr_expect_eq(xfer_tally_add(&t, XFER_COUNT_MAX), -1);
	cr_expect_eq(errno, EINVAL);
	xfer_tally_free(&t);
}
