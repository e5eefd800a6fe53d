// Cards over HTTPS (seed 003, API.md): virtual and physical cards on the customer and partner
// channels, the processor's link and lock on the cards server, every transition of the state
// machine and every forbidden one with its code, full data and PIN through JWE (jose on this
// side), scopes (another customer's or partner's card is 404), bad input (4xx, never 500). Every
// PAN, CVC2 and PIN seen is written to the stack's cards_seen.txt for tests/tools/card_scan.sh.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import {
    DEMO, ENV, NO_CERT, assertStatus, balanceCents, createBalance, createCustomer, frenchIban, get,
    issuePartner, ledgerCheck, lit, partnerIdOf, post, reload, request, runTool, show, sql, sqlValue,
    uniq, verifiedCustomer,
} from './lib/stack.mjs';
import {
    ADDRESS, BIN, CARDS_URL, ME, assertRefused, cardCustomer, createVirtual, decrypt, fullData,
    PROCESSOR, issueProcessor, jweGet, jweSend, link, luhn, orderPhysical, processorPost, seen,
} from './lib/cards.mjs';

const LOCK_TABLE = [
    [1, 'CARD_LOST', '2008', true], [2, 'CARD_STOLEN', '2009', true], [3, 'PENDING_QUERY', '1000', false],
    [4, 'CARD_CONSOLIDATION', '1016', false], [5, 'CARD_INACTIVE', '1018', true],
    [6, 'PIN_TRIES_EXCEEDED', '1006', false], [7, 'SUSPECTED_FRAUD', '1002', false], [8, 'CARD_REPLACED', '1011', true],
];

const events = (cardId) => sql(`SELECT event, IFNULL(from_status, '-'), to_status, IFNULL(lock_reason, 0), channel, actor
    FROM card_event WHERE card_id = ${lit(cardId)} ORDER BY id`);

let cu;
before(async () => {
    cu = await cardCustomer();
});

describe('virtual card, customer channel', () => {
    let card;
    test('creation needs JWE; the answer is encrypted and masked', async () => {
        const clear = await post(`/customers/me/balances/${cu.balanceId}/cards`, {}, cu.auth);
        assertRefused(clear, 400, 'ENCRYPTION_REQUIRED', 'clear request');
        card = await createVirtual(cu);
        assert.equal(card.type, 'VIRTUAL');
        assert.equal(card.status, 'ACTIVE');
        assert.equal(card.balance_id, cu.balanceId);
        assert.match(card.last4, /^\d{4}$/);
        assert.match(card.expiry, /^(0[1-9]|1[0-2])\/\d{2}$/);
        assert.equal(card.masked_pan, `539999******${card.last4}`);
        assert.equal(card.cardholder_name, 'ADA LOVELACE');
        assert.equal(card.pan, undefined);
        assert.equal(card.cvc2, undefined);
        assert.deepEqual(events(card.id), [['CREATED', '-', 'ACTIVE', '0', 'CUSTOMER', cu.id]]);
    });

    test('full data: R required, a JWE of pan, expiry, cvc2, cardholder_name', async () => {
        const clear = await get(`${ME}/${card.id}/full-data`, cu.auth);
        assertRefused(clear, 400, 'ENCRYPTION_REQUIRED');
        const d = await fullData(cu, card.id);
        assert.match(d.pan, /^53999912\d{8}$/);
        assert.ok(luhn(d.pan), 'Luhn');
        assert.equal(d.pan.slice(-4), card.last4);
        assert.equal(d.expiry, card.expiry);
        assert.match(d.cvc2, /^\d{3}$/);
        assert.equal(d.cardholder_name, 'ADA LOVELACE');
        // the same twice (CVC2 computed, not random)
        const again = await fullData(cu, card.id);
        assert.equal(again.cvc2, d.cvc2);
        // the PAN is stored sealed only
        const row = sql(`SELECT pan_sealed, last4, bin, LENGTH(pan_lookup) FROM card WHERE id = ${lit(card.id)}`)[0];
        assert.match(row[0], /^pan1\.1\.[0-9a-f]+\.[0-9a-f]+\.[0-9a-f]+$/);
        assert.ok(!row[0].includes(d.pan));
        assert.deepEqual(row.slice(1), [card.last4, BIN, '64']);
    });

    test('list and get are masked', async () => {
        const list = await get(ME, cu.auth);
        assertStatus(list, 200);
        assert.ok(list.json.some((c) => c.id === card.id));
        const one = await get(`${ME}/${card.id}`, cu.auth);
        assertStatus(one, 200);
        assert.equal(one.json.masked_pan, card.masked_pan);
        assert.ok(!/\d{13,}/.test(list.text + one.text), 'a long digit run in a masked answer');
    });

    test('lock with a reversible reason, lock again, unlock', async () => {
        let r = await post(`${ME}/${card.id}/lock`, { reason: 3 }, cu.auth);
        assertStatus(r, 200);
        assert.equal(r.json.status, 'LOCKED');
        assert.equal(r.json.lock_reason, 3);
        assert.equal(r.json.action_code, '1000');
        assertRefused(await jweGet(`${ME}/${card.id}/full-data`, cu.auth), 422, 'CARD_LOCKED', 'full data');
        assertRefused(await jweSend('POST', `${ME}/${card.id}/pin`, { pin: '1234' }, cu.auth), 422, 'CARD_LOCKED', 'pin');
        assertRefused(await jweSend('POST', `${ME}/${card.id}/cvv/reset`, undefined, cu.auth), 422, 'CARD_LOCKED', 'cvv');
        r = await post(`${ME}/${card.id}/lock`, { reason: '7' }, cu.auth);
        assertStatus(r, 200);
        assert.equal(r.json.lock_reason, 7);
        r = await post(`${ME}/${card.id}/unlock`, undefined, cu.auth);
        assertStatus(r, 200);
        assert.equal(r.json.status, 'ACTIVE');
        assert.equal(r.json.lock_reason, null);
        assertRefused(await post(`${ME}/${card.id}/unlock`, undefined, cu.auth), 422, 'CARD_NOT_LOCKED');
        assertRefused(await post(`${ME}/${card.id}/activate`, undefined, cu.auth), 422, 'CARD_NOT_PHYSICAL');
        const ev = events(card.id).slice(1);
        assert.deepEqual(ev.map((e) => e.slice(0, 5)), [
            ['LOCKED', 'ACTIVE', 'LOCKED', '3', 'CUSTOMER'],
            ['LOCKED', 'LOCKED', 'LOCKED', '7', 'CUSTOMER'],
            ['UNLOCKED', 'LOCKED', 'ACTIVE', '0', 'CUSTOMER'],
        ]);
    });

    test('CVV reset gives another CVC2; the PAN stays', async () => {
        const before1 = await fullData(cu, card.id);
        const r = await jweSend('POST', `${ME}/${card.id}/cvv/reset`, undefined, cu.auth);
        assertStatus(r, 200);
        const after = await decrypt(r);
        assert.equal(after.id, card.id);
        const d = await fullData(cu, card.id);
        assert.equal(d.pan, before1.pan);
        assert.notEqual(d.cvc2, before1.cvc2);
        assert.equal(sqlValue(`SELECT cvv_generation > 0 FROM card WHERE id = ${lit(card.id)}`), '1');
    });

    test('PIN through JWE: sealed, never stored in clear', async () => {
        const clear = await post(`${ME}/${card.id}/pin`, { pin: '4321' }, cu.auth);
        assertRefused(clear, 400, 'ENCRYPTION_REQUIRED');
        for (const bad of [{ pin: '12a4' }, { pin: '123' }, { pin: 1234 }, {}, { pin: '1234', x: 1 }, { pin: '1234567890123' }]) {
            assertRefused(await jweSend('POST', `${ME}/${card.id}/pin`, bad, cu.auth), 422, 'VALIDATION_ERROR', JSON.stringify(bad));
        }
        const pin = String(crypto.randomInt(100000, 999999));
        seen('pin', pin);
        const r = await jweSend('POST', `${ME}/${card.id}/pin`, { pin }, cu.auth);
        assert.equal(r.status, 204, show(r));
        const sealed = sqlValue(`SELECT pin_sealed FROM card WHERE id = ${lit(card.id)}`);
        assert.match(sealed, /^pin4\.1\.[0-9a-f]{32}$/);
        const one = await get(`${ME}/${card.id}`, cu.auth);
        assert.equal(one.json.pin_set, true);
        assert.equal(events(card.id).at(-1)[0], 'PIN_SET');
    });

    test('remove is final: every action is then CARD_REMOVED', async () => {
        const c = await createVirtual(cu);
        const r = await request('DELETE', `${ME}/${c.id}`, cu.auth);
        assert.equal(r.status, 204, show(r));
        const one = await get(`${ME}/${c.id}`, cu.auth);
        assert.equal(one.json.status, 'REMOVED');
        assertRefused(await request('DELETE', `${ME}/${c.id}`, cu.auth), 422, 'CARD_REMOVED', 'remove');
        assertRefused(await post(`${ME}/${c.id}/lock`, { reason: 3 }, cu.auth), 422, 'CARD_REMOVED', 'lock');
        assertRefused(await post(`${ME}/${c.id}/unlock`, undefined, cu.auth), 422, 'CARD_REMOVED', 'unlock');
        assertRefused(await post(`${ME}/${c.id}/activate`, undefined, cu.auth), 422, 'CARD_REMOVED', 'activate');
        assertRefused(await jweGet(`${ME}/${c.id}/full-data`, cu.auth), 422, 'CARD_REMOVED', 'full data');
        assertRefused(await jweSend('POST', `${ME}/${c.id}/pin`, { pin: '1234' }, cu.auth), 422, 'CARD_REMOVED', 'pin');
        assertRefused(await jweSend('POST', `${ME}/${c.id}/cvv/reset`, undefined, cu.auth), 422, 'CARD_REMOVED', 'cvv');
        assert.deepEqual(events(c.id).at(-1).slice(0, 3), ['REMOVED', 'ACTIVE', 'REMOVED']);
    });
});

test('concurrent locks and unlocks of one card are decided one after the other', async () => {
    const c = await createVirtual(cu);
    const calls = [];
    for (let i = 0; i < 24; i++) {
        calls.push(i % 3 === 2
            ? post(`${ME}/${c.id}/unlock`, undefined, cu.auth)
            : post(`${ME}/${c.id}/lock`, { reason: i % 2 ? 3 : 7 }, cu.auth));
    }
    calls.push(post(`${ME}/${c.id}/lock`, { reason: 1 }, cu.auth));
    const answers = await Promise.all(calls);
    let ok = 0;
    for (const r of answers) {
        assert.ok(r.status === 200 || (r.status === 422 && ['CARD_NOT_LOCKED', 'CARD_LOCK_IRREVERSIBLE'].includes(r.json.code)), show(r));
        if (r.status === 200) ok++;
    }
    // one event per accepted change, each starting where the one before ended
    const ev = events(c.id).slice(1);
    assert.equal(ev.length, ok);
    let status = 'ACTIVE';
    for (const e of ev) {
        assert.equal(e[1], status, JSON.stringify(ev));
        status = e[2];
    }
    const now = (await get(`${ME}/${c.id}`, cu.auth)).json;
    assert.equal(now.status, status);
    // the lost-card lock was accepted at some point and nothing undid it
    assert.equal(now.lock_reason, 1);
});

describe('lock reasons (seed 003 table)', () => {
    for (const [code, name, action, irreversible] of LOCK_TABLE) {
        test(`reason ${code} ${name}: action code ${action}, ${irreversible ? 'irreversible' : 'reversible'}`, async () => {
            const c = await createVirtual(cu);
            assert.equal((await fullData(cu, c.id)).pan.slice(-4), c.last4);
            const r = await post(`${ME}/${c.id}/lock`, { reason: code }, cu.auth);
            assertStatus(r, 200);
            assert.deepEqual([r.json.status, r.json.lock_reason, r.json.lock_reason_name, r.json.action_code],
                ['LOCKED', code, name, action]);
            const un = await post(`${ME}/${c.id}/unlock`, undefined, cu.auth);
            const relock = await post(`${ME}/${c.id}/lock`, { reason: 3 }, cu.auth);
            if (irreversible) {
                assertRefused(un, 422, 'CARD_LOCK_IRREVERSIBLE', 'unlock');
                assertRefused(relock, 422, 'CARD_LOCK_IRREVERSIBLE', 'lock again');
                // removal is still possible, and final
                assert.equal((await request('DELETE', `${ME}/${c.id}`, cu.auth)).status, 204);
            } else {
                assertStatus(un, 200);
                assert.equal(un.json.status, 'ACTIVE');
                assertStatus(relock, 200);
            }
        });
    }
});

describe('physical card: ordered, linked by the processor, activated', () => {
    let card;
    test('order needs a delivery address; the card is ORDERED, due in 48 hours', async () => {
        for (const [body, field] of [[{}, 'delivery_address'], [{ delivery_address: { ...ADDRESS, country: 'FRA' } }, 'delivery_address.country'],
            [{ delivery_address: { ...ADDRESS, city: '' } }, 'delivery_address.city'],
            [{ delivery_address: { ...ADDRESS, extra: 'x' } }, 'delivery_address'],
            [{ delivery_address: 'Paris' }, 'delivery_address'], [{ delivery_address: ADDRESS, cardholder_name: '<script>' }, 'cardholder_name']]) {
            const r = await jweSend('POST', `/customers/me/balances/${cu.balanceId}/cards/physical`, body, cu.auth);
            assertRefused(r, 422, 'VALIDATION_ERROR', JSON.stringify(body));
            assert.ok(r.json.errors.some((e) => e.field === field), show(r));
        }
        card = await orderPhysical(cu, { delivery_address: ADDRESS, cardholder_name: 'Ada K. Lovelace' });
        assert.equal(card.type, 'PHYSICAL');
        assert.equal(card.status, 'ORDERED');
        assert.equal(card.last4, null);
        assert.equal(card.cardholder_name, 'ADA K. LOVELACE');
        assert.deepEqual(card.delivery_address, { ...ADDRESS, line2: null });
        assert.match(card.reference, /^[0-9a-f-]{36}$/);
        const due = Date.parse(card.personalisation_due) - Date.parse(card.created_at);
        assert.ok(Math.abs(due - 48 * 3600e3) < 5000, `personalisation due ${due} ms after the order`);
        assert.deepEqual(events(card.id), [['ORDERED', '-', 'ORDERED', '0', 'CUSTOMER', cu.id]]);
    });

    test('before the link: activate, lock, pin and full data are CARD_NOT_LINKED', async () => {
        assertRefused(await post(`${ME}/${card.id}/activate`, undefined, cu.auth), 422, 'CARD_NOT_LINKED', 'activate');
        assertRefused(await post(`${ME}/${card.id}/lock`, { reason: 3 }, cu.auth), 422, 'CARD_NOT_LINKED', 'lock');
        assertRefused(await jweGet(`${ME}/${card.id}/full-data`, cu.auth), 422, 'CARD_NOT_LINKED', 'full data');
        assertRefused(await jweSend('POST', `${ME}/${card.id}/pin`, { pin: '1234' }, cu.auth), 422, 'CARD_NOT_LINKED', 'pin');
        assertRefused(await jweSend('POST', `${ME}/${card.id}/cvv/reset`, undefined, cu.auth), 422, 'CARD_NOT_VIRTUAL', 'cvv');
        assertRefused(await post(`${ME}/${card.id}/unlock`, undefined, cu.auth), 422, 'CARD_NOT_LOCKED', 'unlock');
    });

    test('the processor links it (tracking number + reference): INACTIVE with a PAN', async () => {
        assertRefused(await request('POST', '/processor/cards/link', { base: CARDS_URL, id: DEMO, body: { reference: card.reference, tracking_number: 'T1' } }),
            403, 'CLIENT_CERT_INVALID', 'partner certificate on the cards server');
        assertRefused(await request('POST', '/processor/cards/link', { base: CARDS_URL, id: NO_CERT, body: { reference: card.reference, tracking_number: 'T1' } }),
            403, 'CLIENT_CERT_REQUIRED', 'no certificate');
        const linked = await link(card, 'TRK-0001');
        assert.equal(linked.status, 'INACTIVE');
        assert.equal(linked.tracking_number, 'TRK-0001');
        assert.match(linked.last4, /^\d{4}$/);
        assertRefused(await processorPost('/processor/cards/link', { reference: card.reference, tracking_number: 'TRK-0002' }), 422, 'CARD_NOT_ORDERED', 'second link');
        const ev = events(card.id).at(-1);
        assert.deepEqual(ev.slice(0, 5), ['LINKED', 'ORDERED', 'INACTIVE', '0', 'PROCESSOR']);
        const d = await fullData(cu, card.id);
        assert.ok(d.pan.startsWith(BIN) && luhn(d.pan));
        assert.equal(d.pan.slice(-4), linked.last4);
        assertRefused(await post(`${ME}/${card.id}/activate`, { x: 1 }, cu.auth), 422, 'VALIDATION_ERROR', 'activate with a field');
    });

    test('a linked card can be locked and unlocked, is activated once', async () => {
        let r = await post(`${ME}/${card.id}/lock`, { reason: 4 }, cu.auth);
        assert.equal(r.json.status, 'LOCKED', show(r));
        assertRefused(await post(`${ME}/${card.id}/activate`, undefined, cu.auth), 422, 'CARD_LOCKED', 'activate locked');
        r = await post(`${ME}/${card.id}/unlock`, undefined, cu.auth);
        assert.equal(r.json.status, 'INACTIVE', show(r));
        r = await post(`${ME}/${card.id}/activate`, undefined, cu.auth);
        assertStatus(r, 200);
        assert.equal(r.json.status, 'ACTIVE');
        assertRefused(await post(`${ME}/${card.id}/activate`, undefined, cu.auth), 422, 'CARD_ALREADY_ACTIVE', 'activate twice');
        const pin = String(crypto.randomInt(100000, 999999));
        seen('pin', pin);
        assert.equal((await jweSend('POST', `${ME}/${card.id}/pin`, { pin }, cu.auth)).status, 204);
    });

    test('the processor locks it from outside; a partner certificate cannot', async () => {
        assertRefused(await request('POST', `/processor/cards/${card.id}/lock`, { base: CARDS_URL, id: DEMO, body: { reason: 6 } }),
            403, 'CLIENT_CERT_INVALID', 'partner certificate');
        const r = await processorPost(`/processor/cards/${card.id}/lock`, { reason: 6 });
        assertStatus(r, 200);
        assert.deepEqual([r.json.status, r.json.lock_reason, r.json.action_code], ['LOCKED', 6, '1006']);
        assert.deepEqual(events(card.id).at(-1).slice(0, 5), ['LOCKED', 'ACTIVE', 'LOCKED', '6', 'PROCESSOR']);
        // PIN tries exceeded is reversible: the customer unlocks
        const un = await post(`${ME}/${card.id}/unlock`, undefined, cu.auth);
        assert.equal(un.json.status, 'ACTIVE', show(un));
        const stolen = await processorPost(`/processor/cards/${card.id}/lock`, { reason: 2 });
        assert.equal(stolen.json.action_code, '2009', show(stolen));
        assertRefused(await post(`${ME}/${card.id}/unlock`, undefined, cu.auth), 422, 'CARD_LOCK_IRREVERSIBLE', 'unlock stolen');
    });

    test('another processor sees none of these cards; an unregistered processor certificate is refused', async () => {
        const other = issueProcessor(uniq('proc-other'));
        const ordered = await orderPhysical(cu);
        assertRefused(await processorPost('/processor/cards/link', { reference: ordered.reference, tracking_number: 'T9' }, other), 404, 'NOT_FOUND', 'link');
        assertRefused(await processorPost(`/processor/cards/${card.id}/lock`, { reason: 3 }, other), 404, 'NOT_FOUND', 'lock');
        const stranger = issueProcessor(uniq('proc-unreg'), { registered: false });
        assertRefused(await processorPost(`/processor/cards/${card.id}/lock`, { reason: 3 }, stranger), 403, 'CLIENT_CERT_UNKNOWN', 'unregistered');
        assertRefused(await processorPost('/processor/cards/link', { reference: ordered.reference, tracking_number: 'T9' }, stranger), 403, 'CLIENT_CERT_UNKNOWN', 'unregistered link');
        assert.equal((await get(`${ME}/${ordered.id}`, cu.auth)).json.status, 'ORDERED');
        assert.equal(sqlValue(`SELECT COUNT(*) FROM card_event WHERE card_id = ${lit(card.id)} AND event = 'LOCKED' AND lock_reason = 3`), '0');
    });

    test('the processor: bad input is 4xx, unknown cards 404', async () => {
        for (const body of [{}, { reference: 'nope', tracking_number: 'T' }, { reference: card.reference }, { reference: card.reference, tracking_number: '' },
            { reference: card.reference, tracking_number: 'x'.repeat(65) }, { reference: card.reference, tracking_number: 'T', other: 1 }]) {
            assertRefused(await processorPost('/processor/cards/link', body), 422, 'VALIDATION_ERROR', JSON.stringify(body));
        }
        assertRefused(await processorPost('/processor/cards/link', { reference: crypto.randomUUID(), tracking_number: 'T' }), 404, 'NOT_FOUND', 'unknown reference');
        assertRefused(await processorPost(`/processor/cards/${crypto.randomUUID()}/lock`, { reason: 1 }), 404, 'NOT_FOUND', 'unknown card');
        assertRefused(await processorPost('/processor/cards/abc/lock', { reason: 1 }), 404, 'NOT_FOUND', 'bad card id');
        for (const reason of [0, 9, -1, 3.5, '33', 'x', true, null]) {
            assertRefused(await processorPost(`/processor/cards/${card.id}/lock`, { reason }), 422, 'VALIDATION_ERROR', `reason ${reason}`);
        }
        const raw = await request('POST', '/processor/cards/link', { base: CARDS_URL, id: PROCESSOR, raw: '{"reference":', headers: { 'Content-Type': 'application/json' } });
        assert.ok(raw.status >= 400 && raw.status < 500, show(raw));
    });
});

describe('partner channel', () => {
    let customer, balanceId, card;
    before(async () => {
        customer = (await cardCustomer());
        balanceId = customer.balanceId;
    });
    const base = () => `/secure/customers/${customer.id}`;

    test('creates a virtual card (J) and orders a physical one (J)', async () => {
        const clear = await post(`${base()}/balances/${balanceId}/cards`, {}, { id: DEMO });
        assertRefused(clear, 400, 'ENCRYPTION_REQUIRED');
        const r = await jweSend('POST', `${base()}/balances/${balanceId}/cards`, { cardholder_name: 'A LOVELACE' }, { id: DEMO });
        assertStatus(r, 201);
        card = await decrypt(r);
        assert.equal(card.status, 'ACTIVE');
        assert.equal(card.cardholder_name, 'A LOVELACE');
        const p = await jweSend('POST', `${base()}/balances/${balanceId}/cards/physical`, { delivery_address: ADDRESS }, { id: DEMO });
        assertStatus(p, 201);
        const phys = await decrypt(p);
        assert.equal(phys.status, 'ORDERED');
        const list = await get(`${base()}/cards`, { id: DEMO });
        assertStatus(list, 200);
        assert.deepEqual(new Set(list.json.map((c) => c.id)), new Set([card.id, phys.id]));
        assert.equal(list.headers['x-pagination-total-count'], '2');
        const linked = await link(phys);
        assert.equal(linked.status, 'INACTIVE');
        const act = await post(`${base()}/cards/${phys.id}/activate`, undefined, { id: DEMO });
        assert.equal(act.json.status, 'ACTIVE', show(act));
        assert.equal(events(phys.id).at(-1)[4], 'PARTNER');
    });

    test('lock, unlock and full data (R)', async () => {
        let r = await post(`${base()}/cards/${card.id}/lock`, { reason: 7 }, { id: DEMO });
        assert.equal(r.json.status, 'LOCKED', show(r));
        r = await post(`${base()}/cards/${card.id}/unlock`, {}, { id: DEMO });
        assert.equal(r.json.status, 'ACTIVE', show(r));
        assertRefused(await get(`${base()}/cards/${card.id}/full-data`, { id: DEMO }), 400, 'ENCRYPTION_REQUIRED');
        const f = await jweGet(`${base()}/cards/${card.id}/full-data`, { id: DEMO });
        assertStatus(f, 200);
        const d = await decrypt(f);
        seen('pan', d.pan);
        seen('cvc2', d.cvc2);
        assert.ok(d.pan.startsWith(BIN) && luhn(d.pan));
        assert.equal(d.cardholder_name, 'A LOVELACE');
        assert.deepEqual(events(card.id).map((e) => e[4]), ['PARTNER', 'PARTNER', 'PARTNER']);
    });

    test('a card of another partner is 404; another customer of the same partner too', async () => {
        const other = issuePartner(uniq('cards-other'));
        const stranger = await createCustomer(other);
        for (const [method, p] of [['GET', `${base()}/cards`], ['GET', `${base()}/cards/${card.id}`], ['POST', `${base()}/cards/${card.id}/lock`],
            ['POST', `${base()}/cards/${card.id}/unlock`], ['POST', `${base()}/cards/${card.id}/activate`],
            ['GET', `/secure/customers/${stranger.id}/cards/${card.id}`]]) {
            const r = await request(method, p, { id: other, body: p.endsWith('/lock') ? { reason: 3 } : undefined });
            assertRefused(r, 404, 'NOT_FOUND', `${method} ${p}`);
        }
        assertRefused(await jweGet(`${base()}/cards/${card.id}/full-data`, { id: other }), 404, 'NOT_FOUND', 'full data');
        assertRefused(await jweSend('POST', `${base()}/balances/${balanceId}/cards`, {}, { id: other }), 404, 'NOT_FOUND', 'create');
        // the demo partner's other customer does not own this card
        const mine = await createCustomer(DEMO);
        assertRefused(await get(`/secure/customers/${mine.id}/cards/${card.id}`, { id: DEMO }), 404, 'NOT_FOUND', 'wrong customer');
        assertRefused(await jweSend('POST', `/secure/customers/${mine.id}/balances/${balanceId}/cards`, {}, { id: DEMO }), 422, 'KYC_NOT_VERIFIED', 'unverified');
        // and the customer channel of another customer
        const cu2 = await cardCustomer();
        assertRefused(await get(`${ME}/${card.id}`, cu2.auth), 404, 'NOT_FOUND', 'other customer');
        assertRefused(await post(`${ME}/${card.id}/lock`, { reason: 1 }, cu2.auth), 404, 'NOT_FOUND', 'other customer lock');
        assertRefused(await jweGet(`${ME}/${card.id}/full-data`, cu2.auth), 404, 'NOT_FOUND', 'other customer full data');
        assertRefused(await request('DELETE', `${ME}/${card.id}`, cu2.auth), 404, 'NOT_FOUND', 'other customer remove');
        assertRefused(await jweSend('POST', `/customers/me/balances/${balanceId}/cards`, {}, cu2.auth), 404, 'NOT_FOUND', 'other balance');
        assert.equal((await get(`${ME}/${card.id}`, customer.auth)).status, 200);
    });
});

describe('bad input: 4xx with a code, never 500', () => {
    test('creation, lock and ids', async () => {
        const c = await createVirtual(cu);
        const cases = [
            [await jweSend('POST', `/customers/me/balances/${cu.balanceId}/cards`, { program: 1 }, cu.auth), 422, 'VALIDATION_ERROR'],
            [await jweSend('POST', `/customers/me/balances/${cu.balanceId}/cards`, { cardholder_name: 'X' }, cu.auth), 422, 'VALIDATION_ERROR'],
            [await jweSend('POST', `/customers/me/balances/${cu.balanceId}/cards`, { cardholder_name: 'Zoë Ström' }, cu.auth), 422, 'VALIDATION_ERROR'],
            [await jweSend('POST', `/customers/me/balances/${crypto.randomUUID()}/cards`, {}, cu.auth), 404, 'NOT_FOUND'],
            [await jweSend('POST', '/customers/me/balances/not-a-uuid/cards', {}, cu.auth), 404, 'NOT_FOUND'],
            [await request('POST', `/customers/me/balances/${cu.balanceId}/cards`, { ...cu.auth, headers: { ...cu.auth.headers, 'Encrypted-Request': 'true', 'Public-Key': 'bm90IGEga2V5' }, body: {} }), 400, 'INVALID_PUBLIC_KEY'],
            [await post(`${ME}/${c.id}/lock`, {}, cu.auth), 422, 'VALIDATION_ERROR'],
            [await post(`${ME}/${c.id}/lock`, { reason: 9 }, cu.auth), 422, 'VALIDATION_ERROR'],
            [await post(`${ME}/${c.id}/lock`, { reason: 'lost' }, cu.auth), 422, 'VALIDATION_ERROR'],
            [await post(`${ME}/${c.id}/lock`, { reason: 2, why: 'x' }, cu.auth), 422, 'VALIDATION_ERROR'],
            [await post(`${ME}/${c.id}/lock`, undefined, cu.auth), 400, 'INVALID_JSON'],
            [await request('POST', `${ME}/${c.id}/lock`, { ...cu.auth, raw: '[1]', headers: { ...cu.auth.headers, 'Content-Type': 'application/json' } }), 400, 'INVALID_JSON'],
            [await get(`${ME}/abc`, cu.auth), 404, 'NOT_FOUND'],
            [await get(`${ME}/${crypto.randomUUID()}`, cu.auth), 404, 'NOT_FOUND'],
            [await get(`${ME}?page=0`, cu.auth), 422, 'VALIDATION_ERROR'],
            [await get(ME, { id: NO_CERT }), 401, 'UNAUTHORIZED'],
        ];
        for (const [r, status, code] of cases) assertRefused(r, status, code);
        assert.equal((await get(`${ME}/${c.id}`, cu.auth)).json.status, 'ACTIVE');
    });

    test('pin, physical order and link: bad fields are 422', async () => {
        const c = await createVirtual(cu);
        const order = `/customers/me/balances/${cu.balanceId}/cards/physical`;
        const cases = [
            [await jweSend('POST', `${ME}/${c.id}/pin`, { pin: '12' }, cu.auth), 422, 'VALIDATION_ERROR', 'short pin'],
            [await jweSend('POST', `${ME}/${c.id}/pin`, { pin: 1234 }, cu.auth), 422, 'VALIDATION_ERROR', 'pin not a string'],
            [await jweSend('POST', `${ME}/${c.id}/pin`, {}, cu.auth), 422, 'VALIDATION_ERROR', 'no pin'],
            [await jweSend('POST', order, {}, cu.auth), 422, 'VALIDATION_ERROR', 'no delivery address'],
            [await jweSend('POST', order, { delivery_address: { ...ADDRESS, country: 'France' } }, cu.auth), 422, 'VALIDATION_ERROR', 'bad country'],
            [await processorPost('/processor/cards/link', { reference: 'abc', tracking_number: 'T1' }), 422, 'VALIDATION_ERROR', 'reference not a uuid'],
            [await processorPost('/processor/cards/link', { reference: crypto.randomUUID() }), 422, 'VALIDATION_ERROR', 'no tracking number'],
            [await processorPost('/processor/cards/link', { reference: crypto.randomUUID(), tracking_number: 'T'.repeat(65) }), 422, 'VALIDATION_ERROR', 'tracking number too long'],
            [await processorPost('/processor/cards/link', { reference: crypto.randomUUID(), tracking_number: 'T1', x: 1 }), 422, 'VALIDATION_ERROR', 'unknown field'],
            [await processorPost(`/processor/cards/${c.id}/lock`, { reason: 0 }), 422, 'VALIDATION_ERROR', 'processor lock reason 0'],
        ];
        for (const [r, status, code, what] of cases) assertRefused(r, status, code, what);
        assert.equal(sqlValue(`SELECT pin_sealed IS NULL FROM card WHERE id = ${lit(c.id)}`), '1');
        assert.equal((await get(`${ME}/${c.id}`, cu.auth)).json.status, 'ACTIVE');
    });

    test('a balance that is not active gets no card (BALANCE_NOT_ACTIVE)', async () => {
        const c = await cardCustomer();
        sql(`UPDATE balance SET status = 'blocked' WHERE id = ${lit(c.balanceId)}`);
        const r = await jweSend('POST', `/customers/me/balances/${c.balanceId}/cards`, {}, c.auth);
        assertRefused(r, 422, 'BALANCE_NOT_ACTIVE');
        assert.equal(sqlValue(`SELECT COUNT(*) FROM card WHERE customer_id = ${lit(c.id)}`), '0');
    });

    test('a partner without a card program gets no card (NO_CARD_PROGRAM)', async () => {
        // a partner of the test's own: a base IBAN in EUR (a balance needs it), no card program
        const other = issuePartner(uniq('cards-noprog'));
        const pid = partnerIdOf(other);
        const iban = frenchIban(String(crypto.randomInt(10000, 100000)), String(crypto.randomInt(10000, 100000)), '00000000000');
        sql(`INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic) VALUES (${pid}, 'EUR', ${lit(iban)}, 10, 'COMPFRPPXXX')`);
        assert.equal(sqlValue(`SELECT COUNT(*) FROM card_program WHERE partner_id = ${pid}`), '0');
        const c = await verifiedCustomer(other);
        const b = await createBalance(c.id, 'EUR', other);
        const r = await jweSend('POST', `/secure/customers/${c.id}/balances/${b.id}/cards`, {}, { id: other });
        assertRefused(r, 422, 'NO_CARD_PROGRAM');
    });

    test('a card whose CVV generations are used up is refused a reset (CVV_RESETS_EXHAUSTED)', async () => {
        const c = await createVirtual(cu);
        sql(`UPDATE card SET cvv_generation = 999 WHERE id = ${lit(c.id)}`);
        const r = await jweSend('POST', `${ME}/${c.id}/cvv/reset`, undefined, cu.auth);
        assertRefused(r, 422, 'CVV_RESETS_EXHAUSTED');
        assert.equal(sqlValue(`SELECT cvv_generation FROM card WHERE id = ${lit(c.id)}`), '999');
    });

    test('a customer without VERIFIED KYC gets no card', async () => {
        const p = await createCustomer(DEMO);
        const r = await jweSend('POST', `/secure/customers/${p.id}/balances/${crypto.randomUUID()}/cards`, {}, { id: DEMO });
        assertRefused(r, 422, 'KYC_NOT_VERIFIED');
    });
});

test('every stored PAN is sealed (the scan for clear PANs, CVC2s and PINs is tests/tools/card_scan.sh)', async () => {
    const n = Number(sqlValue('SELECT COUNT(*) FROM card WHERE pan_sealed IS NOT NULL'));
    assert.ok(n > 10, `${n} cards with a PAN`);
    assert.equal(sqlValue("SELECT COUNT(*) FROM card WHERE pan_sealed NOT LIKE 'pan1.%'"), '0');
});

// Fees (seed 003 'Fee management'; the demo schedule is tools/demo_fees.json: a card costs 5.00
// EUR, a month of a card 1.00 EUR).
describe('card fees', () => {
    const FEES_CONF = path.join(ENV.COMPTOIR_STACK_DIR, 'conf', 'banking.conf');
    const charges = (cardId) => sql(`SELECT event, status, amount, IFNULL(period, '-') FROM fee_charge
        WHERE card_id = ${lit(cardId)} ORDER BY id`);

    test('a card is charged its creation fee from its balance, in the unit that makes it', async () => {
        const c = await cardCustomer();
        const res = await reload(c.id, c.balanceId, '"12.00"');
        assertStatus(res, 201);
        const card = await createVirtual(c);
        assert.deepEqual(charges(card.id), [['card_creation', 'charged', '500', '-']]);
        assert.equal(await balanceCents(c.id, c.balanceId), 700n);
        assert.equal(ledgerCheck().status, 0, 'ledger invariants');
    });

    test('a balance that cannot cover it gets the card, the fee is due, and collected once money arrives', async () => {
        const c = await cardCustomer();
        const card = await createVirtual(c);
        assert.deepEqual(charges(card.id), [['card_creation', 'due', '500', '-']]);
        assert.equal(await balanceCents(c.id, c.balanceId), 0n);
        assertStatus(await reload(c.id, c.balanceId, '"3.00"'), 201);
        let r = runTool('fees', [FEES_CONF, 'collect']);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(charges(card.id), [['card_creation', 'due', '500', '-']], 'still short');
        assertStatus(await reload(c.id, c.balanceId, '"2.50"'), 201);
        r = runTool('fees', [FEES_CONF, 'collect']);
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(charges(card.id), [['card_creation', 'charged', '500', '-']]);
        assert.equal(await balanceCents(c.id, c.balanceId), 50n);
    });

    test('the monthly card fee is charged once per issued card and month; an ordered card pays none', async () => {
        const c = await cardCustomer();
        assertStatus(await reload(c.id, c.balanceId, '"20.00"'), 201);
        const card = await createVirtual(c);
        const ordered = await orderPhysical(c);
        // a month after every card of the run was made: each issued card of the stack is due one
        const month = '2099-01';
        for (let i = 0; i < 2; i++) {
            const r = runTool('fees', [FEES_CONF, 'charge-monthly', '--month', month]);
            assert.equal(r.status, 0, r.stderr);
            assert.deepEqual(charges(card.id).filter((x) => x[0] === 'monthly_card'),
                [['monthly_card', 'charged', '100', month]], `run ${i + 1}`);
        }
        assert.deepEqual(charges(ordered.id).filter((x) => x[0] === 'monthly_card'), []);
        // 20.00 - 5.00 (virtual) - 5.00 (physical order) - 1.00 (a month of the virtual card)
        assert.equal(await balanceCents(c.id, c.balanceId), 900n);
        assert.equal(ledgerCheck().status, 0, 'ledger invariants');
    });
});

describe('card creation with an Idempotency-Key', () => {
    test('ten twins sent at once make one card and charge one fee; the same key with another body is 409', async () => {
        const c = await cardCustomer();
        assertStatus(await reload(c.id, c.balanceId, '"50.00"'), 201);
        const key = crypto.randomUUID();
        const opts = (k) => ({ ...c.auth, headers: { ...(c.auth.headers || {}), 'Idempotency-Key': k } });
        const path_ = `/customers/me/balances/${c.balanceId}/cards`;
        const answers = await Promise.all(Array.from({ length: 10 }, () => jweSend('POST', path_, {}, opts(key))));
        for (const res of answers) assertStatus(res, 201);
        const cards = await Promise.all(answers.map((res) => decrypt(res)));
        assert.equal(new Set(cards.map((x) => x.id)).size, 1, 'one card for every twin');
        assert.equal(Number(sqlValue(`SELECT COUNT(*) FROM card WHERE customer_id = ${lit(c.id)}`)), 1);
        assert.equal(Number(sqlValue(`SELECT COUNT(*) FROM fee_charge WHERE card_id = ${lit(cards[0].id)}`)), 1);
        assert.equal(await balanceCents(c.id, c.balanceId), 4500n);
        const other = await jweSend('POST', path_, { cardholder_name: 'OTHER NAME' }, opts(key));
        assertRefused(other, 409, 'IDEMPOTENCY_KEY_REUSED');
        // without a key, each request is a new card
        await createVirtual(c);
        assert.equal(Number(sqlValue(`SELECT COUNT(*) FROM card WHERE customer_id = ${lit(c.id)}`)), 2);
    });
});
