/* connect.c - the consent page (GET /connect) and its form target (POST /connect/authorize):
 * RFC 6749 4.1.1-4.1.2 as seed 001 describes it. An unknown client or an unregistered
 * redirect_uri shows 'Service not found' and never redirects; other bad parameters redirect to
 * the redirect_uri with error (the invalid field names, ';'-separated, as API.md rules), the RFC
 * 6749 error code in error_description, and state. Every redirect also carries iss, the issuer of
 * our metadata (RFC 9207): a client talking to several servers can tell which one answered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_buf.h"
#include "ct/ct_log.h"
#include "ct/ct_login.h"
#include "ct/ct_mem.h"
#include "auth.h"

/* the redirect_uri, then state and iss escaped (each byte at most 3), then the rest */
#define URL_CAP                                                                                    \
    (CT_OAUTH_URI_MAX + 3 * CT_OAUTH_STATE_MAX + 3 * sizeof(((struct ct_conf *)0)->issuer) + 1024)

/* The authorization request, from the query (GET) or the form (POST). */
struct authz {
    const char *response_type, *client_id, *redirect_uri, *state, *scope, *challenge, *method;
    const char *decision, *email, *password; /* POST only */
    struct ct_oauth_client client;
    char bad[160];     /* invalid fields, ';'-separated */
    const char *error; /* RFC 6749 4.1.2.1 code for the redirect */
};

typedef const char *(*param_fn)(const struct ct_req *req, const char *name);

static void read_params(struct ct_req *req, struct authz *a, param_fn get);
static void bad_field(struct authz *a, const char *field);
static bool validate(struct ct_req *req, struct authz *a);
static void refuse_repeated(struct ct_req *req, struct authz *a);
static enum ct_err redirect_back(struct ct_req *req, const struct authz *a, const char *k1,
                                 const char *v1, const char *k2, const char *v2);
static bool add_param(struct ct_buf *url, bool *first, const char *k, const char *v);
static enum ct_err show_page(struct ct_req *req, const struct authz *a, int status,
                             const char *error);
static bool same_origin(struct ct_req *req);
static bool printable(const char *s, size_t max);
static const char *scope_items(struct ct_req *req, const char *scope);
static const char *hidden_fields(struct ct_req *req, const struct authz *a);

static void
read_params(struct ct_req *req, struct authz *a, param_fn get)
{
    memset(a, 0, sizeof(*a));
    a->response_type = get(req, "response_type");
    a->client_id = get(req, "client_id");
    a->redirect_uri = get(req, "redirect_uri");
    a->state = get(req, "state");
    a->scope = get(req, "scope");
    a->challenge = get(req, "code_challenge");
    a->method = get(req, "code_challenge_method");
}

static void
bad_field(struct authz *a, const char *field)
{
    size_t n = strlen(a->bad);

    (void)snprintf(a->bad + n, sizeof(a->bad) - n, "%s%s", n ? ";" : "", field);
}

static bool
printable(const char *s, size_t max)
{
    size_t n = 0;

    for (; *s != '\0'; s++, n++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return false;
    return n <= max;
}

/* Client and redirect_uri first (nothing else is trusted before them), then the rest. Returns
 * false when the 'Service not found' page is the answer; otherwise a->bad lists the rest. */
static bool
validate(struct ct_req *req, struct authz *a)
{
    enum ct_err err;

    err = ct_oauth_connect_client(req->db, a->client_id, a->redirect_uri, &a->client);
    if (err != CT_OK) {
        if (err != CT_E_NOTFOUND)
            ct_log(LOG_WARNING, "connect: client lookup failed (%d)", (int)err);
        return false;
    }
    a->error = "invalid_request";
    if (a->response_type == NULL)
        bad_field(a, "response_type");
    else if (strcmp(a->response_type, "code") != 0) {
        bad_field(a, "response_type");
        a->error = "unsupported_response_type";
    }
    if (a->state != NULL && !printable(a->state, CT_OAUTH_STATE_MAX)) {
        bad_field(a, "state");
        a->state = NULL; /* never echo what we refuse */
    }
    if (a->scope != NULL && !ct_oauth_scope_valid(a->scope))
        bad_field(a, "scope");
    if (a->challenge != NULL && !ct_oauth_pkce_valid(a->challenge))
        bad_field(a, "code_challenge");
    else if (a->challenge == NULL && a->method != NULL)
        bad_field(a, "code_challenge");
    /* S256 only: "plain" (and the plain default of a challenge without a method) is refused */
    if ((a->challenge != NULL || a->method != NULL) &&
        (a->method == NULL || strcmp(a->method, "S256") != 0))
        bad_field(a, "code_challenge_method");
    if (strcmp(a->bad, "scope") == 0)
        a->error = "invalid_scope"; /* the only problem */
    return true;
}

/* The other parameters of GET /connect, each at most once. */
static void
refuse_repeated(struct ct_req *req, struct authz *a)
{
    static const char *const names[] = {"response_type",         "state", "scope", "code_challenge",
                                        "code_challenge_method", NULL};
    const char *const *n;

    for (n = names; *n != NULL; n++)
        if (ct_req_query_count(req, *n) > 1) {
            bad_field(a, *n);
            a->error = "invalid_request";
            if (strcmp(*n, "state") == 0)
                a->state = NULL; /* which one would we echo? none */
        }
}

static bool
add_param(struct ct_buf *url, bool *first, const char *k, const char *v)
{
    char *esc;
    size_t cap;
    bool ok;

    if (k == NULL || v == NULL)
        return true;
    cap = strlen(v) * 3 + 1;
    esc = ct_malloc(cap);
    ok = ct_oauth_query_escape(v, esc, cap) &&
         ct_buf_printf(url, "%s%s=%s", *first ? "" : "&", k, esc) == CT_OK;
    free(esc);
    *first = false;
    return ok;
}

/* redirect_uri + ('?' or '&') + k1=v1 [&k2=v2] [&state=...] &iss=...: state exactly as sent. */
static enum ct_err
redirect_back(struct ct_req *req, const struct authz *a, const char *k1, const char *v1,
              const char *k2, const char *v2)
{
    struct ct_buf url;
    bool first = true, ok;
    const char *u;

    ct_buf_init(&url, URL_CAP);
    ok = ct_buf_printf(&url, "%s%c", a->redirect_uri,
                       strchr(a->redirect_uri, '?') != NULL ? '&' : '?') == CT_OK &&
         add_param(&url, &first, k1, v1) && add_param(&url, &first, k2, v2) &&
         add_param(&url, &first, "state", a->state) &&
         add_param(&url, &first, "iss", ct_req_conf(req)->issuer);
    u = ct_req_strdup(req, ct_buf_str(&url));
    ct_buf_free(&url);
    if (!ok)
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "redirect URL over its cap");
    return auth_redirect(req, u);
}

static const char *
scope_items(struct ct_req *req, const char *scope)
{
    static const struct {
        const char *scope, *text;
    } texts[] = {
        {"read", "See your accounts, balances, operations and statements"},
        {"write", "Make transfers and manage beneficiaries on your behalf"},
    };
    struct ct_buf b;
    const char *out;
    size_t i;

    ct_buf_init(&b, 4096);
    for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct ct_ident tmp;

        memset(&tmp, 0, sizeof(tmp));
        (void)snprintf(tmp.scope, sizeof(tmp.scope), "%s", scope);
        if (ct_ident_has_scope(&tmp, texts[i].scope))
            (void)ct_buf_printf(&b, "<li>%s</li>", texts[i].text); /* static text, no escaping */
    }
    out = ct_req_strdup(req, ct_buf_str(&b));
    ct_buf_free(&b);
    return out;
}

/* Only the parameters the request had: an absent state stays absent in the redirect. */
static const char *
hidden_fields(struct ct_req *req, const struct authz *a)
{
    const char *names[] = {"response_type", "client_id",      "redirect_uri",         "state",
                           "scope",         "code_challenge", "code_challenge_method"};
    const char *values[] = {a->response_type, a->client_id, a->redirect_uri, a->state,
                            a->scope,         a->challenge, a->method};
    struct ct_buf b;
    const char *out;
    size_t i;

    ct_buf_init(&b, URL_CAP * 2);
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (values[i] != NULL)
            (void)ct_buf_printf(&b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", names[i],
                                auth_html_escape(req, values[i]));
    out = ct_req_strdup(req, ct_buf_str(&b));
    ct_buf_free(&b);
    return out;
}

static enum ct_err
show_page(struct ct_req *req, const struct authz *a, int status, const char *error)
{
    char alert[256] = "";
    struct auth_page_vars v[] = {
        {"client_name", a->client.name},
        {"client_id", a->client.client_id},
        {"redirect_uri", a->redirect_uri},
        {"email", a->email},
        {"alert", alert}, /* raw: the static message below, no client text */
        {"scopes", scope_items(req, a->scope != NULL ? a->scope : CT_OAUTH_SCOPES)},
        {"hidden", hidden_fields(req, a)},
        {NULL, NULL},
    };

    if (error != NULL)
        (void)snprintf(alert, sizeof(alert), "<p class=\"alert\" role=\"alert\">%s</p>", error);
    return auth_page_connect(req, status, v, a->redirect_uri);
}

enum ct_err
auth_connect_page(struct ct_req *req)
{
    struct authz a;

    read_params(req, &a, ct_req_query);
    /* RFC 6749 3.1: parameters appear once. A repeated client_id or redirect_uri leaves no
     * trustworthy address to send an error to. */
    if (ct_req_query_count(req, "client_id") > 1 || ct_req_query_count(req, "redirect_uri") > 1 ||
        !validate(req, &a))
        return auth_page_error(req, 400, "Service not found",
                               "The service that sent you here is unknown, or it gave a return "
                               "address it has not registered. Nothing was shared with it.");
    refuse_repeated(req, &a);
    if (a.bad[0] != '\0')
        return redirect_back(req, &a, "error", a.bad, "error_description", a.error);
    return show_page(req, &a, 200, NULL);
}

/* The form must come from our own page: Origin (or, without it, Referer) is this server. The
 * server's origin is https://Host - every server that serves pages is TLS-only. */
static bool
same_origin(struct ct_req *req)
{
    const char *host = ct_req_header(req, "Host");
    const char *origin = ct_req_header(req, "Origin");
    const char *referer = ct_req_header(req, "Referer");
    char self[300];
    size_t n;

    if (host == NULL || *host == '\0' ||
        snprintf(self, sizeof(self), "https://%s", host) >= (int)sizeof(self))
        return false;
    if (origin != NULL && *origin != '\0')
        return strcmp(origin, self) == 0;
    n = strlen(self);
    return referer != NULL && strncmp(referer, self, n) == 0 && referer[n] == '/';
}

enum ct_err
auth_connect_authorize(struct ct_req *req)
{
    struct authz a;
    char customer[CT_UUID_LEN + 1], code[CT_TOKEN_MAX];
    int64_t retry_after = 0;
    enum ct_err err;

    if (!same_origin(req))
        return auth_page_error(req, 403, "Request refused",
                               "This form can only be sent from the consent page itself.");
    read_params(req, &a, ct_req_form);
    a.decision = ct_req_form(req, "decision");
    a.email = ct_req_form(req, "email");
    a.password = ct_req_form(req, "password");
    if (!validate(req, &a))
        return auth_page_error(req, 400, "Service not found",
                               "The service that sent you here is unknown, or it gave a return "
                               "address it has not registered. Nothing was shared with it.");
    if (a.decision == NULL || (strcmp(a.decision, "allow") != 0 && strcmp(a.decision, "deny") != 0))
        bad_field(&a, "decision");
    if (a.bad[0] != '\0')
        return redirect_back(req, &a, "error", a.bad, "error_description", a.error);
    if (strcmp(a.decision, "deny") == 0)
        return redirect_back(req, &a, "error", "access_denied", NULL, NULL);
    err = ct_customer_login(req->db, a.client.partner_id, a.email, a.password, customer,
                            &retry_after);
    if (err == CT_E_UNAUTH)
        return show_page(req, &a, 401, "The email or password is incorrect.");
    if (err == CT_E_TOOMANY)
        return show_page(req, &a, 429,
                         "Too many failed attempts: this account is locked for a while.");
    if (err == CT_OK)
        err = ct_oauth_code_issue(req->db, &a.client, customer,
                                  a.scope != NULL ? a.scope : CT_OAUTH_SCOPES, a.redirect_uri,
                                  a.challenge, code);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the consent could not be recorded");
    err = redirect_back(req, &a, "code", code, NULL, NULL);
    OPENSSL_cleanse(code, sizeof(code));
    return err;
}
