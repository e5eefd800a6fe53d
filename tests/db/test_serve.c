/* test_serve.c - the worker runtime for real: a pool of two workers on a unix socket, spoken to
 * in FastCGI. A killed worker is replaced, SIGTERM lets a busy worker finish its request, and the
 * master exits 0 and removes its socket. The JWE route flags work through the whole dispatch: the
 * key file the master loads, the headers as params, the body opened, the reply sealed. Needs the
 * test stack's MariaDB (COMPTOIR_DB_* env). */
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
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include "ct/ct_jwe.h"
#include "ct/ct_serve.h"
#include "../unit/jwe_payload.h"

static char sock_path[108];
static pid_t master;
static struct ct_jwe_key *server_pub; /* what clients encrypt requests to */
static struct ct_jwe_key *client_key; /* the client's private key: reads sealed replies */
static char public_key_param[2048];   /* HTTP_PUBLIC_KEY=base64 of the client's public key */

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

/* An R route: card data, which goes out only encrypted. */
static enum ct_err
h_card(struct ct_req *req)
{
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "pan", json_object_new_string("4111111111111111"));
    return ct_reply_json(req, 200, o);
}

/* A J route: answers the body it read. */
static enum ct_err
h_echo(struct ct_req *req)
{
    struct json_object *in = ct_req_json(req);

    return ct_reply_json(req, 201, in != NULL ? json_object_get(in) : json_object_new_object());
}

static const struct ct_route routes[] = {
    {"GET", "/ping", h_ping, CT_R_PUBLIC},
    {"GET", "/slow", h_slow, CT_R_PUBLIC},
    {"GET", "/card", h_card, CT_R_PUBLIC | CT_R_JWE_RESP},
    {"POST", "/echo", h_echo, CT_R_PUBLIC | CT_R_JWE},
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

/* A name or value length of FCGI_PARAMS: one byte under 128, four bytes otherwise. */
static size_t
put_len(unsigned char *p, size_t len)
{
    if (len < 128) {
        p[0] = (unsigned char)len;
        return 1;
    }
    p[0] = (unsigned char)(0x80 | (len >> 24));
    p[1] = (unsigned char)(len >> 16);
    p[2] = (unsigned char)(len >> 8);
    p[3] = (unsigned char)len;
    return 4;
}

static size_t
put_param(unsigned char *p, const char *k, const char *v)
{
    size_t kl = strlen(k), vl = strlen(v), n = put_len(p, kl);

    n += put_len(p + n, vl);
    memcpy(p + n, k, kl);
    memcpy(p + n + kl, v, vl);
    return n + kl + vl;
}

/* METHOD path with more params ("NAME=value", NULL-terminated list, or NULL) and a JSON body (or
 * NULL); returns the HTTP status and copies the body after the blank line into out. */
static int
fcgi_call(const char *method, const char *path, const char *const *more, const char *json,
          char *out, size_t outsz)
{
    struct sockaddr_un sa;
    unsigned char begin[8] = {0, 1, 0, 0, 0, 0, 0, 0}, params[8192], h[8];
    char resp[8192], length[32], name[64];
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
    n += put_param(params + n, "REQUEST_METHOD", method);
    n += put_param(params + n, "DOCUMENT_URI", path);
    n += put_param(params + n, "CT_REQUEST_ID", "test");
    for (; more != NULL && *more != NULL; more++) {
        snprintf(name, sizeof(name), "%.*s", (int)(strchr(*more, '=') - *more), *more);
        n += put_param(params + n, name, strchr(*more, '=') + 1);
    }
    if (json != NULL) {
        snprintf(length, sizeof(length), "%zu", strlen(json));
        n += put_param(params + n, "CONTENT_LENGTH", length);
        n += put_param(params + n, "CONTENT_TYPE", "application/json");
    }
    assert_true(n < sizeof(params));
    put_record(fd, 4, params, n);
    put_record(fd, 4, NULL, 0);
    if (json != NULL && *json != '\0')
        put_record(fd, 5, json, strlen(json));
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
fcgi_get(const char *path, char *out, size_t outsz)
{
    return fcgi_call("GET", path, NULL, NULL, out, outsz);
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

/* The pool's key in a file (jwe_key_file, loaded by the master), its public half for requests;
 * a client key pair whose public half travels in the Public-Key header. */
static void
jwe_keys(const char *dir)
{
    static char path[160];
    EVP_PKEY *server = EVP_RSA_gen(2048), *client = EVP_RSA_gen(2048);
    BIO *bio = BIO_new(BIO_s_mem());
    unsigned char *der = NULL;
    char *pem = NULL;
    FILE *f;
    long n;
    int dn;

    assert_true(server != NULL && client != NULL && bio != NULL);
    snprintf(path, sizeof(path), "%s/jwe.pem", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, server, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
    setenv("COMPTOIR_JWE_KEY_FILE", path, 1);
    dn = i2d_PUBKEY(server, &der);
    assert_int_equal(ct_jwe_key_parse(der, (size_t)dn, &server_pub), CT_OK);
    OPENSSL_free(der);
    der = NULL;
    assert_int_equal(PEM_write_bio_PrivateKey(bio, client, NULL, NULL, 0, NULL, NULL), 1);
    n = BIO_get_mem_data(bio, &pem);
    assert_int_equal(ct_jwe_key_parse(pem, (size_t)n, &client_key), CT_OK);
    dn = i2d_PUBKEY(client, &der);
    n = snprintf(public_key_param, sizeof(public_key_param), "HTTP_PUBLIC_KEY=");
    assert_true(dn > 0 && (size_t)n + (size_t)dn * 2 < sizeof(public_key_param));
    assert_true(EVP_EncodeBlock((unsigned char *)public_key_param + n, der, dn) > 0);
    OPENSSL_free(der);
    BIO_free(bio);
    EVP_PKEY_free(server);
    EVP_PKEY_free(client);
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
    jwe_keys(dir);
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

/* {"payload": compact} from the pool, opened with the client's key, is want. */
static void
expect_sealed(const char *body, const char *want)
{
    size_t n = 0;
    unsigned char *plain = jwe_payload_open(client_key, body, &n);

    assert_non_null(plain);
    assert_string_equal((const char *)plain, want);
    ct_jwe_plain_free(plain, n);
}

static void
test_jwe_routes_opened_and_sealed(void **state)
{
    const char *const resp_only[] = {"HTTP_ENCRYPT_RESPONSE=true", public_key_param, NULL};
    const char *const both[] = {"HTTP_ENCRYPTED_REQUEST=true", public_key_param, NULL};
    char body[8192], req[4096], *compact = NULL;
    size_t n;

    (void)state;
    assert_int_equal(fcgi_get("/card", body, sizeof(body)), 400);
    assert_non_null(strstr(body, "\"code\":\"ENCRYPTION_REQUIRED\""));
    assert_int_equal(fcgi_call("GET", "/card", resp_only, NULL, body, sizeof(body)), 200);
    expect_sealed(body, "{\"pan\":\"4111111111111111\"}");
    assert_int_equal(ct_jwe_encrypt(server_pub, "{\"card_no\":1337}", 16, &compact), CT_OK);
    snprintf(req, sizeof(req), "{\"payload\":\"%s\"}", compact);
    free(compact);
    assert_int_equal(fcgi_call("POST", "/echo", both, req, body, sizeof(body)), 201);
    expect_sealed(body, "{\"card_no\":1337}");
    /* refused before the handler runs, and in clear */
    assert_int_equal(fcgi_call("POST", "/echo", resp_only, req, body, sizeof(body)), 400);
    assert_non_null(strstr(body, "\"code\":\"ENCRYPTION_REQUIRED\""));
    assert_int_equal(fcgi_call("POST", "/echo", both, "{\"card_no\":1337}", body, sizeof(body)),
                     400);
    assert_non_null(strstr(body, "\"code\":\"INVALID_PAYLOAD\""));
    n = strlen(req);
    req[n - 4] = req[n - 4] == 'A' ? 'B' : 'A'; /* in the tag, a character with no unused bits */
    assert_int_equal(fcgi_call("POST", "/echo", both, req, body, sizeof(body)), 400);
    assert_non_null(strstr(body, "\"code\":\"CANT_DECRYPT_PAYLOAD\""));
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
        cmocka_unit_test(test_jwe_routes_opened_and_sealed),
        cmocka_unit_test(test_killed_worker_is_replaced),
        cmocka_unit_test(test_sigterm_finishes_requests_then_stops),
    };
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup, NULL);
}
