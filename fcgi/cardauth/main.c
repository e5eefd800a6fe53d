/* main.c - the cardauth pool: the card processor's API (/processor) on the cards server,
 * authenticated by client certificates of the processor CA. */
#include "ct/ct_serve.h"
#include "cardauth.h"

int
main(int argc, char **argv)
{
    return ct_serve("cardauth", cardauth_routes, argc, argv);
}
