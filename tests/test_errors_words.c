/* test_errors_words.c - socklab's words for errno values and lookup failures: its own, whole, and glibc's wording. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "core/errors.h"

/* What socklab prints for a library's text: the first letter lower-cased, unless the second is upper-case too. */
static void lowered(const char *libc, char *out, size_t len)
{
	snprintf(out, len, "%s", libc);
	if (isupper((unsigned char)out[0]) && !isupper((unsigned char)out[1]))
		out[0] = (char)tolower((unsigned char)out[0]);
}

/* Every errno errno_name() knows has a text of socklab's own: lower-case first, never strerror()'s fallback. */
Test(errors_words, every_named_errno_has_a_text)
{
	size_t n = 0;
	int err;

	for (const char *name; (name = errno_known(n, &err)); n++) {
		const char *text = errno_text(err);
		char unknown[64];
		snprintf(unknown, sizeof unknown, "unknown error %d", err);
		cr_expect(text && text[0], "%s: no text", name);
		cr_expect(islower((unsigned char)text[0]), "%s: '%s' does not start in lower case", name, text);
		cr_expect(strcmp(text, unknown) != 0 && strstr(text, "No error") == NULL, "%s: '%s'", name, text);
		cr_expect_str_eq(errno_name(err), name, "%s: the name does not come back", name);
	}
	cr_expect_geq(n, 60, "only %zu errno values named", n);
}

/*
 * The words are glibc's (the test binary is built against glibc here), so a
 * musl build prints exactly what a glibc build does: "address already in use",
 * never musl's "address in use".
 */
Test(errors_words, the_words_are_glibcs)
{
#ifdef __GLIBC__
	int err;

	for (size_t i = 0; errno_known(i, &err); i++) {
		char want[160];
		lowered(strerror(err), want, sizeof want);
		cr_expect_str_eq(errno_text(err), want, "%s", errno_name(err));
	}
	cr_expect_str_eq(errno_text(EADDRINUSE), "address already in use");
	cr_expect_str_eq(errno_text(ETIMEDOUT), "connection timed out");
	cr_expect_str_eq(errno_text(EOPNOTSUPP), "operation not supported");
#else
	cr_skip_test("glibc's strerror() is the reference, and this test binary is not built against glibc");
#endif
}

/* getaddrinfo's failures too: the same words on every libc (musl says "name does not resolve"). */
Test(errors_words, lookup_failures)
{
	cr_expect_str_eq(lookup_text(EAI_NONAME), "name or service not known");
	cr_expect_str_eq(lookup_text(EAI_AGAIN), "temporary failure in name resolution");
	cr_expect_str_eq(lookup_text(EAI_SERVICE), "servname not supported for ai_socktype");
#ifdef __GLIBC__
	const int codes[] = { EAI_AGAIN, EAI_BADFLAGS, EAI_FAIL, EAI_FAMILY, EAI_MEMORY, EAI_NONAME, EAI_SERVICE,
			      EAI_SOCKTYPE, EAI_SYSTEM };
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char want[160];
		lowered(gai_strerror(codes[i]), want, sizeof want);
		cr_expect_str_eq(lookup_text(codes[i]), want, "EAI code %d", codes[i]);
	}
#endif
}

/* socklab's own codes keep their own words, and a code nobody knows still reads as something. */
Test(errors_words, own_codes_and_strangers)
{
	cr_expect_str_eq(errno_name(SL_ETIMEDOUT_REPLY), "ETIMEDOUT_REPLY");
	cr_expect_str_eq(errno_text(SL_ETIMEDOUT_REPLY), "no reply within the timeout");
	cr_expect_str_eq(errno_name(99999), "E?99999");
	cr_expect(errno_text(99999)[0], "no text for an unknown code");
}
