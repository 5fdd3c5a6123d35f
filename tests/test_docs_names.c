/* test_docs_names.c - every server the docs start has an address of its own: a reader can type them all in one shell. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/docs_runner.h"

#define MAX_SERVERS 512

struct seen {
	char key[160];  /* "tcp 127.0.0.1:5555", "udp [::1]:5556", "file echo.sock", "abstract @name" */
	char where[96]; /* page:line */
};

/*
 * The address a server's endpoint takes, as a key: TCP and UDP ports are
 * apart, but unix, unixgram and unixpacket on one path are the same file.
 * Port 0 is the kernel's choice, never a collision: NULL.
 */
static const char *key_of(const char *ep, char *key, size_t len)
{
	char text[160];
	size_t n = strcspn(ep, "?' \t");

	snprintf(text, sizeof text, "%.*s", (int)n, ep);
	const char *colon = strchr(text, ':');
	if (!colon)
		return NULL;
	if (strncmp(colon, "://", 3) == 0) {
		const char *port = strrchr(text, ':');
		if (strcmp(port, ":0") == 0)
			return NULL;
		snprintf(key, len, "%.*s %s", (int)(colon - text), text, colon + 3);
	} else {
		snprintf(key, len, "%s %s", colon[1] == '@' ? "abstract" : "file", colon + 1);
	}
	return key;
}

/* The endpoint in a command line: the first word that starts with a scheme. */
static const char *endpoint_in(const char *cmd)
{
	static const char *const schemes[] = { "tcp://", "udp://", "unix:", "unixgram:", "unixpacket:" };

	for (const char *p = cmd; *p; p++) {
		if (p != cmd && p[-1] != ' ' && p[-1] != '\'')
			continue;
		for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
			if (strncmp(p, schemes[i], strlen(schemes[i])) == 0)
				return p;
	}
	return NULL;
}

static void check_page(const char *path, struct seen *all, size_t *n)
{
	char why[256], key[160], *text;
	FILE *f = fopen(path, "rb");
	struct docs_page page;

	cr_assert(f, "%s: run the tests from the repository's root", path);
	text = calloc(1, 1 << 20);
	text[fread(text, 1, (1 << 20) - 1, f)] = '\0';
	fclose(f);
	cr_assert_eq(docs_parse(text, path, &page, why, sizeof why), 0, "%s", why);
	for (size_t b = 0; b < page.nblocks; b++)
		for (size_t c = 0; c < page.blocks[b].ncmds; c++) {
			const struct docs_cmd *cmd = &page.blocks[b].cmds[c];
			const char *ep = cmd->background ? endpoint_in(cmd->text) : NULL;
			if (!ep || !key_of(ep, key, sizeof key))
				continue;
			for (size_t k = 0; k < *n; k++)
				cr_expect(strcmp(all[k].key, key) != 0, "%s:%d serves at %s, as %s does: one shell cannot run both",
					  path, cmd->line, key, all[k].where);
			if (*n < MAX_SERVERS) {
				snprintf(all[*n].key, sizeof all[*n].key, "%s", key);
				snprintf(all[*n].where, sizeof all[*n].where, "%s:%d", path, cmd->line);
				(*n)++;
			}
		}
	docs_page_free(&page);
	free(text);
}

/* README's and every page's servers, all together: no address twice. */
Test(docs_names, every_server_has_its_own_address)
{
	static struct seen all[MAX_SERVERS];
	size_t n = 0;
	DIR *d = opendir("docs");
	char path[300];

	cr_assert(d);
	check_page("README.md", all, &n);
	for (struct dirent *e; (e = readdir(d)) != NULL;) {
		size_t len = strlen(e->d_name);
		if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0) {
			snprintf(path, sizeof path, "docs/%s", e->d_name);
			check_page(path, all, &n);
		}
	}
	closedir(d);
	cr_expect_gt(n, 10, "found only %zu servers in the docs: is the parser right?", n);
}
