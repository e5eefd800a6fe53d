/* ct_operator.h - the admin channel's operators (people of a partner using the admin panel, each
 * with one role) and the origins each partner's admin panel is served from. Shared by the admin
 * pool, the middleware's admin gate and the platform operator's tool (tools/operator.c). */
#ifndef CT_OPERATOR_H
#define CT_OPERATOR_H
#include <stdbool.h>
#include <stdint.h>
#include <json-c/json.h>
#include "ct/ct_db.h"
#include "ct/ct_util.h"

#define CT_OPERATOR_EMAIL_MAX 254
#define CT_OPERATOR_NAME_MAX 200
#define CT_ADMIN_ORIGIN_MAX 255

struct ct_operator {
    char id[CT_UUID_LEN + 1];
    int64_t partner_id;
    char email[CT_OPERATOR_EMAIL_MAX + 1];
    char name[CT_OPERATOR_NAME_MAX + 1];
    char role[16];  /* EMPLOYEE, MANAGER, ADMIN */
    char status[9]; /* active, disabled */
    char created_at[32];
    char last_login_at[32]; /* "" when never */
};

/* Whether role is EMPLOYEE, MANAGER or ADMIN (exactly). */
bool ct_operator_role_valid(const char *role);
/* Whether status is active or disabled. */
bool ct_operator_status_valid(const char *status);

/* Inside a transaction: a new operator (op->id and created_at are filled) with the argon2id hash
 * of its password. CT_E_CONFLICT when an operator has that email. */
enum ct_err ct_operator_insert(struct ct_db *db, struct ct_operator *op, const char *password_hash);
/* The partner's operator by id; CT_E_NOTFOUND for another partner's or an unknown id.
 * partner_id 0: any partner's (the platform operator's tool). */
enum ct_err ct_operator_get(struct ct_db *db, int64_t partner_id, const char *id,
                            struct ct_operator *out);
/* The operator with that email (any partner); CT_E_NOTFOUND when none. */
enum ct_err ct_operator_find(struct ct_db *db, const char *email, struct ct_operator *out);
/* Every operator of the partner (0: of every partner), oldest first. On CT_OK *out is a
 * caller-owned array of *n items (free()). */
enum ct_err ct_operator_list(struct ct_db *db, int64_t partner_id, struct ct_operator **out,
                             size_t *n);
/* Writes op's name, role and status (and the new password hash unless NULL; a new password also
 * lifts a lock) to the operator op->id of op->partner_id, then reads it back into op.
 * CT_E_NOTFOUND when there is none. */
enum ct_err ct_operator_update(struct ct_db *db, struct ct_operator *op, const char *password_hash);
/* {id, email, name, role, status, created_at, last_login_at (null when never)}. */
struct json_object *ct_operator_json(const struct ct_operator *op);

/* An origin as browsers send it: "https://host" or "https://host:port" (http only for
 * localhost and 127.0.0.1), lower-case host, no path, query, fragment or userinfo. */
bool ct_admin_origin_valid(const char *origin);
/* CT_OK when origin is one of the partner's admin origins; CT_E_FORBIDDEN when it is not (or is
 * NULL or empty). */
enum ct_err ct_admin_origin_check(struct ct_db *db, int64_t partner_id, const char *origin);
/* Inside a transaction: adds (CT_E_CONFLICT when present) or removes (CT_E_NOTFOUND when absent)
 * one of the partner's admin origins. The caller checks ct_admin_origin_valid first. */
enum ct_err ct_admin_origin_add(struct ct_db *db, int64_t partner_id, const char *origin);
enum ct_err ct_admin_origin_remove(struct ct_db *db, int64_t partner_id, const char *origin);

#endif /* CT_OPERATOR_H */
