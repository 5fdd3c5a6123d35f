/* transfer_proto.c - the transfer protocol (xfer_*): the header of send/recv's messages, the cksum(1) checksum, and the tally of what arrived. */
#include "transfer_proto.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char magic[4] = { 'S', 'L', 'X', '1' };

static void put32(unsigned char *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)v;
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

void xfer_encode(const struct xfer_header *h, unsigned char *out)
{
	memset(out, 0, XFER_HEADER_SIZE);
	memcpy(out, magic, sizeof magic);
	out[4] = (unsigned char)h->type;
	put64(out + 8, h->count);
	put64(out + 16, h->bytes);
	put32(out + 24, h->length);
	put32(out + 28, h->check);
	put32(out + 32, h->dups);
	put32(out + 36, h->late);
}

int xfer_decode(const void *buf, size_t len, struct xfer_header *h, const char **why)
{
	const unsigned char *p = buf;

	*why = NULL;
	if (len < XFER_HEADER_SIZE || memcmp(p, magic, sizeof magic) != 0)
		*why = "not a message of socklab send";
	else if (p[4] < XFER_DATA || p[4] > XFER_START || p[5] || p[6] || p[7])
		*why = "an unknown type of message";
	if (*why)
		return -1;
	h->type = (enum xfer_type)p[4];
	h->count = get64(p + 8);
	h->bytes = get64(p + 16);
	h->length = get32(p + 24);
	h->check = get32(p + 28);
	h->dups = get32(p + 32);
	h->late = get32(p + 36);
	size_t payload = len - XFER_HEADER_SIZE;
	if (h->length != (h->type == XFER_DATA ? payload : 0) || (h->type != XFER_DATA && payload != 0))
		*why = "its length is not what arrived";
	else if (h->count >= XFER_COUNT_MAX + (h->type == XFER_DATA ? 0 : 1))
		*why = "a message number beyond any transfer";
	else if (h->type == XFER_DATA && xfer_cksum(xfer_crc_update(0, p + XFER_HEADER_SIZE, payload), payload) != h->check)
		*why = "its payload was corrupted: the checksum differs";
	return *why ? -1 : 0;
}

/*
 * The CRC-32 of cksum(1): polynomial 0x04C11DB7, most significant bit first,
 * from 0. crc_table[0] is the classic byte-at-a-time table; crc_table[k] moves
 * a byte k more bytes along, so that eight bytes are taken per step
 * ("slicing-by-8"): several times faster, the same result.
 */
static uint32_t crc_table[8][256];

static void build_tables(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? (c << 1) ^ 0x04C11DB7u : c << 1;
		crc_table[0][i] = c;
	}
	for (int k = 1; k < 8; k++)
		for (int i = 0; i < 256; i++)
			crc_table[k][i] = (crc_table[k - 1][i] << 8) ^ crc_table[0][crc_table[k - 1][i] >> 24];
}

uint32_t xfer_crc_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t (*t)[256] = crc_table;

	if (t[0][1] == 0)
		build_tables();
	for (; len >= 8; p += 8, len -= 8) {
		crc ^= (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		crc = t[7][crc >> 24] ^ t[6][(crc >> 16) & 0xff] ^ t[5][(crc >> 8) & 0xff] ^ t[4][crc & 0xff] ^
		      t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
	}
	while (len--)
		crc = (crc << 8) ^ t[0][(crc >> 24) ^ *p++];
	return crc;
}

uint32_t xfer_cksum(uint32_t crc, uint64_t total)
{
	/* cksum(1) appends the length, least significant byte first, as few bytes as it takes. */
	for (; total; total >>= 8) {
		unsigned char b = (unsigned char)total;
		crc = xfer_crc_update(crc, &b, 1);
	}
	return ~crc;
}

static int seen(const struct xfer_tally *t, uint64_t n)
{
	return n < t->nbits && (t->seen[n / 8] >> (n % 8)) & 1;
}

int xfer_tally_add(struct xfer_tally *t, uint64_t n)
{
	if (n >= XFER_COUNT_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (n >= t->nbits) {
		uint64_t bits = t->nbits ? t->nbits : 8192;
		while (bits <= n)
			bits *= 2;
		unsigned char *p = realloc(t->seen, (size_t)(bits / 8));
		if (!p)
			return -1;
		memset(p + t->nbits / 8, 0, (size_t)((bits - t->nbits) / 8));
		t->seen = p;
		t->nbits = bits;
	}
	if (seen(t, n)) {
		t->dups++;
		return XFER_DUPLICATE;
	}
	t->seen[n / 8] |= (unsigned char)(1u << (n % 8));
	t->received++;
	if (n + 1 < t->next) {
		t->late++;
		return XFER_LATE;
	}
	t->next = n + 1;
	return XFER_NEW;
}

uint64_t xfer_tally_lost(const struct xfer_tally *t, uint64_t sent)
{
	uint64_t lost = 0;

	if (sent > XFER_COUNT_MAX)
		sent = XFER_COUNT_MAX;
	for (uint64_t n = 0; n < sent; n++)
		lost += !seen(t, n);
	return lost;
}

void xfer_tally_free(struct xfer_tally *t)
{
	free(t->seen);
	memset(t, 0, sizeof *t);
}
