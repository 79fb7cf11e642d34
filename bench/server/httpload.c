/*
 * httpload: HEAD or GET requests over N keep-alive HTTP/1.1 connections for a fixed time.
 *
 * Built and run by bench/server/run.py (cc -O2 -pthread). Why not an off-the-shelf tool:
 * wrk 4.1 never completes a HEAD request whose response carries a Content-Length (it waits for
 * the body, https://github.com/wg/wrk/issues/198); ab only speaks HTTP/1.0, whose keep-alive
 * uvicorn does not honour, so the hub would pay a new connection per request and nginx not;
 * hey (Go net/http) tops out well below nginx's HEAD rate on a 2-core machine.
 *
 * One request in flight per connection (no pipelining), as an HTTP client does. A HEAD response
 * ends at its blank line; a GET response after Content-Length body bytes, which are discarded
 * in the kernel (recv with MSG_TRUNC: no copy to user space), so that the client costs as little
 * CPU as possible and the server, not the client, is measured. Only status 200 counts; any
 * other status, a closed connection or a malformed response fails the run.
 *
 * usage: httpload HEAD|GET HOST PORT PATH CONNECTIONS THREADS SECONDS
 * prints: {"requests": N, "body_bytes": B, "seconds": S, "errors": E, "first_error": "..."}
 *   requests: responses completed within the time; body_bytes: GET body bytes received within
 *   the time (partial responses included, so that bytes/seconds is the throughput).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define HEAD_BUF 16384
#define BODY_READ (4 << 20)

typedef struct {
    int fd;
    size_t len;         /* bytes of the response head in buf */
    long long body_left; /* -1 while reading the head */
    char buf[HEAD_BUF];
} conn_t;

typedef struct {
    int nconns;
    conn_t *conns;
    long requests;
    long long body_bytes;
    long errors;
    char first_error[200];
} worker_t;

static struct sockaddr_in addr;
static char request[2048];
static size_t request_len;
static int is_get;
static double deadline;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(worker_t *w, const char *what) {
    if (!w->errors)
        snprintf(w->first_error, sizeof w->first_error, "%s", what);
    w->errors++;
}

static int send_request(conn_t *c) {
    size_t off = 0;
    while (off < request_len) {
        ssize_t n = send(c->fd, request + off, request_len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    c->len = 0;
    c->body_left = -1;
    return 0;
}

static int open_conn(conn_t *c) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0)
        return -1;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return connect(c->fd, (struct sockaddr *)&addr, sizeof addr);
}

/* The head in c->buf is complete (ends at `end`): check it, set body_left. 0 or -1 (*why). */
static int parse_head(conn_t *c, char *end, const char **why) {
    size_t head_len = (size_t)(end + 4 - c->buf);
    size_t extra = c->len - head_len;
    *end = 0;
    if (strncmp(c->buf, "HTTP/1.1 200 ", 13) != 0) {
        *why = "status other than HTTP/1.1 200";
        return -1;
    }
    if (strcasestr(c->buf, "\r\nconnection: close")) {
        *why = "the server closes the connection after each response";
        return -1;
    }
    if (!is_get) {
        if (extra) {
            *why = "bytes after the head of a HEAD response";
            return -1;
        }
        c->body_left = 0;
        return 0;
    }
    char *cl = strcasestr(c->buf, "\r\ncontent-length:");
    if (!cl) {
        *why = "GET response without Content-Length";
        return -1;
    }
    long long length = atoll(cl + 17);
    if ((long long)extra > length) {
        *why = "more bytes than Content-Length";
        return -1;
    }
    c->body_left = length - (long long)extra;
    return 0;
}

/* Read what is there (a bounded amount, for fairness between connections: epoll is
 * level-triggered and reports the rest). 1: response complete; 0: need more; -1: error (*why). */
static int on_readable(worker_t *w, conn_t *c, const char **why) {
    for (int reads = 0; reads < 8; reads++) {
        if (c->body_left < 0) { /* reading the head */
            ssize_t n = recv(c->fd, c->buf + c->len, HEAD_BUF - 1 - c->len, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return 0;
            if (n <= 0) {
                *why = "connection closed by the server";
                return -1;
            }
            c->len += (size_t)n;
            c->buf[c->len] = 0;
            char *end = strstr(c->buf, "\r\n\r\n");
            if (!end) {
                if (c->len >= HEAD_BUF - 1) {
                    *why = "response head larger than 16 KiB";
                    return -1;
                }
                continue;
            }
            if (parse_head(c, end, why) < 0)
                return -1;
            size_t head_len = (size_t)(end + 4 - c->buf);
            if (c->len > head_len && now() < deadline) /* body bytes read along with the head */
                w->body_bytes += (long long)(c->len - head_len);
        }
        if (c->body_left == 0)
            return 1;
        size_t want = c->body_left < BODY_READ ? (size_t)c->body_left : BODY_READ;
        ssize_t n = recv(c->fd, NULL, want, MSG_TRUNC); /* discarded in the kernel */
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0) {
            *why = "connection closed in the middle of a body";
            return -1;
        }
        c->body_left -= n;
        if (now() >= deadline)
            return 0; /* the run is over */
        w->body_bytes += n;
    }
    return c->body_left == 0 ? 1 : 0;
}

static void drop(worker_t *w, int ep, conn_t *c, const char *why, int *live) {
    fail(w, why);
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    (*live)--;
}

static void *run(void *arg) {
    worker_t *w = arg;
    int ep = epoll_create1(0);
    for (int i = 0; i < w->nconns; i++) {
        conn_t *c = &w->conns[i];
        if (open_conn(c) < 0 || send_request(c) < 0) {
            fail(w, "cannot connect or send");
            return NULL;
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    }
    struct epoll_event events[64];
    int live = w->nconns;
    while (live > 0) {
        double t = now();
        if (t >= deadline)
            break;
        int n = epoll_wait(ep, events, 64, (int)((deadline - t) * 1000) + 1);
        if (n < 0 && errno == EINTR)
            continue;
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            const char *why = NULL;
            int r = on_readable(w, c, &why);
            if (r == 0)
                continue;
            if (r < 0) {
                drop(w, ep, c, why, &live);
                continue;
            }
            if (now() < deadline)
                w->requests++;
            if (send_request(c) < 0)
                drop(w, ep, c, "send failed", &live);
        }
    }
    close(ep);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s HEAD|GET HOST PORT PATH CONNECTIONS THREADS SECONDS\n", argv[0]);
        return 2;
    }
    const char *method = argv[1], *host = argv[2], *path = argv[4];
    int port = atoi(argv[3]), nconns = atoi(argv[5]), nthreads = atoi(argv[6]);
    double seconds = atof(argv[7]);
    if ((strcmp(method, "HEAD") && strcmp(method, "GET")) || nconns < 1 || nthreads < 1 || nthreads > nconns ||
        seconds <= 0) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    is_get = !strcmp(method, "GET");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "HOST must be an IPv4 address\n");
        return 2;
    }
    request_len = (size_t)snprintf(request, sizeof request,
                                   "%s %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: hubkit-bench-httpload\r\n"
                                   "Accept: */*\r\n\r\n",
                                   method, path, host, port);
    if (request_len >= sizeof request) {
        fprintf(stderr, "PATH too long\n");
        return 2;
    }

    worker_t *workers = calloc((size_t)nthreads, sizeof *workers);
    conn_t *conns = calloc((size_t)nconns, sizeof *conns);
    pthread_t *tids = calloc((size_t)nthreads, sizeof *tids);
    if (!workers || !conns || !tids)
        return 1;
    double start = now();
    deadline = start + seconds;
    int next = 0;
    for (int i = 0; i < nthreads; i++) {
        workers[i].nconns = nconns / nthreads + (i < nconns % nthreads);
        workers[i].conns = conns + next;
        next += workers[i].nconns;
        pthread_create(&tids[i], NULL, run, &workers[i]);
    }
    long requests = 0, errors = 0;
    long long body_bytes = 0;
    const char *first_error = "";
    for (int i = 0; i < nthreads; i++) {
        pthread_join(tids[i], NULL);
        requests += workers[i].requests;
        body_bytes += workers[i].body_bytes;
        errors += workers[i].errors;
        if (workers[i].errors && !*first_error)
            first_error = workers[i].first_error;
    }
    double elapsed = now() - start;
    printf("{\"requests\": %ld, \"body_bytes\": %lld, \"seconds\": %.6f, \"errors\": %ld, \"first_error\": \"%s\"}\n",
           requests, body_bytes, elapsed < seconds ? elapsed : seconds, errors, first_error);
    return errors ? 1 : 0;
}
