/* congestion_dump.c - every sample of every run as json or csv, for a plot made elsewhere. */
#include <inttypes.h>

#include "congestion_analysis.h"
#include "congestion_report.h"

void congestion_dump_json_open(FILE *out, const struct congestion_opts *o)
{
	fprintf(out, "{\"rate_bps\": %" PRIu64 ", \"buffer_bytes\": %" PRIu64 ", \"loss_pct\": %g, \"delay_ms\": %d, "
		     "\"interval_ms\": %d, \"seconds\": %g, \"source\": \"",
		o->rate_bps, o->buffer_bytes, o->loss_pct, o->delay_ms, o->interval_ms, o->seconds_ms / 1e3);
	for (int r = 0, said = 0; r < o->ncc; r++) { /* each source once: "TCP_INFO", "TCP_INFO, rdt_sock_stats" */
		int before = 0;
		for (int k = 0; k < r; k++)
			before |= o->cc[k]->kind == o->cc[r]->kind;
		if (!before)
			fprintf(out, "%s%s", said++ ? ", " : "", o->cc[r]->kind->source);
	}
	fprintf(out, "\", \"runs\": [");
}

/* ssthresh as a number, or null when the algorithm keeps none. */
static void json_ssthresh(FILE *out, uint32_t v)
{
	if (v == CONGESTION_NO_SSTHRESH)
		fprintf(out, "null");
	else
		fprintf(out, "%" PRIu32, v);
}

static void json_flow(FILE *out, const struct congestion_run *run, int i)
{
	const struct congestion_flow *f = &run->flow[i];
	struct congestion_summary s;

	congestion_summarize(f, run->duration_us, &s);
	fprintf(out, "%s\n   {\"flow\": %d, \"started_ms\": %.3f, \"mss\": %" PRIu32 ", \"bytes_received\": %" PRIu64
		     ", \"goodput_bps\": %.0f, \"retransmitted\": %" PRIu32 ", \"data_segs_out\": %" PRIu32
		     ", \"min_rtt_us\": %" PRIu32 ", \"samples\": [",
		i ? "," : "", i + 1, f->started_us / 1e3, f->mss, f->bytes_received, s.goodput_bps, s.retrans, s.segs_out,
		f->min_rtt_us);
	for (size_t k = 0; k < f->n; k++) {
		const struct congestion_sample *x = &f->s[k];
		fprintf(out, "%s\n    {\"t_ms\": %.3f, \"cwnd\": %" PRIu32 ", \"ssthresh\": ", k ? "," : "", x->t_us / 1e3,
			x->cwnd);
		json_ssthresh(out, x->ssthresh);
		fprintf(out, ", \"rtt_us\": %" PRIu32 ", \"rttvar_us\": %" PRIu32 ", \"total_retrans\": %" PRIu32
			     ", \"data_segs_out\": %" PRIu32 ", \"delivery_bps\": ",
			x->rtt_us, x->rttvar_us, x->retrans, x->segs_out);
		if (run->cc->kind->has_delivery_rate)
			fprintf(out, "%" PRIu64, x->delivery_bps);
		else
			fprintf(out, "null"); /* not measured (rdt) */
		fprintf(out, ", \"ca_state\": %u, \"phase\": \"%s\"}", x->ca_state,
			congestion_phase_name(congestion_phase(x, run->cc->uses_ssthresh)));
	}
	fprintf(out, "]}");
}

void congestion_dump_json_run(FILE *out, const struct congestion_run *run, int first)
{
	fprintf(out, "%s\n  {\"cc\": \"%s\", \"source\": \"%s\", \"duration_ms\": %.3f, \"flows\": [", first ? "" : ",",
		run->cc->name, run->cc->kind->source, run->duration_us / 1e3);
	for (int i = 0; i < run->nflows; i++)
		json_flow(out, run, i);
	fprintf(out, "]}");
}

void congestion_dump_json_close(FILE *out)
{
	fprintf(out, "\n]}\n");
}

void congestion_dump_csv_header(FILE *out)
{
	fprintf(out, "cc,flow,t_ms,cwnd,ssthresh,rtt_us,rttvar_us,total_retrans,data_segs_out,delivery_bps,ca_state,phase\n");
}

void congestion_dump_csv_run(FILE *out, const struct congestion_run *run)
{
	for (int i = 0; i < run->nflows; i++)
		for (size_t k = 0; k < run->flow[i].n; k++) {
			const struct congestion_sample *x = &run->flow[i].s[k];
			fprintf(out, "%s,%d,%.3f,%" PRIu32 ",", run->cc->name, i + 1, x->t_us / 1e3, x->cwnd);
			if (x->ssthresh != CONGESTION_NO_SSTHRESH)
				fprintf(out, "%" PRIu32, x->ssthresh);
			fprintf(out, ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",%" PRIu32 ",", x->rtt_us, x->rttvar_us, x->retrans,
				x->segs_out);
			if (run->cc->kind->has_delivery_rate) /* else empty: not measured (rdt) */
				fprintf(out, "%" PRIu64, x->delivery_bps);
			fprintf(out, ",%u,%s\n", x->ca_state, congestion_phase_name(congestion_phase(x, run->cc->uses_ssthresh)));
		}
}
