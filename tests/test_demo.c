/* test_demo.c - make demo ends on a screen a student can read at 80x24: every line fits, the last screen is whole. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/helpers.h"

#define COLUMNS_MAX 80
#define ROWS 24

Test(demo, fits_80_by_24, .timeout = 60)
{
	struct run_result r;
	const char *argv[] = { "sh", "demos/demo.sh", test_socklab(), NULL };
	const char *lines[4096];
	size_t n = 0;

	unsetenv("COLUMNS"); /* as make demo into a pipe: 80 columns */
	cr_assert_eq(test_run(argv, NULL, 0, &r), 0);
	cr_assert_eq(r.status, 0, "make demo failed: %s", r.err);
	for (char *p = r.out, *nl; *p && n < 4096; p = nl + 1) {
		nl = strchr(p, '\n');
		cr_assert(nl, "the output does not end with a newline");
		*nl = '\0';
		lines[n++] = p;
		cr_expect_leq(strlen(p), COLUMNS_MAX, "a line of %zu columns: '%s'", strlen(p), p);
		cr_expect_null(strchr(p, '\t'), "a tab: '%s'", p);
	}
	/* The last screen: a scenario whole, from its title to its why, then the closing words. */
	cr_assert_gt(n, ROWS);
	int title = -1, why = -1, number = 0;
	for (size_t i = n - ROWS; i < n; i++) {
		int k = 0, len = 0;
		if (sscanf(lines[i], "%d. %*[a-z-]:%n", &k, &len) == 1 && len > 0) /* "12. delivery: ..." */
			title = (int)i, number = k, why = -1;
		if (title >= 0 && why < 0 && strncmp(lines[i], "   why: ", 8) == 0)
			why = (int)i;
	}
	cr_expect(title >= 0 && why > title, "the last %d lines do not hold a scenario whole", ROWS);
	cr_expect_geq(number, 12, "the last scenario on the screen is %d", number);
	cr_expect(strstr(lines[n - 1], "make lab"), "%s", lines[n - 1]);
	test_run_free(&r);
}
