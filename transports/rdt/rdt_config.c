/* rdt_config.c - rdt's options as a table, their parser, and the rules a configuration must keep. */
#include "rdt_config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"

#define MS 1000LL /* the config keeps microseconds; options speak milliseconds */

/* What each option takes, as data: the parser and its messages come from this table. */
enum kind { KIND_ARQ, KIND_CC, KIND_COUNT, KIND_MS };

static const struct option {
	const char *name;
	enum kind kind;
	size_t offset;             /* where the value goes in struct rdt_config */
	unsigned long long lo, hi; /* KIND_COUNT, KIND_MS: the range */
	const char *example;       /* for messages: what a right value looks like */
} options[] = {
	{ "arq", KIND_ARQ, offsetof(struct rdt_config, arq), 0, 0, "arq=gbn for Go-Back-N" },
	{ "window", KIND_COUNT, offsetof(struct rdt_config, window), 1, RDT_WINDOW_MAX,
	  "window=32 keeps up to 32 packets in flight" },
	{ "seqbits", KIND_COUNT, offsetof(struct rdt_config, seqbits), 1, 32,
	  "seqbits=3 numbers packets 0 to 7 and round again" },
	{ "sndbuf", KIND_COUNT, offsetof(struct rdt_config, sndbuf), 1, RDT_SNDBUF_MAX,
	  "sndbuf=64 queues 64 messages beyond the window" },
	{ "rcvbuf", KIND_COUNT, offsetof(struct rdt_config, rcvbuf), 0, RDT_SNDBUF_MAX,
	  "rcvbuf=64 keeps 64 unread messages before the window closes" },
	{ "payload", KIND_COUNT, offsetof(struct rdt_config, payload), 1, RDT_PAYLOAD_MAX,
	  "payload=1400 allows messages of up to 1400 bytes" },
	{ "rto_init", KIND_MS, offsetof(struct rdt_config, rto_init), 1, 60000, "rto_init=100 waits 100 ms at first" },
	{ "rto_min", KIND_MS, offsetof(struct rdt_config, rto_min), 1, 60000, "rto_min=10 never waits less than 10 ms" },
	{ "rto_max", KIND_MS, offsetof(struct rdt_config, rto_max), 1, 60000, "rto_max=1000 never waits more than 1 s" },
	{ "retries", KIND_COUNT, offsetof(struct rdt_config, retries), 1, 100,
	  "retries=8 gives up after 8 retransmissions in a row" },
	{ "cc", KIND_CC, offsetof(struct rdt_config, cc), 0, 0, "cc=aimd adds a congestion window" },
};
#define N_OPTIONS (sizeof options / sizeof options[0])

void rdt_config_default(struct rdt_config *c)
{
	memset(c, 0, sizeof *c);
	c->arq = RDT_ARQ_SR;
	c->window = 32;
	c->seqbits = 32;
	c->sndbuf = 64;
	c->rcvbuf = 64;
	c->payload = 1400;
	c->rto_init = 100 * MS;
	c->rto_min = 10 * MS;
	c->rto_max = 1000 * MS;
	c->granularity = 1 * MS;
	c->retries = 8;
	c->ack_every = 1;
	c->cc = RDT_CC_NONE;
}

/* A decimal number of digits only, from lo to hi. */
static int parse_number(const char *v, size_t n, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
	unsigned long long x = 0;

	if (n == 0 || n > 12)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int is(const char *v, size_t n, const char *word) { return strlen(word) == n && memcmp(v, word, n) == 0; }

/* Stores one option's value in *c. Returns 0, or -1 when the value does not fit the option. */
static int set_value(const struct option *o, const char *v, size_t n, struct rdt_config *c)
{
	void *field = (char *)c + o->offset;
	unsigned long long u;

	switch (o->kind) {
	case KIND_ARQ:
		if (!is(v, n, "sw") && !is(v, n, "gbn") && !is(v, n, "sr"))
			return -1;
		*(enum rdt_arq *)field = is(v, n, "sw") ? RDT_ARQ_SW : is(v, n, "gbn") ? RDT_ARQ_GBN : RDT_ARQ_SR;
		return 0;
	case KIND_CC:
		if (!is(v, n, "none") && !is(v, n, "aimd"))
			return -1;
		*(enum rdt_cc *)field = is(v, n, "aimd") ? RDT_CC_AIMD : RDT_CC_NONE;
		return 0;
	case KIND_COUNT:
		if (parse_number(v, n, o->lo, o->hi, &u) < 0)
			return -1;
		*(unsigned *)field = (unsigned)u;
		return 0;
	case KIND_MS:
		if (parse_number(v, n, o->lo, o->hi, &u) < 0)
			return -1;
		*(long long *)field = (long long)u * MS;
		return 0;
	}
	return -1;
}

/* What a kind takes, for the message about a bad value. */
static void describe_range(const struct option *o, char *buf, size_t len)
{
	if (o->kind == KIND_ARQ)
		snprintf(buf, len, "sw, gbn or sr");
	else if (o->kind == KIND_CC)
		snprintf(buf, len, "none or aimd");
	else
		snprintf(buf, len, "%s from %llu to %llu", o->kind == KIND_MS ? "milliseconds" : "a whole number", o->lo,
			 o->hi);
}

static const struct option *find_option(const char *name, size_t n)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (is(name, n, options[i].name))
			return &options[i];
	return NULL;
}

/* Every number of c within the range its option takes, as the table says. */
static int out_of_range(const struct rdt_config *c, char *why, size_t whylen)
{
	char range[64];

	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct option *o = &options[i];
		const void *field = (const char *)c + o->offset;
		unsigned long long v = o->kind == KIND_COUNT ? *(const unsigned *)field : 0;
		long long us = o->kind == KIND_MS ? *(const long long *)field : 0;

		if (o->kind == KIND_MS ? us >= (long long)o->lo * MS && us <= (long long)o->hi * MS
				       : o->kind != KIND_COUNT || (v >= o->lo && v <= o->hi))
			continue;
		describe_range(o, range, sizeof range);
		if (o->kind == KIND_MS)
			return fail_why(why, whylen, "%s=%lld us is out of range: %s takes %s", o->name, us, o->name, range);
		return fail_why(why, whylen, "%s=%llu is out of range: %s takes %s", o->name, v, o->name, range);
	}
	return 0;
}

/* The largest window the mode allows in a space of 2^k numbers, and the rule's name. */
static unsigned long long window_limit(enum rdt_arq arq, unsigned k, const char **rule)
{
	if (arq == RDT_ARQ_SW)
		return *rule = "stop-and-wait sends one packet and waits for its ACK, so window must be 1", 1;
	if (arq == RDT_ARQ_GBN)
		return *rule = "Go-Back-N needs window <= 2^k-1", (1ULL << k) - 1;
	return *rule = "selective repeat needs window <= 2^(k-1)", 1ULL << (k - 1);
}

int rdt_config_check(const struct rdt_config *c, char *why, size_t whylen)
{
	const char *rule;

	if (c->arq < RDT_ARQ_SW || c->arq > RDT_ARQ_SR || (c->cc != RDT_CC_NONE && c->cc != RDT_CC_AIMD))
		return fail_why(why, whylen, "arq must be sw, gbn or sr, and cc none or aimd");
	if (out_of_range(c, why, whylen) < 0)
		return -1;
	if (c->rto_init < c->rto_min || c->rto_max < c->rto_init || c->granularity < 1)
		return fail_why(why, whylen, "rto_min=%lld, rto_init=%lld, rto_max=%lld (ms): each must be at most the next",
				c->rto_min / MS, c->rto_init / MS, c->rto_max / MS);
	unsigned long long limit = window_limit(c->arq, c->seqbits, &rule);
	if (c->window > limit && !(c->unsafe && c->arq != RDT_ARQ_SW)) {
		if (c->arq == RDT_ARQ_SW)
			return fail_why(why, whylen, "window=%u with arq=sw: %s (arq=gbn and arq=sr keep more in flight)",
					c->window, rule);
		return fail_why(why, whylen,
				"window=%u is too large for seqbits=%u: %s = %llu, or a packet resent after its ACK was "
				"lost is taken for a new one with the same number",
				c->window, c->seqbits, rule, limit);
	}
	/* The send ring (window + queue + a FIN) and the receive ring (window + unread), a largest payload each slot. */
	long long need = (2LL * c->window + c->sndbuf + 1 + c->rcvbuf) * c->payload;
	if (need > RDT_MEMORY_MAX)
		return fail_why(why, whylen,
				"window=%u, sndbuf=%u, rcvbuf=%u and payload=%u need %lld MiB of buffers, more than %lld",
				c->window, c->sndbuf, c->rcvbuf, c->payload, need >> 20, RDT_MEMORY_MAX >> 20);
	return 0;
}

/* "arq, window, seqbits...", from the table. */
static const char *known_names(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_OPTIONS && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", options[i].name);
	return buf;
}

int rdt_option_known(const char *name, size_t n) { return find_option(name, n) != NULL; }

int rdt_config_parse(const char *text, struct rdt_config *c, char *why, size_t whylen)
{
	unsigned seen = 0;
	char range[128];

	rdt_config_default(c);
	c->window = c->seqbits = 0; /* their defaults depend on arq=, which may come later */
	for (const char *o = text; *o;) {
		size_t n = strcspn(o, "&"), klen = strcspn(o, "=&");
		int q = n > 40 ? 40 : (int)n; /* quote at most 40 bytes of garbage */
		const struct option *opt = find_option(o, klen);

		if (n == 0)
			return fail_why(why, whylen, "empty option between '&' (write key=value&key=value)");
		if (!opt)
			return fail_why(why, whylen, "unknown option '%.*s' (rdt knows %s)", klen > 40 ? 40 : (int)klen, o,
					known_names(range, sizeof range));
		unsigned bit = 1u << (opt - options);
		if (seen & bit)
			return fail_why(why, whylen, "option '%s' is given twice", opt->name);
		seen |= bit;
		describe_range(opt, range, sizeof range);
		if (klen == n || set_value(opt, o + klen + 1, n - klen - 1, c) < 0)
			return fail_why(why, whylen, "bad value in '%.*s': %s takes %s (%s)", q, o, opt->name, range,
					opt->example);
		o += n;
		if (*o == '&' && *++o == '\0')
			return fail_why(why, whylen, "empty option after the last '&'");
	}
	if (c->window == 0)
		c->window = c->arq == RDT_ARQ_SW ? 1 : 32;
	if (c->seqbits == 0)
		c->seqbits = c->arq == RDT_ARQ_SW ? 1 : 32;
	if (!(seen & 1u << (find_option("rto_init", 8) - options))) /* the default follows a floor or ceiling given */
		c->rto_init = c->rto_init < c->rto_min ? c->rto_min : c->rto_init > c->rto_max ? c->rto_max : c->rto_init;
	return rdt_config_check(c, why, whylen);
}

/* Appends the n bytes at o to out (cap bytes), after a '&' when out is not empty. */
static int append(char *out, size_t cap, const char *o, size_t n)
{
	size_t used = strlen(out), sep = used > 0;

	if (used + sep + n >= cap)
		return -1;
	if (sep)
		out[used++] = '&';
	memcpy(out + used, o, n);
	out[used + n] = '\0';
	return 0;
}

int rdt_options_split(const char *text, char *mine, size_t mine_cap, char *rest, size_t rest_cap)
{
	if (mine_cap == 0 || rest_cap == 0)
		return errno = ENAMETOOLONG, -1;
	mine[0] = rest[0] = '\0';
	for (const char *o = text; *o; o += *o == '&') {
		size_t n = strcspn(o, "&");
		int ok = rdt_option_known(o, strcspn(o, "=&")) ? append(mine, mine_cap, o, n)
							       : append(rest, rest_cap, o, n);
		if (ok < 0)
			return errno = ENAMETOOLONG, -1;
		o += n;
	}
	return 0;
}
