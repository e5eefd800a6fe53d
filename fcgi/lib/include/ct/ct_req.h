/* ct_req.h - a request as a handler sees it: route, identity, params, body; and the reply. */
#ifndef CT_REQ_H
#define CT_REQ_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_err.h"
#include "ct/ct_money.h"

struct ct_req;
struct ct_jwe_key;
typedef enum ct_err (*ct_handler_fn)(struct ct_req *req);

/* Route flags. */
#define CT_R_X509 0x0001u    /* partner identity from a verified client certificate required */
#define CT_R_PUBLIC 0x0002u  /* no identity */
#define CT_R_SESSION 0x0004u /* customer session (auth pool via nginx auth_request) required */
#define CT_R_OAUTH 0x0008u   /* OAuth access token of a third-party service required */
#define CT_R_ADMIN 0x0010u   /* operator session required */
#define CT_R_NOBODY 0x0020u  /* the body is not read (nginx sends none: auth_request targets) */
#define CT_R_FORM 0x0040u    /* application/x-www-form-urlencoded body instead of JSON */
#define CT_R_RAW 0x0080u     /* body kept as sent, not parsed (multipart uploads) */
#define CT_R_M1 0x0100u      /* manager.one error envelope instead of the Antaca/IMS one */
/* JWE (API.md flags J and R; docs/middleware.md). The library opens and seals: a handler reads
 * and replies in clear and cannot forget either step. Both need the client's Public-Key header;
 * a 2xx reply other than 204 goes out as {"payload": compact JWE} to that key, errors in clear. */
#define CT_R_JWE 0x0200u       /* J: Encrypted-Request: true; a body is {"payload": compact JWE} */
#define CT_R_JWE_RESP 0x0400u  /* R: Encrypt-Response: true (or Encrypted-Request); clear body */
#define CT_R_PROCESSOR 0x0800u /* card processor: x509 of the processor CA (cards server) */
/* Admin channel (API.md "Admin channel"). On a CT_R_ADMIN route the dispatcher, before the
 * handler runs, refuses with 403 in the route's envelope an operator whose role the route does not
 * name (FORBIDDEN_ROLE; an admin route naming no role admits nobody) and a request whose Origin
 * header is not one of the operator's partner's admin origins (ORIGIN_NOT_ALLOWED); and after it,
 * writes the request to the admin audit (admin_audit: operator, partner, method, path, status,
 * request id), refusals included. CT_R_AUDIT audits a route without an operator session (the
 * admin login, whose handler fills req->ident once it knows the operator). */
#define CT_R_ROLE_EMPLOYEE 0x10000u
#define CT_R_ROLE_MANAGER 0x20000u
#define CT_R_ROLE_ADMIN 0x40000u
#define CT_R_ROLE_ANY (CT_R_ROLE_EMPLOYEE | CT_R_ROLE_MANAGER | CT_R_ROLE_ADMIN)
#define CT_R_AUDIT 0x80000u

/* One row of a pool's route table; the table ends with an all-NULL row. A pattern is a path
 * whose segments are literals or {name} parameters: "/secure/customers/{customerId}". */
struct ct_route {
    const char *method;
    const char *pattern;
    ct_handler_fn handler;
    unsigned flags;
};

/* The identity nginx vouched for (never read from client headers): from the verified client
 * certificate (x509 routes) or from the auth pool's answer to nginx's auth_request, which nginx
 * passes as CT_AUTH_* params it sets itself (session and OAuth routes). */
enum ct_ident_kind {
    CT_IDENT_NONE = 0,
    CT_IDENT_PARTNER,   /* x509 */
    CT_IDENT_CUSTOMER,  /* customer session */
    CT_IDENT_OAUTH,     /* third-party service acting for a customer */
    CT_IDENT_OPERATOR,  /* admin session */
    CT_IDENT_PROCESSOR, /* card processor, x509 of the processor CA (cards server) */
};
struct ct_ident {
    enum ct_ident_kind kind;
    int64_t partner_id;   /* 0 when none */
    int64_t processor_id; /* card processor (CT_IDENT_PROCESSOR), 0 when none */
    char partner_ref[40]; /* the partner's (or the processor's) public id (x509) */
    char subject[256];    /* certificate subject DN (x509); customer or operator id */
    char session[40];     /* session id (CT_AUTH_SESSION): the row logout ends */
    char client_id[80];   /* OAuth client_id */
    char scope[256];      /* OAuth scopes, space-separated */
    char role[16];        /* operator role: EMPLOYEE, MANAGER, ADMIN */
};
/* Whether the space-separated scope list holds `scope`. */
bool ct_ident_has_scope(const struct ct_ident *ident, const char *scope);

/* Visible for the handlers' fields below; other members are the library's. */
struct ct_req {
    struct ct_db *db;       /* the worker's connection */
    struct ct_ident ident;  /* filled before the handler runs */
    const char *request_id; /* nginx $request_id */
    const struct ct_route *route;
    struct ct_req_internal *in; /* library-private state */
};

/* The partner this front serves (conf `partner`, a public id), as its row id; looked up once per
 * worker. CT_E_INTERNAL (logged) when the configuration names no active partner. */
enum ct_err ct_req_front_partner(struct ct_req *req, int64_t *partner_id);

/* Per-request memory, freed in one go after the reply. Never NULL. */
void *ct_req_alloc(struct ct_req *req, size_t n);
char *ct_req_strdup(struct ct_req *req, const char *s);

/* Path parameter by name ({customerId}); NULL when the route has none of that name. */
const char *ct_req_path_arg(const struct ct_req *req, const char *name);
/* Decoded query parameter, NULL when absent; a repeated name gives the first. */
const char *ct_req_query(const struct ct_req *req, const char *name);
/* How many times the query names the parameter (for protocols that forbid repeats: OAuth). */
size_t ct_req_query_count(const struct ct_req *req, const char *name);
/* Request header from the FastCGI params ("Idempotency-Key" -> HTTP_IDEMPOTENCY_KEY). */
const char *ct_req_header(const struct ct_req *req, const char *name);
const char *ct_req_method(const struct ct_req *req);
/* The request's Content-Type (the CONTENT_TYPE param, which is not an HTTP_* one); NULL if none.
 * CT_R_RAW routes parse their body themselves (multipart) and need it. */
const char *ct_req_content_type(const struct ct_req *req);
/* The worker's configuration (read-only, borrowed; never NULL inside a handler): for settings a
 * handler needs, such as files_dir. */
const struct ct_conf *ct_req_conf(const struct ct_req *req);
/* The pool's JWE key (conf jwe_key_file), borrowed; NULL when none is configured. */
const struct ct_jwe_key *ct_req_jwe_key(const struct ct_req *req);
/* Raw body (NUL-terminated) and its SHA-256; the body is already bounded by max_body. On a
 * CT_R_JWE route it is the decrypted payload, so an idempotent retry hashes the same. */
const char *ct_req_body(const struct ct_req *req, size_t *len);
void ct_req_body_hash(const struct ct_req *req, unsigned char out[32]);

/* Form body (CT_R_FORM routes): the decoded value of a field, NULL when absent; a repeated field
 * makes the request a 400 before the handler runs (OAuth forbids repeated parameters). */
const char *ct_req_form(const struct ct_req *req, const char *name);

/* JSON body. The dispatcher parses it (depth-limited, must be an object) before a handler of a
 * POST/PUT/PATCH route runs and refuses bad JSON with 400; borrowed, NULL for an empty body. */
struct json_object *ct_req_json(const struct ct_req *req);

/* 400 INVALID_JSON unless the request carried a JSON object body (an empty body is not {}). */
enum ct_err ct_req_need_body(struct ct_req *req);

/* Field readers for write endpoints. Each records a field error (and returns false/NULL) on a
 * missing required field, a wrong type or a value out of bounds; the handler checks
 * ct_req_has_errors() once after reading everything and fails with CT_E_RULE. */
const char *ct_body_str(struct ct_req *req, const char *field, bool required, size_t maxlen);
/* A string field copied into dst (cap bytes, NUL included): ct_body_str's checks, then not
 * empty, then valid(value) when valid is not NULL (invalid_msg is the field error). dst is left
 * as it was when the field is absent or refused. */
void ct_body_copy(struct ct_req *req, const char *field, bool required, size_t cap,
                  bool (*valid)(const char *), const char *invalid_msg, char *dst);
/* Amount as JSON number or string, parsed exactly from its text (never through a double). */
bool ct_body_amount(struct ct_req *req, const char *field, const struct ct_currency *cur,
                    int64_t *minor);
/* Records "unknown field" for every member of the body not in the NULL-terminated list. */
void ct_body_only(struct ct_req *req, const char *const *allowed);
void ct_req_field_error(struct ct_req *req, const char *field, const char *message);
bool ct_req_has_errors(const struct ct_req *req);

/* What the request did beyond its method and path, for its admin audit row (CT_R_ADMIN and
 * CT_R_AUDIT routes): action (static text, e.g. "IBAN_REVEAL") and target (copied, e.g. the
 * balance id; may be NULL). */
void ct_req_audit(struct ct_req *req, const char *action, const char *target);

/* Fail the request: the dispatcher renders the route's error envelope with the status of err,
 * `code` (NULL = ct_err_code(err)) and `message`, plus any field errors recorded. Returns err so
 * handlers can `return ct_req_fail(...)`. message must not carry SQL, secrets or stack data. */
enum ct_err ct_req_fail(struct ct_req *req, enum ct_err err, const char *code, const char *message);

/* Reply with a JSON document (consumes obj). */
enum ct_err ct_reply_json(struct ct_req *req, int status, struct json_object *obj);
/* Reply with text that is already JSON (copied); used to replay a stored idempotent answer. */
enum ct_err ct_reply_raw(struct ct_req *req, int status, const char *json);
/* Reply with bytes of any type (PDF, ZIP, XML, an uploaded file): data (len bytes, may hold NULs)
 * is copied into the request arena; content_type (static or arena text, e.g. "application/pdf")
 * replaces application/json. Add a Content-Disposition with ct_reply_header(), e.g.
 * `attachment; filename="statement-12.pdf"` (the name must be sanitized by the caller: the
 * header refuses CR/LF only). A failure recorded with ct_req_fail() still answers the JSON
 * error envelope. */
enum ct_err ct_reply_bytes(struct ct_req *req, int status, const char *content_type,
                           const void *data, size_t len);
/* Reply without a body: 204 (no Content-Type is sent with a 204), or a redirect whose Location
 * the caller adds with ct_reply_header(). */
enum ct_err ct_reply_empty(struct ct_req *req, int status);
/* Add a response header (copied). */
void ct_reply_header(struct ct_req *req, const char *name, const char *value);
/* Pagination: X-Pagination-Total-Count, -Page-Count, -Current-Page, -Per-Page. */
void ct_reply_pagination(struct ct_req *req, int64_t total, int64_t page, int64_t per_page);

/* Page and per_page from the query (page >= 1, 1 <= per_page <= max; defaults 1 and def).
 * Records a field error for bad values. */
bool ct_req_page(struct ct_req *req, int64_t def, int64_t max, int64_t *page, int64_t *per_page);

/* Money-moving POSTs. Runs fn inside one retried transaction guarded by the request's
 * Idempotency-Key header (required: 400 IDEMPOTENCY_KEY_REQUIRED; at most 255 printable ASCII
 * characters). The key is scoped by `scope` (the caller's tenant, e.g. "secure:42") and bound to
 * the SHA-256 of method, path and body. fn validates nothing (do that before) and either fails
 * with ct_req_fail() or sets *status and *answer (consumed). The first answer is stored with the
 * effects in the same transaction and replayed for a repeat with the same request (header
 * Idempotent-Replayed: true); the same key with another request is 409 IDEMPOTENCY_KEY_REUSED.
 * A failed attempt stores nothing, so a corrected retry may reuse its key. */
typedef enum ct_err (*ct_idem_fn)(struct ct_req *req, void *ctx, int *status,
                                  struct json_object **answer);
enum ct_err ct_req_idempotent(struct ct_req *req, const char *scope, ct_idem_fn fn, void *ctx);

#endif /* CT_REQ_H */
