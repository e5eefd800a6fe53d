// /secure/customers/{id}/balances, /secure/balances/{id}/iban, /secure/ibans: balances with IBANs
// generated from the partner's base IBANs, valid per the SWIFT registry, unique; lists paginated.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, test } from 'node:test';
import {
    DEMO, allPages, assertEnvelope, assertIban, assertStatus, assertValidation, createBalance, verifiedCustomer,
    get, ibanFormatted, isoMicros, microsIso, pagination, partnerIdOf, post, show, sleep, sql,
} from './lib/stack.mjs';

let PID;
const BASE = {}; // currency -> {iban, prefix_len, bic}

before(() => {
    PID = partnerIdOf(DEMO);
    for (const [cur, iban, plen, bic] of sql(`SELECT currency, base_iban, prefix_len, bic FROM base_iban WHERE partner_id = ${PID}`)) {
        BASE[cur] = { iban, prefixLen: Number(plen), bic };
    }
    assert.ok(BASE.EUR && BASE.EUR.iban.startsWith('FR'), `demo partner has no FR base IBAN for EUR: ${JSON.stringify(BASE)}`);
    assert.ok(BASE.PLN && BASE.PLN.iban.startsWith('PL'), `demo partner has no PL base IBAN for PLN: ${JSON.stringify(BASE)}`);
});

// Leading BBAN characters the base fixes (0 in the table means the bank and branch codes).
const fixedLen = (cur) => BASE[cur].prefixLen || { FR: 10, PL: 8 }[BASE[cur].iban.slice(0, 2)];

function assertBalance(b, customerId, currency) {
    assert.equal(typeof b.id, 'string');
    assert.ok(b.id.length > 0);
    assert.equal(b.customer_id, customerId);
    assert.equal(b.currency, currency);
    assert.equal(b.balance, '0.00');
    assert.equal(b.available, '0.00');
    assert.equal(b.status, 'active');
    isoMicros(b.created_at);
    assertIban(b.iban);
    assert.equal(b.iban.slice(0, 2), BASE[currency].iban.slice(0, 2));
    assert.equal(b.iban.slice(4, 4 + fixedLen(currency)), BASE[currency].iban.slice(4, 4 + fixedLen(currency)),
        `${b.iban} does not keep the base ${BASE[currency].iban}'s first ${fixedLen(currency)} BBAN characters`);
    assert.equal(b.iban_formatted, ibanFormatted(b.iban));
    assert.equal(b.bic, BASE[currency].bic);
}

test('a customer gets a EUR balance with an FR IBAN and a PLN balance with a PL IBAN', async () => {
    const c = await verifiedCustomer();
    const eur = await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR' });
    assertStatus(eur, 201);
    assertBalance(eur.json, c.id, 'EUR');
    assert.ok(eur.json.iban.startsWith('FR'));
    const pln = await post(`/secure/customers/${c.id}/balances`, { currency: 'PLN' });
    assertStatus(pln, 201);
    assertBalance(pln.json, c.id, 'PLN');
    assert.ok(pln.json.iban.startsWith('PL'));
    assert.notEqual(eur.json.id, pln.json.id);
    assert.notEqual(eur.json.iban, pln.json.iban);
    for (const b of [eur.json, pln.json]) {
        const g = await get(`/secure/customers/${c.id}/balances/${b.id}`);
        assertStatus(g, 200);
        for (const f of ['id', 'customer_id', 'currency', 'balance', 'available', 'iban', 'status']) assert.equal(g.json[f], b[f], f);
    }
});

test('balances created concurrently get valid, unique IBANs', async () => {
    const customers = await Promise.all(Array.from({ length: 15 }, () => verifiedCustomer()));
    const made = await Promise.all(customers.flatMap((c) => ['EUR', 'PLN'].map(async (cur) => {
        const res = await post(`/secure/customers/${c.id}/balances`, { currency: cur });
        assertStatus(res, 201);
        assertBalance(res.json, c.id, cur);
        return res.json;
    })));
    assert.equal(new Set(made.map((b) => b.iban)).size, made.length, 'duplicate IBANs');
    assert.equal(new Set(made.map((b) => b.id)).size, made.length, 'duplicate balance ids');
});

test('a currency without a base IBAN: 422 NO_BASE_IBAN; bad currency values: 422 VALIDATION_ERROR', async () => {
    const c = await verifiedCustomer();
    const none = ['USD', 'GBP', 'CHF', 'SEK', 'JPY'].find((x) => !BASE[x]);
    assert.ok(none, 'the demo partner has a base IBAN for every currency tried');
    const r = await post(`/secure/customers/${c.id}/balances`, { currency: none });
    assertEnvelope(r, 422, 'NO_BASE_IBAN');
    for (const cur of ['XYZ', 'QQQ', 'EU', 'EURO', '', '978']) {
        assertValidation(await post(`/secure/customers/${c.id}/balances`, { currency: cur }), 'currency');
    }
    for (const cur of [978, null, true, ['EUR'], { code: 'EUR' }]) {
        assertValidation(await post(`/secure/customers/${c.id}/balances`, { currency: cur }), 'currency');
    }
    assertValidation(await post(`/secure/customers/${c.id}/balances`, {}), 'currency');
    assertValidation(await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR', iban: BASE.EUR.iban }), 'iban');
    assertValidation(await post(`/secure/customers/${c.id}/balances`, { currency: 'EUR', balance: '100.00' }), 'balance');
    assertEnvelope(await post(`/secure/customers/${c.id}/balances`, undefined, { raw: '{"currency":' }), 400);
    const list = await get(`/secure/customers/${c.id}/balances`);
    assertStatus(list, 200);
    assert.deepEqual(list.json, [], 'a refused POST created a balance');
});

test('balances of an unknown customer, and an unknown or foreign balance id: 404', async () => {
    const c1 = await verifiedCustomer(), c2 = await verifiedCustomer();
    const b2 = await createBalance(c2.id, 'EUR');
    const unknown = crypto.randomUUID();
    assertEnvelope(await post(`/secure/customers/${unknown}/balances`, { currency: 'EUR' }), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/customers/${unknown}/balances`), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/customers/${c1.id}/balances/${unknown}`), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/customers/${c1.id}/balances/nope`), 404, 'NOT_FOUND');
    // c2's balance through c1's path.
    assertEnvelope(await get(`/secure/customers/${c1.id}/balances/${b2.id}`), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/balances/${unknown}/iban`), 404, 'NOT_FOUND');
});

test('balance list: pagination headers for 0, 1 and 2 balances; pages and a page past the last', async () => {
    const c = await verifiedCustomer();
    const url = `/secure/customers/${c.id}/balances`;

    let r = await get(url);
    assertStatus(r, 200);
    assert.deepEqual(r.json, []);
    let p = pagination(r);
    assert.equal(p.total, 0);
    assert.equal(p.page, 1);
    assert.ok(p.perPage > 0);
    assert.equal(p.pages, Math.ceil(p.total / p.perPage), `Page-Count for 0 items: ${JSON.stringify(p)}`);

    const eur = await createBalance(c.id, 'EUR');
    r = await get(url);
    assertStatus(r, 200);
    assert.deepEqual(r.json.map((b) => b.id), [eur.id]);
    p = pagination(r);
    assert.deepEqual({ total: p.total, pages: p.pages, page: p.page }, { total: 1, pages: 1, page: 1 });
    assert.equal(r.json[0].iban, eur.iban);
    assert.equal(r.json[0].balance, '0.00');

    const pln = await createBalance(c.id, 'PLN');
    r = await get(url);
    assertStatus(r, 200);
    assert.deepEqual(r.json.map((b) => b.id).sort(), [eur.id, pln.id].sort());
    p = pagination(r);
    assert.deepEqual({ total: p.total, pages: p.pages, page: p.page }, { total: 2, pages: 1, page: 1 });

    const seen = [];
    for (const page of [1, 2]) {
        r = await get(`${url}?page=${page}&per_page=1`);
        assertStatus(r, 200);
        assert.equal(r.json.length, 1, `page ${page}: ${show(r)}`);
        seen.push(r.json[0].id);
        assert.deepEqual(pagination(r), { total: 2, pages: 2, page, perPage: 1 });
    }
    assert.deepEqual(seen.sort(), [eur.id, pln.id].sort(), 'pages overlap or miss a balance');
    r = await get(`${url}?page=3&per_page=1`);
    assertStatus(r, 200);
    assert.deepEqual(r.json, [], 'a page past the last is not empty');
    assert.equal(pagination(r).total, 2);
    for (const q of ['page=0', 'page=-1', 'page=abc', 'per_page=0', 'per_page=-5', 'per_page=100000', 'page=99999999999999999999']) {
        r = await get(`${url}?${q}`);
        assert.ok(r.status < 500, `?${q}: ${show(r)}`);
        if (r.status >= 400) assertEnvelope(r, r.status);
    }
});

test('GET /secure/balances/{id}/iban answers the balance\'s IBAN', async () => {
    const c = await verifiedCustomer();
    for (const cur of ['EUR', 'PLN']) {
        const b = await createBalance(c.id, cur);
        const r = await get(`/secure/balances/${b.id}/iban`);
        assertStatus(r, 200);
        assert.deepEqual(
            { balance_id: r.json.balance_id, customer_id: r.json.customer_id, iban: r.json.iban, iban_formatted: r.json.iban_formatted, currency: r.json.currency, bic: r.json.bic },
            { balance_id: b.id, customer_id: c.id, iban: b.iban, iban_formatted: ibanFormatted(b.iban), currency: cur, bic: BASE[cur].bic });
    }
});

test('/secure/ibans: filters by currency, customer_id and iban', async () => {
    const c1 = await verifiedCustomer(), c2 = await verifiedCustomer();
    const e1 = await createBalance(c1.id, 'EUR'), p1 = await createBalance(c1.id, 'PLN');
    const e2 = await createBalance(c2.id, 'EUR');

    const rowOf = (b, c) => ({ balance_id: b.id, customer_id: c.id, iban: b.iban, iban_formatted: ibanFormatted(b.iban), currency: b.currency, bic: BASE[b.currency].bic, status: 'active' });
    const strip = (r) => ({ balance_id: r.balance_id, customer_id: r.customer_id, iban: r.iban, iban_formatted: r.iban_formatted, currency: r.currency, bic: r.bic, status: r.status });

    let r = await get(`/secure/ibans?customer_id=${c1.id}`);
    assertStatus(r, 200);
    assert.deepEqual(r.json.map(strip).sort((a, b) => a.iban.localeCompare(b.iban)), [rowOf(e1, c1), rowOf(p1, c1)].sort((a, b) => a.iban.localeCompare(b.iban)));
    for (const row of r.json) isoMicros(row.created_at);
    assert.equal(pagination(r).total, 2);

    r = await get(`/secure/ibans?iban=${e2.iban}`);
    assertStatus(r, 200);
    assert.deepEqual(r.json.map(strip), [rowOf(e2, c2)]);
    assert.equal(pagination(r).total, 1);

    r = await get(`/secure/ibans?customer_id=${c1.id}&currency=PLN`);
    assertStatus(r, 200);
    assert.deepEqual(r.json.map(strip), [rowOf(p1, c1)]);

    const pln = await allPages('/secure/ibans?currency=PLN');
    assert.ok(pln.length > 0 && pln.every((x) => x.currency === 'PLN'), 'currency=PLN lists other currencies');
    assert.ok(pln.some((x) => x.balance_id === p1.id));
    assert.ok(!pln.some((x) => x.balance_id === e1.id || x.balance_id === e2.id));

    for (const q of [`customer_id=${crypto.randomUUID()}`, 'iban=FR7630006000011234567890189', `iban=${e2.iban}&currency=PLN`]) {
        r = await get(`/secure/ibans?${q}`);
        assertStatus(r, 200);
        assert.deepEqual(r.json, [], `?${q}`);
        assert.equal(pagination(r).total, 0);
    }
});

test('/secure/ibans: created_from and created_to select by creation time', async () => {
    const cs = await Promise.all([verifiedCustomer(), verifiedCustomer(), verifiedCustomer()]);
    const made = [];
    for (const c of cs) {
        made.push(await createBalance(c.id, 'EUR'));
        await sleep(2100);
    }
    const [x, y, z] = made;
    const from = microsIso(isoMicros(x.created_at) + 1_000_000n), to = microsIso(isoMicros(z.created_at) - 1_000_000n);
    const rows = await allPages(`/secure/ibans?currency=EUR&created_from=${encodeURIComponent(from)}&created_to=${encodeURIComponent(to)}`);
    const ids = rows.map((r) => r.balance_id);
    assert.ok(ids.includes(y.id), `created window ${from}..${to} misses ${y.created_at}`);
    assert.ok(!ids.includes(x.id) && !ids.includes(z.id), `created window ${from}..${to} holds ${x.created_at} or ${z.created_at}`);
    for (const r of rows) {
        const t = isoMicros(r.created_at);
        assert.ok(t >= isoMicros(from) && t <= isoMicros(to), `row outside the window: ${JSON.stringify(r)}`);
    }
    const onlyFrom = await allPages(`/secure/ibans?customer_id=${cs[2].id}&created_from=${encodeURIComponent(from)}`);
    assert.deepEqual(onlyFrom.map((r) => r.balance_id), [z.id]);
    const onlyTo = await allPages(`/secure/ibans?customer_id=${cs[2].id}&created_to=${encodeURIComponent(to)}`);
    assert.deepEqual(onlyTo, []);
    const bad = await get('/secure/ibans?created_from=yesterday');
    assert.ok(bad.status >= 400 && bad.status < 500, `created_from=yesterday: ${show(bad)}`);
    assertEnvelope(bad, bad.status);
});

test('/secure/ibans pagination covers exactly the partner\'s balances, without overlap', async () => {
    const c = await verifiedCustomer();
    await createBalance(c.id, 'EUR');
    const inDb = new Set(sql(`SELECT id FROM balance WHERE partner_id = ${PID} AND currency = 'EUR'`).map((r) => r[0]));
    const per = Math.max(2, Math.ceil(inDb.size / 4));
    const seen = [];
    let pages;
    for (let page = 1; ; page++) {
        const r = await get(`/secure/ibans?currency=EUR&page=${page}&per_page=${per}`);
        assertStatus(r, 200);
        const p = pagination(r);
        assert.equal(p.total, inDb.size, 'X-Pagination-Total-Count differs from the database');
        assert.equal(p.perPage, per);
        assert.equal(p.page, page);
        assert.equal(p.pages, Math.ceil(inDb.size / per));
        pages = p.pages;
        if (page > pages) { assert.deepEqual(r.json, [], 'a page past the last is not empty'); break; }
        assert.equal(r.json.length, page < pages ? per : inDb.size - per * (pages - 1), `page ${page} size`);
        seen.push(...r.json.map((x) => x.balance_id));
    }
    assert.equal(new Set(seen).size, seen.length, 'a balance appears on two pages');
    assert.deepEqual(new Set(seen), inDb);
});
