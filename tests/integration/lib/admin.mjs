// admin.mjs - helpers for the admin channel's integration tests: operator logins (with the
// allowed Origin), requests with an operator session, a partner of a test's own with its own
// operators and origin (made with the platform operator's tool, tools/operator.c).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
    ENV, NO_CERT, frenchIban, issuePartner, lit, partnerIdOf, request, runTool, show, sql, sqlValue,
    sleep, tmp,
} from './stack.mjs';

export const ORIGIN = ENV.COMPTOIR_ADMIN_ORIGIN;
for (const k of ['COMPTOIR_ADMIN_ORIGIN', 'COMPTOIR_ADMIN_EMAIL', 'COMPTOIR_MANAGER_EMAIL', 'COMPTOIR_EMPLOYEE_EMAIL']) {
    if (!ENV[k]) throw new Error(`stack.env has no ${k}: the stack was started without comptoir-operator`);
}

// The demo partner's operators, one per role.
export const DEMO_OPERATORS = {
    ADMIN: { email: ENV.COMPTOIR_ADMIN_EMAIL, password: ENV.COMPTOIR_ADMIN_PASSWORD },
    MANAGER: { email: ENV.COMPTOIR_MANAGER_EMAIL, password: ENV.COMPTOIR_MANAGER_PASSWORD },
    EMPLOYEE: { email: ENV.COMPTOIR_EMPLOYEE_EMAIL, password: ENV.COMPTOIR_EMPLOYEE_PASSWORD },
};
export const ROLES = ['EMPLOYEE', 'MANAGER', 'ADMIN'];

// POST /admin/sessions, resent after nginx's per-address 429 TOO_MANY_REQUESTS (logins are rate
// limited per address); the account's own lock (429 TOO_MANY_ATTEMPTS) is answered as is.
export async function adminLogin(email, password, origin = ORIGIN) {
    const headers = origin === null ? {} : { Origin: origin };
    for (let attempt = 0; ; attempt++) {
        const r = await request('POST', '/admin/sessions', { id: NO_CERT, body: { email, password }, headers });
        if (r.status !== 429 || r.json?.code !== 'TOO_MANY_REQUESTS' || attempt >= 100) return r;
        await sleep(100 + crypto.randomInt(300));
    }
}

// A live session token of an operator {email, password}.
export async function adminToken(op, origin = ORIGIN) {
    const r = await adminLogin(op.email, op.password, origin);
    assert.equal(r.status, 201, `admin login of ${op.email}: ${show(r)}`);
    return r.json.session_token;
}

// A request with an operator session: opts.token, opts.origin (default the demo origin; null
// sends none), opts.body, opts.headers.
export function admin(method, urlPath, opts = {}) {
    const headers = { ...(opts.headers || {}) };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    const origin = 'origin' in opts ? opts.origin : ORIGIN;
    if (origin !== null) headers.Origin = origin;
    const o = { id: NO_CERT, headers, agent: opts.agent };
    if (opts.raw !== undefined) o.raw = opts.raw;
    else if (opts.body !== undefined) o.body = opts.body;
    return request(method, urlPath, o);
}

const operatorConf = () => path.join(ENV.COMPTOIR_STACK_DIR, 'conf', 'secure.conf');

// comptoir-operator CONF add ...: an operator of the partner with public id `pub`; answers
// {id, email, password}.
export function addOperator(pub, role, email = `${role.toLowerCase()}-${crypto.randomBytes(5).toString('hex')}@op.test`) {
    const password = `Pw-${crypto.randomBytes(9).toString('hex')}`;
    const file = path.join(tmp(), `${email}.pw`);
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
    const r = runTool('operator', [operatorConf(), 'add', '--partner', pub, '--email', email, '--role', role, '--password-file', file]);
    assert.equal(r.status, 0, `comptoir-operator add: ${r.stderr}`);
    return { id: /operator_id=(\S+)/.exec(r.stdout)[1], email, password };
}

export function addOrigin(pub, origin) {
    const r = runTool('operator', [operatorConf(), 'origins', pub, 'add', origin]);
    assert.equal(r.status, 0, `comptoir-operator origins add: ${r.stderr}`);
}

// A partner of the test's own: its certificate, row id, public id, a base IBAN in EUR, one
// operator per role, and its own admin origin (another than the demo partner's).
export function newAdminPartner(name) {
    const cert = issuePartner(`${name}-${crypto.randomBytes(4).toString('hex')}`);
    const pid = partnerIdOf(cert);
    const pub = sqlValue(`SELECT public_id FROM partner WHERE id = ${pid}`);
    const base = frenchIban(String(crypto.randomInt(10000, 100000)), String(crypto.randomInt(10000, 100000)), '00000000000');
    sql(`INSERT INTO base_iban (partner_id, currency, base_iban, prefix_len, bic) VALUES (${pid}, 'EUR', ${lit(base)}, 10, 'COMPFRPPXXX')`);
    const origin = `https://panel-${crypto.randomBytes(4).toString('hex')}.example`;
    addOrigin(pub, origin);
    const ops = {};
    for (const role of ROLES) ops[role] = addOperator(pub, role);
    return { cert, pid, pub, origin, ops };
}

// The audit rows of a request id: [{operator_id, partner_id, role, method, path, status, action, target}].
export function auditOf(requestId) {
    return sql(`SELECT IFNULL(operator_id, ''), IFNULL(partner_id, ''), IFNULL(role, ''), method, path, status,
                IFNULL(action, ''), IFNULL(target, '') FROM admin_audit WHERE request_id = ${lit(requestId)}`)
        .map(([operator_id, partner_id, role, method, p, status, action, target]) =>
            ({ operator_id, partner_id, role, method, path: p, status: Number(status), action, target }));
}
