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

/* The longest line of text, in columns (the output is ASCII). */
static size_t widest(const char *text)
{
	size_t most = 0;

	for (const char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		most = (size_t)(nl - p) > most ? (size_t)(nl - p) : most;
		if (!*nl)
			break;
	}
	return most;
}

/* Text that fits: a grid where a column per transport fits, else a scenario at a time; --width, $COLUMNS, 80. */
Test(contrast_cli, text_table)
{
	struct run_result r;
	const char *two[] = { "socklab", "contrast", "--transports", "unix,unixgram", "--scenarios", "end,restart", NULL };
	const char *all140[] = { "socklab", "contrast", "--width", "140", "--scenarios", "boundaries", NULL };
	const char *all[] = { "socklab", "contrast", "--scenarios", "boundaries,end", NULL };
	int whys = 0;

	unsetenv("COLUMNS");
	cr_assert_eq(test_run(two, NULL, 0, &r), 0); /* not a terminal: 80 columns, room for two */
	cr_assert_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "\n                unix                            unixgram\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\n 4 end  "), "%s", r.out);
	cr_expect(strstr(r.out, "\n10 restart  "), "%s", r.out);
	for (const char *p = r.out; (p = strstr(p, "why: ")) != NULL; p++)
		whys++;
	cr_expect_eq(whys, 2, "%s", r.out);
	cr_expect_leq(widest(r.out), 80, "%s", r.out);
	test_run_free(&r);
	cr_assert_eq(test_run(all140, NULL, 0, &r), 0);
	/* Every transport a column, in the registry's order, as wide as 140 columns share among them. */
	const char *head = strstr(r.out, "\n                tcp ");
	cr_expect(head, "%s", r.out);
	for (size_t k = 1; head && transport_registry[k]; k++) {
		const char *at = strstr(head + 1, transport_registry[k]->scheme);
		cr_expect(at && at < strchr(head + 1, '\n'), "%s: no column: %s", transport_registry[k]->scheme, r.out);
	}
	cr_expect_leq(widest(r.out), 140, "%s", r.out);
	test_run_free(&r);
	cr_assert_eq(test_run(all, NULL, 0, &r), 0); /* five transports in 80 columns: a scenario at a time */
	cr_expect(strstr(r.out, "\n2. boundaries: three sends back to back\n   tcp         1 read: 'abbccc'\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\n   unixgram    shutdown(SHUT_WR): 0, then send: EPIPE"), "%s", r.out);
	cr_expect_leq(widest(r.out), 80, "%s", r.out);
	test_run_free(&r);
	setenv("COLUMNS", "60", 1);
	cr_assert_eq(test_run(all, NULL, 0, &r), 0);
	cr_expect_leq(widest(r.out), 60, "COLUMNS=60:\n%s", r.out);
	cr_expect_gt(widest(r.out), 50, "COLUMNS=60:\n%s", r.out);
	test_run_free(&r);
	unsetenv("COLUMNS");
}

/* The plain-text diagram: each transport's calls in order, an arrow where a call reaches the other side. */
Test(contrast_cli, sequence)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--format", "sequence", "--transports", "tcp,udp", "--width", "60", NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "%s", r.err);
	char *udp = strstr(r.out, "\n== udp\n");
	cr_assert(strstr(r.out, "\n== tcp\nclient") && udp, "%s", r.out);
	cr_expect(strstr(r.out, "\nconnect(") && strstr(r.out, " the handshake "), "%s", r.out);
	cr_expect(strstr(r.out, "\n  <-") && strstr(r.out, ">\n"), "no arrows:\n%s", r.out);
	cr_expect_null(strstr(udp, "the handshake"), "UDP has no handshake:\n%s", udp);
	cr_expect_null(strstr(udp, "the end"), "a datagram socket's close tells nobody:\n%s", udp);
	cr_expect_leq(widest(r.out), 60, "%s", r.out);
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
	static const char *const cases[][5] = {
		{ "--transports", "tcp,bogus", "'bogus'" }, { "--scenarios", "nope", "'nope'" },
		{ "--format", "xml", "'xml'" },           { "--impair", "drop=2", "drop=2" },
		{ "--impair", "bogus=1", "'bogus'" },     { "--transports", "", "no transport" },
		/* every option applies to every format, or is refused */
		{ "--format", "mermaid", "--scenarios can name only calls", "--scenarios", "end" },
		{ "--format", "sequence", "--scenarios can name only calls", "--scenarios", "calls,end" },
		{ "--format", "json", "json has no width", "--width", "100" },
		{ "--width", "10", "from 40 to 1000" },
		{ "--filtered", "9", "which --scenarios leaves out", "--scenarios", "end" },
		{ "--filtered", "9", "which --format mermaid does not run", "--format", "mermaid" },
		{ "--filtered", "0", "a port from 1 to 65535" },
		/* the fiction is refused: drop on a reliable transport */
		{ "--impair", "drop=0.1", "make lab" },
		{ "--impair", "reorder=0.1", "refused on unixgram", "--transports", "udp,unixgram" },
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct run_result r;
		const char *argv[] = { "socklab", "contrast", cases[k][0], cases[k][1], cases[k][3], cases[k][4], NULL };
		cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
		cr_expect_eq(r.status, 2, "%s %s: exit %d: %s", cases[k][0], cases[k][1], r.status, r.err);
		cr_expect(strstr(r.err, cases[k][2]) && strchr(r.err, '\n') == r.err + r.errlen - 1, "%s %s: %s",
			  cases[k][0], cases[k][1], r.err);
		cr_expect_eq(r.outlen, 0);
		test_run_free(&r);
	}
}

/* --scenarios calls is what the diagrams draw: accepted, and the same as without it. */
Test(contrast_cli, diagrams_take_scenario_calls)
{
	struct run_result r;
	const char *argv[] = { "socklab", "contrast", "--format", "mermaid", "--scenarios", "calls", "--transports", "udp",
			       NULL };

	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.out, "udp_c->>udp_s: sendto("), "%s", r.out);
	test_run_free(&r);
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
