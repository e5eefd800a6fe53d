/* tool.c - the command-line tools' connection and exit statuses. */
#include <stdio.h>
#include <string.h>
#include "ct/ct_log.h"
#include "ct/ct_tool.h"

bool
ct_tool_connect(const char *prog, const char *conf_path, struct ct_conf *conf, struct ct_db **db)
{
    char why[256] = "";

    ct_log_setup(prog, LOG_WARNING);
    if (ct_conf_load(strcmp(conf_path, "-") == 0 ? NULL : conf_path, conf, why, sizeof(why)) !=
        CT_OK) {
        fprintf(stderr, "%s: bad configuration: %s\n", prog, why);
        return false;
    }
    if (ct_db_open(conf, db) != CT_OK) {
        fprintf(stderr, "%s: cannot connect to the database\n", prog);
        return false;
    }
    return true;
}

int
ct_tool_exit(const char *prog, enum ct_err err, const char *what)
{
    switch (err) {
    case CT_OK:
        return 0;
    case CT_E_CONFLICT:
        fprintf(stderr, "%s: %s: exists already\n", prog, what);
        return 1;
    case CT_E_NOTFOUND:
        fprintf(stderr, "%s: %s: not found\n", prog, what);
        return 1;
    case CT_E_RULE:
        fprintf(stderr, "%s: %s: invalid\n", prog, what);
        return 1;
    default:
        fprintf(stderr, "%s: %s: database failure\n", prog, what);
        return 2;
    }
}
