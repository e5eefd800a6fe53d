/* partner.c - partners (tenants) as the operator's tools name them: by public id. */
#include "ct/ct_partner.h"

enum ct_err
ct_partner_find(struct ct_db *db, const char *public_id, int64_t *id)
{
    static const char sql[] = "SELECT id FROM partner WHERE public_id = ?";
    struct ct_rows *rows = NULL;
    enum ct_err err;

    if (public_id == NULL)
        return CT_E_NOTFOUND;
    err = ct_db_query(db, sql, &rows, "s", public_id);
    if (err == CT_OK && (ct_rows_count(rows) != 1 || !ct_rows_i64(rows, 0, 0, id)))
        err = CT_E_NOTFOUND;
    ct_rows_free(rows);
    return err;
}
