/* ct_tool.h - what the platform operator's command-line tools (tools/) share: the database
 * connection from a pool-style configuration, and the exit status of an outcome. */
#ifndef CT_TOOL_H
#define CT_TOOL_H
#include <stdbool.h>
#include "ct/ct_conf.h"
#include "ct/ct_db.h"
#include "ct/ct_err.h"

/* Logs as prog (warnings and worse, on stderr), reads the configuration file conf_path ("-":
 * none, the COMPTOIR_<KEY> variables only) into conf and connects. false, said on stderr as
 * "prog: ...", when the configuration is bad or the database cannot be reached. */
bool ct_tool_connect(const char *prog, const char *conf_path, struct ct_conf *conf,
                     struct ct_db **db);
/* The exit status of an outcome about `what`: 0 done; 1 refused (exists already, not found,
 * invalid), said on stderr; 2 any other failure, said on stderr. */
int ct_tool_exit(const char *prog, enum ct_err err, const char *what);

/* A tool of the form `prog CONF COMMAND ARGS...`: connects with CONF (ct_tool_connect), runs the
 * command of `cmds` (ended by a NULL name) named by argv[2] with the arguments after it, closes
 * the connection and returns the command's exit status; usage() when argv has no command or an
 * unknown one, 2 when the connection fails. */
struct ct_tool_cmd {
    const char *name;
    int (*run)(struct ct_db *db, int argc, char **argv);
};
int ct_tool_main(const char *prog, int argc, char **argv, const struct ct_tool_cmd *cmds,
                 int (*usage)(void));

/* A tool's `list [--partner PUBLIC_ID]`: runs sql (a static statement whose two 's' parameters
 * both take the partner's public id, NULL without --partner) and prints header, then one line per
 * row with its columns tab-separated. usage() for other arguments. */
int ct_tool_list(const char *prog, struct ct_db *db, int argc, char **argv, const char *sql,
                 const char *header, int (*usage)(void));

#endif /* CT_TOOL_H */
