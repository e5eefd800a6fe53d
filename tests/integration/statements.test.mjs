// Monthly statements: comptoir-statements makes them (idempotent); GET /statements lists them
// (year filter, pagination); /statements/{id}/document is the PDF, several ids a ZIP of PDFs,
// ?format=camt053 the ISO 20022 camt.053.001.08 that validates against the XSD. Only the
// account's owner and its declared third parties see them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import {
    DEMO, ENV, ROOT, createBalance, createCustomer, verifiedCustomer, download, get, ibanFormatted, lit, mintAccessToken,
    pagination, partnerIdOf, pdfText, reload, runTool, show, sql, sqlValue, tmp, uniq,
} from './lib/stack.mjs';

const XSD = path.join(ROOT, '..', 'shared', 'iso20022', 'xsd', 'camt.053.001.08.xsd');
const CONF = path.join(ENV.COMPTOIR_STACK_DIR, 'conf', 'banking.conf');
const auth = (token) => ({ id: null, headers: { Authorization: `Bearer ${token}` } });

let PID, owner, other, balance, account, token, otherToken;
let ids = {}; // month -> statement id
// a year far in the past, unique per run, so the year filter sees only this test's statements
const YEAR = 2001 + (Date.now() % 20);

function tool(...args) {
    return runTool('statements', [CONF, ...args]);
}

before(async () => {
    PID = partnerIdOf(DEMO);
    owner = await verifiedCustomer(DEMO, { first_name: 'Émile', last_name: 'Zola' });
    other = await createCustomer(DEMO);
    balance = await createBalance(owner.id, 'EUR');
    account = Number(sqlValue(`SELECT account_id FROM balance WHERE id = ${lit(balance.id)}`));
    // three credits, then moved into January and February of YEAR (in posting order, so the
    // running balances stay in booking order)
    for (const [amt, label] of [['100.00', 'Salaire janvier'], ['25.50', 'Remboursement'], ['10.05', 'Virement reçu']]) {
        const r = await reload(owner.id, balance.id, JSON.stringify(amt), { description: label });
        assert.equal(r.status, 201, show(r));
    }
    const posts = sql(`SELECT id FROM ledger_posting WHERE account_id = ${account} ORDER BY id`).map((r) => r[0]);
    assert.equal(posts.length, 3);
    const when = [`${YEAR}-01-20 10:00:00`, `${YEAR}-02-03 09:00:00`, `${YEAR}-02-28 23:59:59.999999`];
    posts.forEach((p, i) => sql(`UPDATE ledger_posting SET booked_at = '${when[i]}' WHERE id = ${Number(p)}`));
    sql(`UPDATE balance SET created_at = '${YEAR}-01-01 00:00:00' WHERE id = ${lit(balance.id)}`);
    token = mintAccessToken(owner.id, PID);
    otherToken = mintAccessToken(other.id, PID);
});

test('comptoir-statements makes one statement per account and month, idempotently', () => {
    for (const m of ['01', '02', '03']) {
        const r = tool('--month', `${YEAR}-${m}`, '--account', balance.id);
        assert.equal(r.status, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /created statement (\d+)/);
        ids[m] = Number(/created statement (\d+)/.exec(r.stdout)[1]);
    }
    const again = tool('--month', `${YEAR}-02`, '--account', balance.id);
    assert.equal(again.status, 0, again.stdout + again.stderr);
    assert.match(again.stdout, new RegExp(`exists +statement ${ids['02']} `));
    // of YEAR: the scheduler may meanwhile make last month's for this balance (it is dated YEAR-01)
    assert.equal(sqlValue(`SELECT COUNT(*) FROM statement WHERE balance_id = ${lit(balance.id)} AND year = ${YEAR}`), '3');
    // opening + movements = closing, to the cent, with the known answers
    const rows = sql(`SELECT month, opening_balance, total_credit, total_debit, closing_balance
                      FROM statement WHERE balance_id = ${lit(balance.id)} AND year = ${YEAR} ORDER BY month`);
    assert.deepEqual(rows, [['1', '0', '10000', '0', '10000'], ['2', '10000', '3555', '0', '13555'],
        ['3', '13555', '0', '0', '13555']]);
    // a month that has not ended is refused
    const now = new Date();
    const cur = tool('--month', `${now.getUTCFullYear()}-${String(now.getUTCMonth() + 1).padStart(2, '0')}`);
    assert.equal(cur.status, 2, cur.stdout + cur.stderr);
    assert.equal(tool('--month', '2020-13').status, 2);
});

test('GET /statements lists the customer\'s statements with eom_balance in currency units', async () => {
    const r = await get(`/statements?year=${YEAR}`, auth(token));
    assert.equal(r.status, 200, show(r));
    const p = pagination(r);
    assert.equal(p.total, 3);
    assert.equal(p.perPage, 50);
    assert.deepEqual(r.json.map((s) => [s.year, s.month]), [[YEAR, 3], [YEAR, 2], [YEAR, 1]]);
    const feb = r.json.find((s) => s.month === 2);
    assert.equal(feb.id, ids['02']);
    assert.ok(/"eom_balance":135\.55[,}]/.test(r.text), `eom_balance not written as 135.55: ${r.text}`);
    assert.equal(feb.eom_balance, 135.55);
    assert.equal(feb.document_url, `/statements/${feb.id}/document`);
    assert.equal(feb.document.url, feb.document_url);
    assert.equal(feb.document.mime_type, 'application/pdf');
    assert.equal(typeof feb.document.updated_at, 'number');
    assert.match(feb.document.filename, /^statement-\d{4}-02-\d+\.pdf$/);
    const none = await get(`/statements?year=${YEAR - 1}`, auth(token));
    assert.equal(none.status, 200);
    assert.deepEqual(none.json, []);
    const bad = await get('/statements?year=abc', auth(token));
    assert.equal(bad.status, 422, show(bad));
    const page2 = await get(`/statements?year=${YEAR}&page=2&per_page=2`, auth(token));
    assert.equal(page2.json.length, 1);
    assert.equal(pagination(page2).pages, 2);
});

test('the statement PDF shows the bank, holder, IBAN, every operation and both balances', async () => {
    const r = await download('GET', `/statements/${ids['02']}/document`, auth(token));
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.headers['content-type'], 'application/pdf');
    assert.match(r.headers['content-disposition'], /^attachment; filename="statement-\d{4}-02-\d+\.pdf"$/);
    assert.equal(r.body.subarray(0, 5).toString(), '%PDF-');
    const text = pdfText(r.body);
    for (const want of ['Demo Partner', 'Émile Zola', ibanFormatted(balance.iban), 'Opening balance', '100.00 EUR',
        'Remboursement', '25.50 EUR', 'Virement reçu', '10.05 EUR', 'Closing balance', '135.55 EUR']) {
        assert.ok(text.includes(want), `PDF text lacks ${want}:\n${text}`);
    }
    assert.ok(!text.includes('Salaire janvier'), 'a January operation is on the February statement');
    const sha = sqlValue(`SELECT pdf_sha256 FROM statement WHERE id = ${ids['02']}`);
    assert.equal(sha, (await import('node:crypto')).createHash('sha256').update(r.body).digest('hex'));
});

test('?format=camt053 answers camt.053.001.08 XML that validates against the ISO XSD', async () => {
    const r = await download('GET', `/statements/${ids['02']}/document?format=camt053`, auth(token));
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.headers['content-type'], 'application/xml');
    assert.ok(r.text.includes('urn:iso:std:iso:20022:tech:xsd:camt.053.001.08'));
    assert.ok(r.text.includes(`<IBAN>${balance.iban}</IBAN>`));
    assert.ok(r.text.includes('<Amt Ccy="EUR">135.55</Amt>'));
    assert.ok(r.text.includes('<NbOfNtries>2</NbOfNtries>'));
    const f = path.join(tmp(), `${uniq('camt')}.xml`);
    fs.writeFileSync(f, r.body);
    if (fs.existsSync(XSD)) {
        const v = spawnSync('xmllint', ['--noout', '--nonet', '--schema', XSD, f], { encoding: 'utf8' });
        assert.equal(v.status, 0, v.stderr);
    }
    const bad = await get(`/statements/${ids['02']}/document?format=mt940`, auth(token));
    assert.equal(bad.status, 422, show(bad));
});

test('several ids answer a ZIP holding every PDF', async () => {
    const list = `${ids['01']},${ids['02']},${ids['03']}`;
    const r = await download('GET', `/statements/${list}/document`, auth(token));
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.headers['content-type'], 'application/zip');
    const f = path.join(tmp(), `${uniq('stmts')}.zip`);
    fs.writeFileSync(f, r.body);
    const t = spawnSync('unzip', ['-t', f], { encoding: 'utf8' });
    assert.equal(t.status, 0, t.stdout + t.stderr);
    const l = spawnSync('unzip', ['-l', f], { encoding: 'utf8' });
    for (const id of Object.values(ids)) assert.match(l.stdout, new RegExp(`statement-\\d{4}-\\d{2}-${id}\\.pdf`));
    const x = spawnSync('unzip', ['-p', f, `statement-${YEAR}-02-${ids['02']}.pdf`]);
    assert.equal(x.stdout.subarray(0, 5).toString(), '%PDF-');
    const camt = await download('GET', `/statements/${list}/document?format=camt053`, auth(token));
    assert.equal(camt.status, 200);
    assert.equal(camt.headers['content-type'], 'application/zip');
});

test('other customers get 404 NotFoundHttpException; a declared third party sees the statements', async () => {
    for (const p of [`/statements/${ids['02']}/document`, `/statements/${ids['01']},${ids['02']}/document`,
        '/statements/999999999/document', '/statements/1,,2/document', '/statements/-1/document']) {
        const r = await get(p, auth(otherToken));
        assert.equal(r.status, 404, `${p}: ${show(r)}`);
        assert.equal(r.json.type, 'yii\\web\\NotFoundHttpException', show(r));
    }
    const l = await get(`/statements?year=${YEAR}`, auth(otherToken));
    assert.deepEqual(l.json, []);
    sql(`INSERT INTO balance_third_party (balance_id, customer_id, granted_by)
         VALUES (${lit(balance.id)}, ${lit(other.id)}, ${lit(owner.id)})`);
    const seen = await get(`/statements?year=${YEAR}`, auth(otherToken));
    assert.equal(seen.json.length, 3, show(seen));
    const pdf = await download('GET', `/statements/${ids['01']}/document`, auth(otherToken));
    assert.equal(pdf.status, 200);
    sql(`DELETE FROM balance_third_party WHERE balance_id = ${lit(balance.id)} AND customer_id = ${lit(other.id)}`);
    assert.equal((await get(`/statements/${ids['01']}/document`, auth(otherToken))).status, 404);
});

test('GET /accounts/{id}/rib is the RIB PDF of pdf_url', async () => {
    const accts = await get('/accounts', auth(token));
    assert.equal(accts.status, 200, show(accts));
    const a = accts.json.find((x) => x.rib && x.rib.iban === balance.iban);
    assert.ok(a, show(accts));
    const r = await download('GET', a.rib.pdf_url, auth(token));
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.headers['content-type'], 'application/pdf');
    const text = pdfText(r.body);
    for (const want of [a.rib.bank, a.rib.branch, a.rib.number, a.rib.checksum, ibanFormatted(balance.iban), a.rib.bic, 'Émile Zola']) {
        assert.ok(text.includes(want), `RIB lacks ${want}:\n${text}`);
    }
    const r404 = await get(a.rib.pdf_url, auth(otherToken));
    assert.equal(r404.status, 404);
});
