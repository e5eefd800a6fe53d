/* req.c - the request context: arena, params, query, bounded body, JSON fields, replies. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_util.h"
#include "internal.h"

#define ARENA_BLOCK 8192
#define JSON_MAX_DEPTH 16

struct arena_block {
    struct arena_block *next;
    size_t used, size;
    max_align_t data[]; /* aligned storage */
};

static void add_field_error(struct ct_req *req, const char *field, const char *message);
static bool has_control_chars(const char *s, size_t len);
static bool content_type_is(const char *ct, const char *want);
static size_t members_in(struct json_object *o);
static const char *m1_type(int status);
static struct json_object *m1_error(struct ct_req *req, int status, const char *msg);
static struct json_object *ims_error(struct ct_req *req, int status, const char *msg);

void *
ct_req_alloc(struct ct_req *req, size_t n)
{
    struct arena_block *b = req->in->arena;
    size_t need = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

    if (need == 0)
        need = sizeof(max_align_t);
    if (b == NULL || b->size - b->used < need) {
        size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;

        b = ct_malloc(sizeof(*b) + size);
        b->size = size;
        b->used = 0;
        b->next = req->in->arena;
        req->in->arena = b;
    }
    b->used += need;
    return (char *)b->data + b->used - need;
}

char *
ct_req_strdup(struct ct_req *req, const char *s)
{
    size_t n = strlen(s);
    char *p = ct_req_alloc(req, n + 1);

    memcpy(p, s, n + 1);
    return p;
}

void
ct_req_setup(struct ct_req *req, struct ct_req_internal *in, FCGX_Request *fcgi,
             const struct ct_conf *conf, struct ct_db *db)
{
    memset(req, 0, sizeof(*req));
    memset(in, 0, sizeof(*in));
    req->in = in;
    req->db = db;
    in->fcgi = fcgi;
    in->conf = conf;
    in->status = 200;
    ct_buf_init(&in->headers, CT_RESP_HEADERS_CAP);
}

void
ct_req_teardown(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    struct arena_block *b = in->arena, *next;

    ct_jwe_req_end(req);
    json_object_put(in->json);
    json_object_put(in->field_errors);
    ct_buf_free(&in->headers);
    /* request bodies may hold secrets: wipe the arena before giving it back */
    for (; b != NULL; b = next) {
        next = b->next;
        ct_free_secret(b, sizeof(*b) + b->size);
    }
    in->arena = NULL;
}

enum ct_err
ct_req_front_partner(struct ct_req *req, int64_t *out)
{
    static const char sql[] = "SELECT id FROM partner WHERE public_id = ? AND status = 'active'";
    static int64_t cached; /* per worker: the configuration does not change under it */
    const char *ref = req->in->conf->partner;
    struct ct_rows *rows = NULL;
    int64_t id = 0;
    enum ct_err err;

    if (cached > 0) {
        *out = cached;
        return CT_OK;
    }
    if (ref[0] == '\0') {
        ct_log(LOG_ERR, "no partner configured for this front (conf key partner)");
        return CT_E_INTERNAL;
    }
    err = ct_db_query(req->db, sql, &rows, "s", ref);
    if (err != CT_OK)
        return err;
    if (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, &id) || id <= 0) {
        ct_log(LOG_ERR, "the configured partner %s is unknown or not active", ref);
        err = CT_E_INTERNAL;
    }
    ct_rows_free(rows);
    if (err == CT_OK)
        *out = cached = id;
    return err;
}

const char *
ct_req_param(const struct ct_req *req, const char *name)
{
    return FCGX_GetParam(name, req->in->fcgi->envp);
}

const char *
ct_req_method(const struct ct_req *req)
{
    return req->in->method;
}

const char *
ct_req_content_type(const struct ct_req *req)
{
    return ct_req_param(req, "CONTENT_TYPE");
}

const struct ct_conf *
ct_req_conf(const struct ct_req *req)
{
    return req->in->conf;
}

const struct ct_jwe_key *
ct_req_jwe_key(const struct ct_req *req)
{
    return req->in->jwe_key;
}

const char *
ct_req_path_arg(const struct ct_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->in->nargs; i++)
        if (strcmp(req->in->args[i].key, name) == 0)
            return req->in->args[i].value;
    return NULL;
}

const char *
ct_req_query(const struct ct_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->in->nquery; i++)
        if (strcmp(req->in->query[i].key, name) == 0)
            return req->in->query[i].value;
    return NULL;
}

size_t
ct_req_query_count(const struct ct_req *req, const char *name)
{
    size_t i, n = 0;

    for (i = 0; i < req->in->nquery; i++)
        if (strcmp(req->in->query[i].key, name) == 0)
            n++;
    return n;
}

const char *
ct_req_header(const struct ct_req *req, const char *name)
{
    char param[128] = "HTTP_";
    size_t i, n = strlen(name);

    if (n + 6 > sizeof(param))
        return NULL;
    for (i = 0; i < n; i++)
        param[5 + i] = name[i] == '-' ? '_' : (char)toupper((unsigned char)name[i]);
    param[5 + n] = '\0';
    return ct_req_param(req, param);
}

bool
ct_url_decode(const char *in, size_t len, bool form, char *out)
{
    size_t i, o = 0;

    for (i = 0; i < len; i++) {
        if (in[i] == '%') {
            int hi, lo;

            if (i + 2 >= len || !isxdigit((unsigned char)in[i + 1]) ||
                !isxdigit((unsigned char)in[i + 2]))
                return false;
            hi = isdigit((unsigned char)in[i + 1]) ? in[i + 1] - '0'
                                                   : (tolower((unsigned char)in[i + 1]) - 'a' + 10);
            lo = isdigit((unsigned char)in[i + 2]) ? in[i + 2] - '0'
                                                   : (tolower((unsigned char)in[i + 2]) - 'a' + 10);
            if (hi == 0 && lo == 0)
                return false; /* no NUL smuggled into C strings */
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (form && in[i] == '+') {
            out[o++] = ' ';
        } else {
            out[o++] = in[i];
        }
    }
    out[o] = '\0';
    return true;
}

enum ct_err
ct_req_parse_urlencoded(struct ct_req *req, const char *text, struct ct_kv *out, size_t max,
                        size_t *n, bool unique)
{
    const char *p = text;
    size_t i;

    *n = 0;
    while (*p != '\0') {
        const char *amp = strchr(p, '&'), *eq;
        size_t len = amp ? (size_t)(amp - p) : strlen(p), klen;
        char *k, *v;

        eq = memchr(p, '=', len);
        klen = eq ? (size_t)(eq - p) : len;
        if (len > 0) {
            if (*n == max)
                return ct_req_fail(req, CT_E_BADREQ, NULL, "too many parameters");
            k = ct_req_alloc(req, klen + 1);
            v = ct_req_alloc(req, len - klen + 1);
            if (!ct_url_decode(p, klen, true, k) ||
                !ct_url_decode(eq ? eq + 1 : p + len, eq ? len - klen - 1 : 0, true, v))
                return ct_req_fail(req, CT_E_BADREQ, NULL, "malformed URL encoding");
            for (i = 0; unique && i < *n; i++)
                if (strcmp(out[i].key, k) == 0)
                    return ct_req_fail(req, CT_E_BADREQ, "REPEATED_PARAMETER",
                                       "a parameter is repeated");
            out[*n].key = k;
            out[*n].value = v;
            (*n)++;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return CT_OK;
}

enum ct_err
ct_req_parse_query(struct ct_req *req)
{
    const char *qs = ct_req_param(req, "QUERY_STRING");

    if (qs == NULL || *qs == '\0')
        return CT_OK;
    return ct_req_parse_urlencoded(req, qs, req->in->query, CT_MAX_QUERY, &req->in->nquery, false);
}

const char *
ct_req_form(const struct ct_req *req, const char *name)
{
    size_t i;

    for (i = 0; i < req->in->nform; i++)
        if (strcmp(req->in->form[i].key, name) == 0)
            return req->in->form[i].value;
    return NULL;
}

static bool
content_type_is(const char *ct, const char *want)
{
    size_t n = strlen(want);

    return ct != NULL && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

size_t
ct_json_count_outside(const char *text, size_t len, char c)
{
    bool in_string = false;
    size_t i, n = 0;

    for (i = 0; i < len; i++) {
        if (in_string) {
            if (text[i] == '\\')
                i++;
            else if (text[i] == '"')
                in_string = false;
        } else if (text[i] == '"') {
            in_string = true;
        } else if (text[i] == c) {
            n++;
        }
    }
    return n;
}

/* Members of every object in the tree. */
static size_t
members_in(struct json_object *o)
{
    size_t n = 0, i;

    if (json_object_is_type(o, json_type_object)) {
        json_object_object_foreach(o, name, v)
        {
            (void)name;
            n += 1 + members_in(v);
        }
    } else if (json_object_is_type(o, json_type_array)) {
        for (i = 0; i < json_object_array_length(o); i++)
            n += members_in(json_object_array_get_idx(o, i));
    }
    return n;
}

enum ct_err
ct_json_parse_object(const char *text, size_t len, struct json_object **out, const char **why)
{
    struct json_tokener *tok = json_tokener_new_ex(JSON_MAX_DEPTH);
    struct json_object *obj;

    /* json-c 0.16 accepts 'single-quoted' strings even in strict mode; RFC 8259 does not. */
    if (tok == NULL || len > INT32_MAX || ct_json_count_outside(text, len, '\'') > 0) {
        json_tokener_free(tok);
        *why = "request body cannot be parsed";
        return CT_E_BADREQ;
    }
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    obj = json_tokener_parse_ex(tok, text, (int)len);
    if (obj != NULL && json_tokener_get_parse_end(tok) != len) {
        /* strict mode still stops after the first value: refuse what follows it */
        json_object_put(obj);
        obj = NULL;
    }
    json_tokener_free(tok);
    if (obj == NULL) {
        *why = "request body is not valid JSON";
        return CT_E_BADREQ;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        *why = "request body must be a JSON object";
        return CT_E_BADREQ;
    }
    /* json-c keeps the last of a repeated member name, where another parser (a proxy, a
     * signature check, the client's own log) may keep the first: two readings of one request.
     * Every member has exactly one ':' outside strings, so fewer members than colons in the
     * parsed tree means a name was repeated somewhere. */
    if (members_in(obj) != ct_json_count_outside(text, len, ':')) {
        json_object_put(obj);
        *why = "request body repeats a member name";
        return CT_E_BADREQ;
    }
    *out = obj;
    return CT_OK;
}

/* Reads CONTENT_LENGTH bytes (checked against max_body before reading) and, for a non-empty
 * body, parses it as a JSON object. */
enum ct_err
ct_req_read_body(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    const char *cl = ct_req_param(req, "CONTENT_LENGTH");
    const char *ct = ct_req_param(req, "CONTENT_TYPE");
    const char *why = NULL;
    int64_t len = 0;
    int got;
    enum ct_err err;

    if (cl != NULL && *cl != '\0' && !ct_parse_i64(cl, 0, INT64_MAX, &len))
        return ct_req_fail(req, CT_E_BADREQ, NULL, "bad Content-Length");
    if ((uint64_t)len > in->conf->max_body)
        return ct_req_fail(req, CT_E_TOOBIG, NULL, "request body too large");
    in->body = ct_req_alloc(req, (size_t)len + 1);
    got = len > 0 ? FCGX_GetStr(in->body, (int)len, in->fcgi->in) : 0;
    if (got != (int)len)
        return ct_req_fail(req, CT_E_BADREQ, NULL, "request body shorter than Content-Length");
    in->body[len] = '\0';
    in->body_len = (size_t)len;
    if (len == 0 || (req->route->flags & CT_R_RAW))
        return CT_OK;
    if (req->route->flags & CT_R_FORM) {
        if (!content_type_is(ct, "application/x-www-form-urlencoded"))
            return ct_req_fail(req, CT_E_MEDIA, NULL,
                               "Content-Type must be application/x-www-form-urlencoded");
        if (memchr(in->body, '\0', in->body_len) != NULL)
            return ct_req_fail(req, CT_E_BADREQ, NULL, "malformed form body");
        return ct_req_parse_urlencoded(req, in->body, in->form, CT_MAX_QUERY, &in->nform, true);
    }
    if (!content_type_is(ct, "application/json"))
        return ct_req_fail(req, CT_E_MEDIA, NULL, "Content-Type must be application/json");
    err = ct_json_parse_object(in->body, in->body_len, &in->json, &why);
    if (err != CT_OK)
        return ct_req_fail(req, err,
                           (req->route->flags & CT_R_JWE) ? CT_JWE_INVALID_PAYLOAD : "INVALID_JSON",
                           why);
    return CT_OK;
}

const char *
ct_req_body(const struct ct_req *req, size_t *len)
{
    if (len != NULL)
        *len = req->in->body_len;
    return req->in->body != NULL ? req->in->body : "";
}

void
ct_req_body_hash(const struct ct_req *req, unsigned char out[32])
{
    size_t len;
    const char *body = ct_req_body(req, &len);

    ct_sha256(body, len, out);
}

struct json_object *
ct_req_json(const struct ct_req *req)
{
    return req->in->json;
}

static void
add_field_error(struct ct_req *req, const char *field, const char *message)
{
    struct json_object *e = json_object_new_object();

    if (req->in->field_errors == NULL)
        req->in->field_errors = json_object_new_array();
    json_object_object_add(e, "field", json_object_new_string(field));
    json_object_object_add(e, "message", json_object_new_string(message));
    json_object_array_add(req->in->field_errors, e);
}

void
ct_req_field_error(struct ct_req *req, const char *field, const char *message)
{
    add_field_error(req, field, message);
}

enum ct_err
ct_req_need_body(struct ct_req *req)
{
    if (req->in->json == NULL)
        return ct_req_fail(req, CT_E_BADREQ, "INVALID_JSON",
                           "this request needs a JSON object body");
    return CT_OK;
}

bool
ct_req_has_errors(const struct ct_req *req)
{
    return req->in->field_errors != NULL;
}

static bool
has_control_chars(const char *s, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return true;
    return false;
}

const char *
ct_body_str(struct ct_req *req, const char *field, bool required, size_t maxlen)
{
    struct json_object *v = NULL;
    const char *s;
    size_t len;

    if (req->in->json == NULL || !json_object_object_get_ex(req->in->json, field, &v)) {
        if (required)
            add_field_error(req, field, "is required");
        return NULL;
    }
    if (json_object_is_type(v, json_type_null)) {
        add_field_error(req, field, required ? "is required" : "must be a string, not null");
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string)) {
        add_field_error(req, field, "must be a string");
        return NULL;
    }
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (len != strlen(s) || has_control_chars(s, len)) {
        add_field_error(req, field, "must not contain control characters");
        return NULL;
    }
    if (len == 0 && required) {
        add_field_error(req, field, "must not be empty");
        return NULL;
    }
    if (len > maxlen) {
        add_field_error(req, field, "is too long");
        return NULL;
    }
    return s;
}

void
ct_body_copy(struct ct_req *req, const char *field, bool required, size_t cap,
             bool (*valid)(const char *), const char *invalid_msg, char *dst)
{
    const char *v = ct_body_str(req, field, required, cap - 1);

    if (v == NULL)
        return;
    if (*v == '\0') {
        add_field_error(req, field, "must not be empty");
        return;
    }
    if (valid != NULL && !valid(v)) {
        add_field_error(req, field, invalid_msg);
        return;
    }
    memcpy(dst, v, strlen(v) + 1);
}

bool
ct_body_amount(struct ct_req *req, const char *field, const struct ct_currency *cur, int64_t *minor)
{
    struct json_object *v = NULL;
    const char *text, *why = NULL;
    enum json_type t;

    if (req->in->json == NULL || !json_object_object_get_ex(req->in->json, field, &v) ||
        json_object_is_type(v, json_type_null)) {
        add_field_error(req, field, "is required");
        return false;
    }
    t = json_object_get_type(v);
    if (t != json_type_string && t != json_type_double && t != json_type_int) {
        add_field_error(req, field, "must be a decimal string or a number");
        return false;
    }
    /* For numbers json-c keeps the text as written (or, past 64 bits, a saturated value that is
     * over any maximum): the amount never passes through a double. */
    text = json_object_get_string(v);
    if (ct_money_parse(text, strlen(text), cur, false, minor, &why) != CT_OK) {
        add_field_error(req, field, why != NULL ? why : "is not a valid amount");
        return false;
    }
    return true;
}

void
ct_body_only(struct ct_req *req, const char *const *allowed)
{
    if (req->in->json == NULL)
        return;
    json_object_object_foreach(req->in->json, key, val)
    {
        const char *const *a;

        (void)val;
        for (a = allowed; *a != NULL; a++)
            if (strcmp(*a, key) == 0)
                break;
        if (*a == NULL)
            add_field_error(req, strlen(key) <= 64 ? key : "(long name)", "unknown field");
    }
}

enum ct_err
ct_req_fail(struct ct_req *req, enum ct_err err, const char *code, const char *message)
{
    req->in->err = err;
    req->in->err_code = code != NULL ? code : ct_err_code(err);
    req->in->err_msg = message;
    return err;
}

enum ct_err
ct_reply_raw(struct ct_req *req, int status, const char *json)
{
    size_t n = strlen(json);

    req->in->out = ct_req_alloc(req, n + 1);
    memcpy(req->in->out, json, n + 1);
    req->in->out_len = n;
    req->in->status = status;
    req->in->content_type = NULL;
    req->in->replied = true;
    return CT_OK;
}

enum ct_err
ct_reply_bytes(struct ct_req *req, int status, const char *content_type, const void *data,
               size_t len)
{
    req->in->out = ct_req_alloc(req, len + 1);
    if (len > 0)
        memcpy(req->in->out, data, len);
    req->in->out[len] = '\0';
    req->in->out_len = len;
    req->in->status = status;
    req->in->content_type =
        strpbrk(content_type, "\r\n") == NULL ? content_type : "application/octet-stream";
    req->in->replied = true;
    return CT_OK;
}

enum ct_err
ct_reply_json(struct ct_req *req, int status, struct json_object *obj)
{
    const char *text = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                               JSON_C_TO_STRING_NOSLASHESCAPE);
    enum ct_err err = ct_reply_raw(req, status, text);

    ct_jwe_req_wipe(req, obj, text);
    json_object_put(obj);
    return err;
}

void
ct_reply_header(struct ct_req *req, const char *name, const char *value)
{
    /* header injection: names and values from our code, but refuse CR/LF anyway */
    if (strpbrk(name, "\r\n:") != NULL || strpbrk(value, "\r\n") != NULL)
        return;
    if (ct_buf_printf(&req->in->headers, "%s: %s\r\n", name, value) != CT_OK)
        ct_log(LOG_WARNING, "response headers over cap; dropped %s", name);
}

enum ct_err
ct_reply_empty(struct ct_req *req, int status)
{
    return ct_reply_bytes(req, status, "text/plain; charset=utf-8", "", 0);
}

void
ct_reply_pagination(struct ct_req *req, int64_t total, int64_t page, int64_t per_page)
{
    char v[32];
    int64_t pages = per_page > 0 ? (total + per_page - 1) / per_page : 0;

    (void)snprintf(v, sizeof(v), "%lld", (long long)total);
    ct_reply_header(req, "X-Pagination-Total-Count", v);
    (void)snprintf(v, sizeof(v), "%lld", (long long)pages);
    ct_reply_header(req, "X-Pagination-Page-Count", v);
    (void)snprintf(v, sizeof(v), "%lld", (long long)page);
    ct_reply_header(req, "X-Pagination-Current-Page", v);
    (void)snprintf(v, sizeof(v), "%lld", (long long)per_page);
    ct_reply_header(req, "X-Pagination-Per-Page", v);
}

bool
ct_req_page(struct ct_req *req, int64_t def, int64_t max, int64_t *page, int64_t *per_page)
{
    const char *p = ct_req_query(req, "page"), *pp = ct_req_query(req, "per_page");
    bool ok = true;

    *page = 1;
    *per_page = def;
    if (p != NULL && !ct_parse_i64(p, 1, 1000000000, page)) {
        add_field_error(req, "page", "must be a whole number of at least 1");
        ok = false;
    }
    if (pp != NULL && !ct_parse_i64(pp, 1, max, per_page)) {
        add_field_error(req, "per_page", "must be a whole number between 1 and the maximum");
        ok = false;
    }
    return ok;
}

/* The exception class manager.one (a Yii application) names in its error bodies. */
static const char *
m1_type(int status)
{
    switch (status) {
    case 400:
        return "yii\\web\\BadRequestHttpException";
    case 401:
        return "yii\\web\\UnauthorizedHttpException";
    case 403:
        return "yii\\web\\ForbiddenHttpException";
    case 404:
        return "yii\\web\\NotFoundHttpException";
    case 405:
        return "yii\\web\\MethodNotAllowedHttpException";
    case 409:
        return "yii\\web\\ConflictHttpException";
    case 415:
        return "yii\\web\\UnsupportedMediaTypeHttpException";
    case 429:
        return "yii\\web\\TooManyRequestsHttpException";
    case 503:
        return "yii\\web\\ServiceUnavailableHttpException";
    default:
        return status >= 500 ? "yii\\web\\ServerErrorHttpException" : "yii\\web\\HttpException";
    }
}

/* manager.one: {"name","message","code","status","type"}; a 422 is the bare array of
 * {"field","message"} (seed 001, FieldsValidationErrors). */
static struct json_object *
m1_error(struct ct_req *req, int status, const char *msg)
{
    struct ct_req_internal *in = req->in;
    struct json_object *o;

    if (status == 422) {
        if (in->field_errors == NULL)
            add_field_error(req, "", msg);
        o = in->field_errors;
        in->field_errors = NULL;
        return o;
    }
    o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(ct_http_reason(status)));
    json_object_object_add(o, "message", json_object_new_string(msg));
    json_object_object_add(o, "code", json_object_new_int(0));
    json_object_object_add(o, "status", json_object_new_int(status));
    json_object_object_add(o, "type", json_object_new_string(m1_type(status)));
    return o;
}

/* Antaca/IMS: {"status","code","message","request_id"} plus "errors" for field errors. */
static struct json_object *
ims_error(struct ct_req *req, int status, const char *msg)
{
    struct ct_req_internal *in = req->in;
    struct json_object *o = json_object_new_object();

    json_object_object_add(o, "status", json_object_new_int(status));
    json_object_object_add(o, "code", json_object_new_string(in->err_code));
    json_object_object_add(o, "message", json_object_new_string(msg));
    if (req->request_id != NULL)
        json_object_object_add(o, "request_id", json_object_new_string(req->request_id));
    if (in->field_errors != NULL) {
        json_object_object_add(o, "errors", in->field_errors);
        in->field_errors = NULL;
    }
    return o;
}

/* The envelope of the route's channel (DESIGN.md section 6). A 5xx never says more than that it
 * failed: the detail is in the log, under the request id. */
void
ct_req_render_error(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    int status = ct_err_status(in->err);
    const char *msg = in->err_msg != NULL ? in->err_msg : ct_http_reason(status);

    if (status >= 500)
        msg = "internal error; quote the request id to support";
    if (req->route != NULL && (req->route->flags & CT_R_M1))
        (void)ct_reply_json(req, status, m1_error(req, status, msg));
    else
        (void)ct_reply_json(req, status, ims_error(req, status, msg));
}

/* Writes status line, headers and body to nginx. */
void
ct_req_send(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    FCGX_Stream *out = in->fcgi->out;
    struct ct_buf head;
    enum ct_err err;

    if (in->err != CT_OK || !in->replied) {
        if (in->err == CT_OK) {
            ct_log(LOG_ERR, "handler returned without a reply");
            ct_req_fail(req, CT_E_INTERNAL, NULL, NULL);
        }
        ct_req_render_error(req);
    }
    /* libfcgi's FCGX_FPrintF knows only part of printf (no %zu): format with vsnprintf. A 204
     * carries neither a body nor its headers (RFC 9110 section 8.6). */
    ct_buf_init(&head, CT_RESP_HEADERS_CAP * 2);
    err = ct_buf_printf(&head, "Status: %d %s\r\n", in->status, ct_http_reason(in->status));
    if (err == CT_OK && in->status != 204)
        err = ct_buf_printf(&head, "Content-Type: %s\r\nContent-Length: %zu\r\n",
                            in->content_type != NULL ? in->content_type : "application/json",
                            in->out_len);
    if (err == CT_OK)
        err = ct_buf_printf(&head, "Cache-Control: no-store\r\n%s\r\n", ct_buf_str(&in->headers));
    if (err != CT_OK)
        ct_log(LOG_ERR, "response head over cap");
    FCGX_PutStr(ct_buf_str(&head), (int)ct_buf_len(&head), out);
    ct_buf_free(&head);
    if (in->out_len > 0)
        FCGX_PutStr(in->out, (int)in->out_len, out);
}
