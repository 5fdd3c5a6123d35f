/* test_docs_match.c - the docs runner's own tests: its parser and its matcher, which must fail what differs. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/docs_runner.h"

/* The matcher: a table, including lines that must NOT match, so that it cannot pass everything. */
Test(docs_match, lines)
{
	static const struct {
		const char *pattern, *line;
		int match;
	} cases[] = {
		{ "hello", "hello", 1 },
		{ "hello", "hello!", 0 },
		{ "hello", "hell", 0 },
		{ "hello", "", 0 },
		{ "", "", 1 },
		{ "", "x", 0 },
		{ "listening on tcp://127.0.0.1:...", "listening on tcp://127.0.0.1:40211", 1 },
		{ "listening on tcp://127.0.0.1:...", "listening on udp://127.0.0.1:40211", 0 },
		{ "...", "", 1 },
		{ "...", "anything at all", 1 },
		{ "a...b", "ab", 1 },
		{ "a...b", "axxxb", 1 },
		{ "a...b", "axxxbc", 0 },
		{ "a...b...c", "a1b2b3c", 1 },
		{ "a...b...c", "a1c2b", 0 },
		{ "...ing", "waiting", 1 },
		{ "...ing", "waiting!", 0 },
		{ "sent ... bytes in ... s", "sent 100 bytes in 0.2 s", 1 },
		{ "sent ... bytes in ... s", "sent 100 bytes", 0 },
		{ "x....", "x.", 1 }, /* the wildcard, then a literal dot */
		{ "x....", "x", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(docs_line_matches(cases[i].pattern, cases[i].line), cases[i].match, "'%s' against '%s'",
			     cases[i].pattern, cases[i].line);
}

static int lines_match(const char *expect, const char *actual)
{
	char *e[16], *a[16], *es = strdup(expect), *as = strdup(actual), *save;
	size_t ne = 0, na = 0;

	for (char *t = strtok_r(es, "|", &save); t && ne < 16; t = strtok_r(NULL, "|", &save))
		e[ne++] = strcmp(t, "_") == 0 ? "" : t;
	for (char *t = strtok_r(as, "|", &save); t && na < 16; t = strtok_r(NULL, "|", &save))
		a[na++] = strcmp(t, "_") == 0 ? "" : t;
	int r = docs_lines_match(e, ne, a, na);
	free(es), free(as);
	return r;
}

/* Outputs as '|'-separated lines; "_" is an empty line. */
Test(docs_match, outputs)
{
	static const struct {
		const char *expect, *actual;
		int match;
	} cases[] = {
		{ "a|b", "a|b", 1 },
		{ "a|b", "a", 0 },
		{ "a", "a|b", 0 },
		{ "", "", 1 },
		{ "", "a", 0 },       /* no expected output: the command must print nothing */
		{ "...", "", 1 },
		{ "...", "a|b|c", 1 },
		{ "a|...", "a", 1 },
		{ "a|...", "a|x|y", 1 },
		{ "a|...", "b|x", 0 },
		{ "...|c", "a|b|c", 1 },
		{ "...|c", "a|b|c|d", 0 },
		{ "a|...|c", "a|c", 1 },
		{ "a|...|c", "a|b|b|c", 1 },
		{ "a|...|c", "a|b|b", 0 },
		{ "a|...|c|...|e", "a|c|d|e", 1 },
		{ "a|...|c|...|e", "a|e|c", 0 },
		{ "x ...|...", "x 1|y|z", 1 },
		{ "a|_|b", "a|_|b", 1 },
		{ "a|_|b", "a|b", 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		cr_expect_eq(lines_match(cases[i].expect, cases[i].actual), cases[i].match, "expected '%s' against '%s'",
			     cases[i].expect, cases[i].actual);
}

Test(docs_parse, blocks_commands_and_lines)
{
	const char *text = "# Title\n"                           /* 1 */
			   "```console\n"                         /* 2 */
			   "$ echo hi\n"                          /* 3 */
			   "hi   \n"                              /* 4: trailing blanks go */
			   "$ server &\n"                         /* 5 */
			   "listening on ...\n"                   /* 6 */
			   "$ true\n"                             /* 7 */
			   "```\n"                                /* 8 */
			   "```sh\n$ not run\n```\n"              /* 9-11 */
			   "```console norun\n$ rm -rf /\n```\n"  /* 12-14 */
			   "````console\n$ echo '```'\n```\n````\n"; /* 15-18: a longer fence holds a shorter one */
	struct docs_page p;
	char why[256];

	cr_assert_eq(docs_parse(text, "t.md", &p, why, sizeof why), 0, "%s", why);
	cr_assert_eq(p.nblocks, 2);
	cr_expect_eq(p.blocks[0].line, 2);
	cr_assert_eq(p.blocks[0].ncmds, 3);
	const struct docs_cmd *c = p.blocks[0].cmds;
	cr_expect_str_eq(c[0].text, "echo hi");
	cr_expect_eq(c[0].line, 3);
	cr_expect_eq(c[0].background, 0);
	cr_assert_eq(c[0].nexpect, 1);
	cr_expect_str_eq(c[0].expect[0], "hi");
	cr_expect_str_eq(c[1].text, "server");
	cr_expect_eq(c[1].background, 1);
	cr_expect_eq(c[2].nexpect, 0);
	cr_assert_eq(p.blocks[1].ncmds, 1);
	cr_expect_str_eq(p.blocks[1].cmds[0].text, "echo '```'");
	cr_expect_str_eq(p.blocks[1].cmds[0].expect[0], "```");
	docs_page_free(&p);
}

Test(docs_parse, mistakes_are_reported_with_their_line)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{ "```console\nhello\n$ echo hello\n```\n", "t.md:2: output before any" },
		{ "\n```console\n$ server &\n```\n", "t.md:3: a background command" },
		{ "```console\n$ server &\nline 1\nline 2\n```\n", "t.md:2: a background command" },
		{ "text\n```console\n$ echo\n", "t.md:2: this fence is never closed" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct docs_page p;
		char why[256] = "";
		cr_expect_eq(docs_parse(cases[i].text, "t.md", &p, why, sizeof why), -1, "case %zu parsed", i);
		cr_expect(strncmp(why, cases[i].why, strlen(cases[i].why)) == 0, "case %zu: '%s'", i, why);
		docs_page_free(&p);
	}
}
