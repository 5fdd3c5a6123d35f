/* shells.c - the completions driven as bash and fish drive them: words, cursor, replies. */
#include "shells.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/support/helpers.h"

char *shells_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n + 4096 + 1 > cap && !(buf = realloc(buf, cap = 2 * (n + 4096 + 1))))
			break;
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}

int shells_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	size_t n = fwrite(data, 1, len, f);
	return fclose(f) == 0 && n == len ? 0 : -1;
}

int shells_have(const char *program)
{
	char line[160];
	struct run_result r;

	snprintf(line, sizeof line, "command -v %s", program);
	const char *argv[] = { "/bin/sh", "-c", line, NULL };
	int have = test_run(argv, NULL, 0, &r) == 0 && r.status == 0;
	test_run_free(&r);
	return have;
}

/* The driver: the script, then the words as arguments; bash sets what a completion function reads, and calls it. */
static const char driver[] =
	"cd \"$1\" || exit 1; script=$2 COMP_WORDBREAKS=$3 COMP_LINE=$4; shift 4\n"
	"COMP_POINT=${#COMP_LINE} COMP_WORDS=(\"$@\") COMP_CWORD=$(($# - 1))\n"
	"source \"$script\" || exit 1\n"
	"complete -p socklab >/dev/null || exit 1\n"
	"_socklab\n"
	"if ((${#COMPREPLY[@]})); then printf '%s\\n' \"${COMPREPLY[@]}\" | LC_ALL=C sort; fi\n";

int shells_bash_complete(const char *script, const char *cwd, const char *line, const char *breaks, char *out,
			 size_t len)
{
	char words[32][128], wordbreaks[32];
	const char *argv[48] = { "bash", "-c", driver, "bash", cwd, script, wordbreaks, line };
	size_t n = 0, argc = 8;
	struct run_result r;

	/*
	 * As bash splits (checked against an interactive bash: "x tcp://" is x, tcp,
	 * :, //): blanks end a word, and a run of break characters is a word of its own.
	 */
	snprintf(wordbreaks, sizeof wordbreaks, " \t\n\"'><;|&(%s", breaks);
	for (const char *p = line; *p && n < 32;) {
		size_t k = 0;
		if (*p == ' ') {
			p++;
			continue;
		}
		if (strchr(breaks, *p))
			k = strspn(p, breaks);
		else
			while (p[k] && p[k] != ' ' && !strchr(breaks, p[k]))
				k++;
		snprintf(words[n], sizeof words[n], "%.*s", (int)k, p);
		p += k;
		argv[argc++] = words[n++];
	}
	if (line[0] == '\0' || line[strlen(line) - 1] == ' ')
		argv[argc++] = ""; /* the cursor after a blank: an empty word */
	argv[argc] = NULL;
	if (test_run(argv, NULL, 0, &r) < 0)
		return -1;
	snprintf(out, len, "%s%s", r.status == 0 ? "" : "(failed) ", r.status == 0 ? r.out : r.err);
	test_run_free(&r);
	return 0;
}

/* Each case: a line, and the replies, sorted, one a line, as readline replaces the text after a ':' or '='. */
static const struct {
	const char *line, *breaks, *replies;
} bash_cases[] = {
	{ "socklab ec", ":=", "echo-client\necho-server\n" },
	{ "socklab --v", ":=", "--version\n" },
	{ "socklab echo-server tc", ":=", "tcp://\n" },
	{ "socklab --trace echo-client --ti", ":=", "--timeout\n" },
	{ "socklab echo-server unix:", ":=", "notes.txt\nsub/\n" },
	{ "socklab echo-server unixpacket:su", ":=", "sub/\n" },
	{ "socklab echo-server unix:su", "", "unix:sub/\n" }, /* a bash that does not split at ':' */
	{ "socklab echo-server tcp://", ":=", "//127.0.0.1:\n//[::1]:\n//localhost:\n" },
	{ "socklab echo-server --poller ", ":=", "epoll\npoll\n" },
	{ "socklab echo-server --poller=e", ":=", "epoll\n" },
	{ "socklab pitfalls fds-t", ":=", "fds-too-many\n" },
	{ "socklab contrast --scenarios boundaries,emp", ":=", "boundaries,empty\n" },
	{ "socklab send tcp://127.0.0.1:5557 no", ":=", "notes.txt\n" },
	{ "socklab wire --pcap no", ":=", "notes.txt\n" },
	{ "socklab wire unixg", ":=", "unixgram\nunixgram:\n" },
	{ "socklab echo-client tcp://127.0.0.1:5555 -- --t", ":=", "" },
};

/* Files to complete, in DIR/work (where the shell runs, written into work): notes.txt and the directory sub. */
static void make_files(const char *dir, char *work, size_t len)
{
	char path[192];

	snprintf(work, len, "%s/work", dir);
	if (access(work, F_OK) == 0)
		return;
	cr_assert(mkdir(work, 0700) == 0);
	snprintf(path, sizeof path, "%s/notes.txt", work);
	cr_assert(shells_write(path, "notes\n", 6) == 0);
	snprintf(path, sizeof path, "%s/sub", work);
	cr_assert(mkdir(path, 0700) == 0);
}

void shells_bash_cases(const char *script, const char *dir)
{
	char got[4096], work[160];

	make_files(dir, work, sizeof work);
	for (size_t i = 0; i < sizeof bash_cases / sizeof bash_cases[0]; i++) {
		cr_assert(shells_bash_complete(script, work, bash_cases[i].line, bash_cases[i].breaks, got, sizeof got) == 0);
		cr_expect_str_eq(got, bash_cases[i].replies, "bash: '%s<TAB>' (breaks '%s') completes to:\n%s",
				 bash_cases[i].line, bash_cases[i].breaks, got);
	}
}

/* fish's own engine: `complete -C LINE` prints each candidate, a tab and its description. */
static const struct {
	const char *line, *candidates;
} fish_cases[] = {
	{ "socklab ec", "echo-client echo-server" },
	{ "socklab echo-server tc", "tcp://" },
	{ "socklab echo-server unix:su", "unix:sub/" },
	{ "socklab echo-server --poller ", "epoll poll" },
	{ "socklab pitfalls fds-t", "fds-too-many" },
	{ "socklab bench --transports tcp,unixp", "tcp,unixpacket" },
	{ "socklab send tcp://127.0.0.1:5557 no", "notes.txt" },
	{ "socklab multicast --r", "--receivers" },
};

void shells_fish_cases(const char *path, const char *dir)
{
	char script[512], work[160];

	make_files(dir, work, sizeof work);
	for (size_t i = 0; i < sizeof fish_cases / sizeof fish_cases[0]; i++) {
		struct run_result r;
		snprintf(script, sizeof script, "cd '%s'; and source '%s'; and complete -C '%s' | cut -f1 | string join ' '",
			 work, path, fish_cases[i].line);
		const char *argv[] = { "fish", "-c", script, NULL };
		cr_assert(test_run(argv, NULL, 0, &r) == 0);
		r.out[strcspn(r.out, "\n")] = '\0';
		cr_expect_str_eq(r.out, fish_cases[i].candidates, "fish: '%s<TAB>' completes to '%s' %s", fish_cases[i].line,
				 r.out, r.err);
		test_run_free(&r);
	}
}
