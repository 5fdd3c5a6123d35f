/* fuzz_xfer.c - fuzz target: the headers of send/recv as they arrive from the network, the checksum, and the tally. */
#include <stdlib.h>
#include <string.h>

#include "demos/transfer/transfer_proto.h"
#include "fuzz.h"

#define TALLY_SPAN (8192 + 256) /* message numbers the tally model covers */

/* Whatever decodes must encode to a header that decodes the same. */
static void check_decoded(const struct xfer_header *h, size_t len)
{
	unsigned char again[XFER_HEADER_SIZE];
	struct xfer_header h2;
	const char *why;

	FUZZ_CHECK(h->type >= XFER_DATA && h->type <= XFER_START);
	FUZZ_CHECK(h->length == (h->type == XFER_DATA ? len - XFER_HEADER_SIZE : 0));
	FUZZ_CHECK(h->type != XFER_DATA || h->count < XFER_COUNT_MAX);
	if (h->type == XFER_DATA)
		return; /* its checksum covers a payload the header alone does not have */
	xfer_encode(h, again);
	FUZZ_CHECK(xfer_decode(again, sizeof again, &h2, &why) == 0);
	FUZZ_CHECK(h2.type == h->type && h2.count == h->count && h2.bytes == h->bytes && h2.check == h->check &&
		   h2.dups == h->dups && h2.late == h->late);
}

/* The same bytes made into a DATA message with a right length and checksum, to reach the accepting path. */
static void check_fixed_up(const uint8_t *data, size_t size)
{
	unsigned char *msg = malloc(XFER_HEADER_SIZE + size);
	struct xfer_header h = { .type = XFER_DATA, .length = (uint32_t)size }, got;
	const char *why;

	if (!msg || size > XFER_PAYLOAD_MAX) {
		free(msg);
		return;
	}
	memcpy(&h.count, data, size < 8 ? size : 8);
	h.count %= XFER_COUNT_MAX;
	h.check = xfer_cksum(xfer_crc_update(0, data, size), size);
	xfer_encode(&h, msg);
	memcpy(msg + XFER_HEADER_SIZE, data, size);
	FUZZ_CHECK(xfer_decode(msg, XFER_HEADER_SIZE + size, &got, &why) == 0);
	FUZZ_CHECK(got.count == h.count && got.length == size && got.check == h.check);
	if (size > 0) { /* one bit flipped anywhere in the payload: the checksum sees it */
		msg[XFER_HEADER_SIZE + data[0] % size] ^= (unsigned char)(1u << (data[size - 1] % 8));
		FUZZ_CHECK(xfer_decode(msg, XFER_HEADER_SIZE + size, &got, &why) < 0 && why);
	}
	free(msg);
}

/* The checksum does not depend on how the data is cut. */
static void check_crc(const uint8_t *data, size_t size)
{
	size_t cut = size ? data[0] % (size + 1) : 0;
	uint32_t whole = xfer_crc_update(0, data, size);
	FUZZ_CHECK(xfer_crc_update(xfer_crc_update(0, data, cut), data + cut, size - cut) == whole);
}

/* The tally against a plain array: new, late or duplicate, and the counts. */
static void check_tally(const uint8_t *data, size_t size)
{
	struct xfer_tally t = { 0 };
	static unsigned char seen[TALLY_SPAN];

	memset(seen, 0, sizeof seen);
	uint64_t highest = 0, received = 0, dups = 0, late = 0;

	for (size_t i = 0; i + 1 < size; i += 2) {
		/* Small numbers (counting lost ones takes a step per number); after 0xff, past the first 8192 bits. */
		uint64_t n = data[i] == 0xff ? 8192u + data[i + 1] : ((uint64_t)(data[i] & 1) << 8 | data[i + 1]);
		int kind = xfer_tally_add(&t, n);
		int want = seen[n] ? XFER_DUPLICATE : n + 1 < highest ? XFER_LATE : XFER_NEW;
		FUZZ_CHECK(kind == want);
		dups += seen[n] != 0;
		late += !seen[n] && n + 1 < highest;
		received += !seen[n];
		seen[n] = 1;
		if (n + 1 > highest)
			highest = n + 1;
	}
	FUZZ_CHECK(t.received == received && t.dups == dups && t.late == late && t.next == highest);
	/* Counting the lost takes a step per number: up to 600 here, and past its room once in a while. */
	uint64_t upto = size == 2 ? t.nbits + 100 : highest < 600 ? highest : 600, had = 0;
	for (uint64_t n = 0; n < upto && n < TALLY_SPAN; n++)
		had += seen[n];
	FUZZ_CHECK(xfer_tally_lost(&t, upto) == upto - had);
	FUZZ_CHECK(xfer_tally_add(&t, XFER_COUNT_MAX) < 0);
	xfer_tally_free(&t);
}

int fuzz_xfer(const uint8_t *data, size_t size)
{
	struct xfer_header h;
	const char *why = NULL;

	if (xfer_decode(data, size, &h, &why) == 0)
		check_decoded(&h, size);
	else
		FUZZ_CHECK(why != NULL && why[0] != '\0');
	check_fixed_up(data, size);
	check_crc(data, size);
	check_tally(data, size);
	return 0;
}
