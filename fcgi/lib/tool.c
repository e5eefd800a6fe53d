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

int
ct_tool_main(const char *prog, int argc, char **argv, const struct ct_tool_cmd *cmds,
             int (*usage)(void))
{
    struct ct_conf conf;
    struct ct_db *db = NULL;
    int rc;

    if (argc < 3)
        return usage();
    for (; cmds->name != NULL; cmds++)
        if (strcmp(cmds->name, argv[2]) == 0)
            break;
    if (cmds->name == NULL)
        return usage();
    if (!ct_tool_connect(prog, argv[1], &conf, &db))
        return 2;
    rc = cmds->run(db, argc - 3, argv + 3);
    ct_db_close(db);
    return rc;
}

int
ct_tool_list(const char *prog, struct ct_db *db, int argc, char **argv, const char *sql,
             const char *header, int (*usage)(void))
{
    const char *partner = NULL, *v;
    struct ct_rows *rows = NULL;
    enum ct_err err;
    size_t i, c;

    if (argc == 2 && strcmp(argv[0], "--partner") == 0)
        partner = argv[1];
    else if (argc != 0)
        return usage();
    err = ct_db_query(db, sql, &rows, "ss", partner, partner);
    if (err != CT_OK)
        return ct_tool_exit(prog, err, "list");
    printf("%s\n", header);
    for (i = 0; i < ct_rows_count(rows); i++)
        for (c = 0; c < ct_rows_cols(rows); c++) {
            v = ct_rows_str(rows, i, c);
            printf("%s%c", v != NULL ? v : "", c + 1 < ct_rows_cols(rows) ? '\t' : '\n');
        }
    ct_rows_free(rows);
    return 0;
}
