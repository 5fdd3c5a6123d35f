/* cli_process.c - the process's hygiene: descriptors 0-2 at start, the stop signals, standard output at exit. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "transports/impair/impair.h"

int cli_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/*
		 * Closed. The next open() or socket() would take its number, and
		 * printf() would write into a socket. Fill it with /dev/null opened
		 * the other way round: writes to a closed standard output, and reads
		 * from a closed standard input, still fail with EBADF, as they would
		 * have, and are reported; only the number is taken.
		 */
		int n = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (n < 0)
			return -1;
		if (n != fd) { /* open() takes the lowest free number, and every lower one is open by now */
			close(n);
			errno = EBADF;
			return -1;
		}
	}
	return 0;
}

int cli_exit(const char *cmd, int rc)
{
	int err = 0;

	errno = 0;
	if (fflush(stdout) != 0) {
		err = errno ? errno : EIO;
	} else if (ferror(stdout)) {
		/* An earlier write failed and its data is gone; a write of nothing asks the descriptor why. */
		errno = 0;
		err = write(STDOUT_FILENO, "", 0) < 0 ? errno : EIO;
	}
	if (err && rc == 0) {
		fprintf(stderr, "socklab: %s%swrite standard output: %s%s\n", cmd ? cmd : "", cmd ? ": " : "",
			errno_text(err), err == EBADF ? " (it was closed when socklab started)" : "");
		rc = EXIT_RUNTIME;
	}
	return rc;
}

/* The signals that ask socklab to stop: Ctrl-C, kill's default, and the terminal going away. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define NSTOP (sizeof stop_signals / sizeof stop_signals[0])

static void (*stop_fn)(void *);
static void *stop_ctx;
static struct sigaction saved[NSTOP];
static int installed;

static void stop_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < NSTOP; i++)
		sigaddset(set, stop_signals[i]);
}

static void on_signal(int sig)
{
	int saved_errno = errno; /* a handler must leave errno as it found it: stop_fn may make a system call */

	(void)sig;
	impair_hurry(); /* no delay= of the impairment layer may hold up a process that is stopping */
	if (stop_fn)
		stop_fn(stop_ctx);
	errno = saved_errno;
}

void cli_hold_signals(void)
{
	sigset_t set;

	stop_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

void cli_release_signals(void)
{
	sigset_t set;

	stop_set(&set);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

int cli_on_stop(void (*fn)(void *ctx), void *ctx)
{
	struct sigaction sa;
	sigset_t set;

	cli_hold_signals(); /* stop_fn and stop_ctx change while no handler can run */
	stop_fn = fn;
	stop_ctx = ctx;
	memset(&sa, 0, sizeof sa);
	stop_set(&sa.sa_mask); /* one handler at a time: a second signal waits for the first to return */
	sa.sa_handler = on_signal;
	for (size_t i = 0; i < NSTOP; i++)
		if (sigaction(stop_signals[i], &sa, installed ? NULL : &saved[i]) < 0)
			return -1;
	installed = 1;
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -1;
	stop_set(&set);
	return sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void cli_on_stop_end(void)
{
	cli_hold_signals(); /* from here a stop signal waits, and the process exits before it is delivered */
	stop_fn = NULL;
	stop_ctx = NULL;
	for (size_t i = 0; installed && i < NSTOP; i++)
		sigaction(stop_signals[i], &saved[i], NULL);
	installed = 0;
}
