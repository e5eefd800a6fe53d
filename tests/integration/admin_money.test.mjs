// The admin channel's data: the user search with its filters and pagination, a user's balances
// (open, list), the balance summary, the partner's own balances (open, idempotent reload,
// concurrent reloads), user reloads that never overdraw a partner credit balance funded from the
// panel, and the operators an ADMIN manages.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, test } from 'node:test';
import {
    assertEnvelope, assertStatus, assertValidation, cents, createCustomer, ledgerCheck, pagination, post,
    reload, show, untilNot429, verifyKyc,
} from './lib/stack.mjs';
import { admin, adminLogin, adminToken, newAdminPartner } from './lib/admin.mjs';

let B, T; // a partner of our own and its operators' tokens by role
const as = (role, extra = {}) => ({ token: T[role], origin: B.origin, ...extra });
const key = () => crypto.randomUUID();

before(async () => {
    B = newAdminPartner('adminmoney');
    T = {};
    for (const role of Object.keys(B.ops)) T[role] = await adminToken(B.ops[role], B.origin);
});

test('users: filters (name, email, phone, iban, kyc status, created range) and X-Pagination-* headers', async () => {
    const tag = crypto.randomBytes(3).toString('hex');
    const a = await createCustomer(B.cert, { first_name: `Zoé${tag}`, last_name: 'Martin', phone: '+48601000001', email: `zoe.${tag}@example.com` });
    const b = await createCustomer(B.cert, { first_name: 'Jan', last_name: `Kowal${tag}`, phone: '+48601000002', email: `jan.${tag}@example.com` });
    const c = await createCustomer(B.cert, { first_name: 'Ola', last_name: `Nowak${tag}`, phone: '+48601000003', email: `ola.${tag}@example.com` });
    await verifyKyc(c.id, B.cert);
    const opened = await admin('POST', `/admin/users/${c.id}/balances`, as('EMPLOYEE', { body: { currency: 'EUR' } }));
    assertStatus(opened, 201);
    assert.match(opened.json.iban, /^FR\d{2}/);
    const ids = async (q) => {
        const r = await admin('GET', `/admin/users?${q}`, as('EMPLOYEE'));
        assertStatus(r, 200);
        return r.json.map((u) => u.id).sort();
    };
    assert.deepEqual(await ids(`name=${encodeURIComponent(`zoé${tag}`.toUpperCase())}`), [a.id]);
    assert.deepEqual(await ids(`name=${encodeURIComponent(`jan kowal${tag}`)}`), [b.id]);
    assert.deepEqual(await ids(`email=${tag}%40example`), [a.id, b.id, c.id].sort());
    assert.deepEqual(await ids(`email=jan.${tag}`), [b.id]);
    assert.deepEqual(await ids('phone=%2B48601000003'), [c.id]);
    assert.deepEqual(await ids(`iban=${opened.json.iban}`), [c.id]);
    assert.deepEqual(await ids(`iban=${encodeURIComponent(opened.json.iban_formatted.toLowerCase())}`), [c.id]);
    assert.deepEqual(await ids(`kyc_status=VERIFIED&email=${tag}`), [c.id]);
    assert.deepEqual(await ids(`kyc_status=NONE&email=${tag}`), [a.id, b.id].sort());
    assert.deepEqual(await ids(`created_from=${encodeURIComponent(a.created_at)}&created_to=${encodeURIComponent(b.created_at)}&email=${tag}`), [a.id, b.id].sort());
    assert.deepEqual(await ids('created_to=2000-01-01'), []);
    assert.deepEqual(await ids('name=%25'), [], 'a % in a filter is taken literally');
    const page = await admin('GET', `/admin/users?email=${tag}&per_page=2&page=2`, as('EMPLOYEE'));
    assertStatus(page, 200);
    assert.deepEqual(pagination(page), { total: 3, pages: 2, page: 2, perPage: 2 });
    assert.equal(page.json.length, 1);
    assertValidation(await admin('GET', '/admin/users?kyc_status=maybe&created_from=x', as('EMPLOYEE')), ['kyc_status', 'created_from']);
    const one = await admin('GET', `/admin/users/${a.id}`, as('MANAGER'));
    assertStatus(one, 200);
    assert.equal(one.json.email, a.email);
});

test('a user\'s balances: opening needs KYC VERIFIED (422 KYC_NOT_VERIFIED); list paginated', async () => {
    const u = await createCustomer(B.cert);
    assertEnvelope(await admin('POST', `/admin/users/${u.id}/balances`, as('MANAGER', { body: { currency: 'EUR' } })), 422, 'KYC_NOT_VERIFIED');
    await verifyKyc(u.id, B.cert);
    assertEnvelope(await admin('POST', `/admin/users/${u.id}/balances`, as('MANAGER', { body: { currency: 'PLN' } })), 422, 'NO_BASE_IBAN');
    const r = await admin('POST', `/admin/users/${u.id}/balances`, as('MANAGER', { body: { currency: 'EUR' } }));
    assertStatus(r, 201);
    assert.equal(r.json.balance, '0.00');
    const list = await admin('GET', `/admin/users/${u.id}/balances`, as('EMPLOYEE'));
    assertStatus(list, 200);
    assert.deepEqual(pagination(list), { total: 1, pages: 1, page: 1, perPage: 50 });
    assert.equal(list.json[0].id, r.json.id);
});

test('partner balances (ADMIN): open, reload with an Idempotency-Key (replayed, never twice), summary', async () => {
    const opened = await admin('POST', '/admin/partner-balances', as('ADMIN', { body: { type: 'deposit', currency: 'EUR' } }));
    assertStatus(opened, 201);
    assert.equal(opened.json.type, 'deposit');
    assert.equal(opened.json.balance, '0.00');
    assertEnvelope(await admin('POST', '/admin/partner-balances', as('ADMIN', { body: { type: 'deposit', currency: 'EUR' } })), 409, 'PARTNER_BALANCE_EXISTS');
    const url = `/admin/partner-balances/${opened.json.id}/reload`;
    assertEnvelope(await admin('POST', url, as('ADMIN', { body: { amount: '10.00' } })), 400, 'IDEMPOTENCY_KEY_REQUIRED');
    assertValidation(await admin('POST', url, as('ADMIN', { body: { amount: '-1' }, headers: { 'Idempotency-Key': key() } })), ['amount']);
    const k = key();
    const first = await admin('POST', url, as('ADMIN', { body: { amount: '1500.25', description: 'wire 42' }, headers: { 'Idempotency-Key': k } }));
    assertStatus(first, 201);
    assert.equal(first.json.balance, '1500.25');
    assert.equal(first.json.amount, '1500.25');
    const again = await admin('POST', url, as('ADMIN', { body: { amount: '1500.25', description: 'wire 42' }, headers: { 'Idempotency-Key': k } }));
    assertStatus(again, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.json.transaction_id, first.json.transaction_id);
    assertEnvelope(await admin('POST', url, as('ADMIN', { body: { amount: '1.00' }, headers: { 'Idempotency-Key': k } })), 409, 'IDEMPOTENCY_KEY_REUSED');
    const list = await admin('GET', '/admin/partner-balances', as('ADMIN'));
    assertStatus(list, 200);
    const dep = list.json.find((x) => x.id === opened.json.id);
    assert.equal(dep.balance, '1500.25');
    assert.ok(list.json.some((x) => x.type === 'technical' && x.currency === 'EUR'), show(list));
    const tech = list.json.find((x) => x.type === 'technical');
    assertEnvelope(await admin('POST', `/admin/partner-balances/${tech.id}/reload`, as('ADMIN', { body: { amount: '1' }, headers: { 'Idempotency-Key': key() } })), 422, 'TECHNICAL_BALANCE_NOT_RELOADABLE');
    const sum = await admin('GET', '/admin/summary', as('EMPLOYEE'));
    assertStatus(sum, 200);
    const eur = sum.json.find((x) => x.currency === 'EUR');
    assert.equal(eur.partner_deposit, '1500.25', show(sum));
    assert.equal(cents(eur.wallet), cents(eur.users) + cents(eur.partner_credit) + cents(eur.partner_deposit) + cents(eur.technical));
});

test('concurrent admin reloads: 12 keys each sent 3 times at once book exactly 12 reloads', async () => {
    const opened = await admin('POST', '/admin/partner-balances', as('ADMIN', { body: { type: 'credit', currency: 'EUR' } }));
    assertStatus(opened, 201);
    const url = `/admin/partner-balances/${opened.json.id}/reload`;
    const keys = Array.from({ length: 12 }, key);
    const sends = keys.flatMap((k) => [k, k, k]).map((k) => untilNot429(() =>
        admin('POST', url, as('ADMIN', { body: { amount: '1.25' }, headers: { 'Idempotency-Key': k } }))));
    const answers = await Promise.all(sends);
    for (const r of answers) assert.ok(r.status === 201 || r.status === 409, show(r)); // 409: same key in flight
    const booked = new Set(answers.filter((r) => r.status === 201).map((r) => r.json.transaction_id));
    assert.equal(booked.size, 12);
    const list = await admin('GET', '/admin/partner-balances', as('ADMIN'));
    assert.equal(list.json.find((x) => x.id === opened.json.id).balance, '15.00');
});

test('a credit balance funded from the panel: 40 concurrent user reloads of 1.00 against 15.00 never overdraw it', async () => {
    const pb = (await admin('GET', '/admin/partner-balances', as('ADMIN'))).json.find((x) => x.type === 'credit' && x.currency === 'EUR');
    assert.equal(pb.balance, '15.00', 'the previous test funded it');
    const u = await createCustomer(B.cert);
    await verifyKyc(u.id, B.cert);
    const bal = await admin('POST', `/admin/users/${u.id}/balances`, as('EMPLOYEE', { body: { currency: 'EUR' } }));
    assertStatus(bal, 201);
    const answers = await Promise.all(Array.from({ length: 40 }, () =>
        untilNot429(() => reload(u.id, bal.json.id, '"1.00"', { id: B.cert }))));
    const ok = answers.filter((r) => r.status === 201).length;
    for (const r of answers) if (r.status !== 201) assertEnvelope(r, 422, 'PARTNER_INSUFFICIENT_FUNDS');
    assert.equal(ok, 15);
    const after = (await admin('GET', '/admin/partner-balances', as('ADMIN'))).json.find((x) => x.id === pb.id);
    assert.equal(after.balance, '0.00');
    const list = await admin('GET', `/admin/users/${u.id}/balances`, as('EMPLOYEE'));
    assert.equal(list.json[0].balance, '15.00');
    const check = ledgerCheck();
    assert.equal(check.status, 0, `ledger_check: ${check.stdout}${check.stderr}`);
});

test('operators (ADMIN): add, log in, change role, disable; no change of one\'s own role; 409 on a taken email', async () => {
    const email = `new-${crypto.randomBytes(4).toString('hex')}@op.test`;
    const password = 'a long enough password';
    const weak = await admin('POST', '/admin/operators', as('ADMIN', { body: { email, role: 'EMPLOYEE', password: 'short' } }));
    assertValidation(weak, ['password']);
    const made = await admin('POST', '/admin/operators', as('ADMIN', { body: { email, role: 'EMPLOYEE', password, name: 'New One' } }));
    assertStatus(made, 201);
    assert.deepEqual([made.json.email, made.json.role, made.json.status, made.json.last_login_at], [email, 'EMPLOYEE', 'active', null]);
    assertEnvelope(await admin('POST', '/admin/operators', as('ADMIN', { body: { email, role: 'ADMIN', password } })), 409, 'OPERATOR_EXISTS');
    const t = await adminToken({ email, password }, B.origin);
    assertEnvelope(await admin('GET', '/admin/operators', { token: t, origin: B.origin }), 403, 'FORBIDDEN_ROLE');
    const promoted = await admin('PUT', `/admin/operators/${made.json.id}`, as('ADMIN', { body: { role: 'ADMIN' } }));
    assertStatus(promoted, 200);
    assert.equal(promoted.json.role, 'ADMIN');
    // the live session takes the new role at its next request
    assertStatus(await admin('GET', '/admin/operators', { token: t, origin: B.origin }), 200);
    assertEnvelope(await admin('PUT', `/admin/operators/${B.ops.ADMIN.id}`, as('ADMIN', { body: { role: 'EMPLOYEE' } })), 422, 'CANNOT_CHANGE_OWN_ROLE');
    assertEnvelope(await admin('PUT', `/admin/operators/${B.ops.ADMIN.id}`, as('ADMIN', { body: { status: 'disabled' } })), 422, 'CANNOT_CHANGE_OWN_ROLE');
    // one's own name is not a role: it changes
    const renamed = await admin('PUT', `/admin/operators/${B.ops.ADMIN.id}`, as('ADMIN', { body: { name: 'Self Renamed' } }));
    assertStatus(renamed, 200);
    assert.deepEqual([renamed.json.name, renamed.json.role, renamed.json.status], ['Self Renamed', 'ADMIN', 'active']);
    assertEnvelope(await admin('PUT', `/admin/operators/${crypto.randomUUID()}`, as('ADMIN', { body: { role: 'EMPLOYEE' } })), 404, 'NOT_FOUND');
    const off = await admin('PUT', `/admin/operators/${made.json.id}`, as('ADMIN', { body: { status: 'disabled' } }));
    assertStatus(off, 200);
    assertEnvelope(await admin('GET', '/admin/summary', { token: t, origin: B.origin }), 401, 'UNAUTHORIZED');
    assertEnvelope(await adminLogin(email, password, B.origin), 401, 'INVALID_CREDENTIALS');
});
