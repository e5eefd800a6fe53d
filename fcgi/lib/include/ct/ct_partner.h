/* ct_partner.h - partners (tenants) as the operator's tools name them. */
#ifndef CT_PARTNER_H
#define CT_PARTNER_H
#include <stdint.h>
#include "ct/ct_db.h"

/* The row id of the partner with this public id (any status); CT_E_NOTFOUND when none. */
enum ct_err ct_partner_find(struct ct_db *db, const char *public_id, int64_t *id);

#endif /* CT_PARTNER_H */
