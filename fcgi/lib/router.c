/* router.c - method + path pattern matching over a pool's route table; 404 and 405 with Allow. */
#include <stdio.h>
#include <string.h>
#include "ct/ct_mem.h"
#include "internal.h"

static bool match(const char *pattern, const char *path, struct ct_req *req, bool capture);

/* Segment by segment: a literal must be equal, {name} takes one non-empty segment. */
static bool
match(const char *pattern, const char *path, struct ct_req *req, bool capture)
{
    const char *p = pattern, *q = path;
    size_t nargs = 0;

    while (*p != '\0' && *q != '\0') {
        const char *pe = strchr(p + 1, '/'), *qe = strchr(q + 1, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        size_t qlen = qe ? (size_t)(qe - q) : strlen(q);

        if (*p != '/' || *q != '/')
            return false;
        if (plen > 2 && p[1] == '{' && p[plen - 1] == '}') {
            if (qlen < 2 || nargs == CT_MAX_PATH_ARGS)
                return false;
            if (capture) {
                char *name = ct_req_alloc(req, plen - 2);
                char *value = ct_req_alloc(req, qlen);

                memcpy(name, p + 2, plen - 3);
                name[plen - 3] = '\0';
                memcpy(value, q + 1, qlen - 1);
                value[qlen - 1] = '\0';
                req->in->args[nargs].key = name;
                req->in->args[nargs].value = value;
            }
            nargs++;
        } else if (plen != qlen || memcmp(p, q, plen) != 0) {
            return false;
        }
        p += plen;
        q += qlen;
    }
    if (*p != '\0' || *q != '\0')
        return false;
    if (capture)
        req->in->nargs = nargs;
    return true;
}

enum ct_err
ct_route_match(const struct ct_route *routes, struct ct_req *req, const char *method,
               const char *path, char *allow, size_t allowsz)
{
    const struct ct_route *r;
    bool path_known = false;
    size_t used = 0;

    allow[0] = '\0';
    for (r = routes; r->method != NULL; r++) {
        if (!match(r->pattern, path, req, false))
            continue;
        if (strcmp(r->method, method) == 0) {
            (void)match(r->pattern, path, req, true);
            req->route = r;
            return CT_OK;
        }
        path_known = true;
        if (used + strlen(r->method) + 3 < allowsz) {
            int n = snprintf(allow + used, allowsz - used, "%s%s", used ? ", " : "", r->method);

            if (n > 0)
                used += (size_t)n;
        }
    }
    return path_known ? CT_E_METHOD : CT_E_NOTFOUND;
}
