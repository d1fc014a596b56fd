/*
 * trace_reader.c - opening a trace (trace.h, pr_reader_open): the file
 * header and its kind table, then the frame list, from the index block when
 * the tail and index pass their checks, else from a scan of the frame
 * headers (docs/trace-format.md, "Reading and recovery rules"); the
 * status, the trailer notes, close.  Decoding is in trace_decode.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "trace.h"
#include "trace_reader_internal.h"

/* Bounds-checked cursor over an in-memory block (header, index). */
struct cursor {
	const uint8_t	*p;
	const uint8_t	*end;
	bool		bad;
};

static uint64_t
cur_varint(struct cursor *c)
{
	uint64_t r = 0, b;
	unsigned shift;

	for (shift = 0; shift < 70; shift += 7) {
		if (c->p >= c->end) {
			c->bad = true;
			return (0);
		}
		b = *c->p++;
		r |= (b & 0x7f) << shift;
		if (b < 0x80)
			return (r);
	}
	c->bad = true;
	return (0);
}

static uint64_t
cur_u64(struct cursor *c)
{
	uint64_t v;

	if (c->end - c->p < 8) {
		c->bad = true;
		return (0);
	}
	v = pr_le64dec(c->p);
	c->p += 8;
	return (v);
}

/* A length-prefixed string into dst[size]; too long is bad. */
static void
cur_str(struct cursor *c, char *dst, size_t size)
{
	uint64_t n;

	n = cur_varint(c);
	if (c->bad || n >= size || n > (uint64_t)(c->end - c->p)) {
		c->bad = true;
		dst[0] = '\0';
		return;
	}
	memcpy(dst, c->p, n);
	dst[n] = '\0';
	c->p += n;
}

int
pr_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return (PR_E_IO);
		if (n == 0)
			return (PR_E_TRUNCATED);
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return (PR_OK);
}

/* Keep the error nearest the start of the file. */
void
pr_reader_error(struct pr_reader *r, int err, uint64_t frame,
    uint64_t off)
{
	pthread_mutex_lock(&r->st_mtx);
	if (r->st.error == PR_OK || off < r->st.error_offset) {
		r->st.error = err;
		r->st.error_frame = frame;
		r->st.error_offset = off;
	}
	pthread_mutex_unlock(&r->st_mtx);
}

/* Parse the file header; sets r->hdr, the kind map; returns body offset. */
static int
reader_header(struct pr_reader *r, uint64_t *bodyp)
{
	uint8_t fixed[PR_FILE_FIXED], *buf;
	struct cursor c;
	char name[64];
	uint64_t n, i, len;
	int err, k;

	if (r->size < PR_FILE_FIXED) {
		if (r->size == 0)
			return (PR_E_MAGIC);
		if ((err = pr_pread_all(r->fd, fixed, r->size, 0)) != PR_OK)
			return (err);
		return (memcmp(fixed, PR_FILE_MAGIC, r->size < 8 ? r->size :
		    8) == 0 ? PR_E_HEADER_CUT : PR_E_MAGIC);
	}
	if ((err = pr_pread_all(r->fd, fixed, sizeof(fixed), 0)) != PR_OK)
		return (err);
	if (memcmp(fixed, PR_FILE_MAGIC, PR_FILE_MAGIC_LEN) != 0)
		return (PR_E_MAGIC);
	r->hdr.version = pr_le32dec(fixed + 8);
	if (r->hdr.version < PR_VERSION_V1 || r->hdr.version > PR_VERSION_V3)
		return (PR_E_VERSION);
	len = pr_le32dec(fixed + 12);
	if (len > PR_HDR_PAYLOAD_MAX)
		return (PR_E_CORRUPT);
	if (r->size < PR_FILE_FIXED + len + 8)
		return (PR_E_HEADER_CUT);
	if ((buf = malloc(PR_FILE_FIXED + len + 8)) == NULL)
		return (PR_E_NOMEM);
	if ((err = pr_pread_all(r->fd, buf, PR_FILE_FIXED + len + 8, 0)) !=
	    PR_OK) {
		free(buf);
		return (err);
	}
	if (!SUM_OK(pr_checksum(0, buf, PR_FILE_FIXED + len),
	    pr_le64dec(buf + PR_FILE_FIXED + len))) {
		free(buf);
		return (PR_E_CORRUPT);
	}
	c.p = buf + PR_FILE_FIXED;
	c.end = c.p + len;
	c.bad = false;
	n = cur_varint(&c);
	r->hdr.source = n < PR_SRC_COUNT ? (uint32_t)n : PR_SRC_COUNT;
	n = cur_varint(&c);
	r->hdr.ncpus = n <= UINT32_MAX ? (uint32_t)n : 0;
	n = cur_varint(&c);
	r->hdr.page_size = n <= UINT32_MAX ? (uint32_t)n : 0;
	r->hdr.start_ns = cur_varint(&c);
	cur_str(&c, r->hdr.kernel, sizeof(r->hdr.kernel));
	cur_str(&c, r->hdr.hostname, sizeof(r->hdr.hostname));
	cur_str(&c, r->hdr.clock, sizeof(r->hdr.clock));
	cur_str(&c, r->hdr.cmdline, sizeof(r->hdr.cmdline));
	n = cur_varint(&c);
	if (n > PR_EV_KIND + 1)
		c.bad = true;
	memset(r->kindmap, PR_KINDMAP_BAD, sizeof(r->kindmap));
	for (i = 0; i < n && !c.bad; i++) {
		cur_str(&c, name, sizeof(name));
		k = pr_kind_from_name(name);
		r->kindmap[i] = k < 0 ? PR_KINDMAP_NONE : (uint8_t)k;
	}
	free(buf);
	if (c.bad)
		return (PR_E_CORRUPT);
	*bodyp = PR_FILE_FIXED + len + 8;
	return (PR_OK);
}

/*
 * Decode a 48-byte frame header found at off in a file of the given format
 * version and check it against the format's bounds and the file's end
 * (limit).  PR_E_TRUNCATED if the frame runs past limit, PR_E_CORRUPT if a
 * field is out of bounds.
 */
static int
frame_header_dec(const uint8_t *fh, uint32_t version, uint64_t off,
    uint64_t limit, struct pr_frame_info *f)
{
	bool v1 = version == PR_VERSION_V1;

	f->off = off;
	f->raw = pr_le32dec(fh + PR_FH_RAW);
	f->comp = pr_le32dec(fh + PR_FH_COMP);
	f->nevents = pr_le32dec(fh + PR_FH_EVENTS);
	f->first_ns = pr_le64dec(fh + PR_FH_FIRST);
	f->last_ns = pr_le64dec(fh + PR_FH_LAST);
	f->lost = pr_le64dec(fh + PR_FH_LOST);
	f->sum = pr_le64dec(fh + PR_FH_SUM);
	if (pr_le32dec(fh + PR_FH_MAGIC) != pr_frame_magic(version) ||
	    f->raw > PR_FRAME_RAW_MAX || f->nevents == 0 ||
	    (uint64_t)f->nevents * (v1 ? PR_EVENT_MIN : PR_EVENT_MIN_V2) >
	    f->raw || f->comp == 0 ||
	    f->comp > ZSTD_compressBound(f->raw) + (v1 ? 0 : PR_V2_SLACK) ||
	    f->first_ns > f->last_ns)
		return (PR_E_CORRUPT);
	if (off > limit || limit - off < PR_FRAME_HDR + (uint64_t)f->comp)
		return (PR_E_TRUNCATED);
	return (PR_OK);
}

static int
add_frame(struct pr_reader *r, const struct pr_frame_info *f, size_t *capp)
{
	struct pr_frame_info *nf;
	size_t cap;

	if (r->nframes == *capp) {
		cap = *capp == 0 ? 64 : *capp * 2;
		nf = realloc(r->frames, cap * sizeof(*nf));
		if (nf == NULL)
			return (PR_E_NOMEM);
		r->frames = nf;
		*capp = cap;
	}
	r->frames[r->nframes++] = *f;
	r->st.events += f->nevents;
	r->st.lost += f->lost;
	return (PR_OK);
}

#define PR_RESYNC_BLOCK	(1u << 20)	/* bytes searched per read */

/*
 * Whether a sound frame starts at off: its header passes the bounds and
 * its checksum matches the header and payload (rule 5's first checks).
 * Fills *f when it does.  PR_E_IO or PR_E_NOMEM for those failures.
 */
static int
frame_sound(struct pr_reader *r, uint64_t off, uint64_t limit,
    struct pr_frame_info *f, bool *soundp)
{
	uint8_t fh[PR_FRAME_HDR], *payload;
	int err;

	*soundp = false;
	if ((err = pr_pread_all(r->fd, fh, sizeof(fh), off)) != PR_OK)
		return (err);
	if (frame_header_dec(fh, r->hdr.version, off, limit, f) != PR_OK)
		return (PR_OK);
	if ((payload = malloc(f->comp)) == NULL)
		return (PR_E_NOMEM);
	err = pr_pread_all(r->fd, payload, f->comp, off + PR_FRAME_HDR);
	if (err == PR_OK)
		*soundp = SUM_OK(pr_frame_sum(fh, payload, f->comp), f->sum);
	free(payload);
	return (err);
}

/*
 * After a damaged frame header: the offset of the next sound frame
 * (frame_sound) at or after from, found by searching for the frame magic
 * byte by byte, or limit when there is none.
 */
static int
reader_resync(struct pr_reader *r, uint64_t from, uint64_t limit,
    uint64_t *nextp)
{
	struct pr_frame_info f;
	uint32_t magic = pr_frame_magic(r->hdr.version);
	uint64_t pos, n, i;
	uint8_t *buf;
	bool sound;
	int err = PR_OK;

	*nextp = limit;
	if ((buf = malloc(PR_RESYNC_BLOCK)) == NULL)
		return (PR_E_NOMEM);
	for (pos = from; err == PR_OK && pos < limit &&
	    limit - pos >= PR_FRAME_HDR; pos += n - 3) {
		n = limit - pos < PR_RESYNC_BLOCK ? limit - pos :
		    PR_RESYNC_BLOCK;
		if ((err = pr_pread_all(r->fd, buf, n, pos)) != PR_OK)
			break;
		for (i = 0; i + 4 <= n; i++) {
			if (pr_le32dec(buf + i) != magic ||
			    limit - (pos + i) < PR_FRAME_HDR)
				continue;
			if ((err = frame_sound(r, pos + i, limit, &f,
			    &sound)) != PR_OK)
				break;
			if (sound) {
				*nextp = pos + i;
				free(buf);
				return (PR_OK);
			}
		}
	}
	free(buf);
	return (err);
}

/*
 * No usable end marker (truncated), or a damaged one: walk frame headers
 * from the body start up to limit, frame by frame.  A header that breaks a
 * bound is damage: it is recorded and the walk goes on from the next sound
 * frame (reader_resync), so one damaged header does not cost the frames
 * after it.  The walk stops at limit, at an incomplete frame (a cut when
 * truncated, damage otherwise), or at an index block (the end of the
 * frames: cut while closing when truncated, reported by the caller
 * otherwise).  *endp is where it stopped.
 */
static int
reader_scan(struct pr_reader *r, uint64_t off, uint64_t limit, bool truncated,
    uint64_t *endp)
{
	uint8_t fh[PR_FRAME_HDR];
	struct pr_frame_info f;
	size_t cap = 0;
	int err;

	while (off < limit) {
		*endp = off;
		if (limit - off < PR_FRAME_HDR) {
			pr_reader_error(r, truncated ? PR_E_TRUNCATED :
			    PR_E_CORRUPT, r->nframes, off);
			return (PR_OK);
		}
		if ((err = pr_pread_all(r->fd, fh, sizeof(fh), off)) != PR_OK)
			return (err);
		err = frame_header_dec(fh, r->hdr.version, off, limit, &f);
		if (err == PR_E_CORRUPT &&
		    pr_le32dec(fh + PR_FH_MAGIC) == PR_INDEX_MAGIC) {
			if (truncated)
				pr_reader_error(r, PR_E_TRUNCATED, r->nframes,
				    off);
			return (PR_OK);
		}
		if (err == PR_E_TRUNCATED && truncated) {
			pr_reader_error(r, err, r->nframes, off);
			return (PR_OK);
		}
		if (err != PR_OK) {
			pr_reader_error(r, PR_E_CORRUPT, r->nframes, off);
			if ((err = reader_resync(r, off + 1, limit, &off)) !=
			    PR_OK)
				return (err);
			continue;
		}
		if ((err = add_frame(r, &f, &cap)) != PR_OK)
			return (err);
		off += PR_FRAME_HDR + f.comp;
	}
	*endp = off;
	return (PR_OK);
}

/*
 * Read the tail and the index block it names.  PR_OK when the index is
 * usable; PR_E_TRUNCATED when there is no tail; PR_E_CORRUPT when there is
 * a tail but it or the index fails a check, or the index disagrees with
 * the body's layout (frames not back to back from the body start to the
 * index block).  *ioffp is the index offset the tail names.
 *
 * A tail whose magic is damaged is still trusted when it names an index
 * block that passes every check, the tail's checksum included (a cut
 * leaves no such thing): PR_OK with *magicbadp set.  Failing that, the
 * file is taken for one cut short (PR_E_TRUNCATED).
 */
static int
reader_index(struct pr_reader *r, uint64_t body, uint64_t *ioffp,
    bool *magicbadp)
{
	uint8_t tail[PR_TAIL], magic[4], *buf = NULL;
	struct pr_frame_info f;
	struct cursor c;
	uint64_t ioff, n, i, events, lost, prev_end;
	size_t cap = 0, klen;
	int bad, err;

	*ioffp = r->size;
	*magicbadp = false;
	if (r->size < body + PR_TAIL)
		return (PR_E_TRUNCATED);
	if ((err = pr_pread_all(r->fd, tail, sizeof(tail),
	    r->size - PR_TAIL)) != PR_OK)
		return (err);
	*magicbadp = memcmp(tail + 16, PR_TAIL_MAGIC, 8) != 0;
	bad = *magicbadp ? PR_E_TRUNCATED : PR_E_CORRUPT;
	ioff = *ioffp = pr_le64dec(tail);
	if (ioff < body || ioff > r->size - PR_TAIL ||
	    r->size - PR_TAIL - ioff > PR_INDEX_MAX)
		return (bad);
	n = r->size - PR_TAIL - ioff;
	if (*magicbadp) {
		/* Read no more of a cut file than its would-be index magic. */
		if (n < 16)
			return (bad);
		if ((err = pr_pread_all(r->fd, magic, sizeof(magic), ioff)) !=
		    PR_OK)
			return (err);
		if (pr_le32dec(magic) != PR_INDEX_MAGIC)
			return (bad);
	}
	if ((buf = malloc(n + 1)) == NULL)
		return (PR_E_NOMEM);
	if ((err = pr_pread_all(r->fd, buf, n, ioff)) != PR_OK)
		goto out;
	err = bad;
	if (!SUM_OK(pr_checksum(0, buf, n), pr_le64dec(tail + 8)) || n < 16 ||
	    pr_le32dec(buf) != PR_INDEX_MAGIC)
		goto out;
	c.p = buf + 16;
	c.end = buf + n;
	c.bad = false;
	n = pr_le64dec(buf + 8);
	if (n > (uint64_t)(c.end - c.p) / PR_INDEX_ENTRY)
		goto out;
	prev_end = body;
	for (i = 0; i < n; i++) {
		if (frame_header_dec(c.p + 8, r->hdr.version, pr_le64dec(c.p),
		    ioff, &f) != PR_OK || f.off != prev_end)
			goto out;
		prev_end = f.off + PR_FRAME_HDR + f.comp;
		if ((err = add_frame(r, &f, &cap)) != PR_OK)
			goto out;
		err = bad;
		c.p += PR_INDEX_ENTRY;
	}
	events = cur_u64(&c);
	lost = cur_u64(&c);
	n = cur_u64(&c);
	if (c.bad || prev_end != ioff || events != r->st.events ||
	    lost != r->st.lost || n > PR_NOTES_MAX ||
	    n > (uint64_t)(c.end - c.p) / 10)
		goto out;
	if ((r->notes = calloc(n + 1, sizeof(*r->notes))) == NULL) {
		err = PR_E_NOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (c.p >= c.end)
			goto out;
		klen = *c.p++;
		if (klen == 0 || klen > (size_t)(c.end - c.p))
			goto out;
		if ((r->notes[i].key = strndup((const char *)c.p, klen)) ==
		    NULL) {
			err = PR_E_NOMEM;
			goto out;
		}
		r->nnotes = i + 1;
		c.p += klen;
		r->notes[i].value = cur_u64(&c);
		if (c.bad)
			goto out;
	}
	err = c.p == c.end ? PR_OK : bad;
out:
	free(buf);
	return (err);
}

/* Forget what a failed index parse left behind. */
static void
reader_reset_frames(struct pr_reader *r)
{
	size_t i;

	free(r->frames);
	r->frames = NULL;
	r->nframes = 0;
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i].key);
	free(r->notes);
	r->notes = NULL;
	r->nnotes = 0;
	r->st.events = 0;
	r->st.lost = 0;
}

struct pr_reader *
pr_reader_open(const char *path, int *errp)
{
	struct pr_reader *r;
	struct stat sb;
	uint64_t body, ioff, end;
	bool magicbad;
	int err;

	if (path == NULL) {
		*errp = PR_E_ARG;
		return (NULL);
	}
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		*errp = PR_E_NOMEM;
		return (NULL);
	}
	pthread_mutex_init(&r->st_mtx, NULL);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &sb) != 0) {
		err = PR_E_IO;
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		err = PR_E_IO;
		goto fail;
	}
	r->size = (uint64_t)sb.st_size;
	if ((err = reader_header(r, &body)) != PR_OK)
		goto fail;
	err = reader_index(r, body, &ioff, &magicbad);
	if (err == PR_E_IO || err == PR_E_NOMEM)
		goto fail;
	if (err == PR_OK && magicbad) {
		/* Only the tail's magic is damaged: the index is sound. */
		r->st.end_damaged = true;
		pr_reader_error(r, PR_E_CORRUPT, r->nframes,
		    r->size - PR_TAIL + 16);
	} else if (err == PR_E_TRUNCATED) {
		/* No end marker: recover what the frames themselves say. */
		reader_reset_frames(r);
		r->st.truncated = true;
		if ((err = reader_scan(r, body, r->size, true, &end)) != PR_OK)
			goto fail;
		if (r->st.error == PR_OK)	/* cut at a frame boundary */
			pr_reader_error(r, PR_E_TRUNCATED, r->nframes,
			    r->size);
	} else if (err == PR_E_CORRUPT) {
		/*
		 * A damaged tail or index: every frame of the body is found
		 * by scanning it up to the index block, whatever offset the
		 * tail names.  The damage is placed at the index when the
		 * scan ends where the tail says it starts, else at the tail.
		 */
		reader_reset_frames(r);
		r->st.end_damaged = true;
		if ((err = reader_scan(r, body, r->size - PR_TAIL, false,
		    &end)) != PR_OK)
			goto fail;
		pr_reader_error(r, PR_E_CORRUPT, r->nframes, end == ioff ?
		    ioff : r->size - PR_TAIL);
	}
	r->st.frames = r->nframes;
	*errp = PR_OK;
	return (r);
fail:
	pr_reader_close(r);
	*errp = err;
	return (NULL);
}

const struct pr_header *
pr_reader_header(const struct pr_reader *r)
{
	return (&r->hdr);
}

size_t
pr_reader_frames(const struct pr_reader *r)
{
	return (r->nframes);
}

uint64_t
pr_reader_frame_offset(const struct pr_reader *r, size_t i)
{
	return (r == NULL || i >= r->nframes ? 0 : r->frames[i].off);
}

void
pr_reader_status(const struct pr_reader *r, struct pr_reader_status *st)
{
	struct pr_reader *rw = (struct pr_reader *)r;	/* the lock only */

	pthread_mutex_lock(&rw->st_mtx);
	*st = r->st;
	st->skipped = r->skipped;
	pthread_mutex_unlock(&rw->st_mtx);
}

bool
pr_reader_note(const struct pr_reader *r, size_t i, const char **keyp,
    uint64_t *valuep)
{
	if (r == NULL || i >= r->nnotes)
		return (false);
	*keyp = r->notes[i].key;
	*valuep = r->notes[i].value;
	return (true);
}

void
pr_reader_close(struct pr_reader *r)
{
	struct pr_decode_bufs *b;
	size_t i;

	if (r == NULL)
		return;
	if (r->fd >= 0)
		close(r->fd);
	free(r->frames);
	for (i = 0; i < r->nnotes; i++)
		free(r->notes[i].key);
	free(r->notes);
	while ((b = r->pool) != NULL) {
		r->pool = b->next;
		pr_decode_bufs_free(b);
	}
	if (r->sbufs != NULL)
		pr_decode_bufs_free(r->sbufs);
	pthread_mutex_destroy(&r->st_mtx);
	free(r);
}
