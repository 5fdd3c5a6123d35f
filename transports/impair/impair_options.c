/* impair_options.c - the impairment layer's options, its seeded random choices, and wrapping a socket. */
#include "impair.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transports/endpoint.h"
#include "core/errors.h"

/* What each option takes, as data: the parser and its messages come from this table. */
enum impair_kind { KIND_PROBABILITY, KIND_MS, KIND_BYTES, KIND_SEED };

static const struct impair_option {
	const char *name;
	enum impair_kind kind;
	size_t offset;       /* where the value goes in struct impair_params */
	const char *example; /* for messages: what a right value looks like */
	const char *about;   /* what it does, for the manual (impair_option_at) */
} impair_options[] = {
	{ "drop", KIND_PROBABILITY, offsetof(struct impair_params, drop), "drop=0.1 loses one datagram in ten",
	  "udp: each datagram is lost with probability P (0 to 1); the send still succeeds" },
	{ "dup", KIND_PROBABILITY, offsetof(struct impair_params, dup), "dup=0.1 sends one datagram in ten twice",
	  "udp: each datagram is sent twice with probability P" },
	{ "reorder", KIND_PROBABILITY, offsetof(struct impair_params, reorder),
	  "reorder=0.1 lets the next datagram overtake one in ten",
	  "udp: each datagram is held back with probability P, and goes out after the next one" },
	{ "delay", KIND_MS, offsetof(struct impair_params, delay_ms), "delay=50 makes every send wait 50 ms",
	  "every send waits MS milliseconds first" },
	{ "chunk", KIND_BYTES, offsetof(struct impair_params, chunk), "chunk=1 moves one byte per send and recv",
	  "streams: each send and each recv moves at most N bytes" },
	{ "seed", KIND_SEED, offsetof(struct impair_params, seed), "seed=7 repeats the run of seed 7",
	  "the seed of the random choices (default 1): the same seed, the same fate" },
};
#define N_OPTIONS (sizeof impair_options / sizeof impair_options[0])

/* The largest delay= (ms) and chunk= (bytes) accepted. */
#define DELAY_MAX_MS 60000
#define CHUNK_MAX 1048576
#define TEXT(x) #x
#define NUMBER(x) TEXT(x)

/* The range of each kind, for the message about a bad value. */
static const char *const kind_range[] = {
	[KIND_PROBABILITY] = "a probability from 0 to 1",
	[KIND_MS] = "milliseconds from 0 to " NUMBER(DELAY_MAX_MS),
	[KIND_BYTES] = "a number of bytes from 1 to " NUMBER(CHUNK_MAX),
	[KIND_SEED] = "a whole number from 0 to 18446744073709551615",
};

/* A decimal number of digits only: no sign, no spaces, no hexadecimal; at most max. */
static int parse_unsigned(const char *v, size_t n, unsigned long long max, unsigned long long *out)
{
	unsigned long long x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -1;
		unsigned d = (unsigned)(v[i] - '0');
		if (x > (max - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*out = x;
	return 0;
}

/* 0, 1, 0.25, .5: a probability written in decimal. */
static int parse_probability(const char *v, size_t n, double *out)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof buf || strspn(v, "0123456789.") < n)
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	double x = strtod(buf, &end);
	if (*end != '\0' || !(x >= 0.0 && x <= 1.0))
		return -1;
	*out = x;
	return 0;
}

/* Stores one option's value in *p. Returns 0, or -1 when the value does not fit the option. */
static int set_value(const struct impair_option *o, const char *v, size_t n, struct impair_params *p)
{
	void *field = (char *)p + o->offset;
	unsigned long long u;
	double x;

	switch (o->kind) {
	case KIND_PROBABILITY:
		if (parse_probability(v, n, &x) < 0)
			return -1;
		*(double *)field = x;
		return 0;
	case KIND_MS:
		if (parse_unsigned(v, n, DELAY_MAX_MS, &u) < 0)
			return -1;
		*(int *)field = (int)u;
		return 0;
	case KIND_BYTES:
		if (parse_unsigned(v, n, CHUNK_MAX, &u) < 0 || u == 0)
			return -1;
		*(size_t *)field = (size_t)u;
		return 0;
	case KIND_SEED:
		if (parse_unsigned(v, n, ~0ULL, &u) < 0)
			return -1;
		*(unsigned long long *)field = u;
		return 0;
	}
	return -1;
}

/* "drop, dup, reorder, delay, chunk, seed", from the table. */
static const char *known_names(char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < N_OPTIONS && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? ", " : "", impair_options[i].name);
	return buf;
}

static const struct impair_option *find_option(const char *name, size_t n)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (strlen(impair_options[i].name) == n && memcmp(impair_options[i].name, name, n) == 0)
			return &impair_options[i];
	return NULL;
}

int impair_parse(const char *options, struct impair_params *p, char *why, size_t whylen)
{
	unsigned seen = 0;
	char known[64];

	memset(p, 0, sizeof *p);
	p->seed = 1;
	for (const char *o = options; *o;) {
		int n = (int)strcspn(o, "&"), klen = (int)strcspn(o, "=&");
		int q = n > 40 ? 40 : n; /* quote at most 40 bytes of garbage */

		if (n == 0)
			return fail_why(why, whylen, "empty option between '&' (write key=value&key=value)");
		const struct impair_option *opt = find_option(o, (size_t)klen);
		if (!opt)
			return fail_why(why, whylen, "unknown option '%.*s' after '?' (known: %s)", klen > 40 ? 40 : klen, o,
					known_names(known, sizeof known));
		unsigned bit = 1u << (opt - impair_options);
		if (seen & bit)
			return fail_why(why, whylen, "option '%s' is given twice", opt->name);
		seen |= bit;
		if (klen == n)
			return fail_why(why, whylen, "option '%s' needs a value (%s)", opt->name, opt->example);
		if (set_value(opt, o + klen + 1, (size_t)(n - klen - 1), p) < 0)
			return fail_why(why, whylen, "bad value in '%.*s': %s takes %s (%s)", q, o, opt->name,
					kind_range[opt->kind], opt->example);
		o += n;
		if (*o == '&' && *++o == '\0')
			return fail_why(why, whylen, "empty option after the last '&'");
	}
	return 0;
}

int impair_parse_options(const struct transport *t, const char *options, char *why, size_t whylen)
{
	struct impair_params p;

	if (impair_parse(options, &p, why, whylen) < 0)
		return -1;
	/* A protocol socklab runs in user space (rdt) is made of datagrams: the layer acts beneath it, really. */
	if (!t || !transport_is_reliable(t) || transport_in_user_space(t) || (p.drop == 0 && p.dup == 0 && p.reorder == 0))
		return 0;
	return fail_why(why, whylen,
			"%s is refused on %s: it is reliable, and never loses, duplicates or reorders what it carries, so a "
			"simulation would be fiction (for TCP under real packet loss, run 'make lab' as root)",
			p.drop > 0 ? "drop=" : p.dup > 0 ? "dup=" : "reorder=", t->scheme);
}

unsigned long long impair_seed_state(unsigned long long x)
{
	x += 0x9E3779B97F4A7C15ULL;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
	x ^= x >> 31;
	return x ? x : 0x9E3779B97F4A7C15ULL;
}

unsigned long long impair_next_state(unsigned long long *rng)
{
	/* xorshift64*: small, fast, and the same sequence on every platform. */
	*rng ^= *rng >> 12;
	*rng ^= *rng << 25;
	*rng ^= *rng >> 27;
	return *rng * 0x2545F4914F6CDD1DULL;
}

int impair_chance_state(unsigned long long *rng, double p)
{
	double x = (double)(impair_next_state(rng) >> 11) * 0x1.0p-53; /* uniform in [0, 1) */

	return x < p;
}

unsigned long long impair_next(struct impair *im) { return impair_next_state(&im->rng); }

int impair_chance(struct impair *im, double p) { return impair_chance_state(&im->rng, p); }

struct impair *impair_new(const struct transport *inner, const struct impair_params *p, unsigned long long seed)
{
	struct impair *im = calloc(1, sizeof *im);

	if (!im) {
		errno = ENOMEM;
		return NULL;
	}
	im->inner = inner;
	im->p = *p;
	im->rng = impair_seed_state(seed);
	/* The decorator's operations, with the facts of the transport it wraps. */
	im->table = impair_transport;
	im->table.scheme = inner->scheme;
	im->table.summary = inner->summary;
	im->table.domain = inner->domain;
	im->table.type = inner->type;
	im->table.flags = inner->flags;
	return im;
}

void impair_free(struct impair *im)
{
	if (!im)
		return;
	free(im->held.buf);
	free(im);
}

/* How many sockets this process has impaired: the n-th draws from seed + n. */
static unsigned long long attached;

int impair_attach(struct sock *s, const struct endpoint *ep)
{
	struct impair_params p;
	char why[160];

	if (ep->options[0] == '\0')
		return 0;
	if (impair_parse(ep->options, &p, why, sizeof why) < 0) {
		errno = EINVAL;
		return -1;
	}
	/* Each socket its own draws, so that two clients do not lose the same datagrams. */
	struct impair *im = impair_new(s->t, &p, p.seed + attached);
	if (!im)
		return -1;
	attached++;
	s->impair = im;
	s->t = &im->table;
	return 0;
}

const char *impair_option_at(size_t i, const char **value, const char **about)
{
	static const char *const values[] = { [KIND_PROBABILITY] = "P", [KIND_MS] = "MS", [KIND_BYTES] = "N",
					      [KIND_SEED] = "S" };

	if (i >= N_OPTIONS)
		return NULL;
	*value = values[impair_options[i].kind];
	*about = impair_options[i].about;
	return impair_options[i].name;
}
