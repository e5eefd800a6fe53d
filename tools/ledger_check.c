/* ledger_check.c - checks the ledger invariants (DESIGN.md section 3); exit 0 healthy,
 * 1 violations found, 2 the check could not run. */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_ledger.h"
#include "ct/ct_log.h"

#define LEDGER_CHECK_MAX_LINES 1000

static void print_line(const char *line, void *arg);

static void
print_line(const char *line, void *arg)
{
    (void)arg;
    printf("violation: %s\n", line);
}

int
main(int argc, char **argv)
{
    struct ct_conf conf;
    struct ct_db *db = NULL;
    char why[256] = "";
    long found;
    int rc = 2;

    if (argc != 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "usage: comptoir-ledger_check CONFIG_FILE  (\"-\": environment only)\n"
                        "exit: 0 healthy, 1 violations, 2 cannot check\n");
        return 2;
    }
    ct_log_setup("ledger_check", LOG_WARNING);
    if (ct_conf_load(strcmp(argv[1], "-") == 0 ? NULL : argv[1], &conf, why, sizeof(why)) !=
        CT_OK) {
        fprintf(stderr, "ledger_check: bad configuration: %s\n", why);
        goto out;
    }
    ct_log_setup("ledger_check", conf.log_level);
    if (ct_db_open(&conf, &db) != CT_OK) {
        fprintf(stderr, "ledger_check: cannot connect to the database\n");
        goto out;
    }
    found = ct_ledger_check(db, print_line, NULL, LEDGER_CHECK_MAX_LINES);
    if (found < 0) {
        fprintf(stderr, "ledger_check: cannot read the ledger\n");
        goto out;
    }
    if (found > LEDGER_CHECK_MAX_LINES)
        printf("... %ld more\n", found - LEDGER_CHECK_MAX_LINES);
    printf("ledger_check: %ld violation%s\n", found, found == 1 ? "" : "s");
    rc = found == 0 ? 0 : 1;
out:
    ct_db_close(db);
    return rc;
}
