/* helpers_fork.c - a test's server in a child process, listening where its transport can be served. */
#include "helpers.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

pid_t test_fork_listener(const struct transport *t, const char *dir, const char *name, int backlog,
			 void (*serve)(struct sock *ls, void *ctx), void *ctx, struct sock *ls, char *ep, size_t eplen)
{
	char text[256], why[256];
	struct endpoint e;
	struct addr a;
	int gai, p[2] = { -1, -1 };
	int user = transport_in_user_space(t); /* its protocol thread stays in the process that listened */

	sock_init(ls);
	test_server_endpoint(t, dir, name, text, sizeof text);
	cr_assert(endpoint_parse(text, ENDPOINT_SERVER, &e, why, sizeof why) == 0, "%s", why);
	if (!user) {
		cr_assert(sock_listen_endpoint(ls, &e, backlog, &gai) == 0, "%s: %s", text, strerror(errno));
		cr_assert(sock_getname(ls, &a) == 0);
		endpoint_format(t, &a, ep, eplen);
	} else {
		cr_assert(pipe(p) == 0);
	}
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		if (user) {
			char out[ENDPOINT_FORMAT_MAX] = "";
			close(p[0]);
			if (sock_listen_endpoint(ls, &e, backlog, &gai) == 0 && sock_getname(ls, &a) == 0)
				endpoint_format(t, &a, out, sizeof out);
			if (write(p[1], out, strlen(out) + 1) < 0 || !out[0])
				_exit(1);
			close(p[1]);
		}
		serve(ls, ctx);
		_exit(0);
	}
	if (user) { /* the child's endpoint, when it listens: a read that waits for it, not a sleep */
		size_t got = 0;
		close(p[1]);
		for (ssize_t n; got < eplen - 1 && (n = read(p[0], ep + got, eplen - 1 - got)) > 0;)
			got += (size_t)n;
		close(p[0]);
		ep[got] = '\0';
		cr_assert(got > 1 && ep[0], "%s: the child could not listen", t->scheme);
	}
	return pid;
}
