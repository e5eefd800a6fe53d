/* auth.h - the auth pool: nginx's auth_request target (/_auth/{realm}), the OAuth 2.0 connect
 * pages and the token and revocation endpoints. Private to the pool. */
#ifndef AUTH_H
#define AUTH_H
#include <stdbool.h>
#include "ct/ct_conf.h"
#include "ct/ct_oauth.h"
#include "ct/ct_req.h"

extern const struct ct_route auth_routes[];

/* Loaded once in main() before the workers fork, read-only afterwards: the page templates of
 * www/connect/ (from the configuration's www_dir). Returns false (after logging) when a template
 * cannot be read. Handlers read the configuration itself with ct_req_conf(). */
bool auth_setup(int argc, char **argv);

/* handlers */
enum ct_err auth_check(struct ct_req *req);             /* GET /_auth/{realm} */
enum ct_err auth_connect_page(struct ct_req *req);      /* GET /connect */
enum ct_err auth_connect_authorize(struct ct_req *req); /* POST /connect/authorize */
enum ct_err auth_token(struct ct_req *req);             /* POST /oauth/token */
enum ct_err auth_revoke(struct ct_req *req);            /* POST /oauth/revoke */
enum ct_err auth_metadata(struct ct_req *req); /* GET /.well-known/oauth-authorization-server */

/* The configured issuer is an origin: https://host[:port], no path, query, fragment or
 * userinfo (metadata.c). auth_setup() refuses to start otherwise. */
bool auth_issuer_valid(const char *issuer);

/* pages (page.c) */
struct auth_page_vars {
    const char *name;  /* placeholder {{name}} is HTML-escaped; {{!name}} is inserted as is */
    const char *value; /* NULL renders as "" */
};
/* Renders www/connect/index.html with vars (NULL-terminated) and replies with it: text/html,
 * the page's Content-Security-Policy (form-action 'self' plus the origin of form_target, the
 * redirect_uri the form's answer goes to; NULL: 'self' only). */
enum ct_err auth_page_connect(struct ct_req *req, int status, const struct auth_page_vars *vars,
                              const char *form_target);
/* The error page (www/connect/error.html): title and message, no redirect. */
enum ct_err auth_page_error(struct ct_req *req, int status, const char *title, const char *message);
/* HTML-escaped copy of s in the request arena. */
const char *auth_html_escape(struct ct_req *req, const char *s);
/* 302 to url (Location), no body. */
enum ct_err auth_redirect(struct ct_req *req, const char *url);

#endif /* AUTH_H */
