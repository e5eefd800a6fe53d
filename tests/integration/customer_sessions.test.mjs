// The customer channel's accounts and sessions: POST /customers/register, POST /customers/sessions
// (login, device pairing, lockout after failed logins), DELETE /customers/sessions/current,
// GET and PUT /customers/me. Session routes go through nginx's auth_request to the auth pool.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    CUSTOMER_PASSWORD, ENV, NO_CERT, assertEnvelope, assertErrorShape, assertStatus, assertValidation, bearer,
    checkAll, customerBody, get, isoMicros, lit, login, publicPost, put, registerCustomer, registrationBody,
    request, sessionToken, show, sql, sqlValue,
} from './lib/stack.mjs';

const FIELDS = ['email', 'phone', 'first_name', 'last_name', 'country', 'birth_date'];
const TOKEN = /^cs_[A-Za-z0-9_-]{43}$/;
const customerCount = () => Number(sqlValue('SELECT COUNT(*) FROM customer'));
const account = (id) => {
    const [row] = sql(`SELECT failed_logins, IFNULL(locked_until, ''), IFNULL(last_login_at, ''), password_hash FROM customer WHERE id = ${lit(id)}`);
    return { failed: Number(row[0]), lockedUntil: row[1], lastLogin: row[2], hash: row[3] };
};
const withoutRequestId = (res) => { const { request_id: _, ...rest } = res.json || {}; return rest; };

// The session routes need the auth pool (its /_auth/customer answers nginx's auth_request): they
// are skipped on a stack that runs no auth pool (comptoir-auth not built), and run otherwise.
const authUp = fs.existsSync(path.join(ENV.COMPTOIR_STACK_DIR, 'run', 'auth.sock'));
before(() => {
    if (!authUp) console.log('# session routes skipped: the stack runs no auth pool (is comptoir-auth built?)');
});
const sessionTest = (name, fn) => test(name, async (t) => {
    if (!authUp) { t.skip('auth pool not running'); return; }
    await fn(t);
});

// ---------------------------------------------------------------- registration

test('register: 201 with the customer, kyc_status NONE; only an argon2id hash is stored', async () => {
    const body = registrationBody();
    const res = await publicPost('/customers/register', body);
    assertStatus(res, 201);
    for (const f of FIELDS) assert.equal(res.json[f], body[f], `field ${f}`);
    assert.equal(res.json.kyc_status, 'NONE');
    assert.match(res.json.id, /^[0-9a-f-]{36}$/);
    isoMicros(res.json.created_at);
    assert.equal(res.json.password, undefined);
    assert.equal(res.json.password_hash, undefined);
    const a = account(res.json.id);
    assert.match(a.hash, /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    assert.ok(!a.hash.includes(body.password));
    assert.equal(a.failed, 0);
    // the customer belongs to the partner of the pool's configuration: the demo partner's API sees it
    const g = await get(`/secure/customers/${res.json.id}`);
    assertStatus(g, 200);
    assert.equal(g.json.email, body.email);
});

test('register validation: each field missing, wrong types, bad values, unknown field; nothing created', async () => {
    const before0 = customerCount();
    await checkAll([...FIELDS, 'password'], async (f) => {
        const body = registrationBody();
        delete body[f];
        assertValidation(await publicPost('/customers/register', body), f, `without ${f}`);
    });
    await checkAll([...FIELDS, 'password'].flatMap((f) => [12345, null, ['x']].map((v) => [f, v])), async ([f, v]) => {
        assertValidation(await publicPost('/customers/register', registrationBody({ [f]: v })), f, `${f}=${JSON.stringify(v)}`);
    });
    await checkAll([['email', 'not-an-email'], ['phone', '12'], ['country', 'XX'], ['birth_date', '2999-01-01'],
        ['first_name', '']], async ([f, v]) => {
        assertValidation(await publicPost('/customers/register', registrationBody({ [f]: v })), f, `${f}=${JSON.stringify(v)}`);
    });
    assertValidation(await publicPost('/customers/register', registrationBody({ role: 'ADMIN' })), 'role', 'unknown field');
    assertValidation(await publicPost('/customers/register', registrationBody({ kyc_status: 'VERIFIED' })), 'kyc_status', 'kyc_status');
    assertValidation(await publicPost('/customers/register', {}), [...FIELDS, 'password'], '{}');
    assert.equal(customerCount(), before0);
});

test('register: weak passwords are refused with a password error', async () => {
    const before0 = customerCount();
    await checkAll(['short', '123456789', 'x'.repeat(129), 'tab\tinside-the-password', 'nul\u0000inside-the-password',
        'c1 control \u0085 inside'], async (pw) => {
        assertValidation(await publicPost('/customers/register', registrationBody({ password: pw })), 'password',
            `password of ${pw.length} characters`);
    });
    // the boundaries are accepted
    await registerCustomer({ password: '0123456789' });
    await registerCustomer({ password: 'é'.repeat(64) });
    assert.equal(customerCount(), before0 + 2);
});

test('register: the same email twice is 409 CUSTOMER_EXISTS, and the first password still works', async () => {
    const c = await registerCustomer();
    const before0 = customerCount();
    const res = await publicPost('/customers/register', registrationBody({ email: c.email, password: 'another password 123' }));
    assertEnvelope(res, 409, 'CUSTOMER_EXISTS');
    assert.equal(customerCount(), before0);
    assertStatus(await login(c.email, c.password), 201);
    assertErrorShape(await login(c.email, 'another password 123'), 401, 'INVALID_CREDENTIALS');
});

test('register: a customer the partner created (no password) cannot log in', async () => {
    const body = customerBody();
    const created = await request('POST', '/secure/customers', { body });
    assertStatus(created, 201);
    assertErrorShape(await login(body.email, CUSTOMER_PASSWORD), 401, 'INVALID_CREDENTIALS');
    // and registering that email for the same partner is a conflict, not a takeover
    assertEnvelope(await publicPost('/customers/register', registrationBody({ email: body.email })), 409, 'CUSTOMER_EXISTS');
});

// ---------------------------------------------------------------- login

test('login: 201 {session_token, expires_in: 600, customer_id}; only the token hash is stored', async () => {
    const c = await registerCustomer();
    const res = await login(c.email, c.password, 'phone-1');
    assertStatus(res, 201);
    assert.match(res.json.session_token, TOKEN);
    assert.equal(res.json.expires_in, 600);
    assert.equal(res.json.customer_id, c.id);
    assert.equal(Number(sqlValue(`SELECT COUNT(*) FROM customer_session WHERE customer_id = ${lit(c.id)} AND token_hash = UNHEX(SHA2(${lit(res.json.session_token)}, 256))`)), 1);
    const ttl = Number(sqlValue(`SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) FROM customer_session WHERE customer_id = ${lit(c.id)}`));
    assert.ok(ttl >= 590 && ttl <= 600, `expires_at is ${ttl} s ahead`);
    assert.notEqual(account(c.id).lastLogin, '');
    // every login is a new session with a new token
    const again = await login(c.email, c.password, 'phone-1');
    assertStatus(again, 201);
    assert.notEqual(again.json.session_token, res.json.session_token);
});

test('login: a new device is paired once; a known one is only seen again', async () => {
    const c = await registerCustomer();
    const devices = () => sql(`SELECT device_id, paired_at FROM customer_device WHERE customer_id = ${lit(c.id)} ORDER BY device_id`);
    assert.deepEqual(devices(), []);
    assertStatus(await login(c.email, c.password, 'tablet-A'), 201);
    const first = devices();
    assert.equal(first.length, 1);
    assert.equal(first[0][0], 'tablet-A');
    assertStatus(await login(c.email, c.password, 'tablet-A'), 201);
    assert.deepEqual(devices(), first, 'a known device is not paired again');
    assertStatus(await login(c.email, c.password, 'phone-B'), 201);
    assert.deepEqual(devices().map((r) => r[0]), ['phone-B', 'tablet-A']);
    // a failed login pairs nothing
    assertErrorShape(await login(c.email, 'wrong password here', 'laptop-C'), 401, 'INVALID_CREDENTIALS');
    assert.equal(devices().length, 2);
});

test('login: wrong password and unknown email answer the same 401 body', async () => {
    const c = await registerCustomer();
    const wrong = await login(c.email, 'not the password!');
    const unknown = await login(`nobody-${Date.now()}@example.com`, 'not the password!');
    assertEnvelope(wrong, 401, 'INVALID_CREDENTIALS');
    assertEnvelope(unknown, 401, 'INVALID_CREDENTIALS');
    assert.deepEqual(withoutRequestId(wrong), withoutRequestId(unknown));
    assert.equal(wrong.headers['retry-after'], undefined);
    // an email that differs only by case is another (unknown) email
    assertEnvelope(await login(c.email.toUpperCase(), c.password), 401, 'INVALID_CREDENTIALS');
});

test('login validation: missing or wrong fields are 422, never a login', async () => {
    const c = await registerCustomer();
    const ok = { email: c.email, password: c.password, device_id: 'd' };
    await checkAll(['email', 'password', 'device_id'], async (f) => {
        const body = { ...ok };
        delete body[f];
        assertValidation(await publicPost('/customers/sessions', body), f, `without ${f}`);
    });
    assertValidation(await publicPost('/customers/sessions', { ...ok, device_id: 'x'.repeat(129) }), 'device_id', 'long device id');
    assertValidation(await publicPost('/customers/sessions', { ...ok, device_id: 7 }), 'device_id', 'numeric device id');
    assertValidation(await publicPost('/customers/sessions', { ...ok, customer_id: c.id }), 'customer_id', 'unknown field');
    assertEnvelope(await publicPost('/customers/sessions', undefined), 400, undefined, 'no body');
    assert.equal(Number(sqlValue(`SELECT COUNT(*) FROM customer_session WHERE customer_id = ${lit(c.id)}`)), 0);
    assert.equal(account(c.id).failed, 0, 'a malformed request is not a failed login');
});

test('lockout: 5 failed logins lock the account; then 429 with Retry-After, even with the right password', async () => {
    const c = await registerCustomer();
    for (let i = 1; i <= 5; i++) {
        assertEnvelope(await login(c.email, `wrong password ${i}`), 401, 'INVALID_CREDENTIALS', `failure ${i}`);
        assert.equal(account(c.id).failed, i);
    }
    assert.notEqual(account(c.id).lockedUntil, '');
    const locked = await login(c.email, c.password);
    assertEnvelope(locked, 429, 'TOO_MANY_ATTEMPTS');
    const ra = Number(locked.headers['retry-after']);
    assert.ok(Number.isInteger(ra) && ra > 840 && ra <= 900, `Retry-After ${locked.headers['retry-after']}`);
    assertEnvelope(await login(c.email, 'wrong again'), 429, 'TOO_MANY_ATTEMPTS');
    assert.equal(Number(sqlValue(`SELECT COUNT(*) FROM customer_session WHERE customer_id = ${lit(c.id)}`)), 0);
    // other customers are not affected
    const other = await registerCustomer();
    assertStatus(await login(other.email, other.password), 201);
    // 15 minutes later (moved in the database): the right password works and resets the count
    sql(`UPDATE customer SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = ${lit(c.id)}`);
    assertStatus(await login(c.email, c.password), 201);
    assert.deepEqual([account(c.id).failed, account(c.id).lockedUntil], [0, '']);
});

test('lockout: after a lock runs out, one failure does not lock again at once', async () => {
    const c = await registerCustomer();
    for (let i = 1; i <= 5; i++) assertErrorShape(await login(c.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    sql(`UPDATE customer SET locked_until = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE id = ${lit(c.id)}`);
    assertErrorShape(await login(c.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    assert.deepEqual([account(c.id).failed, account(c.id).lockedUntil], [1, '']);
    assertStatus(await login(c.email, c.password), 201);
});

test('lockout: a success resets the count (failures must be consecutive)', async () => {
    const c = await registerCustomer();
    for (let i = 0; i < 4; i++) assertErrorShape(await login(c.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    assertStatus(await login(c.email, c.password), 201);
    assert.equal(account(c.id).failed, 0);
    for (let i = 0; i < 4; i++) assertErrorShape(await login(c.email, 'wrong password'), 401, 'INVALID_CREDENTIALS');
    assertStatus(await login(c.email, c.password), 201);
});

test('lockout: 8 concurrent wrong passwords count exactly', async () => {
    const c = await registerCustomer();
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) => login(c.email, `wrong ${i} password`)));
    const statuses = all.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 401 || s === 429), `statuses ${statuses}`);
    assert.equal(statuses.filter((s) => s === 401).length, 5, `statuses ${statuses}`);
    assert.equal(account(c.id).failed, 5);
    assertEnvelope(await login(c.email, c.password), 429, 'TOO_MANY_ATTEMPTS');
});

// ---------------------------------------------------------------- the session routes

sessionTest('GET /customers/me answers the caller; without or with a bad token 401', async () => {
    const c = await registerCustomer();
    const token = await sessionToken(c);
    const me = await get('/customers/me', bearer(token));
    assertStatus(me, 200);
    assert.equal(me.json.id, c.id);
    for (const f of FIELDS) assert.equal(me.json[f], c[f], `field ${f}`);
    assert.equal(me.json.password_hash, undefined);
    assertErrorShape(await get('/customers/me', { id: NO_CERT }), 401, undefined, 'no token');
    assertErrorShape(await get('/customers/me', bearer('cs_' + 'A'.repeat(43))), 401, undefined, 'unknown token');
    assertErrorShape(await get('/customers/me', bearer('garbage')), 401, undefined, 'garbage token');
    assertErrorShape(await get('/customers/me', { id: NO_CERT, headers: { Authorization: `Basic ${token}` } }), 401, undefined, 'wrong scheme');
});

sessionTest('a token of customer A never shows customer B', async () => {
    const a = await registerCustomer();
    const b = await registerCustomer();
    const ta = await sessionToken(a), tb = await sessionToken(b);
    const ra = await get('/customers/me', bearer(ta)), rb = await get('/customers/me', bearer(tb));
    assertStatus(ra, 200);
    assertStatus(rb, 200);
    assert.equal(ra.json.id, a.id);
    assert.equal(rb.json.id, b.id);
    assert.equal(ra.json.email, a.email);
    // A's update changes A only
    assertStatus(await put('/customers/me', { first_name: 'Changed' }, bearer(ta)), 200);
    assert.equal((await get('/customers/me', bearer(tb))).json.first_name, b.first_name);
});

sessionTest('forged identity headers: 401 without a token, and no change of identity with one', async () => {
    const a = await registerCustomer();
    const b = await registerCustomer();
    const ta = await sessionToken(a);
    const partner = sqlValue(`SELECT partner_id FROM customer WHERE id = ${lit(b.id)}`);
    const forged = {
        'X-CT-Auth-Kind': 'customer', 'X-CT-Auth-Subject': b.id, 'X-CT-Auth-Partner': partner, 'X-CT-Auth-Session': '1',
        'CT-Auth-Kind': 'customer', 'CT-Auth-Subject': b.id, 'CT-Auth-Partner': partner, 'CT_AUTH_SUBJECT': b.id,
    };
    assertErrorShape(await get('/customers/me', { id: NO_CERT, headers: forged }), 401, undefined, 'forged, no token');
    assertErrorShape(await put('/customers/me', { first_name: 'Hijack' }, { id: NO_CERT, headers: forged }), 401, undefined, 'forged PUT');
    const me = await get('/customers/me', bearer(ta, forged));
    assertStatus(me, 200);
    assert.equal(me.json.id, a.id);
    assertStatus(await put('/customers/me', { last_name: 'Mine' }, bearer(ta, forged)), 200);
    assert.equal(sqlValue(`SELECT last_name FROM customer WHERE id = ${lit(b.id)}`), b.last_name);
    assert.equal(sqlValue(`SELECT last_name FROM customer WHERE id = ${lit(a.id)}`), 'Mine');
});

sessionTest('PUT /customers/me updates any subset; validation; 409 on a taken email; no password change', async () => {
    const c = await registerCustomer();
    const other = await registerCustomer();
    const token = await sessionToken(c);
    const res = await put('/customers/me', { phone: '+48601234567', country: 'PL' }, bearer(token));
    assertStatus(res, 200);
    assert.equal(res.json.phone, '+48601234567');
    assert.equal(res.json.country, 'PL');
    assert.equal(res.json.first_name, c.first_name);
    const email = `new-${c.email}`;
    const r2 = await put('/customers/me', { email, first_name: 'Grace', last_name: 'Hopper', birth_date: '1985-12-09' }, bearer(token));
    assertStatus(r2, 200);
    assert.deepEqual([r2.json.email, r2.json.first_name, r2.json.last_name, r2.json.birth_date, r2.json.phone],
        [email, 'Grace', 'Hopper', '1985-12-09', '+48601234567']);
    assertEnvelope(await put('/customers/me', { email: other.email }, bearer(token)), 409, 'CUSTOMER_EXISTS');
    assertValidation(await put('/customers/me', { country: 'XX' }, bearer(token)), 'country');
    assertValidation(await put('/customers/me', { password: 'a new password 123' }, bearer(token)), 'password');
    assertValidation(await put('/customers/me', { kyc_status: 'VERIFIED' }, bearer(token)), 'kyc_status');
    const me = await get('/customers/me', bearer(token));
    assert.equal(me.json.email, email);
    assert.equal(me.json.kyc_status, 'NONE');
    // the new email logs in, the old one no longer does
    assertStatus(await login(email, c.password), 201);
    assertErrorShape(await login(c.email, c.password), 401, 'INVALID_CREDENTIALS');
});

sessionTest('logout: 204, then the token is refused; other sessions live on', async () => {
    const c = await registerCustomer();
    const t1 = await sessionToken(c, 'dev-1'), t2 = await sessionToken(c, 'dev-2');
    assertStatus(await get('/customers/me', bearer(t1)), 200);
    const out = await request('DELETE', '/customers/sessions/current', bearer(t1));
    assertStatus(out, 204);
    assert.equal(out.text, '');
    assertErrorShape(await get('/customers/me', bearer(t1)), 401);
    assertErrorShape(await request('DELETE', '/customers/sessions/current', bearer(t1)), 401, undefined, 'second logout');
    assertStatus(await get('/customers/me', bearer(t2)), 200);
    assertErrorShape(await request('DELETE', '/customers/sessions/current', { id: NO_CERT }), 401, undefined, 'no token');
});

sessionTest('an expired session is refused, and not revived', async () => {
    const c = await registerCustomer();
    const token = await sessionToken(c);
    assertStatus(await get('/customers/me', bearer(token)), 200);
    sql(`UPDATE customer_session SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE token_hash = UNHEX(SHA2(${lit(token)}, 256))`);
    assertErrorShape(await get('/customers/me', bearer(token)), 401);
    assertErrorShape(await get('/customers/me', bearer(token)), 401);
    // a fresh login works
    assertStatus(await get('/customers/me', bearer(await sessionToken(c))), 200);
});

sessionTest('a used session slides: its expiry moves forward once it would gain a minute', async () => {
    const c = await registerCustomer();
    const token = await sessionToken(c);
    const where = `token_hash = UNHEX(SHA2(${lit(token)}, 256))`;
    sql(`UPDATE customer_session SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 300 SECOND WHERE ${where}`);
    assertStatus(await get('/customers/me', bearer(token)), 200);
    const left = Number(sqlValue(`SELECT TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(6), expires_at) FROM customer_session WHERE ${where}`));
    assert.ok(left >= 590 && left <= 600, `expiry ${left} s ahead after a request`);
});
