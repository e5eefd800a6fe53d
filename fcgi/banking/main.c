/* main.c - the banking pool: the manager.one read API (accounts, operations, third parties). */
#include "ct/ct_serve.h"
#include "banking.h"

int
main(int argc, char **argv)
{
    return ct_serve("banking", banking_routes, argc, argv);
}
