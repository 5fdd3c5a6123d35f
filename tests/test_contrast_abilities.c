/* test_contrast_abilities.c - contrast scenarios 13 to 16 on every transport: what the kernel did, checked against the facts. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "demos/contrast/contrast.h"
#include "tests/support/helpers.h"

/* Runs the scenario called name over t into *c, in a lab of its own. */
static void run(const char *name, const struct transport *t, struct cell *c)
{
	struct lab lab = { .options = NULL };
	const struct scenario *s = NULL;

	for (size_t i = 0; i < contrast_nscenarios; i++)
		if (strcmp(contrast_scenarios[i].name, name) == 0)
			s = &contrast_scenarios[i];
	cr_assert(s, "no scenario %s", name);
	test_tmpdir(lab.dir, sizeof lab.dir);
	int fds = test_open_fds();
	memset(c, 0, sizeof *c);
	contrast_run(s, &lab, t, c);
	cr_expect_eq(test_open_fds(), fds, "%s/%s leaked descriptors", name, t->scheme);
	test_rmdir(lab.dir);
	cr_assert_not(c->failed, "%s/%s: %s", name, t->scheme, c->summary);
}

/* The JSON text of key in c, "" if absent. */
static const char *get(const struct cell *c, const char *key)
{
	static char buf[4][256];
	static int next;
	char *b = buf[next++ % 4];
	return cell_get(c, key, b, sizeof buf[0]) ? b : "";
}

ParameterizedTestParameters(contrast_abilities, facts)
{
	return cr_make_param_array(size_t, test_transport_indexes(), test_transport_count());
}

ParameterizedTest(size_t *i, contrast_abilities, facts, .timeout = 60)
{
	const struct transport *t = transport_registry[*i];
	int unix_socket = transport_has_socket_file(t), connected = transport_is_connected(t);
	int stream = connected && !transport_keeps_boundaries(t);
	static struct cell c;
	char pid[32];

	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	if (transport_in_user_space(t)) {
		/* socklab's own protocol: 13, 14 and 16 observe the kernel's sockets; their cells say why not, unrun. */
		const char *kernel_only[] = { "descriptors", "credentials", "stranger" };
		for (size_t k = 0; k < 3; k++) {
			run(kernel_only[k], t, &c);
			cr_expect_str_eq(get(&c, "applies"), "\"no\"", "%s: %s", t->scheme, kernel_only[k]);
			cr_expect_neq(get(&c, "why_not")[0], '\0', "%s: %s", t->scheme, kernel_only[k]);
		}
		run("one-to-many", t, &c); /* a connection has one peer, as TCP's */
		cr_expect_str_eq(get(&c, "reached_by_one_send"), "1", "%s", t->scheme);
		cr_expect_str_eq(get(&c, "reached_by_those"), "3", "%s", t->scheme);
		return;
	}
	/* 13: a descriptor travels over unix sockets only; the kernel says nothing when it drops one. */
	run("descriptors", t, &c);
	cr_expect_str_eq(get(&c, "sendmsg"), "1", "%s", t->scheme);
	cr_expect_str_eq(get(&c, "descriptors_arrived"), unix_socket ? "1" : "0", "%s", t->scheme);
	cr_expect_str_eq(get(&c, "same_pipe"), unix_socket ? "true" : "false", "%s", t->scheme);
	cr_expect_str_eq(get(&c, "zero_bytes_arrived"), unix_socket && !stream ? "1" : "0", "%s: zero bytes", t->scheme);
	cr_expect_str_eq(get(&c, "descriptors_left_open"), "0", "%s", t->scheme);
	/* 14: the peer's process: SO_PEERCRED on connected unix sockets, SCM_CREDENTIALS on every unix socket. */
	run("credentials", t, &c);
	cr_expect_str_eq(get(&c, "peercred_pid"), unix_socket && connected ? pid : "0", "%s", t->scheme);
	cr_expect_str_eq(get(&c, "scm_credentials"), unix_socket ? "true" : "false", "%s", t->scheme);
	if (unix_socket)
		cr_expect_str_eq(get(&c, "scm_credentials_pid"), pid, "%s", t->scheme);
	if (!(unix_socket && connected))
		cr_expect_str_eq(get(&c, "so_peerpidfd"), "\"ENODATA\"", "%s", t->scheme);
	/* 15: one send reaches every member of a group on UDP, one receiver elsewhere. */
	run("one-to-many", t, &c);
	cr_expect_str_eq(get(&c, "reached_by_one_send"), !connected && !unix_socket ? "3" : "1", "%s", t->scheme);
	if (connected || unix_socket) {
		cr_expect_str_eq(get(&c, "sends_to_reach_all"), "3", "%s", t->scheme);
		cr_expect_str_eq(get(&c, "reached_by_those"), "3", "%s", t->scheme);
	}
	/* 16: a stranger cannot reach a connection; a connect()ed datagram socket is filtered by the kernel. */
	run("stranger", t, &c);
	if (connected && unix_socket)
		cr_expect_str_eq(get(&c, "client_address"), "\"unnamed\"", "%s", t->scheme);
	else if (connected)
		cr_expect_str_eq(get(&c, "stranger_connect"), "\"ECONNREFUSED\"", "%s", t->scheme);
	else {
		cr_expect_str_eq(get(&c, "arrived_unconnected"), "true", "%s", t->scheme);
		cr_expect_str_eq(get(&c, "connected"), unix_socket ? "\"EPERM\"" : "\"filtered\"", "%s", t->scheme);
	}
}
