/* fuzz_rdt_wire.c - fuzz target: rdt datagrams as they arrive from anyone, their one-line description, and rdt's options. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "transports/rdt/rdt.h"

/* Whatever decodes is canonical: encoding it again gives the very same bytes. */
static void check_decoded(const struct rdt_header *h, const uint8_t *data, size_t size)
{
	unsigned char again[RDT_HEADER_SIZE + RDT_PAYLOAD_MAX];
	char line[256], small[12];
	struct rdt_header h2;
	const char *why;

	FUZZ_CHECK(size == (size_t)RDT_HEADER_SIZE + h->len);
	FUZZ_CHECK(rdt_wire_encode(h, again, sizeof again) == size);
	FUZZ_CHECK(memcmp(again, data, size) == 0);
	FUZZ_CHECK(rdt_wire_decode(again, size, &h2, &why) == 0);
	FUZZ_CHECK(rdt_wire_describe(data, size, line, sizeof line) == 0);
	FUZZ_CHECK(strlen(line) < sizeof line && strlen(line) > 2);
	memset(small, 'x', sizeof small);
	rdt_wire_describe_header(h, small, sizeof small);
	FUZZ_CHECK(memchr(small, '\0', sizeof small) != NULL);
	FUZZ_CHECK(strncmp(small, line, strlen(small)) == 0);
	if (size > 0) { /* any one bit flipped: the checksum sees it */
		again[data[0] % size] ^= (unsigned char)(1u << (data[size - 1] % 8));
		FUZZ_CHECK(rdt_wire_decode(again, size, &h2, &why) < 0 && why && why[0]);
	}
}

/* The bytes as endpoint options: refused with a reason, or a config that passes its own check. */
static void check_options(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), why[256], mine[128], rest[128];
	struct rdt_config c;

	if (!text)
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	why[0] = '\0';
	if (rdt_config_parse(text, &c, why, sizeof why) == 0) {
		FUZZ_CHECK(rdt_config_check(&c, why, sizeof why) == 0);
		FUZZ_CHECK(c.window >= 1 && c.window <= RDT_WINDOW_MAX && c.seqbits >= 1 && c.seqbits <= 32);
	} else {
		FUZZ_CHECK(why[0] != '\0' && strlen(why) < sizeof why);
	}
	if (rdt_options_split(text, mine, sizeof mine, rest, sizeof rest) == 0)
		FUZZ_CHECK(strlen(mine) + strlen(rest) <= size + 1);
	free(text);
}

int fuzz_rdt_wire(const uint8_t *data, size_t size)
{
	struct rdt_header h;
	const char *why = NULL;
	char line[64];

	if (rdt_wire_decode(data, size, &h, &why) == 0)
		check_decoded(&h, data, size);
	else
		FUZZ_CHECK(why != NULL && why[0] != '\0' && rdt_wire_describe(data, size, line, sizeof line) < 0);
	check_options(data, size);
	return 0;
}
