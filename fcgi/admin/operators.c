/* operators.c - a partner's operators, managed by its ADMINs: list, add (with a first password),
 * change name, role, status or password. An operator cannot change its own role or status (the
 * last ADMIN cannot lock the partner out of its panel by mistake). */
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include "ct/ct_operator.h"
#include "ct/ct_password.h"
#include "admin.h"

#define PASSWORD_MAX 1024

struct write_ctx {
    struct ct_operator op;
    const char *hash; /* NULL: keep the password */
};

static enum ct_err insert_unit(struct ct_db *db, void *arg);
static enum ct_err update_unit(struct ct_db *db, void *arg);
static bool read_password(struct ct_req *req, bool required, char hash[CT_PASSWORD_HASH_MAX]);
static bool email_shape(const char *s);

static enum ct_err
insert_unit(struct ct_db *db, void *arg)
{
    struct write_ctx *w = arg;

    return ct_operator_insert(db, &w->op, w->hash);
}

static enum ct_err
update_unit(struct ct_db *db, void *arg)
{
    struct write_ctx *w = arg;

    return ct_operator_update(db, &w->op, w->hash);
}

/* One '@' between non-empty parts, no spaces: the login form's key, not a deliverability check. */
static bool
email_shape(const char *s)
{
    const char *at = strchr(s, '@');

    return at != NULL && at != s && at[1] != '\0' && strchr(at + 1, '@') == NULL &&
           strpbrk(s, " \t\r\n") == NULL;
}

/* The body's "password", checked against the policy and hashed into hash; false when absent
 * (and not required) or refused (a field error is recorded). */
static bool
read_password(struct ct_req *req, bool required, char hash[CT_PASSWORD_HASH_MAX])
{
    const char *password = ct_body_str(req, "password", required, PASSWORD_MAX), *why = NULL;

    if (password == NULL)
        return false;
    if (!ct_password_acceptable(password, &why)) {
        ct_req_field_error(req, "password", why != NULL ? why : "is too weak");
        return false;
    }
    if (ct_password_hash(password, hash) != CT_OK) {
        ct_req_fail(req, CT_E_INTERNAL, NULL, "the password could not be hashed");
        return false;
    }
    return true;
}

enum ct_err
admin_operator_list(struct ct_req *req)
{
    struct ct_operator *items = NULL;
    struct json_object *arr;
    size_t n = 0, i;
    enum ct_err err;

    err = ct_operator_list(req->db, req->ident.partner_id, &items, &n);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "operators could not be listed");
    arr = json_object_new_array();
    for (i = 0; i < n; i++)
        json_object_array_add(arr, ct_operator_json(&items[i]));
    free(items);
    return ct_reply_json(req, 200, arr);
}

enum ct_err
admin_operator_create(struct ct_req *req)
{
    static const char *const fields[] = {"email", "name", "role", "password", NULL};
    struct write_ctx w;
    char hash[CT_PASSWORD_HASH_MAX];
    enum ct_err err;

    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    memset(&w, 0, sizeof(w));
    ct_body_only(req, fields);
    ct_body_copy(req, "email", true, sizeof(w.op.email), email_shape, "must be an email address",
                 w.op.email);
    ct_body_copy(req, "name", false, sizeof(w.op.name), NULL, NULL, w.op.name);
    ct_body_copy(req, "role", true, sizeof(w.op.role), ct_operator_role_valid,
                 "must be EMPLOYEE, MANAGER or ADMIN", w.op.role);
    if (!ct_req_has_errors(req) && read_password(req, true, hash))
        w.hash = hash;
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    if (w.hash == NULL)
        return CT_E_INTERNAL;
    w.op.partner_id = req->ident.partner_id;
    err = ct_db_txn(req->db, insert_unit, &w);
    OPENSSL_cleanse(hash, sizeof(hash));
    if (err == CT_E_CONFLICT)
        return ct_req_fail(req, err, "OPERATOR_EXISTS", "an operator with this email exists");
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the operator could not be added");
    ct_req_audit(req, "OPERATOR_ADD", w.op.id);
    return ct_reply_json(req, 201, ct_operator_json(&w.op));
}

enum ct_err
admin_operator_update(struct ct_req *req)
{
    static const char *const fields[] = {"name", "role", "status", "password", NULL};
    struct write_ctx w;
    char hash[CT_PASSWORD_HASH_MAX], role[16], status[9];
    bool self;
    enum ct_err err;

    memset(&w, 0, sizeof(w));
    ct_req_audit(req, "OPERATOR_UPDATE", ct_req_path_arg(req, "operatorId"));
    err =
        ct_operator_get(req->db, req->ident.partner_id, ct_req_path_arg(req, "operatorId"), &w.op);
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "operator not found");
    if (ct_req_need_body(req) != CT_OK)
        return CT_E_BADREQ;
    self = strcmp(w.op.id, req->ident.subject) == 0;
    (void)snprintf(role, sizeof(role), "%s", w.op.role);
    (void)snprintf(status, sizeof(status), "%s", w.op.status);
    ct_body_only(req, fields);
    ct_body_copy(req, "name", false, sizeof(w.op.name), NULL, NULL, w.op.name);
    ct_body_copy(req, "role", false, sizeof(w.op.role), ct_operator_role_valid,
                 "must be EMPLOYEE, MANAGER or ADMIN", w.op.role);
    ct_body_copy(req, "status", false, sizeof(w.op.status), ct_operator_status_valid,
                 "must be active or disabled", w.op.status);
    if (self && (strcmp(role, w.op.role) != 0 || strcmp(status, w.op.status) != 0))
        return ct_req_fail(req, CT_E_RULE, "CANNOT_CHANGE_OWN_ROLE",
                           "an operator cannot change its own role or status");
    if (!ct_req_has_errors(req) && read_password(req, false, hash))
        w.hash = hash;
    if (ct_req_has_errors(req))
        return ct_req_fail(req, CT_E_RULE, NULL, "some fields are invalid");
    err = ct_db_txn(req->db, update_unit, &w);
    OPENSSL_cleanse(hash, sizeof(hash));
    if (err != CT_OK)
        return ct_req_fail(req, err, NULL, "the operator could not be changed");
    return ct_reply_json(req, 200, ct_operator_json(&w.op));
}
