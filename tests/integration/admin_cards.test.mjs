// The admin channel's cards and fees (API.md "Admin channel"): a virtual card created by an
// ADMIN or MANAGER (J), a physical card ordered by any role (J, seed 003), lock, unlock, activate and remove by every role, the CVV reset (J), a
// user's masked card list; every change a card_event of channel OPERATOR with the operator as
// actor and an audit row naming the card; no answer carries a PAN or a CVC2; another partner's
// operator gets 404. The fee schedule: ADMIN only, GET/PUT round trip, 422 with field errors and
// 409 on a stale version changing nothing, each partner's schedule its own. The schedule written
// is a second partner's, so the demo partner's (used by cards.test.mjs) never changes.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
    NO_CERT, assertEnvelope, assertStatus, assertValidation, lit, show, sql, sqlValue,
} from './lib/stack.mjs';
import {
    DEMO_OPERATORS, ORIGIN, ROLES, admin, adminLogin, auditOf, newAdminPartner,
} from './lib/admin.mjs';
import {
    ADDRESS, cardCustomer, createVirtual, decrypt, fullData, jweSend, link, orderPhysical,
} from './lib/cards.mjs';

const events = (cardId) => sql(`SELECT event, IFNULL(from_status, '-'), to_status, IFNULL(lock_reason, 0), channel, actor
    FROM card_event WHERE card_id = ${lit(cardId)} ORDER BY id`);

let OP; // role -> {token, id} of the demo partner's operators
let B; // a second partner with its own operators and origin; B.tok: role -> token
let cu; // a demo customer with a EUR balance (lib/cards.mjs)
const answers = []; // every answer an operator got here, clear (decrypted when sealed)

before(async () => {
    OP = {};
    for (const role of ROLES) {
        const r = await adminLogin(DEMO_OPERATORS[role].email, DEMO_OPERATORS[role].password);
        assertStatus(r, 201);
        OP[role] = { token: r.json.session_token, id: r.json.operator_id };
    }
    B = newAdminPartner('adm2');
    B.tok = {};
    for (const role of ROLES) {
        const r = await adminLogin(B.ops[role].email, B.ops[role].password, B.origin);
        assertStatus(r, 201);
        B.tok[role] = r.json.session_token;
    }
    cu = await cardCustomer();
});

// An operator's request (the demo partner's role by default; opts.token and opts.origin for B's).
async function as(role, method, urlPath, opts = {}) {
    const r = await admin(method, urlPath, { token: OP[role]?.token, ...opts });
    answers.push(r.text);
    return r;
}

// A J route as an operator: the body (if any) encrypted, a 2xx answer decrypted into r.clear.
async function asJwe(role, method, urlPath, body, opts = {}) {
    const headers = { Authorization: `Bearer ${opts.token || OP[role].token}`, Origin: opts.origin || ORIGIN };
    const r = await jweSend(method, urlPath, body, { id: NO_CERT, headers });
    answers.push(r.text);
    if (r.status >= 200 && r.status < 300) {
        r.clear = await decrypt(r);
        answers.push(JSON.stringify(r.clear));
    }
    return r;
}

// The one audit row of a response: {role, action, target, status}.
function auditRow(r) {
    const rows = auditOf(r.headers['x-request-id']);
    assert.equal(rows.length, 1, `audit rows: ${JSON.stringify(rows)}`);
    return rows[0];
}

function assertMasked(card, what) {
    assert.equal(card.pan, undefined, `${what}: no pan`);
    assert.equal(card.cvc2, undefined, `${what}: no cvc2`);
    assert.match(card.masked_pan, /^\d{6}\*+\d{4}$/, `${what}: ${JSON.stringify(card)}`);
}

describe('admin cards', () => {
    const made = {}; // role -> virtual card made by that operator

    test('POST /admin/balances/{id}/cards (J): ADMIN and MANAGER create a virtual card, EMPLOYEE is 403', async () => {
        const path = `/admin/balances/${cu.balanceId}/cards`;
        assertEnvelope(await as('ADMIN', 'POST', path, { body: {} }), 400, 'ENCRYPTION_REQUIRED', 'clear request');
        for (const role of ['ADMIN', 'MANAGER']) {
            const r = await asJwe(role, 'POST', path, role === 'ADMIN' ? { cardholder_name: 'ADA BY ADMIN' } : {});
            assertStatus(r, 201);
            const card = r.clear;
            assert.equal(card.type, 'VIRTUAL');
            assert.equal(card.status, 'ACTIVE');
            assert.equal(card.balance_id, cu.balanceId);
            assert.equal(card.customer_id, cu.id);
            assertMasked(card, role);
            assert.deepEqual(events(card.id), [['CREATED', '-', 'ACTIVE', '0', 'OPERATOR', OP[role].id]]);
            const a = auditRow(r);
            assert.deepEqual([a.role, a.action, a.target, a.status], [role, 'CARD_CREATE', cu.balanceId, 201]);
            made[role] = card;
        }
        assert.equal(made.ADMIN.cardholder_name, 'ADA BY ADMIN');
        const emp = await asJwe('EMPLOYEE', 'POST', path, {});
        assertEnvelope(emp, 403, 'FORBIDDEN_ROLE', 'EMPLOYEE creating');
        assert.equal(auditRow(emp).status, 403);
        assertEnvelope(await asJwe('ADMIN', 'POST', '/admin/balances/00000000-0000-4000-8000-000000000000/cards', {}), 404, 'NOT_FOUND', 'unknown balance');
        assertEnvelope(await asJwe('ADMIN', 'POST', '/admin/balances/not-a-uuid/cards', {}), 404, 'NOT_FOUND', 'malformed balance id');
        const bad = await asJwe('MANAGER', 'POST', path, { cardholder_name: '<script>', pan: '5399991200000000' });
        assertValidation(bad, ['cardholder_name', 'pan']);
    });

    test('GET /admin/users/{userId}/cards: every role, masked, newest first; an unknown user is 404', async () => {
        for (const role of ROLES) {
            const r = await as(role, 'GET', `/admin/users/${cu.id}/cards`);
            assertStatus(r, 200);
            const ids = r.json.map((c) => c.id);
            assert.deepEqual(ids.slice(0, 2), [made.MANAGER.id, made.ADMIN.id], show(r));
            for (const c of r.json) assertMasked(c, `${role} list`);
            assert.equal(r.headers['x-pagination-total-count'], String(r.json.length));
        }
        assertEnvelope(await as('EMPLOYEE', 'GET', '/admin/users/00000000-0000-4000-8000-000000000000/cards'), 404, 'NOT_FOUND');
        assertValidation(await as('EMPLOYEE', 'GET', `/admin/users/${cu.id}/cards?per_page=0`), 'per_page');
    });

    test('POST /admin/balances/{id}/cards/physical (J): every role orders a physical card (seed 003), ORDERED, audited', async () => {
        const path = `/admin/balances/${cu.balanceId}/cards/physical`;
        for (const role of ROLES) {
            const r = await asJwe(role, 'POST', path, { delivery_address: ADDRESS });
            assertStatus(r, 201);
            assert.equal(r.clear.type, 'PHYSICAL');
            assert.equal(r.clear.status, 'ORDERED');
            assert.equal(r.clear.customer_id, cu.id);
            assert.deepEqual(events(r.clear.id), [['ORDERED', '-', 'ORDERED', '0', 'OPERATOR', OP[role].id]]);
            const a = auditRow(r);
            assert.deepEqual([a.role, a.action, a.target, a.status], [role, 'CARD_ORDER', cu.balanceId, 201]);
        }
        assertValidation(await asJwe('EMPLOYEE', 'POST', path, {}), 'delivery_address');
        const other = await asJwe('ADMIN', 'POST', path, { delivery_address: ADDRESS }, { token: B.tok.ADMIN, origin: B.origin });
        assertEnvelope(other, 404, 'NOT_FOUND', "another partner's operator");
    });

    for (const role of ROLES) {
        test(`${role}: lock, unlock, CVV reset (J), activate and remove, each a card_event OPERATOR by the operator, audited`, async () => {
            const virt = await createVirtual(cu);
            const phys = await orderPhysical(cu, { delivery_address: ADDRESS });
            await link(phys);
            const before = await fullData(cu, virt.id);
            const steps = [
                ['POST', `/admin/cards/${virt.id}/lock`, { reason: 3 }, 200, 'CARD_LOCK', virt.id],
                ['POST', `/admin/cards/${virt.id}/unlock`, undefined, 200, 'CARD_UNLOCK', virt.id],
                ['POST', `/admin/cards/${phys.id}/activate`, undefined, 200, 'CARD_ACTIVATE', phys.id],
                ['DELETE', `/admin/cards/${phys.id}`, undefined, 204, 'CARD_REMOVE', phys.id],
            ];
            const results = [];
            for (const [method, p, body, status, action, target] of steps) {
                const r = await as(role, method, p, { body });
                assertStatus(r, status);
                const a = auditRow(r);
                assert.deepEqual([a.role, a.action, a.target, a.status], [role, action, target, status], `${method} ${p}`);
                results.push(r.json);
            }
            assert.deepEqual([results[0].status, results[0].lock_reason, results[0].action_code], ['LOCKED', 3, '1000']);
            assert.equal(results[1].status, 'ACTIVE');
            assert.equal(results[2].status, 'ACTIVE');
            for (const c of results.slice(0, 3)) assertMasked(c, role);

            assertEnvelope(await as(role, 'POST', `/admin/cards/${virt.id}/cvv/reset`), 400, 'ENCRYPTION_REQUIRED', 'clear CVV reset');
            const cvv = await asJwe(role, 'POST', `/admin/cards/${virt.id}/cvv/reset`, undefined);
            assertStatus(cvv, 200);
            assert.equal(cvv.clear.id, virt.id);
            assertMasked(cvv.clear, 'cvv reset');
            assert.deepEqual([auditRow(cvv).action, auditRow(cvv).target], ['CARD_CVV_RESET', virt.id]);
            const after = await fullData(cu, virt.id);
            assert.equal(after.pan, before.pan);
            assert.notEqual(after.cvc2, before.cvc2, 'the CVC2 changed');

            const r = await as(role, 'DELETE', `/admin/cards/${virt.id}`);
            assertStatus(r, 204);
            const op = OP[role].id;
            assert.deepEqual(events(virt.id).slice(1), [
                ['LOCKED', 'ACTIVE', 'LOCKED', '3', 'OPERATOR', op],
                ['UNLOCKED', 'LOCKED', 'ACTIVE', '0', 'OPERATOR', op],
                ['CVV_RESET', 'ACTIVE', 'ACTIVE', '0', 'OPERATOR', op],
                ['REMOVED', 'ACTIVE', 'REMOVED', '0', 'OPERATOR', op],
            ]);
            assert.deepEqual(events(phys.id).slice(2), [
                ['ACTIVATED', 'INACTIVE', 'ACTIVE', '0', 'OPERATOR', op],
                ['REMOVED', 'ACTIVE', 'REMOVED', '0', 'OPERATOR', op],
            ]);
            // the state machine's refusals come through as on every channel
            const again = await as(role, 'POST', `/admin/cards/${virt.id}/lock`, { body: { reason: 3 } });
            assertEnvelope(again, 422, 'CARD_REMOVED');
            assert.equal(auditRow(again).status, 422);
        });
    }

    test('bad input: a lock without a reason or with 9 is 422, an unknown card 404, never 500', async () => {
        const card = await createVirtual(cu);
        assertValidation(await as('EMPLOYEE', 'POST', `/admin/cards/${card.id}/lock`, { body: {} }), 'reason');
        assertValidation(await as('EMPLOYEE', 'POST', `/admin/cards/${card.id}/lock`, { body: { reason: 9 } }), 'reason');
        assertValidation(await as('EMPLOYEE', 'POST', `/admin/cards/${card.id}/unlock`, { body: { x: 1 } }), 'x');
        const none = '00000000-0000-4000-8000-000000000000';
        for (const [method, p] of [['POST', `/admin/cards/${none}/unlock`], ['POST', `/admin/cards/${none}/activate`],
            ['DELETE', `/admin/cards/${none}`], ['POST', '/admin/cards/x/unlock']]) {
            assertEnvelope(await as('MANAGER', method, p), 404, 'NOT_FOUND', `${method} ${p}`);
        }
        assertEnvelope(await asJwe('MANAGER', 'POST', `/admin/cards/${none}/cvv/reset`, undefined), 404, 'NOT_FOUND');
        assert.equal(events(card.id).length, 1, 'nothing happened to the card');
    });

    test("another partner's operator: this partner's cards, balances and users are 404, and nothing changes", async () => {
        const card = await createVirtual(cu);
        const b = (method, p, body) => admin(method, p, { token: B.tok.ADMIN, origin: B.origin, body });
        for (const [method, p, body] of [['POST', `/admin/cards/${card.id}/lock`, { reason: 7 }],
            ['POST', `/admin/cards/${card.id}/unlock`], ['POST', `/admin/cards/${card.id}/activate`],
            ['DELETE', `/admin/cards/${card.id}`], ['GET', `/admin/users/${cu.id}/cards`]]) {
            const r = await b(method, p, body);
            assertEnvelope(r, 404, 'NOT_FOUND', `${method} ${p}`);
            assert.equal(auditRow(r).status, 404);
        }
        const jwe = { token: B.tok.ADMIN, origin: B.origin };
        assertEnvelope(await asJwe('ADMIN', 'POST', `/admin/cards/${card.id}/cvv/reset`, undefined, jwe), 404, 'NOT_FOUND', 'cvv reset');
        assertEnvelope(await asJwe('ADMIN', 'POST', `/admin/balances/${cu.balanceId}/cards`, {}, jwe), 404, 'NOT_FOUND', 'create');
        assert.deepEqual(events(card.id).map((e) => e[0]), ['CREATED']);
        // the demo partner's origin does not let B's operator in either
        assertEnvelope(await admin('DELETE', `/admin/cards/${card.id}`, { token: B.tok.ADMIN }), 403, 'ORIGIN_NOT_ALLOWED');
    });

    test('no route gives an operator a PAN or a CVC2', async () => {
        const card = await createVirtual(cu);
        const d = await fullData(cu, card.id);
        for (const role of ROLES) {
            for (const method of ['GET', 'POST']) {
                const r = await as(role, method, `/admin/cards/${card.id}/full-data`, { headers: { 'Encrypt-Response': 'true' } });
                assertEnvelope(r, 404, 'NOT_FOUND', `${role} ${method} full-data`);
            }
            const r = await as(role, 'GET', `/admin/users/${cu.id}/cards`);
            assertStatus(r, 200);
            assert.ok(r.json.some((c) => c.id === card.id));
        }
        const cardCount = sql(`SELECT 1 FROM card WHERE customer_id = ${lit(cu.id)}`).length;
        assert.ok(cardCount > 5 && answers.length > 50, `${answers.length} answers checked`);
        for (const text of answers) {
            assert.ok(!text.includes(d.pan), 'an answer carries the PAN');
            assert.ok(!/"(pan|cvc2|cvv|pin)"\s*:/.test(text), `an answer carries card data: ${text.slice(0, 300)}`);
        }
    });
});

describe('admin fees', () => {
    const schedule = {
        rules: [
            { event: 'card_creation', currency: 'EUR', fixed: '3.50' },
            { event: 'monthly_account', currency: 'EUR', fixed: '2' },
            { event: 'atm', currency: 'EUR', fixed: 1.5, rate_bp: 150, min: '2.00', max: '12.00' },
            { event: 'ecom', currency: 'PLN', fixed: '0', rate_bp: 25 },
        ],
    };
    const asB = (role, method, body) => admin(method, '/admin/fees', { token: B.tok[role], origin: B.origin, body });
    let demoBefore;

    test('GET and PUT /admin/fees are ADMIN only: EMPLOYEE and MANAGER get 403 FORBIDDEN_ROLE', async () => {
        for (const role of ['EMPLOYEE', 'MANAGER']) {
            assertEnvelope(await as(role, 'GET', '/admin/fees'), 403, 'FORBIDDEN_ROLE', `${role} GET`);
            const r = await asB(role, 'PUT', schedule);
            assertEnvelope(r, 403, 'FORBIDDEN_ROLE', `${role} PUT`);
            assert.deepEqual([auditRow(r).role, auditRow(r).status], [role, 403]);
        }
        assert.equal(sqlValue(`SELECT COUNT(*) FROM fee_rule WHERE partner_id = ${B.pid}`), '0');
    });

    test('the demo partner ADMIN reads its own schedule', async () => {
        const r = await as('ADMIN', 'GET', '/admin/fees');
        assertStatus(r, 200);
        assert.ok(r.json.version >= 1, show(r));
        const card = r.json.rules.find((x) => x.event === 'card_creation' && x.currency === 'EUR');
        assert.deepEqual(card, { event: 'card_creation', currency: 'EUR', fixed: '5.00' });
        demoBefore = r.json;
    });

    test('a new partner has an empty schedule; PUT replaces it, GET gives back what was put, and so does a PUT of a GET', async () => {
        let r = await asB('ADMIN', 'GET');
        assertStatus(r, 200);
        assert.deepEqual(r.json, { version: 0, updated_at: null, rules: [] });
        r = await asB('ADMIN', 'PUT', { ...schedule, version: 0 });
        assertStatus(r, 200);
        assert.equal(r.json.version, 1);
        assert.match(r.json.updated_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        const want = [
            { event: 'card_creation', currency: 'EUR', fixed: '3.50' },
            { event: 'monthly_account', currency: 'EUR', fixed: '2.00' },
            { event: 'ecom', currency: 'PLN', fixed: '0.00', rate_bp: 25, min: '0.00', max: null },
            { event: 'atm', currency: 'EUR', fixed: '1.50', rate_bp: 150, min: '2.00', max: '12.00' },
        ];
        const byKey = (a) => [...a].sort((x, y) => `${x.event}/${x.currency}`.localeCompare(`${y.event}/${y.currency}`));
        assert.deepEqual(byKey(r.json.rules), byKey(want));
        const a = auditRow(r);
        assert.deepEqual([a.role, a.action, a.target, a.status], ['ADMIN', 'FEES_SET', '1', 200]);
        const got = await asB('ADMIN', 'GET');
        assert.deepEqual(got.json, r.json);
        const again = await asB('ADMIN', 'PUT', got.json);
        assertStatus(again, 200);
        assert.equal(again.json.version, 2);
        assert.deepEqual(again.json.rules, got.json.rules);
        assert.equal(sqlValue(`SELECT COUNT(*) FROM fee_rule WHERE partner_id = ${B.pid}`), '4');
    });

    test('PUT with bad input: 422 with a field error each, nothing changed', async () => {
        const before = (await asB('ADMIN', 'GET')).json;
        const bad = await asB('ADMIN', 'PUT', {
            rules: [
                { event: 'card_creation', currency: 'XXQ', fixed: '1.00' },
                { event: 'card_creation', currency: 'EUR', fixed: '-1.00' },
                { event: 'monthly_card', currency: 'EUR', fixed: '1.00', rate_bp: 10 },
                { event: 'atm', currency: 'EUR', rate_bp: 10001 },
                { event: 'teleport', currency: 'EUR' },
                { event: 'pos', currency: 'EUR', min: '5.00', max: '1.00' },
            ],
            colour: 'red',
        });
        assertValidation(bad, ['rules[0].currency', 'rules[1].fixed', 'rules[2].rate_bp', 'rules[3].rate_bp', 'rules[4].event', 'colour']);
        const a = auditRow(bad);
        assert.deepEqual([a.action, a.target, a.status], ['FEES_SET', '', 422]);
        assertEnvelope(await asB('ADMIN', 'PUT', undefined), 400, 'INVALID_JSON', 'no body');
        assertValidation(await asB('ADMIN', 'PUT', {}), 'rules');
        assert.deepEqual((await asB('ADMIN', 'GET')).json, before);
    });

    test('PUT with a stale version: 409 FEE_SCHEDULE_CHANGED, nothing changed', async () => {
        const before = (await asB('ADMIN', 'GET')).json;
        const r = await asB('ADMIN', 'PUT', { version: before.version - 1, rules: [] });
        assertEnvelope(r, 409, 'FEE_SCHEDULE_CHANGED');
        assert.equal(auditRow(r).status, 409);
        assert.deepEqual((await asB('ADMIN', 'GET')).json, before);
        // without a version the replacement is unconditional
        const last = await asB('ADMIN', 'PUT', { rules: before.rules });
        assertStatus(last, 200);
        assert.equal(last.json.version, before.version + 1);
    });

    test("each partner's schedule is its own: the other ADMIN neither sees nor changes it", async () => {
        const demo = await as('ADMIN', 'GET', '/admin/fees');
        assert.deepEqual(demo.json, demoBefore, "B's replacements did not touch the demo partner's schedule");
        const b = (await asB('ADMIN', 'GET')).json;
        assert.notDeepEqual(b.rules, demo.json.rules);
        assert.ok(!b.rules.some((x) => x.event === 'card_creation' && x.fixed === '5.00'));
        // B's ADMIN from the demo partner's origin is refused before anything is read
        assertEnvelope(await admin('GET', '/admin/fees', { token: B.tok.ADMIN }), 403, 'ORIGIN_NOT_ALLOWED');
    });
});
