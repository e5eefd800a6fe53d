// The OAuth 2.0 authorization-code flow with PKCE as a third-party service lives it: openid-client
// (an independent, spec-strict client) builds the request and redeems the code; headless Chromium
// (Debian's, driven by playwright-core) shows the consent page, a user fills it in and clicks.
//   cd tests/browser && npm ci && COMPTOIR_STACK_ENV=/path/stack.env node --test .
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as client from 'openid-client';
import { chromium } from 'playwright-core';
import { ENV, untilRefused } from '../integration/lib/stack.mjs';

const BASE = ENV.COMPTOIR_MAIN_URL;
const REDIRECT = ENV.COMPTOIR_OAUTH_REDIRECT_URI;
const CA = fs.readFileSync(ENV.COMPTOIR_CA);
const CHROMIUM = process.env.COMPTOIR_CHROMIUM || '/usr/bin/chromium';
const skip = !ENV.COMPTOIR_OAUTH_CLIENT_ID ? 'stack.env has no demo OAuth client'
    : !fs.existsSync(CHROMIUM) ? `no Chromium at ${CHROMIUM}` : false;
const OUT = fs.mkdtempSync(path.join(os.tmpdir(), 'comptoir-browser-'));

// fetch over node:https with the stack's CA, for openid-client (no NODE_EXTRA_CA_CERTS needed).
function caFetch(url, options = {}) {
    return new Promise((resolve, reject) => {
        const u = new URL(url);
        const headers = Object.fromEntries(new Headers(options.headers || {}).entries());
        const req = https.request({ method: options.method || 'GET', hostname: u.hostname, port: u.port,
            path: u.pathname + u.search, headers, ca: CA }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => {
                const h = new Headers();
                for (const [k, v] of Object.entries(res.headers)) h.set(k, Array.isArray(v) ? v.join(', ') : v);
                const body = [204, 304].includes(res.statusCode) ? null : Buffer.concat(chunks);
                resolve(new Response(body, { status: res.statusCode, headers: h }));
            });
        });
        req.on('error', reject);
        if (options.body !== undefined && options.body !== null) req.write(String(options.body));
        req.end();
    });
}

// Discovery (RFC 8414): openid-client reads the server's metadata, checks its issuer against
// BASE, and then requires every authorization response to carry that issuer as iss (RFC 9207,
// authorization_response_iss_parameter_supported), so the callback checks below cover iss too.
async function configuration() {
    return client.discovery(new URL(BASE), ENV.COMPTOIR_OAUTH_CLIENT_ID, ENV.COMPTOIR_OAUTH_CLIENT_SECRET,
        undefined, { algorithm: 'oauth2', [client.customFetch]: caFetch });
}

async function api(urlPath, accessToken) {
    const res = await caFetch(`${BASE}${urlPath}`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } });
    const text = await res.text();
    return { status: res.status, text };
}

let browser;
before(async () => {
    if (skip) return;
    browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
});
after(async () => { if (browser) await browser.close(); });

// Opens the consent page of a fresh authorization request; returns the page and the PKCE/state.
async function openConsent(scope = 'read write') {
    const config = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT, scope, state,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1000, height: 900 } });
    const page = await context.newPage();
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
    const res = await page.goto(url.href);
    assert.equal(res.status(), 200);
    return { config, verifier, state, page, context, problems };
}

// The callback the browser was sent to (nginx answers it 404: the demo service does not exist).
async function callbackAfter(page, click) {
    await Promise.all([page.waitForURL((u) => u.href.startsWith(`${REDIRECT}?`), { timeout: 20000 }), click()]);
    return new URL(page.url());
}

test('consent page: a user allows; openid-client redeems the code (PKCE), refreshes, calls the API', { skip }, async (t) => {
    const { config, verifier, state, page, context, problems } = await openConsent();
    try {
        assert.match(await page.title(), /Connect Demo Budget App/);
        // the inline style applied (CSP hash allows it): the primary button is the brand blue
        const bg = await page.locator('button.primary').evaluate((b) => getComputedStyle(b).backgroundColor);
        assert.equal(bg, 'rgb(11, 92, 173)');
        const shot = path.join(OUT, 'connect.png');
        await page.screenshot({ path: shot, fullPage: true });
        t.diagnostic(`screenshot: ${shot}`);
        await page.fill('#email', ENV.COMPTOIR_DEMO_EMAIL);
        await page.fill('#password', ENV.COMPTOIR_DEMO_PASSWORD);
        const cb = await callbackAfter(page, () => page.click('button[value=allow]'));
        assert.equal(cb.searchParams.get('state'), state);
        assert.equal(cb.searchParams.get('iss'), config.serverMetadata().issuer);
        // a response claiming another issuer is refused before the code is spent (RFC 9207)
        const forged = new URL(cb);
        forged.searchParams.set('iss', 'https://mix-up.example');
        await assert.rejects(client.authorizationCodeGrant(config, forged, { pkceCodeVerifier: verifier, expectedState: state }),
            (e) => /"iss"/.test(e.cause?.message));
        assert.deepEqual(problems.filter((p) => /Content Security Policy/i.test(p)), [], 'CSP violations on the page');

        const tokens = await client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier, expectedState: state });
        assert.equal(tokens.token_type, 'bearer'); // openid-client lower-cases it
        assert.equal(tokens.expires_in, 3600);
        assert.equal(tokens.scope, 'read write');
        let r = await api('/accounts', tokens.access_token);
        assert.notEqual(r.status, 401, `GET /accounts refused the token: ${r.status} ${r.text}`);

        const fresh = await client.refreshTokenGrant(config, tokens.refresh_token);
        assert.notEqual(fresh.refresh_token, tokens.refresh_token);
        r = await api('/accounts', fresh.access_token);
        assert.notEqual(r.status, 401, `GET /accounts refused the refreshed token: ${r.status} ${r.text}`);
        if (r.status === 200) assert.ok(Array.isArray(JSON.parse(r.text)), r.text);

        // nginx's identity cache may hold the token it just let in: refused within TTL + 1 s
        const since = Date.now();
        await client.tokenRevocation(config, fresh.refresh_token);
        await untilRefused(async () => (await api('/accounts', fresh.access_token)).status, since);
        await assert.rejects(client.refreshTokenGrant(config, fresh.refresh_token), (e) => e.error === 'invalid_grant');
    } finally {
        await context.close();
    }
});

test('consent page: a user denies; the service gets error=access_denied and its state', { skip }, async () => {
    const { config, verifier, state, page, context } = await openConsent('read');
    try {
        const cb = await callbackAfter(page, () => page.click('button[value=deny]'));
        assert.equal(cb.searchParams.get('error'), 'access_denied');
        assert.equal(cb.searchParams.get('state'), state);
        assert.equal(cb.searchParams.has('code'), false);
        await assert.rejects(client.authorizationCodeGrant(config, cb, { pkceCodeVerifier: verifier, expectedState: state }),
            (e) => e.error === 'access_denied');
    } finally {
        await context.close();
    }
});

test('consent page: a wrong password shows the page again with an error, no redirect', { skip }, async () => {
    const { page, context } = await openConsent();
    try {
        await page.fill('#email', ENV.COMPTOIR_DEMO_EMAIL);
        await page.fill('#password', 'not-the-password');
        const [res] = await Promise.all([page.waitForNavigation(), page.click('button[value=allow]')]);
        assert.equal(res.status(), 401);
        assert.ok(page.url().startsWith(`${BASE}/connect/authorize`), page.url());
        assert.match(await page.locator('.alert').innerText(), /incorrect/);
        assert.equal(await page.inputValue('#email'), ENV.COMPTOIR_DEMO_EMAIL);
    } finally {
        await context.close();
    }
});
