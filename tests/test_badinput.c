/* test_badinput.c - bad input to every command: one line naming the problem, exit 2 or 1, nothing left behind. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/support/robust.h"

/* Set up once per case: the directory, the ports and the server the placeholders name. */
struct fixture {
	char dir[64];
	int refused_fd, busy_fd;
	unsigned refused, busy;
	struct test_server echo;
	int has_echo;
};

/* A TCP socket on 127.0.0.1 bound to a port the kernel picks: listening (busy) or not (refused). */
static int tcp_port(int listening, unsigned *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	cr_assert(fd >= 0);
	cr_assert(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	/* A bound socket that never listens answers every connection with a reset: nobody serves that port. */
	cr_assert(!listening || listen(fd, 1) == 0);
	cr_assert(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Replaces every placeholder in text (see struct bad_case). */
static void expand(const struct fixture *f, const char *text, char *out, size_t len)
{
	char lng[301], huge[5001];
	size_t o = 0;

	memset(lng, 'x', 300), lng[300] = '\0';
	memset(huge, 'y', 5000), huge[5000] = '\0';
	while (*text && o + 1 < len) {
		char num[16];
		const char *with = NULL;
		size_t skip = 0;
		if (strncmp(text, "{dir}", 5) == 0)
			with = f->dir, skip = 5;
		else if (strncmp(text, "{long}", 6) == 0)
			with = lng, skip = 6;
		else if (strncmp(text, "{huge}", 6) == 0)
			with = huge, skip = 6;
		else if (strncmp(text, "{refused}", 9) == 0)
			snprintf(num, sizeof num, "%u", f->refused), with = num, skip = 9;
		else if (strncmp(text, "{busy}", 6) == 0)
			snprintf(num, sizeof num, "%u", f->busy), with = num, skip = 6;
		else if (strncmp(text, "{echo}", 6) == 0)
			with = f->echo.endpoint, skip = 6;
		if (with) {
			o += (size_t)snprintf(out + o, len - o, "%s", with);
			text += skip;
		} else {
			out[o++] = *text++;
		}
	}
	out[o < len ? o : len - 1] = '\0';
}

/* Is cmd one of the commands `socklab --help` lists? */
static int command_exists(const char *cmd)
{
	const char *argv[] = { "socklab", "--help", NULL };
	struct run_result r;
	char needle[64];

	snprintf(needle, sizeof needle, "\n  %s ", cmd);
	cr_assert(test_run(argv, NULL, 0, &r) == 0 && r.status == 0);
	int found = strstr(r.out, needle) != NULL;
	test_run_free(&r);
	return found;
}

static void fixture_up(struct fixture *f, const struct bad_case *c)
{
	memset(f, 0, sizeof *f);
	test_tmpdir(f->dir, sizeof f->dir);
	cr_assert(f->dir[0], "no temporary directory");
	FILE *file = fopen(strcat(strcpy((char[128]){ 0 }, f->dir), "/file"), "w");
	cr_assert(file && fputs("a regular file\n", file) >= 0 && fclose(file) == 0);
	f->refused_fd = tcp_port(0, &f->refused);
	f->busy_fd = tcp_port(1, &f->busy);
	int wants_echo = c->shell && strstr(c->shell, "{echo}");
	for (size_t i = 0; c->argv[i]; i++)
		wants_echo |= strstr(c->argv[i], "{echo}") != NULL;
	if (wants_echo) {
		const char *argv[] = { "socklab", "echo-server", "--quiet", "tcp://127.0.0.1:0", NULL };
		cr_assert(test_server_start(&f->echo, argv) == 0, "echo-server did not start");
		f->has_echo = 1;
	}
}

static void fixture_down(struct fixture *f)
{
	if (f->has_echo)
		cr_expect_eq(test_server_stop(&f->echo, SIGTERM), 0, "the echo server was hurt: %s", f->echo.errtext);
	close(f->refused_fd);
	close(f->busy_fd);
	test_rmdir(f->dir);
}

static size_t indexes[256];

ParameterizedTestParameters(badinput, one_line_and_exit_code)
{
	for (size_t i = 0; i < bad_case_count && i < sizeof indexes / sizeof indexes[0]; i++)
		indexes[i] = i;
	return cr_make_param_array(size_t, indexes, bad_case_count);
}

ParameterizedTest(size_t *i, badinput, one_line_and_exit_code)
{
	const struct bad_case *c = &bad_cases[*i];
	const char *cmd = c->shell ? strstr(c->shell, "\" ") + 2 : c->argv[0];
	char words[8][6000], shown[512] = "", before[4096], after[4096], marker[64], cmdname[32];
	const char *argv[10] = { "socklab" };
	struct fixture f;
	struct run_result r;

	snprintf(cmdname, sizeof cmdname, "%.*s", (int)strcspn(cmd, " "), cmd);
	if (cmdname[0] != '-' && strcmp(cmdname, "frobnicate") && strcmp(cmdname, "{huge}") && !command_exists(cmdname))
		cr_skip_test("socklab has no command '%s' (yet)", cmdname);
	fixture_up(&f, c);
	if (c->shell) {
		expand(&f, c->shell, words[0], sizeof words[0]);
		argv[0] = "/bin/sh", argv[1] = "-c", argv[2] = words[0];
		setenv("SOCKLAB", test_socklab(), 1);
	} else {
		for (size_t k = 0; c->argv[k]; k++) {
			expand(&f, c->argv[k], words[k], sizeof words[k]);
			argv[k + 1] = words[k];
		}
	}
	for (size_t k = 0; argv[k]; k++)
		snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%.60s", k ? " " : "", argv[k]);
	dir_listing(f.dir, before, sizeof before);
	snprintf(marker, sizeof marker, "SOCKLAB_BADINPUT=%d.%zu", (int)getpid(), *i);
	/* Every process the command starts inherits it: see marked_process_left(). */
	setenv("SOCKLAB_BADINPUT", strchr(marker, '=') + 1, 1);
	cr_assert(test_run(argv, NULL, 0, &r) == 0, "%s: could not run", shown);
	unsetenv("SOCKLAB_BADINPUT");

	char *nl = strchr(r.err, '\n');
	cr_expect(r.status < 128, "%s: killed by signal %d", shown, r.status - 128);
	cr_expect_eq(r.status, c->status, "%s: exit %d, expected %d; stderr: %s", shown, r.status, c->status, r.err);
	cr_expect(nl && nl[1] == '\0' && strlen(r.err) == r.errlen, "%s: not exactly one line on stderr:\n%s", shown,
		  r.err);
	cr_expect(strncmp(r.err, "socklab: ", 9) == 0, "%s: the line does not start with 'socklab: ': %s", shown, r.err);
	char says[512];
	expand(&f, c->says, says, sizeof says);
	cr_expect(strstr(r.err, says), "%s: the line does not say '%s': %s", shown, says, r.err);
	dir_listing(f.dir, after, sizeof after);
	cr_expect_str_eq(after, before, "%s: left files behind (or removed some)", shown);
	cr_expect(!marked_process_left(marker), "%s: left a process running", shown);
	test_run_free(&r);
	fixture_down(&f);
}

/* Every command, including those added after this file: an unknown option is named, in one line. */
Test(badinput, every_command_names_an_unknown_option)
{
	const char *help[] = { "socklab", "--help", NULL };
	struct run_result h;
	int seen = 0;

	cr_assert(test_run(help, NULL, 0, &h) == 0 && h.status == 0);
	for (char *line = strstr(h.out, "commands:\n"); line && (line = strchr(line, '\n')) && line[1] == ' ';) {
		char cmd[32];
		struct run_result r;
		line++;
		if (sscanf(line, " %31s", cmd) != 1)
			break;
		const char *argv[] = { "socklab", cmd, "--no-such-option", NULL };
		cr_assert(test_run(argv, NULL, 0, &r) == 0);
		char *nl = strchr(r.err, '\n');
		cr_expect_eq(r.status, 2, "%s: exit %d", cmd, r.status);
		cr_expect(nl && nl[1] == '\0', "%s: not one line on stderr:\n%s", cmd, r.err);
		cr_expect(strstr(r.err, "'--no-such-option'"), "%s: the option is not named: %s", cmd, r.err);
		test_run_free(&r);
		seen++;
	}
	cr_expect(seen >= 2, "found %d commands in --help", seen);
	test_run_free(&h);
}
