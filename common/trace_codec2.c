/*
 * trace_codec2.c - the column codec of trace format v2
 * (trace_codec_internal.h, docs/trace-format.md "Format v2"): a frame's
 * events split into one stream per field, so that each stream holds values
 * of one kind (zstd compresses each on its own, with its own tables) and
 * the decoder runs one short path per event instead of a chain of
 * dependent varints.  A per-frame shape table turns kind, flags and the
 * presence mask into one byte; a per-frame object table turns object ids
 * into small references and carries the arg and npages contexts.  Format
 * v3 is the same layout with two predictions across fields (addr from the
 * object's mapping base and pindex, npages from arg and addr), which the
 * encoder and decoder switch on per frame (xfield).  Pure functions over
 * memory (and zstd): no I/O, no locks.
 */
#include <stdlib.h>
#include <string.h>

#include "trace.h"
#include "trace_codec_internal.h"

#define SHAPE_KEYS	(1u << 19)	/* kind 7 bits, flags 4, mask 8 */
#define OBJ_HASH_BITS	17		/* 2 x PR_OBJS_MAX slots */

_Static_assert(PR_F_MASK < 16, "flags must fit the shape key's 4 bits");
/* An event's bytes: shape, shape entry, 7 varints <= 10, 3 <= 5, addrlo. */
_Static_assert(1 + 3 + 7 * 10 + 3 * 5 + 2 <= PR_EVENT_MAX,
    "a v2 event fits PR_EVENT_MAX raw bytes");

/* One object hash slot: (generation, table index); stale when gen differs. */
struct obj_slot {
	uint32_t	gen;
	uint32_t	idx;
};

/* The encoder is owned by its writer's thread; nothing is locked. */
struct pr_enc2 {
	uint8_t		*buf[PR_S_COUNT];	/* the streams */
	uint64_t	*tz;		/* zigzag(time delta) of each event */
	uint32_t	ntz;
	size_t		len[PR_S_COUNT];
	size_t		rawlen;			/* sum of len[] */
	uint16_t	*shapemap;	/* shape key -> table index + 1 */
	uint32_t	shapekey[PR_SHAPES_MAX];
	unsigned	nshapes;
	struct obj_slot	*objmap;	/* obj -> table index (this gen) */
	uint32_t	gen;
	struct pr_obj_ctx *objs;	/* the frame's objects; 0: none */
	uint32_t	nobjs;
	uint64_t	prevnew;
	uint64_t	time_ns;
	uint32_t	tid;
	bool		xfield;		/* v3: cross-field predictions */
	struct pr_slot2	slot[PR_CTX_SLOTS];
};

static inline uint32_t
zigzag32(uint32_t d)
{
	return ((d << 1) ^ (0 - (d >> 31)));
}

static inline uint32_t
unzigzag32(uint32_t z)
{
	return ((z >> 1) ^ (0 - (z & 1)));
}

static void
enc2_reset(struct pr_enc2 *e)
{
	unsigned i;

	for (i = 0; i < e->nshapes; i++)
		e->shapemap[e->shapekey[i]] = 0;
	e->nshapes = 0;
	memset(e->len, 0, sizeof(e->len));
	e->rawlen = 0;
	e->ntz = 0;
	e->gen++;
	e->nobjs = 1;
	e->objs[0].obj = 0;
	e->objs[0].arg = 0;
	e->objs[0].npages = 1;
	e->objs[0].abase = 0;
	e->objs[0].pindex = 0;
	e->prevnew = 0;
	e->time_ns = 0;
	e->tid = 0;
	memset(e->slot, 0, sizeof(e->slot));
}

struct pr_enc2 *
pr_enc2_create(uint32_t version)
{
	struct pr_enc2 *e;
	unsigned s;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return (NULL);
	e->xfield = version >= PR_VERSION_V3;
	for (s = 0; s < PR_S_COUNT; s++)
		if ((e->buf[s] = malloc(s == PR_S_TIMELO ? PR_TLO_MAX *
		    (PR_FRAME_RAW_TARGET / PR_EVENT_MIN_V2) :
		    PR_FRAME_RAW_TARGET)) == NULL)
			goto fail;
	if ((e->tz = malloc(PR_FRAME_RAW_TARGET / PR_EVENT_MIN_V2 *
	    sizeof(*e->tz))) == NULL)
		goto fail;
	e->shapemap = calloc(SHAPE_KEYS, sizeof(*e->shapemap));
	e->objmap = calloc(1u << OBJ_HASH_BITS, sizeof(*e->objmap));
	e->objs = malloc(PR_OBJS_MAX * sizeof(*e->objs));
	if (e->shapemap == NULL || e->objmap == NULL || e->objs == NULL)
		goto fail;
	enc2_reset(e);
	return (e);
fail:
	pr_enc2_free(e);
	return (NULL);
}

void
pr_enc2_free(struct pr_enc2 *e)
{
	unsigned s;

	if (e == NULL)
		return;
	for (s = 0; s < PR_S_COUNT; s++)
		free(e->buf[s]);
	free(e->tz);
	free(e->shapemap);
	free(e->objmap);
	free(e->objs);
	free(e);
}

size_t
pr_enc2_rawlen(const struct pr_enc2 *e)
{
	return (e->rawlen);
}

size_t
pr_enc2_bound(void)
{
	return (PR_DIR_MAX + PR_S_COUNT *
	    ZSTD_compressBound(PR_FRAME_RAW_TARGET));
}

static inline size_t
varint_len(uint64_t v)
{
	return (v < 0x80 ? 1 : (size_t)(64 - __builtin_clzll(v) + 6) / 7);
}

static inline void
put(struct pr_enc2 *e, unsigned s, uint64_t v)
{
	uint8_t *p = e->buf[s] + e->len[s];

	e->len[s] = (size_t)(pr_put_varint(p, v) - e->buf[s]);
}

/*
 * v3's prediction of npages for an event with an arg: the pages that arg
 * bytes starting at byte offset addr touch (sendfile's range), modulo 2^32.
 */
static inline uint32_t
pages_spanned(uint64_t addr, uint64_t arg)
{
	return ((uint32_t)(((addr & 0xfff) + arg + 0xfff) >> PR_PAGE_SHIFT));
}

/*
 * The table index of obj (not 0), or e->nobjs when it is new; *slotp is
 * its hash slot.
 */
static uint32_t
obj_find(struct pr_enc2 *e, uint64_t obj, struct obj_slot **slotp)
{
	const uint32_t mask = (1u << OBJ_HASH_BITS) - 1;
	struct obj_slot *os;
	uint32_t h;

	h = (uint32_t)((obj * 0x9e3779b97f4a7c15ull) >> (64 - OBJ_HASH_BITS));
	for (;; h = (h + 1) & mask) {
		os = &e->objmap[h];
		if (os->gen != e->gen) {
			*slotp = os;
			return (e->nobjs);
		}
		if (e->objs[os->idx].obj == obj) {
			*slotp = os;
			return (os->idx);
		}
	}
}

bool
pr_enc2_event(struct pr_enc2 *e, const struct pr_event *ev)
{
	struct pr_slot2 *sc;
	struct pr_obj_ctx *oc;
	struct obj_slot *os = NULL;
	uint32_t key, oi = 0, ref = 0;
	uint64_t d, lo, pred;
	uint32_t npred;
	uint8_t mask = 0;
	unsigned si;

	if (e->rawlen + PR_EVENT_MAX > PR_FRAME_RAW_TARGET)
		return (false);
	sc = &e->slot[ev->tid % PR_CTX_SLOTS];
	if (ev->tid != e->tid)
		mask |= PR_M_TID;
	if (ev->cpu != sc->cpu)
		mask |= PR_M_CPU;
	if (ev->obj != 0) {
		mask |= PR_M_OBJ;
		if (ev->obj == e->objs[sc->oi].obj) {
			oi = sc->oi;
			ref = 0;
		} else {
			oi = ref = obj_find(e, ev->obj, &os);
			if (oi == PR_OBJS_MAX)
				return (false);		/* table full */
		}
	}
	if (ev->pindex != 0)
		mask |= PR_M_PINDEX;
	if (ev->pmap != 0)
		mask |= PR_M_PMAP;
	if (ev->addr != 0)
		mask |= PR_M_ADDR;
	if (ev->arg != 0)
		mask |= PR_M_ARG;
	if (ev->npages != 1)
		mask |= PR_M_NPAGES;
	key = (uint32_t)ev->kind | (uint32_t)ev->flags << 7 |
	    (uint32_t)mask << 11;
	if ((si = e->shapemap[key]) == 0) {
		if (e->nshapes == PR_SHAPES_MAX)
			return (false);			/* table full */
		e->shapekey[e->nshapes] = key;
		si = e->shapemap[key] = (uint16_t)++e->nshapes;
		e->buf[PR_S_SHAPES][e->len[PR_S_SHAPES]++] = ev->kind;
		e->buf[PR_S_SHAPES][e->len[PR_S_SHAPES]++] = ev->flags;
		e->buf[PR_S_SHAPES][e->len[PR_S_SHAPES]++] = mask;
	}
	e->buf[PR_S_SHAPE][e->len[PR_S_SHAPE]++] = (uint8_t)(si - 1);
	/* Time goes into its streams at emit, when tlo is known. */
	e->tz[e->ntz] = pr_zigzag(ev->time_ns - e->time_ns);
	e->len[PR_S_TIME] += varint_len(e->tz[e->ntz++]);
	e->time_ns = ev->time_ns;
	if (mask & PR_M_TID) {
		put(e, PR_S_TID, zigzag32(ev->tid - e->tid));
		e->tid = ev->tid;
	}
	if (mask & PR_M_CPU) {
		put(e, PR_S_CPU, ev->cpu);
		sc->cpu = ev->cpu;
	}
	if (mask & PR_M_OBJ) {
		put(e, PR_S_OBJ, ref);
		if (oi == e->nobjs) {
			put(e, PR_S_OBJNEW, pr_zigzag(ev->obj - e->prevnew));
			e->prevnew = ev->obj;
			os->gen = e->gen;
			os->idx = oi;
			e->objs[oi].obj = ev->obj;
			e->objs[oi].arg = 0;
			e->objs[oi].npages = 1;
			e->objs[oi].abase = 0;
			e->objs[oi].pindex = 0;
			e->nobjs++;
		}
		sc->oi = oi;
	}
	oc = &e->objs[oi];
	if (mask & PR_M_PINDEX) {
		pred = e->xfield && (mask & PR_M_OBJ) ? oc->pindex :
		    sc->pindex;
		put(e, PR_S_PINDEX, pr_zigzag(ev->pindex - pred));
		sc->pindex = ev->pindex;
		oc->pindex = ev->pindex;
	}
	if (mask & PR_M_PMAP) {
		put(e, PR_S_PMAP, pr_zigzag(ev->pmap - sc->pmap));
		sc->pmap = ev->pmap;
	}
	if (mask & PR_M_ADDR) {
		pred = sc->addr;
		if (e->xfield && (mask & PR_M_OBJ)) {
			pred = oc->abase + (ev->pindex << PR_PAGE_SHIFT);
			oc->abase = ev->addr - (ev->pindex << PR_PAGE_SHIFT);
		}
		d = ev->addr - pred;
		lo = d & 0xfff;
		put(e, PR_S_ADDR, pr_zigzag((d >> 12) |
		    (0 - (d >> 63)) << 52) << 1 | (lo != 0));
		if (lo != 0)
			put(e, PR_S_ADDRLO, lo);
		sc->addr = ev->addr;
	}
	if (mask & PR_M_ARG) {
		put(e, PR_S_ARG, pr_zigzag(ev->arg - oc->arg));
		oc->arg = ev->arg;
	}
	if (mask & PR_M_NPAGES) {
		npred = oc->npages;
		if (e->xfield && (mask & PR_M_ARG))
			npred = pages_spanned(ev->addr, ev->arg);
		put(e, PR_S_NPAGES, zigzag32(ev->npages - npred));
		oc->npages = ev->npages;
	}
	e->rawlen = 0;
	for (si = 0; si < PR_S_COUNT; si++)
		e->rawlen += e->len[si];
	return (true);
}

/*
 * How many low bytes of the frame's zigzag time deltas go to PR_S_TIMELO:
 * those below the median delta's top 4 bits, which are close to noise
 * (zstd stores them as they are, and they keep the varints of PR_S_TIME
 * short).
 */
static unsigned
time_split(const struct pr_enc2 *e)
{
	uint32_t hist[65] = { 0 }, i, seen = 0;
	unsigned bits;

	for (i = 0; i < e->ntz; i++)
		hist[64 - __builtin_clzll(e->tz[i] | 1)]++;
	for (bits = 0; bits < 64; bits++)
		if ((seen += hist[bits]) * 2 >= e->ntz)
			break;
	bits = bits > 4 ? (bits - 4) / 8 : 0;
	return (bits < PR_TLO_MAX ? bits : PR_TLO_MAX);
}

/* Write the frame's time deltas into PR_S_TIME and PR_S_TIMELO. */
static unsigned
time_emit(struct pr_enc2 *e)
{
	uint8_t *lo = e->buf[PR_S_TIMELO];
	unsigned tlo, b;
	uint32_t i;

	tlo = time_split(e);
	e->len[PR_S_TIME] = 0;
	for (i = 0; i < e->ntz; i++) {
		for (b = 0; b < tlo; b++)
			*lo++ = (uint8_t)(e->tz[i] >> (8 * b));
		put(e, PR_S_TIME, tlo == 0 ? e->tz[i] : e->tz[i] >> (8 * tlo));
	}
	e->len[PR_S_TIMELO] = (size_t)(lo - e->buf[PR_S_TIMELO]);
	return (tlo);
}

size_t
pr_enc2_emit(struct pr_enc2 *e, ZSTD_CCtx *cctx, uint8_t *out,
    uint32_t *rawp)
{
	uint8_t *p = out, *c = out + PR_DIR_MAX;
	size_t clen[PR_S_COUNT], n, total = 0;
	unsigned s, tlo;

	tlo = time_emit(e);
	e->rawlen = 0;
	for (s = 0; s < PR_S_COUNT; s++)
		e->rawlen += e->len[s];
	for (s = 0; s < PR_S_COUNT; s++) {
		clen[s] = 0;
		if (e->len[s] == 0)
			continue;
		n = ZSTD_compress2(cctx, c, ZSTD_compressBound(e->len[s]),
		    e->buf[s], e->len[s]);
		if (ZSTD_isError(n))
			return (0);
		clen[s] = n;
		c += n;
		total += n;
	}
	*p++ = (uint8_t)tlo;
	for (s = 0; s < PR_S_COUNT; s++) {
		p = pr_put_varint(p, e->len[s]);
		p = pr_put_varint(p, clen[s]);
	}
	memmove(p, out + PR_DIR_MAX, total);
	*rawp = (uint32_t)e->rawlen;
	enc2_reset(e);
	return ((size_t)(p - out) + total);
}

/* A bounded varint of the directory; sets *bad past end or over 10 bytes. */
static uint64_t
dir_varint(const uint8_t **pp, const uint8_t *end, bool *bad)
{
	const uint8_t *p = *pp;
	uint64_t r = 0, b;
	unsigned shift;

	for (shift = 0; shift < 70 && p < end; shift += 7) {
		b = *p++;
		r |= (b & 0x7f) << shift;
		if (b < 0x80) {
			*pp = p;
			return (r);
		}
	}
	*bad = true;
	return (0);
}

int
pr_streams_dir(const uint8_t *payload, size_t comp, size_t raw,
    struct pr_streams *st)
{
	const uint8_t *p = payload, *end = payload + comp;
	uint64_t len, clen, rsum = 0, csum = 0, off = 0;
	bool bad = false;
	unsigned s;

	if (comp < 1 || *p > PR_TLO_MAX)
		return (PR_E_CORRUPT);
	st->tlo = *p++;
	for (s = 0; s < PR_S_COUNT; s++) {
		len = dir_varint(&p, end, &bad);
		clen = dir_varint(&p, end, &bad);
		if (bad || len > raw || clen > comp || (len == 0) != (clen == 0))
			return (PR_E_CORRUPT);
		st->off[s] = (size_t)off;
		st->len[s] = (size_t)len;
		st->clen[s] = (size_t)clen;
		off += len;
		rsum += len;
		csum += clen;
	}
	st->dirlen = (size_t)(p - payload);
	if (rsum != raw || csum != comp - st->dirlen)
		return (PR_E_CORRUPT);
	return (PR_OK);
}

int
pr_decoder2_init(struct pr_decoder2 *d, uint32_t version,
    const uint8_t *kindmap, const uint8_t *raw, const struct pr_streams *st,
    uint32_t nevents, struct pr_obj_ctx *objs, uint32_t objcap)
{
	const uint8_t *sh;
	size_t i, n;
	unsigned s;

	for (s = 0; s < PR_S_COUNT; s++) {
		d->p[s] = raw + st->off[s];
		d->end[s] = d->p[s] + st->len[s];
	}
	n = st->len[PR_S_SHAPES] / 3;
	if (st->len[PR_S_SHAPE] != nevents || n == 0 || n > PR_SHAPES_MAX ||
	    st->len[PR_S_SHAPES] % 3 != 0 ||
	    st->len[PR_S_TIMELO] != (size_t)st->tlo * nevents)
		return (PR_E_CORRUPT);
	d->tloshift = 8 * st->tlo;
	d->tlomask = (1ull << d->tloshift) - 1;
	sh = d->p[PR_S_SHAPES];
	for (i = 0; i < PR_SHAPES_MAX; i++) {
		d->shape[i].kind = PR_KINDMAP_BAD;
		d->shape[i].flags = 0;
		d->shape[i].mask = 0;
	}
	for (i = 0; i < n; i++, sh += 3) {
		if (sh[0] > PR_EV_KIND)
			return (PR_E_CORRUPT);
		d->shape[i].kind = kindmap[sh[0]];
		d->shape[i].flags = sh[1];
		d->shape[i].mask = sh[2];
	}
	d->p[PR_S_SHAPES] = d->end[PR_S_SHAPES];
	d->objs = objs;
	d->objs[0].obj = 0;
	d->objs[0].arg = 0;
	d->objs[0].npages = 1;
	d->objs[0].abase = 0;
	d->objs[0].pindex = 0;
	d->nobjs = 1;
	d->xobj = version >= PR_VERSION_V3 ? PR_M_OBJ : 0;
	d->xarg = version >= PR_VERSION_V3 ? PR_M_ARG : 0;
	d->objcap = objcap;
	d->prevnew = 0;
	d->time_ns = 0;
	d->tid = 0;
	d->left = nevents;
	memset(d->slot, 0, sizeof(d->slot));
	return (PR_OK);
}

/*
 * Has a stream been read past its end (exact: or not been used up)?  The
 * shape table is read at init, so it counts as used up.
 */
static bool
streams_overrun(const struct pr_decoder2 *d, bool exact)
{
	unsigned s;

	for (s = 0; s < PR_S_COUNT; s++)
		if (d->p[s] > d->end[s] || (exact && d->p[s] != d->end[s]))
			return (true);
	return (false);
}

/*
 * Decode up to max more events into out[], dropping events whose file kind
 * is unknown here.  The streams are read without bounds checks for
 * PR_CHUNK events at a time (inside the buffer: struct pr_streams), then
 * every stream is checked; at the last event each must be used up
 * exactly.  Every event is decoded into its place in out[]; those of
 * unknown kinds are squeezed out at the end, when there are any, which
 * keeps that rare case out of the loop.
 */
int
pr_decoder2_run(struct pr_decoder2 *d, struct pr_event *out, size_t max,
    size_t *nout, uint64_t *skipped)
{
	const uint8_t *ps, *ptid, *pcpu, *pobj, *pnew, *ppi, *ppm, *pa;
	const uint8_t *palo, *parg, *pnp;
	struct pr_obj_ctx *objs = d->objs, *oc;
	struct pr_event *ev = out, *evend, *e;
	struct pr_slot2 *sc;
	struct pr_shape sh;
	const uint8_t xobj = d->xobj, xarg = d->xarg;
	const uint8_t *pt = d->p[PR_S_TIME], *ptlo = d->p[PR_S_TIMELO];
	const uint64_t tlomask = d->tlomask;
	const unsigned tloshift = d->tloshift, tlo = tloshift / 8;
	uint64_t v, lo, pindex, pmap, addr, time_ns = d->time_ns;
	uint32_t tid = d->tid, oi, np;
	size_t i, k, n;
	bool bad = false;

	*nout = 0;
	*skipped = 0;
	sc = &d->slot[tid % PR_CTX_SLOTS];
	n = d->left < max ? d->left : max;
	for (i = 0; i < n; i += k) {
		k = n - i < PR_CHUNK ? n - i : PR_CHUNK;
		evend = ev + k;
		ps = d->p[PR_S_SHAPE];
		ptid = d->p[PR_S_TID];
		pcpu = d->p[PR_S_CPU];
		pobj = d->p[PR_S_OBJ];
		pnew = d->p[PR_S_OBJNEW];
		ppi = d->p[PR_S_PINDEX];
		ppm = d->p[PR_S_PMAP];
		pa = d->p[PR_S_ADDR];
		palo = d->p[PR_S_ADDRLO];
		parg = d->p[PR_S_ARG];
		pnp = d->p[PR_S_NPAGES];
		for (; ev < evend; ev++) {
			sh = d->shape[*ps++];
			ev->kind = sh.kind;
			ev->flags = sh.flags;
			pt = pr_get_varint2(pt, &v, &bad);
			time_ns += pr_unzigzag(v << tloshift |
			    (pr_le32dec(ptlo) & tlomask));
			ptlo += tlo;
			ev->time_ns = time_ns;
			if (__builtin_expect(sh.kind >= PR_KIND_COUNT, 0)) {
				if (sh.kind != PR_KINDMAP_NONE)
					return (PR_E_CORRUPT);	/* no shape */
				(*skipped)++;
			}
			/* A new thread or cpu: one test for both. */
			if (sh.mask & (PR_M_TID | PR_M_CPU)) {
				if (sh.mask & PR_M_TID) {
					ptid = pr_get_varint(ptid, &v, &bad);
					bad |= v > UINT32_MAX;
					tid += unzigzag32((uint32_t)v);
					sc = &d->slot[tid % PR_CTX_SLOTS];
				}
				if (sh.mask & PR_M_CPU) {
					pcpu = pr_get_varint(pcpu, &v, &bad);
					bad |= v > UINT32_MAX;
					sc->cpu = (uint32_t)v;
				}
			}
			ev->tid = tid;
			ev->cpu = sc->cpu;
			oc = &objs[0];
			if (sh.mask & PR_M_OBJ) {
				pobj = pr_get_varint(pobj, &v, &bad);
				/* 0, the slot's object, is the common case. */
				if (__builtin_expect(v != 0, 0)) {
					if (v < d->nobjs) {
						oi = (uint32_t)v;
					} else if (v == d->nobjs &&
					    d->nobjs < d->objcap) {
						pnew = pr_get_varint(pnew, &v,
						    &bad);
						d->prevnew += pr_unzigzag(v);
						oi = d->nobjs++;
						objs[oi].obj = d->prevnew;
						objs[oi].arg = 0;
						objs[oi].npages = 1;
						objs[oi].abase = 0;
						objs[oi].pindex = 0;
					} else {
						oi = 0;
						bad = true;
					}
					sc->oi = oi;
				}
				oc = &objs[sc->oi];
			}
			ev->obj = oc->obj;
			pindex = 0;
			if (sh.mask & PR_M_PINDEX) {
				ppi = pr_get_varint(ppi, &v, &bad);
				pindex = (sh.mask & xobj ? oc->pindex :
				    sc->pindex) + pr_unzigzag(v);
				sc->pindex = pindex;
				oc->pindex = pindex;
			}
			ev->pindex = pindex;
			pmap = 0;
			if (sh.mask & PR_M_PMAP) {
				ppm = pr_get_varint(ppm, &v, &bad);
				pmap = sc->pmap + pr_unzigzag(v);
				sc->pmap = pmap;
			}
			ev->pmap = pmap;
			addr = 0;
			if (sh.mask & PR_M_ADDR) {
				pa = pr_get_varint(pa, &v, &bad);
				lo = 0;
				if (v & 1)
					palo = pr_get_varint(palo, &lo, &bad);
				v = pr_unzigzag(v >> 1) << 12 | lo;
				if (sh.mask & xobj) {
					/* New base: addr - (pindex << 12). */
					oc->abase += v;
					addr = oc->abase + (pindex <<
					    PR_PAGE_SHIFT);
				} else {
					addr = sc->addr + v;
				}
				sc->addr = addr;
			}
			ev->addr = addr;
			ev->arg = 0;
			if (sh.mask & PR_M_ARG) {
				parg = pr_get_varint(parg, &v, &bad);
				oc->arg += pr_unzigzag(v);
				ev->arg = oc->arg;
			}
			ev->npages = 1;
			if (sh.mask & PR_M_NPAGES) {
				pnp = pr_get_varint(pnp, &v, &bad);
				bad |= v > UINT32_MAX;
				np = sh.mask & xarg ?
				    pages_spanned(addr, ev->arg) :
				    oc->npages;
				oc->npages = np + unzigzag32((uint32_t)v);
				ev->npages = oc->npages;
			}
		}
		d->p[PR_S_SHAPE] = ps;
		d->p[PR_S_TIME] = pt;
		d->p[PR_S_TIMELO] = ptlo;
		d->p[PR_S_TID] = ptid;
		d->p[PR_S_CPU] = pcpu;
		d->p[PR_S_OBJ] = pobj;
		d->p[PR_S_OBJNEW] = pnew;
		d->p[PR_S_PINDEX] = ppi;
		d->p[PR_S_PMAP] = ppm;
		d->p[PR_S_ADDR] = pa;
		d->p[PR_S_ADDRLO] = palo;
		d->p[PR_S_ARG] = parg;
		d->p[PR_S_NPAGES] = pnp;
		if (bad || streams_overrun(d, false))
			return (PR_E_CORRUPT);
	}
	d->left -= (uint32_t)n;
	if (d->left == 0 && streams_overrun(d, true))
		return (PR_E_CORRUPT);
	d->time_ns = time_ns;
	d->tid = tid;
	if (*skipped != 0) {
		ev = out;
		for (e = out; e < out + n; e++)
			if (e->kind != PR_KINDMAP_NONE)
				*ev++ = *e;
	}
	*nout = (size_t)(ev - out);
	return (PR_OK);
}
