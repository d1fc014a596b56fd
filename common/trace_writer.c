/*
 * trace_writer.c - the streaming writer (trace.h, pr_writer_*): the file
 * header, then events encoded into a frame of at most PR_FRAME_RAW_TARGET
 * raw bytes, compressed behind a checksummed frame header, and on close the
 * index block and the tail.  A frame therefore decodes on its own, and a
 * file cut anywhere still yields every frame written completely before the
 * cut.  Format v3 (the default) encodes a frame as column streams with
 * predictions across fields (trace_codec2.c); v2 (the same streams without
 * them) and v1 (one zstd frame of per-event records, trace_codec.c) are
 * still written on request (pr_writer_create_version, for tests and the
 * format benchmarks).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zstd.h>

#include "trace.h"
#include "trace_codec_internal.h"
#include "trace_internal.h"

#define PR_ZSTD_LEVEL	3

/* The writer is owned by one thread; nothing in it is locked. */
struct pr_writer {
	int		fd;
	uint32_t	version;	/* PR_VERSION_V1, _V2 or _V3 */
	int		error;		/* sticky: first failure */
	uint64_t	off;		/* bytes written so far */
	ZSTD_CCtx	*cctx;
	uint8_t		*raw;		/* v1: current frame, encoded */
	size_t		rawlen;
	struct pr_enc2	*enc2;		/* v2, v3: current frame, as streams */
	uint8_t		*comp;		/* compressed frame + its header */
	size_t		compcap;
	struct pr_codec_ctx ctx;
	uint32_t	fevents;	/* current frame: events, times, lost */
	uint64_t	ffirst;
	uint64_t	flast;
	uint64_t	flost;
	struct pr_frame_info *frames;	/* every frame written (the index) */
	size_t		nframes;
	size_t		framecap;
	uint64_t	events;
	uint64_t	lost;
	struct pr_note	*notes;
	size_t		nnotes;
};

/* Write all of buf at the writer's offset. */
static int
write_all(struct pr_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(w->fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return (PR_E_IO);
		}
		p += n;
		len -= (size_t)n;
		w->off += (uint64_t)n;
	}
	return (PR_OK);
}

/*
 * Encode the header payload into buf (PR_HDR_PAYLOAD_MAX bytes); returns
 * its length.  Strings are varint length + bytes, no NUL.
 */
static size_t
hdr_encode(const struct pr_header *h, uint8_t *buf)
{
	const char *strs[4] = { h->kernel, h->hostname, h->clock, h->cmdline };
	const size_t sizes[4] = { sizeof(h->kernel), sizeof(h->hostname),
	    sizeof(h->clock), sizeof(h->cmdline) };
	uint8_t *p = buf;
	size_t n;
	unsigned i;

	p = pr_put_varint(p, h->source);
	p = pr_put_varint(p, h->ncpus);
	p = pr_put_varint(p, h->page_size);
	p = pr_put_varint(p, h->start_ns);
	for (i = 0; i < 4; i++) {
		n = strnlen(strs[i], sizes[i] - 1);
		p = pr_put_varint(p, n);
		memcpy(p, strs[i], n);
		p += n;
	}
	p = pr_put_varint(p, PR_KIND_COUNT);
	for (i = 0; i < PR_KIND_COUNT; i++) {
		n = strlen(pr_kind_name(i));
		p = pr_put_varint(p, n);
		memcpy(p, pr_kind_name(i), n);
		p += n;
	}
	return ((size_t)(p - buf));
}

static void
writer_free(struct pr_writer *w)
{
	size_t i;

	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	free(w->raw);
	pr_enc2_free(w->enc2);
	free(w->comp);
	free(w->frames);
	for (i = 0; i < w->nnotes; i++)
		free(w->notes[i].key);
	free(w->notes);
	free(w);
}

/*
 * A non-empty regular file at path is kept as path.old (replacing an older
 * .old), as perf record keeps perf.data.old: a trace, or any other file
 * given as -o by mistake, is never silently destroyed.  0, or -1 with
 * errno set.
 */
static int
writer_keep_old(const char *path)
{
	struct stat st;
	char *old;
	int rv;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
		return (0);
	if (asprintf(&old, "%s.old", path) < 0)
		return (-1);
	rv = rename(path, old);
	free(old);
	return (rv);
}

struct pr_writer *
pr_writer_create(const char *path, const struct pr_header *h, int *errp)
{
	return (pr_writer_create_version(path, h, PR_TRACE_VERSION, errp));
}

struct pr_writer *
pr_writer_create_version(const char *path, const struct pr_header *h,
    uint32_t version, int *errp)
{
	struct pr_writer *w;
	uint8_t *buf;
	size_t len;
	int err;

	if (path == NULL || h == NULL || h->source >= PR_SRC_COUNT ||
	    version < PR_VERSION_V1 || version > PR_VERSION_V3) {
		*errp = PR_E_ARG;
		return (NULL);
	}
	w = calloc(1, sizeof(*w));
	buf = malloc(PR_FILE_FIXED + PR_HDR_PAYLOAD_MAX + 8);
	if (w == NULL || buf == NULL)
		goto nomem;
	w->fd = -1;
	w->version = version;
	if (version == PR_VERSION_V1) {
		w->compcap = PR_FRAME_HDR +
		    ZSTD_compressBound(PR_FRAME_RAW_TARGET);
		w->raw = malloc(PR_FRAME_RAW_TARGET);
	} else {
		w->compcap = PR_FRAME_HDR + pr_enc2_bound();
		w->enc2 = pr_enc2_create(version);
	}
	w->comp = malloc(w->compcap);
	w->cctx = ZSTD_createCCtx();
	if ((w->raw == NULL && w->enc2 == NULL) || w->comp == NULL ||
	    w->cctx == NULL)
		goto nomem;
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel,
	    PR_ZSTD_LEVEL);
	/* zstd's content checksum: catches what a forged frame sum hides. */
	ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1);
	if (writer_keep_old(path) == 0)
		w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
	if (w->fd < 0) {
		err = errno;
		free(buf);
		writer_free(w);
		errno = err;
		*errp = PR_E_IO;
		return (NULL);
	}
	memcpy(buf, PR_FILE_MAGIC, PR_FILE_MAGIC_LEN);
	pr_le32enc(buf + 8, version);
	len = hdr_encode(h, buf + PR_FILE_FIXED);
	pr_le32enc(buf + 12, (uint32_t)len);
	len += PR_FILE_FIXED;
	pr_le64enc(buf + len, pr_checksum(0, buf, len));
	err = write_all(w, buf, len + 8);
	free(buf);
	if (err != PR_OK) {
		err = errno;
		writer_free(w);
		errno = err;
		*errp = PR_E_IO;
		return (NULL);
	}
	*errp = PR_OK;
	return (w);
nomem:
	free(buf);
	if (w != NULL)
		writer_free(w);
	*errp = PR_E_NOMEM;
	return (NULL);
}

/* Compress and write the current frame, if it holds any event. */
static int
writer_emit(struct pr_writer *w)
{
	struct pr_frame_info f, *nf;
	size_t n, cap;

	if (w->fevents == 0)
		return (PR_OK);
	if (w->nframes == w->framecap) {
		cap = w->framecap == 0 ? 64 : w->framecap * 2;
		nf = realloc(w->frames, cap * sizeof(*nf));
		if (nf == NULL)
			return (PR_E_NOMEM);
		w->frames = nf;
		w->framecap = cap;
	}
	if (w->version == PR_VERSION_V1) {
		n = ZSTD_compress2(w->cctx, w->comp + PR_FRAME_HDR,
		    w->compcap - PR_FRAME_HDR, w->raw, w->rawlen);
		if (ZSTD_isError(n))
			return (PR_E_NOMEM);
		f.raw = (uint32_t)w->rawlen;
	} else if ((n = pr_enc2_emit(w->enc2, w->cctx, w->comp +
	    PR_FRAME_HDR, &f.raw)) == 0) {
		return (PR_E_NOMEM);
	}
	f.off = w->off;
	f.comp = (uint32_t)n;
	f.nevents = w->fevents;
	f.first_ns = w->ffirst;
	f.last_ns = w->flast;
	f.lost = w->flost;
	pr_frame_header_enc(w->comp, w->version, &f, w->comp + PR_FRAME_HDR);
	f.sum = pr_le64dec(w->comp + PR_FH_SUM);
	if (write_all(w, w->comp, PR_FRAME_HDR + n) != PR_OK)
		return (PR_E_IO);
	w->frames[w->nframes++] = f;
	w->rawlen = 0;
	w->fevents = 0;
	w->flost = 0;
	memset(&w->ctx, 0, sizeof(w->ctx));
	return (PR_OK);
}

int
pr_writer_write(struct pr_writer *w, const struct pr_event *ev)
{
	if (w == NULL || ev == NULL || ev->kind >= PR_KIND_COUNT ||
	    (ev->flags & ~PR_F_MASK) != 0)
		return (PR_E_ARG);
	if (w->error != PR_OK)
		return (w->error);
	if (w->version == PR_VERSION_V1) {
		if (w->rawlen + PR_EVENT_MAX > PR_FRAME_RAW_TARGET &&
		    (w->error = writer_emit(w)) != PR_OK)
			return (w->error);
		w->rawlen = (size_t)(pr_encode_event(&w->ctx, ev,
		    w->raw + w->rawlen) - w->raw);
	} else if (!pr_enc2_event(w->enc2, ev)) {
		/* The frame is full: emit it; a fresh frame takes any event. */
		if ((w->error = writer_emit(w)) != PR_OK)
			return (w->error);
		(void)pr_enc2_event(w->enc2, ev);
	}
	if (w->fevents == 0 || ev->time_ns < w->ffirst)
		w->ffirst = ev->time_ns;
	if (w->fevents == 0 || ev->time_ns > w->flast)
		w->flast = ev->time_ns;
	w->fevents++;
	w->events++;
	if (ev->kind == PR_LOST) {
		w->flost += ev->arg;
		w->lost += ev->arg;
	}
	return (PR_OK);
}

int
pr_writer_note(struct pr_writer *w, const char *key, uint64_t value)
{
	struct pr_note *nn;
	size_t i, len;

	if (w == NULL || key == NULL)
		return (PR_E_ARG);
	len = strlen(key);
	if (len == 0 || len > PR_NOTE_KEY_MAX)
		return (PR_E_ARG);
	for (i = 0; i < w->nnotes; i++) {
		if (strcmp(w->notes[i].key, key) == 0) {
			w->notes[i].value = value;
			return (PR_OK);
		}
	}
	if (w->nnotes == PR_NOTES_MAX)
		return (PR_E_ARG);
	nn = realloc(w->notes, (w->nnotes + 1) * sizeof(*nn));
	if (nn == NULL)
		return (PR_E_NOMEM);
	w->notes = nn;
	if ((nn[w->nnotes].key = strdup(key)) == NULL)
		return (PR_E_NOMEM);
	nn[w->nnotes++].value = value;
	return (PR_OK);
}

int
pr_writer_flush(struct pr_writer *w)
{
	if (w == NULL)
		return (PR_E_ARG);
	if (w->error == PR_OK)
		w->error = writer_emit(w);
	return (w->error);
}

uint64_t
pr_writer_bytes(const struct pr_writer *w)
{
	return (w == NULL ? 0 : w->off);
}

/* Write the index block and the tail (the end marker). */
static int
writer_finish(struct pr_writer *w)
{
	uint8_t *buf, *p;
	uint64_t start;
	size_t i, len;
	int err;

	len = 16 + w->nframes * PR_INDEX_ENTRY + 24 +
	    w->nnotes * (1 + PR_NOTE_KEY_MAX + 8) + PR_TAIL;
	if ((buf = malloc(len)) == NULL)
		return (PR_E_NOMEM);
	start = w->off;
	p = buf;
	pr_le32enc(p, PR_INDEX_MAGIC);
	pr_le32enc(p + 4, 0);
	pr_le64enc(p + 8, w->nframes);
	p += 16;
	for (i = 0; i < w->nframes; i++) {
		pr_le64enc(p, w->frames[i].off);
		pr_frame_header_enc(p + 8, w->version, &w->frames[i], NULL);
		p += PR_INDEX_ENTRY;
	}
	pr_le64enc(p, w->events);
	pr_le64enc(p + 8, w->lost);
	pr_le64enc(p + 16, w->nnotes);
	p += 24;
	for (i = 0; i < w->nnotes; i++) {
		len = strlen(w->notes[i].key);
		*p++ = (uint8_t)len;
		memcpy(p, w->notes[i].key, len);
		p += len;
		pr_le64enc(p, w->notes[i].value);
		p += 8;
	}
	len = (size_t)(p - buf);
	pr_le64enc(p, start);
	pr_le64enc(p + 8, pr_checksum(0, buf, len));
	memcpy(p + 16, PR_TAIL_MAGIC, 8);
	err = write_all(w, buf, len + PR_TAIL);
	free(buf);
	return (err);
}

int
pr_writer_close(struct pr_writer *w)
{
	int err;

	if (w == NULL)
		return (PR_E_ARG);
	err = w->error;
	if (err == PR_OK)
		err = writer_emit(w);
	if (err == PR_OK)
		err = writer_finish(w);
	if (close(w->fd) != 0 && err == PR_OK)
		err = PR_E_IO;
	w->fd = -1;
	writer_free(w);
	return (err);
}
