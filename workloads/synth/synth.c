/*
 * synth.c - `pagereplay synth build|sendfile`: deterministic generators of
 * realistic traces, no root needed.
 *
 * A trace is the time-ordered merge of streams.  Each stream is one thread
 * of the synthetic system (a build job slot running one short-lived process
 * after another, a sendfile client, the page daemon); when a stream runs
 * dry its refill function generates its next unit of work (a whole process,
 * one request, one scan batch) with times increasing from the stream's
 * clock.  The merge always emits the earliest pending event, so the trace
 * is in time order and every thread's events are in its own order.
 *
 * Everything random comes from one seeded xoshiro256** generator, and the
 * header carries fixed host facts and the canonical parameters, so the same
 * options produce the same file, byte for byte.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "trace.h"

#define PAGE_SIZE	4096u
#define SUPERPAGE	512u		/* pages per 2 MiB */
#define KiB		1024u

/* Model identifiers (bit mask: which model an option applies to). */
#define M_BUILD		0x1
#define M_SENDFILE	0x2
#define M_ALL		(M_BUILD | M_SENDFILE)

/* Id spaces: disjoint so that a trace is easy to read by eye. */
#define OBJ_SHARED_BASE	1u		/* compilers, libraries */
#define OBJ_HEADER_BASE	1000u		/* header files (build) */
#define OBJ_FILE_BASE	100000u		/* served files (sendfile) */
#define OBJ_PRIV_BASE	1000000u	/* heaps, temp files, outputs */
#define TID_INIT	1u		/* creates the long-lived objects */
#define TID_DAEMON	100u		/* the page daemon */
#define TID_BASE	1000u		/* first process / client thread */

struct synth_opts {
	int		model;		/* M_BUILD or M_SENDFILE */
	const char	*output;
	uint64_t	events;		/* stop after this many (0: no limit) */
	uint64_t	duration_ns;	/* stop at this trace time (0: none) */
	uint64_t	seed;
	uint64_t	cpus;
	uint64_t	scan_interval_ns;
	/* build */
	uint64_t	jobs;
	uint64_t	libs;
	uint64_t	headers;
	uint64_t	heap_pages;
	uint64_t	folio_pct;
	uint64_t	promote_pct;
	uint64_t	link_pct;
	/* sendfile */
	uint64_t	files;
	uint64_t	clients;
	double		zipf;
	uint64_t	file_size;
	uint64_t	range_pct;
	uint64_t	chunk;
	uint64_t	think_ns;
	bool		nocache;
};

/* xoshiro256** seeded with splitmix64: the only source of randomness. */
struct rng {
	uint64_t	s[4];
};

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z;

	z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31));
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t
rotl(uint64_t x, int k)
{
	return ((x << k) | (x >> (64 - k)));
}

static uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s, res, t;

	res = rotl(s[1] * 5, 7) * 9;
	t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return (res);
}

/* Uniform in [0, n), n > 0 (multiply-shift below 2^32, else modulo). */
static uint64_t
rng_below(struct rng *r, uint64_t n)
{
	if (n <= UINT32_MAX)
		return (((rng_next(r) >> 32) * n) >> 32);
	return (rng_next(r) % n);
}

/* Uniform in [lo, hi]. */
static uint64_t
rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
	return (lo + rng_below(r, hi - lo + 1));
}

/* Uniform in (0, 1]. */
static double
rng_unit(struct rng *r)
{
	return ((double)((rng_next(r) >> 11) + 1) / 9007199254740992.0);
}

static bool
rng_pct(struct rng *r, uint64_t pct)
{
	return (rng_below(r, 100) < pct);
}

/* Exponential with the given mean, at least 1. */
static uint64_t
rng_exp(struct rng *r, double mean)
{
	double v;

	v = -log(rng_unit(r)) * mean;
	return (v < 1 ? 1 : v > 1e15 ? (uint64_t)1e15 : (uint64_t)v);
}

/* One thread of the synthetic system: a queue of its pending events. */
struct stream;
typedef void	refill_fn(struct stream *, void *);

struct stream {
	struct pr_event	*evs;		/* pending, in time order */
	size_t		n;
	size_t		pos;
	size_t		cap;
	uint64_t	now;		/* time of the last generated event */
	uint32_t	tid;
	uint32_t	cpu;
	refill_fn	*refill;
};

/*
 * Append an event at now + dt on the stream's thread and CPU, every other
 * field 0 (the caller fills what its kind uses).
 */
static struct pr_event *
emit(struct stream *s, uint64_t dt, unsigned kind)
{
	struct pr_event *ev;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap == 0 ? 1024 : s->cap * 2;
		if ((ev = realloc(s->evs, cap * sizeof(*ev))) == NULL)
			err(1, "synth");
		s->evs = ev;
		s->cap = cap;
	}
	s->now += dt;
	ev = &s->evs[s->n++];
	memset(ev, 0, sizeof(*ev));
	ev->time_ns = s->now;
	ev->tid = s->tid;
	ev->cpu = s->cpu;
	ev->kind = (uint8_t)kind;
	return (ev);
}

static void
emit_obj(struct stream *s, uint64_t dt, unsigned kind, uint64_t obj,
    uint64_t pindex, uint32_t npages)
{
	struct pr_event *ev;

	ev = emit(s, dt, kind);
	ev->obj = obj;
	ev->pindex = pindex;
	ev->npages = npages;
}

static void
emit_map(struct stream *s, uint64_t dt, uint64_t pmap, uint64_t addr,
    uint64_t obj, uint64_t pindex, uint32_t npages, uint8_t flags)
{
	struct pr_event *ev;

	ev = emit(s, dt, PR_MAP);
	ev->pmap = pmap;
	ev->addr = addr;
	ev->obj = obj;
	ev->pindex = pindex;
	ev->npages = npages;
	ev->flags = flags;
}

static void
emit_va(struct stream *s, uint64_t dt, unsigned kind, uint64_t pmap,
    uint64_t addr, uint32_t npages)
{
	struct pr_event *ev;

	ev = emit(s, dt, kind);
	ev->pmap = pmap;
	ev->addr = addr;
	ev->npages = npages;
}

/* A file-backed object shared between processes, with its residency. */
struct shobj {
	uint64_t	obj;
	uint64_t	pages;
	uint8_t		*resident;	/* one byte per page */
	bool		created;
	uint64_t	created_ns;	/* time of its obj_create */
};

/* State shared by every stream of one generator run. */
struct sim {
	const struct synth_opts *o;
	struct rng	rng;
	uint64_t	next_tid;
	uint64_t	next_pmap;
	uint64_t	next_obj;
	/* build */
	struct shobj	*bins;		/* cc1, as, ld */
	struct shobj	*libs;
	struct shobj	*hdrs;
	struct shobj	*outs;		/* ring of recent .o outputs */
	size_t		nouts;
	size_t		outpos;
	/* sendfile */
	struct shobj	*files;
	double		*cdf;		/* zipf CDF by popularity rank */
	uint64_t	*rank2file;
};

#define NBINS		3
#define BIN_CC1		0
#define BIN_AS		1
#define BIN_LD		2
#define NOUTS		256

static void
shobj_init(struct shobj *so, uint64_t obj, uint64_t pages, struct rng *r,
    uint64_t resident_pct)
{
	uint64_t i;

	so->obj = obj;
	so->pages = pages;
	so->created = false;
	if ((so->resident = malloc(pages)) == NULL)
		err(1, "synth");
	for (i = 0; i < pages; i++)
		so->resident[i] = rng_pct(r, resident_pct);
}

static void
shobj_free(struct shobj *so, size_t n)
{
	size_t i;

	if (so == NULL)
		return;
	for (i = 0; i < n; i++)
		free(so[i].resident);
	free(so);
}

/* Folio size for a fault at pindex in an object of pages pages. */
static uint32_t
folio_pages(struct sim *sim, uint64_t pindex, uint64_t pages)
{
	uint32_t n;

	if (!rng_pct(&sim->rng, sim->o->folio_pct))
		return (1);
	n = rng_pct(&sim->rng, 70) ? 4 : 16;
	if ((pindex & (n - 1)) != 0 || pindex + n > pages)
		return (1);
	return (n);
}

/*
 * Touch npages of a shared object from pindex (a read or a fault): insert
 * the pages that are not resident, look up the ones that are.
 */
static void
touch_shared(struct stream *s, struct sim *sim, struct shobj *so,
    uint64_t pindex, uint32_t npages)
{
	uint64_t i;

	if (so->resident[pindex]) {
		emit_obj(s, rng_range(&sim->rng, 200, 800), PR_PAGE_LOOKUP,
		    so->obj, pindex, npages);
	} else {
		emit_obj(s, rng_range(&sim->rng, 2000, 9000), PR_PAGE_INSERT,
		    so->obj, pindex, npages);
	}
	for (i = 0; i < npages; i++)
		so->resident[pindex + i] = 1;
}

/* One mapping of a process: where an object (or anon memory) is mapped. */
struct mapping {
	uint64_t	addr;
	uint64_t	obj;
	uint64_t	pages;
	struct shobj	*so;		/* NULL: private */
};

/* Fault a text page of a shared mapping (read-only, fault-around). */
static void
fault_shared(struct stream *s, struct sim *sim, uint64_t pmap,
    const struct mapping *m)
{
	uint64_t p;
	uint32_t n;

	p = rng_below(&sim->rng, m->pages);
	n = folio_pages(sim, p, m->pages);
	touch_shared(s, sim, m->so, p, n);
	emit_map(s, rng_range(&sim->rng, 100, 400), pmap,
	    m->addr + p * PAGE_SIZE, m->obj, p, n, 0);
}

/*
 * Read a whole (small) file through the buffer cache: grab, wire for the
 * buffer, release when the buffer is released.
 */
static void
read_file(struct stream *s, struct sim *sim, struct shobj *so)
{
	uint64_t p;
	uint32_t n;

	for (p = 0; p < so->pages; p += n) {
		n = so->pages - p > 8 ? 8 : (uint32_t)(so->pages - p);
		touch_shared(s, sim, so, p, n);
		emit_obj(s, rng_range(&sim->rng, 100, 300), PR_WIRE, so->obj, p,
		    n);
		emit_obj(s, rng_range(&sim->rng, 500, 3000), PR_RELEASE,
		    so->obj, p, n);
	}
}

/* Header popularity: a few headers (stdio.h) are read by everyone. */
static struct shobj *
pick_header(struct sim *sim)
{
	uint64_t i;

	i = rng_below(&sim->rng, sim->o->headers);
	if (rng_pct(&sim->rng, 60))
		i = rng_below(&sim->rng, sim->o->headers / 10 + 1);
	return (&sim->hdrs[i]);
}

/*
 * Generate one short-lived process of a build (a compiler or a linker run)
 * on stream s: create, exec (map the binary and libraries), work (heap
 * faults, header reads, output writes), exit (unmap, destroy, terminate).
 */
static void
build_process(struct stream *s, void *arg)
{
	struct sim *sim = arg;
	struct rng *r = &sim->rng;
	const struct synth_opts *o = sim->o;
	struct mapping maps[8], *heap;
	struct shobj *out, *in;
	uint64_t pmap, tmp, hpages, faulted, p, a, i, steps, outpages, tmppages;
	uint64_t heldp[16];
	uint32_t n;
	size_t nmaps, nheld = 0;
	bool is_link;
	uint8_t promoted[64];

	s->now += rng_range(r, 20000, 300000);	/* fork + exec */
	s->tid = (uint32_t)(sim->next_tid += rng_range(r, 1, 4));
	s->cpu = (uint32_t)rng_below(r, o->cpus);
	pmap = sim->next_pmap++;
	is_link = rng_pct(r, o->link_pct);
	emit(s, 0, PR_PMAP_CREATE)->pmap = pmap;

	/* exec: the binary, then the libraries it links. */
	nmaps = 0;
	maps[nmaps].so = &sim->bins[is_link ? BIN_LD : BIN_CC1];
	maps[nmaps].addr = 0x400000;
	nmaps++;
	for (i = 0; i < 4 && i < o->libs; i++) {
		maps[nmaps].so = &sim->libs[i == 0 ? 0 :
		    rng_below(r, o->libs)];
		maps[nmaps].addr = 0x7f0000000000ull + i * 0x4000000ull +
		    rng_below(r, 256) * 0x200000ull;
		nmaps++;
	}
	for (i = 0; i < nmaps; i++) {
		maps[i].obj = maps[i].so->obj;
		maps[i].pages = maps[i].so->pages;
	}
	for (i = 0; i < 24; i++)
		fault_shared(s, sim, pmap, &maps[i < 12 ? 0 :
		    1 + rng_below(r, nmaps - 1)]);

	/*
	 * The anon heap, 2 MiB aligned: the address space's anonymous
	 * object, named as the recorder names one (PR_OBJ_ANON | pmap,
	 * docs/capture.md), so that the replay gives it an anonymous
	 * object's paths (OBJT_DEFAULT: a fault allocates its page).
	 */
	heap = &maps[nmaps++];
	heap->so = NULL;
	heap->obj = PR_OBJ_ANON | pmap;
	hpages = rng_exp(r, (double)o->heap_pages);
	if (hpages > 64 * SUPERPAGE)
		hpages = 64 * SUPERPAGE;
	heap->pages = hpages;
	heap->addr = 0x555500000000ull + rng_below(r, 4096) * 0x200000ull;
	emit_obj(s, rng_range(r, 500, 2000), PR_OBJ_CREATE, heap->obj, 0, 0);
	memset(promoted, 0, sizeof(promoted));

	/* A private temporary file: the .s the assembler reads. */
	tmp = sim->next_obj++;
	tmppages = rng_range(r, 4, 64);
	emit_obj(s, rng_range(r, 500, 2000), PR_OBJ_CREATE, tmp, 0, 0);

	/* The output: a new .o (or executable) that outlives the process. */
	out = &sim->outs[sim->outpos];
	if (out->created) {
		/* make clean of an old output: its object goes away. */
		emit_obj(s, rng_range(r, 500, 2000), PR_OBJ_TERMINATE,
		    out->obj, 0, 0);
		free(out->resident);
	}
	outpages = is_link ? rng_range(r, 64, 512) : rng_range(r, 4, 48);
	shobj_init(out, sim->next_obj++, outpages, r, 0);
	sim->outpos = (sim->outpos + 1) % NOUTS;
	if (sim->nouts < NOUTS)
		sim->nouts++;

	/* Work: interleaved heap growth, text faults, reads, writes. */
	faulted = 0;
	steps = hpages / 4 + 40;
	for (i = 0; i < steps; i++) {
		s->now += rng_exp(r, 4000);	/* compute between faults */
		if (rng_below(r, 100) == 0)
			s->cpu = (uint32_t)rng_below(r, o->cpus);
		a = rng_below(r, 100);
		if (a < 55 && faulted < hpages) {
			/* A write fault allocates the page (no insertion). */
			p = faulted;
			n = folio_pages(sim, p, hpages);
			emit_map(s, rng_range(r, 600, 2900), pmap,
			    heap->addr + p * PAGE_SIZE, heap->obj, p, n,
			    PR_F_WRITE);
			faulted += n;
			if (faulted % SUPERPAGE < n && faulted >= SUPERPAGE &&
			    rng_pct(r, o->promote_pct)) {
				p = faulted / SUPERPAGE - 1;
				emit_va(s, rng_range(r, 2000, 8000),
				    PR_PROMOTE, pmap,
				    heap->addr + p * SUPERPAGE * PAGE_SIZE, 0);
				promoted[p] = 1;
			}
		} else if (a < 75) {
			fault_shared(s, sim, pmap, &maps[rng_below(r, nmaps -
			    1)]);
		} else if (a < 87 && !is_link) {
			read_file(s, sim, pick_header(sim));
		} else if (a < 87 && sim->nouts > 1) {
			/* The linker reads earlier outputs. */
			in = &sim->outs[rng_below(r, sim->nouts)];
			if (in != out && in->created &&
			    in->created_ns < s->now)
				read_file(s, sim, in);
		} else if (a < 92 && faulted > 0 && nheld < 16) {
			/* A syscall copies to/from user memory: hold it. */
			p = rng_below(r, faulted);
			emit_va(s, rng_range(r, 300, 900), PR_EXTRACT_HOLD,
			    pmap, heap->addr + p * PAGE_SIZE, 1);
			heldp[nheld++] = p;
		} else if (a < 96 && nheld > 0) {
			p = heldp[--nheld];
			emit_obj(s, rng_range(r, 200, 600), PR_UNWIRE,
			    heap->obj, p, 1);
		} else if (a < 98 && !is_link) {
			p = rng_below(r, tmppages);
			emit_obj(s, rng_range(r, 1000, 4000), PR_PAGE_INSERT,
			    tmp, p, 1);
		} else if (faulted > SUPERPAGE && rng_pct(r, 20)) {
			/* mprotect/partial munmap splits a superpage. */
			p = rng_below(r, faulted / SUPERPAGE);
			if (promoted[p]) {
				emit_va(s, rng_range(r, 3000, 12000),
				    PR_DEMOTE, pmap,
				    heap->addr + p * SUPERPAGE * PAGE_SIZE, 0);
				promoted[p] = 0;
			}
		} else if (faulted > 0 && rng_pct(r, 10)) {
			/* madvise(MADV_FREE)-like: drop a few heap pages. */
			p = rng_below(r, faulted);
			emit_va(s, rng_range(r, 500, 1500), PR_UNMAP, pmap,
			    heap->addr + p * PAGE_SIZE, 1);
			emit_obj(s, rng_range(r, 300, 900), PR_PAGE_REMOVE,
			    heap->obj, p, 1);
		}
	}
	while (nheld > 0)
		emit_obj(s, rng_range(r, 200, 600), PR_UNWIRE, heap->obj,
		    heldp[--nheld], 1);

	/* Write the output, then start its writeback (write-protect). */
	emit_obj(s, rng_range(r, 500, 2000), PR_OBJ_CREATE, out->obj, 0, 0);
	out->created = true;
	out->created_ns = s->now;
	for (p = 0; p < outpages; p += n) {
		n = folio_pages(sim, p, outpages);
		if (is_link) {
			/* ld maps its output for writing. */
			emit_obj(s, rng_range(r, 800, 3000), PR_PAGE_INSERT,
			    out->obj, p, n);
			emit_map(s, rng_range(r, 100, 400), pmap,
			    0x7e0000000000ull + p * PAGE_SIZE, out->obj, p, n,
			    PR_F_WRITE);
		} else {
			emit_obj(s, rng_range(r, 800, 3000), PR_PAGE_INSERT,
			    out->obj, p, n);
		}
		memset(out->resident + p, 1, n);
	}
	emit_obj(s, rng_range(r, 5000, 20000), PR_REMOVE_WRITE, out->obj, 0,
	    (uint32_t)outpages);
	if (is_link)
		emit_va(s, rng_range(r, 1000, 4000), PR_UNMAP, pmap,
		    0x7e0000000000ull, (uint32_t)outpages);

	/* exit: tear down the address space, free the private objects. */
	s->now += rng_range(r, 5000, 50000);
	for (i = 0; i < nmaps; i++)
		emit_va(s, rng_range(r, 2000, 10000), PR_UNMAP, pmap,
		    maps[i].addr, (uint32_t)maps[i].pages);
	emit(s, rng_range(r, 1000, 5000), PR_PMAP_DESTROY)->pmap = pmap;
	emit_obj(s, rng_range(r, 1000, 5000), PR_OBJ_TERMINATE, heap->obj, 0,
	    0);
	emit_obj(s, rng_range(r, 500, 2000), PR_OBJ_TERMINATE, tmp, 0, 0);
}

/*
 * A file the page daemon may reclaim from, by model, if it exists at now
 * (an output is created by a process that may be generated ahead of time).
 */
static struct shobj *
daemon_victim(struct sim *sim, uint64_t now)
{
	struct shobj *so;

	if (sim->o->model == M_SENDFILE) {
		/* Cold files: the least popular half. */
		so = &sim->files[sim->rank2file[sim->o->files / 2 +
		    rng_below(&sim->rng, (sim->o->files + 1) / 2)]];
	} else if (sim->nouts > 0 && rng_pct(&sim->rng, 50)) {
		so = &sim->outs[rng_below(&sim->rng, sim->nouts)];
	} else {
		so = &sim->hdrs[rng_below(&sim->rng, sim->o->headers)];
	}
	return (so->created && so->created_ns < now ? so : NULL);
}

/*
 * One page-daemon pass: a scan batch, then queue maintenance and the
 * reclaim of a few cold pages (unmap everywhere, then free).
 */
static void
daemon_pass(struct stream *s, void *arg)
{
	struct sim *sim = arg;
	struct rng *r = &sim->rng;
	struct shobj *so;
	uint64_t p, i;
	uint32_t n;
	struct pr_event *ev;

	s->now += rng_exp(r, (double)sim->o->scan_interval_ns);
	s->cpu = (uint32_t)rng_below(r, sim->o->cpus);
	ev = emit(s, 0, PR_SCAN);
	ev->arg = rng_range(r, 32, 1024);
	ev->npages = 0;
	for (i = 0; i < 8; i++) {
		if ((so = daemon_victim(sim, s->now)) == NULL)
			continue;
		p = rng_below(r, so->pages);
		n = so->pages - p >= 4 ? (uint32_t)rng_range(r, 1, 4) : 1;
		switch (rng_below(r, 5)) {
		case 0:
			emit_obj(s, rng_range(r, 200, 800), PR_ACTIVATE,
			    so->obj, p, n);
			break;
		case 1:
			emit_obj(s, rng_range(r, 200, 800), PR_REQUEUE,
			    so->obj, p, n);
			break;
		case 2:
			ev = emit(s, rng_range(r, 200, 800), PR_DEACTIVATE);
			ev->obj = so->obj;
			ev->pindex = p;
			ev->npages = n;
			ev->flags = rng_pct(r, 30) ? PR_F_HEAD : 0;
			break;
		default:
			if (!so->resident[p])
				break;
			emit_obj(s, rng_range(r, 500, 2000), PR_REMOVE_ALL,
			    so->obj, p, n);
			emit_obj(s, rng_range(r, 300, 1000), PR_PAGE_REMOVE,
			    so->obj, p, n);
			memset(so->resident + p, 0, n);
			break;
		}
	}
}

static void
build_init(struct sim *sim)
{
	static const uint64_t binpages[NBINS] = { 7000, 900, 2200 };
	struct rng *r = &sim->rng;
	uint64_t i, obj = OBJ_SHARED_BASE;

	sim->bins = calloc(NBINS, sizeof(*sim->bins));
	sim->libs = calloc(sim->o->libs, sizeof(*sim->libs));
	sim->hdrs = calloc(sim->o->headers, sizeof(*sim->hdrs));
	sim->outs = calloc(NOUTS, sizeof(*sim->outs));
	if (sim->bins == NULL || sim->libs == NULL || sim->hdrs == NULL ||
	    sim->outs == NULL)
		err(1, "synth");
	/* A warm page cache: most text already resident. */
	for (i = 0; i < NBINS; i++)
		shobj_init(&sim->bins[i], obj++, binpages[i], r, 90);
	for (i = 0; i < sim->o->libs; i++)
		shobj_init(&sim->libs[i], obj++, i == 0 ? 450 :
		    rng_range(r, 16, 600), r, 90);
	for (i = 0; i < sim->o->headers; i++)
		shobj_init(&sim->hdrs[i], OBJ_HEADER_BASE + i,
		    rng_range(r, 1, 24), r, 70);
}

static void
sendfile_init(struct sim *sim)
{
	const struct synth_opts *o = sim->o;
	struct rng *r = &sim->rng;
	uint64_t i, j, t, pages;
	double sum;

	sim->files = calloc(o->files, sizeof(*sim->files));
	sim->cdf = calloc(o->files, sizeof(*sim->cdf));
	sim->rank2file = calloc(o->files, sizeof(*sim->rank2file));
	if (sim->files == NULL || sim->cdf == NULL || sim->rank2file == NULL)
		err(1, "synth");
	for (i = 0; i < o->files; i++) {
		pages = (rng_exp(r, (double)o->file_size) + PAGE_SIZE - 1) /
		    PAGE_SIZE;
		if (pages > 65536)
			pages = 65536;
		shobj_init(&sim->files[i], OBJ_FILE_BASE + i, pages, r, 0);
		sim->rank2file[i] = i;
	}
	/* Popularity is independent of the file id. */
	for (i = o->files - 1; i > 0; i--) {
		j = rng_below(r, i + 1);
		t = sim->rank2file[i];
		sim->rank2file[i] = sim->rank2file[j];
		sim->rank2file[j] = t;
	}
	sum = 0;
	for (i = 0; i < o->files; i++) {
		sum += 1.0 / pow((double)(i + 1), o->zipf);
		sim->cdf[i] = sum;
	}
	for (i = 0; i < o->files; i++)
		sim->cdf[i] /= sum;
}

/* A file by zipf popularity. */
static struct shobj *
pick_file(struct sim *sim)
{
	double u;
	size_t lo = 0, hi = sim->o->files - 1, mid;

	u = rng_unit(&sim->rng);
	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (sim->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (&sim->files[sim->rank2file[lo]]);
}

/*
 * One HTTP request of a client: the whole file or a byte range, sent in
 * sendfile calls of at most --chunk bytes.
 */
static void
sendfile_request(struct stream *s, void *arg)
{
	struct sim *sim = arg;
	const struct synth_opts *o = sim->o;
	struct rng *r = &sim->rng;
	struct shobj *f;
	struct pr_event *ev;
	uint64_t size, off, len, n;

	s->now += rng_exp(r, (double)o->think_ns);
	if (rng_below(r, 200) == 0)
		s->cpu = (uint32_t)rng_below(r, o->cpus);
	f = pick_file(sim);
	size = f->pages * PAGE_SIZE - rng_below(r, PAGE_SIZE);
	off = 0;
	len = size;
	if (rng_pct(r, o->range_pct)) {
		off = rng_below(r, size);
		len = 1 + rng_below(r, size - off);
	}
	for (; len > 0; off += n, len -= n) {
		n = len < o->chunk ? len : o->chunk;
		ev = emit(s, rng_range(r, 2000, 6000) + n / 16, PR_SENDFILE);
		ev->obj = f->obj;
		ev->pindex = off / PAGE_SIZE;
		ev->npages = (uint32_t)((off + n - 1) / PAGE_SIZE -
		    off / PAGE_SIZE + 1);
		ev->addr = off;
		ev->arg = n;
		ev->flags = o->nocache ? PR_F_NOCACHE : 0;
		if (!o->nocache)
			memset(f->resident + ev->pindex, 1, ev->npages);
	}
}

/* Create objects (open files) on s, as the init thread, at trace start. */
static void
create_objects(struct stream *s, struct sim *sim, struct shobj *so, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		emit_obj(s, rng_range(&sim->rng, 20, 60), PR_OBJ_CREATE,
		    so[i].obj, 0, 0);
		so[i].created = true;
		so[i].created_ns = s->now;
	}
}

/*
 * The trace starts with the creation of every long-lived object (the
 * shared binaries, libraries and headers of a build, the served files),
 * so that no event touches an object before its creation; every other
 * thread starts after that.
 */
static void
sim_start(struct sim *sim, struct stream *ss, size_t nss)
{
	const struct synth_opts *o = sim->o;
	size_t i;

	ss[0].tid = TID_INIT;
	if (o->model == M_BUILD) {
		create_objects(&ss[0], sim, sim->bins, NBINS);
		create_objects(&ss[0], sim, sim->libs, o->libs);
		create_objects(&ss[0], sim, sim->hdrs, o->headers);
	} else {
		create_objects(&ss[0], sim, sim->files, o->files);
	}
	ss[0].tid = TID_DAEMON;
	for (i = 1; i < nss; i++)
		ss[i].now = ss[0].now;
}

static void
sim_free(struct sim *sim)
{
	const struct synth_opts *o = sim->o;

	shobj_free(sim->bins, sim->bins != NULL ? NBINS : 0);
	shobj_free(sim->libs, o->libs);
	shobj_free(sim->hdrs, o->headers);
	shobj_free(sim->outs, NOUTS);
	shobj_free(sim->files, o->files);
	free(sim->cdf);
	free(sim->rank2file);
}

/* Merge the streams in time order into the writer until a limit. */
static int
run(struct sim *sim, struct stream *ss, size_t nss, struct pr_writer *w,
    uint64_t *nevp)
{
	const struct synth_opts *o = sim->o;
	struct stream *s;
	uint64_t nev = 0;
	size_t i;
	int e;

	for (;;) {
		s = NULL;
		for (i = 0; i < nss; i++) {
			while (ss[i].pos == ss[i].n) {
				ss[i].pos = ss[i].n = 0;
				ss[i].refill(&ss[i], sim);
			}
			if (s == NULL ||
			    ss[i].evs[ss[i].pos].time_ns <
			    s->evs[s->pos].time_ns)
				s = &ss[i];
		}
		if (o->duration_ns != 0 &&
		    s->evs[s->pos].time_ns > o->duration_ns)
			break;
		if (o->events != 0 && nev == o->events)
			break;
		if ((e = pr_writer_write(w, &s->evs[s->pos++])) != PR_OK)
			return (e);
		if ((++nev & 0xffff) == 0)
			cli_progress("synth: %" PRIu64 " events", nev);
	}
	cli_progress_done();
	*nevp = nev;
	return (PR_OK);
}

static void
usage(FILE *f)
{
	fprintf(f,
"usage: pagereplay synth build|sendfile [options] -o FILE\n"
"\n"
"Generate a synthetic trace, deterministically: the same options give the\n"
"same file, byte for byte.  No root needed.\n"
"\n"
"  build     a parallel build: many short-lived compiler and linker\n"
"            processes that map shared binaries and libraries, read\n"
"            headers, grow private heaps (folios, 2 MiB promotion and\n"
"            demotion), write outputs (then write-protect them for\n"
"            writeback) and exit (unmap, pmap destroy, object terminate);\n"
"            a page daemon scans, requeues and reclaims.\n"
"  sendfile  client threads sending whole files or byte ranges with\n"
"            sendfile(2), zipf file popularity, optional SF_NOCACHE.\n"
"\n"
"Common options:\n"
"  -o, --output FILE       trace to write (required)\n"
"  -n, --events N          stop after N events (default 200000; 0: no\n"
"                          limit, then --duration is required)\n"
"  -d, --duration D        stop at trace time D (\"2s\", \"500ms\"; default:\n"
"                          none), whichever limit comes first\n"
"  -s, --seed S            random seed (default 1)\n"
"  -c, --cpus N            CPUs of the synthetic machine (default 8)\n"
"      --scan-interval D   mean time between page-daemon passes\n"
"                          (default 2ms)\n"
"  -h, --help              this text\n"
"\n"
"build options:\n"
"  -j, --jobs N            concurrent processes (default: --cpus)\n"
"      --libs N            shared libraries to pick from (default 8)\n"
"      --headers N         header files to pick from (default 400)\n"
"      --heap-pages N      mean heap pages per process (default 1024)\n"
"      --folio-pct P       %% of faults that map a 4- or 16-page folio\n"
"                          (default 25)\n"
"      --promote-pct P     %% of filled 2 MiB heap regions promoted\n"
"                          (default 50)\n"
"      --link-pct P        %% of processes that are links (default 10)\n"
"\n"
"sendfile options:\n"
"      --files N           files served (default 1000)\n"
"      --clients N         client threads (default 16)\n"
"      --zipf S            zipf exponent of file popularity (default 1.0)\n"
"      --file-size SIZE    mean file size (default 256K)\n"
"      --range-pct P       %% of requests for a byte range (default 20)\n"
"      --chunk SIZE        largest sendfile call (default 64K)\n"
"      --think D           mean time between a client's requests\n"
"                          (default 50us)\n"
"      --nocache           SF_NOCACHE: flag every sendfile PR_F_NOCACHE\n"
"\n"
"Manual: man pagereplay-synth; docs in " PR_DOCDIR "\n"
"\n"
"Examples:\n"
"  pagereplay synth build --seed 1 -o build.prt\n"
"  pagereplay synth sendfile --files 2000 --clients 64 --nocache -o s.prt\n");
}

enum {
	OPT_SCAN = 256, OPT_LIBS, OPT_HEADERS, OPT_HEAP, OPT_FOLIO,
	OPT_PROMOTE, OPT_LINK, OPT_FILES, OPT_CLIENTS, OPT_ZIPF, OPT_FSIZE,
	OPT_RANGE, OPT_CHUNK, OPT_THINK, OPT_NOCACHE,
};

static const struct option longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "events", required_argument, NULL, 'n' },
	{ "duration", required_argument, NULL, 'd' },
	{ "seed", required_argument, NULL, 's' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "scan-interval", required_argument, NULL, OPT_SCAN },
	{ "help", no_argument, NULL, 'h' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "libs", required_argument, NULL, OPT_LIBS },
	{ "headers", required_argument, NULL, OPT_HEADERS },
	{ "heap-pages", required_argument, NULL, OPT_HEAP },
	{ "folio-pct", required_argument, NULL, OPT_FOLIO },
	{ "promote-pct", required_argument, NULL, OPT_PROMOTE },
	{ "link-pct", required_argument, NULL, OPT_LINK },
	{ "files", required_argument, NULL, OPT_FILES },
	{ "clients", required_argument, NULL, OPT_CLIENTS },
	{ "zipf", required_argument, NULL, OPT_ZIPF },
	{ "file-size", required_argument, NULL, OPT_FSIZE },
	{ "range-pct", required_argument, NULL, OPT_RANGE },
	{ "chunk", required_argument, NULL, OPT_CHUNK },
	{ "think", required_argument, NULL, OPT_THINK },
	{ "nocache", no_argument, NULL, OPT_NOCACHE },
	{ NULL, 0, NULL, 0 },
};

/* Which model each model-specific option belongs to. */
static int
opt_models(int c)
{
	switch (c) {
	case 'j': case OPT_LIBS: case OPT_HEADERS: case OPT_HEAP:
	case OPT_FOLIO: case OPT_PROMOTE: case OPT_LINK:
		return (M_BUILD);
	case OPT_FILES: case OPT_CLIENTS: case OPT_ZIPF: case OPT_FSIZE:
	case OPT_RANGE: case OPT_CHUNK: case OPT_THINK: case OPT_NOCACHE:
		return (M_SENDFILE);
	default:
		return (M_ALL);
	}
}

static const char *
opt_name(int c)
{
	const struct option *lo;

	for (lo = longopts; lo->name != NULL; lo++)
		if (lo->val == c)
			return (lo->name);
	return ("?");
}

/* Parse one numeric option; exits with a usage error when out of range. */
static uint64_t
num_arg(const char *name, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (cli_parse_u64(s, min, max, &v) != 0)
		errx(EXIT_USAGE, "synth: --%s: expected a number in "
		    "[%" PRIu64 ", %" PRIu64 "], got '%s'", name, min, max, s);
	return (v);
}

static uint64_t
duration_arg(const char *name, const char *s, uint64_t min)
{
	uint64_t v;

	if (cli_parse_duration(s, &v) != 0 || v < min)
		errx(EXIT_USAGE, "synth: --%s: expected a duration such as "
		    "'2s' or '500us', got '%s'", name, s);
	return (v);
}

static uint64_t
size_arg(const char *name, const char *s, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (cli_parse_size(s, &v) != 0 || v < min || v > max)
		errx(EXIT_USAGE, "synth: --%s: expected a size in [%" PRIu64
		    ", %" PRIu64 "] bytes such as '64K', got '%s'", name, min,
		    max, s);
	return (v);
}

static void
parse(int argc, char **argv, struct synth_opts *o)
{
	char *end;
	bool have_jobs = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->events = 200000;
	o->seed = 1;
	o->cpus = 8;
	o->scan_interval_ns = 2000000;
	o->libs = 8;
	o->headers = 400;
	o->heap_pages = 1024;
	o->folio_pct = 25;
	o->promote_pct = 50;
	o->link_pct = 10;
	o->files = 1000;
	o->clients = 16;
	o->zipf = 1.0;
	o->file_size = 256 * KiB;
	o->range_pct = 20;
	o->chunk = 64 * KiB;
	o->think_ns = 50000;

	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		exit(0);
	}
	if (argc < 2 || argv[1][0] == '-') {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (strcmp(argv[1], "build") == 0)
		o->model = M_BUILD;
	else if (strcmp(argv[1], "sendfile") == 0)
		o->model = M_SENDFILE;
	else
		errx(EXIT_USAGE, "synth: unknown model '%s' (build, sendfile)",
		    argv[1]);
	argc--;
	argv++;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:n:d:s:c:j:h", longopts,
	    NULL)) != -1) {
		if ((opt_models(c) & o->model) == 0)
			errx(EXIT_USAGE, "synth: --%s applies to the %s model "
			    "only", opt_name(c), o->model == M_BUILD ?
			    "sendfile" : "build");
		switch (c) {
		case 'o':
			o->output = optarg;
			break;
		case 'n':
			o->events = num_arg("events", optarg, 0, UINT64_MAX);
			break;
		case 'd':
			o->duration_ns = duration_arg("duration", optarg, 1);
			break;
		case 's':
			o->seed = num_arg("seed", optarg, 0, UINT64_MAX);
			break;
		case 'c':
			o->cpus = num_arg("cpus", optarg, 1, 4096);
			break;
		case OPT_SCAN:
			o->scan_interval_ns = duration_arg("scan-interval",
			    optarg, 1000);
			break;
		case 'j':
			o->jobs = num_arg("jobs", optarg, 1, 4096);
			have_jobs = true;
			break;
		case OPT_LIBS:
			o->libs = num_arg("libs", optarg, 1, 1000);
			break;
		case OPT_HEADERS:
			o->headers = num_arg("headers", optarg, 1, 100000);
			break;
		case OPT_HEAP:
			o->heap_pages = num_arg("heap-pages", optarg, 1,
			    64 * SUPERPAGE);
			break;
		case OPT_FOLIO:
			o->folio_pct = num_arg("folio-pct", optarg, 0, 100);
			break;
		case OPT_PROMOTE:
			o->promote_pct = num_arg("promote-pct", optarg, 0, 100);
			break;
		case OPT_LINK:
			o->link_pct = num_arg("link-pct", optarg, 0, 100);
			break;
		case OPT_FILES:
			o->files = num_arg("files", optarg, 1, 10000000);
			break;
		case OPT_CLIENTS:
			o->clients = num_arg("clients", optarg, 1, 100000);
			break;
		case OPT_ZIPF:
			o->zipf = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(o->zipf >= 0) || o->zipf > 10)
				errx(EXIT_USAGE, "synth: --zipf: expected a "
				    "number in [0, 10], got '%s'", optarg);
			break;
		case OPT_FSIZE:
			o->file_size = size_arg("file-size", optarg, 1,
			    256ull << 20);
			break;
		case OPT_RANGE:
			o->range_pct = num_arg("range-pct", optarg, 0, 100);
			break;
		case OPT_CHUNK:
			o->chunk = size_arg("chunk", optarg, 1, 1ull << 30);
			break;
		case OPT_THINK:
			o->think_ns = duration_arg("think", optarg, 1);
			break;
		case OPT_NOCACHE:
			o->nocache = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind != argc)
		errx(EXIT_USAGE, "synth: unexpected argument '%s'",
		    argv[optind]);
	if (o->output == NULL)
		errx(EXIT_USAGE, "synth: an output file is required (-o FILE)");
	if (o->events == 0 && o->duration_ns == 0)
		errx(EXIT_USAGE, "synth: --events 0 needs a --duration");
	if (!have_jobs)
		o->jobs = o->cpus;
}

/*
 * The header: fixed host facts and the canonical parameters, as a command
 * line that regenerates the trace (without its -o).
 */
static void
make_header(const struct synth_opts *o, struct pr_header *h)
{
	char dur[48];
	int n;

	memset(h, 0, sizeof(*h));
	h->version = PR_TRACE_VERSION;
	h->source = PR_SRC_SYNTH;
	snprintf(h->kernel, sizeof(h->kernel), "synthetic");
	snprintf(h->hostname, sizeof(h->hostname), "synth");
	h->ncpus = (uint32_t)o->cpus;
	h->page_size = PAGE_SIZE;
	snprintf(h->clock, sizeof(h->clock), "synthetic");
	h->start_ns = 0;
	dur[0] = '\0';
	if (o->duration_ns != 0)
		snprintf(dur, sizeof(dur), " --duration %" PRIu64 "ns",
		    o->duration_ns);
	n = snprintf(h->cmdline, sizeof(h->cmdline),
	    "pagereplay synth %s --events %" PRIu64 "%s --seed %" PRIu64
	    " --cpus %" PRIu64 " --scan-interval %" PRIu64 "ns",
	    o->model == M_BUILD ? "build" : "sendfile", o->events, dur,
	    o->seed, o->cpus, o->scan_interval_ns);
	if (n < 0 || (size_t)n >= sizeof(h->cmdline))
		return;
	if (o->model == M_BUILD)
		snprintf(h->cmdline + n, sizeof(h->cmdline) - (size_t)n,
		    " --jobs %" PRIu64 " --libs %" PRIu64 " --headers %" PRIu64
		    " --heap-pages %" PRIu64 " --folio-pct %" PRIu64
		    " --promote-pct %" PRIu64 " --link-pct %" PRIu64,
		    o->jobs, o->libs, o->headers, o->heap_pages, o->folio_pct,
		    o->promote_pct, o->link_pct);
	else
		snprintf(h->cmdline + n, sizeof(h->cmdline) - (size_t)n,
		    " --files %" PRIu64 " --clients %" PRIu64 " --zipf %g"
		    " --file-size %" PRIu64 " --range-pct %" PRIu64
		    " --chunk %" PRIu64 " --think %" PRIu64 "ns%s",
		    o->files, o->clients, o->zipf, o->file_size, o->range_pct,
		    o->chunk, o->think_ns, o->nocache ? " --nocache" : "");
}

int
cmd_synth(int argc, char **argv)
{
	struct synth_opts o;
	struct pr_header h;
	struct pr_writer *w;
	struct stream *ss;
	struct sim sim;
	uint64_t nev = 0;
	size_t nss, i;
	int e, rc;

	parse(argc, argv, &o);
	memset(&sim, 0, sizeof(sim));
	sim.o = &o;
	rng_seed(&sim.rng, o.seed);
	sim.next_tid = TID_BASE;
	sim.next_pmap = 1;
	sim.next_obj = OBJ_PRIV_BASE;
	if (o.model == M_BUILD) {
		build_init(&sim);
		nss = o.jobs + 1;
	} else {
		sendfile_init(&sim);
		nss = o.clients + 1;
	}
	if ((ss = calloc(nss, sizeof(*ss))) == NULL)
		err(1, "synth");
	/* Stream 0 is the page daemon; the others jobs or clients. */
	ss[0].tid = TID_DAEMON;
	ss[0].refill = daemon_pass;
	for (i = 1; i < nss; i++) {
		ss[i].cpu = (uint32_t)((i - 1) % o.cpus);
		if (o.model == M_BUILD) {
			ss[i].refill = build_process;
		} else {
			ss[i].tid = (uint32_t)(TID_BASE + i - 1);
			ss[i].refill = sendfile_request;
		}
	}

	sim_start(&sim, ss, nss);
	make_header(&o, &h);
	if ((w = pr_writer_create(o.output, &h, &e)) == NULL) {
		warnx("synth: %s: %s%s%s", o.output, pr_strerror(e),
		    e == PR_E_IO ? ": " : "", e == PR_E_IO ? strerror(errno) :
		    "");
		rc = 1;
		goto out;
	}
	e = run(&sim, ss, nss, w, &nev);
	if (e == PR_OK)
		e = pr_writer_close(w);
	else
		(void)pr_writer_close(w);
	if (e != PR_OK) {
		warnx("synth: %s: %s", o.output, pr_strerror(e));
		rc = 1;
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < nss; i++)
		free(ss[i].evs);
	free(ss);
	sim_free(&sim);
	return (rc);
}
