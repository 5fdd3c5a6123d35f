/* congestion_exec.h - run ip, tc and nft inside one of socklab's own network namespaces, and the receiver's child. */
#ifndef SOCKLAB_CONGESTION_EXEC_H
#define SOCKLAB_CONGESTION_EXEC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Finds a tool (ip, tc, nft) on PATH, then in /usr/sbin and /sbin, where
 * Debian puts them and where a user's PATH often does not look. Writes its
 * path into out. Returns 0, or -1 with errno ENOENT.
 */
int congestion_tool(const char *name, char *out, size_t outlen);

/*
 * Runs the tool argv[0] (a name for congestion_tool) with argv inside the
 * network namespace ns_fd (an open /proc/PID/ns/net; where names it for the
 * trace: "router"), with input on its
 * standard input (or /dev/null when NULL), and waits for it. The child dies
 * with this process (PR_SET_PDEATHSIG), so no tool outlives socklab.
 * Traced under --trace. Returns 0 when it exited 0; otherwise -1 and, in
 * why, the command and the first line it printed (or how it ended).
 * Blocks until the tool ends.
 */
int congestion_exec(int ns_fd, const char *where, char *const argv[], const char *input, char *why, size_t whylen);

/*
 * fork() for a child of socklab's that must not outlive it: the child is
 * killed when this process dies, whatever the cause (PR_SET_PDEATHSIG,
 * prctl(2)), and exits at once if that already happened. Returns as fork()
 * does.
 */
pid_t congestion_fork(void);

/* pipe(2) with both ends close-on-exec, so that no tool inherits them. 0, or -1 with errno. */
int congestion_pipe(int fds[2]);

/* Kills a child of congestion_fork() (SIGKILL) and reaps it. Nothing when pid <= 0. */
void congestion_reap(pid_t pid);

#endif
