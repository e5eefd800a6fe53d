// Documents: multipart uploads (POST /documents, POST /documents/{id}), download by the owner only,
// delete; files attached to operations (/operations/{id}/document, /operations/{id}/bill). Files
// are stored under generated names, sniffed (PDF, PNG, JPEG only, as declared) and capped at 10 MiB.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    DEMO, ENV, createBalance, createCustomer, verifiedCustomer, download, get, lit, mintAccessToken, multipart, partnerIdOf,
    reload, show, sql, sqlValue,
} from './lib/stack.mjs';

const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), crypto.randomBytes(64)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), crypto.randomBytes(64)]);
const FILES = path.join(ENV.COMPTOIR_STACK_DIR, 'files', 'documents');

let PID, owner, other, token, otherToken, posting;

function upload(urlPath, tok, parts, extraHeaders = {}) {
    const m = multipart(parts);
    return download('POST', urlPath, { id: null, raw: m.body,
        headers: { Authorization: `Bearer ${tok}`, 'Content-Type': m.contentType, ...extraHeaders } });
}
const auth = (tok) => ({ id: null, headers: { Authorization: `Bearer ${tok}` } });
const fileOf = (id) => path.join(FILES, sqlValue(`SELECT storage_name FROM document WHERE id = ${Number(id)}`));

before(async () => {
    PID = partnerIdOf(DEMO);
    owner = await verifiedCustomer();
    other = await createCustomer();
    const b = await createBalance(owner.id, 'EUR');
    const r = await reload(owner.id, b.id, '"12.00"', { description: 'Achat fournitures' });
    assert.equal(r.status, 201, show(r));
    const account = Number(sqlValue(`SELECT account_id FROM balance WHERE id = ${lit(b.id)}`));
    posting = Number(sqlValue(`SELECT MAX(id) FROM ledger_posting WHERE account_id = ${account}`));
    token = mintAccessToken(owner.id, PID);
    otherToken = mintAccessToken(other.id, PID);
});

test('POST /documents stores a PDF; its owner downloads the same bytes, others get 404', async () => {
    const r = await upload('/documents?type=document', token, [{ name: 'file', filename: 'facture mars.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(r.status, 200, r.text);
    const d = r.json;
    assert.equal(typeof d.id, 'number');
    assert.equal(d.filename, 'facture mars.pdf');
    assert.equal(d.mime_type, 'application/pdf');
    assert.equal(d.url, `/documents/${d.id}`);
    assert.equal(typeof d.updated_at, 'number');
    assert.equal(sqlValue(`SELECT sha256 FROM document WHERE id = ${d.id}`), crypto.createHash('sha256').update(PDF).digest('hex'));
    const g = await download('GET', d.url, auth(token));
    assert.equal(g.status, 200);
    assert.equal(g.headers['content-type'], 'application/pdf');
    assert.equal(g.headers['content-disposition'], 'attachment; filename="facture mars.pdf"');
    assert.ok(g.body.equals(PDF));
    for (const t of [otherToken]) {
        const o = await get(d.url, auth(t));
        assert.equal(o.status, 404, show(o));
        assert.equal(o.json.type, 'yii\\web\\NotFoundHttpException');
        assert.equal((await download('DELETE', d.url, auth(t))).status, 404);
        assert.equal((await upload(d.url, t, [{ name: 'file', filename: 'x.png', type: 'image/png', data: PNG }])).status, 404);
    }
    assert.equal((await get('/documents/999999999', auth(token))).status, 404);
});

test('a path in the filename is only metadata: the file is stored under a generated name', async () => {
    const before = new Set(fs.readdirSync(FILES));
    const r = await upload('/documents', token, [{ name: 'file', filename: '../../../../tmp/evil\\..\\x.png', type: 'image/png', data: PNG }]);
    assert.equal(r.status, 200, r.text);
    // only metadata: no directory part, no leading dot (a quoted-string backslash escapes)
    assert.match(r.json.filename, /^[^./\\][^/\\]*x\.png$/);
    const name = sqlValue(`SELECT storage_name FROM document WHERE id = ${r.json.id}`);
    assert.match(name, /^[0-9a-f-]{36}$/);
    const added = fs.readdirSync(FILES).filter((f) => !before.has(f));
    assert.deepEqual(added, [name]);
    assert.ok(fs.readFileSync(path.join(FILES, name)).equals(PNG));
    const dotted = await upload('/documents', token, [{ name: 'file', filename: '..', type: 'image/jpeg', data: JPEG }]);
    assert.equal(dotted.status, 200, dotted.text);
    assert.equal(dotted.json.filename, 'document.jpg');
});

test('content is sniffed: unsupported or mismatching types are refused (422), not multipart 415', async () => {
    const cases = [
        [{ name: 'file', filename: 'a.pdf', type: 'application/pdf', data: PNG }, 'PNG declared as PDF'],
        [{ name: 'file', filename: 'a.gif', type: 'image/gif', data: Buffer.from('GIF89a....') }, 'GIF'],
        [{ name: 'file', filename: 'a.pdf', data: PDF }, 'no declared type'],
        [{ name: 'file', filename: 'a.html', type: 'text/html', data: Buffer.from('<script>x</script>') }, 'HTML'],
        [{ name: 'other', filename: 'a.pdf', type: 'application/pdf', data: PDF }, 'no file part'],
    ];
    for (const [part, what] of cases) {
        const r = await upload('/documents', token, [part]);
        assert.equal(r.status, 422, `${what}: ${r.text}`);
        assert.ok(Array.isArray(r.json), `${what}: 422 is the bare field array: ${r.text}`);
    }
    const json = await download('POST', '/documents', { id: null, raw: '{"file":"x"}',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    assert.equal(json.status, 415, json.text);
    const broken = await download('POST', '/documents', { id: null, raw: 'garbage',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'multipart/form-data; boundary=abc' } });
    assert.equal(broken.status, 400, broken.text);
});

test('files over 10 MiB are refused with 413', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 1, 0x20);
    PDF.copy(big);
    const r = await upload('/documents', token, [{ name: 'file', filename: 'big.pdf', type: 'application/pdf', data: big }]);
    assert.equal(r.status, 413, r.text.slice(0, 200));
    const huge = Buffer.alloc(12 * 1024 * 1024, 0x20); // past nginx's limit for these routes
    PDF.copy(huge);
    const h = await upload('/documents', token, [{ name: 'file', filename: 'huge.pdf', type: 'application/pdf', data: huge }]);
    assert.equal(h.status, 413, h.text.slice(0, 200));
    const ok = Buffer.alloc(10 * 1024 * 1024, 0x20); // exactly 10 MiB is accepted
    PDF.copy(ok);
    const o = await upload('/documents', token, [{ name: 'file', filename: 'ten.pdf', type: 'application/pdf', data: ok }]);
    assert.equal(o.status, 200, o.text.slice(0, 200));
    assert.equal((await download('DELETE', `/documents/${o.json.id}`, auth(token))).status, 204);
});

test('POST /documents/{id} replaces the file, DELETE removes row and file', async () => {
    const r = await upload('/documents', token, [{ name: 'file', filename: 'v1.pdf', type: 'application/pdf', data: PDF }]);
    const id = r.json.id;
    const oldFile = fileOf(id);
    const u = await upload(`/documents/${id}`, token, [{ name: 'file', filename: 'v2.png', type: 'image/png', data: PNG }]);
    assert.equal(u.status, 200, u.text);
    assert.equal(u.json.id, id);
    assert.equal(u.json.filename, 'v2.png');
    assert.equal(u.json.mime_type, 'image/png');
    assert.ok(!fs.existsSync(oldFile), 'the replaced file is still on disk');
    const g = await download('GET', `/documents/${id}`, auth(token));
    assert.ok(g.body.equals(PNG));
    const newFile = fileOf(id);
    const d = await download('DELETE', `/documents/${id}`, auth(token));
    assert.equal(d.status, 204);
    assert.ok(!fs.existsSync(newFile));
    assert.equal((await get(`/documents/${id}`, auth(token))).status, 404);
});

test('a document attached to an operation: upload, download, replace, delete; bill absent', async () => {
    const url = `/operations/${posting}/document`;
    assert.equal((await get(url, auth(token))).status, 404);
    const r = await upload(url, token, [{ name: 'file', filename: 'ticket.jpg', type: 'image/jpeg', data: JPEG }]);
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.url, url);
    const g = await download('GET', url, auth(token));
    assert.equal(g.status, 200);
    assert.equal(g.headers['content-type'], 'image/jpeg');
    assert.ok(g.body.equals(JPEG));
    const op = await get(`/operations/${posting}`, auth(token));
    if (op.status === 200 && op.json.document) assert.equal(op.json.document.filename, 'ticket.jpg');
    // another attachment replaces the first (one document per operation)
    const first = r.json.id;
    const r2 = await upload(url, token, [{ name: 'file', filename: 'facture.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(r2.status, 201, r2.text);
    assert.equal(sqlValue(`SELECT COUNT(*) FROM document WHERE id = ${first}`), '0');
    assert.ok((await download('GET', url, auth(token))).body.equals(PDF));
    // other customers, unknown operations and types, the bill
    assert.equal((await get(url, auth(otherToken))).status, 404);
    assert.equal((await upload(url, otherToken, [{ name: 'file', filename: 'x.pdf', type: 'application/pdf', data: PDF }])).status, 404);
    assert.equal((await download('DELETE', url, auth(otherToken))).status, 404);
    assert.equal((await get(`/operations/999999999/document`, auth(token))).status, 404);
    assert.equal((await get(`/operations/${posting}/invoice`, auth(token))).status, 404);
    const bill = await get(`/operations/${posting}/bill`, auth(token));
    assert.equal(bill.status, 404, show(bill));
    assert.equal(bill.json.type, 'yii\\web\\NotFoundHttpException');
    assert.equal((await upload(`/operations/${posting}/bill`, token, [{ name: 'file', filename: 'x.pdf', type: 'application/pdf', data: PDF }])).status, 404);
    const d = await download('DELETE', url, auth(token));
    assert.equal(d.status, 204);
    assert.equal((await get(url, auth(token))).status, 404);
    assert.equal((await download('DELETE', url, auth(token))).status, 404);
});

test('a declared third party sees an operation\'s document but cannot remove the owner\'s (403)', async () => {
    const url = `/operations/${posting}/document`;
    const account = Number(sqlValue(`SELECT account_id FROM ledger_posting WHERE id = ${posting}`));
    const r = await upload(url, token, [{ name: 'file', filename: 'recu.pdf', type: 'application/pdf', data: PDF }]);
    assert.equal(r.status, 201, r.text);
    const declare = await download('POST', `/accounts/${account}/third-parties`, {
        id: null, raw: Buffer.from(JSON.stringify({ email: other.email })),
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    assert.ok([200, 201].includes(declare.status), declare.text);
    assert.equal((await download('GET', url, auth(otherToken))).status, 200);
    const refused = await download('DELETE', url, auth(otherToken));
    assert.equal(refused.status, 403, refused.text);
    assert.equal(refused.json.type, 'yii\\web\\ForbiddenHttpException');
    assert.ok((await download('GET', url, auth(token))).body.equals(PDF));
    assert.equal((await download('DELETE', url, auth(token))).status, 204);
    sql(`DELETE FROM balance_third_party WHERE customer_id = ${lit(other.id)}`);
});
