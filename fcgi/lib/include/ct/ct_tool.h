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

#endif /* CT_TOOL_H */
