/*
 * sfserver.c - a small HTTP/1.1 file server that sends with sendfile(2).
 *
 * The sendfile workload of pagereplay (PRODUCT.md section 8): it serves the
 * regular files under one directory to many connections over loopback, with
 * keep-alive, pipelining and single byte ranges ("Range: bytes=a-b", "a-",
 * "-n").  With --nocache it drops the pages of each response from the page
 * cache once the response is sent (posix_fadvise(POSIX_FADV_DONTNEED)), the
 * Linux counterpart of FreeBSD's sendfile(SF_NOCACHE).
 *
 * Each of --threads workers owns a listening socket (SO_REUSEPORT, so the
 * kernel spreads connections over them) and one epoll set; a connection
 * stays on the worker that accepted it, so no state is shared between
 * workers.  The server binds to loopback addresses only.
 */
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define SF_RBUF		8192		/* request bytes buffered per conn */
#define SF_WBUF		1024		/* response header (+ error body) */
#define SF_CHUNK	(1u << 20)	/* bytes per sendfile(2) call */
#define SF_MAXTHREADS	256		/* --threads limit */
#define SF_EVENTS	64		/* epoll events per wait */
#define SF_POLL_MS	200		/* epoll wait */
#define SF_KEEP_MAX	64		/* --nocache ranges kept per worker */
#define SF_EXIT_MS	1000		/* ... dropped again for this at exit */
#define SF_EXIT_STEP_MS	10		/* ... this often */

/*
 * One connection.  Owned by the worker that accepted it; no locking.
 * At most one response is in flight; pipelined requests wait in rbuf.
 */
struct sf_conn {
	int		fd;		/* socket */
	char		rbuf[SF_RBUF];	/* unparsed request bytes */
	size_t		rlen;		/* bytes in rbuf */
	char		wbuf[SF_WBUF];	/* response header, error body */
	size_t		wlen;		/* bytes in wbuf */
	size_t		woff;		/* bytes of wbuf sent */
	int		filefd;		/* body file, -1 when none */
	off_t		foff;		/* next body byte to send */
	off_t		fstart;		/* first body byte (for --nocache) */
	uint64_t	fleft;		/* body bytes still to send */
	uint64_t	flen;		/* body length */
	int		dropfd;		/* --nocache: file of the last body */
	off_t		dropoff;	/* ... its range, dropped once the */
	off_t		droplen;	/* ... peer has read it */
	bool		busy;		/* a response is in flight */
	bool		close_after;	/* close once the response is sent */
	bool		want_out;	/* registered for EPOLLOUT */
	bool		draining;	/* sent our FIN, awaiting the peer's */
	LIST_ENTRY(sf_conn) link;	/* the worker's open connections */
};

/*
 * --nocache: a sent range whose pages the first drop left in the page
 * cache, to be dropped again at exit (below, drop_range).
 */
struct sf_drop {
	int		fd;		/* the file, kept open until then */
	off_t		off;		/* the range */
	off_t		len;
	LIST_ENTRY(sf_drop) link;	/* the worker's kept ranges */
};

/* Per-worker counters, summed after the workers have exited. */
struct sf_stats {
	uint64_t	conns;		/* connections accepted */
	uint64_t	requests;	/* requests answered */
	uint64_t	errors;		/* 4xx/5xx responses */
	uint64_t	bytes;		/* body bytes sent */
	uint64_t	drops_exit;	/* --nocache: ranges dropped at exit */
	uint64_t	pages_kept;	/* ... pages still cached at exit */
	uint64_t	ranges_unkept;	/* ... left cached, over SF_KEEP_MAX */
};

/*
 * A worker thread.  Everything in it belongs to that thread until it has
 * been joined; main() reads stats after the join.
 */
struct sf_worker {
	pthread_t	thread;
	int		lfd;		/* listening socket (SO_REUSEPORT) */
	int		epfd;		/* lfd and every connection */
	LIST_HEAD(, sf_conn) conns;	/* open connections */
	LIST_HEAD(, sf_drop) drops;	/* --nocache ranges to drop at exit */
	unsigned	ndrops;		/* ... how many */
	struct sf_stats	stats;		/* this worker's counters */
};

/* Set once at start, read-only afterwards. */
static struct {
	int		dirfd;		/* served directory */
	bool		nocache;	/* --nocache */
	bool		verbose;	/* -v: log each request */
} cfg;

static volatile sig_atomic_t stopping;

/* SIGINT/SIGTERM: the workers stop within their 200 ms poll. */
static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

/* The help text. */
static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: sfserver [-d DIR] [-p PORT] [-b ADDR] [-t THREADS] "
	    "[--nocache]\n"
	    "                [--port-file FILE] [-v]\n"
	    "\n"
	    "Serve the regular files under DIR over HTTP/1.1 with sendfile(2):\n"
	    "keep-alive, pipelining, single byte ranges.  Loopback only.\n"
	    "\n"
	    "  -d, --dir DIR         directory to serve (default: .)\n"
	    "  -p, --port PORT       TCP port, 0 = any free one (default: 8080)\n"
	    "  -b, --bind ADDR       loopback address (default: 127.0.0.1)\n"
	    "  -t, --threads N       worker threads (default: 2)\n"
	    "      --nocache         drop each response's pages after sending\n"
	    "                        (POSIX_FADV_DONTNEED, like SF_NOCACHE)\n"
	    "      --port-file FILE  write the bound port to FILE when ready\n"
	    "  -v, --verbose         log each request on stderr\n"
	    "  -h, --help            this text\n"
	    "\n"
	    "Stops cleanly on SIGINT or SIGTERM and prints its counters.\n");
}

/*
 * Make a listening socket on addr:port with SO_REUSEPORT.  Returns the fd
 * or -1 after a warning.
 */
static int
listen_on(const struct sockaddr_storage *ss, socklen_t sslen)
{
	int fd, one;

	one = 1;
	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd < 0) {
		warn("socket");
		return (-1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) {
		warn("setsockopt");
		close(fd);
		return (-1);
	}
	if (bind(fd, (const struct sockaddr *)ss, sslen) != 0) {
		warn("bind");
		close(fd);
		return (-1);
	}
	if (listen(fd, 1024) != 0) {
		warn("listen");
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Resolve a numeric loopback address; 0, or -1 after a warning. */
static int
loopback_addr(const char *host, int port, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct addrinfo hints, *res;
	int e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	e = getaddrinfo(host, NULL, &hints, &res);
	if (e != 0) {
		warnx("--bind %s: %s", host, gai_strerror(e));
		return (-1);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		if ((ntohl(sin->sin_addr.s_addr) >> 24) != 127) {
			warnx("--bind %s: not a loopback address", host);
			return (-1);
		}
		sin->sin_port = htons(port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		if (!IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)) {
			warnx("--bind %s: not a loopback address", host);
			return (-1);
		}
		sin6->sin6_port = htons(port);
	}
	return (0);
}

/* The local port a socket is bound to, or -1. */
static int
bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return (-1);
	if (ss.ss_family == AF_INET)
		return (ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return (ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
}

/* Case-insensitive "does header line l (len n) have name h". */
static const char *
header_value(const char *l, size_t n, const char *h)
{
	size_t hl;

	hl = strlen(h);
	if (n <= hl || strncasecmp(l, h, hl) != 0 || l[hl] != ':')
		return (NULL);
	l += hl + 1;
	while (*l == ' ' || *l == '\t')
		l++;
	return (l);
}

/*
 * Parse "bytes=a-b", "bytes=a-" or "bytes=-n" against a file of size sz.
 * Returns 1 and the range, 0 when the header is to be ignored (syntax we
 * do not serve, such as several ranges), or -1 when unsatisfiable.
 */
static int
parse_range(const char *v, uint64_t sz, uint64_t *start, uint64_t *len)
{
	unsigned long long a, b;
	char *end;
	bool has_a, has_b;

	if (strncasecmp(v, "bytes=", 6) != 0)
		return (0);
	v += 6;
	has_a = isdigit((unsigned char)*v);
	a = has_a ? strtoull(v, &end, 10) : 0;
	if (has_a)
		v = end;
	if (*v != '-')
		return (0);
	v++;
	has_b = isdigit((unsigned char)*v);
	b = has_b ? strtoull(v, &end, 10) : 0;
	if (has_b)
		v = end;
	while (*v == ' ' || *v == '\t')
		v++;
	if ((*v != '\r' && *v != '\n') || (!has_a && !has_b))
		return (0);
	if (!has_a) {			/* suffix: the last b bytes */
		if (b == 0 || sz == 0)
			return (-1);
		if (b > sz)
			b = sz;
		*start = sz - b;
		*len = b;
		return (1);
	}
	if (has_b && b < a)
		return (0);
	if (a >= sz)
		return (-1);
	if (!has_b || b >= sz)
		b = sz - 1;
	*start = a;
	*len = b - a + 1;
	return (1);
}

/* Queue a bodyless or short-body response (errors). */
static void
reply_simple(struct sf_conn *c, struct sf_stats *st, int code,
    const char *reason, const char *extra, bool head)
{
	int n;

	st->errors++;
	n = snprintf(c->wbuf, sizeof(c->wbuf),
	    "HTTP/1.1 %d %s\r\n"
	    "Server: sfserver\r\n"
	    "%s"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: %s\r\n"
	    "\r\n"
	    "%s%s",
	    code, reason, extra != NULL ? extra : "", strlen(reason) + 1,
	    c->close_after ? "close" : "keep-alive",
	    head ? "" : reason, head ? "" : "\n");
	c->wlen = (size_t)n < sizeof(c->wbuf) ? (size_t)n : sizeof(c->wbuf);
	c->woff = 0;
	c->busy = true;
}

/*
 * Decode the path of a request target into out (size outsz): strip the
 * query, decode %XX, refuse NUL and ".." components.  Returns 0 or -1.
 */
static int
decode_path(const char *t, size_t tl, char *out, size_t outsz)
{
	size_t i, o;
	const char *seg;

	if (tl == 0 || t[0] != '/')
		return (-1);
	for (i = 0, o = 0; i < tl && t[i] != '?' && t[i] != '#'; i++) {
		int ch = (unsigned char)t[i];

		if (ch == '%') {
			unsigned int v;

			if (i + 2 >= tl || !isxdigit((unsigned char)t[i + 1]) ||
			    !isxdigit((unsigned char)t[i + 2]) ||
			    sscanf(t + i + 1, "%2x", &v) != 1)
				return (-1);
			ch = (int)v;
			i += 2;
		}
		if (ch == '\0' || o + 1 >= outsz)
			return (-1);
		out[o++] = (char)ch;
	}
	out[o] = '\0';
	for (seg = out; seg != NULL; seg = strchr(seg + 1, '/')) {
		const char *s = seg + 1;

		if (s[0] == '.' && s[1] == '.' && (s[2] == '/' || s[2] == '\0'))
			return (-1);
	}
	return (0);
}

/*
 * Parse one complete request (header of hlen bytes at c->rbuf) and set up
 * its response.
 */
static void
handle_request(struct sf_conn *c, struct sf_stats *st, size_t hlen)
{
	char path[1024], hdr[256];
	const char *p, *end, *sp1, *sp2, *line, *v, *range;
	uint64_t start, len;
	struct stat sb;
	bool head, http10, has_body;
	int fd, r, n;

	st->requests++;
	p = c->rbuf;
	end = c->rbuf + hlen;
	line = memchr(p, '\n', hlen);
	sp1 = memchr(p, ' ', (size_t)(line - p));
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(line - sp1 - 1)) :
	    NULL;
	c->close_after = true;
	if (sp1 == NULL || sp2 == NULL || strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		reply_simple(c, st, 400, "Bad Request", NULL, false);
		return;
	}
	http10 = sp2[8] == '0';
	head = (size_t)(sp1 - p) == 4 && memcmp(p, "HEAD", 4) == 0;
	c->close_after = http10;
	range = NULL;
	has_body = false;
	for (line++; line < end; ) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t ll = (size_t)(nl - line);

		if ((v = header_value(line, ll, "Connection")) != NULL) {
			if (strncasecmp(v, "close", 5) == 0)
				c->close_after = true;
			else if (strncasecmp(v, "keep-alive", 10) == 0)
				c->close_after = false;
		} else if ((v = header_value(line, ll, "Range")) != NULL)
			range = v;
		else if ((v = header_value(line, ll, "Content-Length")) !=
		    NULL && *v != '0')
			has_body = true;
		else if (header_value(line, ll, "Transfer-Encoding") != NULL)
			has_body = true;
		line = nl + 1;
	}
	if (has_body) {
		/* We do not read request bodies: answer and hang up. */
		c->close_after = true;
		reply_simple(c, st, 501, "Not Implemented", NULL, head);
		return;
	}
	if (!head && !((size_t)(sp1 - p) == 3 && memcmp(p, "GET", 3) == 0)) {
		reply_simple(c, st, 405, "Method Not Allowed",
		    "Allow: GET, HEAD\r\n", false);
		return;
	}
	if (decode_path(sp1 + 1, (size_t)(sp2 - sp1 - 1), path,
	    sizeof(path)) != 0) {
		reply_simple(c, st, 400, "Bad Request", NULL, head);
		return;
	}
	for (p = path; *p == '/'; p++)
		continue;
	fd = *p == '\0' ? -1 : openat(cfg.dirfd, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		reply_simple(c, st, 404, "Not Found", NULL, head);
		return;
	}
	start = 0;
	len = (uint64_t)sb.st_size;
	r = range != NULL ? parse_range(range, len, &start, &len) : 0;
	if (r < 0) {
		close(fd);
		snprintf(hdr, sizeof(hdr), "Content-Range: bytes */%jd\r\n",
		    (intmax_t)sb.st_size);
		reply_simple(c, st, 416, "Range Not Satisfiable", hdr, head);
		return;
	}
	if (r > 0)
		snprintf(hdr, sizeof(hdr),
		    "Content-Range: bytes %" PRIu64 "-%" PRIu64 "/%jd\r\n",
		    start, start + len - 1, (intmax_t)sb.st_size);
	else
		hdr[0] = '\0';
	n = snprintf(c->wbuf, sizeof(c->wbuf),
	    "HTTP/1.1 %s\r\n"
	    "Server: sfserver\r\n"
	    "Content-Type: application/octet-stream\r\n"
	    "Accept-Ranges: bytes\r\n"
	    "%s"
	    "Content-Length: %" PRIu64 "\r\n"
	    "Connection: %s\r\n"
	    "\r\n",
	    r > 0 ? "206 Partial Content" : "200 OK", hdr, len,
	    c->close_after ? "close" : "keep-alive");
	c->wlen = (size_t)n;
	c->woff = 0;
	c->busy = true;
	if (head || len == 0) {
		close(fd);
		return;
	}
	c->filefd = fd;
	c->foff = (off_t)start;
	c->fstart = (off_t)start;
	c->fleft = len;
	c->flen = len;
	if (cfg.verbose)
		fprintf(stderr, "sfserver: %.*s %" PRIu64 "+%" PRIu64 "\n",
		    (int)(sp2 - sp1 - 1), sp1 + 1, start, len);
}

/*
 * Pages of fd's range [off, off + len) still in the page cache (mincore(2)
 * over a mapping that is never touched, so no page is faulted in), or
 * UINT64_MAX when that cannot be told.
 */
static uint64_t
resident_pages(int fd, off_t off, off_t len)
{
	long pgsz = sysconf(_SC_PAGESIZE);
	unsigned char *vec;
	uint64_t i, n, res = UINT64_MAX;
	size_t maplen;
	off_t base;
	void *p;

	if (len <= 0 || pgsz <= 0)
		return (0);
	base = off - off % pgsz;
	n = (uint64_t)(off + len - base + pgsz - 1) / (uint64_t)pgsz;
	maplen = (size_t)(n * (uint64_t)pgsz);
	if ((vec = malloc(n)) == NULL)
		return (UINT64_MAX);
	p = mmap(NULL, maplen, PROT_READ, MAP_SHARED, fd, base);
	if (p != MAP_FAILED) {
		if (mincore(p, maplen, vec) == 0)
			for (res = 0, i = 0; i < n; i++)
				res += vec[i] & 1;
		munmap(p, maplen);
	}
	free(vec);
	return (res);
}

/*
 * Drop fd's range [off, off + len) from the page cache
 * (posix_fadvise(POSIX_FADV_DONTNEED)); returns resident_pages() after.
 */
static uint64_t
drop_pages(int fd, off_t off, off_t len)
{
	(void)posix_fadvise(fd, off, len, POSIX_FADV_DONTNEED);
	return (resident_pages(fd, off, len));
}

/*
 * --nocache: drop a range that was sent (drop_pages), taking fd.  Pages the network stack still references are skipped by the
 * drop: sendfile(2) queues references to them in the socket, and a
 * receiver may free its buffers late (Linux defers an skb's free to the
 * CPU that allocated it, which does it at its next network receive).  A
 * range left resident is kept (at most SF_KEEP_MAX a worker) and dropped
 * again at exit (drop_at_exit), not while serving: by then other
 * connections may be sending the same pages, which FreeBSD's SF_NOCACHE
 * would not free either.
 */
static void
drop_range(struct sf_worker *w, int fd, off_t off, off_t len)
{
	struct sf_drop *d;
	uint64_t res;

	res = drop_pages(fd, off, len);
	if (res == 0 || res == UINT64_MAX) {
		close(fd);
		return;
	}
	if (w->ndrops == SF_KEEP_MAX || (d = calloc(1, sizeof(*d))) == NULL) {
		w->stats.ranges_unkept++;
		close(fd);
		return;
	}
	d->fd = fd;
	d->off = off;
	d->len = len;
	LIST_INSERT_HEAD(&w->drops, d, link);
	w->ndrops++;
}

/*
 * At exit, once no connection is left: drop the kept ranges again every
 * SF_EXIT_STEP_MS until they are gone or SF_EXIT_MS have passed; count
 * those dropped and the pages still cached.
 */
static void
drop_at_exit(struct sf_worker *w)
{
	struct sf_drop *d, *next;
	uint64_t res;
	unsigned step;
	bool last;

	for (step = 1; !LIST_EMPTY(&w->drops); step++) {
		last = step == SF_EXIT_MS / SF_EXIT_STEP_MS;
		for (d = LIST_FIRST(&w->drops); d != NULL; d = next) {
			next = LIST_NEXT(d, link);
			res = drop_pages(d->fd, d->off, d->len);
			if (res != 0 && res != UINT64_MAX && !last)
				continue;	/* still held: try again */
			if (res == 0)
				w->stats.drops_exit++;
			else if (res != UINT64_MAX)
				w->stats.pages_kept += res;
			LIST_REMOVE(d, link);
			w->ndrops--;
			close(d->fd);
			free(d);
		}
		if (!LIST_EMPTY(&w->drops))
			(void)poll(NULL, 0, SF_EXIT_STEP_MS);
	}
}

/*
 * --nocache: drop the pages of the last body sent, once the peer has read
 * it: when its next request arrives or the connection closes.
 */
static void
drop_sent(struct sf_worker *w, struct sf_conn *c)
{
	if (c->dropfd < 0)
		return;
	drop_range(w, c->dropfd, c->dropoff, c->droplen);
	c->dropfd = -1;
}

/* Finish the response in flight and close its file (or keep it to drop). */
static void
end_response(struct sf_worker *w, struct sf_conn *c)
{
	if (c->filefd >= 0) {
		if (cfg.nocache) {
			drop_sent(w, c);
			c->dropfd = c->filefd;
			c->dropoff = c->fstart;
			c->droplen = (off_t)c->flen;
		} else
			close(c->filefd);
		c->filefd = -1;
	}
	c->busy = false;
}

/*
 * Send what can be sent of the response in flight.  Returns 1 when it is
 * complete, 0 when the socket is full, -1 when the connection must close.
 */
static int
send_response(struct sf_conn *c, struct sf_stats *st)
{
	ssize_t n;

	while (c->woff < c->wlen) {
		n = send(c->fd, c->wbuf + c->woff, c->wlen - c->woff,
		    MSG_NOSIGNAL | (c->fleft > 0 ? MSG_MORE : 0));
		if (n < 0)
			return (errno == EAGAIN || errno == EINTR ? 0 : -1);
		c->woff += (size_t)n;
	}
	while (c->fleft > 0) {
		n = sendfile(c->fd, c->filefd, &c->foff,
		    c->fleft < SF_CHUNK ? c->fleft : SF_CHUNK);
		if (n < 0)
			return (errno == EAGAIN || errno == EINTR ? 0 : -1);
		if (n == 0)		/* the file shrank under us */
			return (-1);
		c->fleft -= (uint64_t)n;
		st->bytes += (uint64_t)n;
	}
	return (1);
}

/* Where the header of the first buffered request ends, or 0. */
static size_t
request_end(const struct sf_conn *c)
{
	size_t i;

	for (i = 0; i + 1 < c->rlen; i++) {
		if (c->rbuf[i] != '\n')
			continue;
		if (c->rbuf[i + 1] == '\n')
			return (i + 2);
		if (i + 2 < c->rlen && c->rbuf[i + 1] == '\r' &&
		    c->rbuf[i + 2] == '\n')
			return (i + 3);
	}
	return (0);
}

/* Close and free a connection of worker w (owned by w only). */
static void
conn_close(struct sf_worker *w, struct sf_conn *c)
{
	(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);	/* first: frees the pages the socket still holds */
	if (c->filefd >= 0)
		close(c->filefd);
	drop_sent(w, c);
	LIST_REMOVE(c, link);
	free(c);
}

/*
 * Drive a connection as far as it goes: read, answer pipelined requests in
 * order, send.  Returns false when the connection was closed.
 */
static bool
conn_run(struct sf_worker *w, struct sf_conn *c, bool readable)
{
	struct epoll_event ev;
	size_t hlen;
	ssize_t n;
	int r;

	if (c->draining) {
		/* Discard until the peer closes (lingering close). */
		n = recv(c->fd, c->rbuf, sizeof(c->rbuf), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(w, c);
			return (false);
		}
		return (true);
	}
	if (readable && c->rlen < sizeof(c->rbuf)) {
		n = recv(c->fd, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen,
		    0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			conn_close(w, c);
			return (false);
		}
		if (n > 0)
			c->rlen += (size_t)n;
	}
	for (;;) {
		if (!c->busy) {
			hlen = request_end(c);
			if (hlen == 0) {
				if (c->rlen == sizeof(c->rbuf)) {
					c->close_after = true;
					reply_simple(c, &w->stats, 431,
					    "Request Header Fields Too Large",
					    NULL, false);
					c->rlen = 0;
				} else
					break;
			} else {
				drop_sent(w, c);
				handle_request(c, &w->stats, hlen);
				memmove(c->rbuf, c->rbuf + hlen, c->rlen - hlen);
				c->rlen -= hlen;
			}
		}
		r = send_response(c, &w->stats);
		if (r < 0) {
			conn_close(w, c);
			return (false);
		}
		if (r == 0)
			break;
		end_response(w, c);
		if (c->close_after) {
			/*
			 * Half-close and wait for the peer's FIN, so that it
			 * reads the whole response and --nocache can drop it.
			 */
			if (shutdown(c->fd, SHUT_WR) != 0) {
				conn_close(w, c);
				return (false);
			}
			c->draining = true;
			break;
		}
	}
	/* Wait for room to send, or for more requests. */
	if (c->busy != c->want_out) {
		c->want_out = c->busy;
		ev.events = c->busy ? EPOLLOUT : EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
			conn_close(w, c);
			return (false);
		}
	}
	return (true);
}

/* Accept every pending connection onto worker w's epoll set. */
static void
accept_all(struct sf_worker *w)
{
	struct epoll_event ev;
	struct sf_conn *c;
	int fd, one;

	one = 1;
	while ((fd = accept4(w->lfd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			close(fd);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		c->fd = fd;
		c->filefd = -1;
		c->dropfd = -1;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		LIST_INSERT_HEAD(&w->conns, c, link);
		w->stats.conns++;
	}
}

/*
 * Worker: accept and serve until `stopping` is set, then close the
 * connections still open and drop again the --nocache ranges the network
 * stack held (drop_range).
 */
static void *
worker_main(void *arg)
{
	struct epoll_event evs[SF_EVENTS], ev;
	struct sf_worker *w = arg;
	int i, n;

	ev.events = EPOLLIN;
	ev.data.ptr = NULL;		/* NULL: the listening socket */
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->lfd, &ev) != 0) {
		warn("epoll_ctl");
		return (NULL);
	}
	while (!stopping) {
		n = epoll_wait(w->epfd, evs, SF_EVENTS, SF_POLL_MS);
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				accept_all(w);
			else
				(void)conn_run(w, evs[i].data.ptr,
				    (evs[i].events & (EPOLLIN | EPOLLHUP |
				    EPOLLERR)) != 0);
		}
	}
	while (!LIST_EMPTY(&w->conns))
		conn_close(w, LIST_FIRST(&w->conns));
	drop_at_exit(w);
	return (NULL);
}

/* Parse options, bind, run the workers until a signal, print counters. */
int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "threads", required_argument, NULL, 't' },
		{ "nocache", no_argument, NULL, 'N' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sf_worker *workers;
	struct sf_stats total;
	struct sockaddr_storage ss;
	struct sigaction sa;
	const char *dir, *bindaddr, *portfile;
	socklen_t sslen;
	char *end;
	long port, nthreads, i;
	int ch;

	dir = ".";
	bindaddr = "127.0.0.1";
	portfile = NULL;
	port = 8080;
	nthreads = 2;
	while ((ch = getopt_long(argc, argv, "d:p:b:t:vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'p':
			errno = 0;
			port = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || port < 0 ||
			    port > 65535)
				errx(2, "--port %s: not a port number", optarg);
			break;
		case 'b':
			bindaddr = optarg;
			break;
		case 't':
			errno = 0;
			nthreads = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || nthreads < 1 ||
			    nthreads > SF_MAXTHREADS)
				errx(2, "--threads %s: expected 1..%d", optarg,
				    SF_MAXTHREADS);
			break;
		case 'N':
			cfg.nocache = true;
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'v':
			cfg.verbose = true;
			break;
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	if (optind != argc) {
		warnx("unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return (2);
	}
	cfg.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cfg.dirfd < 0)
		err(1, "%s", dir);
	if (loopback_addr(bindaddr, (int)port, &ss, &sslen) != 0)
		return (2);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	workers = calloc((size_t)nthreads, sizeof(*workers));
	if (workers == NULL)
		err(1, "calloc");
	for (i = 0; i < nthreads; i++) {
		workers[i].lfd = listen_on(&ss, sslen);
		if (workers[i].lfd < 0)
			return (1);
		if (i == 0) {	/* port 0: the others share the chosen port */
			port = bound_port(workers[0].lfd);
			if (ss.ss_family == AF_INET)
				((struct sockaddr_in *)&ss)->sin_port =
				    htons((uint16_t)port);
			else
				((struct sockaddr_in6 *)&ss)->sin6_port =
				    htons((uint16_t)port);
		}
		LIST_INIT(&workers[i].conns);
		LIST_INIT(&workers[i].drops);
		workers[i].epfd = epoll_create1(EPOLL_CLOEXEC);
		if (workers[i].epfd < 0)
			err(1, "epoll_create1");
	}
	for (i = 0; i < nthreads; i++)
		if ((errno = pthread_create(&workers[i].thread, NULL,
		    worker_main, &workers[i])) != 0)
			err(1, "pthread_create");
	if (portfile != NULL) {
		FILE *f = fopen(portfile, "w");

		if (f == NULL || fprintf(f, "%ld\n", port) < 0 ||
		    fclose(f) != 0)
			err(1, "%s", portfile);
	}
	fprintf(stderr, "sfserver: serving %s on %s port %ld, %ld threads%s\n",
	    dir, bindaddr, port, nthreads, cfg.nocache ? ", nocache" : "");

	memset(&total, 0, sizeof(total));
	for (i = 0; i < nthreads; i++) {
		pthread_join(workers[i].thread, NULL);
		total.conns += workers[i].stats.conns;
		total.requests += workers[i].stats.requests;
		total.errors += workers[i].stats.errors;
		total.bytes += workers[i].stats.bytes;
		total.drops_exit += workers[i].stats.drops_exit;
		total.pages_kept += workers[i].stats.pages_kept;
		total.ranges_unkept += workers[i].stats.ranges_unkept;
		close(workers[i].epfd);
		close(workers[i].lfd);
	}
	free(workers);
	close(cfg.dirfd);
	fprintf(stderr, "sfserver: %" PRIu64 " connections, %" PRIu64
	    " requests (%" PRIu64 " errors), %" PRIu64 " body bytes sent\n",
	    total.conns, total.requests, total.errors, total.bytes);
	if (cfg.nocache)
		fprintf(stderr, "sfserver: nocache: %" PRIu64 " ranges dropped "
		    "at exit, %" PRIu64 " pages never dropped, %" PRIu64
		    " ranges not kept to drop at exit\n", total.drops_exit,
		    total.pages_kept, total.ranges_unkept);
	return (0);
}
