/* routes.c - the auth pool's route table. */
#include "auth.h"

/* nginx's auth_request subrequest is a GET, but $request_method (REQUEST_METHOD) names the main
 * request's method: the check answers for every method the protected locations take. */
#define CHECK(m)                                                                                   \
    {                                                                                              \
        m, "/_auth/{realm}", auth_check, CT_R_PUBLIC | CT_R_NOBODY                                 \
    }

const struct ct_route auth_routes[] = {
    CHECK("GET"),
    CHECK("HEAD"),
    CHECK("POST"),
    CHECK("PUT"),
    CHECK("PATCH"),
    CHECK("DELETE"),
    {"GET", "/connect", auth_connect_page, CT_R_PUBLIC},
    {"POST", "/connect/authorize", auth_connect_authorize, CT_R_PUBLIC | CT_R_FORM},
    {"POST", "/oauth/token", auth_token, CT_R_PUBLIC | CT_R_FORM | CT_R_M1},
    {"POST", "/oauth/revoke", auth_revoke, CT_R_PUBLIC | CT_R_FORM | CT_R_M1},
    {"GET", "/.well-known/oauth-authorization-server", auth_metadata, CT_R_PUBLIC},
    {NULL, NULL, NULL, 0},
};
