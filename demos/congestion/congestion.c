/* congestion.c - socklab congestion: congestion control observed on a real bottleneck, run after run. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/errors.h"
#include "demos/cli.h"
#include "demos/netns.h"
#include "congestion.h"
#include "congestion_net.h"
#include "congestion_report.h"
#include "congestion_run.h"

static volatile sig_atomic_t stopping; /* the signal that asked to stop, or 0 */

static void on_stop(int sig)
{
	stopping = sig;
}

/*
 * SIGINT, SIGTERM and SIGHUP end the run: the loop sees the flag, closes the
 * flows, kills the receiver, and main returns; the namespaces, the tbf and
 * the rules go with the process. No SA_RESTART: poll() must return.
 */
static int catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

/* Prints one finished run as --format asks. */
static void emit(const struct congestion_opts *o, const struct congestion_run *run, int r,
		 struct congestion_summary sums[][CONGESTION_MAX_FLOWS])
{
	if (o->format == FORMAT_JSON)
		congestion_dump_json_run(stdout, run, r == 0);
	else if (o->format == FORMAT_CSV)
		congestion_dump_csv_run(stdout, run);
	else
		congestion_report_run(stdout, o, run, sums[r]);
	fflush(stdout);
}

/* The runs, one after another on the same bottleneck. Returns 0, or -1 with the reason in why. */
static int run_all(const struct congestion_opts *o, const struct congestion_net *net, char *why, size_t whylen)
{
	static struct congestion_summary sums[CONGESTION_MAX_CCS][CONGESTION_MAX_FLOWS];
	int r;

	if (o->format == FORMAT_JSON)
		congestion_dump_json_open(stdout, o);
	else if (o->format == FORMAT_CSV)
		congestion_dump_csv_header(stdout);
	fflush(stdout); /* the bottleneck is up: a reader may know it now */
	for (r = 0; r < o->ncc && !stopping; r++) {
		struct congestion_run run;
		int rc = congestion_run(o, net, o->cc[r], &run, &stopping, why, whylen);
		if (rc == 0 && !run.stopped)
			emit(o, &run, r, sums);
		congestion_run_free(&run);
		if (rc < 0)
			return -1;
	}
	if (stopping)
		return fail_why(why, whylen, "stopped by signal %d %s%s%s: nothing of it is printed, and nothing is "
					     "left behind (the namespaces go with socklab)", (int)stopping,
				r ? "during the " : "before the first run", r ? o->cc[r - 1]->name : "", r ? " run" : "");
	if (o->format == FORMAT_JSON)
		congestion_dump_json_close(stdout);
	else if (o->format == FORMAT_CHART && o->ncc > 1)
		congestion_report_compare(stdout, o, sums);
	return 0;
}

int congestion_main(int argc, char **argv)
{
	struct congestion_opts o;
	struct congestion_net net = { { -1, -1, -1 } };
	char why[512];
	int rc = congestion_parse(argc, argv, &o);

	if (rc != 0)
		return rc == 1 ? 0 : rc;
	if (o.seconds_ms / o.interval_ms > 100000)
		return cli_usage_error("congestion", "--seconds / --interval asks for more than 100000 samples a flow");
	if (congestion_net_check(&o, why, sizeof why) < 0) {
		fprintf(stderr, "socklab: congestion: %s\n", why);
		return EXIT_RUNTIME;
	}
	if (catch_signals() < 0)
		return cli_error("congestion", errno, NULL, "install the signal handlers");
	if (congestion_net_up(&o, &net, why, sizeof why) < 0 || run_all(&o, &net, why, sizeof why) < 0) {
		fflush(stdout);
		int refused = strstr(why, "not permitted") || strstr(why, "ermission denied");
		fprintf(stderr, "socklab: congestion: %s%s\n", why,
			netns_unprivileged() && refused ? " (refused in a user namespace, without root: run it as root)" : "");
		congestion_net_down(&net);
		return EXIT_RUNTIME;
	}
	congestion_net_down(&net);
	if (fflush(stdout) == EOF || ferror(stdout))
		return cli_error("congestion", errno, NULL, "write the report to standard output");
	return 0;
}
