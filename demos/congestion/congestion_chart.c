/* congestion_chart.c - cwnd and ssthresh against time, with phases and retransmissions marked, in 80 columns. */
#include "congestion_chart.h"

#include <string.h>

#include "congestion_analysis.h"

/* What one column of the chart holds: the samples whose time falls in it. */
struct column {
	int used;
	uint32_t lo, hi;    /* the smallest and largest cwnd */
	uint32_t ssthresh;  /* the last finite ssthresh, or 0 */
	int phase;          /* the most telling phase, or -1 */
	int retransmitted;  /* tcpi_total_retrans grew within it */
};

/* Higher wins a column: a short recovery must not vanish among avoidance samples. */
static int weight(enum congestion_phase p)
{
	static const int w[] = { [PHASE_OPEN] = 0, [PHASE_AVOIDANCE] = 1, [PHASE_SLOW_START] = 2,
				 [PHASE_CWR] = 3,  [PHASE_RECOVERY] = 4,  [PHASE_LOSS] = 5 };
	return w[p];
}

static void fill(struct column *c, const struct congestion_flow *f, uint32_t from_us, uint32_t to_us, int uses_ssthresh)
{
	uint32_t span = to_us - from_us;

	memset(c, 0, CHART_COLUMNS * sizeof *c);
	for (int i = 0; i < CHART_COLUMNS; i++)
		c[i].phase = -1;
	for (size_t i = 0; i < f->n; i++) {
		const struct congestion_sample *s = &f->s[i];
		if (s->t_us < from_us || s->t_us > to_us)
			continue;
		size_t k = span ? (size_t)((uint64_t)(s->t_us - from_us) * CHART_COLUMNS / span) : 0;
		struct column *col = &c[k < CHART_COLUMNS ? k : CHART_COLUMNS - 1];
		enum congestion_phase p = congestion_phase(s, uses_ssthresh);
		if (!col->used || s->cwnd < col->lo)
			col->lo = s->cwnd;
		if (!col->used || s->cwnd > col->hi)
			col->hi = s->cwnd;
		col->used = 1;
		if (s->ssthresh != CONGESTION_NO_SSTHRESH)
			col->ssthresh = s->ssthresh;
		if (col->phase < 0 || weight(p) > weight((enum congestion_phase)col->phase))
			col->phase = (int)p;
		if (i > 0 && s->retrans > f->s[i - 1].retrans)
			col->retransmitted = 1;
	}
}

/* The top of the scale: the largest value drawn, rounded up to a multiple of the rows' step. */
static uint32_t scale_top(const struct column *c)
{
	uint32_t top = 1, step;

	for (int i = 0; i < CHART_COLUMNS; i++) {
		if (c[i].used && c[i].hi > top)
			top = c[i].hi;
		if (c[i].ssthresh > top)
			top = c[i].ssthresh;
	}
	step = (top + CHART_ROWS - 2) / (CHART_ROWS - 1);
	return step * (CHART_ROWS - 1);
}

/* The row (0 at the bottom) a value falls on. */
static int row_of(uint32_t v, uint32_t top)
{
	return (int)(((uint64_t)v * (CHART_ROWS - 1) + top / 2) / top);
}

/* The start, the middle and the end, under the axis, with as many decimals as the span needs. */
static void time_axis(FILE *out, uint32_t from_us, uint32_t to_us)
{
	uint32_t span = to_us - from_us;
	int dec = span >= 10000000 ? 0 : span >= 1000000 ? 1 : span >= 100000 ? 2 : 3;
	char line[CHART_COLUMNS + 8], label[16];
	int n;

	memset(line, ' ', sizeof line);
	n = snprintf(label, sizeof label, "%.*f s", dec, (from_us + to_us) / 2e6);
	memcpy(line + 7 + CHART_COLUMNS / 2 - n / 2, label, (size_t)n);
	n = snprintf(label, sizeof label, "%.*f s", dec, from_us / 1e6);
	memcpy(line + 7, label, (size_t)n);
	n = snprintf(label, sizeof label, "%.*f s", dec, to_us / 1e6);
	memcpy(line + 7 + CHART_COLUMNS - n, label, (size_t)n);
	line[7 + CHART_COLUMNS] = '\0';
	fprintf(out, "%s\n", line);
}

void congestion_chart(FILE *out, const struct congestion_flow *f, uint32_t from_us, uint32_t to_us, int uses_ssthresh,
		      const char *title)
{
	struct column c[CHART_COLUMNS];
	char line[CHART_COLUMNS + 1];

	fprintf(out, "%.79s\n", title);
	if (f->n == 0 || to_us <= from_us) {
		fprintf(out, "  (no samples)\n");
		return;
	}
	fill(c, f, from_us, to_us, uses_ssthresh);
	uint32_t top = scale_top(c);
	for (int r = CHART_ROWS - 1; r >= 0; r--) {
		for (int k = 0; k < CHART_COLUMNS; k++) {
			line[k] = ' ';
			if (c[k].ssthresh && row_of(c[k].ssthresh, top) == r)
				line[k] = '-';
			if (c[k].used && row_of(c[k].lo, top) <= r && r <= row_of(c[k].hi, top))
				line[k] = '*';
		}
		line[CHART_COLUMNS] = '\0';
		if (r % 2 == 1 || r == 0)
			fprintf(out, "%5u |%s\n", (unsigned)((uint64_t)top * (unsigned)r / (CHART_ROWS - 1)), line);
		else
			fprintf(out, "      |%s\n", line);
	}
	memset(line, '-', CHART_COLUMNS);
	fprintf(out, "      +%s\n", line);
	time_axis(out, from_us, to_us);
	for (int k = 0; k < CHART_COLUMNS; k++)
		line[k] = c[k].phase < 0 ? ' ' : congestion_phase_mark((enum congestion_phase)c[k].phase);
	fprintf(out, "phase  %s\n", line);
	for (int k = 0; k < CHART_COLUMNS; k++)
		line[k] = c[k].retransmitted ? '^' : ' ';
	fprintf(out, "retr.  %s\n", line);
}

void congestion_chart_legend(FILE *out, const struct congestion_kind *kind)
{
	fputs(kind->legend, out);
}
