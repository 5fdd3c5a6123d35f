/* contrast_abilities.c - scenarios 13 and 14: what only unix sockets carry: an open descriptor, and who the peer process is. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/ancillary.h"
#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/*
 * One message with a descriptor (data bytes, possibly none) from the client, and what the server got within
 * ms: 1 (*ctl filled), 0 when nothing came to read, -1 with errno.
 */
static int pass_one(struct pair *p, const char *data, size_t len, int fd, int ms, ssize_t *sent, struct sys_ctl *ctl)
{
	char buf[16];

	*sent = sock_send_fds(&p->cli, data, len, &fd, 1);
	if (*sent < 0)
		return -1;
	struct sock *rx = pair_server(p);
	if (lab_wait(rx, ms) <= 0) {
		memset(ctl, 0, sizeof *ctl); /* nothing came to read: no descriptor either */
		ctl->pidfd = -1;
		return 0;
	}
	return sock_recv_ctl(rx, buf, sizeof buf, NULL, 1, ctl) < 0 ? -1 : 1;
}

/* 13. Pass an open descriptor: does it arrive, is it the same object, and with no bytes beside it? */
int scenario_descriptors(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	struct sys_ctl ctl;
	ssize_t sent;
	int pipefd[2], same = 0;
	char say[200], got[4] = "";

	int before = sys_open_fds();
	if (pipe(pipefd) < 0)
		return cell_fail(c, "pipe", errno);
	if (pair_open(lab, t, &p) < 0) {
		int err = errno;
		close(pipefd[0]), close(pipefd[1]);
		return cell_fail(c, "open", err);
	}
	/* The write end of a pipe goes; the receiver writes through what came, and this end reads it. */
	int r = pass_one(&p, "x", 1, pipefd[1], lab_patience(pair_server(&p)), &sent, &ctl), err = errno;
	size_t arrived = r > 0 ? ctl.nfds : 0;
	if (arrived && write(ctl.fds[0], "ok", 2) == 2 && read(pipefd[0], got, 2) == 2)
		same = memcmp(got, "ok", 2) == 0;
	if (r > 0)
		sys_ctl_close(&ctl);
	/* Then one with no bytes at all: on a stream nothing is sent, so nothing is waited for long. */
	ssize_t sent0 = -1;
	int r0 = r < 0 ? -1 : pass_one(&p, "", 0, pipefd[1], QUIET_MS, &sent0, &ctl);
	size_t arrived0 = r0 > 0 ? ctl.nfds : 0;
	if (r0 > 0)
		sys_ctl_close(&ctl);
	pair_close(&p);
	close(pipefd[0]), close(pipefd[1]);
	if (r < 0)
		return cell_fail(c, sent < 0 ? "sendmsg" : "recvmsg", err);
	obs_result(c, "sendmsg", sent, err);
	obs_int(c, "descriptors_arrived", (long long)arrived);
	obs_bool(c, "same_pipe", same);
	obs_int(c, "zero_bytes_arrived", (long long)arrived0);
	obs_int(c, "descriptors_left_open", sys_open_fds() - before);
	snprintf(say, sizeof say, "sendmsg() = %zd; ", sent);
	if (arrived)
		SAY(say, "%zu arrived%s", arrived, same ? ", the same pipe" : "");
	else
		SAY(say, "none arrived, and no error said so");
	if (arrived || arrived0)
		SAY(say, "; with 0 bytes: %s", arrived0 ? "arrived" : "lost");
	cell_say(c, "%s", say);
	return 0;
}

/* "pid 1234 (this process)", "none (pid 0)": a process as the kernel named it. */
static const char *who(long pid, char *buf, size_t len)
{
	if (pid == 0)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "pid %ld%s", pid, pid == (long)getpid() ? " (us)" : "");
	return buf;
}

/* 14. Who is the peer? SO_PEERCRED at connect(), SO_PEERPIDFD, SCM_CREDENTIALS per message. */
int scenario_credentials(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	struct sys_cred cred = { 0, -1, -1 };
	struct sys_ctl ctl;
	char say[200], a[40];

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	struct sock *rx = pair_server(&p);
	int pc = sock_peer_cred(rx, &cred), pc_err = errno;
	int pidfd = sys_peerpidfd(rx->fd), pidfd_err = errno;
	if (pidfd >= 0)
		sys_close(pidfd);
	int pass = sys_set_passcred(rx->fd, 1), pass_err = errno;
	int r = sock_send(&p.cli, "x", 1) == 1 && lab_wait(rx, lab_patience(rx)) > 0 ? 0 : -1;
	int err = errno;
	if (r == 0 && sock_recv_ctl(rx, a, sizeof a, NULL, 0, &ctl) < 0)
		r = -1, err = errno;
	pair_close(&p);
	if (r < 0)
		return cell_fail(c, "message", err);
	obs_result(c, "so_peercred", pc, pc_err);
	obs_int(c, "peercred_pid", cred.pid);
	obs_int(c, "peercred_uid", cred.uid);
	obs_str(c, "so_peerpidfd", pidfd >= 0 ? "pidfd" : errno_name(pidfd_err));
	obs_result(c, "so_passcred", pass, pass_err);
	obs_bool(c, "scm_credentials", ctl.has_cred);
	if (ctl.has_cred)
		obs_int(c, "scm_credentials_pid", ctl.cred.pid);
	snprintf(say, sizeof say, "SO_PEERCRED: %s", pc < 0 ? errno_name(pc_err) : who(cred.pid, a, sizeof a));
	SAY(say, "; a pidfd: %s", pidfd >= 0 ? "yes" : errno_name(pidfd_err));
	if (pass < 0)
		SAY(say, "; SO_PASSCRED: %s", errno_name(pass_err));
	else
		SAY(say, "; SCM_CREDENTIALS: %s", ctl.has_cred ? who(ctl.cred.pid, a, sizeof a) : "none");
	cell_say(c, "%s", say);
	return 0;
}
