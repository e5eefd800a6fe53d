/* db_fixture.h - what every test against the stack's MariaDB does first: the configuration from
 * the COMPTOIR_DB_* environment (tests/run-all.sh exports the stack's), one connection, and the
 * partner the stack seeded. Included by tests/db/test_*.c only. */
#ifndef DB_FIXTURE_H
#define DB_FIXTURE_H
#include <stdint.h>
#include <stdio.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_log.h"

/* The connection of a test program named `name` (its log lines carry it); NULL, said on stderr,
 * when the configuration is bad or the database cannot be reached. */
static inline struct ct_db *
fixture_open(const char *name, struct ct_conf *conf)
{
    struct ct_db *db = NULL;
    char why[256] = "";

    if (ct_conf_load(NULL, conf, why, sizeof(why)) != CT_OK) {
        fprintf(stderr, "%s: configuration: %s\n", name, why);
        return NULL;
    }
    ct_log_setup(name, LOG_WARNING);
    if (ct_db_open(conf, &db) != CT_OK) {
        fprintf(stderr, "%s: cannot connect to MariaDB at %s\n", name, conf->db_socket);
        return NULL;
    }
    return db;
}

/* A partner row to attach test data to (tools/stack seeds the demo partner); 0 when none. */
static inline int64_t
fixture_partner(struct ct_db *db)
{
    static const char sql[] = "SELECT MIN(id) FROM partner WHERE ? = ?";
    struct ct_rows *r = NULL;
    int64_t id = 0;

    if (ct_db_query(db, sql, &r, "ii", 1, 1) != CT_OK || !ct_rows_i64(r, 0, 0, &id))
        id = 0;
    ct_rows_free(r);
    if (id == 0)
        fprintf(stderr, "no partner in the database (tools/stack seeds one)\n");
    return id;
}

#endif /* DB_FIXTURE_H */
