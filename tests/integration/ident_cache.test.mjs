// nginx's identity cache in front of the auth pool (conf/nginx/servers/main.conf): nginx keeps a
// successful OAuth check's answer for ident_cache_ttl seconds, keyed by the realm and an HMAC of
// the Authorization header. Each token's holder sees only its own identity on cache hits, also
// under concurrency; the cache really answers (the access log's "ident" field: HIT, or MISS /
// EXPIRED when the auth pool was asked); refusals and customer sessions are never kept; a token
// is never let in after it expired. Revocation within TTL + 1 s: oauth.test.mjs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    DEMO, ENV, IDENT_CACHE_TTL, accessLog, accessLogMark, bearer, createBalance, verifiedCustomer, get, lit,
    mintAccessToken, oauth, partnerIdOf, registerCustomer, request, sessionToken, show, sleep, sql, sqlValue,
} from './lib/stack.mjs';

const sock = (p) => fs.existsSync(path.join(ENV.COMPTOIR_STACK_DIR, 'run', `${p}.sock`));
const skip = !sock('auth') || !sock('banking') ? 'auth or banking pool not running'
    : IDENT_CACHE_TTL === 0 ? 'the identity cache is off (COMPTOIR_IDENT_CACHE_TTL=0)' : false;

let partnerId;
// a customer with an EUR balance and an access token
async function holder() {
    const customer = await verifiedCustomer();
    const balance = await createBalance(customer.id, 'EUR');
    return { customer, balance, token: mintAccessToken(customer.id, partnerId) };
}

// GET /accounts with h's token: 200 with exactly h's one balance; returns the request id.
async function ownAccounts(h, what) {
    const res = await get('/accounts', oauth(h.token));
    assert.equal(res.status, 200, `${what}: ${show(res)}`);
    assert.deepEqual(res.json.map((a) => a.balance_id), [h.balance.id], `${what}: another identity's accounts: ${show(res)}`);
    return res.headers['x-request-id'];
}

// how many times the auth pool was asked (everything but a HIT) among the entries
const checks = (entries) => [...entries.values()].filter((e) => e.ident !== 'HIT').length;

let A, B;
before(async () => {
    if (skip) return;
    partnerId = partnerIdOf(DEMO);
    A = await holder();
    B = await holder();
});

test('two tokens used concurrently and alternately: each sees only its own accounts, from the cache', { skip }, async () => {
    const mark = accessLogMark();
    const ids = { A: [], B: [] };
    const one = async (name, what) => ids[name].push(await ownAccounts(name === 'A' ? A : B, what));
    const both = (n) => Promise.all(Array.from({ length: n }, (_, i) => one(i % 2 ? 'A' : 'B', `concurrent #${i}`)));
    await both(24); // neither token cached yet: concurrent first checks
    for (let i = 0; i < 20; i++) await one(i % 2 ? 'A' : 'B', `alternating #${i}`);
    await both(24);
    const entries = await accessLog(mark, [...ids.A, ...ids.B]);
    // (the first burst may all be misses, and an entry that expires during the run is checked
    // again; the 10 sequential requests of each token are hits but for one such expiry at most)
    for (const name of ['A', 'B']) {
        const hits = ids[name].filter((id) => entries.get(id).ident === 'HIT').length;
        assert.ok(hits >= 9, `${name}: ${hits} of ${ids[name].length} checks answered by the cache`);
    }
});

test('N identical requests: the auth pool is asked once per TTL at most, the rest are cache hits', { skip }, async () => {
    const h = await holder();
    const mark = accessLogMark();
    const start = Date.now();
    const ids = [];
    for (let i = 0; i < 30; i++) ids.push(await ownAccounts(h, `request #${i}`));
    const elapsed = Date.now() - start;
    const entries = await accessLog(mark, ids);
    // an answer is kept at least TTL seconds after the check that stored it
    const most = Math.floor(elapsed / (IDENT_CACHE_TTL * 1000)) + 1;
    assert.ok(checks(entries) <= most, `the auth pool was asked ${checks(entries)} times for 30 requests in ${elapsed} ms `
        + `(at most ${most} with a ${IDENT_CACHE_TTL} s cache): ${[...entries.values()].map((e) => e.ident)}`);
    assert.equal(entries.get(ids[0]).ident, 'MISS', 'a new token is first checked by the auth pool');
});

test('refusals are never kept: every request with an unknown token is checked by the auth pool', { skip }, async () => {
    const mark = accessLogMark();
    const ids = [];
    for (let i = 0; i < 5; i++) {
        const res = await get('/accounts', oauth(`at_${'B'.repeat(43)}`));
        assert.equal(res.status, 401, show(res));
        ids.push(res.headers['x-request-id']);
    }
    const entries = await accessLog(mark, ids);
    assert.deepEqual([...entries.values()].map((e) => e.ident), Array(5).fill('MISS'));
});

test('customer sessions bypass the cache: logout takes effect at once', { skip: skip || (!sock('customers') && 'customers pool not running') }, async () => {
    const c = await registerCustomer();
    const token = await sessionToken(c);
    const mark = accessLogMark();
    const ids = [];
    for (let i = 0; i < 3; i++) {
        const res = await get('/customers/me', bearer(token));
        assert.equal(res.status, 200, show(res));
        ids.push(res.headers['x-request-id']);
    }
    const entries = await accessLog(mark, ids);
    assert.deepEqual([...entries.values()].map((e) => e.ident), Array(3).fill('BYPASS'));
    const out = await request('DELETE', '/customers/sessions/current', bearer(token));
    assert.equal(out.status, 204, show(out));
    const after = await get('/customers/me', bearer(token));
    assert.equal(after.status, 401, show(after));
});

test('a token near its expiry: served from the cache until then, refused from its expiry on', { skip }, async () => {
    const h = await holder();
    // 3.5 s left: the cache may keep the answer 2 s (whole seconds, one taken off), less than the
    // TTL (5 s by default), with which alone it would outlive the token
    const row = `token_hash = UNHEX(${lit(crypto.createHash('sha256').update(h.token).digest('hex'))})`;
    sql(`UPDATE oauth_token SET expires_at = UTC_TIMESTAMP(6) + INTERVAL 3500000 MICROSECOND WHERE ${row}`);
    const leftUs = Number(sqlValue(`SELECT TIMESTAMPDIFF(MICROSECOND, UTC_TIMESTAMP(6), expires_at) FROM oauth_token WHERE ${row}`));
    const expiry = Date.now() + leftUs / 1000;
    const mark = accessLogMark();
    const live = [];
    let refused = 0;
    // (requests sent in the last second before the expiry, which a slow answer may reach, or
    // within 50 ms after it, may go either way)
    while (Date.now() < expiry + 1500) {
        const sent = Date.now();
        const res = await get('/accounts', oauth(h.token));
        if (sent < expiry - 1000) {
            assert.equal(res.status, 200, `refused ${expiry - sent} ms before the token expires: ${show(res)}`);
            live.push(res.headers['x-request-id']);
        } else if (sent > expiry + 50) {
            assert.equal(res.status, 401, `let in ${sent - expiry} ms after the token expired: ${show(res)}`);
            refused++;
        }
        await sleep(50);
    }
    assert.ok(live.length > 0 && refused > 0, `${live.length} requests before the expiry, ${refused} after`);
    const entries = await accessLog(mark, live);
    assert.ok(live.some((id) => entries.get(id).ident === 'HIT'), 'no request before the expiry was a cache hit');
});
