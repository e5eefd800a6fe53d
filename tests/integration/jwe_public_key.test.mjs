// GET /jwe/public-key over HTTPS: public (no client certificate), the same RSA key as PEM and as
// JWK, the kid its RFC 7638 thumbprint, and the key the stack's pools decrypt with. jose encrypting
// to it is tests/browser/jwe_jose.test.mjs (jose is installed there).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { before, test } from 'node:test';
import { DEMO, ENV, NO_CERT, assertEnvelope, get, post, show } from './lib/stack.mjs';

let res;
before(async () => {
    res = await get('/jwe/public-key', { id: NO_CERT });
});

test('GET /jwe/public-key answers without a client certificate', () => {
    assert.equal(res.status, 200, show(res));
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(res.json).sort(), ['jwk', 'pem']);
});

test('the PEM and the JWK are the same 3072-bit RSA key', () => {
    const fromPem = crypto.createPublicKey(res.json.pem);
    const fromJwk = crypto.createPublicKey({ key: res.json.jwk, format: 'jwk' });
    assert.equal(fromPem.asymmetricKeyType, 'rsa');
    assert.equal(fromPem.asymmetricKeyDetails.modulusLength, 3072);
    assert.ok(fromPem.equals(fromJwk), 'PEM and JWK differ');
    assert.match(res.json.pem, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
});

test('the JWK says what to do with it, and its kid is its RFC 7638 thumbprint', () => {
    const { kty, kid, use, alg, n, e } = res.json.jwk;
    assert.equal(kty, 'RSA');
    assert.equal(use, 'enc');
    assert.equal(alg, 'RSA-OAEP-256');
    assert.equal(res.json.jwk.d, undefined, 'private member in the JWK');
    const thumbprint = crypto.createHash('sha256').update(JSON.stringify({ e, kty, n })).digest('base64url');
    assert.equal(kid, thumbprint);
});

test('it is the public half of the key file the pools are configured with', () => {
    const priv = crypto.createPrivateKey(fs.readFileSync(ENV.COMPTOIR_JWE_KEY));
    assert.ok(crypto.createPublicKey(priv).equals(crypto.createPublicKey(res.json.pem)));
    assert.equal(fs.statSync(ENV.COMPTOIR_JWE_KEY).mode & 0o077, 0, 'the key file is readable by others');
});

test('a partner certificate changes nothing; other methods are 405', async () => {
    const withCert = await get('/jwe/public-key', { id: DEMO });
    assert.equal(withCert.status, 200, show(withCert));
    assert.deepEqual(withCert.json, res.json);
    const posted = await post('/jwe/public-key', {}, { id: NO_CERT });
    assertEnvelope(posted, 405, 'METHOD_NOT_ALLOWED');
    assert.equal(posted.headers.allow, 'GET');
});
