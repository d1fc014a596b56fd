/*
 * sim_run.c - a plan replayed on virtual CPUs (see sim_run.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sim_run.h"
#include "stream.h"

#define SIMRUN_TICK	65536	/* events between progress lines */

struct simrun;

/* One virtual CPU's worker; (S): the simulator thread's, no locking. */
struct simrun_worker {
	struct simrun	*sh;		/* (S) */
	unsigned	 slot;		/* (S) */
	struct rp_cursor cur;		/* (S) its place in the stream */
	struct rp_worker_result res;	/* (S) */
};

struct simrun {
	const struct rp_trace *t;	/* (S) */
	const struct rp_plan *p;
	const struct rp_target *tg;
	const struct rp_run_opts *o;
	const struct rp_sim_opts *so;
	uint64_t	 done;		/* (S) events, all CPUs */
	bool		 stop;		/* (S) duration reached, interrupted */
};

const char *
rp_think_format(const struct rp_sim_opts *so, char *buf, size_t len)
{
	if (so->think == RP_THINK_FIXED)
		snprintf(buf, len, "%lluns", (unsigned long long)so->think_ns);
	else if (so->think == RP_THINK_CALIBRATED)
		snprintf(buf, len, "calibrated:%uns", so->machine.work_ns);
	else if (so->think_factor == 1.0)
		snprintf(buf, len, "recorded");
	else
		snprintf(buf, len, "recorded:%g", so->think_factor);
	return (buf);
}

void
rp_sim_opts_default(struct rp_sim_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->machine = *sim_machine_info(0);
	so->seed = 1;
	so->think = RP_THINK_FIXED;
	so->think_factor = 1.0;
}

int
rp_sim_machine_parse(struct rp_sim_opts *so, const char *arg, char *err,
    size_t errlen)
{
	const struct sim_machine *m;
	char names[256];

	if ((m = sim_machine_find(arg)) == NULL) {
		snprintf(err, errlen, "--machine: '%s' is not host or one of "
		    "%s", arg, sim_machine_names(", ", names, sizeof(names)));
		return (-1);
	}
	so->machine = *m;
	return (0);
}

int
rp_think_parse(struct rp_sim_opts *so, const char *arg, char *err,
    size_t errlen)
{
	char *end;

	if (strcmp(arg, "calibrated") == 0) {
		so->think = RP_THINK_CALIBRATED;
		return (0);
	}
	if (strncmp(arg, "recorded", 8) == 0 && (arg[8] == '\0' ||
	    arg[8] == ':')) {
		so->think = RP_THINK_RECORDED;
		so->think_factor = 1.0;
		if (arg[8] == ':') {
			so->think_factor = strtod(arg + 9, &end);
			if (end == arg + 9 || *end != '\0' ||
			    !(so->think_factor > 0)) {
				snprintf(err, errlen, "--think: '%s': the "
				    "factor must be a number > 0", arg);
				return (-1);
			}
		}
		return (0);
	}
	so->think = RP_THINK_FIXED;
	if (strcmp(arg, "0") == 0) {
		so->think_ns = 0;
		return (0);
	}
	if (cli_parse_duration(arg, &so->think_ns) != 0) {
		snprintf(err, errlen, "--think: '%s' is not recorded[:F], "
		    "calibrated or a duration (e.g. 500ns, 2us)", arg);
		return (-1);
	}
	return (0);
}

/* Think before ev: fixed, or the gap since *prev (the worker's last). */
static uint64_t
simrun_think(const struct rp_sim_opts *so, const struct pr_event *ev,
    uint64_t *prev, bool *first)
{
	uint64_t gap = 0;

	if (so->think != RP_THINK_RECORDED)
		return (so->think == RP_THINK_FIXED ? so->think_ns : 0);
	if (!*first && ev->time_ns > *prev)
		gap = (uint64_t)((double)(ev->time_ns - *prev) /
		    so->think_factor);
	*prev = ev->time_ns;
	*first = false;
	return (gap);
}

/*
 * A virtual CPU: the worker's events, loop after loop, in virtual time,
 * read through its cursor of the inline stream (stream.h), which decodes
 * on this thread: what a CPU reads never depends on the host's timing.
 */
static void
simrun_cpu(struct sim *s, unsigned cpu, void *arg)
{
	struct simrun_worker *w = arg;
	struct simrun *sh = w->sh;
	struct pr_event ev;
	atomic_int never = 0;
	uint64_t prev = 0;
	unsigned loop, cur_loop = 0;
	bool first = true;
	void *c;

	(void)cpu;
	c = sh->tg->cpu(sh->tg->ctx, w->slot);
	w->res.cpu = (int)w->slot;
	w->res.ran_on = -1;
	w->res.start_ns = sim_now(s);
	while (!sh->stop) {
		if (rp_cursor_next(&w->cur, &never, UINT64_MAX, &ev,
		    &loop) <= 0)
			break;
		if (loop != cur_loop) {
			cur_loop = loop;
			first = true;
		}
		sim_work(s, simrun_think(sh->so, &ev, &prev, &first));
		if (sh->o->duration_ns > 0 &&
		    sim_now(s) >= sh->o->duration_ns)
			sh->stop = true;
		if (sh->stop)
			break;
		if (sh->tg->apply(c, &ev) != 0)
			w->res.skipped++;
		w->res.events++;
		if (++sh->done % SIMRUN_TICK == 0) {
			if (rp_run_interrupted())
				sh->stop = true;
			if (sh->o->progress)
				cli_progress("simulate: %llu of %llu events, "
				    "virtual %.3f s",
				    (unsigned long long)sh->done,
				    (unsigned long long)(sh->p->items *
				    sh->o->loops), sim_now(s) / 1e9);
		}
	}
	rp_cursor_leave(&w->cur);
	w->res.end_ns = sim_now(s);
}

int
rp_sim_run(const struct rp_trace *t, const struct rp_plan *p,
    const struct rp_target *tg, const struct rp_run_opts *o,
    const struct rp_sim_opts *so, struct rp_run_result *r,
    struct sim_counts *counts, char *err, size_t errlen)
{
	struct simrun_worker *ws;
	struct rp_stream *st;
	struct simrun sh;
	struct sim *s;
	unsigned i, n = p->nworkers;
	int rc;

	memset(r, 0, sizeof(*r));
	memset(&sh, 0, sizeof(sh));
	sh.t = t;
	sh.p = p;
	sh.tg = tg;
	sh.o = o;
	sh.so = so;
	if (rp_stream_start_inline(t, p, o->loops, &st, err, errlen) != 0)
		return (-1);
	if ((s = sim_create(&so->machine, n, so->seed, err, errlen)) == NULL) {
		rp_stream_stop(st, NULL);
		return (-1);
	}
	sim_set_holds(s, so->hold_ns, so->hold_sites, so->hold_classes);
	ws = calloc(n, sizeof(*ws));
	r->w = calloc(n, sizeof(*r->w));
	if (ws == NULL || r->w == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ws[i].sh = &sh;
		ws[i].slot = i;
		rp_cursor_init(&ws[i].cur, st, i);
	}
	for (i = 0; i < n; i++) {
		if (sim_start(s, i, simrun_cpu, &ws[i], err, errlen) != 0) {
			rc = -1;
			goto out;
		}
	}
	/* Nothing done before the run (priming) is counted, as in rp_run(). */
	if (tg->reset != NULL)
		tg->reset(tg->ctx);
	rc = sim_run(s, err, errlen);
	if (o->progress)
		cli_progress_done();
	if (rc != 0)
		goto out;
	sim_counts(s, counts);
	r->nworkers = n;
	for (i = 0; i < n; i++) {
		r->w[i] = ws[i].res;
		r->events += ws[i].res.events;
		r->skipped += ws[i].res.skipped;
		if (ws[i].res.end_ns > r->elapsed_ns)
			r->elapsed_ns = ws[i].res.end_ns;
	}
	snprintf(r->hw_note, sizeof(r->hw_note), "simulated: no hardware "
	    "counters");
	r->interrupted = rp_run_interrupted();
	r->stopped = sh.stop && !r->interrupted;
out:
	sim_destroy(s);
	/* An inline stream waits for no cursor (one that never ran). */
	rc = rp_stream_close(st, rc, err, errlen);
	free(ws);
	if (rc != 0)
		rp_run_result_free(r);
	return (rc);
}
