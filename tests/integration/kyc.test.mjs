// KYC (seed 003 "User registration & KYC"): submissions on both channels (POST
// /customers/me/register, POST /secure/customers/{id}/register), the partner's own result (PUT
// /secure/customers/{id}/kyc), the status with its history (GET .../kyc), every transition allowed
// and refused, balances refused until VERIFIED, partners isolated, bad input refused without change,
// and concurrent changes that keep status and history in agreement.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    DEMO, ENV, NO_CERT, assertEnvelope, assertStatus, assertValidation, bearer, checkAll, createCustomer, get, isoMicros,
    issuePartner, lit, partnerIdOf, post, put, registerCustomer, request, sessionToken, show, sql, sqlValue, verifiedCustomer,
    verifyKyc,
} from './lib/stack.mjs';

let PID, PUBLIC_ID, B;
const customersUp = () => fs.existsSync(path.join(ENV.COMPTOIR_STACK_DIR, 'run', 'customers.sock'));

before(() => {
    PID = partnerIdOf(DEMO);
    PUBLIC_ID = sqlValue(`SELECT public_id FROM partner WHERE id = ${PID}`);
    B = issuePartner(`kyc-b-${crypto.randomBytes(4).toString('hex')}`);
});

const year = new Date().getUTCFullYear();
const dayIso = (offsetDays) => new Date(Date.now() + offsetDays * 86400000).toISOString().slice(0, 10);

function kycData(over = {}) {
    return {
        document_type: 'PASSPORT',
        document_number: 'AB1234567',
        document_country: 'FR',
        document_expiry: `${year + 5}-06-30`,
        nationality: 'FR',
        address_line1: '12 rue de la Paix',
        address_line2: 'Bâtiment B',
        city: 'Paris',
        postal_code: '75002',
        country: 'FR',
        ...over,
    };
}

const kycUrl = (id) => `/secure/customers/${id}/kyc`;
const registerUrl = (id) => `/secure/customers/${id}/register`;
const setKyc = (id, body, opts) => put(kycUrl(id), body, opts);

// What the database holds for a customer: status, history rows (oldest first), submissions.
function dbState(customerId) {
    return {
        status: sqlValue(`SELECT kyc_status FROM customer WHERE id = ${lit(customerId)}`),
        events: sql(`SELECT from_status, to_status, channel, actor, IFNULL(reason, '(null)'), IFNULL(submission_id, 0)
                     FROM kyc_event WHERE customer_id = ${lit(customerId)} ORDER BY id`)
            .map(([from, to, channel, actor, reason, sub]) => ({ from, to, channel, actor, reason, sub: Number(sub) })),
        submissions: Number(sqlValue(`SELECT COUNT(*) FROM kyc_submission WHERE customer_id = ${lit(customerId)}`)),
        balances: Number(sqlValue(`SELECT COUNT(*) FROM balance WHERE customer_id = ${lit(customerId)}`)),
    };
}

// The history is a chain from NONE to the current status: each row starts where the previous one
// ended, and no row is a non-change.
function assertChain(state, what = '') {
    let at = 'NONE';
    for (const e of state.events) {
        assert.equal(e.from, at, `${what}: history breaks at ${JSON.stringify(e)} (status was ${at}): ${JSON.stringify(state.events)}`);
        assert.notEqual(e.from, e.to, `${what}: a history row that changes nothing`);
        at = e.to;
    }
    assert.equal(state.status, at, `${what}: status ${state.status} but the history ends at ${at}`);
}

function assertView(res, customerId, status, { history = true } = {}) {
    assert.equal(res.json.customer_id, customerId, show(res));
    assert.equal(res.json.kyc_status, status, show(res));
    if (history) assert.ok(Array.isArray(res.json.history), `no history: ${show(res)}`);
    else assert.ok(!('history' in res.json), `the customer sees the history: ${show(res)}`);
}

function assertSubmission(sub, sent, channel) {
    assert.ok(sub && typeof sub === 'object', `no submission: ${JSON.stringify(sub)}`);
    assert.match(sub.id, /^[0-9]+$/);
    assert.equal(sub.channel, channel);
    for (const [k, v] of Object.entries(sent)) assert.equal(sub[k], v, `submission.${k}`);
    for (const k of ['address_line2', 'postal_code']) if (!(k in sent)) assert.equal(sub[k], null, `submission.${k} absent -> null`);
    isoMicros(sub.created_at);
}

// ---------------------------------------------------------------- the partner's flow

test('a new customer: NONE, no submission, empty history; a balance is refused (422 KYC_NOT_VERIFIED), nothing created', async () => {
    const c = await createCustomer();
    const g = await get(kycUrl(c.id));
    assertStatus(g, 200);
    assertView(g, c.id, 'NONE');
    assert.equal(g.json.submission, null);
    assert.deepEqual(g.json.history, []);
    for (const cur of ['EUR', 'PLN', 'USD']) {
        assertEnvelope(await post(`/secure/customers/${c.id}/balances`, { currency: cur }), 422, 'KYC_NOT_VERIFIED', cur);
    }
    const s = dbState(c.id);
    assert.equal(s.balances, 0);
    assert.deepEqual(s.events, []);
    const list = await get(`/secure/customers/${c.id}/balances`);
    assertStatus(list, 200);
    assert.deepEqual(list.json, []);
});

test('partner register: 201 PENDING with the stored submission and history; again 409 KYC_PENDING; balance refused while PENDING', async () => {
    const c = await createCustomer();
    const sent = kycData();
    const r = await post(registerUrl(c.id), sent);
    assertStatus(r, 201);
    assertView(r, c.id, 'PENDING');
    assertSubmission(r.json.submission, sent, 'partner');
    assert.equal(r.json.history.length, 1);
    const e = r.json.history[0];
    assert.deepEqual({ from: e.from, to: e.to, channel: e.channel, actor: e.actor, reason: e.reason, submission_id: e.submission_id },
        { from: 'NONE', to: 'PENDING', channel: 'partner', actor: PUBLIC_ID, reason: null, submission_id: r.json.submission.id });
    assert.match(e.id, /^[0-9]+$/);
    isoMicros(e.created_at);
    const row = sql(`SELECT document_type, document_number, document_country, DATE_FORMAT(document_expiry, '%Y-%m-%d'), nationality,
                            address_line1, address_line2, city, postal_code, country, channel, actor
                     FROM kyc_submission WHERE id = ${Number(r.json.submission.id)} AND customer_id = ${lit(c.id)}`);
    assert.deepEqual(row, [[sent.document_type, sent.document_number, sent.document_country, sent.document_expiry, sent.nationality,
        sent.address_line1, sent.address_line2, sent.city, sent.postal_code, sent.country, 'partner', PUBLIC_ID]]);
    const g = await get(kycUrl(c.id));
    assertStatus(g, 200);
    assert.deepEqual(g.json, r.json, 'GET answers what the POST did');

    const before = dbState(c.id);
    assertEnvelope(await post(registerUrl(c.id), kycData({ document_number: 'ZZ999999' })), 409, 'KYC_PENDING');
    assertEnvelope(await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' }), 422, 'KYC_NOT_VERIFIED');
    assert.deepEqual(dbState(c.id), before, 'a refused request changed something');
});

test('PENDING -> VERIFIED: balances open on the partner channel; registering again is 409 KYC_ALREADY_VERIFIED', async () => {
    const c = await createCustomer();
    assertStatus(await post(registerUrl(c.id), kycData()), 201);
    const v = await setKyc(c.id, { status: 'VERIFIED', reason: 'documents checked' });
    assertStatus(v, 200);
    assertView(v, c.id, 'VERIFIED');
    assert.deepEqual(v.json.history.map((e) => [e.from, e.to, e.reason]), [['NONE', 'PENDING', null], ['PENDING', 'VERIFIED', 'documents checked']]);
    assert.equal(v.json.history[1].submission_id, null);
    const b = await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' });
    assertStatus(b, 201);
    assert.equal(b.json.customer_id, c.id);
    const before = dbState(c.id);
    assertEnvelope(await post(registerUrl(c.id), kycData()), 409, 'KYC_ALREADY_VERIFIED');
    assert.deepEqual(dbState(c.id), before);
    assertChain(before, 'verified');
});

test('NONE -> VERIFIED directly (the partner runs its own KYC), and NONE -> REJECTED', async () => {
    const a = await createCustomer();
    const v = await setKyc(a.id, { status: 'VERIFIED' });
    assertStatus(v, 200);
    assert.deepEqual(v.json.history.map((e) => [e.from, e.to, e.channel, e.actor]), [['NONE', 'VERIFIED', 'partner', PUBLIC_ID]]);
    assert.equal(v.json.submission, null);
    assertStatus(await post(`/secure/customers/${a.id}/balances`, { currency: 'PLN' }), 201);
    const r = await createCustomer();
    const x = await setKyc(r.id, { status: 'REJECTED', reason: 'sanctions list match' });
    assertStatus(x, 200);
    assert.deepEqual(x.json.history.map((e) => [e.from, e.to, e.reason]), [['NONE', 'REJECTED', 'sanctions list match']]);
    assertEnvelope(await post(`/secure/customers/${r.id}/balances`, { currency: 'EUR' }), 422, 'KYC_NOT_VERIFIED');
});

test('the status it already has: 200, no new history row (a retried PUT)', async () => {
    const c = await createCustomer();
    for (const status of ['VERIFIED', 'REJECTED']) {
        assertStatus(await setKyc(c.id, { status }), 200);
        const before = dbState(c.id);
        const again = await setKyc(c.id, { status, reason: 'retry' });
        assertStatus(again, 200);
        assert.equal(again.json.kyc_status, status);
        assert.deepEqual(dbState(c.id), before, `${status} again wrote something`);
    }
});

test('VERIFIED -> REJECTED (a revoked verification): existing balances stay, new ones are refused; REJECTED -> VERIFIED opens them again', async () => {
    const c = await verifiedCustomer();
    const b = await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' });
    assertStatus(b, 201);
    const r = await setKyc(c.id, { status: 'REJECTED', reason: 'forged document found' });
    assertStatus(r, 200);
    assert.equal(r.json.kyc_status, 'REJECTED');
    assert.deepEqual(r.json.history.at(-1).from, 'VERIFIED');
    assert.equal(r.json.history.at(-1).reason, 'forged document found');
    assertEnvelope(await post(`/secure/customers/${c.id}/balances`, { currency: 'PLN' }), 422, 'KYC_NOT_VERIFIED');
    assertStatus(await get(`/secure/customers/${c.id}/balances/${b.json.id}`), 200);
    assert.equal(dbState(c.id).balances, 1);
    const v = await setKyc(c.id, { status: 'VERIFIED', reason: 'manual review overturned it' });
    assertStatus(v, 200);
    assertStatus(await post(`/secure/customers/${c.id}/balances`, { currency: 'PLN' }), 201);
    assert.deepEqual(dbState(c.id).events.map((e) => `${e.from}>${e.to}`), ['NONE>VERIFIED', 'VERIFIED>REJECTED', 'REJECTED>VERIFIED']);
    assertChain(dbState(c.id), 'revoked');
});

test('after REJECTED a new submission is allowed (partner), then PENDING -> REJECTED -> PENDING again', async () => {
    const c = await createCustomer();
    assertStatus(await setKyc(c.id, { status: 'REJECTED' }), 200);
    const first = await post(registerUrl(c.id), kycData());
    assertStatus(first, 201);
    assert.equal(first.json.kyc_status, 'PENDING');
    assertStatus(await setKyc(c.id, { status: 'REJECTED', reason: 'blurry scan' }), 200);
    const second = await post(registerUrl(c.id), kycData({ document_type: 'ID_CARD', document_number: 'X4RTBPFW4' }));
    assertStatus(second, 201);
    assert.notEqual(second.json.submission.id, first.json.submission.id);
    assert.equal(second.json.submission.document_type, 'ID_CARD', 'the view shows the latest submission');
    const s = dbState(c.id);
    assert.equal(s.submissions, 2);
    assert.deepEqual(s.events.map((e) => `${e.from}>${e.to}`), ['NONE>REJECTED', 'REJECTED>PENDING', 'PENDING>REJECTED', 'REJECTED>PENDING']);
    assert.deepEqual(s.events.filter((e) => e.to === 'PENDING').map((e) => String(e.sub)), [first.json.submission.id, second.json.submission.id]);
    assertChain(s, 'resubmitted');
});

// ---------------------------------------------------------------- the customer's channel

test('customer channel: register 201 PENDING (no history shown), again 409; balance 422 until the partner verifies, then 201', async (t) => {
    if (!customersUp()) { t.skip('customers pool not running'); return; }
    const c = await registerCustomer();
    const token = await sessionToken(c);
    assertEnvelope(await post('/customers/me/balances', { currency: 'EUR' }, bearer(token)), 422, 'KYC_NOT_VERIFIED');
    const sent = kycData({ postal_code: '00-950', country: 'PL', city: 'Warszawa', address_line1: 'ul. Marszałkowska 1' });
    delete sent.address_line2;
    const r = await post('/customers/me/register', sent, bearer(token));
    assertStatus(r, 201);
    assertView(r, c.id, 'PENDING', { history: false });
    assertSubmission(r.json.submission, sent, 'customer');
    const s = dbState(c.id);
    assert.deepEqual(s.events.map((e) => [e.from, e.to, e.channel, e.actor]), [['NONE', 'PENDING', 'customer', c.id]]);
    const me = await get('/customers/me', bearer(token));
    assertStatus(me, 200);
    assert.equal(me.json.kyc_status, 'PENDING');

    assertEnvelope(await post('/customers/me/register', kycData(), bearer(token)), 409, 'KYC_PENDING');
    assertEnvelope(await post('/customers/me/balances', { currency: 'EUR' }, bearer(token)), 422, 'KYC_NOT_VERIFIED');
    assert.deepEqual(dbState(c.id), s);

    await verifyKyc(c.id);
    const b = await post('/customers/me/balances', { currency: 'EUR' }, bearer(token));
    assertStatus(b, 201);
    assert.equal(b.json.customer_id, c.id);
    assert.equal(b.json.currency, 'EUR');
    assert.equal(b.json.balance, '0.00');
    const seen = await get(`/secure/customers/${c.id}/balances/${b.json.id}`);
    assertStatus(seen, 200);
    assertEnvelope(await post('/customers/me/register', kycData(), bearer(token)), 409, 'KYC_ALREADY_VERIFIED');
});

test('customer channel: a resubmission after REJECTED; a session acts on its own customer only', async (t) => {
    if (!customersUp()) { t.skip('customers pool not running'); return; }
    const c = await registerCustomer(), other = await registerCustomer();
    const token = await sessionToken(c);
    assertStatus(await setKyc(c.id, { status: 'REJECTED', reason: 'expired passport' }), 200);
    const r = await post('/customers/me/register', kycData({ document_expiry: `${year + 9}-01-31` }), bearer(token));
    assertStatus(r, 201);
    assert.equal(r.json.kyc_status, 'PENDING');
    assert.ok(!JSON.stringify(r.json).includes('expired passport'), 'the customer sees the partner\'s reason');
    assert.deepEqual(dbState(other.id).events, [], 'another customer changed');
    // the customer channel has no route naming another customer, and a session opens no /secure route
    assertEnvelope(await post(`/customers/${other.id}/register`, kycData(), bearer(token)), 404);
    const sec = await get(kycUrl(other.id), bearer(token));
    assert.equal(sec.status, 403, show(sec));
    const put403 = await setKyc(other.id, { status: 'VERIFIED' }, bearer(token));
    assert.equal(put403.status, 403, show(put403));
    assert.equal(dbState(other.id).status, 'NONE');
});

test('customer channel: no or a bad session is 401; bad bodies 4xx and change nothing', async (t) => {
    if (!customersUp()) { t.skip('customers pool not running'); return; }
    for (const opts of [{ id: NO_CERT }, bearer('cs_' + 'A'.repeat(43))]) {
        assertEnvelope(await post('/customers/me/register', kycData(), opts), 401);
        assertEnvelope(await post('/customers/me/balances', { currency: 'EUR' }, opts), 401);
    }
    const c = await registerCustomer();
    const token = await sessionToken(c);
    assertValidation(await post('/customers/me/register', kycData({ kyc_status: 'VERIFIED' }), bearer(token)), 'kyc_status');
    assertValidation(await post('/customers/me/register', kycData({ document_type: 'passport' }), bearer(token)), 'document_type');
    assertValidation(await post('/customers/me/register', {}, bearer(token)), ['document_type', 'address_line1', 'country']);
    assertEnvelope(await request('POST', '/customers/me/register', { ...bearer(token), raw: '{"document_type":' }), 400);
    assertEnvelope(await request('POST', '/customers/me/register', { ...bearer(token), raw: '[]' }), 400);
    assertEnvelope(await request('POST', '/customers/me/register', bearer(token)), 400, 'INVALID_JSON');
    assertValidation(await post('/customers/me/balances', { currency: 'EUR', customer_id: c.id }, bearer(token)), 'customer_id');
    assertValidation(await post('/customers/me/balances', { currency: 'XYZ' }, bearer(token)), 'currency');
    const s = dbState(c.id);
    assert.deepEqual([s.status, s.events.length, s.submissions, s.balances], ['NONE', 0, 0, 0]);
});

// ---------------------------------------------------------------- bad input (partner channel)

test('PUT .../kyc: bad status values, types, unknown fields, bad reasons, bad JSON: 4xx, nothing changes', async () => {
    const c = await createCustomer();
    assertStatus(await post(registerUrl(c.id), kycData()), 201);
    const before = dbState(c.id);
    await checkAll([
        [{ status: 'PENDING' }, 'status'], [{ status: 'NONE' }, 'status'], [{ status: 'verified' }, 'status'],
        [{ status: 'VERIFIED ' }, 'status'], [{ status: '' }, 'status'], [{ status: null }, 'status'], [{ status: 1 }, 'status'],
        [{ status: true }, 'status'], [{ status: ['VERIFIED'] }, 'status'], [{ status: { v: 'VERIFIED' } }, 'status'], [{}, 'status'],
        [{ reason: 'no status' }, 'status'], [{ status: 'VERIFIED', reason: 5 }, 'reason'], [{ status: 'VERIFIED', reason: null }, 'reason'],
        [{ status: 'VERIFIED', reason: '' }, 'reason'], [{ status: 'VERIFIED', reason: '   ' }, 'reason'],
        [{ status: 'VERIFIED', reason: 'x'.repeat(256) }, 'reason'], [{ status: 'VERIFIED', reason: 'a\u0000b' }, 'reason'],
        [{ status: 'VERIFIED', reason: 'line\nbreak' }, 'reason'], [{ status: 'VERIFIED', actor: 'someone' }, 'actor'],
        [{ status: 'VERIFIED', kyc_status: 'VERIFIED' }, 'kyc_status'], [{ status: 'VERIFIED', channel: 'admin' }, 'channel'],
    ], async ([body, field]) => {
        assertValidation(await setKyc(c.id, body), field, JSON.stringify(body));
    });
    await checkAll(['{', '{"status":}', '{"status":"VERIFIED"} x', '{"status":"VERIFIED","status":"REJECTED"}', '[]', '"VERIFIED"', 'null', ''],
        async (raw) => {
            const res = await request('PUT', kycUrl(c.id), { raw });
            assertEnvelope(res, 400, undefined, JSON.stringify(raw));
        });
    assert.deepEqual(dbState(c.id), before);
    // 255 bytes of reason are taken, multi-byte characters included
    const long = 'é'.repeat(127) + 'x';
    const ok = await setKyc(c.id, { status: 'REJECTED', reason: long });
    assertStatus(ok, 200);
    assert.equal(ok.json.history.at(-1).reason, long);
});

test('POST .../register: every field missing, wrong types, bad values, unknown fields: 422 naming the field, nothing stored', async () => {
    const c = await createCustomer();
    const required = ['document_type', 'document_number', 'document_country', 'document_expiry', 'nationality', 'address_line1', 'city',
        'postal_code', 'country'];
    const bad = {
        document_type: ['PASS', 'passport', 'ID', '', 'DRIVING_LICENSE', 'PASSPORT '],
        document_number: ['AB1', 'A'.repeat(31), '-AB12345', 'AB12345-', 'AB 12345', 'AB/12345', 'ÄB12345', ''],
        document_country: ['FRA', 'fr', 'XX', '', '12'],
        document_expiry: [dayIso(-1), '2000-01-01', `${year + 31}-01-01`, `${year + 1}-02-30`, `${year + 1}-13-01`, '31/12/2030',
            `${year + 1}-1-1`, `${year + 1}-06-30T00:00:00Z`, 'soon', ''],
        nationality: ['French', 'F', 'ZZ', ''],
        address_line1: ['', '   ', 'x'.repeat(101)],
        address_line2: ['', '  ', 'x'.repeat(101)],
        city: ['', ' ', 'x'.repeat(101)],
        postal_code: ['7500', '750021', 'ABCDE', '75 002', '', 'x'],
        country: ['FRA', 'fr', 'XX', ''],
    };
    const types = [12345, null, true, ['x'], { v: 'x' }];
    const cases = [
        ...required.map((f) => ['missing', f]),
        ...Object.entries(bad).flatMap(([f, vs]) => vs.map((v) => [f, v])),
        ...Object.keys(bad).flatMap((f) => types.map((v) => [f, v])),
        ['unknown', 'kyc_status'], ['unknown', 'customer_id'], ['unknown', 'status'], ['unknown', 'address'],
    ];
    await checkAll(cases, async ([f, v]) => {
        let body;
        if (f === 'missing') { body = kycData(); delete body[v]; f = v; } else if (f === 'unknown') { body = kycData({ [v]: 'x' }); f = v; } else body = kycData({ [f]: v });
        assertValidation(await post(registerUrl(c.id), body), f, `${f}=${JSON.stringify(v).slice(0, 40)}`);
    });
    // the postal code of the address's country: a PL code in FR and the other way round
    assertValidation(await post(registerUrl(c.id), kycData({ country: 'PL', postal_code: '75002' })), 'postal_code');
    assertValidation(await post(registerUrl(c.id), kycData({ country: 'FR', postal_code: '00-950' })), 'postal_code');
    await checkAll(['{', '{"document_type":"PASSPORT",}', '[]', '42', '', '{"city":"a","city":"b"}'], async (raw) => {
        assertEnvelope(await request('POST', registerUrl(c.id), { raw }), 400, undefined, JSON.stringify(raw));
    });
    const s = dbState(c.id);
    assert.deepEqual([s.status, s.events.length, s.submissions], ['NONE', 0, 0]);
});

test('POST .../register: what is accepted (document types, postal codes of several countries, none where none exist, expiry today)', async () => {
    const ok = [
        { document_type: 'ID_CARD', document_number: 'X4RTBPFW4', document_expiry: dayIso(0) },
        { document_type: 'DRIVING_LICENCE', document_number: 'MORGA753116SM9IJ', country: 'GB', postal_code: 'SW1A 1AA' },
        { document_type: 'RESIDENCE_PERMIT', document_number: 'RP-2024-00012', country: 'PL', postal_code: '00-950' },
        { country: 'NL', postal_code: '1012 AB' }, { country: 'US', postal_code: '10001-2345' }, { country: 'PT', postal_code: '1100-148' },
        { country: 'LU', postal_code: 'L-1940' }, { country: 'AE', city: 'Dubai', postal_code: undefined },
        { country: 'HK', postal_code: undefined, address_line2: undefined },
        { document_expiry: `${year + 29}-12-31`, address_line1: 'Ünter den Lïnden 5, Hinterhaus', country: 'DE', postal_code: '10117' },
    ];
    await checkAll(ok, async (over) => {
        const c = await createCustomer();
        const body = kycData(over);
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        const r = await post(registerUrl(c.id), body);
        assertStatus(r, 201);
        assertSubmission(r.json.submission, body, 'partner');
    });
    // a postal code is still optional where none exist, but checked when given
    const c = await createCustomer();
    assertValidation(await post(registerUrl(c.id), kycData({ country: 'AE', postal_code: '#1' })), 'postal_code');
});

test('unknown or malformed customer ids: 404 on GET, PUT and POST register; wrong methods 405', async () => {
    await checkAll([crypto.randomUUID(), 'nope', '0', 'x'.repeat(300), "1'%20OR%20'1'%3D'1"], async (id) => {
        assertEnvelope(await get(kycUrl(id)), 404, 'NOT_FOUND', `GET ${id.slice(0, 30)}`);
        assertEnvelope(await setKyc(id, { status: 'VERIFIED' }), 404, 'NOT_FOUND', `PUT ${id.slice(0, 30)}`);
        assertEnvelope(await post(registerUrl(id), kycData()), 404, 'NOT_FOUND', `POST ${id.slice(0, 30)}`);
    });
    const c = await createCustomer();
    for (const [m, p, allow] of [['DELETE', kycUrl(c.id), ['GET', 'PUT']], ['POST', kycUrl(c.id), ['GET', 'PUT']],
        ['GET', registerUrl(c.id), ['POST']], ['PUT', registerUrl(c.id), ['POST']]]) {
        const res = await request(m, p, m === 'GET' || m === 'DELETE' ? {} : { body: {} });
        assertEnvelope(res, 405, undefined, `${m} ${p}`);
        for (const a of allow) assert.ok(String(res.headers.allow).includes(a), `${m} ${p}: Allow ${res.headers.allow}`);
    }
});

// ---------------------------------------------------------------- isolation

test('partner B gets 404 for the demo partner\'s customer on every KYC route, with good and bad bodies; nothing changes', async () => {
    const c = await createCustomer();
    assertStatus(await post(registerUrl(c.id), kycData()), 201);
    const before = dbState(c.id);
    const nf = async (p, what) => assertEnvelope(await p, 404, 'NOT_FOUND', what);
    await nf(get(kycUrl(c.id), { id: B }), 'GET');
    await nf(setKyc(c.id, { status: 'VERIFIED' }, { id: B }), 'PUT VERIFIED');
    await nf(setKyc(c.id, { status: 'REJECTED', reason: 'x' }, { id: B }), 'PUT REJECTED');
    await nf(setKyc(c.id, { status: 'PENDING' }, { id: B }), 'PUT bad status');
    await nf(post(registerUrl(c.id), kycData(), { id: B }), 'POST register');
    await nf(post(registerUrl(c.id), { nonsense: 1 }, { id: B }), 'POST register bad body');
    await nf(post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' }, { id: B }), 'POST balance');
    assert.deepEqual(dbState(c.id), before, 'partner B changed the demo partner\'s customer');

    // and the other way round: B's own customer, verified by B, is B's alone
    const bc = await verifiedCustomer(B);
    const seen = await get(kycUrl(bc.id), { id: B });
    assertStatus(seen, 200);
    assert.equal(seen.json.history[0].actor, sqlValue(`SELECT public_id FROM partner WHERE id = ${partnerIdOf(B)}`));
    assertEnvelope(await get(kycUrl(bc.id)), 404, 'NOT_FOUND');
    assertEnvelope(await setKyc(bc.id, { status: 'REJECTED' }), 404, 'NOT_FOUND');
    assert.equal(dbState(bc.id).status, 'VERIFIED');
});

// ---------------------------------------------------------------- concurrency

test('concurrent KYC results on one customer: every change has its history row, and the history ends at the status', async () => {
    const c = await createCustomer();
    assertStatus(await post(registerUrl(c.id), kycData()), 201);
    const sends = Array.from({ length: 24 }, (_, i) => setKyc(c.id, { status: i % 2 ? 'VERIFIED' : 'REJECTED', reason: `r${i}` }));
    const answers = await Promise.all(sends);
    for (const a of answers) assertStatus(a, 200);
    const s = dbState(c.id);
    assertChain(s, 'concurrent');
    // each answer saw its own result applied, and every row came from one of them
    for (const a of answers) assert.ok(a.json.history.length >= 2, show(a));
    for (const e of s.events.slice(1)) assert.match(e.reason, /^r[0-9]+$/);
    assert.ok(s.events.length >= 2 && s.events.length <= 25, `${s.events.length} rows`);
});

test('concurrent submissions from NONE: one 201, the others 409 KYC_PENDING; one submission stored', async () => {
    const c = await createCustomer();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(registerUrl(c.id), kycData({ document_number: `DOC${1000 + i}` }))));
    const statuses = answers.map((a) => a.status).sort();
    assert.deepEqual(statuses, [201, ...Array(9).fill(409)], answers.filter((a) => a.status !== 409).map(show).join('\n'));
    for (const a of answers.filter((x) => x.status === 409)) assertEnvelope(a, 409, 'KYC_PENDING');
    const s = dbState(c.id);
    assert.equal(s.submissions, 1);
    assert.deepEqual(s.events.map((e) => `${e.from}>${e.to}`), ['NONE>PENDING']);
});

test('a revocation racing balance openings: no balance is opened once the REJECTED change committed', async () => {
    const c = await verifiedCustomer();
    const opens = Array.from({ length: 12 }, () => post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' }));
    const revoke = setKyc(c.id, { status: 'REJECTED', reason: 'revoked' });
    const [r, ...bs] = await Promise.all([revoke, ...opens]);
    assertStatus(r, 200);
    for (const b of bs) assert.ok(b.status === 201 || (b.status === 422 && b.json.code === 'KYC_NOT_VERIFIED'), show(b));
    const revokedAt = sqlValue(`SELECT created_at FROM kyc_event WHERE customer_id = ${lit(c.id)} AND to_status = 'REJECTED'`);
    const after = Number(sqlValue(`SELECT COUNT(*) FROM balance WHERE customer_id = ${lit(c.id)} AND created_at > ${lit(revokedAt.replace(' ', 'T'))}`));
    assert.equal(after, 0, 'a balance was opened after the revocation');
    assert.equal(dbState(c.id).balances, bs.filter((b) => b.status === 201).length);
    assertEnvelope(await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' }), 422, 'KYC_NOT_VERIFIED');
});
