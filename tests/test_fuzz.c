/* test_fuzz.c - every fuzz target replays its seed corpus and past crashes: what was fixed stays fixed. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"

/* Runs target on every file in dir (fuzz/corpus/NAME or fuzz/regressions/NAME). Returns how many. */
static int replay(const struct fuzz_target *target, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)) != NULL) {
		char path[512];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(path, "rb");
		cr_assert(f, "%s: cannot open", path);
		unsigned char *buf = malloc(1 << 20);
		size_t len = fread(buf, 1, 1 << 20, f);
		fclose(f);
		fuzz_input = path; /* named if a rule breaks */
		target->run(buf, len);
		fuzz_input = NULL;
		free(buf);
		n++;
	}
	if (d)
		closedir(d);
	return n;
}

static size_t count(void)
{
	size_t n = 0;
	while (fuzz_targets[n].name)
		n++;
	return n;
}

static size_t idx[16];

ParameterizedTestParameters(fuzz, corpus_and_regressions)
{
	for (size_t i = 0; i < count() && i < 16; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, count());
}

ParameterizedTest(size_t *i, fuzz, corpus_and_regressions)
{
	const struct fuzz_target *t = &fuzz_targets[*i];
	char dir[256];

	snprintf(dir, sizeof dir, "fuzz/corpus/%s", t->name);
	int seeds = replay(t, dir);
	cr_assert(seeds > 0, "%s: no seed inputs in %s (run the tests from the top of the source tree)", t->name, dir);
	snprintf(dir, sizeof dir, "fuzz/regressions/%s", t->name);
	int past = replay(t, dir);
	cr_log_info("fuzz %s: %d seeds and %d past crashes replayed", t->name, seeds, past);
}
