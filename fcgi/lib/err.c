/* err.c - the single table from enum ct_err to HTTP status and stable code. */
#include "ct/ct_err.h"

static const struct {
    int status;
    const char *code;
} err_map[CT_E__COUNT] = {
    [CT_OK] = {200, "OK"},
    [CT_E_BADREQ] = {400, "BAD_REQUEST"},
    [CT_E_UNAUTH] = {401, "UNAUTHORIZED"},
    [CT_E_FORBIDDEN] = {403, "FORBIDDEN"},
    [CT_E_NOTFOUND] = {404, "NOT_FOUND"},
    [CT_E_METHOD] = {405, "METHOD_NOT_ALLOWED"},
    [CT_E_CONFLICT] = {409, "CONFLICT"},
    [CT_E_TOOBIG] = {413, "PAYLOAD_TOO_LARGE"},
    [CT_E_MEDIA] = {415, "UNSUPPORTED_MEDIA_TYPE"},
    [CT_E_RULE] = {422, "VALIDATION_ERROR"},
    [CT_E_TOOMANY] = {429, "TOO_MANY_REQUESTS"},
    [CT_E_BUSY] = {503, "BUSY"},
    [CT_E_INTERNAL] = {500, "INTERNAL"},
};

int
ct_err_status(enum ct_err err)
{
    if ((unsigned)err >= CT_E__COUNT)
        return 500;
    return err_map[err].status;
}

const char *
ct_err_code(enum ct_err err)
{
    if ((unsigned)err >= CT_E__COUNT)
        return "INTERNAL";
    return err_map[err].code;
}

const char *
ct_http_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}
