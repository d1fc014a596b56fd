/*
 * sched.c - the simulator's virtual CPUs and their scheduler (see sim.h):
 * coroutines on ucontext, a run queue ordered by virtual clock, and the
 * lock layer's hook (engine/lock_sim.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#include "lock.h"
#include "sim_internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define SIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIM_ASAN 1
#endif
#endif
#ifdef SIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/*
 * The switch: on x86-64 a hand-written one that saves the callee-saved
 * registers, MXCSR and the x87 control word on the stack and swaps stack
 * pointers (the System V ABI's whole callee-saved state); elsewhere
 * swapcontext(), which also saves the signal mask with a system call at
 * every switch (seven times slower: benchmarks.md, "simulate"), and which
 * ASan's interceptor makes slower still (it clears the shadow of the whole
 * target stack each time).  ASan is told of every switch either way.
 */
#if defined(__x86_64__)
#define SIM_FAST_SWITCH 1
void	sim_switch_x86_64(void **save_sp, void *load_sp)
	    __attribute__((visibility("hidden")));
__asm__(
	".text\n"
	".p2align 4\n"
	".globl sim_switch_x86_64\n"
	".hidden sim_switch_x86_64\n"
	".type sim_switch_x86_64, @function\n"
	"sim_switch_x86_64:\n"
	"\tpushq %rbp\n\tpushq %rbx\n\tpushq %r12\n"
	"\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
	"\tsubq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n"
	"\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n"
	"\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
	"\tret\n"
	".size sim_switch_x86_64, .-sim_switch_x86_64\n");
#endif

#define SIM_STACK	(1u << 20)	/* per virtual CPU, mapped lazily */
#define SIM_MAIN	UINT32_MAX	/* "CPU" id of the host thread */

enum sim_state {
	SIM_IDLE = 0,		/* not started */
	SIM_RUNNABLE,		/* in the run queue */
	SIM_RUNNING,
	SIM_PARKED,		/* park(): until wake() on wait_p */
	SIM_WATCHING,		/* sim_wait_write(): until watch is written */
	SIM_DONE,
};

/*
 * A virtual CPU.  Everything belongs to the simulator's host thread; the
 * coroutine itself writes clock (its own) only while it runs.
 */
struct sim_cpu {
	ucontext_t	 uc;		/* swapcontext() switch */
	void		*sp;		/* SIM_FAST_SWITCH: saved stack */
	void		*stack;
	uint64_t	 clock;		/* virtual ns */
	bool		 worked;	/* work_ns since the last point paid */
	uint32_t	 prio;		/* tie order, from the seed */
	enum sim_state	 state;
	const void	*wait_p;	/* SIM_PARKED: the word */
	uint32_t	 wait_q;	/* SIM_PARKED: its queue bits */
	const void	*watch;		/* SIM_WATCHING: an address in the line */
	sim_fn		*fn;
	void		*arg;
};

/*
 * The simulator.  Locks: none; every field is the simulating host
 * thread's, (C) set by sim_create() and constant after.
 */
struct sim {
	struct sim_machine m;		/* (C) */
	unsigned	 ncpus;		/* (C) */
	struct sim_cpu	*cpu;		/* [ncpus] */
	unsigned	*heap;		/* run queue: min (clock, prio) */
	unsigned	 nheap;
	unsigned	 cur;		/* running CPU, or SIM_MAIN */
	ucontext_t	 main_uc;
	void		*main_sp;
	void		*main_stack;	/* bounds, for ASan's fiber calls */
	size_t		 main_size;
	struct sim_cache cache;
	/* Per-CPU thread-local blocks (eng_sim_tls()): live addresses, and
	   a copy of all of them per CPU, the host's last ([ncpus]). */
	void		*tls_live[ENG_SIM_TLS_MAX];
	size_t		 tls_size[ENG_SIM_TLS_MAX];
	size_t		 ntls, tls_total;
	char		*tls;		/* [(ncpus + 1) * tls_total] */
	struct eng_sim_hook hook;
	const uint32_t	*hold_ns;	/* (C) sim_set_holds() */
	size_t		 hold_sites, hold_classes;
	struct sim_counts n;
};

/* The simulator the calling thread runs (the coroutines' entry). */
static _Thread_local struct sim *sim_running;

static bool
sim_less(const struct sim *s, unsigned a, unsigned b)
{
	const struct sim_cpu *x = &s->cpu[a], *y = &s->cpu[b];

	return (x->clock < y->clock ||
	    (x->clock == y->clock && x->prio < y->prio));
}

static void
sim_heap_push(struct sim *s, unsigned c)
{
	unsigned i = s->nheap++, p;

	s->cpu[c].state = SIM_RUNNABLE;
	while (i > 0 && sim_less(s, c, s->heap[p = (i - 1) / 2])) {
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = c;
}

static unsigned
sim_heap_pop(struct sim *s)
{
	unsigned top = s->heap[0], last = s->heap[--s->nheap], i = 0, k;

	for (;;) {
		k = 2 * i + 1;
		if (k >= s->nheap)
			break;
		if (k + 1 < s->nheap && sim_less(s, s->heap[k + 1],
		    s->heap[k]))
			k++;
		if (!sim_less(s, s->heap[k], last))
			break;
		s->heap[i] = s->heap[k];
		i = k;
	}
	if (s->nheap > 0)
		s->heap[i] = last;
	return (top);
}

#ifndef SIM_FAST_SWITCH
static ucontext_t *
sim_uc(struct sim *s, unsigned c)
{
	return (c == SIM_MAIN ? &s->main_uc : &s->cpu[c].uc);
}
#endif

/* Save the live thread-local blocks as from's (load: to's into them). */
static void
sim_tls_move(struct sim *s, unsigned c, bool load)
{
	char *p = s->tls + (size_t)(c == SIM_MAIN ? s->ncpus : c) *
	    s->tls_total;
	size_t i;

	for (i = 0; i < s->ntls; p += s->tls_size[i], i++)
		if (load)
			memcpy(s->tls_live[i], p, s->tls_size[i]);
		else
			memcpy(p, s->tls_live[i], s->tls_size[i]);
}

/* Find the registered blocks; every CPU starts with the host's values. */
static int
sim_tls_init(struct sim *s)
{
	const struct eng_sim_tls *t;
	unsigned c;

	for (s->ntls = 0; (t = eng_sim_tls(s->ntls)) != NULL; s->ntls++) {
		s->tls_live[s->ntls] = t->addr();
		s->tls_size[s->ntls] = t->size;
		s->tls_total += t->size;
	}
	if (s->ntls == 0)
		return (0);
	if ((s->tls = malloc((s->ncpus + 1) * s->tls_total)) == NULL)
		return (-1);
	for (c = 0; c < s->ncpus; c++)
		sim_tls_move(s, c, false);
	sim_tls_move(s, SIM_MAIN, false);
	return (0);
}

/*
 * Give the host thread from `from` (SIM_MAIN: the host) to `to`; returns
 * when something switches back to `from`.  dying: from never runs again.
 */
static void
sim_switch(struct sim *s, unsigned from, unsigned to, bool dying)
{
#ifdef SIM_ASAN
	void *fake = NULL;

	__sanitizer_start_switch_fiber(dying ? NULL : &fake,
	    to == SIM_MAIN ? s->main_stack : s->cpu[to].stack,
	    to == SIM_MAIN ? s->main_size : SIM_STACK);
#else
	(void)dying;
#endif
	if (s->ntls > 0) {
		sim_tls_move(s, from, false);
		sim_tls_move(s, to, true);
	}
	s->cur = to;
	if (to != SIM_MAIN)
		s->cpu[to].state = SIM_RUNNING;
	s->n.switches++;
#ifdef SIM_FAST_SWITCH
	sim_switch_x86_64(from == SIM_MAIN ? &s->main_sp : &s->cpu[from].sp,
	    to == SIM_MAIN ? s->main_sp : s->cpu[to].sp);
#else
	swapcontext(sim_uc(s, from), sim_uc(s, to));
#endif
#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

/* The running CPU stops (parked, watching, done): run the next one. */
static void
sim_block(struct sim *s, bool dying)
{
	unsigned self = s->cur;

	sim_switch(s, self, s->nheap > 0 ? sim_heap_pop(s) : SIM_MAIN,
	    dying);
}

/* A scheduling point: let every CPU that is earlier run first. */
static void
sim_point(struct sim *s)
{
	unsigned self = s->cur, next;

	s->n.points++;
	if (s->nheap == 0 || !sim_less(s, s->heap[0], self))
		return;
	next = sim_heap_pop(s);
	sim_heap_push(s, self);
	sim_switch(s, self, next, false);
}

static void
sim_trampoline(void)
{
	struct sim *s = sim_running;
	struct sim_cpu *c;

#ifdef SIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
	c = &s->cpu[s->cur];
	c->fn(s, s->cur, c->arg);
	c->state = SIM_DONE;
	sim_block(s, true);
	abort();	/* a finished CPU is never switched to */
}

unsigned
sim_self(const struct sim *s)
{
	return (s->cur);
}

uint64_t
sim_now(const struct sim *s)
{
	return (s->cpu[s->cur].clock);
}

void
sim_work(struct sim *s, uint64_t ns)
{
	s->cpu[s->cur].clock += ns;
}

/*
 * The machine's work_ns for the code since the CPU's last point, paid
 * once: at the next point, or earlier when the lock layer reads the
 * clock (a hold ends before its release's RMW and must include it).
 */
static void
sim_pay_work(struct sim *s, struct sim_cpu *c)
{
	if (!c->worked) {
		c->clock += s->m.work_ns;
		c->worked = true;
	}
}

/* CPUs watching line l were written: they run at the write's end. */
static void
sim_watchers(struct sim *s, struct sim_line *l, uint64_t t)
{
	struct sim_line *w;
	unsigned i;

	for (i = 0; i < s->ncpus && l->nwatch > 0; i++) {
		if (s->cpu[i].state != SIM_WATCHING)
			continue;
		w = sim_cache_line(&s->cache, s->cpu[i].watch);
		if (w != l)
			continue;
		l->nwatch--;
		if (s->cpu[i].clock < t)
			s->cpu[i].clock = t;
		sim_heap_push(s, i);
	}
}

void
sim_access(struct sim *s, const void *p, enum eng_sim_op op)
{
	struct sim_cpu *c = &s->cpu[s->cur];
	struct sim_line *l;

	sim_pay_work(s, c);
	sim_point(s);
	c->worked = false;
	if ((l = sim_cache_line(&s->cache, p)) == NULL)
		return;		/* out of memory: the access is free */
	c->clock = sim_cache_access(&s->cache, l, s->cur, op, c->clock);
	if (op != ENG_SIM_LOAD && l->nwatch > 0)
		sim_watchers(s, l, c->clock);
}

void
sim_wait_write(struct sim *s, const void *p)
{
	struct sim_cpu *c = &s->cpu[s->cur];
	struct sim_line *l;

	sim_pay_work(s, c);
	sim_point(s);
	l = sim_cache_line(&s->cache, p);
	if (l != NULL && sim_cache_holds(&s->cache, l, s->cur)) {
		l->nwatch++;
		c->state = SIM_WATCHING;
		c->watch = p;
		sim_block(s, false);
	}
	sim_access(s, p, ENG_SIM_LOAD);
}

/* The lock layer's hook (lock_sim.h) ---------------------------------- */

static void
sim_hook_access(void *ctx, const void *p, enum eng_sim_op op)
{
	sim_access(ctx, p, op);
}

static void
sim_hook_spin(void *ctx, unsigned n)
{
	struct sim *s = ctx;

	s->cpu[s->cur].clock += (uint64_t)n * s->m.pause_ns;
	sim_point(s);
}

static void
sim_hook_park(void *ctx, _Atomic uint32_t *p, uint32_t v, uint32_t queue)
{
	struct sim *s = ctx;
	struct sim_cpu *c = &s->cpu[s->cur];

	c->clock += s->m.park_ns;
	sim_point(s);
	if (atomic_load_explicit(p, memory_order_relaxed) != v)
		return;		/* futex: the word moved */
	s->n.parks++;
	c->state = SIM_PARKED;
	c->wait_p = p;
	c->wait_q = queue;
	sim_block(s, false);
}

static long
sim_hook_wake(void *ctx, _Atomic uint32_t *p, uint32_t queue)
{
	struct sim *s = ctx;
	uint64_t t = s->cpu[s->cur].clock + s->m.wake_ns;
	struct sim_cpu *c;
	unsigned i;
	long n = 0;

	for (i = 0; i < s->ncpus; i++) {
		c = &s->cpu[i];
		if (c->state != SIM_PARKED || c->wait_p != (const void *)p ||
		    (c->wait_q & queue) == 0)
			continue;
		if (c->clock < t)
			c->clock = t;
		sim_heap_push(s, i);
		n++;
	}
	return (n);
}

static void
sim_hook_yield(void *ctx)
{
	struct sim *s = ctx;

	s->cpu[s->cur].clock += s->m.yield_ns;
	sim_point(s);
}

static void
sim_hook_release(void *ctx, unsigned site, unsigned lc, uint64_t held)
{
	struct sim *s = ctx;
	uint32_t want;

	if (s->hold_ns == NULL || site >= s->hold_sites ||
	    lc >= s->hold_classes)
		return;
	want = s->hold_ns[site * s->hold_classes + lc];
	if (want > held)
		s->cpu[s->cur].clock += want - held;
}

int
sim_site_index(const char *name)
{
	const char *n;
	unsigned i;

	for (i = 0; (n = eng_site_name(i)) != NULL; i++)
		if (strcmp(n, name) == 0)
			return ((int)i);
	return (-1);
}

void
sim_set_holds(struct sim *s, const uint32_t *hold_ns, size_t nsites,
    size_t nclasses)
{
	s->hold_ns = hold_ns;
	s->hold_sites = nsites;
	s->hold_classes = nclasses;
}

static uint64_t
sim_hook_now(void *ctx)
{
	struct sim *s = ctx;

	sim_pay_work(s, &s->cpu[s->cur]);
	return (sim_now(s));
}

/* Set-up and the run -------------------------------------------------- */

uint64_t
sim_mix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (z ^ (z >> 31));
}

struct sim *
sim_create(const struct sim_machine *m, unsigned ncpus, uint64_t seed,
    char *err, size_t errlen)
{
	struct sim *s;
	uint32_t *perm, t;
	unsigned i, j;

	if (ncpus == 0 || ncpus > SIM_CPUS_MAX ||
	    ncpus > sim_machine_threads(m)) {
		snprintf(err, errlen, "%u virtual CPUs: machine %s has %u "
		    "hardware threads (at most %d)", ncpus, m->name,
		    sim_machine_threads(m), SIM_CPUS_MAX);
		return (NULL);
	}
	s = calloc(1, sizeof(*s));
	perm = calloc(ncpus, sizeof(*perm));
	if (s == NULL || perm == NULL ||
	    (s->cpu = calloc(ncpus, sizeof(*s->cpu))) == NULL ||
	    (s->heap = calloc(ncpus, sizeof(*s->heap))) == NULL ||
	    sim_cache_init(&s->cache, &s->m, ncpus) != 0) {
		free(perm);
		sim_destroy(s);
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	s->m = *m;
	s->ncpus = ncpus;
	s->cur = SIM_MAIN;
	for (i = 0; i < ncpus; i++)
		perm[i] = i;
	for (i = ncpus; seed != 0 && i > 1; i--) {	/* Fisher-Yates */
		j = (unsigned)(sim_mix(&seed) % i);
		t = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < ncpus; i++)
		s->cpu[i].prio = perm[i];
	free(perm);
	s->hook.ctx = s;
	s->hook.access = sim_hook_access;
	s->hook.spin = sim_hook_spin;
	s->hook.park = sim_hook_park;
	s->hook.wake = sim_hook_wake;
	s->hook.yield = sim_hook_yield;
	s->hook.now = sim_hook_now;
	s->hook.release = sim_hook_release;
	return (s);
}

void
sim_destroy(struct sim *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; s->cpu != NULL && i < s->ncpus; i++)
		if (s->cpu[i].stack != NULL)
			munmap(s->cpu[i].stack, SIM_STACK);
	sim_cache_free(&s->cache);
	free(s->tls);
	free(s->cpu);
	free(s->heap);
	free(s);
}

int
sim_start(struct sim *s, unsigned cpu, sim_fn *fn, void *arg, char *err,
    size_t errlen)
{
	struct sim_cpu *c = &s->cpu[cpu];

	c->stack = mmap(NULL, SIM_STACK, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (c->stack == MAP_FAILED) {
		c->stack = NULL;
		snprintf(err, errlen, "no stack for virtual CPU %u", cpu);
		return (-1);
	}
#ifdef SIM_FAST_SWITCH
	{
		/* What sim_switch_x86_64 pops: MXCSR and x87 control word,
		   six registers, then "returns" into the trampoline with
		   the stack aligned as after a call. */
		uint64_t *sp = (uint64_t *)((char *)c->stack + SIM_STACK);

		*--sp = 0;				/* no return */
		*--sp = (uint64_t)(uintptr_t)sim_trampoline;
		sp -= 6;
		memset(sp, 0, 6 * sizeof(*sp));
		*--sp = 0x1f80 | ((uint64_t)0x037f << 32);
		c->sp = sp;
	}
#else
	getcontext(&c->uc);
	c->uc.uc_stack.ss_sp = c->stack;
	c->uc.uc_stack.ss_size = SIM_STACK;
	c->uc.uc_link = &s->main_uc;
	makecontext(&c->uc, sim_trampoline, 0);
#endif
	c->fn = fn;
	c->arg = arg;
	sim_heap_push(s, cpu);
	return (0);
}

/* The host thread's stack, for ASan's fiber switches. */
static void
sim_main_stack(struct sim *s)
{
	pthread_attr_t a;

	if (pthread_getattr_np(pthread_self(), &a) != 0)
		return;
	pthread_attr_getstack(&a, &s->main_stack, &s->main_size);
	pthread_attr_destroy(&a);
}

int
sim_run(struct sim *s, char *err, size_t errlen)
{
	const struct eng_sim_hook *saved = eng_sim_hook;
	struct sim *outer = sim_running;
	unsigned i;
	int n;

	if (s->tls == NULL && sim_tls_init(s) != 0) {
		snprintf(err, errlen, "out of memory");
		return (-1);
	}
	sim_main_stack(s);
	sim_running = s;
	eng_lock_sim_set(&s->hook);
	while (s->nheap > 0)
		sim_switch(s, SIM_MAIN, sim_heap_pop(s), false);
	eng_lock_sim_set(saved);
	sim_running = outer;
	s->n.lines = s->cache.n;
	s->n.transfers = s->cache.transfers;
	for (i = 0, n = 0; i < s->ncpus; i++)
		if (s->cpu[i].state == SIM_PARKED ||
		    s->cpu[i].state == SIM_WATCHING) {
			if (n++ == 0)
				snprintf(err, errlen, "deadlock in the model: "
				    "every virtual CPU left sleeps (CPU %u on "
				    "%p)", i, s->cpu[i].state == SIM_PARKED ?
				    s->cpu[i].wait_p : s->cpu[i].watch);
		}
	return (n == 0 ? 0 : -1);
}

uint64_t
sim_clock(const struct sim *s, unsigned cpu)
{
	return (s->cpu[cpu].clock);
}

void
sim_counts(const struct sim *s, struct sim_counts *out)
{
	*out = s->n;
}
