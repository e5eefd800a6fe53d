/* page.c - the connect pages: templates from www/connect/, filled in HTML-escaped, with their
 * Content-Security-Policy; redirects. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include "ct/ct_buf.h"
#include "ct/ct_log.h"
#include "ct/ct_mem.h"
#include "ct/ct_util.h"
#include "auth.h"

#define TEMPLATE_MAX (256 * 1024)
#define PAGE_CAP (512 * 1024)

static char *read_file(const char *dir, const char *name);
static bool render(struct ct_buf *out, const char *tpl, const struct auth_page_vars *vars);
static const char *var_value(const struct auth_page_vars *vars, const char *name, size_t n);
static void escape_into(struct ct_buf *out, const char *s);
static const char *csp(struct ct_req *req, const char *form_target);
static enum ct_err reply_page(struct ct_req *req, int status, const char *tpl,
                              const struct auth_page_vars *vars, const char *form_target);

/* Loaded before fork, read-only after (the configuration exception of STYLE.md rule 5). */
static struct ct_conf conf;
static char *tpl_connect, *tpl_error, *style;
static char style_hash[48]; /* base64 SHA-256 of the inline style, for the CSP */

static char *
read_file(const char *dir, const char *name)
{
    char path[512];
    FILE *f;
    char *buf = NULL;
    size_t n;

    if (snprintf(path, sizeof(path), "%s/connect/%s", dir, name) >= (int)sizeof(path))
        return NULL;
    f = fopen(path, "rb");
    if (f == NULL) {
        ct_log(LOG_ERR, "auth: cannot read %s", path);
        return NULL;
    }
    buf = ct_malloc(TEMPLATE_MAX + 1);
    n = fread(buf, 1, TEMPLATE_MAX + 1, f);
    (void)fclose(f);
    if (n > TEMPLATE_MAX || memchr(buf, '\0', n) != NULL) {
        ct_log(LOG_ERR, "auth: %s is too large or binary", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

bool
auth_setup(int argc, char **argv)
{
    unsigned char md[32];
    char why[256] = "";

    ct_log_setup("auth", LOG_INFO);
    if (ct_conf_load(argc > 1 ? argv[1] : NULL, &conf, why, sizeof(why)) != CT_OK) {
        ct_log(LOG_ERR, "configuration: %s", why);
        return false;
    }
    if (conf.www_dir[0] == '\0') {
        ct_log(LOG_ERR, "configuration: www_dir is required (the connect page templates)");
        return false;
    }
    /* Checked here, not per request: every authorization response carries it (RFC 9207). */
    if (!auth_issuer_valid(conf.issuer)) {
        ct_log(LOG_ERR, "configuration: issuer must be the main server's origin, "
                        "https://host[:port] (RFC 8414)");
        return false;
    }
    tpl_connect = read_file(conf.www_dir, "index.html");
    tpl_error = read_file(conf.www_dir, "error.html");
    style = read_file(conf.www_dir, "static/connect.css");
    if (tpl_connect == NULL || tpl_error == NULL || style == NULL)
        return false;
    /* The style is inlined (one request less, and no dependence on nginx's MIME types) and
     * allowed by its hash: the CSP needs no 'unsafe-inline'. */
    ct_sha256(style, strlen(style), md);
    (void)EVP_EncodeBlock((unsigned char *)style_hash, md, sizeof(md));
    return true;
}

static void
escape_into(struct ct_buf *out, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '&':
            (void)ct_buf_puts(out, "&amp;");
            break;
        case '<':
            (void)ct_buf_puts(out, "&lt;");
            break;
        case '>':
            (void)ct_buf_puts(out, "&gt;");
            break;
        case '"':
            (void)ct_buf_puts(out, "&quot;");
            break;
        case '\'':
            (void)ct_buf_puts(out, "&#39;");
            break;
        default:
            (void)ct_buf_append(out, s, 1);
            break;
        }
    }
}

const char *
auth_html_escape(struct ct_req *req, const char *s)
{
    struct ct_buf b;
    const char *out;

    ct_buf_init(&b, PAGE_CAP);
    escape_into(&b, s);
    out = ct_req_strdup(req, ct_buf_str(&b));
    ct_buf_free(&b);
    return out;
}

static const char *
var_value(const struct auth_page_vars *vars, const char *name, size_t n)
{
    for (; vars != NULL && vars->name != NULL; vars++)
        if (strlen(vars->name) == n && strncmp(vars->name, name, n) == 0)
            return vars->value;
    return NULL;
}

/* {{name}}: escaped value; {{!name}}: raw (markup the pool built and escaped itself). An unknown
 * name renders empty, so a template cannot make the pool print anything it was not given. */
static bool
render(struct ct_buf *out, const char *tpl, const struct auth_page_vars *vars)
{
    const char *p = tpl, *open, *close;

    while ((open = strstr(p, "{{")) != NULL) {
        bool raw = open[2] == '!';
        const char *name = open + 2 + (raw ? 1 : 0);

        close = strstr(name, "}}");
        if (close == NULL)
            break;
        (void)ct_buf_append(out, p, (size_t)(open - p));
        if (raw) {
            const char *v = var_value(vars, name, (size_t)(close - name));

            (void)ct_buf_puts(out, v != NULL ? v : "");
        } else {
            escape_into(out, var_value(vars, name, (size_t)(close - name)));
        }
        p = close + 2;
    }
    return ct_buf_puts(out, p) == CT_OK;
}

/* form-action must allow where the form's answer redirects to: browsers check the redirect
 * after a form submission against it too. */
static const char *
csp(struct ct_req *req, const char *form_target)
{
    char origin[CT_OAUTH_URI_MAX + 1] = "";
    char *v = ct_req_alloc(req, sizeof(origin) + 512);
    const char *auth;

    if (form_target != NULL && strncmp(form_target, "http", 4) == 0 &&
        (auth = strstr(form_target, "://")) != NULL) {
        size_t n = (size_t)(auth + 3 - form_target) + strcspn(auth + 3, "/?#");

        (void)snprintf(origin, sizeof(origin), "%.*s", (int)n, form_target);
    } else if (form_target != NULL) {
        (void)snprintf(origin, sizeof(origin), "%.*s", (int)strcspn(form_target, ":") + 1,
                       form_target);
    }
    /* a source expression cannot hold these; the redirect then stays blocked, never the CSP */
    if (strpbrk(origin, ";,'\" ") != NULL)
        origin[0] = '\0';
    (void)snprintf(v, sizeof(origin) + 512,
                   "default-src 'none'; style-src 'sha256-%s'; img-src 'self' data:; "
                   "form-action 'self'%s%s; frame-ancestors 'none'; base-uri 'none'",
                   style_hash, origin[0] ? " " : "", origin);
    return v;
}

static enum ct_err
reply_page(struct ct_req *req, int status, const char *tpl, const struct auth_page_vars *vars,
           const char *form_target)
{
    struct ct_buf page;
    struct auth_page_vars all[24];
    size_t n = 0;
    enum ct_err err;

    all[n].name = "style";
    all[n++].value = style;
    for (; vars != NULL && vars->name != NULL && n + 1 < sizeof(all) / sizeof(all[0]); vars++)
        all[n++] = *vars;
    all[n].name = NULL;
    all[n].value = NULL;
    ct_buf_init(&page, PAGE_CAP);
    if (!render(&page, tpl, all)) {
        ct_buf_free(&page);
        return ct_req_fail(req, CT_E_INTERNAL, NULL, "page over its size cap");
    }
    ct_reply_header(req, "Content-Security-Policy", csp(req, form_target));
    err = ct_reply_bytes(req, status, "text/html; charset=utf-8", ct_buf_str(&page),
                         ct_buf_len(&page));
    ct_buf_free(&page);
    return err;
}

enum ct_err
auth_page_connect(struct ct_req *req, int status, const struct auth_page_vars *vars,
                  const char *form_target)
{
    return reply_page(req, status, tpl_connect, vars, form_target);
}

enum ct_err
auth_page_error(struct ct_req *req, int status, const char *title, const char *message)
{
    const struct auth_page_vars vars[] = {
        {"title", title},
        {"message", message},
        {NULL, NULL},
    };

    return reply_page(req, status, tpl_error, vars, NULL);
}

enum ct_err
auth_redirect(struct ct_req *req, const char *url)
{
    ct_reply_header(req, "Location", url);
    return ct_reply_empty(req, 302);
}
