// The manager.one read API of the banking pool through nginx with real OAuth access tokens:
// GET /accounts (balance with holds, ?at=, RIB), GET /operations (filters, pages, upcoming),
// GET /operations/{id}, third parties on /accounts/{id}/third-parties and on the customer channel,
// another customer's account and operation (404), no token (401), the manager.one envelopes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    DEMO, ENV, createBalance, verifiedCustomer, verifyKyc, get, lit, mintAccessToken, oauth, pagination, partnerIdOf,
    post, reload, request, registerCustomer, sessionToken, bearer, show, sleep, sql, sqlValue,
} from './lib/stack.mjs';

const authUp = fs.existsSync(path.join(ENV.COMPTOIR_STACK_DIR, 'run', 'auth.sock'));
const bankingUp = fs.existsSync(path.join(ENV.COMPTOIR_STACK_DIR, 'run', 'banking.sock'));
const up = authUp && bankingUp;
const apiTest = (name, fn) => test(name, async (t) => {
    if (!up) { t.skip('auth or banking pool not running'); return; }
    await fn(t);
});

const YII = {
    401: ['Unauthorized', 'yii\\web\\UnauthorizedHttpException'],
    403: ['Forbidden', 'yii\\web\\ForbiddenHttpException'],
    404: ['Not Found', 'yii\\web\\NotFoundHttpException'],
    409: ['Conflict', 'yii\\web\\ConflictHttpException'],
};

// {"name","message","code","status","type"} (seed 001 error objects).
function assertM1(res, status, what = '') {
    const w = what ? `${what}: ` : '';
    assert.equal(res.status, status, `${w}expected ${status}, got ${show(res)}`);
    assert.ok(res.json && !Array.isArray(res.json), `${w}not an object: ${show(res)}`);
    assert.equal(res.json.status, status, `${w}${show(res)}`);
    assert.equal(res.json.name, YII[status][0], `${w}${show(res)}`);
    assert.equal(res.json.type, YII[status][1], `${w}${show(res)}`);
    assert.equal(typeof res.json.message, 'string', `${w}${show(res)}`);
    assert.equal(typeof res.json.code, 'number', `${w}${show(res)}`);
}

// 422: a bare array of {field, message} naming `field`.
function assertFields(res, field, what = '') {
    assert.equal(res.status, 422, `${what}: expected 422, got ${show(res)}`);
    assert.ok(Array.isArray(res.json) && res.json.length > 0, `${what}: not an array: ${show(res)}`);
    for (const e of res.json) {
        assert.equal(typeof e.field, 'string');
        assert.equal(typeof e.message, 'string');
    }
    assert.ok(res.json.some((e) => e.field === field), `${what}: no error on ${field}: ${show(res)}`);
}

let partnerId;
// a customer with an EUR balance and a token: {customer, balance, token, accountId}
async function holder(first = 'Ada', last = 'Lovelace') {
    const customer = await verifiedCustomer(DEMO, { first_name: first, last_name: last });
    const balance = await createBalance(customer.id, 'EUR');
    const token = mintAccessToken(customer.id, partnerId);
    const accountId = Number(sqlValue(`SELECT account_id FROM balance WHERE id = ${lit(balance.id)}`));
    return { customer, balance, token, accountId };
}
async function doReload(h, amount, description) {
    const r = await reload(h.customer.id, h.balance.id, amount, { description });
    assert.equal(r.status, 201, show(r));
    return r.json;
}
const api = (h, p, extra) => get(p, oauth(h.token, extra));

let A, B;
before(async () => {
    if (!up) {
        console.log('# banking routes skipped: the stack runs no auth or banking pool');
        return;
    }
    partnerId = partnerIdOf(DEMO);
    A = await holder('Ada', 'Lovelace');
    B = await holder('Grace', 'Hopper');
});

apiTest('no token: 401 in the manager.one envelope; a bad token too', async () => {
    assertM1(await get('/accounts', { id: null }), 401, 'no token');
    assertM1(await get('/operations', { id: null }), 401, 'no token on operations');
    assertM1(await get('/accounts', oauth('at_' + 'A'.repeat(43))), 401, 'unknown token');
});

apiTest('GET /accounts: every Account field, the FR RIB, pagination headers', async () => {
    await doReload(A, '100.54', 'first reload');
    const res = await api(A, '/accounts');
    assert.equal(res.status, 200, show(res));
    assert.equal(res.json.length, 1);
    const p = pagination(res);
    assert.deepEqual(p, { total: 1, pages: 1, page: 1, perPage: 50 });
    const a = res.json[0];
    assert.equal(a.id, A.accountId);
    assert.equal(a.balance_id, A.balance.id);
    assert.equal(typeof a.label, 'string');
    assert.equal(a.balance, 100.54);
    assert.match(res.text, /"balance":100\.54[,}]/, 'balance is the exact decimal number');
    assert.equal(a.currency, 'EUR');
    assert.equal(a.company_name, null);
    assert.deepEqual(a.owner, { gender_label: 'Madame, Monsieur', first_name: 'Ada', last_name: 'Lovelace' });
    assert.equal(a.shared, false);
    const rib = a.rib;
    assert.equal(rib.iban, A.balance.iban);
    assert.equal(rib.bic, A.balance.bic);
    assert.equal(rib.bank, A.balance.iban.slice(4, 9));
    assert.equal(rib.branch, A.balance.iban.slice(9, 14));
    assert.equal(rib.number, A.balance.iban.slice(14, 25));
    assert.equal(rib.checksum, A.balance.iban.slice(25, 27));
    // the key checks: bank . branch . number . key = 0 mod 97 (letters by the RIB table)
    const digits = (rib.bank + rib.branch + rib.number).replace(/[A-Z]/g,
        (c) => String('123456789123456789234567890'['ABCDEFGHIJKLMNOPQRSTUVWXYZ'.indexOf(c)]));
    assert.equal(97 - Number(BigInt(digits + '00') % 97n), Number(rib.checksum));
    assert.equal(rib.establishment, 'Demo Partner');
    assert.equal(rib.holder, 'Ada Lovelace');
    assert.equal(rib.pdf_url, `/accounts/${A.accountId}/rib`);
    const one = await api(A, `/accounts/${A.accountId}`);
    assert.equal(one.status, 200, show(one));
    assert.deepEqual(one.json, a);
});

apiTest('balance counts active holds; ?at= answers the balance at that time', async () => {
    const before0 = new Date(Date.now() - 3600e3).toISOString();
    await sleep(20);
    const mid = new Date().toISOString();
    await sleep(20);
    await doReload(A, '10', 'second reload');
    // a card hold of 5.00, booked as the ledger does (held counts the active hold)
    sql(`INSERT INTO ledger_hold (account_id, amount, reference, expires_at)
           VALUES (${A.accountId}, 500, 'card:itest', UTC_TIMESTAMP(6) + INTERVAL 1 DAY);
         UPDATE ledger_account SET held = held + 500 WHERE id = ${A.accountId}`);
    const now = (await api(A, '/accounts')).json[0];
    assert.equal(now.balance, 105.54, 'posted 110.54 less the 5.00 hold');
    assert.equal(now.posted_balance, 110.54);
    const atMid = await api(A, `/accounts?at=${encodeURIComponent(mid)}`);
    assert.equal(atMid.status, 200, show(atMid));
    assert.equal(atMid.json[0].balance, 100.54, 'before the second reload and the hold');
    const atStart = await api(A, `/accounts/${A.accountId}?at=${encodeURIComponent(before0)}`);
    assert.equal(atStart.json.balance, 0);
    assertFields(await api(A, '/accounts?at=yesterday'), 'at', 'bad at');
    // the hold is an upcoming operation
    const up1 = await api(A, '/operations?status=upcoming');
    assert.equal(up1.status, 200, show(up1));
    assert.equal(up1.json.length, 1);
    assert.ok(up1.json[0].id < 0);
    assert.equal(up1.json[0].status, 'PENDING');
    assert.equal(up1.json[0].amount, 500);
    assert.equal(up1.json[0].afb_code, 11);
    assert.equal(up1.json[0].executed_at, null);
    assert.equal((await api(A, `/operations/${up1.json[0].id}`)).json.label, 'card:itest');
});

apiTest('GET /operations and /operations/{id}: fields, filters, pages', async () => {
    const res = await api(A, '/operations');
    assert.equal(res.status, 200, show(res));
    assert.equal(pagination(res).total, 2);
    const [second, first] = res.json;
    assert.equal(first.label, 'first reload');
    assert.equal(second.label, 'second reload');
    assert.equal(first.amount, 10054);
    assert.equal(first.type, 'credit');
    assert.equal(first.afb_code, 5);
    assert.equal(first.category, 'other');
    assert.equal(first.status, 'DONE');
    assert.equal(first.currency, 'EUR');
    assert.equal(first.beneficiary, null);
    assert.ok(Number.isInteger(first.executed_at) && Math.abs(first.executed_at - Date.now() / 1000) < 600);
    assert.ok(Number.isInteger(first.created_at));
    assert.deepEqual(first.detail, { vat: null });
    const one = await api(A, `/operations/${first.id}`);
    assert.equal(one.status, 200, show(one));
    assert.deepEqual(one.json, first);
    const ids = async (q) => {
        const r = await api(A, `/operations?${q}`);
        assert.equal(r.status, 200, `${q}: ${show(r)}`);
        assert.equal(pagination(r).total, r.json.length, q);
        return r.json.map((o) => o.id);
    };
    assert.deepEqual(await ids('type=debit'), []);
    assert.deepEqual(await ids('type=credit'), [second.id, first.id]);
    assert.deepEqual(await ids('min=100'), [first.id]);
    assert.deepEqual(await ids('max=10&min=10'), [second.id]);
    assert.deepEqual(await ids('search=FIRST'), [first.id]);
    assert.deepEqual(await ids('afb_code=5'), [second.id, first.id]);
    assert.deepEqual(await ids('category=credit_card'), []);
    assert.deepEqual(await ids('card=false&attachment=0'), [second.id, first.id]);
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual(await ids(`from=${today}&to=${today}`), [second.id, first.id]);
    assert.deepEqual(await ids('to=2017-01-31'), []);
    assertFields(await api(A, '/operations?type=sideways'), 'type', 'bad type');
    assertFields(await api(A, '/operations?min=-3'), 'min', 'bad min');
    assertFields(await api(A, '/operations?category=nope'), 'category', 'bad category');
    assertFields(await api(A, '/operations?page=0'), 'page', 'bad page');
    // pages: 2 per page over 2 operations, a page past the last is 200 []
    const p1 = await api(A, '/operations?per_page=1&page=2');
    assert.deepEqual(pagination(p1), { total: 2, pages: 2, page: 2, perPage: 1 });
    assert.deepEqual(p1.json.map((o) => o.id), [first.id]);
    const past = await api(A, '/operations?page=9');
    assert.equal(past.status, 200);
    assert.deepEqual(past.json, []);
    assert.equal(pagination(past).total, 2);
    assertM1(await api(A, '/operations/999999999999'), 404, 'unknown operation');
    assertM1(await api(A, '/operations/abc'), 404, 'not an id');
});

apiTest("another customer's account and operation are 404", async () => {
    const opId = (await api(A, '/operations')).json[0].id;
    assertM1(await api(B, `/operations/${opId}`), 404, 'foreign operation');
    assertM1(await api(B, `/accounts/${A.accountId}`), 404, 'foreign account');
    assertM1(await api(B, `/accounts/${A.accountId}/third-parties`), 404, 'foreign third parties');
    assertM1(await post(`/accounts/${A.accountId}/third-parties`, { email: B.customer.email }, oauth(B.token)), 404, 'foreign declare');
    assertM1(await api(B, `/operations?account_id=${A.accountId}`), 404, 'foreign account filter');
    const list = await api(B, '/accounts');
    assert.deepEqual(list.json.map((a) => a.id), [B.accountId]);
    assert.equal((await api(B, '/operations')).json.length, 0);
});

apiTest('third party: declared by email, sees the account and its operations, removed on the next request', async () => {
    const add = await post(`/accounts/${A.accountId}/third-parties`, { email: B.customer.email }, oauth(A.token));
    assert.equal(add.status, 201, show(add));
    assert.equal(add.json.customer_id, B.customer.id);
    assert.equal(add.json.email, B.customer.email);
    const again = await post(`/accounts/${A.accountId}/third-parties`, { customer_id: B.customer.id }, oauth(A.token));
    assertM1(again, 409, 'declared twice');
    assertFields(await post(`/accounts/${A.accountId}/third-parties`, { customer_id: A.customer.id }, oauth(A.token)), 'customer_id', 'owner');
    assertFields(await post(`/accounts/${A.accountId}/third-parties`, { email: 'nobody@example.com' }, oauth(A.token)), 'email', 'unknown');
    assertFields(await post(`/accounts/${A.accountId}/third-parties`, {}, oauth(A.token)), 'customer_id', 'empty');
    const listed = await api(A, `/accounts/${A.accountId}/third-parties`);
    assert.equal(listed.status, 200, show(listed));
    assert.deepEqual(listed.json.map((t) => t.customer_id), [B.customer.id]);
    // B sees A's account (shared) and its operations
    const bAccounts = await api(B, '/accounts');
    assert.deepEqual(bAccounts.json.map((a) => [a.id, a.shared]), [[B.accountId, false], [A.accountId, true]]);
    assert.equal(bAccounts.json[1].owner.first_name, 'Ada');
    const opId = (await api(A, '/operations')).json[0].id;
    assert.equal((await api(B, `/operations/${opId}`)).status, 200);
    assert.equal(pagination(await api(B, '/operations')).total, 2);
    assert.equal(pagination(await api(B, `/operations?account_id=${B.accountId}`)).total, 0);
    // a third party may not declare others
    const C = await holder('Katherine', 'Johnson');
    assertM1(await post(`/accounts/${A.accountId}/third-parties`, { email: C.customer.email }, oauth(B.token)), 403, 'third party declares');
    assertM1(await request('DELETE', `/accounts/${A.accountId}/third-parties/${B.customer.id}`, oauth(C.token)), 404, 'stranger removes');
    // the owner removes B: B's next request no longer sees anything of A
    const del = await request('DELETE', `/accounts/${A.accountId}/third-parties/${B.customer.id}`, oauth(A.token));
    assert.equal(del.status, 204, show(del));
    assert.deepEqual((await api(B, '/accounts')).json.map((a) => a.id), [B.accountId]);
    assertM1(await api(B, `/operations/${opId}`), 404, 'after removal');
    assertM1(await request('DELETE', `/accounts/${A.accountId}/third-parties/${B.customer.id}`, oauth(A.token)), 404, 'removed twice');
    // declared by customer id, then the third party leaves by itself (query form)
    assert.equal((await post(`/accounts/${A.accountId}/third-parties`, { customer_id: C.customer.id }, oauth(A.token))).status, 201);
    const leave = await request('DELETE', `/accounts/${A.accountId}/third-parties?email=${encodeURIComponent(C.customer.email)}`, oauth(C.token));
    assert.equal(leave.status, 204, show(leave));
    assert.deepEqual((await api(A, `/accounts/${A.accountId}/third-parties`)).json, []);
});

apiTest('customer channel: /customers/me/balances/{balanceId}/third-parties', async (t) => {
    const customersUp = fs.existsSync(path.join(ENV.COMPTOIR_STACK_DIR, 'run', 'customers.sock'));
    if (!customersUp) { t.skip('customers pool not running'); return; }
    const owner = await registerCustomer();
    const other = await registerCustomer();
    let token;
    try { token = await sessionToken(owner); } catch (e) { t.skip(`no customer session: ${e.message.split('\n')[0]}`); return; }
    await verifyKyc(owner.id);
    const balance = await createBalance(owner.id, 'EUR');
    const base = `/customers/me/balances/${balance.id}/third-parties`;
    const add = await post(base, { customer_id: other.id }, bearer(token));
    assert.equal(add.status, 201, show(add));
    const list = await get(base, bearer(token));
    assert.equal(list.status, 200, show(list));
    assert.deepEqual(list.json.map((x) => x.customer_id), [other.id]);
    // the declared customer sees it through the OAuth API too
    const otherToken = mintAccessToken(other.id, partnerId);
    const seen = await api({ token: otherToken }, '/accounts');
    assert.ok(seen.json.some((a) => a.balance_id === balance.id && a.shared === true), show(seen));
    const dup = await post(base, { email: other.email }, bearer(token));
    assert.equal(dup.status, 409, show(dup));
    assert.equal(dup.json.code, 'THIRD_PARTY_EXISTS');
    const foreign = await get(`/customers/me/balances/${A.balance.id}/third-parties`, bearer(token));
    assert.equal(foreign.status, 404, show(foreign));
    assert.equal(foreign.json.code, 'BALANCE_NOT_FOUND');
    const del = await request('DELETE', `${base}?customer_id=${other.id}`, bearer(token));
    assert.equal(del.status, 204, show(del));
    assert.ok(!(await api({ token: otherToken }, '/accounts')).json.some((a) => a.balance_id === balance.id));
});

apiTest('scopes: reading needs the read scope and writing the write scope (403 otherwise)', async () => {
    const readOnly = mintAccessToken(A.customer.id, partnerId, 'read');
    const writeOnly = mintAccessToken(A.customer.id, partnerId, 'write');
    assert.equal((await get('/accounts', oauth(readOnly))).status, 200);
    assertM1(await get('/accounts', oauth(writeOnly)), 403, 'a write-only token reading');
    const before = sqlValue(`SELECT COUNT(*) FROM balance_third_party WHERE balance_id = ${lit(A.balance.id)}`);
    assertM1(await post(`/accounts/${A.accountId}/third-parties`, { email: B.customer.email }, oauth(readOnly)),
        403, 'a read-only token writing');
    assert.equal(sqlValue(`SELECT COUNT(*) FROM balance_third_party WHERE balance_id = ${lit(A.balance.id)}`), before);
});
