/* contrast_pick.c - what a contrast run is made of: the chosen transports and scenarios, the width of the text, the lab's room. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/transport.h"
#include "demos/cli.h"
#include "contrast.h"

int pick_transports(const char *list, const struct transport **out, size_t max)
{
	size_t k = 0;

	for (const char *p = list, *next; *p; p = next) {
		size_t len = strcspn(p, ",");
		next = p[len] ? p + len + 1 : p + len;
		const struct transport *t = transport_find(p, len);
		if (!t)
			return cli_usage_error("contrast", "unknown transport '%.*s' in --transports", (int)(len > 40 ? 40 : len),
					       p), -1;
		if (k == max)
			return cli_usage_error("contrast", "too many transports in --transports"), -1;
		out[k++] = t;
	}
	return k ? (int)k : (cli_usage_error("contrast", "--transports names no transport"), -1);
}

const struct scenario *scenario_find(const char *name, size_t len)
{
	for (size_t i = 0; i < contrast_nscenarios; i++)
		if (strlen(contrast_scenarios[i].name) == len && strncmp(contrast_scenarios[i].name, name, len) == 0)
			return &contrast_scenarios[i];
	return NULL;
}

int pick_scenarios(const char *list, const struct scenario **out, size_t max)
{
	size_t k = 0;

	for (const char *p = list, *next; *p; p = next) {
		size_t len = strcspn(p, ",");
		next = p[len] ? p + len + 1 : p + len;
		const struct scenario *found = scenario_find(p, len);
		if (!found)
			return cli_usage_error("contrast", "unknown scenario '%.*s' in --scenarios", (int)(len > 40 ? 40 : len),
					       p), -1;
		if (k == max)
			return cli_usage_error("contrast", "too many scenarios in --scenarios"), -1;
		out[k++] = found;
	}
	return k ? (int)k : (cli_usage_error("contrast", "--scenarios names no scenario"), -1);
}

/*
 * The text's width: --width when given; else $COLUMNS, which a shell sets for
 * a terminal it resized (POSIX, Shell and Utilities, 8.3); else what the
 * terminal on standard output says (TIOCGWINSZ); else, when standard output
 * is a file or a pipe, 80, the width of the terminal a reader most likely has.
 */
int contrast_width(int forced)
{
	const char *env = getenv("COLUMNS");
	char *end;

	if (forced > 0)
		return forced;
	if (env && *env) {
		long v = strtol(env, &end, 10);
		if (*end == '\0' && v >= CONTRAST_WIDTH_MIN && v <= CONTRAST_WIDTH_MAX)
			return (int)v;
	}
#ifdef TIOCGWINSZ
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= CONTRAST_WIDTH_MIN)
		return ws.ws_col > CONTRAST_WIDTH_MAX ? CONTRAST_WIDTH_MAX : ws.ws_col;
#endif
	return 80;
}

void lab_cleanup(struct lab *lab)
{
	DIR *d = opendir(lab->dir);
	struct dirent *e;
	char path[sizeof lab->dir + 256];

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			snprintf(path, sizeof path, "%s/%s", lab->dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(lab->dir);
}
