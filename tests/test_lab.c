/* test_lab.c - make lab, as root: it runs, shows the kernel's figures, and leaves nothing behind however it ends. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/support/helpers.h"

/* Root, ip and nft, or the test is skipped with the reason. Then a TMPDIR of the test's own for the lab's folder. */
static void lab_ready(char *tmp, size_t len)
{
	if (geteuid() != 0)
		cr_skip_test("make lab needs root (CI runs it as root)");
	if (system("command -v ip >/dev/null 2>&1 && command -v nft >/dev/null 2>&1") != 0)
		cr_skip_test("make lab needs ip (iproute2) and nft (nftables)");
	test_tmpdir(tmp, len);
	setenv("TMPDIR", tmp, 1);
}

/* The namespace the lab named in its first line, "(socklab-lab-PID)", still listed by ip netns? */
static int namespace_left(const char *out)
{
	char name[64], cmd[128];
	const char *p = strstr(out, "(socklab-lab-");

	if (!p || sscanf(p + 1, "%63[a-z0-9-]", name) != 1)
		return -1;
	snprintf(cmd, sizeof cmd, "ip netns list | grep -qw '%s'", name);
	return system(cmd) == 0;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;

	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* make lab | head -1: its reader goes after one line; the namespace and the folder go too. */
Test(lab, cleans_up_when_its_reader_goes, .timeout = 120)
{
	char tmp[64], cmd[512], out[96], line[256];

	lab_ready(tmp, sizeof tmp);
	/*
	 * The lab goes on until its next write fails, after the contrast's table
	 * (seconds, more on a busy machine): wait for it however long it takes,
	 * up to the test's timeout, rather than kill it, which no trap survives.
	 */
	snprintf(out, sizeof out, "%s.out", tmp);
	snprintf(cmd, sizeof cmd, "sh demos/lab.sh '%s' 2>/dev/null | head -1 > '%s'", test_socklab(), out);
	cr_assert_neq(system(cmd), -1);
	FILE *f = fopen(out, "r");
	cr_assert(f && fgets(line, sizeof line, f), "no first line");
	fclose(f);
	unlink(out);
	cr_expect(strstr(line, "== a network namespace (socklab-lab-"), "%s", line);
	cr_expect_eq(namespace_left(line), 0, "the namespace is still there: %s", line);
	cr_expect_eq(entries(tmp), 0, "the lab's folder is still in %s", tmp);
	test_rmdir(tmp);
}

/* A whole run: the kernel's figures in the table and the transfers, and nothing left at the end. */
Test(lab, a_whole_run, .timeout = 180)
{
	static const char *const figures[] = {
		"port 9 filtered: no answer after", "the SYN sent", "sent again (RetransSegs +", "rtt ",
		"the kernel dropped", "kernel: Udp RcvbufErrors +", "kernel: Tcp RetransSegs +", "what nftables dropped",
	};
	char tmp[64], cmd[512], out[96];

	lab_ready(tmp, sizeof tmp);
	/* A transport a line (50 columns): each cell's words follow one another, however wrapped. */
	snprintf(out, sizeof out, "%s.out", tmp);
	snprintf(cmd, sizeof cmd, "COLUMNS=50 sh demos/lab.sh '%s' 10 > '%s' 2>&1", test_socklab(), out);
	int st = system(cmd); /* seconds, more on a busy machine: waited for, never killed */
	FILE *f = fopen(out, "r");
	char *text = calloc(1, 1 << 16);
	cr_assert(f && text);
	text[fread(text, 1, (1 << 16) - 1, f)] = '\0';
	fclose(f);
	unlink(out);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "make lab failed:\n%s", text);
	char *flat = strdup(text), *o = flat;
	for (const char *p = text; *p; p++) /* runs of blanks and newlines as one space */
		if (!(*p == ' ' || *p == '\n') || (o > flat && o[-1] != ' '))
			*o++ = *p == '\n' ? ' ' : *p;
	*o = '\0';
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		cr_expect(strstr(flat, figures[i]), "no '%s' in:\n%s", figures[i], text);
	free(flat);
	cr_expect_null(strstr(text, "--rate keeps"), "the pace blamed without evidence:\n%s", text);
	cr_expect_eq(namespace_left(text), 0, "the namespace is still there");
	cr_expect_eq(entries(tmp), 0, "the lab's folder is still in %s", tmp);
	free(text);
	test_rmdir(tmp);
}
