// Partner identity on /secure: nginx verifies the client certificate against the partner CA, the
// pool maps the verified certificate to one partner, and a partner sees only its own data.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    DEMO, ENV, NO_CERT, allPages, assertEnvelope, assertErrorShape, assertIban, checkAll, assertStatus, balanceCents, createBalance,
    createCustomer, customerBody, verifiedCustomer, fingerprint, frenchIban, get, identityFromFiles, issuePartner, lit,
    partnerIdOf, pki, post, put, reload, request, show, sleep, sql, sqlValue, tmp, uniq,
} from './lib/stack.mjs';

const customerCount = () => Number(sqlValue('SELECT COUNT(*) FROM customer'));
const emailCount = (email) => Number(sqlValue(`SELECT COUNT(*) FROM customer WHERE email = ${lit(email)}`));

// Everything a confused proxy or pool might take for a verified identity, claiming `victim`.
function spoofHeaders(victim, partnerId) {
    const x = new crypto.X509Certificate(victim.cert);
    const rdns = x.subject.split('\n');
    const rfc2253 = rdns.slice().reverse().join(',');
    const slashed = '/' + rdns.join('/');
    const fp = fingerprint(victim.cert);
    const escaped = encodeURIComponent(victim.cert);
    return {
        'X-SSL-Client-Verify': 'SUCCESS', 'SSL-Client-Verify': 'SUCCESS', 'X-Client-Verify': 'SUCCESS',
        'X-SSL-Client-S-DN': rfc2253, 'SSL-Client-S-DN': rfc2253, 'X-SSL-Client-DN': slashed,
        'X-SSL-Client-S-DN-Legacy': slashed, 'X-Client-DN': rfc2253,
        'X-SSL-Client-Serial': x.serialNumber, 'SSL-Client-Serial': x.serialNumber,
        'X-SSL-Client-Fingerprint': fp, 'SSL-Client-Fingerprint': fp, 'X-SSL-Client-SHA256': fp,
        'X-SSL-Client-Cert': escaped, 'SSL-Client-Cert': escaped, 'X-Client-Cert': escaped,
        'SSL_CLIENT_VERIFY': 'SUCCESS', 'SSL_CLIENT_S_DN': rfc2253, 'SSL_CLIENT_FINGERPRINT': fp,
        'X-Forwarded-Client-Cert': `Hash=${fp};Subject="${rfc2253}"`,
        'X-Forwarded-For': '127.0.0.1', 'X-Real-IP': '127.0.0.1', 'Forwarded': 'for=127.0.0.1;proto=https',
        'X-Forwarded-Proto': 'https',
        'X-Partner-Id': String(partnerId), 'X-Comptoir-Partner': String(partnerId), 'X-Partner': String(partnerId),
    };
}

// The request must be refused by the certificate check and create nothing.
async function assertRefusedNothingCreated(id, headers = {}) {
    const before = customerCount();
    const body = customerBody();
    const res = await post('/secure/customers', body, { id, headers });
    assertErrorShape(res, 403);
    for (const p of ['/secure/ibans', `/secure/customers/${crypto.randomUUID()}`, '/secure/no-such-route']) {
        assertErrorShape(await get(p, { id, headers }), 403, undefined, `GET ${p}`);
    }
    assert.equal(emailCount(body.email), 0, 'the refused POST created a customer');
    assert.equal(customerCount(), before, 'the customer count moved on a refused request');
}

test('no client certificate: 403, and nothing reaches the pool', async () => {
    await assertRefusedNothingCreated(NO_CERT);
});

test('refusals made by the certificate check carry the whole envelope, request_id included', async () => {
    const prefix = path.join(tmp(), uniq('rogue'));
    pki('rogue', prefix);
    await checkAll([['no certificate', NO_CERT], ['untrusted CA', identityFromFiles(`${prefix}.crt`, `${prefix}.key`)]], async ([what, id]) => {
        assertEnvelope(await get('/secure/ibans', { id }), 403, undefined, what);
    });
});

test('the demo certificate works (the refusals above are not a broken stack)', async () => {
    const c = await createCustomer(DEMO);
    assert.equal(emailCount(c.email), 1);
});

test('a certificate with the demo subject from an untrusted CA: 403', async () => {
    const prefix = path.join(tmp(), uniq('rogue'));
    pki('rogue', prefix);
    const rogue = identityFromFiles(`${prefix}.crt`, `${prefix}.key`);
    const x = new crypto.X509Certificate(rogue.cert), demo = new crypto.X509Certificate(DEMO.cert);
    assert.equal(x.subject, demo.subject, 'tools/pki rogue did not copy the demo subject');
    assert.notEqual(fingerprint(rogue.cert), fingerprint(DEMO.cert));
    await assertRefusedNothingCreated(rogue);
});

test('the card processor certificate (another CA) on /secure: 403', { skip: !ENV.COMPTOIR_PROCESSOR_CERT }, async () => {
    await assertRefusedNothingCreated(identityFromFiles(ENV.COMPTOIR_PROCESSOR_CERT, ENV.COMPTOIR_PROCESSOR_KEY));
});

test('an expired partner certificate: 403', async () => {
    const expired = issuePartner(uniq('exp'), ['--expired']);
    const x = new crypto.X509Certificate(expired.cert);
    assert.ok(Date.parse(x.validTo) < Date.now(), `tools/pki --expired made a cert valid to ${x.validTo}`);
    await assertRefusedNothingCreated(expired);
});

test('a revoked certificate: works before, 403 after revocation (fresh connection and TLS resumption)', async (t) => {
    const c = issuePartner(uniq('rev'));
    // This agent keeps TLS sessions, so the request after revocation tries to resume one.
    const resuming = new https.Agent({ keepAlive: false, maxCachedSessions: 10 });
    try {
        assertStatus(await get('/secure/ibans', { id: c }), 200);
        const made = await post('/secure/customers', customerBody(), { id: c });
        assertStatus(made, 201);
        assertStatus(await get(`/secure/customers/${made.json.id}`, { id: c, agent: resuming }), 200);
        const second = await get(`/secure/customers/${made.json.id}`, { id: c, agent: resuming });
        assertStatus(second, 200);
        t.diagnostic(`TLS session reused before revocation: ${second.reused}`);

        pki('revoke', c.certFile);
        // nginx reloads asynchronously: allow it a few seconds, and say how long it took.
        const t0 = Date.now();
        let res;
        for (;;) {
            res = await get(`/secure/customers/${made.json.id}`, { id: c });
            if (res.status !== 200 || Date.now() - t0 > 10000) break;
            await sleep(200);
        }
        if (Date.now() - t0 > 250) t.diagnostic(`revoked cert still accepted for ${Date.now() - t0} ms after tools/pki revoke returned`);
        assertErrorShape(res, 403);
        await assertRefusedNothingCreated(c);

        const resumed = await get(`/secure/customers/${made.json.id}`, { id: c, agent: resuming });
        t.diagnostic(`TLS session reused after revocation: ${resumed.reused}`);
        assert.equal(resumed.status, 403, `revoked cert accepted on a resumed TLS session (reused=${resumed.reused}): ${show(resumed)}`);
    } finally {
        resuming.destroy();
    }
});

// ---------------------------------------------------------------- two partners

const A = {};
const B = {};

before(async () => {
    A.pid = partnerIdOf(DEMO);
    B.id = issuePartner(uniq('itb'));
    B.pid = partnerIdOf(B.id);
    assert.notEqual(A.pid, B.pid);
    // A base IBAN for B in a bank code of its own, so its IBANs cannot collide with the demo's.
    const base = frenchIban(String(crypto.randomInt(10000, 100000)), String(crypto.randomInt(10000, 100000)), '00000000000');
    sql(`INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic) VALUES (${B.pid}, 'EUR', ${lit(base)}, 10, 'COMPFRPPXXX')`);
    B.base = base;

    A.cust = await verifiedCustomer(DEMO);
    A.bal = await createBalance(A.cust.id, 'EUR');
    A.key = crypto.randomUUID();
    const r = await reload(A.cust.id, A.bal.id, '"12.34"', { key: A.key });
    assertStatus(r, 201);
    A.txn = r.json.transaction_id;
    A.cents = await balanceCents(A.cust.id, A.bal.id);

    B.cust = await verifiedCustomer(B.id);
    B.bal = await createBalance(B.cust.id, 'EUR', B.id);
});

test('a second partner gets its own balance and IBAN from its own base', () => {
    assertIban(B.bal.iban);
    assert.equal(B.bal.iban.slice(4, 14), B.base.slice(4, 14), `B's IBAN ${B.bal.iban} is not from its base ${B.base}`);
});

test('demo certificate + spoofed identity headers claiming partner B: still the demo partner', async () => {
    const h = spoofHeaders(B.id, B.pid);
    assertEnvelope(await get(`/secure/customers/${B.cust.id}`, { headers: h }), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/balances/${B.bal.id}/iban`, { headers: h }), 404, 'NOT_FOUND');
    const made = await post('/secure/customers', customerBody(), { headers: h });
    assertStatus(made, 201);
    assert.equal(Number(sqlValue(`SELECT partner_id FROM customer WHERE id = ${lit(made.json.id)}`)), A.pid,
        'a customer created with the demo cert and spoofed headers belongs to another partner');
    assertStatus(await get(`/secure/customers/${made.json.id}`), 200);
    assertEnvelope(await get(`/secure/customers/${made.json.id}`, { id: B.id }), 404, 'NOT_FOUND');
    const rows = await allPages('/secure/ibans', { headers: h });
    assert.ok(!rows.some((r) => r.balance_id === B.bal.id), 'spoofed headers listed B\'s IBAN');
});

test('no certificate + spoofed identity headers claiming the demo partner or B: 403, nothing created', async () => {
    await assertRefusedNothingCreated(NO_CERT, spoofHeaders(DEMO, A.pid));
    await assertRefusedNothingCreated(NO_CERT, spoofHeaders(B.id, B.pid));
});

test('partner B gets 404 for partner A\'s customer, balances, IBAN and reload; A is untouched', async () => {
    const nf = async (p) => assertEnvelope(await p, 404, 'NOT_FOUND');
    const c = `/secure/customers/${A.cust.id}`;
    await nf(get(c, { id: B.id }));
    await nf(put(c, { first_name: 'Mallory' }, { id: B.id }));
    await nf(get(`${c}/balances`, { id: B.id }));
    await nf(post(`${c}/balances`, { currency: 'EUR' }, { id: B.id }));
    await nf(get(`${c}/balances/${A.bal.id}`, { id: B.id }));
    await nf(get(`${c}/balances/${A.bal.id}?at=${encodeURIComponent(new Date().toISOString())}`, { id: B.id }));
    await nf(get(`/secure/customers/${B.cust.id}/balances/${A.bal.id}`, { id: B.id }));
    await nf(get(`/secure/balances/${A.bal.id}/iban`, { id: B.id }));
    await nf(reload(A.cust.id, A.bal.id, '"5.00"', { id: B.id }));
    await nf(reload(B.cust.id, A.bal.id, '"5.00"', { id: B.id }));

    const mine = await get(c);
    assertStatus(mine, 200);
    assert.equal(mine.json.first_name, A.cust.first_name, 'B changed A\'s customer');
    const list = await get(`${c}/balances`);
    assertStatus(list, 200);
    assert.deepEqual(list.json.map((b) => b.id), [A.bal.id], 'B added a balance to A\'s customer');
    assert.equal(await balanceCents(A.cust.id, A.bal.id), A.cents, 'B moved money on A\'s balance');
});

test('partner A gets 404 for partner B\'s customer and balance', async () => {
    assertEnvelope(await get(`/secure/customers/${B.cust.id}`), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/customers/${B.cust.id}/balances/${B.bal.id}`), 404, 'NOT_FOUND');
    assertEnvelope(await get(`/secure/balances/${B.bal.id}/iban`), 404, 'NOT_FOUND');
});

test('/secure/ibans lists only the caller\'s IBANs', async () => {
    const bRows = await allPages('/secure/ibans', { id: B.id });
    const bIds = new Set(sql(`SELECT id FROM balance WHERE partner_id = ${B.pid}`).map((r) => r[0]));
    assert.ok(bRows.some((r) => r.balance_id === B.bal.id && r.iban === B.bal.iban), 'B\'s own IBAN is not listed');
    for (const r of bRows) assert.ok(bIds.has(r.balance_id), `B's list holds a balance of another partner: ${JSON.stringify(r)}`);
    assert.ok(!bRows.some((r) => r.iban === A.bal.iban));
    for (const q of [`customer_id=${A.cust.id}`, `iban=${A.bal.iban}`]) {
        const res = await get(`/secure/ibans?${q}`, { id: B.id });
        assertStatus(res, 200);
        assert.deepEqual(res.json, [], `B filtering on A's ${q} got rows`);
    }
    const aRows = await allPages('/secure/ibans');
    assert.ok(aRows.some((r) => r.balance_id === A.bal.id));
    assert.ok(!aRows.some((r) => r.balance_id === B.bal.id || r.iban === B.bal.iban), 'A\'s list holds B\'s IBAN');
});

test('customer emails are unique per partner, not across partners', async () => {
    const again = await post('/secure/customers', customerBody({ email: A.cust.email }), { id: B.id });
    assertStatus(again, 201);
    assertEnvelope(await post('/secure/customers', customerBody({ email: A.cust.email })), 409, 'CUSTOMER_EXISTS');
});

test('an Idempotency-Key used by partner A never returns A\'s answer to partner B', async () => {
    const res = await reload(B.cust.id, B.bal.id, '"12.34"', { id: B.id, key: A.key });
    assert.ok(res.status < 500, `partner B's reload: ${show(res)}`);
    // compare the id itself: a short numeric id is a substring of many answers
    const sameTxn = res.json !== undefined && res.json !== null && String(res.json.transaction_id) === String(A.txn);
    assert.ok(!sameTxn && !res.text.includes(A.bal.id), `B got A's reload answer: ${show(res)}`);
    assert.equal(await balanceCents(A.cust.id, A.bal.id), A.cents, 'B\'s request moved A\'s balance');
});
