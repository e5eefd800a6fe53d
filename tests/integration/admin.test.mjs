// The admin channel (API.md "Admin channel"): operator logins and logout through the auth pool,
// the per-partner Origin allow-list, the role each route admits (checked by the dispatcher),
// the audit of every admin request, one partner's operators seeing nothing of another's, the
// login lockout, and bad input answered 4xx with the envelope, never 500.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
    DEMO, assertEnvelope, assertStatus, createBalance, show, verifiedCustomer,
} from './lib/stack.mjs';
import {
    DEMO_OPERATORS, ORIGIN, ROLES, addOperator, admin, adminLogin, adminToken, auditOf, newAdminPartner,
} from './lib/admin.mjs';

let TOK; // role -> token of the demo partner's operators
let B; // a second partner with its own operators and origin
let demoUser, demoBalance;

before(async () => {
    TOK = {};
    for (const role of ROLES) TOK[role] = await adminToken(DEMO_OPERATORS[role]);
    B = newAdminPartner('admin');
    demoUser = await verifiedCustomer(DEMO);
    demoBalance = await createBalance(demoUser.id, 'EUR', DEMO);
});

test('each role logs in: 201 {session_token, expires_in, role}, audited', async () => {
    for (const role of ROLES) {
        const r = await adminLogin(DEMO_OPERATORS[role].email, DEMO_OPERATORS[role].password);
        assertStatus(r, 201);
        assert.match(r.json.session_token, /^os_[A-Za-z0-9_-]{43}$/);
        assert.equal(r.json.role, role);
        assert.ok(Number.isInteger(r.json.expires_in) && r.json.expires_in > 0, show(r));
        const rows = auditOf(r.headers['x-request-id']);
        assert.equal(rows.length, 1, `audit rows of the login: ${JSON.stringify(rows)}`);
        assert.equal(rows[0].operator_id, r.json.operator_id);
        assert.equal(rows[0].role, role);
        assert.deepEqual([rows[0].method, rows[0].path, rows[0].status], ['POST', '/admin/sessions', 201]);
    }
});

test('a wrong password or an unknown email: 401 INVALID_CREDENTIALS, audited', async () => {
    const wrong = await adminLogin(B.ops.MANAGER.email, 'not the password at all');
    assertEnvelope(wrong, 401, 'INVALID_CREDENTIALS');
    const rows = auditOf(wrong.headers['x-request-id']);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].operator_id, B.ops.MANAGER.id);
    assert.equal(rows[0].status, 401);
    const unknown = await adminLogin('nobody-here@op.test', 'whatever password');
    assertEnvelope(unknown, 401, 'INVALID_CREDENTIALS');
    assert.deepEqual(auditOf(unknown.headers['x-request-id']).map((a) => [a.operator_id, a.status]), [['', 401]]);
    // the failure was counted, and a right password resets the count
    assertStatus(await adminLogin(B.ops.MANAGER.email, B.ops.MANAGER.password, B.origin), 201);
});

test('five wrong passwords lock the operator: 429 TOO_MANY_ATTEMPTS with Retry-After, the right one too', async () => {
    const op = addOperator(B.pub, 'EMPLOYEE');
    for (let i = 0; i < 5; i++) assertEnvelope(await adminLogin(op.email, `wrong password ${i}`, B.origin), 401, 'INVALID_CREDENTIALS');
    const locked = await adminLogin(op.email, op.password, B.origin);
    assertEnvelope(locked, 429, 'TOO_MANY_ATTEMPTS');
    assert.ok(Number(locked.headers['retry-after']) > 0, show(locked));
});

test('Origin: a login or a request from an origin not in the partner list is 403 ORIGIN_NOT_ALLOWED', async () => {
    const op = DEMO_OPERATORS.EMPLOYEE;
    for (const origin of ['https://evil.example', B.origin, null, 'null', `${ORIGIN}/`]) {
        const r = await adminLogin(op.email, op.password, origin);
        assertEnvelope(r, 403, 'ORIGIN_NOT_ALLOWED', `login from ${origin}`);
        assert.equal(auditOf(r.headers['x-request-id'])[0]?.status, 403, 'the refused login is audited');
    }
    for (const origin of ['https://evil.example', B.origin, null]) {
        const r = await admin('GET', '/admin/summary', { token: TOK.EMPLOYEE, origin });
        assertEnvelope(r, 403, 'ORIGIN_NOT_ALLOWED', `request from ${origin}`);
    }
    // B's own operator from B's origin is let in, from the demo partner's origin it is not
    assertStatus(await adminLogin(B.ops.EMPLOYEE.email, B.ops.EMPLOYEE.password, B.origin), 201);
    assertEnvelope(await adminLogin(B.ops.EMPLOYEE.email, B.ops.EMPLOYEE.password, ORIGIN), 403, 'ORIGIN_NOT_ALLOWED');
});

test('without a session or with a bad token: 401 from the auth pool', async () => {
    assertEnvelope(await admin('GET', '/admin/users'), 401, 'UNAUTHORIZED');
    assertEnvelope(await admin('GET', '/admin/users', { token: 'os_' + 'A'.repeat(43) }), 401, 'UNAUTHORIZED');
    // a customer session token is not an operator session
    assertEnvelope(await admin('GET', '/admin/users', { token: 'cs_' + 'A'.repeat(43) }), 401, 'UNAUTHORIZED');
});

// Every route with each role: ADMIN-only routes refuse EMPLOYEE and MANAGER with 403 FORBIDDEN_ROLE
// (before the handler: nothing is created), the others let every role in.
const ROUTES = [
    ['GET', () => '/admin/users', 'any'],
    ['GET', () => `/admin/users/${demoUser.id}`, 'any'],
    ['GET', () => `/admin/users/${demoUser.id}/balances`, 'any'],
    ['POST', () => `/admin/users/${demoUser.id}/balances`, 'any', { currency: 'XXX' }],
    ['GET', () => `/admin/balances/${demoBalance.id}/iban`, 'any'],
    ['GET', () => '/admin/summary', 'any'],
    ['GET', () => '/admin/partner-balances', 'ADMIN'],
    ['POST', () => '/admin/partner-balances', 'ADMIN', { type: 'bogus', currency: 'EUR' }],
    ['POST', () => '/admin/partner-balances/00000000-0000-0000-0000-000000000000/reload', 'ADMIN', { amount: '1.00' }],
    ['GET', () => '/admin/operators', 'ADMIN'],
    ['POST', () => '/admin/operators', 'ADMIN', { email: 'x' }],
    ['PUT', () => `/admin/operators/${B.ops.ADMIN.id}`, 'ADMIN', { role: 'ADMIN' }],
];

test('each route with each role: ADMIN-only routes refuse EMPLOYEE and MANAGER with 403 FORBIDDEN_ROLE', async () => {
    for (const [method, url, who, body] of ROUTES) {
        for (const role of ROLES) {
            const r = await admin(method, url(), { token: TOK[role], body, headers: { 'Idempotency-Key': `k-${Date.now()}-${role}` } });
            const what = `${role} ${method} ${url()}`;
            if (who === 'ADMIN' && role !== 'ADMIN') {
                assertEnvelope(r, 403, 'FORBIDDEN_ROLE', what);
            } else {
                assert.ok(r.status < 500 && r.status !== 403 && r.status !== 401, `${what}: ${show(r)}`);
            }
            const rows = auditOf(r.headers['x-request-id']);
            assert.equal(rows.length, 1, `${what}: audit rows ${JSON.stringify(rows)}`);
            assert.equal(rows[0].role, role);
            assert.equal(rows[0].status, r.status);
            assert.equal(rows[0].method, method);
        }
    }
});

test('the IBAN reveal answers the IBAN and is audited as IBAN_REVEAL with the balance id', async () => {
    const r = await admin('GET', `/admin/balances/${demoBalance.id}/iban`, { token: TOK.EMPLOYEE });
    assertStatus(r, 200);
    assert.equal(r.json.iban, demoBalance.iban);
    const [row] = auditOf(r.headers['x-request-id']);
    assert.equal(row.action, 'IBAN_REVEAL');
    assert.equal(row.target, demoBalance.id);
    // the balance list masks it
    const list = await admin('GET', `/admin/users/${demoUser.id}/balances`, { token: TOK.EMPLOYEE });
    assertStatus(list, 200);
    assert.equal(list.json.length, 1);
    assert.notEqual(list.json[0].iban, demoBalance.iban);
    assert.ok(list.json[0].iban.endsWith(demoBalance.iban.slice(-4)), show(list));
});

test('another partner\'s operator sees nothing of the demo partner: 404 or an empty list', async () => {
    const t = await adminToken(B.ops.ADMIN, B.origin);
    const o = { token: t, origin: B.origin };
    const users = await admin('GET', '/admin/users?per_page=200', o);
    assertStatus(users, 200);
    assert.ok(!users.json.some((u) => u.id === demoUser.id), 'a demo user is listed to B');
    const byEmail = await admin('GET', `/admin/users?email=${encodeURIComponent(demoUser.email)}`, o);
    assertStatus(byEmail, 200);
    assert.deepEqual(byEmail.json, []);
    assertEnvelope(await admin('GET', `/admin/users/${demoUser.id}`, o), 404, 'NOT_FOUND');
    assertEnvelope(await admin('GET', `/admin/users/${demoUser.id}/balances`, o), 404, 'NOT_FOUND');
    assertEnvelope(await admin('POST', `/admin/users/${demoUser.id}/balances`, { ...o, body: { currency: 'EUR' } }), 404, 'NOT_FOUND');
    assertEnvelope(await admin('GET', `/admin/balances/${demoBalance.id}/iban`, o), 404, 'NOT_FOUND');
    const ops = await admin('GET', '/admin/operators', o);
    assertStatus(ops, 200);
    for (const op of Object.values(B.ops)) assert.ok(ops.json.some((x) => x.email === op.email), `B's ${op.email} missing`);
    for (const op of Object.values(DEMO_OPERATORS)) assert.ok(!ops.json.some((x) => x.email === op.email), `${op.email} listed to B`);
    const demoAdminId = (await admin('GET', '/admin/operators', { token: TOK.ADMIN })).json.find((x) => x.email === DEMO_OPERATORS.ADMIN.email).id;
    assertEnvelope(await admin('PUT', `/admin/operators/${demoAdminId}`, { ...o, body: { role: 'EMPLOYEE' } }), 404, 'NOT_FOUND');
    const pbal = await admin('GET', '/admin/partner-balances', { token: TOK.ADMIN });
    const demoCredit = pbal.json.find((x) => x.type === 'credit' && x.currency === 'EUR');
    assertEnvelope(await admin('POST', `/admin/partner-balances/${demoCredit.id}/reload`,
        { ...o, body: { amount: '1.00' }, headers: { 'Idempotency-Key': `iso-${Date.now()}` } }), 404, 'NOT_FOUND');
    const sum = await admin('GET', '/admin/summary', o);
    assertStatus(sum, 200);
    for (const row of sum.json) assert.equal(row.users, '0.00', `B's summary counts demo users: ${show(sum)}`);
});

test('logout: 204, then the token is refused', async () => {
    const t = await adminToken(DEMO_OPERATORS.MANAGER);
    assertStatus(await admin('DELETE', '/admin/sessions/current', { token: t }), 204);
    assertEnvelope(await admin('GET', '/admin/summary', { token: t }), 401, 'UNAUTHORIZED');
});

test('bad input is a 4xx envelope, never a 500', async () => {
    const t = TOK.ADMIN;
    const cases = [
        ['POST', '/admin/sessions', { raw: '{' }, null],
        ['POST', '/admin/sessions', { raw: '[]' }, null],
        ['POST', '/admin/sessions', { body: { email: 1, password: [] } }, null],
        ['POST', '/admin/sessions', { body: { email: 'a@b.c', password: 'p', extra: 1 } }, null],
        ['POST', '/admin/sessions', { body: { email: 'x'.repeat(300), password: 'y'.repeat(2000) } }, null],
        ['GET', '/admin/users?page=0', {}, t],
        ['GET', '/admin/users?per_page=100000', {}, t],
        ['GET', '/admin/users?created_from=yesterday', {}, t],
        ['GET', '/admin/users?created_to=2026-13-45', {}, t],
        ['GET', '/admin/users?kyc_status=verified', {}, t],
        ['GET', '/admin/users?iban=NOT-AN-IBAN', {}, t],
        ['GET', `/admin/users?name=${'n'.repeat(400)}`, {}, t],
        ['GET', '/admin/users?name=%ZZ', {}, t],
        ['GET', '/admin/users/not-a-uuid', {}, t],
        ['GET', `/admin/users/${'9'.repeat(200)}/balances`, {}, t],
        ['POST', `/admin/users/${demoUser.id}/balances`, { body: { currency: 'EURO' } }, t],
        ['POST', `/admin/users/${demoUser.id}/balances`, { raw: 'nope' }, t],
        ['GET', `/admin/balances/${'x'.repeat(300)}/iban`, {}, t],
        ['POST', '/admin/partner-balances', { body: { type: 'technical', currency: 'EUR' } }, t],
        ['POST', '/admin/partner-balances', { body: { type: 'credit', currency: 'ABC' } }, t],
        ['POST', '/admin/partner-balances', { body: {} }, t],
        ['POST', '/admin/partner-balances/nope/reload', { body: { amount: '1' }, headers: { 'Idempotency-Key': 'a' } }, t],
        ['POST', '/admin/operators', { body: { email: 'no-at-sign', role: 'ROOT', password: 'short' } }, t],
        ['POST', '/admin/operators', { body: { email: DEMO_OPERATORS.EMPLOYEE.email, role: 'EMPLOYEE', password: 'long enough password' } }, t],
        ['PUT', '/admin/operators/not-a-uuid', { body: { role: 'ADMIN' } }, t],
        ['PUT', '/admin/operators', { body: {} }, t],
        ['PATCH', '/admin/users', {}, t],
    ];
    for (const [method, url, o, token] of cases) {
        const r = await admin(method, url, { ...o, token });
        assert.ok(r.status >= 400 && r.status < 500, `${method} ${url}: ${show(r)}`);
        assert.equal(r.json?.status, r.status, `${method} ${url}: no envelope: ${show(r)}`);
    }
});
