// /secure/customers: create, read, update; validation (never a 500); unknown routes and methods.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import {
    assertEnvelope, assertErrorShape, assertStatus, assertValidation, checkAll, createCustomer, customerBody, get, isoMicros, post,
    put, request, show, sqlValue,
} from './lib/stack.mjs';

const FIELDS = ['email', 'phone', 'first_name', 'last_name', 'country', 'birth_date'];
const customerCount = () => Number(sqlValue('SELECT COUNT(*) FROM customer'));

function assertCustomer(c, sent) {
    assert.equal(typeof c.id, 'string');
    assert.ok(c.id.length > 0);
    for (const f of FIELDS) assert.equal(c[f], sent[f], `field ${f}`);
    assert.equal(c.kyc_status, 'NONE');
    isoMicros(c.created_at);
}

test('POST creates a customer (201) and GET answers the same object', async () => {
    const body = customerBody();
    const res = await post('/secure/customers', body);
    assertStatus(res, 201);
    assertCustomer(res.json, body);
    const t = isoMicros(res.json.created_at), now = BigInt(Date.now()) * 1000n;
    assert.ok(t > now - 600_000_000n && t < now + 600_000_000n, `created_at ${res.json.created_at} is not now`);
    const g = await get(`/secure/customers/${res.json.id}`);
    assertStatus(g, 200);
    assertCustomer(g.json, body);
    assert.equal(g.json.id, res.json.id);
    assert.equal(g.json.created_at, res.json.created_at);
});

test('two customers get distinct ids', async () => {
    const [a, b] = await Promise.all([createCustomer(), createCustomer()]);
    assert.notEqual(a.id, b.id);
});

test('the same email twice for one partner: 409 CUSTOMER_EXISTS', async () => {
    const c = await createCustomer();
    const before = customerCount();
    assertEnvelope(await post('/secure/customers', customerBody({ email: c.email, first_name: 'Other' })), 409, 'CUSTOMER_EXISTS');
    assert.equal(customerCount(), before);
});

test('the same new email sent 10 times at once: one 201, the rest 409', async () => {
    const body = customerBody();
    const all = await Promise.all(Array.from({ length: 10 }, () => post('/secure/customers', body)));
    const by = all.map((r) => r.status).sort();
    assert.deepEqual(by, [201, ...Array(9).fill(409)], `statuses ${by}: ${all.filter((r) => r.status !== 201 && r.status !== 409).map(show)}`);
    for (const r of all.filter((x) => x.status === 409)) assertEnvelope(r, 409, 'CUSTOMER_EXISTS');
});

// ---------------------------------------------------------------- validation on POST

test('POST validation: each field missing, and all of them missing, named in errors[]', async () => {
    const before = customerCount();
    await checkAll(FIELDS, async (f) => {
        const body = customerBody();
        delete body[f];
        assertValidation(await post('/secure/customers', body), f, `POST without ${f}`);
    });
    assertValidation(await post('/secure/customers', {}), FIELDS, 'POST {}');
    assert.equal(customerCount(), before);
});

test('POST validation: wrong JSON types for each field', async () => {
    const before = customerCount();
    await checkAll(FIELDS.flatMap((f) => [12345, null, true, ['x'], { v: 'x' }].map((v) => [f, v])), async ([f, v]) => {
        assertValidation(await post('/secure/customers', customerBody({ [f]: v })), f, `POST ${f}=${JSON.stringify(v)}`);
    });
    assert.equal(customerCount(), before);
});

test('POST validation: bad values (country, birth date, email, empty and over-long text)', async () => {
    const before = customerCount();
    const cases = {
        country: ['FRA', 'F', '', '12', 'F1', 'AA', 'XX'],
        birth_date: ['2021-02-29', '2020-02-30', '1990-13-01', '1990-00-10', '1990-1-1', '17/05/1990', '1990/05/17',
            'not-a-date', '', '1990-05-17T00:00:00Z', '99999-01-01'],
        email: ['plainaddress', 'a@', '@example.com', '', 'a b@example.com', `${'x'.repeat(250)}@example.com`],
        first_name: ['', 'x'.repeat(101)],
        last_name: ['', 'x'.repeat(101)],
        phone: ['', '+3361234567890123456789', 'x'.repeat(300)],
    };
    await checkAll(Object.entries(cases).flatMap(([f, values]) => values.map((v) => [f, v])), async ([f, v]) => {
        assertValidation(await post('/secure/customers', customerBody({ [f]: v })), f, `POST ${f}=${JSON.stringify(v).slice(0, 40)}`);
    });
    assert.equal(customerCount(), before);
});

test('POST validation: unknown or server-owned fields are refused with that field', async () => {
    const before = customerCount();
    await checkAll([['nickname', 'x'], ['kyc_status', 'VERIFIED'], ['id', crypto.randomUUID()],
        ['partner_id', 1], ['created_at', '2020-01-01T00:00:00Z']], async ([f, v]) => {
        assertValidation(await post('/secure/customers', customerBody({ [f]: v })), f, `POST ${f}=${JSON.stringify(v)}`);
    });
    assert.equal(customerCount(), before);
});

const BAD_JSON = ['{', '{"email":}', "{'email':'a@b.c'}", '{"email":"a@b.c"} trailing', '{"email":"a@b.c",}', '', ' ',
    '{"email":"\\x41"}', '[' .repeat(50000)];
const NOT_OBJECT = ['[]', '[{"email":"a@b.c"}]', '"text"', '42', 'null', 'true'];

async function checkBodies(method, path) {
    // Invalid UTF-8 inside a string: a client mistake, so 4xx in the envelope.
    const badUtf8 = Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    await checkAll([...BAD_JSON.map((raw) => ['bad', raw]), ...NOT_OBJECT.map((raw) => ['notobj', raw]), ['utf8', badUtf8]],
        async ([kind, raw]) => {
            const res = await request(method, path, { raw });
            const what = `${method} body ${JSON.stringify(raw.toString().slice(0, 30))}`;
            if (kind === 'bad') assertEnvelope(res, 400, ['BAD_REQUEST', 'INVALID_JSON'], what);
            else if (kind === 'notobj') assertEnvelope(res, 400, undefined, what);
            else {
                assert.ok(res.status >= 400 && res.status < 500, `${what}: ${show(res)}`);
                assertEnvelope(res, res.status, undefined, what);
            }
        });
}

test('POST: bad JSON 400, JSON that is not an object 400, invalid UTF-8 4xx', async () => {
    const before = customerCount();
    await checkBodies('POST', '/secure/customers');
    assert.equal(customerCount(), before);
});

test('POST: a body over 64 KiB is 413 in the envelope (with Content-Length and chunked); 64 KiB is not', async () => {
    const before = customerCount();
    const sized = (n) => {
        const head = JSON.stringify(customerBody()).slice(0, -1) + ',"pad":"';
        const s = head + 'x'.repeat(n - head.length - 2) + '"}';
        assert.equal(Buffer.byteLength(s), n);
        return s;
    };
    await checkAll([[65537, false], [70000, true], [1 << 20, false], [65536, false]], async ([n, chunked]) => {
        const res = await request('POST', '/secure/customers', { raw: sized(n), chunked });
        const what = `${n} bytes${chunked ? ' chunked' : ''}`;
        if (n > 65536) assertErrorShape(res, 413, undefined, what);
        else assertValidation(res, 'pad', what);
    });
    assert.equal(customerCount(), before);
});

test('a 413 carries the whole envelope, request_id included', async () => {
    const raw = JSON.stringify({ ...customerBody(), pad: 'x'.repeat(70000) });
    assertEnvelope(await request('POST', '/secure/customers', { raw }), 413);
});

// ---------------------------------------------------------------- GET and PUT

test('PUT updates any subset of the fields; GET shows the change', async () => {
    const c = await createCustomer();
    let r = await put(`/secure/customers/${c.id}`, { first_name: 'Grace' });
    assertStatus(r, 200);
    const want = { ...c, first_name: 'Grace' };
    assertCustomer(r.json, want);
    assert.equal(r.json.id, c.id);

    const more = { last_name: 'Hopper', country: 'PL', birth_date: '1985-12-31', phone: '+48123456789', email: `u${Date.now()}${crypto.randomInt(1e9)}@example.org` };
    r = await put(`/secure/customers/${c.id}`, more);
    assertStatus(r, 200);
    Object.assign(want, more);
    assertCustomer(r.json, want);

    const g = await get(`/secure/customers/${c.id}`);
    assertStatus(g, 200);
    assertCustomer(g.json, want);
    assert.equal(g.json.created_at, c.created_at);
    // The old email is free again, the new one is taken.
    assertStatus(await post('/secure/customers', customerBody({ email: c.email })), 201);
    assertEnvelope(await post('/secure/customers', customerBody({ email: more.email })), 409, 'CUSTOMER_EXISTS');
});

test('PUT validation: bad values, wrong types, unknown and server-owned fields; nothing changes', async () => {
    const c = await createCustomer();
    const other = await createCustomer();
    const p = `/secure/customers/${c.id}`;
    await checkAll([['country', 'FRA'], ['birth_date', '2020-02-30'], ['email', 'nope'], ['first_name', 5],
        ['last_name', null], ['phone', ['x']], ['first_name', ''], ['last_name', 'x'.repeat(101)],
        ['kyc_status', 'VERIFIED'], ['nickname', 'x'], ['id', crypto.randomUUID()]], async ([f, v]) => {
        assertValidation(await put(p, { [f]: v }), f, `PUT ${f}=${JSON.stringify(v)}`);
    });
    assertEnvelope(await put(p, { email: other.email }), 409, 'CUSTOMER_EXISTS');
    const g = await get(p);
    assertStatus(g, 200);
    assertCustomer(g.json, c);
});

test('PUT: bad JSON 400, JSON that is not an object 400, invalid UTF-8 4xx; nothing changes', async () => {
    const c = await createCustomer();
    const p = `/secure/customers/${c.id}`;
    await checkBodies('PUT', p);
    const g = await get(p);
    assertStatus(g, 200);
    assertCustomer(g.json, c);
});

test('GET and PUT of an unknown customer: 404 NOT_FOUND', async () => {
    await checkAll([crypto.randomUUID(), 'nope', '0', '-1', 'x'.repeat(300), "1'%20OR%20'1'%3D'1"], async (id) => {
        assertEnvelope(await get(`/secure/customers/${id}`), 404, 'NOT_FOUND', `GET ${id.slice(0, 40)}`);
        assertEnvelope(await put(`/secure/customers/${id}`, { first_name: 'X' }), 404, 'NOT_FOUND', `PUT ${id.slice(0, 40)}`);
    });
});

// ---------------------------------------------------------------- routes

test('unknown routes: 404 JSON envelope', async () => {
    const c = await createCustomer();
    for (const p of ['/secure/no-such-route', '/secure/customers/' + c.id + '/nope', '/secure/customers/' + c.id + '/balances/x/y/z',
        '/secure/balances', '/secure/balances/x', '/secure/ibans/x']) {
        assertEnvelope(await get(p), 404);
    }
});

test('a wrong method on a known path: 405 with an Allow header', async () => {
    const c = await createCustomer();
    const cases = [
        ['DELETE', '/secure/customers', ['POST']],
        ['PATCH', '/secure/customers', ['POST']],
        ['DELETE', `/secure/customers/${c.id}`, ['GET', 'PUT']],
        ['POST', `/secure/customers/${c.id}`, ['GET', 'PUT']],
        ['DELETE', `/secure/customers/${c.id}/balances`, ['GET', 'POST']],
        ['GET', `/secure/customers/${c.id}/balances/${crypto.randomUUID()}/reload`, ['POST']],
        ['POST', '/secure/ibans', ['GET']],
        ['DELETE', `/secure/balances/${crypto.randomUUID()}/iban`, ['GET']],
    ];
    for (const [m, p, allow] of cases) {
        const res = await request(m, p, m === 'GET' || m === 'DELETE' ? {} : { body: {} });
        assertEnvelope(res, 405);
        const got = String(res.headers.allow || '').split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
        for (const a of allow) assert.ok(got.includes(a), `${m} ${p}: Allow "${res.headers.allow}" lacks ${a}`);
        assert.ok(!got.includes(m), `${m} ${p}: Allow lists the refused method`);
    }
});
