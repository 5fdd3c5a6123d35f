/* test_install.c - make install into a DESTDIR: exactly the program, its page and its completions; all usable; uninstall. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demos/cli.h"
#include "tests/support/helpers.h"
#include "tests/support/shells.h"

/* What `make DESTDIR=$d prefix=/usr install` installs, and nothing else: the list the issue asks for. */
static const char *const installed[] = {
	"/usr/bin/socklab",
	"/usr/share/bash-completion/completions/socklab",
	"/usr/share/fish/vendor_completions.d/socklab.fish",
	"/usr/share/man/man1/socklab.1",
	"/usr/share/zsh/site-functions/_socklab",
};
#define NINSTALLED (sizeof installed / sizeof installed[0])

/* Every file under root (directories left out), as paths below it, sorted, one a line. */
static void files_under(const char *root, const char *below, char *out, size_t len)
{
	char path[512];
	struct dirent **names;
	int n;

	snprintf(path, sizeof path, "%s%s", root, below);
	if ((n = scandir(path, &names, NULL, alphasort)) < 0)
		return;
	for (int i = 0; i < n; i++) {
		char sub[512];
		struct stat st;
		snprintf(sub, sizeof sub, "%s/%s", below, names[i]->d_name);
		snprintf(path, sizeof path, "%s%s", root, sub);
		if (names[i]->d_name[0] != '.' && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			files_under(root, sub, out, len);
		else if (names[i]->d_name[0] != '.')
			snprintf(out + strlen(out), len - strlen(out), "%s\n", sub);
		free(names[i]);
	}
	free(names);
}

/* make TARGET with DESTDIR and prefix, for the build the program under test comes from (B: its directory). */
static void make(const char *target, const char *destdir, struct run_result *r)
{
	char b[512], dest[160];
	const char *socklab = test_socklab();
	char copy[512];

	snprintf(copy, sizeof copy, "%s", socklab);
	char *dir = dirname(copy);
	char cwd[512];
	cr_assert(getcwd(cwd, sizeof cwd));
	/* B is relative to the top of the tree, where the tests run */
	snprintf(b, sizeof b, "B=%s", strncmp(dir, cwd, strlen(cwd)) == 0 && dir[strlen(cwd)] == '/' ? dir + strlen(cwd) + 1 : dir);
	snprintf(dest, sizeof dest, "DESTDIR=%s", destdir);
	const char *argv[] = { "make", "-s", "--no-print-directory", b, dest, "prefix=/usr", target, NULL };
	cr_assert(test_run(argv, NULL, 0, r) == 0, "make could not run");
	cr_assert_eq(r->status, 0, "make %s: exit %d\n%s%s", target, r->status, r->out, r->err);
}

Test(install, into_a_destdir_and_out_again, .timeout = 60)
{
	char dir[64], want[1024] = "", got[4096] = "", line[1024], bin[160];
	struct run_result r;

	if (!shells_have("make") || !shells_have("install"))
		cr_skip_test("make or install(1) is missing");
	test_tmpdir(dir, sizeof dir);
	make("install", dir, &r);
	test_run_free(&r);
	for (size_t i = 0; i < NINSTALLED; i++)
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s\n", installed[i]);
	files_under(dir, "", got, sizeof got);
	cr_expect_str_eq(got, want, "make install installed:\n%s", got);

	/* The installed program runs from PATH, as a user types it. */
	snprintf(bin, sizeof bin, "PATH=%s/usr/bin:$PATH; socklab --version", dir);
	const char *version[] = { "/bin/sh", "-c", bin, NULL };
	cr_assert(test_run(version, NULL, 0, &r) == 0);
	cr_expect_eq(r.status, 0);
	cr_expect(strncmp(r.out, "socklab " SOCKLAB_VERSION "\n", strlen("socklab " SOCKLAB_VERSION "\n")) == 0, "%s",
		  r.out);
	test_run_free(&r);

	/* man finds the page where the prefix put it (MANPATH), and shows it. */
	if (shells_have("man")) {
		snprintf(line, sizeof line, "MANPATH=%s/usr/share/man man -w socklab && MANPATH=%s/usr/share/man "
					    "MANWIDTH=80 MANPAGER=cat man socklab 2>&1 | head -5",
			 dir, dir);
		const char *man[] = { "/bin/sh", "-c", line, NULL };
		cr_assert(test_run(man, NULL, 0, &r) == 0);
		snprintf(want, sizeof want, "%s/usr/share/man/man1/socklab.1\n", dir);
		cr_expect(r.status == 0 && strncmp(r.out, want, strlen(want)) == 0, "man -w socklab: %s%s", r.out, r.err);
		cr_expect(strstr(r.out, "SOCKLAB(1)") && strstr(r.out, "NAME"), "man socklab shows:\n%s", r.out);
		test_run_free(&r);
	} else {
		cr_log_warn("man is not installed (man-db): the page was not looked up");
	}

	/* bash completes from the installed file. */
	snprintf(line, sizeof line, "%s/usr/share/bash-completion/completions/socklab", dir);
	cr_assert(shells_bash_complete(line, dir, "socklab echo-server tc", ":=", got, sizeof got) == 0);
	cr_expect_str_eq(got, "tcp://\n", "the installed completion: %s", got);

	make("uninstall", dir, &r);
	test_run_free(&r);
	got[0] = '\0';
	files_under(dir, "", got, sizeof got);
	cr_expect_str_eq(got, "", "make uninstall left:\n%s", got);
	test_rmdir(dir);
}
