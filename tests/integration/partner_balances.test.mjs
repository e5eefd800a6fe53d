// Partner balances (seed 003): GET /secure/partner-balances, a user reload charged to the
// partner's credit balance (refused when it cannot cover it, or when there is none), and many
// concurrent reloads against a small credit balance: exactly what it covers goes through.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { before, test } from 'node:test';
import {
    DEMO, NO_CERT, assertEnvelope, assertStatus, balanceCents, cents, createBalance, frenchIban, fundPartner, get,
    issuePartner, ledgerCheck, lit, partnerIdOf, reload, show, sql, untilNot429, verifiedCustomer,
} from './lib/stack.mjs';

const uniq = (p) => `${p}-${crypto.randomBytes(4).toString('hex')}`;

// A partner of the test's own, with a base IBAN in EUR and no partner balance yet.
function newPartner(name) {
    const id = issuePartner(uniq(name));
    const pid = partnerIdOf(id);
    const base = frenchIban(String(crypto.randomInt(10000, 100000)), String(crypto.randomInt(10000, 100000)), '00000000000');
    sql(`INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic) VALUES (${pid}, 'EUR', ${lit(base)}, 10, 'COMPFRPPXXX')`);
    return id;
}

async function freshBalance(id) {
    const c = await verifiedCustomer(id);
    return { c, b: await createBalance(c.id, 'EUR', id) };
}

async function partnerBalances(id) {
    const r = await get('/secure/partner-balances', { id });
    assertStatus(r, 200);
    assert.ok(Array.isArray(r.json));
    return r.json;
}

const find = (list, type, currency) => list.find((b) => b.type === type && b.currency === currency);

let B;
before(() => { B = newPartner('pbal'); });

test('the demo partner has funded credit and deposit balances and a technical one per currency', async () => {
    const list = await partnerBalances(DEMO);
    for (const cur of ['EUR', 'PLN']) {
        for (const type of ['credit', 'deposit', 'technical']) {
            const b = find(list, type, cur);
            assert.ok(b, `no ${type} balance in ${cur}: ${JSON.stringify(list)}`);
            assert.match(b.id, /^[0-9a-f-]{36}$/);
            assert.match(b.balance, /^\d+\.\d{2}$/);
            assert.match(b.created_at, /Z$/);
            if (type !== 'technical') assert.ok(cents(b.balance) > 0n, `${type} ${cur} is not funded`);
        }
    }
    assert.equal(list.length, 6);
});

test('without a client certificate: 403 from nginx', async () => {
    assertEnvelope(await get('/secure/partner-balances', { id: NO_CERT }), 403, 'CLIENT_CERT_REQUIRED');
});

test('no credit balance: a reload is refused with PARTNER_BALANCE_MISSING and books nothing', async () => {
    const { c, b } = await freshBalance(B);
    assert.deepEqual(await partnerBalances(B), []);
    assertEnvelope(await reload(c.id, b.id, '"1.00"', { id: B }), 422, 'PARTNER_BALANCE_MISSING');
    assert.equal(await balanceCents(c.id, b.id, B), 0n);
});

test('a reload is charged to the credit balance; one it cannot cover is refused and changes nothing', async () => {
    fundPartner(B, 'EUR', '100.00');
    const { c, b } = await freshBalance(B);
    let list = await partnerBalances(B);
    assert.equal(find(list, 'credit', 'EUR').balance, '100.00');
    assert.equal(find(list, 'technical', 'EUR').balance, '0.00');
    assert.equal(list.length, 2);
    // 100.00 spread over the shards: 60.00 needs them evened out first
    assertStatus(await reload(c.id, b.id, '"60.00"', { id: B }), 201);
    assertEnvelope(await reload(c.id, b.id, '"40.01"', { id: B }), 422, 'PARTNER_INSUFFICIENT_FUNDS');
    list = await partnerBalances(B);
    assert.equal(find(list, 'credit', 'EUR').balance, '40.00');
    assert.equal(find(list, 'credit', 'EUR').available, '40.00');
    assert.equal(await balanceCents(c.id, b.id, B), 6000n);
    assertStatus(await reload(c.id, b.id, '"40.00"', { id: B }), 201);
    assert.equal(find(await partnerBalances(B), 'credit', 'EUR').balance, '0.00');
    // the demo partner's balances are not B's, and B's are not the demo's
    const demo = await partnerBalances(DEMO);
    assert.ok(!demo.some((d) => list.some((x) => x.id === d.id)), 'one partner sees another\'s balances');
});

test('80 concurrent reloads against a credit balance that covers 25: exactly 25 go through', async () => {
    const P = newPartner('pbal-race');
    fundPartner(P, 'EUR', '250.00');
    const bals = [];
    for (let i = 0; i < 4; i++) bals.push(await freshBalance(P));
    // nginx limits each client address (429): those are sent again with the same key
    const res = await Promise.all(Array.from({ length: 80 }, (_, i) => {
        const { c, b } = bals[i % bals.length];
        const key = crypto.randomUUID();
        return untilNot429(() => reload(c.id, b.id, '"10.00"', { id: P, key }));
    }));
    const ok = res.filter((r) => r.status === 201).length;
    const refused = res.filter((r) => r.status === 422 && r.json?.code === 'PARTNER_INSUFFICIENT_FUNDS').length;
    assert.equal(ok, 25, `statuses: ${res.map((r) => r.status).join(',')}`);
    assert.equal(refused, 55, `not 201 nor refused: ${res.filter((r) => r.status !== 201 && r.json?.code !== 'PARTNER_INSUFFICIENT_FUNDS').map(show).join(' | ')}`);
    assert.equal(find(await partnerBalances(P), 'credit', 'EUR').balance, '0.00');
    let users = 0n;
    for (const { c, b } of bals) users += await balanceCents(c.id, b.id, P);
    assert.equal(users, 25000n);
    const negative = sql(`SELECT COUNT(*) FROM ledger_posting p JOIN partner_account pa ON pa.account_id = p.account_id
                          WHERE pa.partner_id = ${partnerIdOf(P)} AND pa.role = 'credit' AND p.balance_after < 0`);
    assert.equal(Number(negative[0][0]), 0, 'a credit shard went below zero');
    ledgerCheck();
});
