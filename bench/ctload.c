/* ctload.c - a small HTTP(S) load generator on libcurl's multi interface.
 *
 * wrk cannot present a client certificate, and every /secure route needs one, so the comptoir
 * benchmark drives its endpoints with this instead. It keeps C concurrent HTTP/1.1 keep-alive
 * connections busy for S seconds from T threads (each thread owns one multi handle and C/T easy
 * handles; an easy handle is re-armed as soon as its answer is in, so each one keeps its
 * connection and its TLS session), and prints one line:
 *
 *   req_s=N p50_ms=N p99_ms=N ok=N errors=N non2xx=N p90_ms=N max_ms=N c=C t=T dur_s=S cpu_s=N
 *
 * req_s counts every HTTP answer (2xx or not, as wrk does) completed inside the measured window;
 * errors are transport failures (connect, TLS, timeout). A line with errors or non2xx is not a
 * valid measurement. cpu_s is ctload's own CPU time (user + system, all threads, warm-up
 * included): what the client takes from a shared box. Latencies go into a log-linear histogram
 * (HDR style: 64 linear sub-buckets per power of two, so any reported percentile is within 1.6 %
 * of the true value).
 *
 *   ctload --url URL | --url-list FILE  [--cert PEM --key PEM --cacert PEM] [--conns 64]
 *          [--threads 2] [--duration 10] [--warmup 0] [--method GET|POST] [--body JSON]
 *          [--idem] [--header 'Name: value']... [--timeout-ms 10000] [--run-id ID]
 *          [--expect CODE] [-v]
 *
 * --url-list: one URL per line; each thread walks the list round-robin from its own starting
 * offset, so consecutive requests hit different URLs (e.g. distinct balances).
 * --idem: every request carries a fresh "Idempotency-Key: ctl-<run-id>-<thread>-<seq>".
 * --expect: answers with this status count as ok too (and not as non2xx), e.g. 401 to measure
 * what an auth_request check costs on its own with a token it refuses.
 * --warmup: seconds of load before the measured window opens (connections, TLS, caches).
 */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEADERS 16
#define MAX_THREADS 64
#define MAX_CONNS 4096
#define MAX_URLS 1000000
#define URL_MAX 2048

/* Histogram: values in microseconds. Below 2*SUB a bucket is 1 us wide; above, each power of
 * two is split into SUB equal buckets. 40 doublings reach far beyond any request timeout. */
#define HIST_SUB 64
#define HIST_BUCKETS (2 * HIST_SUB + 40 * HIST_SUB)

struct opts {
    const char *url;
    const char *url_list;
    const char *cert;
    const char *key;
    const char *cacert;
    const char *method;
    const char *body;
    const char *headers[MAX_HEADERS];
    int nheaders;
    long conns;
    long threads;
    long duration;
    long warmup;
    long timeout_ms;
    long expect; /* a status that counts as ok besides 2xx (0: none) */
    bool idem;
    bool verbose;
    char run_id[64];
};

struct urls {
    char **v;
    size_t n;
};

/* One in-flight request slot: an easy handle and what belongs to its current request. */
struct slot {
    CURL *easy;
    struct curl_slist *hdrs;
    uint64_t start_ns;
    bool url_set;
    char errbuf[CURL_ERROR_SIZE];
};

struct worker {
    pthread_t tid;
    int id;
    long nslots;
    const struct opts *o;
    const struct urls *u;
    uint64_t t_measure; /* answers completed from here ... */
    uint64_t t_end;     /* ... up to here count */
    size_t url_next;
    uint64_t seq;
    /* results */
    uint64_t ok;
    uint64_t non2xx;
    uint64_t errors;
    uint64_t status[600];
    uint64_t hist[HIST_BUCKETS];
    char first_error[CURL_ERROR_SIZE + 64];
    int failed; /* setup failure: the thread could not run */
};

static uint64_t
now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static size_t
hist_index(uint64_t us)
{
    unsigned msb, shift;
    size_t idx;

    if (us < 2 * HIST_SUB)
        return (size_t)us;
    msb = 63u - (unsigned)__builtin_clzll(us);
    shift = msb - 6u; /* us >> shift is in [64, 127] */
    idx = 2 * HIST_SUB + (size_t)(shift - 1u) * HIST_SUB + (size_t)((us >> shift) - HIST_SUB);
    return idx < HIST_BUCKETS ? idx : HIST_BUCKETS - 1;
}

/* The middle of bucket idx, in microseconds. */
static double
hist_value(size_t idx)
{
    size_t rel, shift;
    uint64_t lo;

    if (idx < 2 * HIST_SUB)
        return (double)idx;
    rel = idx - 2 * HIST_SUB;
    shift = rel / HIST_SUB + 1;
    lo = (uint64_t)(HIST_SUB + rel % HIST_SUB) << shift;
    return (double)lo + (double)((uint64_t)1 << shift) / 2.0;
}

static double
hist_percentile(const uint64_t *h, uint64_t total, double pct)
{
    uint64_t want, seen = 0;
    size_t i;

    if (total == 0)
        return 0.0;
    want = (uint64_t)((double)total * pct / 100.0 + 0.5);
    if (want < 1)
        want = 1;
    for (i = 0; i < HIST_BUCKETS; i++) {
        seen += h[i];
        if (seen >= want)
            return hist_value(i);
    }
    return hist_value(HIST_BUCKETS - 1);
}

static double
hist_max(const uint64_t *h)
{
    size_t i;

    for (i = HIST_BUCKETS; i-- > 0;)
        if (h[i] != 0)
            return hist_value(i);
    return 0.0;
}

static size_t
discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

static int
parse_long(const char *s, long lo, long hi, long *out)
{
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Read FILE: one URL per line, blank lines and '#' lines skipped. */
static int
urls_load(const char *path, struct urls *u)
{
    FILE *f = fopen(path, "r");
    char line[URL_MAX];
    size_t cap = 0;
    int rc = -1;

    if (f == NULL) {
        fprintf(stderr, "ctload: %s: %s\n", path, strerror(errno));
        return -1;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        size_t len = strcspn(line, "\r\n");

        if (line[len] == '\0' && !feof(f)) {
            fprintf(stderr, "ctload: %s: line too long\n", path);
            goto out;
        }
        line[len] = '\0';
        if (len == 0 || line[0] == '#')
            continue;
        if (u->n == MAX_URLS) {
            fprintf(stderr, "ctload: %s: more than %d URLs\n", path, MAX_URLS);
            goto out;
        }
        if (u->n == cap) {
            char **nv;

            cap = cap ? cap * 2 : 256;
            nv = realloc(u->v, cap * sizeof(*nv));
            if (nv == NULL)
                goto out;
            u->v = nv;
        }
        u->v[u->n] = strdup(line);
        if (u->v[u->n] == NULL)
            goto out;
        u->n++;
    }
    if (u->n == 0) {
        fprintf(stderr, "ctload: %s: no URL\n", path);
        goto out;
    }
    rc = 0;
out:
    fclose(f);
    return rc;
}

static void
urls_free(struct urls *u)
{
    size_t i;

    for (i = 0; i < u->n; i++)
        free(u->v[i]);
    free(u->v);
    u->v = NULL;
    u->n = 0;
}

/* Build the header list of the next request of worker w. Returns NULL when out of memory. */
static struct curl_slist *
request_headers(struct worker *w)
{
    const struct opts *o = w->o;
    struct curl_slist *l = NULL, *t;
    char idem[160];
    int i, n;

    /* No "Expect: 100-continue" round trip, whatever the body size. */
    l = curl_slist_append(l, "Expect:");
    if (l == NULL)
        return NULL;
    if (o->body != NULL) {
        t = curl_slist_append(l, "Content-Type: application/json");
        if (t == NULL)
            goto fail;
        l = t;
    }
    for (i = 0; i < o->nheaders; i++) {
        t = curl_slist_append(l, o->headers[i]);
        if (t == NULL)
            goto fail;
        l = t;
    }
    if (o->idem) {
        n = snprintf(idem, sizeof(idem), "Idempotency-Key: ctl-%s-%d-%" PRIu64, o->run_id, w->id,
                     w->seq++);
        if (n < 0 || (size_t)n >= sizeof(idem))
            goto fail;
        t = curl_slist_append(l, idem);
        if (t == NULL)
            goto fail;
        l = t;
    }
    return l;
fail:
    curl_slist_free_all(l);
    return NULL;
}

static const char *
next_url(struct worker *w)
{
    const char *url;

    if (w->u->n == 0)
        return w->o->url;
    url = w->u->v[w->url_next];
    w->url_next = (w->url_next + 1) % w->u->n;
    return url;
}

/* Options that stay the same for every request of a slot. */
static int
slot_setup(struct worker *w, struct slot *s)
{
    const struct opts *o = w->o;
    CURL *e = curl_easy_init();

    if (e == NULL)
        return -1;
    s->easy = e;
    if (curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, o->timeout_ms) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)s) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 1L) != CURLE_OK)
        return -1;
    if ((o->cert != NULL && curl_easy_setopt(e, CURLOPT_SSLCERT, o->cert) != CURLE_OK) ||
        (o->key != NULL && curl_easy_setopt(e, CURLOPT_SSLKEY, o->key) != CURLE_OK) ||
        (o->cacert != NULL && curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert) != CURLE_OK))
        return -1;
    if (o->body != NULL) {
        if (curl_easy_setopt(e, CURLOPT_POSTFIELDS, o->body) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(o->body)) != CURLE_OK)
            return -1;
    }
    if (strcmp(o->method, "POST") == 0 && o->body == NULL) {
        if (curl_easy_setopt(e, CURLOPT_POSTFIELDS, "") != CURLE_OK)
            return -1;
    } else if (strcmp(o->method, "GET") == 0 && o->body == NULL) {
        if (curl_easy_setopt(e, CURLOPT_HTTPGET, 1L) != CURLE_OK)
            return -1;
    } else if (curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, o->method) != CURLE_OK) {
        return -1;
    }
    return 0;
}

/* Arm slot s with the next request and hand it to the multi handle. */
static int
slot_start(struct worker *w, CURLM *m, struct slot *s)
{
    /* libcurl re-parses a URL it is given and copies a header list per request: set them only
     * when they change (a fresh Idempotency-Key, the next URL of a list). */
    if (s->hdrs == NULL || w->o->idem) {
        curl_slist_free_all(s->hdrs);
        s->hdrs = request_headers(w);
        if (s->hdrs == NULL || curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->hdrs) != CURLE_OK)
            return -1;
    }
    if ((w->u->n != 0 || !s->url_set) &&
        curl_easy_setopt(s->easy, CURLOPT_URL, next_url(w)) != CURLE_OK)
        return -1;
    s->url_set = true;
    s->errbuf[0] = '\0';
    s->start_ns = now_ns();
    return curl_multi_add_handle(m, s->easy) == CURLM_OK ? 0 : -1;
}

static void
slot_done(struct worker *w, struct slot *s, CURLcode res, uint64_t t)
{
    long code = 0;

    if (t < w->t_measure || t > w->t_end)
        return;
    if (res != CURLE_OK) {
        w->errors++;
        if (w->first_error[0] == '\0')
            snprintf(w->first_error, sizeof(w->first_error), "%s: %s", curl_easy_strerror(res),
                     s->errbuf);
        return;
    }
    if (curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
        code = 0;
    if ((code >= 200 && code < 300) || (w->o->expect != 0 && code == w->o->expect))
        w->ok++;
    else
        w->non2xx++;
    if (code >= 0 && code < 600)
        w->status[code]++;
    w->hist[hist_index((t - s->start_ns) / 1000u)]++;
}

/* Collect finished transfers; re-arm each slot while the run lasts. Returns the number of
 * slots still in flight, or -1 on a setup failure. */
static long
reap(struct worker *w, CURLM *m, long inflight)
{
    CURLMsg *msg;
    int left;

    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        struct slot *s;
        char *priv = NULL;
        uint64_t t = now_ns();

        if (msg->msg != CURLMSG_DONE)
            continue;
        if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv) != CURLE_OK ||
            priv == NULL)
            return -1;
        s = (struct slot *)(void *)priv;
        slot_done(w, s, msg->data.result, t);
        curl_multi_remove_handle(m, s->easy);
        inflight--;
        if (t < w->t_end) {
            if (slot_start(w, m, s) != 0)
                return -1;
            inflight++;
        }
    }
    return inflight;
}

static void *
worker_main(void *arg)
{
    struct worker *w = arg;
    struct slot *slots = calloc((size_t)w->nslots, sizeof(*slots));
    CURLM *m = curl_multi_init();
    long i, inflight = 0;

    if (slots == NULL || m == NULL)
        goto fail;
    /* Exactly nslots connections: no pipelining or multiplexing, and the cache keeps them all. */
    if (curl_multi_setopt(m, CURLMOPT_PIPELINING, (long)CURLPIPE_NOTHING) != CURLM_OK ||
        curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, w->nslots) != CURLM_OK ||
        curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, w->nslots) != CURLM_OK)
        goto fail;
    if (w->u->n > 0)
        w->url_next = (size_t)w->id * (w->u->n / (size_t)w->o->threads) % w->u->n;
    for (i = 0; i < w->nslots; i++) {
        if (slot_setup(w, &slots[i]) != 0 || slot_start(w, m, &slots[i]) != 0)
            goto fail;
        inflight++;
    }
    while (inflight > 0) {
        int running = 0;

        if (curl_multi_perform(m, &running) != CURLM_OK)
            goto fail;
        inflight = reap(w, m, inflight);
        if (inflight < 0)
            goto fail;
        if (now_ns() >= w->t_end + 50000000u) /* stragglers after the end: drop them */
            break;
        if (inflight > 0 && curl_multi_poll(m, NULL, 0, 20, NULL) != CURLM_OK)
            goto fail;
    }
    goto out;
fail:
    w->failed = 1;
out:
    for (i = 0; slots != NULL && i < w->nslots; i++) {
        if (slots[i].easy == NULL)
            continue;
        curl_multi_remove_handle(m, slots[i].easy);
        curl_easy_cleanup(slots[i].easy);
        curl_slist_free_all(slots[i].hdrs);
    }
    curl_multi_cleanup(m);
    free(slots);
    return NULL;
}

static void
usage(void)
{
    fputs("usage: ctload (--url URL | --url-list FILE) [--cert PEM] [--key PEM] [--cacert PEM]\n"
          "              [--conns 64] [--threads 2] [--duration 10] [--warmup 0]\n"
          "              [--method GET|POST] [--body JSON] [--idem] [--header 'N: v']...\n"
          "              [--timeout-ms 10000] [--run-id ID] [--expect CODE] [-v]\n",
          stderr);
}

static int
parse_args(int argc, char **argv, struct opts *o)
{
    static const struct option lo[] = {
        {"url", required_argument, NULL, 'u'},
        {"url-list", required_argument, NULL, 'U'},
        {"cert", required_argument, NULL, 'E'},
        {"key", required_argument, NULL, 'K'},
        {"cacert", required_argument, NULL, 'A'},
        {"conns", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"warmup", required_argument, NULL, 'w'},
        {"method", required_argument, NULL, 'X'},
        {"body", required_argument, NULL, 'b'},
        {"idem", no_argument, NULL, 'i'},
        {"header", required_argument, NULL, 'H'},
        {"timeout-ms", required_argument, NULL, 'T'},
        {"run-id", required_argument, NULL, 'r'},
        {"verbose", no_argument, NULL, 'v'},
        {"expect", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, n;

    while ((c = getopt_long(argc, argv, "u:U:E:K:A:c:t:d:w:X:b:iH:T:r:e:vh", lo, NULL)) != -1) {
        switch (c) {
        case 'u':
            o->url = optarg;
            break;
        case 'U':
            o->url_list = optarg;
            break;
        case 'E':
            o->cert = optarg;
            break;
        case 'K':
            o->key = optarg;
            break;
        case 'A':
            o->cacert = optarg;
            break;
        case 'X':
            o->method = optarg;
            break;
        case 'b':
            o->body = optarg;
            break;
        case 'i':
            o->idem = true;
            break;
        case 'v':
            o->verbose = true;
            break;
        case 'c':
            if (parse_long(optarg, 1, MAX_CONNS, &o->conns) != 0)
                goto bad;
            break;
        case 't':
            if (parse_long(optarg, 1, MAX_THREADS, &o->threads) != 0)
                goto bad;
            break;
        case 'd':
            if (parse_long(optarg, 1, 86400, &o->duration) != 0)
                goto bad;
            break;
        case 'w':
            if (parse_long(optarg, 0, 3600, &o->warmup) != 0)
                goto bad;
            break;
        case 'T':
            if (parse_long(optarg, 1, 600000, &o->timeout_ms) != 0)
                goto bad;
            break;
        case 'e':
            if (parse_long(optarg, 100, 599, &o->expect) != 0)
                goto bad;
            break;
        case 'H':
            if (o->nheaders == MAX_HEADERS || strchr(optarg, ':') == NULL)
                goto bad;
            o->headers[o->nheaders++] = optarg;
            break;
        case 'r':
            n = snprintf(o->run_id, sizeof(o->run_id), "%s", optarg);
            if (n <= 0 || (size_t)n >= sizeof(o->run_id))
                goto bad;
            break;
        default:
            usage();
            return -1;
        }
    }
    if (optind != argc || (o->url == NULL) == (o->url_list == NULL))
        goto bad;
    if (strcmp(o->method, "GET") != 0 && strcmp(o->method, "POST") != 0)
        goto bad;
    if (o->idem && strcmp(o->method, "POST") != 0)
        goto bad;
    if (o->threads > o->conns)
        o->threads = o->conns;
    return 0;
bad:
    fprintf(stderr, "ctload: bad arguments%s%s\n", optarg ? " near " : "", optarg ? optarg : "");
    usage();
    return -1;
}

/* A default run id unique enough to never collide with an earlier run on the same stack. */
static void
default_run_id(struct opts *o)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(o->run_id, sizeof(o->run_id), "%llx%lx-%lx", (unsigned long long)ts.tv_sec,
             (long)ts.tv_nsec, (long)getpid());
}

static void
report(const struct opts *o, struct worker *ws, long nw, double window_s)
{
    static uint64_t hist[HIST_BUCKETS];
    static uint64_t status[600];
    uint64_t ok = 0, non2xx = 0, errors = 0, answers;
    struct rusage ru;
    double cpu_s = 0.0;
    long i;
    size_t b;

    for (i = 0; i < nw; i++) {
        ok += ws[i].ok;
        non2xx += ws[i].non2xx;
        errors += ws[i].errors;
        for (b = 0; b < HIST_BUCKETS; b++)
            hist[b] += ws[i].hist[b];
        for (b = 0; b < 600; b++)
            status[b] += ws[i].status[b];
        if (ws[i].first_error[0] != '\0')
            fprintf(stderr, "ctload: thread %ld: first error: %s\n", i, ws[i].first_error);
    }
    answers = ok + non2xx;
    if (o->verbose || non2xx > 0)
        for (b = 0; b < 600; b++)
            if (status[b] != 0)
                fprintf(stderr, "ctload: status %zu: %" PRIu64 "\n", b, status[b]);
    /* our own CPU (all threads, warm-up included): what the client takes from a shared box */
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        cpu_s = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    printf("req_s=%.0f p50_ms=%.2f p99_ms=%.2f ok=%" PRIu64 " errors=%" PRIu64 " non2xx=%" PRIu64
           " p90_ms=%.2f max_ms=%.2f c=%ld t=%ld dur_s=%.1f cpu_s=%.2f\n",
           (double)answers / window_s, hist_percentile(hist, answers, 50.0) / 1000.0,
           hist_percentile(hist, answers, 99.0) / 1000.0, ok, errors, non2xx,
           hist_percentile(hist, answers, 90.0) / 1000.0, hist_max(hist) / 1000.0, o->conns,
           o->threads, window_s, cpu_s);
}

int
main(int argc, char **argv)
{
    struct opts o;
    struct urls u = {NULL, 0};
    struct worker *ws = NULL;
    uint64_t t0;
    long i, started = 0;
    int rc = 1;

    memset(&o, 0, sizeof(o));
    o.method = "GET";
    o.conns = 64;
    o.threads = 2;
    o.duration = 10;
    o.timeout_ms = 10000;
    if (parse_args(argc, argv, &o) != 0)
        return 2;
    if (o.run_id[0] == '\0')
        default_run_id(&o);
    if (o.url_list != NULL && urls_load(o.url_list, &u) != 0)
        goto out;
    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        fputs("ctload: curl_global_init failed\n", stderr);
        goto out;
    }
    ws = calloc((size_t)o.threads, sizeof(*ws));
    if (ws == NULL)
        goto out_curl;
    t0 = now_ns();
    for (i = 0; i < o.threads; i++) {
        struct worker *w = &ws[i];

        w->id = (int)i;
        w->o = &o;
        w->u = &u;
        w->nslots = o.conns / o.threads + (i < o.conns % o.threads ? 1 : 0);
        w->t_measure = t0 + (uint64_t)o.warmup * 1000000000u;
        w->t_end = w->t_measure + (uint64_t)o.duration * 1000000000u;
        if (pthread_create(&w->tid, NULL, worker_main, w) != 0) {
            fprintf(stderr, "ctload: pthread_create: %s\n", strerror(errno));
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);
    if (started != o.threads)
        goto out_curl;
    for (i = 0; i < o.threads; i++) {
        if (ws[i].failed) {
            fprintf(stderr, "ctload: thread %ld failed to set up its transfers\n", i);
            goto out_curl;
        }
    }
    report(&o, ws, o.threads, (double)o.duration);
    rc = 0;
out_curl:
    curl_global_cleanup();
out:
    free(ws);
    urls_free(&u);
    return rc;
}
