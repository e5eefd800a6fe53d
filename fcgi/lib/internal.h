/* internal.h - state shared by the request, router and runtime modules of fcgi/lib only. */
#ifndef CT_INTERNAL_H
#define CT_INTERNAL_H
#include <fcgiapp.h>
#include <json-c/json.h>
#include "ct/ct_buf.h"
#include "ct/ct_conf.h"
#include "ct/ct_jwe.h"
#include "ct/ct_req.h"

#define CT_MAX_PATH_ARGS 8
#define CT_MAX_QUERY 32
#define CT_RESP_HEADERS_CAP 8192

struct ct_kv {
    const char *key;
    const char *value;
};

struct arena_block;

struct ct_req_internal {
    FCGX_Request *fcgi;
    const struct ct_conf *conf;
    struct arena_block *arena;
    const char *method;
    const char *path; /* decoded by nginx, without the query string */
    struct ct_kv args[CT_MAX_PATH_ARGS];
    size_t nargs;
    struct ct_kv query[CT_MAX_QUERY];
    size_t nquery;
    struct ct_kv form[CT_MAX_QUERY]; /* CT_R_FORM bodies */
    size_t nform;
    char *body;
    size_t body_len;
    struct json_object *json;
    /* reply */
    bool replied;
    int status;
    struct ct_buf headers; /* extra "Name: value\r\n" lines */
    char *out;             /* response body (arena) */
    size_t out_len;
    const char *content_type; /* NULL: application/json (ct_reply_bytes sets another) */
    /* failure */
    enum ct_err err;
    const char *err_code;
    const char *err_msg;
    struct json_object *field_errors; /* array of {field, message}, NULL if none */
    /* JWE (jwe_route.c) */
    const struct ct_jwe_key *jwe_key; /* the pool's key (jwe_key_file), NULL if none */
    struct ct_jwe_key *reply_key;     /* the client's Public-Key: a 2xx reply is sealed to it */
    bool opened;                      /* json came from a JWE payload: wipe it at teardown */
    /* admin audit (admin.c) */
    const char *audit_action;
    const char *audit_target;
};

/* request lifecycle (req.c) */
void ct_req_setup(struct ct_req *req, struct ct_req_internal *in, FCGX_Request *fcgi,
                  const struct ct_conf *conf, struct ct_db *db);
void ct_req_teardown(struct ct_req *req);
const char *ct_req_param(const struct ct_req *req, const char *name);
enum ct_err ct_req_read_body(struct ct_req *req);
enum ct_err ct_req_parse_query(struct ct_req *req);
/* Splits a urlencoded text into pairs (decoded, in the arena); a repeated name is CT_E_BADREQ
 * when unique is set. */
enum ct_err ct_req_parse_urlencoded(struct ct_req *req, const char *text, struct ct_kv *out,
                                    size_t max, size_t *n, bool unique);
void ct_req_send(struct ct_req *req);
/* The route's error envelope as the reply (status from the recorded error). */
void ct_req_render_error(struct ct_req *req);

/* Strict JSON (depth-limited, valid UTF-8, nothing after the value) that must be an object. On
 * CT_OK *out is owned by the caller; otherwise *why says what is wrong. */
enum ct_err ct_json_parse_object(const char *text, size_t len, struct json_object **out,
                                 const char **why);
/* How many times c occurs in a JSON text outside its strings. */
size_t ct_json_count_outside(const char *text, size_t len, char c);

/* JWE route flags (jwe_route.c), called by the dispatcher in this order; each does nothing on a
 * route without CT_R_JWE or CT_R_JWE_RESP. keys: before the body is read, the headers the flag
 * asks for and the client's Public-Key (400 ENCRYPTION_REQUIRED, INVALID_PUBLIC_KEY). open: after
 * it, a CT_R_JWE body {"payload"} decrypted into the JSON body the handler reads (400
 * INVALID_PAYLOAD, CANT_DECRYPT_PAYLOAD). seal: after the handler, a 2xx reply other than 204
 * replaced by {"payload": JWE to the client's key}. wipe: at teardown, the clear strings json-c
 * holds (it frees without wiping). */
enum ct_err ct_jwe_req_keys(struct ct_req *req);
enum ct_err ct_jwe_req_open(struct ct_req *req);
enum ct_err ct_jwe_req_seal(struct ct_req *req);
void ct_jwe_req_wipe(struct ct_req *req, struct json_object *obj, const char *text);
void ct_jwe_req_end(struct ct_req *req);

/* routing (router.c): finds the route and fills path args; CT_E_NOTFOUND, or CT_E_METHOD with
 * the allowed methods written to allow (comma-separated). */
enum ct_err ct_route_match(const struct ct_route *routes, struct ct_req *req, const char *method,
                           const char *path, char *allow, size_t allowsz);

/* identity (ident.c): the partner behind the verified client certificate; or the session or
 * token identity the auth pool vouched for, as nginx passed it (CT_AUTH_* params). */
enum ct_err ct_ident_x509(struct ct_req *req);
/* The same for the card processor: its certificate's fingerprint in processor_cert. */
enum ct_err ct_ident_processor(struct ct_req *req);
enum ct_err ct_ident_auth(struct ct_req *req, enum ct_ident_kind want);

/* admin channel (admin.c): on a CT_R_ADMIN route, once the operator is known, its role against
 * the route's role flags and the request's Origin against its partner's admin origins (403
 * otherwise); after the handler, the admin audit row of a CT_R_ADMIN or CT_R_AUDIT request. */
enum ct_err ct_admin_gate(struct ct_req *req);
void ct_admin_audit(struct ct_req *req);

/* percent-decoding; '+' as space when form is true. Returns false on a bad escape or NUL. */
bool ct_url_decode(const char *in, size_t len, bool form, char *out);

#endif /* CT_INTERNAL_H */
