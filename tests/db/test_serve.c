/* test_serve.c - the worker runtime for real: a pool of two workers on a unix socket, spoken to
 * in FastCGI. A killed worker is replaced, SIGTERM lets a busy worker finish its request, and the
 * master exits 0 and removes its socket. Needs the test stack's MariaDB (COMPTOIR_DB_* env). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ct/ct_serve.h"

static char sock_path[108];
static pid_t master;

static enum ct_err
h_ping(struct ct_req *req)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
    return ct_reply_json(req, 200, o);
}

static enum ct_err
h_slow(struct ct_req *req)
{
    sleep(1);
    return h_ping(req);
}

static const struct ct_route routes[] = {
    {"GET", "/ping", h_ping, CT_R_PUBLIC},
    {"GET", "/slow", h_slow, CT_R_PUBLIC},
    {NULL, NULL, NULL, 0},
};

/* One FastCGI record. */
static void
put_record(int fd, int type, const void *body, size_t len)
{
    unsigned char h[8] = {
        1, (unsigned char)type, 0, 1, (unsigned char)(len >> 8), (unsigned char)(len & 255), 0, 0};

    assert_int_equal(write(fd, h, 8), 8);
    if (len > 0)
        assert_int_equal(write(fd, body, len), (ssize_t)len);
}

static size_t
put_param(unsigned char *p, const char *k, const char *v)
{
    size_t kl = strlen(k), vl = strlen(v);

    p[0] = (unsigned char)kl;
    p[1] = (unsigned char)vl;
    memcpy(p + 2, k, kl);
    memcpy(p + 2 + kl, v, vl);
    return 2 + kl + vl;
}

/* GET path; returns the HTTP status and copies the body after the blank line into out. */
static int
fcgi_get(const char *path, char *out, size_t outsz)
{
    struct sockaddr_un sa;
    unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0}, params[512], h[8];
    char resp[4096];
    size_t n = 0, got = 0;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0), status = -1;
    const char *body;

    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return -1;
    }
    put_record(fd, 1, begin, 8);
    n += put_param(params + n, "REQUEST_METHOD", "GET");
    n += put_param(params + n, "DOCUMENT_URI", path);
    n += put_param(params + n, "CT_REQUEST_ID", "test");
    put_record(fd, 4, params, n);
    put_record(fd, 4, NULL, 0);
    put_record(fd, 5, NULL, 0);
    for (;;) {
        size_t len, pad;

        if (read(fd, h, 8) != 8)
            break;
        len = (size_t)h[4] << 8 | h[5];
        pad = h[6];
        if (h[1] == 6 && got + len < sizeof(resp)) {
            assert_int_equal(read(fd, resp + got, len), (ssize_t)len);
            got += len;
        } else {
            unsigned char skip[65536 + 256];
            assert_int_equal(read(fd, skip, len), (ssize_t)len);
        }
        if (pad > 0) {
            unsigned char skip[256];
            assert_int_equal(read(fd, skip, pad), (ssize_t)pad);
        }
        if (h[1] == 3)
            break;
    }
    close(fd);
    resp[got] = '\0';
    if (sscanf(resp, "Status: %d", &status) != 1)
        return -1;
    body = strstr(resp, "\r\n\r\n");
    snprintf(out, outsz, "%s", body ? body + 4 : "");
    return status;
}

static int
ping_pid(const char *path)
{
    char body[256];
    int pid = -1;

    if (fcgi_get(path, body, sizeof(body)) != 200)
        return -1;
    if (sscanf(body, "{\"pid\":%d}", &pid) != 1)
        return -1;
    return pid;
}

static int
setup(void **state)
{
    char dir[] = "/tmp/ct_serve_XXXXXX";
    char *argv[] = {"comptoir-test", NULL};
    int i;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(sock_path, sizeof(sock_path), "%s/pool.sock", dir);
    setenv("COMPTOIR_LISTEN", sock_path, 1);
    setenv("COMPTOIR_WORKERS", "2", 1);
    master = fork();
    assert_true(master >= 0);
    if (master == 0)
        _exit(ct_serve("test", routes, 1, argv));
    for (i = 0; i < 100 && ping_pid("/ping") < 0; i++)
        usleep(100000);
    return 0;
}

static void
test_workers_answer_and_route(void **state)
{
    char body[256];

    (void)state;
    assert_true(ping_pid("/ping") > 0);
    assert_int_equal(fcgi_get("/nope", body, sizeof(body)), 404);
    assert_non_null(strstr(body, "\"code\":\"NOT_FOUND\""));
}

/* The master's children, read from /proc. */
static int
workers(pid_t *out, int max)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL && n < max) {
        char path[300], buf[512], *rp;
        FILE *f;
        int ppid = 0;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        f = fopen(path, "r");
        if (f == NULL)
            continue;
        if (fgets(buf, sizeof(buf), f) != NULL && (rp = strrchr(buf, ')')) != NULL &&
            sscanf(rp + 2, "%*c %d", &ppid) == 1 && ppid == master)
            out[n++] = (pid_t)strtol(e->d_name, NULL, 10);
        fclose(f);
    }
    closedir(d);
    return n;
}

static void
test_killed_worker_is_replaced(void **state)
{
    pid_t before[8], after[8];
    int n, i, k, replaced = 0;

    (void)state;
    n = workers(before, 8);
    assert_int_equal(n, 2);
    assert_int_equal(kill(before[0], SIGKILL), 0);
    /* kill() returns before the worker is gone; until it is, it may still take a connection
     * from the shared socket and die with it: wait for the master to reap it */
    for (i = 0; i < 600 && kill(before[0], 0) == 0; i++)
        usleep(10000);
    /* the other worker keeps answering while the master forks a replacement (the master waits
     * a second before restarting a worker that died young; allow a loaded machine 30 s) */
    for (i = 0; i < 600 && !replaced; i++) {
        if (i % 20 == 0)
            assert_true(ping_pid("/ping") > 0);
        n = workers(after, 8);
        replaced = n == 2;
        for (k = 0; k < n; k++)
            if (after[k] == before[0])
                replaced = 0;
        usleep(50000);
    }
    assert_true(replaced);
    assert_true(ping_pid("/ping") > 0);
}

static void
test_sigterm_finishes_requests_then_stops(void **state)
{
    int status = -1, i, slow_status = -1;
    pid_t client = fork();
    struct stat st;

    (void)state;
    if (client == 0)
        _exit(ping_pid("/slow") > 0 ? 0 : 1); /* takes about one second */
    usleep(300000);
    assert_int_equal(kill(master, SIGTERM), 0);
    assert_int_equal(waitpid(client, &slow_status, 0), client);
    assert_true(WIFEXITED(slow_status) && WEXITSTATUS(slow_status) == 0);
    for (i = 0; i < 200; i++) {
        if (waitpid(master, &status, WNOHANG) == master)
            break;
        usleep(100000);
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_int_not_equal(stat(sock_path, &st), 0); /* socket removed */
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workers_answer_and_route),
        cmocka_unit_test(test_killed_worker_is_replaced),
        cmocka_unit_test(test_sigterm_finishes_requests_then_stops),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup, NULL);
}
