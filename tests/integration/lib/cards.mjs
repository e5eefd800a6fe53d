// Helpers of the card tests: JWE both ways with jose (an independent JOSE implementation,
// installed by `npm ci` in tests/browser, which tests/run-all.sh runs before the integration
// tests), the customer and partner card calls, the processor's identity, and the record of every
// PAN, CVC2 and PIN the suite saw, which tests/tools/card_scan.sh looks for in the stack's logs
// and tables afterwards.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
    ENV, NO_CERT, ROOT, assertStatus, bearer, get, identityFromFiles, pki, post, tmp,
    registerCustomer, request, sessionToken, show, verifyKyc,
} from './stack.mjs';

const JOSE = path.join(ROOT, 'tests', 'browser', 'node_modules', 'jose', 'dist', 'webapi', 'index.js');
assert.ok(fs.existsSync(JOSE), `jose is not installed: run npm ci in tests/browser (${JOSE})`);
export const jose = await import(pathToFileURL(JOSE).href);

export const PROCESSOR = identityFromFiles(ENV.COMPTOIR_PROCESSOR_CERT, ENV.COMPTOIR_PROCESSOR_KEY);
export const CARDS_URL = ENV.COMPTOIR_CARDS_URL;
export const BIN = '53999912';

// ---------------------------------------------------------------- secrets seen, for card_scan.sh

export const SEEN_FILE = path.join(ENV.COMPTOIR_STACK_DIR, 'cards_seen.txt');
// kind: pan | cvc2 | pin; one "kind value" line each
export function seen(kind, value) {
    fs.appendFileSync(SEEN_FILE, `${kind} ${value}\n`, { mode: 0o600 });
}

// ---------------------------------------------------------------- JWE

// The client's RSA key pair (its public half goes in the Public-Key header) and the server's key.
let keys;
export async function jweKeys() {
    if (keys) return keys;
    const { publicKey, privateKey } = await jose.generateKeyPair('RSA-OAEP-256', { modulusLength: 2048, extractable: true });
    const spki = await jose.exportSPKI(publicKey);
    const der = crypto.createPublicKey(spki).export({ type: 'spki', format: 'der' });
    const res = await get('/jwe/public-key', { id: NO_CERT });
    assertStatus(res, 200);
    keys = { privateKey, header: der.toString('base64'), server: await jose.importJWK(res.json.jwk, 'RSA-OAEP-256') };
    return keys;
}

export async function encrypt(obj) {
    const k = await jweKeys();
    return new jose.CompactEncrypt(new TextEncoder().encode(JSON.stringify(obj)))
        .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM' }).encrypt(k.server);
}

// The clear JSON of an encrypted answer {"payload": JWE}.
export async function decrypt(res) {
    const k = await jweKeys();
    assert.ok(res.json && typeof res.json.payload === 'string', `not an encrypted answer: ${show(res)}`);
    assert.deepEqual(Object.keys(res.json), ['payload'], show(res));
    const { plaintext, protectedHeader } = await jose.compactDecrypt(res.json.payload, k.privateKey);
    assert.equal(protectedHeader.enc, 'A256GCM');
    return JSON.parse(new TextDecoder().decode(plaintext));
}

// A J route: body encrypted (none when body is undefined), answer encrypted.
export async function jweSend(method, urlPath, body, opts = {}) {
    const k = await jweKeys();
    const headers = { 'Encrypted-Request': 'true', 'Public-Key': k.header, ...(opts.headers || {}) };
    const o = { ...opts, headers };
    if (body !== undefined) o.body = { payload: await encrypt(body) };
    return request(method, urlPath, o);
}
// An R route: clear request, answer encrypted.
export async function jweGet(urlPath, opts = {}) {
    const k = await jweKeys();
    return get(urlPath, { ...opts, headers: { 'Encrypt-Response': 'true', 'Public-Key': k.header, ...(opts.headers || {}) } });
}

// ---------------------------------------------------------------- customers with cards

// A customer of the demo partner who can log in: registered, KYC VERIFIED by the partner, a EUR
// balance; {id, token, auth (request options), balanceId, email, password}.
export async function cardCustomer() {
    const c = await registerCustomer();
    await verifyKyc(c.id);
    const token = await sessionToken(c);
    const auth = bearer(token);
    const b = await post('/customers/me/balances', { currency: 'EUR' }, auth);
    assertStatus(b, 201);
    return { ...c, token, auth, balanceId: b.json.id };
}

export const ME = '/customers/me/cards';

export async function createVirtual(cu, body = {}) {
    const res = await jweSend('POST', `/customers/me/balances/${cu.balanceId}/cards`, body, cu.auth);
    assertStatus(res, 201);
    return decrypt(res);
}

export const ADDRESS = { line1: '12 rue de la Paix', city: 'Paris', postal_code: '75002', country: 'FR' };

export async function orderPhysical(cu, body = { delivery_address: ADDRESS }) {
    const res = await jweSend('POST', `/customers/me/balances/${cu.balanceId}/cards/physical`, body, cu.auth);
    assertStatus(res, 201);
    return decrypt(res);
}

// Full data through the customer channel, recorded for the scan.
export async function fullData(cu, cardId) {
    const res = await jweGet(`${ME}/${cardId}/full-data`, cu.auth);
    assertStatus(res, 200);
    const d = await decrypt(res);
    seen('pan', d.pan);
    seen('cvc2', d.cvc2);
    return d;
}

// ---------------------------------------------------------------- processor (cards server)

// Another processor's certificate (tools/pki issue-processor), registered or not.
export function issueProcessor(name, { registered = true } = {}) {
    const prefix = path.join(tmp(), name);
    pki('issue-processor', name, prefix, ...(registered ? [] : ['--unregistered']));
    return identityFromFiles(`${prefix}.crt`, `${prefix}.key`);
}

export function processorPost(urlPath, body, id = PROCESSOR) {
    return request('POST', urlPath, { base: CARDS_URL, id, body });
}

export async function link(card, tracking = `TRK${crypto.randomBytes(5).toString('hex')}`) {
    const res = await processorPost('/processor/cards/link', { reference: card.reference, tracking_number: tracking });
    assertStatus(res, 200);
    return res.json;
}

// ---------------------------------------------------------------- checks

export function luhn(pan) {
    let sum = 0;
    for (let i = 0; i < pan.length; i++) {
        let d = Number(pan[pan.length - 1 - i]);
        if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
        sum += d;
    }
    return sum % 10 === 0;
}

// A refusal in the Antaca envelope with its code, never a 500.
export function assertRefused(res, status, code, what = '') {
    assert.equal(res.status, status, `${what}: ${show(res)}`);
    assert.equal(res.json && res.json.code, code, `${what}: ${show(res)}`);
}
