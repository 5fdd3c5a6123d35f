/* cli.h - what every socklab command shares: options, endpoints, and one-line errors. */
#ifndef SOCKLAB_CLI_H
#define SOCKLAB_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include "transports/endpoint.h"
#include "transports/registry.h"
#include "core/engine/poller.h"
#include "core/transport.h"

#define SOCKLAB_VERSION "0.1.0"

/* Exit codes: 0 success, 1 a failure at run time, 2 a usage or endpoint error. */
enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* A subcommand: its name, a line for --help, and its main(). */
struct command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

/* The subcommands, NULL-terminated (commands.c). */
extern const struct command commands[];

/* Turns --trace on: every socket call is narrated on standard error. */
void cli_trace_on(void);

/* Prints "socklab: CMD: <message> (see 'socklab CMD --help')" and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * The usage error for an option getopt_long() refused, naming it: "unknown
 * option '--bogus'", "option '--timeout' needs a value", "option '--quiet'
 * takes no value". c is what getopt_long() returned ('?', or ':' when the
 * option string starts with ':'). main() sets opterr to 0, so getopt itself
 * prints nothing and this is the one line. Returns EXIT_USAGE.
 */
int cli_bad_option(const char *cmd, int c, char **argv);

/*
 * Prints "socklab: CMD: <what>: <why of err> (<hint>)" and returns EXIT_RUNTIME.
 * op names the failing step ("connect", "bind"...) to choose the hint.
 */
int cli_error(const char *cmd, int err, const char *op, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* As cli_error, with the hint chosen by t's facts (errors.h): what the errno means on that transport. */
int cli_error_on(const char *cmd, const struct transport *t, int err, const char *op, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/* Parses an endpoint; on a bad one prints what is wrong and returns EXIT_USAGE, else 0. */
int cli_endpoint(const char *cmd, const char *text, enum endpoint_role role, struct endpoint *ep);

/* Binds (and listens on) ep into s. Prints the error and returns EXIT_RUNTIME on failure, else 0. */
int cli_listen(const char *cmd, const char *text, const struct endpoint *ep, struct sock *s);

/*
 * As cli_listen(), with a parsed --mode (-1: none) set on the socket file
 * before listen(2), so that no client connects while it has another mode.
 * EXIT_USAGE when ep has no socket file (tcp, udp, an abstract name);
 * EXIT_RUNTIME when a step failed. Prints the error.
 */
int cli_listen_mode(const char *cmd, const char *text, const struct endpoint *ep, int mode, struct sock *s);

/* Dials ep into s. Prints the error and returns EXIT_RUNTIME on failure, else 0. */
int cli_dial(const char *cmd, const char *text, const struct endpoint *ep, struct sock *s);

/*
 * As cli_dial, with connect(2) given at most timeout_ms (0: as long as the
 * kernel tries; over TCP about two minutes of SYN retries): --timeout.
 */
int cli_dial_within(const char *cmd, const char *text, const struct endpoint *ep, int timeout_ms, struct sock *s);

/*
 * --mode MODE of a server: parses the octal MODE ("660", "0666", at most 0777)
 * into *mode. Prints the usage error and returns EXIT_USAGE on a bad one, else 0.
 */
int cli_mode(const char *cmd, const char *text, int *mode);

/*
 * Before a message of len bytes goes out on s (a message transport): 0 when
 * it can go whole, to a socklab server too; else prints one line that says
 * the size, the limit and whose limit it is (UDP's datagram, the socket's
 * send buffer, socklab's servers' buffer), and returns EXIT_RUNTIME. Raises
 * a unix socket's send buffer when that is what stands in the way. Streams
 * and messages up to 65,507 bytes: 0 without a system call.
 */
int cli_message_fits(const char *cmd, const char *where, struct sock *s, size_t len);

/* "tcp://127.0.0.1:40211": the endpoint s is really bound to. */
const char *cli_bound_endpoint(struct sock *s, char *buf, size_t len);

/* --poller NAME: "poll" or "epoll" into *kind. Prints the usage error and returns EXIT_USAGE on another, else 0. */
int cli_poller(const char *cmd, const char *text, enum poller_kind *kind);

/*
 * getline(3) of one line from in, without its line ending ("\n" or "\r\n").
 * Returns its length (*line holds it, NUL-terminated), or -1 at the end of
 * input or on an error (ferror(in) tells them apart).
 */
ssize_t cli_read_line(char **line, size_t *cap, FILE *in);

/*
 * Numbers (cli_numbers.c). Every numeric option goes through one of these:
 * decimal digits only (no sign, spaces, hexadecimal or exponent), checked
 * arithmetic, and a number that does not fit is refused, never wrapped.
 */

/* A whole number from lo to hi into *out. 0, or -1 when text is not one. */
int cli_number(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out);

/* A size in bytes: digits, then K, M or G (1024, 1024^2, 1024^3) if wanted; from lo to hi. 0, or -1. */
int cli_size(const char *text, unsigned long long lo, unsigned long long hi, unsigned long long *out);

/*
 * A duration in seconds ("3", "0.5": digits and one point, at most a day)
 * into milliseconds, rounded down; a duration under a millisecond that is
 * not 0 counts as 1. -1 when text is not one.
 */
int cli_seconds(const char *text);

/*
 * --timeout, --idle: a duration of more than 0 seconds into *ms. 0 is refused
 * (it would mean "wait for ever" to SO_RCVTIMEO, and "not at all" to poll).
 * Prints the usage error naming option and returns EXIT_USAGE, else 0.
 */
int cli_duration(const char *cmd, const char *option, const char *text, int *ms);

/*
 * The process (cli_process.c).
 *
 * Makes sure descriptors 0, 1 and 2 are open before anything else opens one:
 * a closed one is filled with /dev/null opened the other way round, so that
 * a socket never becomes "standard output" and reading or writing a closed
 * standard stream still fails with EBADF. main() calls it first. 0, or -1
 * with errno when /dev/null cannot be opened.
 */
int cli_std_fds(void);

/*
 * The end of every command: flushes standard output and checks that every
 * write to it succeeded (a full disk, /dev/full, a closed descriptor). If one
 * failed and rc is 0, prints the one line and returns EXIT_RUNTIME; else rc.
 */
int cli_exit(const char *cmd, int rc);

/*
 * Blocks SIGINT, SIGTERM and SIGHUP: one that arrives waits (a server calls
 * this before it creates its socket file, so that no signal can end it
 * between bind() and the handler that removes the file).
 */
void cli_hold_signals(void);
/* Unblocks them: one that came meanwhile is delivered now, with whatever handler is in place. */
void cli_release_signals(void);

/*
 * Calls fn(ctx) from the handler of SIGINT, SIGTERM and SIGHUP (fn must be
 * async-signal-safe), ignores SIGPIPE, then unblocks the three: one that
 * arrived while they were held is handled now. 0, or -1 with errno.
 */
int cli_on_stop(void (*fn)(void *ctx), void *ctx);

/*
 * The end of what cli_on_stop() set up, before freeing what fn touches:
 * blocks the three signals again, forgets fn, and restores the handlers that
 * were there before. They stay blocked: the process is stopping, and exits
 * before a later one would be delivered.
 */
void cli_on_stop_end(void);

#endif
