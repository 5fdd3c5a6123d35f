/* test_contrast_cli.c - socklab contrast from the outside: JSON a real parser reads, the tables, the diagrams, the errors. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demos/contrast/contrast.h"
#include "tests/support/helpers.h"

/* Python's json module checks what socklab wrote: one object per scenario, in order, each with exactly four keys. */
static const char check_json[] =
	"import json, sys\n"
	"rows = json.load(sys.stdin)\n"
	"names, schemes = sys.argv[1].split(','), sys.argv[2].split(',')\n"
	"want = [(n, t) for n in names for t in schemes]\n"
	"assert [(r['scenario'], r['transport']) for r in rows] == want, [(r['scenario'], r['transport']) for r in rows]\n"
	"for r in rows:\n"
	"    assert set(r) == {'scenario', 'transport', 'observed', 'summary'}, r\n"
	"    assert isinstance(r['observed'], dict) and r['observed'], r\n"
	"    assert isinstance(r['summary'], str) and r['summary'] and 'could not run' not in r['summary'], r\n"
	"print('ok', len(rows))\n";

static void names(char *out, size_t len)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t s = 0; s < contrast_nscenarios && o < len; s++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", s ? "," : "", contrast_scenarios[s].name);
}

ParameterizedTestParameters(contrast_cli, json_shape)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

ParameterizedTest(size_t *i, contrast_cli, json_shape)
{
	const struct transport *t = transport_registry[*i];
	struct run_result r, py;
	char all[512], expect[32];

	const char *argv[] = { "socklab", "contrast", "--format", "json", "--transports", t->scheme, NULL };
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "%s: exit %d: %s", t->scheme, r.status, r.err);
	names(all, sizeof all);
	const char *check[] = { "python3", "-c", check_json, all, t->scheme, NULL };
	cr_assert_eq(test_run(check, r.out, r.outlen, &py), 0);
	snprintf(expect, sizeof expect, "ok %zu\n", contrast_nscenarios);
	cr_expect_str_eq(py.out, expect, "%s: %s%s", t->scheme, py.err, r.out);
	test_run_free(&r);
	test_run_free(&py);
}

/* Markdown: a header, a separator, and one row per scenario asked for, each cell as observed. */
Test(contrast_cli, markdown_rows)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--format", "markdown", "--transports", "tcp,udp", "--scenarios",
			       "boundaries,size", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strncmp(r.out, "| scenario | tcp | udp | why |\n|---|---|---|---|\n", 48) == 0, "%s", r.out);
	cr_expect(strstr(r.out, "| 2. **boundaries**: three sends back to back | 1 read: 'abbccc' | 3 reads: 'a' 'bb' "
				"'ccc' |"), "%s", r.out);
	cr_expect(strstr(r.out, "| refused: send() = -1 EMSGSIZE |"), "%s", r.out);
	int lines = 0;
	for (const char *p = r.out; *p; p++)
		lines += *p == '\n';
	cr_expect_eq(lines, 4, "%s", r.out);
	test_run_free(&r);
}

/* Text: a column per transport, a row per scenario, and the why of each. */
Test(contrast_cli, text_table)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--transports", "unix,unixgram", "--scenarios", "end,restart", NULL };
	int whys = 0;

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\n                unix                    unixgram\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\n 4 end  "), "%s", r.out);
	cr_expect(strstr(r.out, "\n10 restart  "), "%s", r.out);
	for (const char *p = r.out; (p = strstr(p, "why: ")) != NULL; p++)
		whys++;
	cr_expect_eq(whys, 2, "%s", r.out);
	test_run_free(&r);
}

/* Digits vary with descriptors and sizes: compare diagrams without them. */
static void undigit(char *s)
{
	for (; *s; s++)
		if (isdigit((unsigned char)*s))
			*s = '#';
}

/* The page shows the real diagram: the rendered block in docs/contrast.md is what the command prints. */
Test(contrast_cli, mermaid_matches_the_docs)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--format", "mermaid", "--transports", "tcp,udp", NULL };
	FILE *f = fopen("docs/contrast.md", "r");
	char *page = calloc(1, 1 << 20);

	cr_assert(f, "docs/contrast.md: run the tests from the repository's root");
	size_t n = fread(page, 1, (1 << 20) - 1, f);
	fclose(f);
	page[n] = '\0';
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\nsequenceDiagram\n"), "%s", r.out);
	cr_expect(strstr(r.out, "    tcp_c->>tcp_s: connect("), "the handshake is missing:\n%s", r.out);
	cr_expect(strstr(r.out, "    udp_c->>udp_s: sendto("), "%s", r.out);
	cr_expect_null(strstr(r.out, "udp_c->>udp_s: connect("), "%s", r.out);
	cr_expect(strstr(r.out, "    tcp_c->>tcp_s: close("), "the end of a connection reaches its peer:\n%s", r.out);
	cr_expect_null(strstr(r.out, "udp_c->>udp_s: close("), "a datagram socket's close tells nobody");
	char *block = strstr(page, "```mermaid\n");
	cr_assert(block, "docs/contrast.md has no ```mermaid block");
	block += strlen("```mermaid\n");
	char *end = strstr(block, "```");
	cr_assert(end);
	*end = '\0';
	undigit(block);
	undigit(r.out);
	cr_expect_str_eq(block, r.out, "docs/contrast.md's diagram is not what the command draws now");
	test_run_free(&r);
	free(page);
}

/* Each mistake: exit 2 and one line naming it. */
Test(contrast_cli, usage_errors)
{
	static const char *const cases[][3] = {
		{ "--transports", "tcp,bogus", "'bogus'" }, { "--scenarios", "nope", "'nope'" },
		{ "--format", "xml", "'xml'" },           { "--impair", "drop=2", "drop=2" },
		{ "--impair", "bogus=1", "'bogus'" },     { "--transports", "", "no transport" },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct run_result r;
		const char *argv[] = { "socklab", "contrast", cases[k][0], cases[k][1], NULL };
		cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 2, "%s %s: exit %d", cases[k][0], cases[k][1], r.status);
		cr_expect(strstr(r.err, cases[k][2]) && strchr(r.err, '\n') == r.err + r.errlen - 1, "%s %s: %s",
			  cases[k][0], cases[k][1], r.err);
		cr_expect_eq(r.outlen, 0);
		test_run_free(&r);
	}
}

/* --help lists every scenario, so the names --scenarios takes are discoverable. */
Test(contrast_cli, help_lists_the_scenarios)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--help", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0);
	for (size_t s = 0; s < contrast_nscenarios; s++)
		cr_expect(strstr(r.out, contrast_scenarios[s].name), "--help misses %s", contrast_scenarios[s].name);
	test_run_free(&r);
}
