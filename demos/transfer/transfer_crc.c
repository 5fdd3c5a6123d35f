/* transfer_crc.c - the cksum(1) CRC of send and recv: eight bytes per table step everywhere, 64 per step with PCLMULQDQ on x86-64. */
#include <stddef.h>
#include <stdint.h>

#include "transfer_crc.h"
#include "transfer_proto.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define CRC_CLMUL 1
#include <immintrin.h>
#endif

/*
 * The CRC-32 of cksum(1) (POSIX): polynomial P = x^32 + 0x04C11DB7, most
 * significant bit first, from 0, no reflection. crc_table[0] is the classic
 * byte-at-a-time table; crc_table[k] moves a byte k more bytes along, so that
 * eight bytes are taken per step ("slicing-by-8", Kounavis and Berry, Intel
 * 2005): a few times faster than a byte at a time, the same result.
 */
#define CRC_POLY 0x04C11DB7u
#define CLMUL_MIN 64 /* shorter pieces: the tables (the folding needs four 16-byte blocks to start) */

static uint32_t crc_table[8][256];
static uint64_t fold_512[2], fold_128[2]; /* x^D and x^(D+64) mod P, for folding across D = 512 and 128 bits */
static int ready, clmul;

/* x^n mod P: multiply by x n times, reducing as the x^32 term appears. */
static uint32_t xpow_mod(unsigned n)
{
	uint32_t r = 1;

	while (n--)
		r = r & 0x80000000u ? (r << 1) ^ CRC_POLY : r << 1;
	return r;
}

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;
		for (int k = 0; k < 8; k++)
			c = c & 0x80000000u ? (c << 1) ^ CRC_POLY : c << 1;
		crc_table[0][i] = c;
	}
	for (int k = 1; k < 8; k++)
		for (int i = 0; i < 256; i++)
			crc_table[k][i] = (crc_table[k - 1][i] << 8) ^ crc_table[0][crc_table[k - 1][i] >> 24];
	fold_512[0] = xpow_mod(512), fold_512[1] = xpow_mod(512 + 64);
	fold_128[0] = xpow_mod(128), fold_128[1] = xpow_mod(128 + 64);
#ifdef CRC_CLMUL
	__builtin_cpu_init();
	clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("ssse3");
#endif
	ready = 1;
}

uint32_t xfer_crc_slice8(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t (*t)[256] = crc_table;

	if (!ready)
		crc_init();
	for (; len >= 8; p += 8, len -= 8) {
		crc ^= (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
		crc = t[7][crc >> 24] ^ t[6][(crc >> 16) & 0xff] ^ t[5][(crc >> 8) & 0xff] ^ t[4][crc & 0xff] ^
		      t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
	}
	while (len--)
		crc = (crc << 8) ^ t[0][(crc >> 24) ^ *p++];
	return crc;
}

#ifdef CRC_CLMUL
/*
 * Folding (Gopal et al., "Fast CRC Computation for Generic Polynomials Using
 * PCLMULQDQ", Intel 2009). Read 16 bytes as a polynomial of degree < 128, the
 * first byte's top bit the highest term (hence the byte swap). A block A that
 * stands D bits before block B contributes A * x^D; with A = Ahi * x^64 + Alo,
 * A * x^D = Ahi * x^(D+64) + Alo * x^D, and each x^k may be replaced by
 * x^k mod P (32 bits) without changing the remainder mod P. Two carry-less
 * multiplications of 64 by 32 bits give a 96-bit value to add (xor) into B.
 * Four blocks are carried side by side, 64 bytes a step; at the end they are
 * folded into one, whose CRC the tables finish along with the tail.
 */
#define CLMUL_TARGET __attribute__((target("pclmul,ssse3")))

static inline CLMUL_TARGET __m128i fold(__m128i a, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11));
}

static CLMUL_TARGET uint32_t crc_clmul(uint32_t crc, const unsigned char *p, size_t len)
{
	const __m128i swap = _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
	const __m128i k512 = _mm_set_epi64x((long long)fold_512[1], (long long)fold_512[0]);
	const __m128i k128 = _mm_set_epi64x((long long)fold_128[1], (long long)fold_128[0]);
	__m128i x[4];
	unsigned char rest[16];

	for (int i = 0; i < 4; i++)
		x[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), swap);
	/* The CRC so far is the first 32 bits of the message xored in: crc * x^(8 len) = (crc * x^(8 len - 32)) * x^32. */
	x[0] = _mm_xor_si128(x[0], _mm_set_epi32((int)crc, 0, 0, 0));
	for (p += 64, len -= 64; len >= 64; p += 64, len -= 64)
		for (int i = 0; i < 4; i++)
			x[i] = _mm_xor_si128(fold(x[i], k512),
					     _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)), swap));
	for (int i = 1; i < 4; i++)
		x[i] = _mm_xor_si128(fold(x[i - 1], k128), x[i]);
	for (; len >= 16; p += 16, len -= 16)
		x[3] = _mm_xor_si128(fold(x[3], k128), _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), swap));
	/* What is left is congruent to the whole message mod P: its CRC from 0 is the message's. */
	_mm_storeu_si128((__m128i *)(void *)rest, _mm_shuffle_epi8(x[3], swap));
	return xfer_crc_slice8(xfer_crc_slice8(0, rest, sizeof rest), p, len);
}
#endif

int xfer_crc_has_clmul(void)
{
	if (!ready)
		crc_init();
	return clmul;
}

uint32_t xfer_crc_clmul(uint32_t crc, const void *buf, size_t len)
{
#ifdef CRC_CLMUL
	if (xfer_crc_has_clmul() && len >= CLMUL_MIN)
		return crc_clmul(crc, buf, len);
#endif
	return xfer_crc_slice8(crc, buf, len);
}

uint32_t xfer_crc_update(uint32_t crc, const void *buf, size_t len)
{
	return xfer_crc_clmul(crc, buf, len);
}

uint32_t xfer_cksum(uint32_t crc, uint64_t total)
{
	/* cksum(1) appends the length, least significant byte first, as few bytes as it takes. */
	for (; total; total >>= 8) {
		unsigned char b = (unsigned char)total;
		crc = xfer_crc_slice8(crc, &b, 1);
	}
	return ~crc;
}
