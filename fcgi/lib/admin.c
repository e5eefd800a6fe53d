/* admin.c - the admin channel's middleware: the role and Origin gate of CT_R_ADMIN routes, and
 * the audit row of every admin request (docs/middleware.md, "Admin channel"). */
#include <stdio.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_operator.h"
#include "internal.h"

#define AUDIT_PATH_MAX 255
#define AUDIT_TARGET_MAX 64

struct audit_row {
    const char *operator_id, *partner_id, *role, *method, *path, *request_id, *action, *target;
    int status;
};

static unsigned role_flag(const char *role);
static enum ct_err audit_unit(struct ct_db *db, void *arg);

/* The route flag that admits an operator of this role; 0 for anything else. */
static unsigned
role_flag(const char *role)
{
    if (strcmp(role, "EMPLOYEE") == 0)
        return CT_R_ROLE_EMPLOYEE;
    if (strcmp(role, "MANAGER") == 0)
        return CT_R_ROLE_MANAGER;
    if (strcmp(role, "ADMIN") == 0)
        return CT_R_ROLE_ADMIN;
    return 0;
}

enum ct_err
ct_admin_gate(struct ct_req *req)
{
    enum ct_err err;

    err = ct_admin_origin_check(req->db, req->ident.partner_id, ct_req_header(req, "Origin"));
    if (err == CT_E_FORBIDDEN)
        return ct_req_fail(req, err, "ORIGIN_NOT_ALLOWED",
                           "this origin is not one of the partner's admin panel origins");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the origin could not be checked");
    if ((role_flag(req->ident.role) & req->route->flags) == 0)
        return ct_req_fail(req, CT_E_FORBIDDEN, "FORBIDDEN_ROLE",
                           "the operator's role does not allow this action");
    return CT_OK;
}

void
ct_req_audit(struct ct_req *req, const char *action, const char *target)
{
    char *copy = NULL;

    if (target != NULL) {
        copy = ct_req_strdup(req, target);
        if (strlen(copy) > AUDIT_TARGET_MAX)
            copy[AUDIT_TARGET_MAX] = '\0';
    }
    req->in->audit_action = action;
    req->in->audit_target = copy;
}

static enum ct_err
audit_unit(struct ct_db *db, void *arg)
{
    static const char sql[] = "INSERT INTO admin_audit (operator_id, partner_id, role, method, "
                              "path, status, request_id, action, target) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    const struct audit_row *a = arg;

    return ct_db_exec_last(db, sql, "sssssisss", a->operator_id, a->partner_id, a->role, a->method,
                           a->path, a->status, a->request_id, a->action, a->target);
}

/* After the handler, before the reply is sent: the status is the one the client will get. A
 * failure to write is logged for the operator of the platform to act on; the reply stands (the
 * action, if any, was committed before). */
void
ct_admin_audit(struct ct_req *req)
{
    struct ct_req_internal *in = req->in;
    struct audit_row a;
    char partner[24], path[AUDIT_PATH_MAX + 1];
    bool known = req->ident.kind == CT_IDENT_OPERATOR;
    enum ct_err err;

    memset(&a, 0, sizeof(a));
    (void)snprintf(partner, sizeof(partner), "%lld", (long long)req->ident.partner_id);
    (void)snprintf(path, sizeof(path), "%s", in->path != NULL ? in->path : "-");
    a.operator_id = known ? req->ident.subject : NULL;
    a.partner_id = known ? partner : NULL;
    a.role = known && req->ident.role[0] != '\0' ? req->ident.role : NULL;
    a.method = in->method != NULL ? in->method : "-";
    a.path = path;
    a.status = in->err != CT_OK ? ct_err_status(in->err) : in->replied ? in->status : 500;
    a.request_id = req->request_id != NULL ? req->request_id : "-";
    a.action = in->audit_action;
    a.target = in->audit_target;
    err = ct_db_txn(req->db, audit_unit, &a);
    if (err != CT_OK)
        ct_log(LOG_ERR, "admin audit row not written (%s %s %d)", a.method, a.path, a.status);
}
