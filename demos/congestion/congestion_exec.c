/* congestion_exec.c - run ip, tc and nft inside socklab's own namespaces (setns(2) in the child), children tied to us. */
#ifdef __linux__
#define _GNU_SOURCE /* setns(2), CLONE_NEWNET */
#endif
#include "congestion_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/errors.h"
#include "core/sys/trace.h"

#ifdef __linux__
#include <sched.h>
#include <sys/prctl.h>
#endif

int congestion_tool(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	char dirs[1024];

	snprintf(dirs, sizeof dirs, "%s:/usr/sbin:/sbin", path && *path ? path : "/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, outlen, "%s/%s", d, name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	errno = ENOENT;
	return -1;
}

pid_t congestion_fork(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

#ifdef __linux__
	if (pid == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent))
		_exit(127); /* the parent is already gone: nothing to do for it */
#else
	(void)parent;
#endif
	return pid;
}

int congestion_pipe(int fds[2])
{
	if (pipe(fds) < 0)
		return -1;
	if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) < 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) < 0) {
		int saved = errno;
		close(fds[0]);
		close(fds[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

void congestion_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* The command line as one string, for the trace and for messages. */
static void join(char *const argv[], char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; argv[i] && used + 1 < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? " " : "", argv[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* In the child: into the namespace, the pipes in place, then the tool. Never returns. */
static void child(int ns_fd, const char *tool, char *const argv[], int in, int out)
{
#ifdef __linux__
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		_exit(126);
#else
	(void)ns_fd;
#endif
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(126);
	execv(tool, argv);
	_exit(127);
}

/* Writes all of input to fd, then closes it. A tool that stops reading is not waited for here. */
static void feed(int fd, const char *input)
{
	size_t len = input ? strlen(input) : 0;

	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, input + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
}

int congestion_exec(int ns_fd, const char *where, char *const argv[], const char *input, char *why, size_t whylen)
{
	char tool[256], line[512], said[512] = "";
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0;

	join(argv, line, sizeof line);
	if (trace_on)
		trace_line("run in the %s's namespace: %s%s", where, line, input ? " <<EOF (rules below)" : "");
	if (trace_on && input)
		trace_line("%s", input);
	if (congestion_tool(argv[0], tool, sizeof tool) < 0)
		return fail_why(why, whylen, "%s is not installed (apt-get install %s)", argv[0],
				strcmp(argv[0], "nft") == 0 ? "nftables" : "iproute2");
	if (congestion_pipe(in) < 0 || congestion_pipe(out) < 0) {
		int err = errno;
		for (int i = 0; i < 2; i++)
			if (in[i] >= 0)
				close(in[i]);
		return fail_why(why, whylen, "pipe for %s: %s", argv[0], errno_text(err));
	}
	signal(SIGPIPE, SIG_IGN);
	pid_t pid = congestion_fork();
	if (pid == 0)
		child(ns_fd, tool, argv, in[0], out[1]);
	int err = errno;
	close(in[0]);
	close(out[1]);
	if (pid < 0) {
		close(in[1]);
		close(out[0]);
		return fail_why(why, whylen, "fork for %s: %s", argv[0], errno_text(err));
	}
	feed(in[1], input);
	size_t got = 0;
	for (ssize_t n; got + 1 < sizeof said && ((n = read(out[0], said + got, sizeof said - 1 - got)) != 0);)
		if (n > 0)
			got += (size_t)n;
		else if (errno != EINTR)
			break;
	said[got] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return fail_why(why, whylen, "waitpid for %s: %s", argv[0], errno_text(errno));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	said[strcspn(said, "\n")] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 126)
		return fail_why(why, whylen, "'%s' could not enter socklab's namespace", line);
	if (!said[0])
		snprintf(said, sizeof said, WIFEXITED(status) ? "exit %d" : "killed by signal %d",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	return fail_why(why, whylen, "'%s' failed: %s", line, said);
}
