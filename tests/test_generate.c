/* test_generate.c - socklab(1) and the completions: as the program writes them, committed, lint-clean, and working. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demos/cli.h"
#include "tests/support/helpers.h"
#include "tests/support/shells.h"

static const struct {
	const char *what, *file;
} generated[] = {
	{ "man", "man/socklab.1" },
	{ "bash", "completions/socklab.bash" },
	{ "zsh", "completions/_socklab" },
	{ "fish", "completions/socklab.fish" },
};
#define NGENERATED (sizeof generated / sizeof generated[0])

/* `socklab --generate what` into r; fails the test when it does not exit 0 with nothing on stderr. */
static void generate(const char *what, struct run_result *r)
{
	const char *argv[] = { "socklab", "--generate", what, NULL };

	cr_assert(test_run(argv, NULL, 0, r) == 0);
	cr_assert_eq(r->status, 0, "--generate %s: exit %d: %s", what, r->status, r->err);
	cr_assert_str_eq(r->err, "", "--generate %s", what);
}

/* Drift: each committed file is exactly what this build writes; the message says where they part, and what to run. */
Test(generate, committed_files_are_current)
{
	for (size_t i = 0; i < NGENERATED; i++) {
		struct run_result r;
		size_t len;
		char *committed = shells_slurp(generated[i].file, &len);
		generate(generated[i].what, &r);
		cr_expect(committed, "%s is missing: run 'make generate' and commit it", generated[i].file);
		if (committed && (len != r.outlen || memcmp(committed, r.out, len) != 0)) {
			size_t at = 0, start = 0, line = 1;
			for (; at < len && at < r.outlen && committed[at] == r.out[at]; at++)
				if (committed[at] == '\n')
					line++, start = at + 1;
			cr_expect_fail("%s differs from `socklab --generate %s` at line %zu (committed: \"%.*s\"; this build: "
				       "\"%.*s\"): the descriptions changed; run 'make generate' and commit %s",
				       generated[i].file, generated[i].what, line, (int)strcspn(committed + start, "\n"),
				       committed + start, (int)strcspn(r.out + start, "\n"), r.out + start, generated[i].file);
		}
		free(committed);
		test_run_free(&r);
	}
}

/* --generate is a global option like the others: a bad value is one line and exit 2, a full disk exit 1. */
Test(generate, refusals)
{
	const char *bogus[] = { "socklab", "--generate", "tcsh", NULL }, *none[] = { "socklab", "--generate", NULL };
	const char *full[] = { "/bin/sh", "-c", "exec \"$0\" --generate man >/dev/full", test_socklab(), NULL };
	struct run_result r;

	cr_assert(test_run(bogus, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "socklab: --generate takes man, bash, zsh or fish, not 'tcsh' (see 'socklab --help')\n");
	test_run_free(&r);
	cr_assert(test_run(none, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 2);
	cr_expect_str_eq(r.err, "socklab: option '--generate' needs a value (see 'socklab --help')\n");
	test_run_free(&r);
	cr_assert(test_run(full, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, "socklab: write standard output: no space left on device\n");
	test_run_free(&r);
}

/* The page names every command, every option of each, every transport's scheme and every exit status. */
Test(generate, the_page_is_whole)
{
	struct run_result r;

	generate("man", &r);
	for (size_t i = 0; commands[i]; i++) {
		char want[96];
		snprintf(want, sizeof want, ".SS %s\n", commands[i]->name); /* a '-' inside a word stays a hyphen */
		cr_expect(strstr(r.out, want), "no section for %s", commands[i]->name);
		for (const struct cli_option *o = commands[i]->options; o->key; o++) {
			if (o->name)
				snprintf(want, sizeof want, "\\fB\\-\\-%s\\fR", o->name);
			else
				snprintf(want, sizeof want, "\\fB\\-%c\\fR", o->key);
			cr_expect(strstr(r.out, want), "%s: %s is not in the page", commands[i]->name, want);
		}
	}
	for (size_t i = 0; transport_registry[i]; i++) {
		char want[64];
		snprintf(want, sizeof want, "\\fB%s\\fR", transport_registry[i]->scheme);
		cr_expect(strstr(r.out, want), "ENDPOINTS does not name %s", transport_registry[i]->scheme);
	}
	cr_expect(strstr(r.out, ".SH EXIT STATUS\n") && strstr(r.out, ".TP\n\\fB2\\fR\n"), "no exit status 2");
	cr_expect(strstr(r.out, "\"socklab " SOCKLAB_VERSION "\""), "the page does not carry the version");
	cr_expect_null(strstr(r.out, "\\-\\-generate"), "the page shows --generate, which is for contributors");
	test_run_free(&r);
}

/* mandoc -Tlint (every level, style included) and groff -ww say nothing about the page. */
Test(generate, the_page_lints_clean)
{
	char dir[64], page[128];
	struct run_result r;

	if (!shells_have("mandoc") || !shells_have("groff"))
		cr_skip_test("mandoc or groff is missing (tests/support/deps.sh installs both)");
	test_tmpdir(dir, sizeof dir);
	snprintf(page, sizeof page, "%s/socklab.1", dir);
	generate("man", &r);
	cr_assert(shells_write(page, r.out, r.outlen) == 0);
	test_run_free(&r);
	const char *lint[] = { "mandoc", "-Tlint", "-Wall", page, NULL };
	cr_assert(test_run(lint, NULL, 0, &r) == 0);
	cr_expect(r.status == 0 && r.outlen == 0 && r.errlen == 0, "mandoc -Tlint: exit %d\n%s%s", r.status, r.out, r.err);
	test_run_free(&r);
	const char *groff[] = { "groff", "-ww", "-man", "-Tutf8", "-z", page, NULL };
	cr_assert(test_run(groff, NULL, 0, &r) == 0);
	cr_expect(r.status == 0 && r.errlen == 0, "groff -ww: exit %d\n%s", r.status, r.err);
	test_run_free(&r);
	test_rmdir(dir);
}

/* bash, driven as it drives a completion: the words, the cursor, and what COMPREPLY holds after. */
Test(generate, bash_completes)
{
	char dir[64], script[128];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	snprintf(script, sizeof script, "%s/socklab.bash", dir);
	generate("bash", &r);
	cr_assert(shells_write(script, r.out, r.outlen) == 0);
	test_run_free(&r);
	shells_bash_cases(script, dir);
	test_rmdir(dir);
}

/* zsh and fish parse their files; fish, which completes without a terminal, completes too. */
Test(generate, zsh_and_fish)
{
	char dir[64], path[128];
	struct run_result r;

	test_tmpdir(dir, sizeof dir);
	for (size_t i = 2; i < NGENERATED; i++) {
		const char *shell = generated[i].what;
		if (!shells_have(shell)) {
			cr_log_warn("%s is not installed: its completion is not checked (tests/support/deps.sh installs it)", shell);
			continue;
		}
		snprintf(path, sizeof path, "%s/%s", dir, strrchr(generated[i].file, '/') + 1);
		generate(shell, &r);
		cr_assert(shells_write(path, r.out, r.outlen) == 0);
		test_run_free(&r);
		const char *zsh[] = { "zsh", "-n", path, NULL }, *fish[] = { "fish", "--no-execute", path, NULL };
		cr_assert(test_run(i == 2 ? zsh : fish, NULL, 0, &r) == 0);
		cr_expect(r.status == 0 && r.errlen == 0, "%s does not parse %s: %s", shell, path, r.err);
		test_run_free(&r);
		if (i == 3)
			shells_fish_cases(path, dir);
	}
	test_rmdir(dir);
}
