/* serve.c - the worker runtime: a master that pre-forks workers on one FastCGI socket, restarts
 * the ones that die and stops them on SIGTERM; each worker accepts and dispatches requests. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_log.h"
#include "ct/ct_serve.h"
#include "internal.h"

#define MAX_WORKERS 64
#define STOP_GRACE_SECONDS 15

static void on_master_signal(int sig);
static void on_worker_term(int sig);
static pid_t spawn_worker(const char *pool, const struct ct_route *routes,
                          const struct ct_conf *conf, int fd);
static void worker_main(const char *pool, const struct ct_route *routes, const struct ct_conf *conf,
                        int fd) __attribute__((noreturn));
static void dispatch(const struct ct_route *routes, struct ct_req *req);
static enum ct_err identify(struct ct_req *req);
static enum ct_err oauth_scope(struct ct_req *req);
static void handle(const struct ct_route *routes, const struct ct_conf *conf, struct ct_db *db,
                   FCGX_Request *fcgi);
static void stop_workers(pid_t *pids, int n);

/* The pool's JWE key (conf jwe_key_file): read by the master before it forks, so a bad key stops
 * the pool at start like a bad configuration; each worker holds its copy, read-only. */
static struct ct_jwe_key *jwe_key;

static volatile sig_atomic_t master_stop;
static volatile sig_atomic_t worker_stop;
static volatile sig_atomic_t worker_busy;

static void
on_master_signal(int sig)
{
    (void)sig;
    master_stop = 1;
}

/* Idle in accept(): leave at once. Busy: finish the request, then leave. */
static void
on_worker_term(int sig)
{
    (void)sig;
    if (!worker_busy)
        _exit(0);
    worker_stop = 1;
}

/* A third-party service acts within the scopes the customer granted: reading needs "read",
 * anything else "write". Checked here, once, so no handler can forget it. */
static enum ct_err
oauth_scope(struct ct_req *req)
{
    const char *method = ct_req_param(req, "REQUEST_METHOD");
    bool reading = method != NULL && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0);
    enum ct_err err = ct_ident_auth(req, CT_IDENT_OAUTH);

    if (err != CT_OK)
        return err;
    if (!ct_ident_has_scope(&req->ident, reading ? "read" : "write"))
        return ct_req_fail(req, CT_E_FORBIDDEN, "INSUFFICIENT_SCOPE",
                           reading ? "the access token was not granted the read scope"
                                   : "the access token was not granted the write scope");
    return CT_OK;
}

/* The identity the route asks for, from what nginx vouched for; refused before any handler. */
static enum ct_err
identify(struct ct_req *req)
{
    unsigned flags = req->route->flags;

    if (flags & CT_R_X509)
        return ct_ident_x509(req);
    if (flags & CT_R_PROCESSOR)
        return ct_ident_processor(req);
    if (flags & CT_R_SESSION)
        return ct_ident_auth(req, CT_IDENT_CUSTOMER);
    if (flags & CT_R_OAUTH)
        return oauth_scope(req);
    if (flags & CT_R_ADMIN) {
        enum ct_err err = ct_ident_auth(req, CT_IDENT_OPERATOR);

        return err != CT_OK ? err : ct_admin_gate(req);
    }
    return CT_OK;
}

static void
dispatch(const struct ct_route *routes, struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    const char *path = ct_req_param(req, "DOCUMENT_URI");
    char allow[128];
    enum ct_err err;

    in->method = ct_req_param(req, "REQUEST_METHOD");
    in->path = path;
    if (in->method == NULL || path == NULL) {
        ct_req_fail(req, CT_E_BADREQ, NULL, "missing request line");
        return;
    }
    err = ct_route_match(routes, req, in->method, path, allow, sizeof(allow));
    if (err == CT_E_METHOD) {
        ct_reply_header(req, "Allow", allow);
        ct_req_fail(req, err, NULL, "method not allowed on this path");
        return;
    }
    if (err != CT_OK) {
        ct_req_fail(req, err, NULL, "no such route");
        return;
    }
    if (identify(req) != CT_OK || ct_req_parse_query(req) != CT_OK || ct_jwe_req_keys(req) != CT_OK)
        return;
    if (!(req->route->flags & CT_R_NOBODY) && ct_req_read_body(req) != CT_OK)
        return;
    if (ct_jwe_req_open(req) != CT_OK)
        return;
    err = req->route->handler(req);
    if (err != CT_OK && req->in->err == CT_OK)
        ct_req_fail(req, err, NULL, NULL);
    (void)ct_jwe_req_seal(req);
}

static void
handle(const struct ct_route *routes, const struct ct_conf *conf, struct ct_db *db,
       FCGX_Request *fcgi)
{
    struct ct_req req;
    struct ct_req_internal in;

    ct_req_setup(&req, &in, fcgi, conf, db);
    in.jwe_key = jwe_key;
    req.request_id = ct_req_param(&req, "CT_REQUEST_ID");
    ct_log_set_request(req.request_id);
    dispatch(routes, &req);
    if (req.route != NULL && (req.route->flags & (CT_R_ADMIN | CT_R_AUDIT)) != 0)
        ct_admin_audit(&req);
    if (in.err == CT_E_INTERNAL)
        ct_log(LOG_ERR, "%s %s failed: %s", in.method ? in.method : "-",
               ct_req_param(&req, "DOCUMENT_URI") ? ct_req_param(&req, "DOCUMENT_URI") : "-",
               in.err_msg ? in.err_msg : "internal error");
    ct_req_send(&req);
    ct_req_teardown(&req);
    ct_log_set_request(NULL);
}

static void
worker_main(const char *pool, const struct ct_route *routes, const struct ct_conf *conf, int fd)
{
    struct sigaction sa;
    struct ct_db *db = NULL;
    FCGX_Request fcgi;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_worker_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    if (ct_db_open(conf, &db) != CT_OK) {
        ct_log(LOG_ERR, "%s worker: cannot connect to the database", pool);
        _exit(3);
    }
    if (FCGX_InitRequest(&fcgi, fd, 0) != 0)
        _exit(4);
    while (!worker_stop) {
        if (FCGX_Accept_r(&fcgi) < 0)
            break;
        worker_busy = 1;
        handle(routes, conf, db, &fcgi);
        FCGX_Finish_r(&fcgi);
        worker_busy = 0;
    }
    ct_db_close(db);
    FCGX_Free(&fcgi, 1);
    exit(0);
}

static pid_t
spawn_worker(const char *pool, const struct ct_route *routes, const struct ct_conf *conf, int fd)
{
    pid_t pid = fork();

    if (pid == 0)
        worker_main(pool, routes, conf, fd);
    if (pid < 0)
        ct_log(LOG_ERR, "fork: %s", strerror(errno));
    return pid;
}

static void
stop_workers(pid_t *pids, int n)
{
    time_t deadline = time(NULL) + STOP_GRACE_SECONDS;
    int i, left;

    for (i = 0; i < n; i++)
        if (pids[i] > 0)
            kill(pids[i], SIGTERM);
    do {
        left = 0;
        for (i = 0; i < n; i++) {
            if (pids[i] <= 0)
                continue;
            if (waitpid(pids[i], NULL, WNOHANG) == pids[i])
                pids[i] = 0;
            else
                left++;
        }
        if (left > 0)
            usleep(50000);
    } while (left > 0 && time(NULL) < deadline);
    for (i = 0; i < n; i++)
        if (pids[i] > 0) {
            kill(pids[i], SIGKILL);
            (void)waitpid(pids[i], NULL, 0);
        }
}

int
ct_serve(const char *pool, const struct ct_route *routes, int argc, char **argv)
{
    struct ct_conf conf;
    struct sigaction sa;
    pid_t pids[MAX_WORKERS];
    time_t started[MAX_WORKERS];
    char why[256];
    int fd, i;

    ct_log_setup(pool, LOG_INFO);
    if (ct_conf_load(argc > 1 ? argv[1] : NULL, &conf, why, sizeof(why)) != CT_OK) {
        ct_log(LOG_ERR, "configuration: %s", why);
        return 2;
    }
    ct_log_setup(pool, conf.log_level);
    if (conf.listen[0] == '\0' || conf.workers > MAX_WORKERS) {
        ct_log(LOG_ERR, "configuration: listen is required and workers at most %d", MAX_WORKERS);
        return 2;
    }
    if (conf.jwe_key_file[0] != '\0' &&
        (ct_jwe_key_load(conf.jwe_key_file, &jwe_key, why, sizeof(why)) != CT_OK ||
         !ct_jwe_key_is_private(jwe_key))) {
        ct_log(LOG_ERR, "configuration: jwe_key_file: %s",
               jwe_key != NULL ? "not a private key" : why);
        return 2;
    }
    if (FCGX_Init() != 0)
        return 1;
    (void)unlink(conf.listen);
    fd = FCGX_OpenSocket(conf.listen, conf.backlog);
    if (fd < 0) {
        ct_log(LOG_ERR, "cannot listen on %s", conf.listen);
        return 1;
    }
    /* access is governed by the run directory's permissions */
    (void)chmod(conf.listen, 0666);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_master_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    for (i = 0; i < conf.workers; i++) {
        pids[i] = spawn_worker(pool, routes, &conf, fd);
        started[i] = time(NULL);
    }
    ct_log(LOG_INFO, "%s: %d workers on %s", pool, conf.workers, conf.listen);
    while (!master_stop) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);

        if (pid < 0 && errno != ECHILD)
            continue; /* EINTR from SIGTERM: the loop condition decides */
        if (pid < 0)
            sleep(1); /* no worker at all (every fork failed): try again each second, not spin */
        for (i = 0; pid > 0 && i < conf.workers; i++) {
            if (pids[i] != pid)
                continue;
            ct_log(LOG_ERR, "%s worker %ld died (status %d); restarting", pool, (long)pid, status);
            pids[i] = 0;
            if (time(NULL) - started[i] < 1)
                sleep(1); /* a crash loop (database down) must not spin */
        }
        /* every empty slot: the worker that died, or one whose fork failed */
        for (i = 0; i < conf.workers && !master_stop; i++)
            if (pids[i] <= 0) {
                pids[i] = spawn_worker(pool, routes, &conf, fd);
                started[i] = time(NULL);
            }
    }
    stop_workers(pids, conf.workers);
    (void)unlink(conf.listen);
    ct_log(LOG_INFO, "%s: stopped", pool);
    ct_jwe_key_free(jwe_key);
    jwe_key = NULL;
    return 0;
}
