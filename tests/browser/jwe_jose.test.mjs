// JWE interoperability with jose, an independent JOSE implementation, both ways, through
// comptoir-jwe (tools/jwe.c, the library's own code): jose encrypts with RSA-OAEP-256 and RSA-OAEP
// (A256GCM) and our C decrypts; our C encrypts and jose decrypts. Then with the stack: jose
// encrypts to the JWK and to the PEM GET /jwe/public-key serves, and the pools' key file opens it.
//   cd tests/browser && npm ci && COMPTOIR_STACK_ENV=/path/stack.env COMPTOIR_BIN=$PWD/../../build/bin \
//       node --test jwe_jose.test.mjs
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as jose from 'jose';
import { ENV, NO_CERT, ROOT, get, show } from '../integration/lib/stack.mjs';

const TOOL = path.resolve(ROOT, process.env.COMPTOIR_BIN || 'build/bin', 'comptoir-jwe');
const DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'comptoir-jwe-'));
const PLAIN = JSON.stringify({ card_no: 1337, name: 'Zoë Åström', pin_block: '041234FFFFFFFFFF' });
const enc = new TextEncoder();
const dec = new TextDecoder();

// comptoir-jwe CMD --key FILE with input on stdin -> {status, out, err}
function tool(cmd, keyFile, input) {
    const r = spawnSync(TOOL, [cmd, '--key', keyFile], { input, maxBuffer: 1 << 24 });
    if (r.error) throw new Error(`${TOOL}: ${r.error.message}`);
    return { status: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}
function keyFile(name, text) {
    const f = path.join(DIR, name);
    fs.writeFileSync(f, text, { mode: 0o600 });
    return f;
}
function joseEncrypt(key, header, plain = PLAIN) {
    return new jose.CompactEncrypt(enc.encode(plain)).setProtectedHeader(header).encrypt(key);
}

// Our "server": an RSA key jose made, its private half in a PEM file for the C side.
let server;
before(async () => {
    assert.ok(fs.existsSync(TOOL), `${TOOL} not built`);
    const { publicKey, privateKey } = await jose.generateKeyPair('RSA-OAEP-256', { modulusLength: 3072, extractable: true });
    server = { spki: await jose.exportSPKI(publicKey), priv: keyFile('server.pem', await jose.exportPKCS8(privateKey)) };
});
after(() => fs.rmSync(DIR, { recursive: true, force: true }));

for (const alg of ['RSA-OAEP-256', 'RSA-OAEP']) {
    test(`jose encrypts ${alg} + A256GCM, our C decrypts`, async () => {
        const pub = await jose.importSPKI(server.spki, alg);
        for (const header of [{ alg, enc: 'A256GCM' }, { alg, enc: 'A256GCM', kid: 'k1', cty: 'application/json' }]) {
            const r = tool('decrypt', server.priv, await joseEncrypt(pub, header));
            assert.equal(r.status, 0, r.err);
            assert.equal(r.out, PLAIN);
        }
    });
}

test('what jose can make beyond our profile, our C refuses', async () => {
    const pub = await jose.importSPKI(server.spki, 'RSA-OAEP-256');
    for (const encName of ['A128GCM', 'A192GCM', 'A128CBC-HS256', 'A256CBC-HS512']) {
        const r = tool('decrypt', server.priv, await joseEncrypt(pub, { alg: 'RSA-OAEP-256', enc: encName }));
        assert.equal(r.status, 1, `${encName} accepted`);
        assert.match(r.err, /INVALID_PAYLOAD/);
    }
    const dir = await joseEncrypt(new Uint8Array(32), { alg: 'dir', enc: 'A256GCM' });
    assert.match(tool('decrypt', server.priv, dir).err, /INVALID_PAYLOAD/);
    // a tag that does not verify: every byte flipped in turn would be slow; one is enough here
    const good = await joseEncrypt(pub, { alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    const parts = good.split('.');
    const tag = Buffer.from(parts[4], 'base64url');
    tag[0] ^= 1;
    parts[4] = tag.toString('base64url');
    assert.match(tool('decrypt', server.priv, parts.join('.')).err, /CANT_DECRYPT_PAYLOAD/);
});

for (const bits of [2048, 4096]) {
    test(`our C encrypts to a ${bits}-bit key jose made (SPKI PEM and JWK), jose decrypts`, async () => {
        const { publicKey, privateKey } = await jose.generateKeyPair('RSA-OAEP-256', { modulusLength: bits, extractable: true });
        const files = [keyFile(`client${bits}.pem`, await jose.exportSPKI(publicKey)),
            keyFile(`client${bits}.jwk`, JSON.stringify(await jose.exportJWK(publicKey)))];
        for (const f of files) {
            const r = tool('encrypt', f, PLAIN);
            assert.equal(r.status, 0, r.err);
            const { plaintext, protectedHeader } = await jose.compactDecrypt(r.out.trim(), privateKey);
            assert.deepEqual(protectedHeader, { alg: 'RSA-OAEP-256', enc: 'A256GCM' });
            assert.equal(dec.decode(plaintext), PLAIN);
        }
    });
}

test('our C refuses to encrypt to a key under 2048 bits', () => {
    // (jose will not make one: node's crypto does)
    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
    const r = tool('encrypt', keyFile('small.pem', publicKey.export({ type: 'spki', format: 'pem' })), PLAIN);
    assert.equal(r.status, 2);
    assert.match(r.err, /no RSA key of 2048 to 8192 bits/);
});

test('jose encrypts to the key GET /jwe/public-key serves; the pools\' key file opens it', async () => {
    const res = await get('/jwe/public-key', { id: NO_CERT });
    assert.equal(res.status, 200, show(res));
    const viaJwk = await joseEncrypt(await jose.importJWK(res.json.jwk, 'RSA-OAEP-256'), { alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: res.json.jwk.kid });
    const viaPem = await joseEncrypt(await jose.importSPKI(res.json.pem, 'RSA-OAEP'), { alg: 'RSA-OAEP', enc: 'A256GCM' });
    for (const compact of [viaJwk, viaPem]) {
        const r = tool('decrypt', ENV.COMPTOIR_JWE_KEY, compact);
        assert.equal(r.status, 0, r.err);
        assert.equal(r.out, PLAIN);
    }
});
