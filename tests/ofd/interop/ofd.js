'use strict';
// The Node side of tests/ofd/test_sign_ofd.cpp: an OFD signature reader and
// builder written from GB/T 33190-2016 §18 alone, sharing nothing with
// Zhaoyin but the standard. ZIP by jszip, XML by fast-xml-parser, SM3/SM2 and
// the GB/T 38540 SES_Signature by ../../signing/interop/ses.js (asn1js + sm-crypto).
//
//   node ofd.js verify FILE.ofd ROOT.pem...
//       for every signature Signatures.xml lists (§18.1): recomputes each
//       Reference's SM3 (§18.2.2, CheckMethod SM3) and compares it with its
//       CheckValue, lists package files the signature does not account for,
//       and verifies SignedValue.dat as an SES_Signature whose dataHash is the
//       SM3 of Signature.xml, its seal and signer chained to ROOT.pem...
//       Prints {"signatures":[{id, references, bad_references, unprotected, ses}]}.
//   node ofd.js build FIXTURE_DIR OUT_DIR
//       zips the hand-written OFD in FIXTURE_DIR, signs it as §18 lays out with
//       its own PKI, seal and SES_Signature (OUT_DIR/pki/root.pem is the root),
//       and writes OUT_DIR/node.ofd and OUT_DIR/node-tampered.ofd (page content
//       changed after signing).
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const JSZip = require('jszip');
const { XMLParser } = require('fast-xml-parser');
const ses = require('../../signing/interop/ses');

const SM3_OID = '1.2.156.10197.1.401';
const SM2_SM3_OID = '1.2.156.10197.1.501';
const LISTS = new Set(['OFD.DocBody', 'Signatures.Signature', 'Signature.SignedInfo.References.Reference',
  'Signature.SignedInfo.StampAnnot']);
const parser = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseTagValue: false,
  trimValues: true, isArray: (name, jpath) => LISTS.has(jpath),
});

// ST_Loc (§7.2 / 表 2): absolute from the package root, or relative to the
// directory of the file that names it.
function resolve(loc, referrer) {
  const base = loc.startsWith('/') ? [] : referrer.split('/').slice(0, -1);
  for (const part of loc.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (base.length === 0) throw new Error(`location ${loc} leaves the package`);
      base.pop();
    } else base.push(part);
  }
  return base.join('/');
}

async function read(zip, name) {
  const f = zip.file(name);
  if (!f) throw new Error(`the package has no ${name}`);
  return f.async('nodebuffer');
}

function text(v) {
  return typeof v === 'object' && v !== null ? String(v['#text'] || '') : String(v || '');
}

async function verify(file, rootFiles) {
  const roots = rootFiles.map((f) => ses.parseCertificate(ses.pemToDer(fs.readFileSync(f).toString())));
  const zip = await JSZip.loadAsync(fs.readFileSync(file));
  const files = Object.keys(zip.files).filter((n) => !zip.files[n].dir);
  const main = parser.parse(await read(zip, 'OFD.xml'));
  const body = main.OFD.DocBody[0];
  const listPath = resolve(text(body.Signatures), 'OFD.xml');
  const list = parser.parse(await read(zip, listPath)).Signatures.Signature || [];
  const found = [];
  for (const entry of list) {
    const sigPath = resolve(entry['@BaseLoc'], listPath);
    const sigXml = await read(zip, sigPath);
    const sig = parser.parse(sigXml).Signature;
    const refs = sig.SignedInfo.References;
    const method = refs['@CheckMethod'] || 'MD5';
    const result = { id: entry['@ID'], file: sigPath, check_method: method, references: [], bad_references: [] };
    for (const ref of refs.Reference || []) {
      const target = resolve(ref['@FileRef'], sigPath);
      result.references.push(target);
      const f = zip.file(target);
      const ok = (method === SM3_OID || method === 'SM3') && f &&
        ses.sm3(await f.async('nodebuffer')).toString('base64') === text(ref.CheckValue);
      if (!ok) result.bad_references.push(target);
    }
    result.signature_method = text(sig.SignedInfo.SignatureMethod);
    result.signed_value = resolve(text(sig.SignedValue), sigPath);
    try {
      const parsed = ses.parseSignature(await read(zip, result.signed_value));
      result.ses = ses.verifySignature(parsed, roots, sigXml, [0, sigXml.length]);
    } catch (e) {
      result.ses = e instanceof ses.Refused ? e.code : `error: ${e.message}`;
    }
    found.push(result);
  }
  // Files a signature does not account for: not protected by it, not
  // Signatures.xml (§18.1), not its own files, not the files of a later
  // signature that protects its Signature.xml.
  for (const s of found) {
    const ok = new Set([listPath, s.file, s.signed_value, ...s.references]);
    for (const later of found)
      if (later !== s && later.references.includes(s.file)) { ok.add(later.file); ok.add(later.signed_value); }
    s.unprotected = files.filter((f) => !ok.has(f));
  }
  console.log(JSON.stringify({ signatures: found }));
}

function walk(dir, prefix = '') {
  let out = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) out = out.concat(walk(p, `${prefix}${name}/`));
    else out.push(`${prefix}${name}`);
  }
  return out;
}

function seconds(d) { return new Date(Math.floor(d.getTime() / 1000) * 1000); }

async function build(fixtureDir, outDir) {
  const pkiDir = path.join(outDir, 'pki');
  fs.mkdirSync(pkiDir, { recursive: true });
  // The seal interop's own PKI (openssl command line, SM2): root CA → seal maker, root CA → signer.
  execFileSync('node', [path.join(__dirname, '../../signing/interop/interop.js'), 'build', pkiDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const load = (n) => fs.readFileSync(path.join(pkiDir, n));
  const maker = { cert: ses.pemToDer(load('maker.pem').toString()), key: ses.keyFromPkcs8(load('maker.key').toString()) };
  const signer = { cert: ses.pemToDer(load('signer.pem').toString()), key: ses.keyFromPkcs8(load('signer.key').toString()) };
  const now = seconds(new Date());
  const hour = 3600 * 1000;
  const sealInfo = ses.buildSealInfo({
    vid: 'Node OFD', esID: '11010000000043', type: 1, name: 'Node互操作测试有限公司合同专用章',
    signers: [signer.cert], createDate: now, validStart: new Date(now - hour), validEnd: new Date(now.getTime() + 300 * 24 * hour),
    picture: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), widthMm: 40, heightMm: 40,
  });
  const seal = ses.assembleSeal(sealInfo, maker.cert, ses.sm2Sign(maker.key, sealInfo));

  const files = new Map(walk(fixtureDir).map((n) => [n, fs.readFileSync(path.join(fixtureDir, n))]));
  // §7.4: DocBody names the signature list.
  const main = files.get('OFD.xml').toString();
  files.set('OFD.xml', Buffer.from(main.replace('</ofd:DocBody>', '  <ofd:Signatures>/Doc_0/Signs/Signatures.xml</ofd:Signatures>\n  </ofd:DocBody>')));
  const refs = [...files.keys()].map((n) =>
    `<ofd:Reference FileRef="/${n}"><ofd:CheckValue>${ses.sm3(files.get(n)).toString('base64')}</ofd:CheckValue></ofd:Reference>`);
  const signatureXml = Buffer.from([
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ofd:Signature xmlns:ofd="http://www.ofdspec.org/2016">',
    '<ofd:SignedInfo>',
    '<ofd:Provider ProviderName="Node OFD interop" Version="1" Company="test"/>',
    `<ofd:SignatureMethod>${SM2_SM3_OID}</ofd:SignatureMethod>`,
    `<ofd:SignatureDateTime>${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z</ofd:SignatureDateTime>`,
    `<ofd:References CheckMethod="${SM3_OID}">`, ...refs, '</ofd:References>',
    '<ofd:StampAnnot ID="s1" PageRef="1" Boundary="100 200 40 40"/>',
    '</ofd:SignedInfo>',
    '<ofd:SignedValue>SignedValue.dat</ofd:SignedValue>',
    '</ofd:Signature>', ''].join('\n'));
  const tbs = ses.buildTbsSign(seal, now, ses.sm3(signatureXml), `node:ofd;byterange=0,${signatureXml.length}`);
  const signedValue = ses.assembleSignature(tbs, signer.cert, ses.sm2Sign(signer.key, tbs));
  files.set('Doc_0/Signs/Signatures.xml', Buffer.from(
    '<?xml version="1.0" encoding="UTF-8"?>\n<ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">' +
    '<ofd:MaxSignId>s1</ofd:MaxSignId><ofd:Signature ID="s1" Type="Seal" BaseLoc="Sign_0/Signature.xml"/></ofd:Signatures>\n'));
  files.set('Doc_0/Signs/Sign_0/Signature.xml', signatureXml);
  files.set('Doc_0/Signs/Sign_0/SignedValue.dat', signedValue);
  const write = async (name, map) => {
    const zip = new JSZip();
    for (const [n, b] of map) zip.file(n, b);
    fs.writeFileSync(path.join(outDir, name), await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  };
  await write('node.ofd', files);
  const tampered = new Map(files);
  const page = 'Doc_0/Pages/Page_0/Content.xml';
  tampered.set(page, Buffer.from(files.get(page).toString().replace('采购合同', '租赁合同')));
  await write('node-tampered.ofd', tampered);
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  if (cmd === 'verify') return verify(args[0], args.slice(1));
  if (cmd === 'build') return build(args[0], args[1]);
  throw new Error('usage: ofd.js verify FILE ROOT.pem... | build FIXTURE_DIR OUT_DIR');
}

main().catch((e) => { console.error(e.stack || String(e)); process.exit(2); });
