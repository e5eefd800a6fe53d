/* routes.c - the cardauth pool's route table. Every route needs a registered processor
 * certificate (nginx checks it against the processor CA first). Authorizations and clearings
 * come with the card authorizer. */
#include "cardauth.h"

const struct ct_route cardauth_routes[] = {
    {"POST", "/processor/cards/link", cardauth_card_link, CT_R_PROCESSOR},
    {"POST", "/processor/cards/{cardId}/lock", cardauth_card_lock, CT_R_PROCESSOR},
    {NULL, NULL, NULL, 0},
};
