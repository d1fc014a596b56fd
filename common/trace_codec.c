/*
 * trace_codec.c - the event codec (trace_codec_internal.h): each event as a
 * kind byte, a presence mask and delta-coded varints against the previous
 * event and the previous event of its thread slot.  Pure functions over
 * memory: no I/O, no locks.
 */
#include <stdbool.h>
#include <string.h>

#include "trace.h"
#include "trace_codec_internal.h"

/* Zigzag: a signed delta as an unsigned varint, and back. */
static inline uint64_t
zigzag(uint64_t delta)
{
	return ((delta << 1) ^ (0 - (delta >> 63)));
}

static inline uint64_t
unzigzag(uint64_t z)
{
	return ((z >> 1) ^ (0 - (z & 1)));
}

/*
 * Read a varint without a bounds check: the caller guarantees at least 10
 * readable bytes (the decode padding).  Varints of up to 8 bytes (values
 * below 2^56) are decoded without branching on their length: one 8-byte
 * load, the first byte without its high bit ends it, then the 7-bit
 * groups are packed together.  Sets *bad on an 11-byte varint.
 */
static inline const uint8_t *
get_varint(const uint8_t *p, uint64_t *v, bool *bad)
{
	uint64_t w, stop, x, b;
	unsigned n, shift;

	if (p[0] < 0x80) {
		*v = p[0];
		return (p + 1);
	}
	if (p[1] < 0x80) {
		*v = (p[0] & 0x7fu) | (uint64_t)p[1] << 7;
		return (p + 2);
	}
	w = pr_le64dec(p);
	stop = ~w & 0x8080808080808080ull;
	if (stop != 0) {
		n = (unsigned)__builtin_ctzll(stop) + 1;	/* bits used */
		x = n == 64 ? w : w & ((1ull << n) - 1);
		x &= 0x7f7f7f7f7f7f7f7full;
		x = (x & 0x007f007f007f007full) |
		    (x & 0x7f007f007f007f00ull) >> 1;
		x = (x & 0x00003fff00003fffull) |
		    (x & 0x3fff00003fff0000ull) >> 2;
		x = (x & 0x000000000fffffffull) |
		    (x & 0x0fffffff00000000ull) >> 4;
		*v = x;
		return (p + n / 8);
	}
	x = w & 0x7f7f7f7f7f7f7f7full;
	x = (x & 0x007f007f007f007full) | (x & 0x7f007f007f007f00ull) >> 1;
	x = (x & 0x00003fff00003fffull) | (x & 0x3fff00003fff0000ull) >> 2;
	x = (x & 0x000000000fffffffull) | (x & 0x0fffffff00000000ull) >> 4;
	for (n = 8, shift = 56; n < 10; n++, shift += 7) {
		b = p[n];
		x |= (b & 0x7f) << shift;
		if (b < 0x80) {
			*v = x;
			return (p + n + 1);
		}
	}
	*bad = true;
	*v = x;
	return (p + 10);
}

/*
 * Addresses are mostly page aligned: a delta d is written as one varint
 * zigzag(d >> 12) << 1 | (low 12 bits != 0), then the low 12 bits as a
 * varint when they are not zero.
 */
static inline uint8_t *
put_addr_delta(uint8_t *p, uint64_t d)
{
	uint64_t hi, lo;

	hi = (d >> 12) | (0 - (d >> 63)) << 52;	/* arithmetic shift */
	lo = d & 0xfff;
	p = pr_put_varint(p, zigzag(hi) << 1 | (lo != 0));
	if (lo != 0)
		p = pr_put_varint(p, lo);
	return (p);
}

/* Append one event to a raw frame; at most PR_EVENT_MAX bytes. */
uint8_t *
pr_encode_event(struct pr_codec_ctx *c, const struct pr_event *ev,
    uint8_t *p)
{
	struct pr_slot_ctx *sc;
	uint8_t *maskp;
	uint8_t mask = 0;

	*p++ = (uint8_t)(ev->kind | (ev->flags != 0 ? PR_EV_FLAGS : 0));
	if (ev->flags != 0)
		*p++ = ev->flags;
	maskp = p++;
	p = pr_put_varint(p, zigzag(ev->time_ns - c->time_ns));
	c->time_ns = ev->time_ns;
	if (ev->tid != c->tid) {
		mask |= PR_M_TID;
		p = pr_put_varint(p, ev->tid);
		c->tid = ev->tid;
	}
	sc = &c->slot[ev->tid % PR_CTX_SLOTS];
	if (ev->cpu != sc->cpu) {
		mask |= PR_M_CPU;
		p = pr_put_varint(p, ev->cpu);
		sc->cpu = ev->cpu;
	}
	if (ev->obj != 0) {
		mask |= PR_M_OBJ;
		p = pr_put_varint(p, zigzag(ev->obj - sc->obj));
		sc->obj = ev->obj;
	}
	if (ev->pindex != 0) {
		mask |= PR_M_PINDEX;
		p = pr_put_varint(p, zigzag(ev->pindex - sc->pindex));
		sc->pindex = ev->pindex;
	}
	if (ev->pmap != 0) {
		mask |= PR_M_PMAP;
		p = pr_put_varint(p, zigzag(ev->pmap - sc->pmap));
		sc->pmap = ev->pmap;
	}
	if (ev->addr != 0) {
		mask |= PR_M_ADDR;
		p = put_addr_delta(p, ev->addr - sc->addr);
		sc->addr = ev->addr;
	}
	if (ev->arg != 0) {
		mask |= PR_M_ARG;
		p = pr_put_varint(p, ev->arg);
	}
	if (ev->npages != 1) {
		mask |= PR_M_NPAGES;
		p = pr_put_varint(p, ev->npages);
	}
	*maskp = mask;
	return (p);
}

void
pr_decoder_init(struct pr_decoder *d, const uint8_t *kindmap,
    const uint8_t *raw, size_t rawlen, uint32_t nevents)
{
	memset(&d->c, 0, sizeof(d->c));
	d->p = raw;
	d->end = raw + rawlen;
	d->left = nevents;
	d->kindmap = kindmap;
}

/*
 * Decode up to max more events into out[], dropping events whose file kind
 * is unknown here.  Returns PR_OK or PR_E_CORRUPT; *nout and *skipped
 * count what came out.  After the last event the frame must be used up.
 */
int
pr_decoder_run(struct pr_decoder *d, struct pr_event *out, size_t max,
    size_t *nout, uint64_t *skipped)
{
	struct pr_codec_ctx *c = &d->c;
	struct pr_slot_ctx *sc;
	const uint8_t *p = d->p, *end = d->end;
	struct pr_event *ev = out;
	uint64_t v, lo;
	size_t i, n;
	uint8_t b0, mask;
	bool bad = false;

	*nout = 0;
	*skipped = 0;
	n = d->left < max ? d->left : max;
	for (i = 0; i < n; i++) {
		/* Past the end, the zero padding decodes; p > end stops it. */
		b0 = *p++;
		ev->kind = d->kindmap[b0 & PR_EV_KIND];
		ev->flags = (b0 & PR_EV_FLAGS) != 0 ? *p++ : 0;
		mask = *p++;
		p = get_varint(p, &v, &bad);
		c->time_ns += unzigzag(v);
		ev->time_ns = c->time_ns;
		if (mask & PR_M_TID) {
			p = get_varint(p, &v, &bad);
			if (v > UINT32_MAX)
				return (PR_E_CORRUPT);
			c->tid = (uint32_t)v;
		}
		ev->tid = c->tid;
		sc = &c->slot[c->tid % PR_CTX_SLOTS];
		if (mask & PR_M_CPU) {
			p = get_varint(p, &v, &bad);
			if (v > UINT32_MAX)
				return (PR_E_CORRUPT);
			sc->cpu = (uint32_t)v;
		}
		ev->cpu = sc->cpu;
		ev->obj = 0;
		if (mask & PR_M_OBJ) {
			p = get_varint(p, &v, &bad);
			sc->obj += unzigzag(v);
			ev->obj = sc->obj;
		}
		ev->pindex = 0;
		if (mask & PR_M_PINDEX) {
			p = get_varint(p, &v, &bad);
			sc->pindex += unzigzag(v);
			ev->pindex = sc->pindex;
		}
		ev->pmap = 0;
		if (mask & PR_M_PMAP) {
			p = get_varint(p, &v, &bad);
			sc->pmap += unzigzag(v);
			ev->pmap = sc->pmap;
		}
		ev->addr = 0;
		if (mask & PR_M_ADDR) {
			p = get_varint(p, &v, &bad);
			lo = 0;
			if (v & 1)
				p = get_varint(p, &lo, &bad);
			sc->addr += unzigzag(v >> 1) << 12 | lo;
			ev->addr = sc->addr;
		}
		ev->arg = 0;
		if (mask & PR_M_ARG)
			p = get_varint(p, &ev->arg, &bad);
		ev->npages = 1;
		if (mask & PR_M_NPAGES) {
			p = get_varint(p, &v, &bad);
			if (v > UINT32_MAX)
				return (PR_E_CORRUPT);
			ev->npages = (uint32_t)v;
		}
		if (p > end || bad)
			return (PR_E_CORRUPT);
		if (ev->kind < PR_KIND_COUNT)
			ev++;
		else if (ev->kind == PR_KINDMAP_NONE)
			(*skipped)++;
		else
			return (PR_E_CORRUPT);	/* beyond the kind table */
	}
	d->p = p;
	d->left -= (uint32_t)n;
	if (d->left == 0 && p != end)
		return (PR_E_CORRUPT);
	*nout = (size_t)(ev - out);
	return (PR_OK);
}
