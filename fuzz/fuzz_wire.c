/* fuzz_wire.c - fuzz target: captured frames as socklab wire decodes, reads and prints them, whatever their bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/wire/wire.h"
#include "fuzz.h"

/*
 * The input is a capture: records of a 4-byte header (the frame's length and
 * the microseconds since the last frame, both big-endian 16-bit) and the
 * frame's bytes, Ethernet header first. A first byte (before the records)
 * chooses whether a server listened. The seeds in fuzz/corpus/wire are real
 * captures of socklab wire (tcp, udp, refused, IPv6, loss), turned into
 * records from their --pcap files.
 */
#define FRAMES_MAX 512
#define LINE_MAX 79

static unsigned be16(const uint8_t *b) { return (unsigned)b[0] << 8 | b[1]; }

/* Every line of text shorter than max columns: the ladder and --explain promise 80-column terminals. */
static void check_lines(const char *text, size_t len, size_t max)
{
	size_t col = 0;

	for (size_t i = 0; i < len; i++) {
		col = text[i] == '\n' ? 0 : col + 1;
		FUZZ_CHECK(col <= max);
	}
}

/* The decoded packet may point into the frame only where the frame has bytes. */
static void check_packet(const struct wire_pkt *p, size_t len)
{
	if (p->proto == WIRE_OTHER) {
		FUZZ_CHECK(p->why != NULL);
		return;
	}
	FUZZ_CHECK(p->why == NULL);
	if (p->proto == WIRE_TCP || p->proto == WIRE_UDP) {
		FUZZ_CHECK(p->payload_off <= len);
		FUZZ_CHECK(p->truncated || p->payload_off + p->payload <= len);
	}
	if (p->proto == WIRE_TCP)
		FUZZ_CHECK(p->tcp_hlen >= 20 && p->tcp_hlen <= 60 && p->opt.wscale <= 255 && p->opt.sacks <= 4);
}

/* Prints the report in every format into memory, and checks the widths. */
static void print_all(const struct wire_report *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_CHECK(out != NULL);
	wire_print_ladder(out, r);
	wire_print_explain(out, r);
	FUZZ_CHECK(fflush(out) == 0);
	check_lines(text, len, LINE_MAX);
	wire_print_mermaid(out, r);
	wire_print_json(out, r);
	FUZZ_CHECK(fclose(out) == 0);
	free(text);
}

int fuzz_wire(const uint8_t *data, size_t size)
{
	static struct wire_frame frames[FRAMES_MAX];
	static struct wire_pkt pkts[FRAMES_MAX];
	static struct wire_note notes[FRAMES_MAX];
	static long long t_ns[FRAMES_MAX];
	struct wire_flow flow = { .listening = size > 0 && data[0] & 1 };
	size_t n = 0, off = size > 0 ? 1 : 0;
	long long t = 0;

	while (n < FRAMES_MAX && off + 4 <= size) {
		size_t len = be16(data + off);
		t += be16(data + off + 2) * 1000LL;
		off += 4;
		if (len > size - off)
			len = size - off; /* the last record may be cut short, as a capture can be */
		frames[n] = (struct wire_frame){ .caplen = (uint32_t)len, .wirelen = (uint32_t)len,
						 .bytes = (uint8_t *)(uintptr_t)(data + off) };
		wire_parse(data + off, len, &pkts[n]);
		check_packet(&pkts[n], len);
		t_ns[n++] = t;
		off += len;
	}
	wire_flow_analyze(&flow, pkts, t_ns, n, notes);
	FUZZ_CHECK(flow.packets + flow.aside == n);
	for (size_t i = 0; i < n; i++) {
		FUZZ_CHECK(notes[i].state[0] <= ST_TIME_WAIT && notes[i].state[1] <= ST_TIME_WAIT);
		FUZZ_CHECK(notes[i].acked_by < (int)n && (notes[i].acked_by < 0 || notes[i].rtt_ns >= 0));
	}
	struct wire_report r = {
		.scheme = "tcp", .scenario = "fuzz", .frames = frames, .pkts = pkts, .notes = notes, .t_ns = t_ns, .n = n,
		.flow = &flow, .loss_pct = -1, .nft_dropped = -1, .kernel_retrans = -1, .settled = 1, .where = "unprivileged",
	};
	print_all(&r);
	return 0;
}
