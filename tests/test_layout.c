/* test_layout.c - the tree is what the docs say: every path they name exists, layers point one way, no name twice. */
#define _XOPEN_SOURCE 700 /* nftw() */
#include <criterion/criterion.h>
#include <ftw.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILES_MAX 2048
#define PATH_LEN 256

/* Every source, script and page of the tree (not build/ or .git/), as paths from the top. */
static char files[FILES_MAX][PATH_LEN];
static size_t nfiles;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	if (strncmp(path, "build", 5) == 0 || strncmp(path, ".git", 4) == 0 || strncmp(path, "fuzz/corpus", 11) == 0 ||
	    strncmp(path, "fuzz/regressions", 16) == 0)
		return 0; /* what the build, git and the fuzzer made */
	if (type == FTW_F && nfiles < FILES_MAX)
		snprintf(files[nfiles++], PATH_LEN, "%s", path);
	return 0;
}

static void walk(void)
{
	if (nfiles == 0)
		cr_assert_eq(nftw(".", collect, 32, FTW_PHYS), 0, "walk the tree");
	cr_assert_lt(nfiles, FILES_MAX, "more files than the test expects");
}

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int is_source(const char *path)
{
	size_t n = strlen(path);
	return n > 2 && path[n - 2] == '.' && (path[n - 1] == 'c' || path[n - 1] == 'h');
}

/* A file of the tree by its path, or (a bare name) anywhere in it. */
static int exists(const char *name)
{
	struct stat st;

	if (strchr(name, '/'))
		return stat(name, &st) == 0;
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(base(files[i]), name) == 0)
			return 1;
	return 0;
}

/* Names a page uses for something that is not in the tree, on purpose: the "foo" of how to add a transport or a command. */
static int example_name(const char *name)
{
	return strstr(name, "foo") != NULL;
}

/* Every `path` in backquotes of README.md and the docs/ pages that looks like a file or folder of the tree exists. */
Test(layout, every_path_the_docs_name_exists)
{
	regex_t re;
	/* core/..., transports/..., demos/..., tests/..., fuzz/..., docs/..., or a bare name.c|h|md|sh|py|def */
	const char *pat = "`((core|transports|demos|tests|fuzz|docs)/[A-Za-z0-9_./-]*|[A-Za-z0-9_-]+\\.(c|h|md|sh|py|def))`";
	size_t checked = 0;

	walk();
	cr_assert_eq(regcomp(&re, pat, REG_EXTENDED), 0);
	for (size_t i = 0; i < nfiles; i++) {
		const char *f = files[i];
		size_t n = strlen(f);
		if (!(strcmp(f, "README.md") == 0 || (strncmp(f, "docs/", 5) == 0 && n > 3 && strcmp(f + n - 3, ".md") == 0)))
			continue;
		FILE *in = fopen(f, "r");
		cr_assert(in, "open %s", f);
		char line[4096];
		for (int ln = 1; fgets(line, sizeof line, in); ln++) {
			regmatch_t m[2];
			for (const char *p = line; regexec(&re, p, 2, m, 0) == 0; p += m[0].rm_eo) {
				char name[PATH_LEN];
				int len = (int)(m[1].rm_eo - m[1].rm_so);
				snprintf(name, sizeof name, "%.*s", len, p + m[1].rm_so);
				if (strchr(name, '*') || strstr(name, "NAME") || example_name(name))
					continue;
				checked++;
				cr_expect(exists(name), "%s:%d names `%s`, which is not in the tree", f, ln, name);
			}
		}
		fclose(in);
	}
	regfree(&re);
	cr_expect_gt(checked, 50, "only %zu paths found in the docs: is the pattern right?", checked);
}

/* The layers point one way: core/ includes nothing above it; transports/ never a command. */
Test(layout, layers_point_one_way)
{
	walk();
	for (size_t i = 0; i < nfiles; i++) {
		const char *f = files[i];
		int in_core = strncmp(f, "core/", 5) == 0, in_transports = strncmp(f, "transports/", 11) == 0;
		if (!is_source(f) || !(in_core || in_transports))
			continue;
		FILE *in = fopen(f, "r");
		cr_assert(in, "open %s", f);
		char line[512];
		for (int ln = 1; fgets(line, sizeof line, in); ln++) {
			if (strncmp(line, "#include \"", 10) != 0)
				continue;
			const char *inc = line + 10;
			cr_expect(strncmp(inc, "demos/", 6) != 0, "%s:%d includes a command: %s", f, ln, line);
			cr_expect(!in_core || strncmp(inc, "transports/", 11) != 0, "%s:%d: core/ includes a transport: %s", f, ln,
				  line);
		}
		fclose(in);
	}
}

/* No two files share a name, and a command's files carry its folder's name: demos/contrast/contrast_print.c. */
Test(layout, no_name_twice_and_prefixed_folders)
{
	walk();
	for (size_t i = 0; i < nfiles; i++) {
		if (!is_source(files[i]))
			continue;
		for (size_t j = i + 1; j < nfiles; j++)
			cr_expect(!is_source(files[j]) || strcmp(base(files[i]), base(files[j])) != 0, "%s and %s share a name",
				  files[i], files[j]);
		/* demos/NAME/FILE: FILE starts with NAME */
		char folder[PATH_LEN];
		if (sscanf(files[i], "demos/%255[^/]/", folder) == 1 && strchr(files[i] + 6, '/'))
			cr_expect(strncmp(base(files[i]), folder, strlen(folder)) == 0, "%s: not prefixed with %s_", files[i],
				  folder);
	}
}

/* A merge left no conflict markers behind, in any file of the tree. */
Test(layout, no_conflict_markers)
{
	walk();
	for (size_t i = 0; i < nfiles; i++) {
		FILE *in = fopen(files[i], "r");
		char line[4096];
		if (!in)
			continue;
		for (int ln = 1; fgets(line, sizeof line, in); ln++)
			cr_expect(strncmp(line, "<<<<<<< ", 8) != 0 && strncmp(line, ">>>>>>> ", 8) != 0 &&
					  strcmp(line, "=======\n") != 0,
				  "%s:%d: a conflict marker: %s", files[i], ln, line);
		fclose(in);
	}
}
