/* rdt_wire.c - rdt's header: encode, decode with every bound checked, describe in one line, and its CRC-32C. */
#include "rdt_wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* CRC-32C of each byte value (reflected polynomial 0x82f63b78), as the bitwise loop in the tests computes it. */
static const uint32_t crc32c_table[256] = {
	0x00000000, 0xf26b8303, 0xe13b70f7, 0x1350f3f4, 0xc79a971f, 0x35f1141c, 0x26a1e7e8, 0xd4ca64eb,
	0x8ad958cf, 0x78b2dbcc, 0x6be22838, 0x9989ab3b, 0x4d43cfd0, 0xbf284cd3, 0xac78bf27, 0x5e133c24,
	0x105ec76f, 0xe235446c, 0xf165b798, 0x030e349b, 0xd7c45070, 0x25afd373, 0x36ff2087, 0xc494a384,
	0x9a879fa0, 0x68ec1ca3, 0x7bbcef57, 0x89d76c54, 0x5d1d08bf, 0xaf768bbc, 0xbc267848, 0x4e4dfb4b,
	0x20bd8ede, 0xd2d60ddd, 0xc186fe29, 0x33ed7d2a, 0xe72719c1, 0x154c9ac2, 0x061c6936, 0xf477ea35,
	0xaa64d611, 0x580f5512, 0x4b5fa6e6, 0xb93425e5, 0x6dfe410e, 0x9f95c20d, 0x8cc531f9, 0x7eaeb2fa,
	0x30e349b1, 0xc288cab2, 0xd1d83946, 0x23b3ba45, 0xf779deae, 0x05125dad, 0x1642ae59, 0xe4292d5a,
	0xba3a117e, 0x4851927d, 0x5b016189, 0xa96ae28a, 0x7da08661, 0x8fcb0562, 0x9c9bf696, 0x6ef07595,
	0x417b1dbc, 0xb3109ebf, 0xa0406d4b, 0x522bee48, 0x86e18aa3, 0x748a09a0, 0x67dafa54, 0x95b17957,
	0xcba24573, 0x39c9c670, 0x2a993584, 0xd8f2b687, 0x0c38d26c, 0xfe53516f, 0xed03a29b, 0x1f682198,
	0x5125dad3, 0xa34e59d0, 0xb01eaa24, 0x42752927, 0x96bf4dcc, 0x64d4cecf, 0x77843d3b, 0x85efbe38,
	0xdbfc821c, 0x2997011f, 0x3ac7f2eb, 0xc8ac71e8, 0x1c661503, 0xee0d9600, 0xfd5d65f4, 0x0f36e6f7,
	0x61c69362, 0x93ad1061, 0x80fde395, 0x72966096, 0xa65c047d, 0x5437877e, 0x4767748a, 0xb50cf789,
	0xeb1fcbad, 0x197448ae, 0x0a24bb5a, 0xf84f3859, 0x2c855cb2, 0xdeeedfb1, 0xcdbe2c45, 0x3fd5af46,
	0x7198540d, 0x83f3d70e, 0x90a324fa, 0x62c8a7f9, 0xb602c312, 0x44694011, 0x5739b3e5, 0xa55230e6,
	0xfb410cc2, 0x092a8fc1, 0x1a7a7c35, 0xe811ff36, 0x3cdb9bdd, 0xceb018de, 0xdde0eb2a, 0x2f8b6829,
	0x82f63b78, 0x709db87b, 0x63cd4b8f, 0x91a6c88c, 0x456cac67, 0xb7072f64, 0xa457dc90, 0x563c5f93,
	0x082f63b7, 0xfa44e0b4, 0xe9141340, 0x1b7f9043, 0xcfb5f4a8, 0x3dde77ab, 0x2e8e845f, 0xdce5075c,
	0x92a8fc17, 0x60c37f14, 0x73938ce0, 0x81f80fe3, 0x55326b08, 0xa759e80b, 0xb4091bff, 0x466298fc,
	0x1871a4d8, 0xea1a27db, 0xf94ad42f, 0x0b21572c, 0xdfeb33c7, 0x2d80b0c4, 0x3ed04330, 0xccbbc033,
	0xa24bb5a6, 0x502036a5, 0x4370c551, 0xb11b4652, 0x65d122b9, 0x97baa1ba, 0x84ea524e, 0x7681d14d,
	0x2892ed69, 0xdaf96e6a, 0xc9a99d9e, 0x3bc21e9d, 0xef087a76, 0x1d63f975, 0x0e330a81, 0xfc588982,
	0xb21572c9, 0x407ef1ca, 0x532e023e, 0xa145813d, 0x758fe5d6, 0x87e466d5, 0x94b49521, 0x66df1622,
	0x38cc2a06, 0xcaa7a905, 0xd9f75af1, 0x2b9cd9f2, 0xff56bd19, 0x0d3d3e1a, 0x1e6dcdee, 0xec064eed,
	0xc38d26c4, 0x31e6a5c7, 0x22b65633, 0xd0ddd530, 0x0417b1db, 0xf67c32d8, 0xe52cc12c, 0x1747422f,
	0x49547e0b, 0xbb3ffd08, 0xa86f0efc, 0x5a048dff, 0x8ecee914, 0x7ca56a17, 0x6ff599e3, 0x9d9e1ae0,
	0xd3d3e1ab, 0x21b862a8, 0x32e8915c, 0xc083125f, 0x144976b4, 0xe622f5b7, 0xf5720643, 0x07198540,
	0x590ab964, 0xab613a67, 0xb831c993, 0x4a5a4a90, 0x9e902e7b, 0x6cfbad78, 0x7fab5e8c, 0x8dc0dd8f,
	0xe330a81a, 0x115b2b19, 0x020bd8ed, 0xf0605bee, 0x24aa3f05, 0xd6c1bc06, 0xc5914ff2, 0x37faccf1,
	0x69e9f0d5, 0x9b8273d6, 0x88d28022, 0x7ab90321, 0xae7367ca, 0x5c18e4c9, 0x4f48173d, 0xbd23943e,
	0xf36e6f75, 0x0105ec76, 0x12551f82, 0xe03e9c81, 0x34f4f86a, 0xc69f7b69, 0xd5cf889d, 0x27a40b9e,
	0x79b737ba, 0x8bdcb4b9, 0x988c474d, 0x6ae7c44e, 0xbe2da0a5, 0x4c4623a6, 0x5f16d052, 0xad7d5351,
};

/* A byte at a time through the table: the textbook way, on any CPU. */
static uint32_t crc_table(uint32_t crc, const unsigned char *p, size_t len)
{
	while (len--)
		crc = (crc >> 8) ^ crc32c_table[(crc ^ *p++) & 0xff];
	return crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/*
 * x86 has CRC-32C as an instruction (SSE4.2's crc32, 8 bytes a step), one
 * reason SCTP and iSCSI chose this polynomial; the table runs at a few hundred
 * MB/s, which would cap rdt below what loopback carries.
 */
__attribute__((target("sse4.2"))) static uint32_t crc_instruction(uint32_t crc, const unsigned char *p, size_t len)
{
	unsigned long long c = crc, v;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
	}
	for (crc = (uint32_t)c; len > 0; len--)
		crc = __builtin_ia32_crc32qi(crc, *p++);
	return crc;
}

static int have_instruction(void) { return __builtin_cpu_supports("sse4.2"); }
#else
static uint32_t crc_instruction(uint32_t crc, const unsigned char *p, size_t len) { return crc_table(crc, p, len); }
static int have_instruction(void) { return 0; }
#endif

uint32_t rdt_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return ~(have_instruction() ? crc_instruction(~crc, buf, len) : crc_table(~crc, buf, len));
}

uint32_t rdt_crc32c_table(uint32_t crc, const void *buf, size_t len) { return ~crc_table(~crc, buf, len); }

static void put16(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const unsigned char *p) { return (uint16_t)(p[0] << 8 | p[1]); }

static uint32_t get32(const unsigned char *p) { return (uint32_t)get16(p) << 16 | get16(p + 2); }

size_t rdt_wire_encode(const struct rdt_header *h, void *out, size_t cap)
{
	unsigned char *p = out;
	size_t len = (h->flags & RDT_SYN) ? RDT_SYN_OPTIONS : h->len;

	if (cap < RDT_HEADER_SIZE || cap - RDT_HEADER_SIZE < len)
		return 0;
	p[0] = 'R';
	p[1] = 'D';
	p[2] = RDT_VERSION;
	p[3] = h->flags;
	put32(p + 4, h->conn);
	put32(p + 8, h->seq);
	put32(p + 12, h->ack);
	put32(p + 16, h->sack);
	put32(p + 20, h->held);
	put16(p + 24, h->wnd);
	put16(p + 26, (uint32_t)len);
	put32(p + 28, 0);
	if (h->flags & RDT_SYN) {
		unsigned char *o = p + RDT_HEADER_SIZE;
		o[0] = h->syn.arq;
		o[1] = h->syn.seqbits;
		put16(o + 2, h->syn.window);
		put16(o + 4, h->syn.payload);
		put16(o + 6, 0);
	} else if (len > 0) {
		memcpy(p + RDT_HEADER_SIZE, h->payload, len);
	}
	put32(p + 28, rdt_crc32c(0, p, RDT_HEADER_SIZE + len));
	return RDT_HEADER_SIZE + len;
}

/* The flag sets that mean something (the table in rdt_wire.h); any other is refused. */
static int flags_valid(unsigned f)
{
	unsigned base = f & ~(unsigned)RDT_SACK;

	if ((f & RDT_SACK) && !(f & RDT_ACK))
		return 0;
	if ((f & RDT_SACK) && (f & RDT_SYN))
		return 0;
	return base == RDT_SYN || base == (RDT_SYN | RDT_ACK) || base == RDT_ACK || base == (RDT_DATA | RDT_ACK) ||
	       base == (RDT_FIN | RDT_ACK) || f == RDT_RST;
}

/* The SYN's option bytes, checked for what any connection could use. */
static int decode_syn(const unsigned char *o, struct rdt_syn_options *s, const char **why)
{
	s->arq = o[0];
	s->seqbits = o[1];
	s->window = get16(o + 2);
	s->payload = get16(o + 4);
	if (s->arq < RDT_ARQ_SW || s->arq > RDT_ARQ_SR)
		return *why = "SYN: unknown arq mode", -1;
	if (s->seqbits < 1 || s->seqbits > 32)
		return *why = "SYN: seqbits not from 1 to 32", -1;
	if (s->window == 0 || s->payload == 0 || s->payload > RDT_PAYLOAD_MAX)
		return *why = "SYN: window or payload out of range", -1;
	if (get16(o + 6) != 0)
		return *why = "SYN: reserved option bytes not zero", -1;
	return 0;
}

int rdt_wire_decode(const void *buf, size_t len, struct rdt_header *h, const char **why)
{
	const unsigned char *p = buf;
	unsigned char zeroed[4] = { 0, 0, 0, 0 };

	memset(h, 0, sizeof *h);
	if (len < RDT_HEADER_SIZE)
		return *why = "shorter than the 32-byte header", -1;
	if (p[0] != 'R' || p[1] != 'D')
		return *why = "no \"RD\" magic", -1;
	if (p[2] != RDT_VERSION)
		return *why = "unknown version", -1;
	h->flags = p[3];
	h->conn = get32(p + 4);
	h->seq = get32(p + 8);
	h->ack = get32(p + 12);
	h->sack = get32(p + 16);
	h->held = get32(p + 20);
	h->wnd = get16(p + 24);
	h->len = get16(p + 26);
	if (h->len != len - RDT_HEADER_SIZE)
		return *why = "length field differs from the bytes that arrived", -1;
	uint32_t crc = rdt_crc32c(0, p, 28);
	crc = rdt_crc32c(crc, zeroed, 4);
	if (rdt_crc32c(crc, p + RDT_HEADER_SIZE, h->len) != get32(p + 28))
		return *why = "checksum mismatch", -1;
	if (!flags_valid(h->flags))
		return *why = "meaningless flags", -1;
	if (!(h->flags & RDT_SACK) && (h->sack || h->held))
		return *why = "sack or held without the SACK flag", -1;
	if (h->len > RDT_PAYLOAD_MAX || (h->len > 0 && !(h->flags & (RDT_DATA | RDT_SYN))))
		return *why = "payload where none belongs", -1;
	if ((h->flags & RDT_SYN) && (h->len != RDT_SYN_OPTIONS || decode_syn(p + RDT_HEADER_SIZE, &h->syn, why) < 0))
		return *why = h->len != RDT_SYN_OPTIONS ? "SYN without its 8 option bytes" : *why, -1;
	if (h->len > 0)
		h->payload = p + RDT_HEADER_SIZE;
	return 0;
}

const char *rdt_arq_name(unsigned arq)
{
	return arq == RDT_ARQ_SW ? "sw" : arq == RDT_ARQ_GBN ? "gbn" : arq == RDT_ARQ_SR ? "sr" : "?";
}

/* Appends to out as snprintf would, never past cap; o is how much is written so far. */
static size_t add(char *out, size_t cap, size_t o, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

static size_t add(char *out, size_t cap, size_t o, const char *fmt, ...)
{
	va_list ap;

	if (o >= cap)
		return o;
	va_start(ap, fmt);
	int n = vsnprintf(out + o, cap - o, fmt, ap);
	va_end(ap);
	return n < 0 ? o : o + (size_t)n;
}

/* " held=+1,+3..5": the bits of held as runs of packets past ack. */
static size_t add_held(char *out, size_t cap, size_t o, uint32_t held)
{
	const char *sep = " held=";

	for (unsigned i = 0; i < 32; i++) {
		if (!(held >> i & 1))
			continue;
		unsigned j = i;
		while (j + 1 < 32 && (held >> (j + 1) & 1))
			j++;
		o = i == j ? add(out, cap, o, "%s+%u", sep, i + 1) : add(out, cap, o, "%s+%u..%u", sep, i + 1, j + 1);
		sep = ",";
		i = j;
	}
	return o;
}

void rdt_wire_describe_header(const struct rdt_header *h, char *out, size_t cap)
{
	unsigned f = h->flags;
	const char *name = (f & RDT_SYN) ? ((f & RDT_ACK) ? "SYN-ACK" : "SYN")
			   : (f & RDT_DATA) ? "DATA" : (f & RDT_FIN) ? "FIN" : (f & RDT_RST) ? "RST" : "ACK";

	if (cap == 0)
		return;
	size_t o = add(out, cap, 0, "%s", name);
	if (f & (RDT_SYN | RDT_DATA | RDT_FIN))
		o = add(out, cap, o, " seq=%lu", (unsigned long)h->seq);
	if (f & RDT_ACK)
		o = add(out, cap, o, " ack=%lu wnd=%u", (unsigned long)h->ack, (unsigned)h->wnd);
	if (f & RDT_SACK)
		o = add_held(out, cap, add(out, cap, o, " sack=%lu", (unsigned long)h->sack), h->held);
	if (f & RDT_DATA)
		o = add(out, cap, o, " len=%u", (unsigned)h->len);
	if (f & (RDT_SYN | RDT_RST))
		o = add(out, cap, o, " conn=%08lx", (unsigned long)h->conn);
	if (f & RDT_SYN)
		add(out, cap, o, " arq=%s window=%u seqbits=%u payload=%u", rdt_arq_name(h->syn.arq),
		    (unsigned)h->syn.window, (unsigned)h->syn.seqbits, (unsigned)h->syn.payload);
}

int rdt_wire_describe(const void *buf, size_t len, char *out, size_t cap)
{
	struct rdt_header h;
	const char *why;

	if (rdt_wire_decode(buf, len, &h, &why) < 0) {
		if (cap > 0)
			snprintf(out, cap, "not rdt: %s", why);
		return -1;
	}
	rdt_wire_describe_header(&h, out, cap);
	return 0;
}
