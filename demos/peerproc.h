/* peerproc.h - a peer in another process, for the commands whose lesson needs two: fork, a line when ready, a turn to speak. */
#ifndef SOCKLAB_PEERPROC_H
#define SOCKLAB_PEERPROC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * fdpass, creds and socketpair show what the kernel does between two
 * processes, so each forks its peer. Two pipes keep them in step without a
 * sleep: the child writes one line when it is ready (an endpoint it bound,
 * a pid), and waits for its turn before it prints, so that the two
 * processes' lines come out in the same order on every run.
 */
struct peerproc {
	pid_t pid;     /* the child, in the parent; 0 in the child */
	int ready[2];  /* child -> parent: one line */
	int turn[2];   /* parent -> child: one byte, "go on" */
	int status;    /* the child's exit code once peerproc_reap() has seen it, or -1 */
};

/* How long either side waits for the other before giving up (a peer that died, or hangs). */
#define PEERPROC_WAIT_MS 5000

/*
 * Flushes stdout and stderr, makes the pipes and forks. Returns 1 in the
 * parent, 0 in the child, or -1 with errno (nothing left open).
 */
int peerproc_start(struct peerproc *pp);

/* In the child: sends line (no newline) to the parent. 0 or -1. */
int peerproc_ready(struct peerproc *pp, const char *line);

/*
 * In the parent: waits for the child's line, at most PEERPROC_WAIT_MS.
 * Returns 0 with the line in out, or -1: errno ECHILD when the child ended
 * without one (it printed why), ETIMEDOUT, or what read(2) said.
 */
int peerproc_wait_ready(struct peerproc *pp, char *out, size_t len);

/* In the parent: gives the child its turn. 0 or -1. */
int peerproc_give_turn(struct peerproc *pp);

/* In the child: waits for its turn, at most PEERPROC_WAIT_MS. 0, or -1 (ETIMEDOUT, or the parent is gone). */
int peerproc_wait_turn(struct peerproc *pp);

/*
 * In the parent: waits for the child to exit, keeping the pipes open (a
 * grandchild may still wait for its turn on them). Returns its exit code,
 * 128 + the signal that ended it, or -1 with errno. Again: the same code.
 */
int peerproc_reap(struct peerproc *pp);

/* In the parent: closes the pipes, then peerproc_reap(). */
int peerproc_finish(struct peerproc *pp);

/* In the child: flushes what it printed and ends it with code, never returning (atexit handlers do not run). */
void peerproc_exit(struct peerproc *pp, int code)
#if defined(__GNUC__) || defined(__clang__)
	__attribute__((noreturn))
#endif
	;

#endif
