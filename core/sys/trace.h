/* trace.h - narrate every socket call as it happens (socklab --trace). */
#ifndef SOCKLAB_TRACE_H
#define SOCKLAB_TRACE_H

#include <stddef.h>

/*
 * The library never prints. When a program wants the narration, it installs
 * a sink: a function that receives each finished line (without a newline),
 * such as "socket(AF_INET, SOCK_DGRAM, 0) = 3". The demos' sink writes to
 * standard error; `socklab contrast` collects the lines instead.
 */
typedef void trace_sink_fn(const char *line, void *ctx);

/*
 * Installs fn (NULL turns tracing off). Threads may trace (rdt's protocol
 * thread does): the sink is called for one line at a time, never by two
 * threads at once, and never again once trace_set_sink has returned from
 * replacing it, so a sink's own data is safe to read after that.
 */
void trace_set_sink(trace_sink_fn *fn, void *ctx);

/* Nonzero while a sink is installed; the wrappers in sys.c test it before formatting. */
extern _Atomic int trace_on;

/*
 * Mutes (on 1) or unmutes (0) the narration of the calling thread alone, and
 * returns how it was: for plumbing between socklab's own threads (rdt's
 * socketpairs), which is not a call the program made.
 */
int trace_mute(int on);

/* Formats one line and hands it to the sink. Keeps errno unchanged. Thread-safe. */
void trace_line(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/* " = 3", or " = -1 ECONNREFUSED (connection refused)" from errno: the end of a traced call's line. */
const char *trace_result(long r, char *buf, size_t len);

/* "AF_INET", "AF_INET6", "AF_UNIX", "AF_PACKET", or the number as text for others. */
const char *trace_family_name(int family);
/* "SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW". */
const char *trace_type_name(int type);
/* socket(2)'s third argument: "0", or "htons(ETH_P_ALL)" for a packet socket that takes every frame. */
const char *trace_protocol_name(int domain, int protocol);

#endif
