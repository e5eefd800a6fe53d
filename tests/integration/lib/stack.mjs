// stack.mjs - helpers for the integration tests: the stack's environment, HTTPS requests with or
// without a client certificate, the database (mariadb client), the PKI tool, exact amounts in
// cents (BigInt), IBAN checks from the SWIFT registry, ISO 8601 times.
//
// The tests talk to a REAL stack started by tools/stack; COMPTOIR_STACK_ENV names its stack.env.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

// ---------------------------------------------------------------- environment

function loadEnv() {
    const file = process.env.COMPTOIR_STACK_ENV;
    if (!file) throw new Error('COMPTOIR_STACK_ENV is not set: start a stack with tools/stack and point it at its stack.env');
    const env = {};
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (!m) continue;
        let v = m[2].trim();
        if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
        env[m[1]] = v;
    }
    for (const k of ['COMPTOIR_MAIN_URL', 'COMPTOIR_CA', 'COMPTOIR_PARTNER_CERT', 'COMPTOIR_PARTNER_KEY',
        'COMPTOIR_DB_DEFAULTS', 'COMPTOIR_DB_NAME', 'COMPTOIR_STACK_DIR', 'COMPTOIR_CONF']) {
        if (!env[k]) throw new Error(`${file} has no ${k}`);
    }
    return env;
}

export const ENV = loadEnv();
const CA = fs.readFileSync(ENV.COMPTOIR_CA);

// A client identity: {cert, key} as PEM text.
export function identityFromFiles(certFile, keyFile) {
    return { cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8'), certFile, keyFile };
}
export const DEMO = identityFromFiles(ENV.COMPTOIR_PARTNER_CERT, ENV.COMPTOIR_PARTNER_KEY);
export const NO_CERT = null;

// ---------------------------------------------------------------- HTTPS

// request(method, path, opts) -> {status, headers, body (Buffer), json, text, reused}
//   opts.id      client identity {cert, key} (default: the demo partner), or NO_CERT
//   opts.body    a value sent as JSON; opts.raw a string/Buffer sent as is (no JSON encoding)
//   opts.headers extra headers; opts.agent an https.Agent (default: a fresh connection, no TLS
//                session reuse); opts.chunked sends the body without Content-Length;
//   opts.base    base URL (default COMPTOIR_MAIN_URL); opts.bare: no default Accept or
//                Content-Type (what a browser or a file download sends)
export function request(method, urlPath, opts = {}) {
    const id = 'id' in opts ? opts.id : DEMO;
    const base = new URL(opts.base || ENV.COMPTOIR_MAIN_URL);
    const u = new URL(urlPath, base);
    let payload = null;
    if (opts.raw !== undefined) payload = Buffer.isBuffer(opts.raw) ? opts.raw : Buffer.from(opts.raw);
    else if (opts.body !== undefined) payload = Buffer.from(JSON.stringify(opts.body));
    const headers = { ...(opts.bare ? {} : { Accept: 'application/json' }), ...(opts.headers || {}) };
    if (payload !== null) {
        if (!opts.bare && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
        if (!opts.chunked) headers['Content-Length'] = payload.length;
    }
    const options = {
        method,
        hostname: u.hostname,
        port: u.port || 443,
        path: u.pathname + u.search,
        headers,
        ca: CA,
        agent: opts.agent || false,
        timeout: opts.timeout || 60000,
    };
    if (id) { options.cert = id.cert; options.key = id.key; }
    return new Promise((resolve, reject) => {
        const req = https.request(options, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const body = Buffer.concat(chunks);
                const text = body.toString('utf8');
                let json = null;
                try { json = JSON.parse(text); } catch { /* not JSON */ }
                resolve({ status: res.statusCode, headers: res.headers, body, json, text,
                    reused: res.socket && typeof res.socket.isSessionReused === 'function' ? res.socket.isSessionReused() : undefined });
            });
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer in ${options.timeout} ms`)));
        req.on('error', (e) => reject(new Error(`${method} ${urlPath}: ${e.message}`)));
        if (payload !== null) {
            if (opts.chunked) {
                for (let i = 0; i < payload.length; i += 8192) req.write(payload.subarray(i, i + 8192));
            } else req.write(payload);
        }
        req.end();
    });
}

export const get = (p, o) => request('GET', p, o);
export const post = (p, body, o = {}) => request('POST', p, { ...o, body });
export const put = (p, body, o = {}) => request('PUT', p, { ...o, body });

// Short description of a response for assertion messages.
export function show(res) {
    return `${res.status} ${res.text.length > 600 ? res.text.slice(0, 600) + '...' : res.text}`;
}

// Every answer carries X-Request-Id; every error is the envelope
// {"status":N,"code":"UPPER_CASE","message":"...","request_id":"..."}.
export function assertEnvelope(res, status, code, what = '') {
    assertErrorShape(res, status, code, what);
    const w = what ? `${what}: ` : '';
    assert.equal(typeof res.json.request_id, 'string', `${w}envelope has no request_id: ${show(res)}`);
    assert.equal(res.json.request_id, res.headers['x-request-id'], `${w}request_id differs from X-Request-Id: ${show(res)}`);
}

// The envelope without its request_id: for the checks where the request id is not the point
// (a separate test asserts it), so that its absence does not hide what the test is about.
export function assertErrorShape(res, status, code, what = '') {
    const w = what ? `${what}: ` : '';
    assert.equal(res.status, status, `${w}expected ${status}${code ? ' ' + code : ''}, got ${show(res)}`);
    assertRequestId(res, what);
    assert.ok(res.json && typeof res.json === 'object' && !Array.isArray(res.json), `${w}error body is not a JSON object: ${show(res)}`);
    assert.equal(res.json.status, status, `${w}envelope status: ${show(res)}`);
    assert.match(String(res.json.code), /^[A-Z][A-Z0-9_]*$/, `${w}envelope code: ${show(res)}`);
    if (code) {
        if (Array.isArray(code)) assert.ok(code.includes(res.json.code), `${w}code ${res.json.code}, expected one of ${code}: ${show(res)}`);
        else assert.equal(res.json.code, code, `${w}envelope code: ${show(res)}`);
    }
    assert.equal(typeof res.json.message, 'string', `${w}envelope message: ${show(res)}`);
}

export function assertRequestId(res, what = '') {
    const rid = res.headers['x-request-id'];
    assert.ok(typeof rid === 'string' && rid.length > 0, `${what ? what + ': ' : ''}no X-Request-Id header on ${show(res)}`);
}

// 422 VALIDATION_ERROR naming each of `fields` in errors[].field.
export function assertValidation(res, fields, what = '') {
    assertEnvelope(res, 422, 'VALIDATION_ERROR', what);
    assert.ok(Array.isArray(res.json.errors) && res.json.errors.length > 0, `no errors[]: ${show(res)}`);
    for (const e of res.json.errors) {
        assert.equal(typeof e.field, 'string', `errors[].field: ${show(res)}`);
        assert.equal(typeof e.message, 'string', `errors[].message: ${show(res)}`);
    }
    const named = new Set(res.json.errors.map((e) => e.field));
    for (const f of [].concat(fields)) assert.ok(named.has(f), `errors[] does not name "${f}": ${show(res)}`);
}

export function assertStatus(res, status) {
    assert.equal(res.status, status, `expected ${status}, got ${show(res)}`);
    assertRequestId(res);
}

// X-Pagination-* headers as integers.
export function pagination(res) {
    const h = (n) => {
        const v = res.headers[`x-pagination-${n}`];
        assert.ok(v !== undefined && /^\d+$/.test(v), `X-Pagination-${n} missing or not an integer (${v}) on ${show(res)}`);
        return Number(v);
    };
    return { total: h('total-count'), pages: h('page-count'), page: h('current-page'), perPage: h('per-page') };
}

// ---------------------------------------------------------------- database, tools

export function sql(query) {
    const args = [`--defaults-file=${ENV.COMPTOIR_DB_DEFAULTS}`];
    if (ENV.COMPTOIR_DB_SOCKET) args.push(`--socket=${ENV.COMPTOIR_DB_SOCKET}`);
    args.push('-N', '-B', ENV.COMPTOIR_DB_NAME, '-e', query);
    const out = execFileSync('mariadb', args, { encoding: 'utf8' });
    return out.split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
}
export const sqlValue = (q) => { const r = sql(q); return r.length ? r[0][0] : undefined; };

// Only identifiers we generate ourselves go into SQL text; refuse anything else.
export function lit(s) {
    assert.match(String(s), /^[A-Za-z0-9_.:@+-]*$/, `unsafe SQL literal ${s}`);
    return `'${s}'`;
}

export function fingerprint(certPem) {
    return new crypto.X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
}

// The partner row id of a certificate (partner_cert maps fingerprints to partners).
export function partnerIdOf(id) {
    const v = sqlValue(`SELECT partner_id FROM partner_cert WHERE LOWER(fingerprint_sha256) = ${lit(fingerprint(id.cert))}`);
    assert.ok(v, 'certificate not registered in partner_cert');
    return Number(v);
}

export function pki(...args) {
    const r = spawnSync(path.join(ROOT, 'tools', 'pki'), ['--stack', ENV.COMPTOIR_STACK_DIR, ...args],
        { cwd: ROOT, encoding: 'utf8', timeout: 120000 });
    if (r.error) throw new Error(`tools/pki ${args.join(' ')}: ${r.error.message}`);
    if (r.status !== 0) throw new Error(`tools/pki ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
    return r.stdout;
}

let tmpDir;
export function tmp() {
    if (!tmpDir) tmpDir = fs.mkdtempSync(path.join(ENV.COMPTOIR_STACK_DIR, 'itest-'));
    return tmpDir;
}

// A new registered partner (tools/pki issue-partner); `extra` e.g. ['--expired'].
export function issuePartner(name, extra = []) {
    const prefix = path.join(tmp(), name);
    pki('issue-partner', name, prefix, ...extra);
    return identityFromFiles(`${prefix}.crt`, `${prefix}.key`);
}

export function ledgerCheck() {
    const bin = path.resolve(ROOT, process.env.COMPTOIR_BIN || 'build/san/bin', 'comptoir-ledger_check');
    return spawnSync(bin, [ENV.COMPTOIR_CONF], { cwd: ROOT, encoding: 'utf8', timeout: 300000 });
}

// ---------------------------------------------------------------- data builders

export const uniq = (p = 'it') => `${p}${Date.now().toString(36)}${crypto.randomBytes(4).toString('hex')}`;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function customerBody(over = {}) {
    return {
        email: `${uniq('c')}@example.com`,
        phone: '+33612345678',
        first_name: 'Ada',
        last_name: 'Lovelace',
        country: 'FR',
        birth_date: '1990-05-17',
        ...over,
    };
}

export async function createCustomer(id = DEMO, over = {}) {
    const res = await post('/secure/customers', customerBody(over), { id });
    assertStatus(res, 201);
    return res.json;
}

// The partner records its own KYC result VERIFIED for the customer (PUT .../kyc): a balance needs
// it. verifiedCustomer() is a new customer already verified, for every test that opens balances.
export async function verifyKyc(customerId, id = DEMO) {
    const res = await put(`/secure/customers/${customerId}/kyc`, { status: 'VERIFIED', reason: 'integration test' }, { id });
    assertStatus(res, 200);
    assert.equal(res.json.kyc_status, 'VERIFIED', show(res));
}

export async function verifiedCustomer(id = DEMO, over = {}) {
    const c = await createCustomer(id, over);
    await verifyKyc(c.id, id);
    return { ...c, kyc_status: 'VERIFIED' };
}

export async function createBalance(customerId, currency, id = DEMO) {
    const res = await post(`/secure/customers/${customerId}/balances`, { currency }, { id });
    assertStatus(res, 201);
    return res.json;
}

// POST .../reload with an amount given as JSON text (so numbers go exactly as written).
export function reload(customerId, balanceId, amountJson, opts = {}) {
    const raw = `{"amount":${amountJson},"description":${JSON.stringify(opts.description ?? 'integration test')}}`;
    const headers = { ...(opts.headers || {}) };
    if (opts.key !== null) headers['Idempotency-Key'] = opts.key ?? crypto.randomUUID();
    return request('POST', `/secure/customers/${customerId}/balances/${balanceId}/reload`,
        { raw, headers, id: opts.id ?? DEMO, agent: opts.agent });
}

// nginx answers 429 past the per-address rate; a client sends the same request again later.
// Runs send() until its answer is not a 429; counts the 429s in counter.n.
export async function untilNot429(send, counter = { n: 0 }) {
    for (let attempt = 0; ; attempt++) {
        const r = await send();
        if (r.status !== 429 || attempt >= 100) return r;
        counter.n++;
        await sleep(Number(r.headers['retry-after'] || 0) * 1000 || 50 + crypto.randomInt(200));
    }
}

export async function balanceCents(customerId, balanceId, id = DEMO) {
    const res = await get(`/secure/customers/${customerId}/balances/${balanceId}`, { id });
    assertStatus(res, 200);
    return cents(res.json.balance);
}

// All rows of a paginated list.
export async function allPages(urlPath, { id = DEMO, perPage = 50 } = {}) {
    const rows = [];
    for (let page = 1; ; page++) {
        const sep = urlPath.includes('?') ? '&' : '?';
        const res = await get(`${urlPath}${sep}page=${page}&per_page=${perPage}`, { id });
        assertStatus(res, 200);
        assert.ok(Array.isArray(res.json), `not an array: ${show(res)}`);
        rows.push(...res.json);
        const p = pagination(res);
        if (page >= p.pages || res.json.length === 0) break;
        assert.ok(page < 10000, 'runaway pagination');
    }
    return rows;
}

// ---------------------------------------------------------------- amounts

// "100.54" -> 10054n; strict decimal text with at most `exp` decimals, optional leading '-'.
export function cents(text, exp = 2) {
    assert.equal(typeof text, 'string', `amount is not a decimal string: ${JSON.stringify(text)}`);
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
    assert.ok(m, `not a decimal amount: ${JSON.stringify(text)}`);
    const frac = m[3] || '';
    assert.ok(frac.length <= exp, `more than ${exp} decimals: ${text}`);
    const v = BigInt(m[2]) * 10n ** BigInt(exp) + BigInt((frac + '0'.repeat(exp)).slice(0, exp) || '0');
    return m[1] ? -v : v;
}

// 10054n -> "100.54"
export function decimal(minor, exp = 2) {
    const neg = minor < 0n;
    const s = (neg ? -minor : minor).toString().padStart(exp + 1, '0');
    const out = exp ? `${s.slice(0, -exp)}.${s.slice(-exp)}` : s;
    return neg ? `-${out}` : out;
}

// ---------------------------------------------------------------- IBAN

function registryFile() {
    for (const f of [process.env.COMPTOIR_IBAN_REGISTRY, path.join(ROOT, '..', 'shared', 'iban', 'registry.tsv'),
        path.join(ROOT, 'tests', 'integration', 'lib', 'iban_registry.tsv')]) {
        if (f && fs.existsSync(f)) return f;
    }
    throw new Error('no IBAN registry.tsv found');
}

const REGISTRY = (() => {
    const map = new Map();
    let header = null;
    for (const line of fs.readFileSync(registryFile(), 'utf8').split('\n')) {
        if (!line || line.startsWith('#')) continue;
        const cols = line.split('\t');
        if (!header) { header = cols; continue; }
        const row = Object.fromEntries(header.map((h, i) => [h, cols[i]]));
        const re = row.bban_format.replace(/(\d+)(!?)([nace])/g, (_, n, fixed, t) => {
            const cls = { n: '[0-9]', a: '[A-Z]', c: '[A-Za-z0-9]', e: ' ' }[t];
            return fixed ? `${cls}{${n}}` : `${cls}{1,${n}}`;
        });
        map.set(row.country, { length: Number(row.length), bban: new RegExp(`^${re}$`) });
    }
    assert.ok(map.size > 80, 'IBAN registry looks truncated');
    return map;
})();

export function ibanMod97(iban) {
    const s = iban.slice(4) + iban.slice(0, 4);
    let r = 0;
    for (const ch of s) {
        const d = /[0-9]/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
        for (const c of d) r = (r * 10 + (c.charCodeAt(0) - 48)) % 97;
    }
    return r;
}

// Why an electronic-form IBAN is invalid, or null when it is valid.
export function ibanProblem(iban) {
    if (typeof iban !== 'string') return 'not a string';
    if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]+$/.test(iban)) return 'not upper-case alphanumerics CCdd...';
    const c = REGISTRY.get(iban.slice(0, 2));
    if (!c) return `unknown country ${iban.slice(0, 2)}`;
    if (iban.length !== c.length) return `length ${iban.length}, registry says ${c.length}`;
    if (!c.bban.test(iban.slice(4))) return 'BBAN does not match the registry structure';
    const cd = Number(iban.slice(2, 4));
    if (cd < 2 || cd > 98) return `check digits ${iban.slice(2, 4)}`;
    if (ibanMod97(iban) !== 1) return 'mod 97 != 1';
    return null;
}
export const ibanValid = (iban) => ibanProblem(iban) === null;

export function assertIban(iban) {
    const p = ibanProblem(iban);
    assert.equal(p, null, `invalid IBAN ${iban}: ${p}`);
}

export const ibanFormatted = (iban) => iban.replace(/(.{4})(?=.)/g, '$1 ');

// A valid French IBAN from bank, branch (5 digits each) and an 11-digit account: RIB key, then
// ISO check digits. Used to give a test partner a base IBAN distinct from the demo bank's.
export function frenchIban(bank, branch, account) {
    const conv = (s) => s.replace(/[A-Z]/g, (ch) => String('123456789123456789234567891'[ch.charCodeAt(0) - 65] ?? ''));
    const key = 97n - ((89n * BigInt(conv(bank)) + 15n * BigInt(conv(branch)) + 3n * BigInt(conv(account))) % 97n);
    const bban = `${bank}${branch}${account}${key.toString().padStart(2, '0')}`;
    const check = 98 - ibanMod97(`FR00${bban}`);
    return `FR${String(check).padStart(2, '0')}${bban}`;
}

// ---------------------------------------------------------------- times

// ISO 8601 UTC text -> microseconds since the epoch (BigInt); fails on anything else.
export function isoMicros(text) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]00:?00)$/.exec(String(text));
    assert.ok(m, `not an ISO 8601 UTC time: ${JSON.stringify(text)}`);
    const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
    assert.ok(!Number.isNaN(ms), `bad time ${text}`);
    return BigInt(ms) * 1000n + BigInt(((m[7] || '') + '000000').slice(0, 6));
}
export const microsIso = (us) => new Date(Number(us / 1000n)).toISOString();

// Runs fn(c) for every case and fails once at the end, listing every case that failed (so one
// disagreement does not hide the next).
export async function checkAll(cases, fn) {
    const fails = [];
    for (const c of cases) {
        try {
            await fn(c);
        } catch (e) {
            if (!(e instanceof assert.AssertionError)) throw e;
            fails.push(e.message.split('\n')[0]);
        }
    }
    assert.equal(fails.length, 0, `${fails.length} of ${cases.length} cases failed:\n  ${fails.join('\n  ')}`);
}

// ---------------------------------------------------------------- customer channel (sessions)

// Registration and login are limited per address by nginx (zone ct_auth): its own 429 has the
// code TOO_MANY_REQUESTS, and the request is sent again after a pause. The pool's 429
// TOO_MANY_ATTEMPTS (an account locked after failed logins) is an answer, returned as is.
export async function publicPost(urlPath, body, opts = {}) {
    for (let attempt = 0; ; attempt++) {
        const r = await request('POST', urlPath, { id: NO_CERT, body, ...opts });
        if (r.status !== 429 || (r.json && r.json.code !== 'TOO_MANY_REQUESTS') || attempt >= 100) return r;
        await sleep(250 + crypto.randomInt(250));
    }
}

export const CUSTOMER_PASSWORD = 'correct horse battery staple';

export function registrationBody(over = {}) {
    return { ...customerBody(), password: CUSTOMER_PASSWORD, ...over };
}

// A customer registered through POST /customers/register: the answer plus the password used.
export async function registerCustomer(over = {}) {
    const body = registrationBody(over);
    const res = await publicPost('/customers/register', body);
    assertStatus(res, 201);
    return { ...res.json, password: body.password };
}

// POST /customers/sessions; the raw answer.
export function login(email, password, deviceId = 'itest-device') {
    return publicPost('/customers/sessions', { email, password, device_id: deviceId });
}

// A session token for a registered customer (fails the test when the login does).
export async function sessionToken(customer, deviceId = 'itest-device') {
    const res = await login(customer.email, customer.password, deviceId);
    assertStatus(res, 201);
    return res.json.session_token;
}

// Options for request() on a customer-session route: no client certificate, the bearer token.
export function bearer(token, extra = {}) {
    return { id: NO_CERT, headers: { Authorization: `Bearer ${token}`, ...extra } };
}

// ---------------------------------------------------------------- OAuth access tokens (manager.one API)

// An access token for a customer, minted straight into the database the way the auth pool
// issues them (sql/0007: a client, the customer's grant, token_hash = SHA-256 of the token text,
// "at_" + 43 base64url characters, 1 hour), so API tests do not depend on the consent pages.
// The auth pool's /_auth/oauth checks it like any other. Returns the token text.
let mintClient;
export function mintAccessToken(customerId, partnerId, scope = 'read write') {
    assert.ok(Number.isInteger(partnerId), 'partnerId must be an integer');
    if (!mintClient) {
        const cid = uniq('itest-client-');
        sql(`INSERT INTO oauth_client (client_id, partner_id, name, secret_hash)
             VALUES (${lit(cid)}, ${partnerId}, 'integration tests', 'not-a-hash')`);
        mintClient = Number(sqlValue(`SELECT id FROM oauth_client WHERE client_id = ${lit(cid)}`));
    }
    const token = 'at_' + crypto.randomBytes(32).toString('base64url');
    const hash = crypto.createHash('sha256').update(token).digest('hex');
    sql(`INSERT INTO oauth_grant (partner_id, client_id, customer_id, scope)
           VALUES (${partnerId}, ${mintClient}, ${lit(customerId)}, REPLACE(${lit(scope.replace(/ /g, '+'))}, '+', ' '));
         SET @g = LAST_INSERT_ID();
         INSERT INTO oauth_token (token_hash, kind, grant_id, family_id, client_id, partner_id,
             customer_id, scope, expires_at)
           VALUES (UNHEX(${lit(hash)}), 'access', @g, 0, ${mintClient}, ${partnerId}, ${lit(customerId)},
             REPLACE(${lit(scope.replace(/ /g, '+'))}, '+', ' '), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)`);
    return token;
}

// Options for request() on an OAuth route: no client certificate, the access token.
export function oauth(token, extra = {}) {
    return { id: NO_CERT, headers: { Authorization: `Bearer ${token}`, ...extra } };
}

// ---------------------------------------------------------------- identity cache (nginx)

// nginx keeps the auth pool's answer to a successful OAuth check for IDENT_CACHE_TTL seconds
// (conf ident_cache_ttl) and serves it through the whole second its validity ends in: a revoked
// access token may still pass for up to IDENT_CACHE_TTL + 1 seconds, never longer.
export const IDENT_CACHE_TTL = Number(ENV.COMPTOIR_IDENT_CACHE_TTL ?? 5);
// what separates node's clock from nginx's (which reads the time once per event loop turn)
const CLOCK_SLACK_MS = 250;

// Runs status() (a request, resolving to its HTTP status) every 100 ms until it answers 401, and
// fails when a request sent more than IDENT_CACHE_TTL + 1 seconds after `since` (Date.now() just
// before the revocation) is still let in. Returns the milliseconds from `since` to that request.
export async function untilRefused(status, since) {
    const deadline = since + (IDENT_CACHE_TTL + 1) * 1000 + CLOCK_SLACK_MS;
    for (;;) {
        const sent = Date.now();
        const s = await status();
        if (s === 401) return sent - since;
        assert.ok(sent <= deadline, `answered ${s}, not 401, ${sent - since} ms after the revocation `
            + `(identity cache TTL ${IDENT_CACHE_TTL} s)`);
        await sleep(100);
    }
}

// nginx's access log (JSON lines, buffered: written at least once a second). accessLogMark() is
// where it ends now; accessLog(mark, ids) waits for the entries of those request ids (the
// X-Request-Id answers) written after mark and returns them as a Map id -> entry.
const ACCESS_LOG = path.join(ENV.COMPTOIR_STACK_DIR, 'log', 'nginx-access.log');
export const accessLogMark = () => fs.statSync(ACCESS_LOG).size;
export async function accessLog(mark, ids, timeoutMs = 5000) {
    const want = new Set(ids);
    const found = new Map();
    for (const end = Date.now() + timeoutMs; ;) {
        const fd = fs.openSync(ACCESS_LOG, 'r');
        let text;
        try {
            const size = fs.fstatSync(fd).size;
            const buf = Buffer.alloc(Math.max(0, size - mark));
            fs.readSync(fd, buf, 0, buf.length, mark);
            text = buf.toString('utf8');
        } finally {
            fs.closeSync(fd);
        }
        const lines = text.split('\n');
        lines.pop(); // after the last newline: nothing, or a line still being written
        for (const line of lines) {
            if (!line.startsWith('{')) continue;
            const e = JSON.parse(line);
            if (want.has(e.req)) found.set(e.req, e);
        }
        if (found.size === want.size) return found;
        assert.ok(Date.now() < end, `${want.size - found.size} of ${want.size} requests not in ${ACCESS_LOG} after ${timeoutMs} ms`);
        await sleep(200);
    }
}

// ---------------------------------------------------------------- files (statements, documents)

// request() as a file client sends it: no default Accept or Content-Type, a longer timeout.
export function download(method, urlPath, opts = {}) {
    return request(method, urlPath, { timeout: 120000, ...opts, bare: true });
}

// A multipart/form-data body with the given parts [{name, filename?, type?, data (Buffer|string)}]
// -> {body: Buffer, contentType}. Written by hand so tests control every byte.
export function multipart(parts, boundary = `----itest${crypto.randomBytes(8).toString('hex')}`) {
    const chunks = [];
    for (const p of parts) {
        let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
        if (p.filename !== undefined) head += `; filename="${p.filename}"`;
        head += '\r\n';
        if (p.type) head += `Content-Type: ${p.type}\r\n`;
        chunks.push(Buffer.from(head + '\r\n'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data), Buffer.from('\r\n'));
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

// The text of a PDF (pdftotext -layout, poppler-utils).
export function pdfText(buf) {
    const f = path.join(tmp(), `${uniq('pdf')}.pdf`);
    fs.writeFileSync(f, buf);
    const r = spawnSync('pdftotext', ['-layout', f, '-'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `pdftotext failed: ${r.stderr}`);
    return r.stdout;
}

// Runs a comptoir-<name> tool of the build under test with the given arguments.
export function runTool(name, args) {
    const bin = path.resolve(ROOT, process.env.COMPTOIR_BIN || 'build/san/bin', `comptoir-${name}`);
    return spawnSync(bin, args, { cwd: ROOT, encoding: 'utf8', timeout: 300000 });
}

// Opens (when missing) and funds a partner's credit or deposit balance with the operator's tool
// (tools/partner_balance.c), as the platform does once a partner's bank transfer has arrived.
// Answers the balance's id. `id` is a client identity ({cert, key}); amount a decimal string.
export function fundPartner(id, currency, amount, type = 'credit') {
    const pub = sqlValue(`SELECT p.public_id FROM partner p JOIN partner_cert c ON c.partner_id = p.id
                          WHERE LOWER(c.fingerprint_sha256) = ${lit(fingerprint(id.cert))}`);
    const conf = path.join(ENV.COMPTOIR_STACK_DIR, 'conf', 'secure.conf');
    const base = ['--partner', pub, '--type', type, '--currency', currency];
    const opened = runTool('partner_balance', [conf, 'open', ...base]);
    assert.equal(opened.status, 0, `partner_balance open: ${opened.stderr}`);
    if (amount !== null) {
        const r = runTool('partner_balance', [conf, 'reload', ...base, '--amount', amount]);
        assert.equal(r.status, 0, `partner_balance reload: ${r.stderr}`);
    }
    return /id=(\S+)/.exec(opened.stdout)[1];
}
