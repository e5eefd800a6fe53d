// POST /secure/customers/{c}/balances/{b}/reload: exact amounts, Idempotency-Key, concurrency,
// balance at a time; the ledger invariants hold at the end.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import { before, test } from 'node:test';
import {
    assertEnvelope, assertStatus, assertValidation, balanceCents, cents, checkAll, createBalance, verifiedCustomer, decimal,
    DEMO, fundPartner, get, isoMicros, ledgerCheck, microsIso, reload, request, show, sleep, untilNot429,
} from './lib/stack.mjs';

// A reload is charged to the partner's credit balance: the demo partner's gets what these tests
// move (500 random reloads of up to 100,000.00 alone are about 25 million) on top of its demo funds.
before(() => {
    fundPartner(DEMO, 'EUR', '999999999999.99');
    fundPartner(DEMO, 'PLN', '999999999999.99');
});

async function freshBalance(currency = 'EUR') {
    const c = await verifiedCustomer();
    const b = await createBalance(c.id, currency);
    return { c, b };
}

function assertReloaded(res, b, amountCents, balanceAfter) {
    assertStatus(res, 201);
    const j = res.json;
    assert.ok((typeof j.transaction_id === 'string' && j.transaction_id.length > 0) || Number.isInteger(j.transaction_id), `transaction_id: ${show(res)}`);
    assert.equal(j.balance_id, b.id);
    assert.equal(j.currency, b.currency);
    assert.equal(cents(j.amount), amountCents, `amount: ${show(res)}`);
    assert.equal(j.amount, decimal(amountCents), 'amount is not in canonical form');
    assert.equal(cents(j.balance), balanceAfter, `balance: ${show(res)}`);
    isoMicros(j.created_at);
}

test('accepted amounts: strings and JSON numbers, the smallest and the largest', async () => {
    fundPartner(DEMO, 'EUR', '999999999999.99'); // this test's largest reload takes all of it
    for (const [json, text] of [['"100.54"', '100.54'], ['100.54', '100.54'], ['"0.01"', '0.01'], ['0.01', '0.01'],
        ['"7"', '7'], ['7', '7'], ['"0.5"', '0.5'], ['"999999999999.99"', '999999999999.99']]) {
        const { c, b } = await freshBalance();
        const res = await reload(c.id, b.id, json);
        assertReloaded(res, b, cents(text), cents(text));
        const g = await get(`/secure/customers/${c.id}/balances/${b.id}`);
        assertStatus(g, 200);
        assert.equal(g.json.balance, decimal(cents(text)), `amount ${json}`);
        assert.equal(g.json.available, decimal(cents(text)), `available after ${json}`);
    }
});

test('successive reloads add up exactly and the answer carries the new balance', async () => {
    const { c, b } = await freshBalance('PLN');
    let total = 0n;
    for (const a of ['0.10', '0.20', '1234567.89', '0.01', '999.99']) {
        total += cents(a);
        assertReloaded(await reload(c.id, b.id, JSON.stringify(a)), b, cents(a), total);
    }
    assert.equal(await balanceCents(c.id, b.id), total);
});

test('refused amounts: 422 VALIDATION_ERROR on "amount", and nothing moves', async () => {
    const { c, b } = await freshBalance();
    const refused = [
        '"1.005"', '"-1"', '"1e3"', '"0x10"', '""', '"0"', '"0.00"', `"${'9'.repeat(30)}"`, `"${'1'.repeat(30)}"`,
        '"1000000000000"', '"1000000000000.00"', '"+1"', '"1,00"', '" 1"', '"1 "', '"NaN"', '"Infinity"', '"abc"',
        '"1..2"', '"."', '"\uff11"', '"1.0.0"', '"-0.01"',
        '0', '0.0', '1e3', '1E2', '-1', '1.005', '-0.01', '1000000000000', '123456789012345678901234567890',
        'null', 'true', 'false', '{}', '[]', '["1.00"]', '{"value":"1.00"}',
    ];
    await checkAll(refused, async (a) => assertValidation(await reload(c.id, b.id, a), 'amount', `amount ${a.slice(0, 40)}`));
    const missing = await request('POST', `/secure/customers/${c.id}/balances/${b.id}/reload`,
        { body: { description: 'no amount' }, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    assertValidation(missing, 'amount');
    const unknown = await request('POST', `/secure/customers/${c.id}/balances/${b.id}/reload`,
        { body: { amount: '1.00', description: 'x', currency: 'PLN' }, headers: { 'Idempotency-Key': crypto.randomUUID() } });
    assertValidation(unknown, 'currency');
    // a repeated member name: two parsers could read two amounts, so the body is refused
    await checkAll(['{"amount":', '[]', '"1.00"', '1', '', '{"amount":"1.00","amount":"900.00"}',
        '{"amount":"1.00","description":"a","description":"b"}', '{"amount":"1.00","\\u0061mount":"2.00"}'], async (raw) => {
        const res = await request('POST', `/secure/customers/${c.id}/balances/${b.id}/reload`,
            { raw, headers: { 'Idempotency-Key': crypto.randomUUID() } });
        assertEnvelope(res, 400, undefined, `body ${JSON.stringify(raw)}`);
    });
    assert.equal(await balanceCents(c.id, b.id), 0n, 'a refused reload moved money');
});

test('reload on an unknown balance, or on a balance through another customer\'s path: 404', async () => {
    const one = await freshBalance(), two = await freshBalance();
    assertEnvelope(await reload(one.c.id, crypto.randomUUID(), '"1.00"'), 404, 'NOT_FOUND');
    assertEnvelope(await reload(crypto.randomUUID(), one.b.id, '"1.00"'), 404, 'NOT_FOUND');
    assertEnvelope(await reload(one.c.id, two.b.id, '"1.00"'), 404, 'NOT_FOUND');
    assert.equal(await balanceCents(two.c.id, two.b.id), 0n);
});

test('Idempotency-Key: required; a replay answers the first answer and moves nothing; another body is 409', async () => {
    const { c, b } = await freshBalance();
    assertEnvelope(await reload(c.id, b.id, '"5.00"', { key: null }), 400, 'IDEMPOTENCY_KEY_REQUIRED');
    const empty = await reload(c.id, b.id, '"5.00"', { key: '' });
    assert.ok(empty.status >= 400 && empty.status < 500, `empty Idempotency-Key: ${show(empty)}`);
    assert.equal(await balanceCents(c.id, b.id), 0n, 'a reload without a key moved money');

    const key = crypto.randomUUID();
    const first = await reload(c.id, b.id, '"10.25"', { key });
    assertReloaded(first, b, 1025n, 1025n);
    for (let i = 0; i < 3; i++) {
        const again = await reload(c.id, b.id, '"10.25"', { key });
        assertStatus(again, 201);
        assert.deepEqual(again.json, first.json, 'a replay does not answer the first answer');
    }
    assert.equal(await balanceCents(c.id, b.id), 1025n, 'a replay moved money');

    assertEnvelope(await reload(c.id, b.id, '"10.26"', { key }), 409, 'IDEMPOTENCY_KEY_REUSED');
    assertEnvelope(await reload(c.id, b.id, '"10.25"', { key, description: 'another description' }), 409, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await balanceCents(c.id, b.id), 1025n, 'a reused key moved money');

    // A second key books a second time.
    assertReloaded(await reload(c.id, b.id, '"10.25"'), b, 1025n, 2050n);
    // A long key is a client matter: never a 500.
    const long = await reload(c.id, b.id, '"0.01"', { key: 'k'.repeat(300) });
    assert.ok(long.status < 500, `300-character Idempotency-Key: ${show(long)}`);
});

test('500 concurrent reloads with distinct keys add up to the cent', { timeout: 300000 }, async (t) => {
    const { c, b } = await freshBalance();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
    try {
        const amounts = Array.from({ length: 500 }, () => BigInt(crypto.randomInt(1, 10_000_000)));
        // nginx rate-limits per client address (429): a client retries those with the same key.
        const limited = { n: 0 };
        const results = await Promise.all(amounts.map((a, i) => {
            const key = crypto.randomUUID();
            return untilNot429(() => reload(c.id, b.id, i % 2 ? decimal(a) : JSON.stringify(decimal(a)), { agent, key }), limited);
        }));
        if (limited.n) t.diagnostic(`${limited.n} answers were 429 (rate limit) and were sent again with the same Idempotency-Key`);
        const bad = results.filter((r) => r.status !== 201);
        assert.equal(bad.length, 0, `${bad.length} of 500 not 201, e.g. ${bad.slice(0, 3).map(show).join(' | ')}`);
        results.forEach((r, i) => assert.equal(cents(r.json.amount), amounts[i]));
        assert.equal(new Set(results.map((r) => String(r.json.transaction_id))).size, 500, 'transaction ids repeat');
        const sum = amounts.reduce((s, a) => s + a, 0n);
        assert.equal(results.map((r) => cents(r.json.balance)).reduce((m, x) => (x > m ? x : m), 0n), sum,
            'no answer shows the final balance');
        assert.equal(await balanceCents(c.id, b.id), sum);
    } finally {
        agent.destroy();
    }
});

test('the same key replayed 50 times at once books once; all 50 answers are the same 201', { timeout: 120000 }, async (t) => {
    const { c, b } = await freshBalance();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 64 });
    try {
        const key = crypto.randomUUID();
        const limited = { n: 0 };
        const results = await Promise.all(Array.from({ length: 50 }, () => untilNot429(() => reload(c.id, b.id, '"33.33"', { key, agent }), limited)));
        if (limited.n) t.diagnostic(`${limited.n} answers were 429 (rate limit) and were sent again`);
        const statuses = results.map((r) => r.status);
        assert.deepEqual(statuses, Array(50).fill(201), `statuses: ${[...new Set(statuses)]}; ${results.filter((r) => r.status !== 201).slice(0, 2).map(show).join(' | ')}`);
        const ids = new Set(results.map((r) => String(r.json.transaction_id)));
        assert.equal(ids.size, 1, `${ids.size} different transaction ids`);
        for (const r of results) assert.deepEqual(r.json, results[0].json);
        assert.equal(cents(results[0].json.balance), 3333n);
        assert.equal(await balanceCents(c.id, b.id), 3333n, 'booked more than once');
    } finally {
        agent.destroy();
    }
});

test('balance at a time (?at=): before, between and after reloads, to the cent', { timeout: 60000 }, async () => {
    const { c, b } = await freshBalance();
    const url = `/secure/customers/${c.id}/balances/${b.id}`;
    await sleep(2100);
    const amounts = ['10.01', '20.02', '0.03'];
    const times = [];
    for (const a of amounts) {
        const r = await reload(c.id, b.id, JSON.stringify(a));
        assertStatus(r, 201);
        times.push(isoMicros(r.json.created_at));
        await sleep(2100);
    }
    const at = async (us) => {
        const iso = microsIso(us);
        const r = await get(`${url}?at=${encodeURIComponent(iso)}`);
        assertStatus(r, 200);
        assert.equal(r.json.id, b.id);
        assert.equal(isoMicros(r.json.at) / 1000n, us / 1000n, `"at" not echoed: sent ${iso}, got ${r.json.at}`);
        return cents(r.json.balance);
    };
    const ms = 1000n;
    assert.equal(await at(times[0] - 1000n * ms), 0n, 'before the first reload');
    assert.equal(await at((times[0] + times[1]) / 2n), cents('10.01'), 'between the first and second');
    assert.equal(await at((times[1] + times[2]) / 2n), cents('30.03'), 'between the second and third');
    assert.equal(await at(times[2] + 1000n * ms), cents('30.06'), 'after the third');
    assert.equal(await balanceCents(c.id, b.id), cents('30.06'));
    for (const q of ['yesterday', '2024-13-45T00:00:00Z', '']) {
        const r = await get(`${url}?at=${encodeURIComponent(q)}`);
        if (q === '' && r.status === 200) continue; // an empty at may mean "now"
        assert.ok(r.status >= 400 && r.status < 500, `?at=${q}: ${show(r)}`);
        assertEnvelope(r, r.status);
    }
});

test('the ledger invariants hold after this file (comptoir-ledger_check exits 0)', { timeout: 300000 }, () => {
    const r = ledgerCheck();
    assert.ifError(r.error);
    assert.equal(r.status, 0, `ledger_check exited ${r.status}: ${r.stdout}${r.stderr}`);
});
