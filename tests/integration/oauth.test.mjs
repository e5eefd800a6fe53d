// OAuth 2.0 (auth pool): the connect page, its form, /oauth/token, /oauth/revoke and the
// /_auth/oauth check behind the manager.one routes - one test per RFC 9700 check of the issue
// (notes/security.md section 2), against the real stack and its seeded demo client and customer.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import {
    ENV, NO_CERT, ROOT, login, registerCustomer, request, show, sql, sqlValue, uniq, untilNot429, untilRefused,
} from './lib/stack.mjs';

const BASE = ENV.COMPTOIR_MAIN_URL;
const CLIENT = ENV.COMPTOIR_OAUTH_CLIENT_ID;
const SECRET = ENV.COMPTOIR_OAUTH_CLIENT_SECRET;
const REDIRECT = ENV.COMPTOIR_OAUTH_REDIRECT_URI;
const EMAIL = ENV.COMPTOIR_DEMO_EMAIL;
const PASSWORD = ENV.COMPTOIR_DEMO_PASSWORD;
const skip = !CLIENT || !SECRET || !REDIRECT || !EMAIL || !PASSWORD
    ? 'stack.env has no demo OAuth client (comptoir-oauth_client / comptoir-seed_demo not built)' : false;

// ---------------------------------------------------------------- helpers

const form = (o) => new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined)).toString();

function connectUrl(over = {}) {
    return `/connect?${form({ response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, state: 's1', ...over })}`;
}

function postForm(p, fields, headers = {}) {
    return untilNot429(() => request('POST', p, {
        id: NO_CERT, raw: form(fields), headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    }));
}

// POST /connect/authorize as the consent page's form would (Origin: this server).
function authorize(over = {}, headers = { Origin: BASE }) {
    return postForm('/connect/authorize', {
        response_type: 'code', client_id: CLIENT, redirect_uri: REDIRECT, state: 's1',
        email: EMAIL, password: PASSWORD, decision: 'allow', ...over,
    }, headers);
}

// The redirect's query parameters (asserting it goes to the registered redirect_uri).
function location(res) {
    assert.equal(res.status, 302, `expected a redirect: ${show(res)}`);
    const loc = res.headers.location;
    assert.ok(loc.startsWith(`${REDIRECT}?`), `redirect to ${loc}, not ${REDIRECT}`);
    return new URL(loc).searchParams;
}

async function code(over = {}) {
    const q = location(await authorize(over));
    assert.ok(q.get('code'), `no code in the redirect: ${q}`);
    return q.get('code');
}

function token(fields, headers = {}) {
    return postForm('/oauth/token', fields, headers);
}

async function exchange(c, over = {}) {
    const res = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT,
        client_id: CLIENT, client_secret: SECRET, ...over });
    return res;
}

function assertTokens(res) {
    assert.equal(res.status, 200, show(res));
    assert.match(res.json.access_token, /^at_[A-Za-z0-9_-]{43}$/);
    assert.match(res.json.refresh_token, /^rt_[A-Za-z0-9_-]{43}$/);
    assert.equal(res.json.token_type, 'Bearer');
    assert.equal(res.json.expires_in, 3600);
    assert.equal(typeof res.json.scope, 'string');
    assert.match(res.headers['cache-control'], /no-store/);
    return res.json;
}

function assertOAuthError(res, status, error) {
    assert.equal(res.status, status, show(res));
    assert.equal(res.json.error, error, show(res));
    assert.equal(typeof res.json.error_description, 'string');
    assert.equal(res.json.status, status); // manager.one's envelope members ride along
    assert.match(res.headers['cache-control'], /no-store/);
}

// A manager.one route behind auth_request /_auth/oauth. 401: the token was refused; anything
// else (200 from the banking pool, or 5xx when it is not built) means auth_request let it pass.
async function apiStatus(at) {
    const res = await request('GET', '/accounts', { id: NO_CERT, headers: { Authorization: `Bearer ${at}` } });
    return res.status;
}

// A token the API let in (so nginx's identity cache may hold its identity) and that was revoked
// after `since` (Date.now()): refused within the cache's TTL + 1 s (lib/stack.mjs untilRefused).
const refusedSince = (at, since) => untilRefused(() => apiStatus(at), since);

async function fullFlow(over = {}) {
    return assertTokens(await exchange(await code(over)));
}

function tool(...args) {
    const bin = path.resolve(ROOT, process.env.COMPTOIR_BIN || 'build/san/bin', 'comptoir-oauth_client');
    const r = spawnSync(bin, [path.join(ENV.COMPTOIR_STACK_DIR, 'conf', 'seed.conf'), ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, `comptoir-oauth_client ${args.join(' ')}: ${r.stderr}`);
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=')));
}

const sha = (s) => crypto.createHash('sha256').update(s).digest('hex');
const pkce = () => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    return { verifier, challenge: crypto.createHash('sha256').update(verifier).digest('base64url') };
};

// ---------------------------------------------------------------- the connect page

test('GET /connect: the consent page, HTML with a strict CSP and the form', { skip }, async () => {
    const res = await request('GET', connectUrl({ state: 'x"<y>' }), { id: NO_CERT });
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^text\/html/);
    const csp = res.headers['content-security-policy'];
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.match(res.text, /<form method="post" action="\/connect\/authorize"/);
    for (const n of ['email', 'password', 'response_type', 'client_id', 'redirect_uri', 'state']) {
        assert.match(res.text, new RegExp(`name="${n}"`), `no ${n} field`);
    }
    assert.match(res.text, /value="x&quot;&lt;y&gt;"/, 'state is HTML-escaped');
    assert.doesNotMatch(res.text, /<script/);
});

test('redirect_uri not registered (exact match): Service not found, no redirect', { skip }, async () => {
    for (const uri of [`${REDIRECT}/x`, `${REDIRECT}?a=1`, REDIRECT.toUpperCase(), `${REDIRECT}#f`,
        REDIRECT.replace('https:', 'http:'), 'https://evil.example/cb']) {
        const res = await request('GET', connectUrl({ redirect_uri: uri }), { id: NO_CERT });
        assert.equal(res.status, 400, `${uri}: ${show(res)}`);
        assert.equal(res.headers.location, undefined, `${uri} redirected`);
        assert.match(res.text, /Service not found/);
    }
    for (const over of [{ client_id: 'no-such-client' }, { client_id: undefined }, { redirect_uri: undefined }]) {
        const res = await request('GET', connectUrl(over), { id: NO_CERT });
        assert.equal(res.status, 400, show(res));
        assert.equal(res.headers.location, undefined);
        assert.match(res.text, /Service not found/);
    }
});

test('other invalid parameters redirect with the field names and the state', { skip }, async () => {
    let q = location(await request('GET', connectUrl({ response_type: undefined, scope: 'nope', state: 'st' }), { id: NO_CERT }));
    assert.deepEqual(q.get('error').split(';'), ['response_type', 'scope']);
    assert.equal(q.get('error_description'), 'invalid_request');
    assert.equal(q.get('state'), 'st');
    q = location(await request('GET', connectUrl({ response_type: 'token' }), { id: NO_CERT }));
    assert.equal(q.get('error'), 'response_type');
    assert.equal(q.get('error_description'), 'unsupported_response_type');
    q = location(await request('GET', connectUrl({ code_challenge: pkce().challenge, code_challenge_method: 'plain' }), { id: NO_CERT }));
    assert.equal(q.get('error'), 'code_challenge_method');
    assert.equal(q.get('error_description'), 'invalid_request');
});

test('repeated parameters on /connect: client_id or redirect_uri twice is Service not found; others redirect with the field', { skip }, async () => {
    for (const dup of ['client_id', 'redirect_uri']) {
        const value = dup === 'client_id' ? CLIENT : REDIRECT;
        const res = await request('GET', `${connectUrl()}&${dup}=${encodeURIComponent(value)}`, { id: NO_CERT });
        assert.equal(res.status, 400, show(res));
        assert.equal(res.headers.location, undefined);
        assert.match(res.text, /Service not found/);
    }
    const q = location(await request('GET', `${connectUrl()}&scope=read&scope=write`, { id: NO_CERT }));
    assert.equal(q.get('error'), 'scope');
    assert.equal(q.get('error_description'), 'invalid_request');
    assert.equal(q.get('state'), 's1');
    const twice = location(await request('GET', `${connectUrl()}&state=s2`, { id: NO_CERT }));
    assert.equal(twice.get('error'), 'state');
    assert.equal(twice.has('state'), false);
});

test('state: omitted stays omitted, given is echoed byte for byte', { skip }, async () => {
    let q = location(await authorize({ state: undefined }));
    assert.ok(q.get('code'));
    assert.equal(q.has('state'), false);
    const state = 'a b+c&d=e/é%20?#"\'<>~';
    const res = await authorize({ state });
    q = location(res);
    assert.equal(q.get('state'), state);
    q = location(await authorize({ state, decision: 'deny' }));
    assert.equal(q.get('error'), 'access_denied');
    assert.equal(q.get('state'), state);
});

test('deny: error=access_denied, no code', { skip }, async () => {
    const q = location(await authorize({ decision: 'deny', email: undefined, password: undefined }));
    assert.equal(q.get('error'), 'access_denied');
    assert.equal(q.has('code'), false);
});

test('wrong password: the page again with 401, no redirect', { skip }, async () => {
    const res = await authorize({ password: 'wrong-password-1' });
    assert.equal(res.status, 401, show(res));
    assert.equal(res.headers.location, undefined);
    assert.match(res.text, /email or password is incorrect/);
    assert.match(res.text, new RegExp(`value="${EMAIL.replace('.', '\\.')}"`));
});

test('the consent login and the customer login share one lockout: 5 failures, then 429 on both', { skip }, async () => {
    const c = await registerCustomer();
    for (let i = 0; i < 5; i++) {
        const res = await authorize({ email: c.email, password: `wrong-${i}-password` });
        assert.equal(res.status, 401, show(res));
    }
    const locked = await authorize({ email: c.email, password: c.password });
    assert.equal(locked.status, 429, show(locked));
    assert.equal(locked.headers.location, undefined);
    assert.match(locked.text, /locked/);
    assert.equal((await login(c.email, c.password)).status, 429);
});

test('Origin check on /connect/authorize', { skip }, async () => {
    for (const h of [{ Origin: 'https://evil.example' }, { Origin: 'null' }, {},
        { Referer: 'https://evil.example/connect' }, { Origin: BASE.replace('https:', 'http:') }]) {
        const res = await authorize({}, h);
        assert.equal(res.status, 403, `${JSON.stringify(h)}: ${show(res)}`);
        assert.equal(res.headers.location, undefined);
    }
    assert.ok(location(await authorize({}, { Referer: `${BASE}/connect?x=1` })).get('code'));
});

// ---------------------------------------------------------------- the token endpoint

test('authorization_code: tokens, as seed 001 plus token_type, and the API accepts the token', { skip }, async () => {
    const t = await fullFlow({ scope: 'read' });
    assert.equal(t.scope, 'read');
    assert.notEqual(await apiStatus(t.access_token), 401);
    assert.equal(await apiStatus(`at_${'A'.repeat(43)}`), 401);
    assert.equal(await apiStatus('garbage'), 401);
    const none = await request('GET', '/accounts', { id: NO_CERT });
    assert.equal(none.status, 401);
});

test('HTTP Basic client authentication works; both methods at once is refused', { skip }, async () => {
    const basic = `Basic ${Buffer.from(`${encodeURIComponent(CLIENT)}:${encodeURIComponent(SECRET)}`).toString('base64')}`;
    let res = await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT }, { Authorization: basic });
    assertTokens(res);
    res = await token({ grant_type: 'authorization_code', code: await code(), redirect_uri: REDIRECT, client_secret: SECRET },
        { Authorization: basic });
    assertOAuthError(res, 400, 'invalid_request');
});

test('wrong secret or unknown client: 401 invalid_client (WWW-Authenticate with Basic)', { skip }, async () => {
    const c = await code();
    assertOAuthError(await exchange(c, { client_secret: `${SECRET}x` }), 401, 'invalid_client');
    assertOAuthError(await exchange(c, { client_id: 'no-such-client' }), 401, 'invalid_client');
    const bad = `Basic ${Buffer.from(`${CLIENT}:nope`).toString('base64')}`;
    const res = await token({ grant_type: 'authorization_code', code: c, redirect_uri: REDIRECT }, { Authorization: bad });
    assertOAuthError(res, 401, 'invalid_client');
    assert.match(res.headers['www-authenticate'], /^Basic /);
    assertTokens(await exchange(c)); // the failed attempts did not use the code up
});

test('missing parameters: 422 FieldsValidationErrors; unknown grant type: 400', { skip }, async () => {
    let res = await token({ grant_type: 'authorization_code', client_id: CLIENT, client_secret: SECRET });
    assert.equal(res.status, 422, show(res));
    assert.ok(Array.isArray(res.json));
    assert.deepEqual(res.json.map((e) => e.field).sort(), ['code', 'redirect_uri']);
    res = await token({});
    assert.equal(res.status, 422, show(res));
    assert.deepEqual(res.json.map((e) => e.field).sort(), ['client_id', 'client_secret', 'grant_type']);
    assertOAuthError(await token({ grant_type: 'password', client_id: CLIENT, client_secret: SECRET }), 400, 'unsupported_grant_type');
    res = await request('GET', '/oauth/token', { id: NO_CERT });
    assert.equal(res.status, 405, show(res));
});

test('a replayed code: invalid_grant, and the tokens of the first exchange are revoked', { skip }, async () => {
    const c = await code();
    const first = assertTokens(await exchange(c));
    assert.notEqual(await apiStatus(first.access_token), 401);
    const since = Date.now();
    assertOAuthError(await exchange(c), 400, 'invalid_grant');
    await refusedSince(first.access_token, since);
    assertOAuthError(await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token,
        client_id: CLIENT, client_secret: SECRET }), 400, 'invalid_grant');
});

test('a code used by another client, or with another redirect_uri: invalid_grant', { skip }, async () => {
    const other = tool('add', '--partner', sqlValue('SELECT public_id FROM partner WHERE name = \'Demo Partner\''),
        '--name', 'Other App', '--client-id', uniq('other-'), '--redirect-uri', REDIRECT);
    const c = await code();
    assertOAuthError(await exchange(c, { client_id: other.client_id, client_secret: other.client_secret }), 400, 'invalid_grant');
    assertOAuthError(await exchange(c, { redirect_uri: `${REDIRECT}/x` }), 400, 'invalid_grant');
    assertTokens(await exchange(c));
    tool('disable', other.client_id);
    const c2 = await code();
    assertOAuthError(await exchange(c2, { client_id: other.client_id, client_secret: other.client_secret }), 403, 'unauthorized_client');
});

test('an expired code: invalid_grant', { skip }, async () => {
    const c = await code();
    sql(`UPDATE oauth_code SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND WHERE code_hash = UNHEX('${sha(c)}')`);
    assertOAuthError(await exchange(c), 400, 'invalid_grant');
});

test('PKCE S256: the right verifier works, a wrong or missing one does not', { skip }, async () => {
    const p = pkce();
    let c = await code({ code_challenge: p.challenge, code_challenge_method: 'S256' });
    assertOAuthError(await exchange(c, { code_verifier: pkce().verifier }), 400, 'invalid_grant');
    assertOAuthError(await exchange(c), 400, 'invalid_grant');
    assertTokens(await exchange(c, { code_verifier: p.verifier }));
    c = await code();
    assertOAuthError(await exchange(c, { code_verifier: p.verifier }), 400, 'invalid_grant'); // downgrade
});

// ---------------------------------------------------------------- refresh and revocation

test('refresh rotates; a reused refresh token revokes its whole family', { skip }, async () => {
    const t1 = await fullFlow();
    const refresh = (rt, over = {}) => token({ grant_type: 'refresh_token', refresh_token: rt, client_id: CLIENT, client_secret: SECRET, ...over });
    const t2 = assertTokens(await refresh(t1.refresh_token));
    assert.notEqual(t2.refresh_token, t1.refresh_token);
    assert.notEqual(await apiStatus(t2.access_token), 401);
    const narrowed = assertTokens(await refresh(t2.refresh_token, { scope: 'read' }));
    assert.equal(narrowed.scope, 'read');
    assertOAuthError(await refresh(narrowed.refresh_token, { scope: 'read write' }), 400, 'invalid_scope');
    // t1's refresh token again: reuse
    const since = Date.now();
    assertOAuthError(await refresh(t1.refresh_token), 400, 'invalid_grant');
    // never let in before, so never cached: refused at once; t2's may be cached a few seconds
    assert.equal(await apiStatus(narrowed.access_token), 401);
    await refusedSince(t2.access_token, since);
    assertOAuthError(await refresh(narrowed.refresh_token), 400, 'invalid_grant');
});

test('revoked consent: the access token gets 401 on the API within the identity cache TTL + 1 s', { skip }, async () => {
    const t = await fullFlow();
    assert.notEqual(await apiStatus(t.access_token), 401);
    const grant = sqlValue(`SELECT grant_id FROM oauth_token WHERE token_hash = UNHEX('${sha(t.access_token)}')`);
    const since = Date.now();
    sql(`UPDATE oauth_grant SET revoked_at = UTC_TIMESTAMP(6) WHERE id = ${Number(grant)}`);
    await refusedSince(t.access_token, since);
});

test('/oauth/revoke (RFC 7009): a refresh token takes its family; unknown tokens are 200', { skip }, async () => {
    const revoke = (tok, over = {}) => postForm('/oauth/revoke', { token: tok, client_id: CLIENT, client_secret: SECRET, ...over });
    // both access tokens are let in first, so the identity cache may hold them when they are
    // revoked: refused within its TTL + 1 s
    const t = await fullFlow();
    const t2 = await fullFlow();
    assert.notEqual(await apiStatus(t.access_token), 401);
    assert.notEqual(await apiStatus(t2.access_token), 401);
    const since = Date.now();
    let res = await revoke(t.refresh_token);
    assert.equal(res.status, 200, show(res));
    assert.equal((await revoke(t2.access_token)).status, 200);
    await Promise.all([refusedSince(t.access_token, since), refusedSince(t2.access_token, since)]);
    res = await revoke('rt_unknown');
    assert.equal(res.status, 200, show(res));
    assertOAuthError(await revoke(t.access_token, { client_secret: 'bad' }), 401, 'invalid_client');
    assertTokens(await token({ grant_type: 'refresh_token', refresh_token: t2.refresh_token, client_id: CLIENT, client_secret: SECRET }));
});

// ---------------------------------------------------------------- metadata (RFC 8414) and iss (RFC 9207)

async function metadata() {
    const res = await request('GET', '/.well-known/oauth-authorization-server', { id: NO_CERT });
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^application\/json/);
    return res.json;
}

test('GET /.well-known/oauth-authorization-server: the metadata, and every endpoint it names answers', { skip }, async () => {
    const md = await metadata();
    assert.equal(md.issuer, BASE); // the main server's origin, no trailing slash
    assert.deepEqual(md.response_types_supported, ['code']);
    assert.deepEqual(md.grant_types_supported, ['authorization_code', 'refresh_token']);
    assert.deepEqual(md.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(md.token_endpoint_auth_methods_supported, ['client_secret_basic', 'client_secret_post']);
    assert.deepEqual(md.scopes_supported, ['read', 'write']);
    assert.equal(md.authorization_response_iss_parameter_supported, true);
    for (const e of ['authorization_endpoint', 'token_endpoint', 'revocation_endpoint']) {
        assert.ok(md[e].startsWith(`${md.issuer}/`), `${e} ${md[e]} is not on ${md.issuer}`);
    }
    // (full URLs: request() goes where the metadata says)
    const page = await request('GET', `${md.authorization_endpoint}${connectUrl().slice('/connect'.length)}`, { id: NO_CERT });
    assert.equal(page.status, 200, show(page));
    assert.match(page.text, /<form/);
    const grant = { grant_type: 'authorization_code', code: 'ac_not-a-code', redirect_uri: REDIRECT, client_id: CLIENT, client_secret: SECRET };
    assertOAuthError(await untilNot429(() => request('POST', md.token_endpoint, {
        id: NO_CERT, raw: form(grant), headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    })), 400, 'invalid_grant');
    const revoked = await untilNot429(() => request('POST', md.revocation_endpoint, {
        id: NO_CERT, raw: form({ token: 'rt_unknown', client_id: CLIENT, client_secret: SECRET }),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    }));
    assert.equal(revoked.status, 200, show(revoked));
});

test('every authorization response carries iss, the metadata\'s issuer: code, deny, invalid parameters', { skip }, async () => {
    const { issuer } = await metadata();
    const answers = {
        code: location(await authorize()),
        deny: location(await authorize({ decision: 'deny' })),
        'bad decision': location(await authorize({ decision: 'maybe' })),
        'bad GET /connect': location(await request('GET', connectUrl({ response_type: 'token' }), { id: NO_CERT })),
        'no state': location(await authorize({ state: undefined })),
    };
    for (const [what, q] of Object.entries(answers)) {
        assert.deepEqual(q.getAll('iss'), [issuer], `${what}: ${q}`);
    }
    assert.ok(answers.code.get('code'));
    assert.equal(answers.deny.get('error'), 'access_denied');
});
