/* contrast_server.c - scenarios 8 to 10: who may speak first, how a server tells its clients apart, binding again after it died. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "core/errors.h"
#include "core/sys/sys.h"
#include "contrast.h"

/* Two clients the transport dials, and a third from a bare socket(2) that never binds. */
#define CLIENTS 3

/* The third client: socket(2), then connect(2) or sendto(2) at once, without bind(2). 0 or -1. */
static int bare_client(const struct transport *t, const struct addr *at, int *fd)
{
	*fd = sys_socket(at->ss.ss_family, t->type, 0);
	if (*fd < 0)
		return -1;
	if (transport_is_connected(t))
		return sys_connect(*fd, at) < 0 || sys_send(*fd, "hi2", 3) < 0 ? -1 : 0;
	return sys_sendto(*fd, "hi2", 3, at) < 0 ? -1 : 0;
}

/*
 * The server meets its clients: a socket each from accept(2), or an address
 * each from recvfrom(2). Client k says "hik". Returns how many it heard
 * from (a datagram can be lost), or -1 with errno.
 */
static int meet(struct sock *srv, struct sock *acc, struct addr *peers, int *heard)
{
	char buf[16];
	int n = 0;

	while (n < CLIENTS) {
		struct sock conn;
		struct addr from;
		ssize_t got;

		sock_init(&conn);
		int r = lab_wait(srv, lab_patience(srv));
		if (r <= 0)
			return r < 0 ? -1 : n; /* nothing more came */
		if (sock_is_connected(srv)) {
			if (sock_accept(srv, &conn) < 0)
				return -1;
			from = conn.peer;
			got = (ssize_t)lab_read(&conn, buf, 3);
		} else {
			got = sock_recvfrom(srv, buf, sizeof buf, &from, NULL);
		}
		int k = got == 3 ? buf[2] - '0' : -1;
		if (k < 0 || k >= CLIENTS || heard[k]) {
			sock_close(&conn);
			continue; /* not one of ours */
		}
		if (sock_is_connected(srv))
			acc[k] = conn;
		peers[k] = from;
		heard[k] = 1;
		n++;
	}
	return n;
}

/* 8. Can the server greet a client that has sent nothing? */
int scenario_greeting(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct pair p;
	char buf[16], say[200] = "";

	if (pair_open(lab, t, &p) < 0)
		return cell_fail(c, "open", errno);
	/* Before the client says anything, has the server a socket, or an address, for it? */
	struct sock *s = pair_server(&p);
	int accepted = s != &p.srv;
	obs_bool(c, "accepted_before_data", accepted);
	if (accepted)
		snprintf(say, sizeof say, "accept() gave the client before it spoke; ");
	else
		snprintf(say, sizeof say, "no client known until one speaks; ");
	/* With no address to send to, a datagram server has only send(2), which needs a connection. */
	ssize_t n = accepted ? pair_server_send(&p, "hello", 5) : sys_send(s->fd, "hello", 5);
	obs_result(c, "greeting_sent", n, errno);
	if (n < 0) {
		SAY(say, "send: %s", errno_name(errno));
	} else {
		size_t got = lab_read(&p.cli, buf, 5);
		buf[got] = '\0';
		obs_str(c, "client_got", buf);
		SAY(say, "greeting %s", got == 5 ? "'hello' arrives" : "lost");
	}
	pair_close(&p);
	cell_say(c, "%s", say);
	return 0;
}

/* 9. How the server knows its clients, and what address an unbound client has. */
int scenario_clients(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct sock srv, cli[CLIENTS - 1], acc[CLIENTS];
	struct addr at, peers[CLIENTS];
	char text[ADDR_TEXT_MAX], hi[4];
	int bare = -1, sockets = 1, err = 0, heard[CLIENTS] = { 0 }, n = -1;
	const char *step = "open", *reply = "ok";

	for (int i = 0; i < CLIENTS; i++)
		sock_init(&acc[i]);
	for (int i = 0; i < CLIENTS - 1; i++)
		sock_init(&cli[i]);
	if (lab_open(lab, t, ENDPOINT_SERVER, NULL, 0, &srv) < 0 || sock_getname(&srv, &at) < 0)
		goto out;
	for (int i = 0; i < CLIENTS - 1; i++) {
		snprintf(hi, sizeof hi, "hi%d", i);
		if (lab_open(lab, t, ENDPOINT_CLIENT, &at, 0, &cli[i]) < 0 || sock_send_all(&cli[i], hi, 3) < 0)
			goto out;
	}
	step = "bare client";
	if (bare_client(t, &at, &bare) < 0)
		goto out;
	step = "meet";
	if ((n = meet(&srv, acc, peers, heard)) < 0)
		goto out;
	/* Answer each: on its own socket, or to its address on the one socket. */
	obs_list_begin(c, "peers");
	for (int i = 0; i < CLIENTS; i++) {
		const char *who = heard[i] ? addr_format(&peers[i], text, sizeof text) : "lost";
		obs_item_str(c, who, strlen(who));
	}
	obs_list_end(c);
	obs_list_begin(c, "replies");
	for (int i = 0; i < CLIENTS; i++) {
		sockets += acc[i].fd >= 0;
		ssize_t r = !heard[i] ? 0 : acc[i].fd >= 0 ? sock_send(&acc[i], "ok", 2) : sock_sendto(&srv, "ok", 2, &peers[i]);
		const char *what = !heard[i] ? "nobody to answer" : r < 0 ? errno_name(errno) : "ok";
		obs_item_str(c, what, strlen(what));
		if (i == CLIENTS - 1)
			reply = what;
	}
	obs_list_end(c);
	obs_int(c, "server_sockets", sockets);
	if (!heard[CLIENTS - 1])
		snprintf(text, sizeof text, "lost on the way");
	else
		addr_format(&peers[CLIENTS - 1], text, sizeof text);
	if (sockets > 1)
		cell_say(c, "a socket per client: %d from accept(); the unbound one is %s%s", sockets - 1, text,
			 strcmp(reply, "ok") ? ", and cannot be answered" : "");
	else if (n < CLIENTS)
		cell_say(c, "one socket, an address per datagram (%d of %d came); the unbound one is %s", n, CLIENTS, text);
	else
		cell_say(c, "one socket, an address per datagram; the unbound one is %s: reply %s", text, reply);
out:
	err = errno;
	if (bare >= 0)
		sys_close(bare);
	for (int i = 0; i < CLIENTS; i++)
		sock_close(&acc[i]);
	for (int i = 0; i < CLIENTS - 1; i++)
		sock_close(&cli[i]);
	sock_close(&srv);
	return n >= 0 ? 0 : cell_fail(c, step, err);
}

/* bind(2) on a fresh socket, with or without SO_REUSEADDR: 0, or the errno it failed with. */
static int try_bind(const struct transport *t, const struct addr *at, int reuse)
{
	int fd = sys_socket(at->ss.ss_family, t->type, 0), err = 0;

	if (fd < 0)
		return errno;
	if ((reuse && sys_setsockopt_int(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", 1) < 0) || sys_bind(fd, at) < 0)
		err = errno;
	sys_close(fd);
	return err;
}

/* 10. The server dies; can a new one bind the same address at once? */
int scenario_restart(struct lab *lab, const struct transport *t, struct cell *c)
{
	struct sock srv, cli, acc, again;
	struct addr at;
	char buf[4], say[200];
	const char *path = ((const struct sockaddr_un *)&at.ss)->sun_path;

	sock_init(&acc);
	/* Without impairment: this is about addresses, not data. */
	if (lab_open(lab, t, ENDPOINT_SERVER, NULL, 1, &srv) < 0 || sock_getname(&srv, &at) < 0)
		return cell_fail(c, "bind", errno);
	if (lab_open(lab, t, ENDPOINT_CLIENT, &at, 1, &cli) < 0) {
		sock_close(&srv);
		return cell_fail(c, "dial", errno);
	}
	if (sock_is_connected(&srv) && (lab_wait(&srv, ACCEPT_MS) <= 0 || sock_accept(&srv, &acc) < 0)) {
		sock_close(&cli);
		sock_close(&srv);
		return cell_fail(c, "accept", errno);
	}
	/* The server dies: the kernel closes its descriptors, and does nothing else. */
	sock_abandon(&srv);
	if (acc.fd >= 0)
		sys_close(acc.fd);
	acc.fd = -1;
	/* Its client sees the end (on a connection) and closes too. */
	if (sock_is_connected(&cli))
		obs_bool(c, "client_saw_end", lab_read(&cli, buf, 1) == 0);
	sock_close(&cli);

	struct stat st;

	say[0] = '\0';
	if (transport_has_socket_file(t)) {
		int left = lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
		obs_bool(c, "file_left", left);
		snprintf(say, sizeof say, "%s; ", left ? "the socket file stays" : "no file left");
	} else if (transport_is_connected(t)) {
		int tw = lab_time_wait(addr_port(&at));
		obs_int(c, "time_wait", tw);
		snprintf(say, sizeof say, "%d in TIME_WAIT; ", tw);
	}
	int plain = try_bind(t, &at, 0), reuse = try_bind(t, &at, 1);
	obs_str(c, "bind", plain ? errno_name(plain) : "ok");
	obs_str(c, "bind_reuseaddr", reuse ? errno_name(reuse) : "ok");
	int r = lab_open(lab, t, ENDPOINT_SERVER, &at, 1, &again), err = errno;
	obs_str(c, "socklab_bind", r < 0 ? errno_name(err) : "ok");
	sock_close(&again); /* removes the socket file it made */
	SAY(say, "bind(): %s; SO_REUSEADDR: %s; socklab: %s",
		 plain ? errno_name(plain) : "ok", reuse ? errno_name(reuse) : "ok", r < 0 ? errno_name(err) : "ok");
	cell_say(c, "%s", say);
	if (transport_has_socket_file(t) && r < 0 && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		sys_unlink(path); /* the dead server's file, in the lab's own directory */
	return 0;
}
