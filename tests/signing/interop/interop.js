'use strict';
// The Node side of tests/signing/test_seal_interop.cpp.
//
//   node interop.js verify DIR   reads DIR/manifest.json (written by Zhaoyin's
//                                side), verifies every listed seal, detached
//                                SES_Signature and signed PDF with ses.js, and
//                                prints {"results":[{file, code, expect}]}.
//                                Exit 0 when every code is the expected one.
//   node interop.js build DIR    makes its own SM2 PKI with the openssl command
//                                line (root CA → seal maker, root CA → signer),
//                                builds a seal and a SES_Signature with ses.js,
//                                the negative vectors, and DIR/manifest.json
//                                saying what Zhaoyin must answer for each.
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const ses = require('./ses');

function load(dir, name) {
  return fs.readFileSync(path.join(dir, name));
}

function roots(dir, manifest) {
  return manifest.trust.map((f) => ses.parseCertificate(ses.pemToDer(load(dir, f).toString())));
}

function verifyOne(dir, manifest, entry, trusted) {
  const at = manifest.at ? new Date(manifest.at) : new Date();
  try {
    const bytes = load(dir, entry.file);
    if (entry.kind === 'seal') return [ses.verifySeal(ses.parseSeal(bytes), trusted, at)];
    if (entry.kind === 'signature') {
      const data = load(dir, entry.data);
      return [ses.verifySignature(ses.parseSignature(bytes), trusted, data, [0, data.length])];
    }
    if (entry.kind === 'pdf') {
      const found = ses.pdfSignatures(bytes);
      if (found.length === 0) return ['no_signature'];
      return found.map((s) => {
        if (s.subFilter !== 'GBT38540.SES_Signature') return 'not_gbt38540';
        try {
          return ses.verifySignature(ses.parseSignature(s.contents), trusted, bytes, s.range);
        } catch (e) {
          if (e instanceof ses.Refused) return e.code;
          throw e;
        }
      });
    }
    return ['unknown_kind'];
  } catch (e) {
    if (e instanceof ses.Refused) return [e.code];
    throw e;
  }
}

function verify(dir) {
  const manifest = JSON.parse(load(dir, 'manifest.json'));
  const trusted = roots(dir, manifest);
  const results = manifest.entries.map((entry) => {
    const codes = verifyOne(dir, manifest, entry, trusted);
    const expect = Array.isArray(entry.expect) ? entry.expect : [entry.expect];
    return { file: entry.file, codes, expect, pass: JSON.stringify(codes) === JSON.stringify(expect) };
  });
  console.log(JSON.stringify({ results }));
  return results.every((r) => r.pass) ? 0 : 1;
}

// ---------------------------------------------------------------- build

function openssl(dir, args) {
  execFileSync('/usr/bin/openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

const DISTID = 'distid:1234567812345678';

function makePki(dir) {
  fs.writeFileSync(path.join(dir, 'ext.cnf'), [
    '[req]', 'distinguished_name=dn', '[dn]',
    '[ca_ext]', 'basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign',
    'subjectKeyIdentifier=hash',
    '[leaf_ext]', 'basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation',
    'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid', '',
  ].join('\n'));
  openssl(dir, ['genpkey', '-algorithm', 'SM2', '-out', 'root.key']);
  openssl(dir, ['req', '-new', '-x509', '-key', 'root.key', '-sm3', '-sigopt', DISTID,
    '-subj', '/C=CN/O=Node Interop (test)/CN=Node Interop Root CA', '-days', '3650',
    '-config', 'ext.cnf', '-extensions', 'ca_ext', '-out', 'root.pem']);
  let serial = 2;
  for (const [name, cn] of [['maker', 'Node Interop Seal Maker'], ['signer', 'Node Interop Enterprise']]) {
    openssl(dir, ['genpkey', '-algorithm', 'SM2', '-out', `${name}.key`]);
    openssl(dir, ['req', '-new', '-key', `${name}.key`, '-sm3', '-sigopt', DISTID,
      '-subj', `/C=CN/O=Node Interop (test)/CN=${cn}`, '-config', 'ext.cnf', '-out', `${name}.csr`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'root.pem', '-CAkey', 'root.key',
      '-sm3', '-sigopt', DISTID, '-vfyopt', DISTID, '-set_serial', String(serial++), '-days', '365',
      '-extfile', 'ext.cnf', '-extensions', 'leaf_ext', '-out', `${name}.pem`]);
  }
  const cert = (n) => ses.pemToDer(load(dir, `${n}.pem`).toString());
  const key = (n) => ses.keyFromPkcs8(load(dir, `${n}.key`).toString());
  return { maker: { cert: cert('maker'), key: key('maker') }, signer: { cert: cert('signer'), key: key('signer') } };
}

function seconds(d) {
  return new Date(Math.floor(d.getTime() / 1000) * 1000);
}

// Flips one bit of the last byte (the end of the DER SM2 signature in a BIT
// STRING that closes the structure).
function flipLast(b) {
  const out = Buffer.from(b);
  out[out.length - 1] ^= 0x01;
  return out;
}

// The outer SEQUENCE's length in a needlessly long form: 30 82 HH LL → 30 83 00 HH LL.
function nonMinimalOuter(b) {
  if (b[0] !== 0x30 || b[1] !== 0x82) throw new Error('expected a 30 82 header');
  return Buffer.concat([Buffer.from([0x30, 0x83, 0x00]), b.subarray(2)]);
}

function tlv(tag, content) {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

// A seal whose SES_SealInfo carries a needlessly long length inside (the
// header's "ES" as 16 81 02 instead of 16 02), signed over exactly those
// bytes: a BER reader would verify it, a DER one must refuse it.
function nonMinimalSigned(sealInfo, makerCert, makerKey) {
  const asn1js = require('asn1js');
  const raw = (b) => Buffer.from(b.valueBeforeDecodeView);
  const info = asn1js.fromBER(sealInfo.buffer.slice(sealInfo.byteOffset, sealInfo.byteOffset + sealInfo.length)).result;
  const [header, ...rest] = info.valueBlock.value;
  const [, version, vid] = header.valueBlock.value;
  const header2 = tlv(0x30, Buffer.concat([Buffer.from([0x16, 0x81, 0x02, 0x45, 0x53]), raw(version), raw(vid)]));
  const info2 = tlv(0x30, Buffer.concat([header2, ...rest.map(raw)]));
  const signature = ses.sm2Sign(makerKey, info2);
  return tlv(0x30, Buffer.concat([info2, tlv(0x04, makerCert), Buffer.from('06082a811ccf55018375', 'hex'),
    tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]));
}

function build(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const pki = makePki(dir);
  const now = seconds(new Date());
  const hour = 3600 * 1000;
  const sealInfo = ses.buildSealInfo({
    vid: 'Node Interop', esID: '11010000000042', type: 1, name: 'Node互操作测试有限公司合同专用章',
    signers: [pki.signer.cert], createDate: now, validStart: new Date(now - hour),
    validEnd: new Date(now.getTime() + 300 * 24 * hour),
    picture: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), widthMm: 42, heightMm: 42,
  });
  // §6.1: the maker signs DER(SES_SealInfo).
  const seal = ses.assembleSeal(sealInfo, pki.maker.cert, ses.sm2Sign(pki.maker.key, sealInfo));
  // Before issue 18 Zhaoyin signed SEQUENCE { eSealInfo, cert, signAlgID }.
  const parts = require('asn1js').fromBER(seal.buffer.slice(seal.byteOffset, seal.byteOffset + seal.length)).result.valueBlock.value;
  const wrapped = ses.der(ses.seqOf([parts[0], parts[1], parts[2]]));
  const sealWrapped = ses.assembleSeal(sealInfo, pki.maker.cert, ses.sm2Sign(pki.maker.key, wrapped));

  const data = Buffer.from('{"contract":"Node interop","amount":"100.00","currency":"CNY"}');
  const sign = (propertyInfo, dataHash = ses.sm3(data)) => {
    const tbs = ses.buildTbsSign(seal, now, dataHash, propertyInfo);
    return ses.assembleSignature(tbs, pki.signer.cert, ses.sm2Sign(pki.signer.key, tbs));
  };
  const signature = sign(`node:data;byterange=0,${data.length}`);

  const files = {
    'data.bin': data,
    'seal.der': seal,
    'seal-flipped.der': flipLast(seal),
    'seal-wrapped.der': sealWrapped,
    'seal-nonminimal.der': nonMinimalOuter(seal),
    'seal-trailing.der': Buffer.concat([seal, Buffer.from([0])]),
    'seal-nonminimal-signed.der': nonMinimalSigned(sealInfo, pki.maker.cert, pki.maker.key),
    'sig.der': signature,
    'sig-flipped.der': flipLast(signature),
    'sig-wrong-range.der': sign(`node:data;byterange=0,${data.length - 1}`),
    'sig-wrapped-seal.der': (() => {
      const tbs = ses.buildTbsSign(sealWrapped, now, ses.sm3(data), `node:data;byterange=0,${data.length}`);
      return ses.assembleSignature(tbs, pki.signer.cert, ses.sm2Sign(pki.signer.key, tbs));
    })(),
    'sig-nonminimal.der': nonMinimalOuter(signature),
    'sig-trailing.der': Buffer.concat([signature, Buffer.from([0])]),
  };
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);

  // What Zhaoyin must answer (its own codes), and what this side says of its own output.
  const entries = [
    { file: 'seal.der', kind: 'seal', zhaoyin: 'ok', expect: 'ok' },
    { file: 'seal-flipped.der', kind: 'seal', zhaoyin: 'bad_signature', expect: 'bad_seal_signature' },
    { file: 'seal-wrapped.der', kind: 'seal', zhaoyin: 'bad_signature', expect: 'bad_seal_signature' },
    { file: 'seal-nonminimal.der', kind: 'seal', zhaoyin: 'malformed', expect: 'malformed' },
    { file: 'seal-trailing.der', kind: 'seal', zhaoyin: 'malformed', expect: 'malformed' },
    { file: 'seal-nonminimal-signed.der', kind: 'seal', zhaoyin: 'malformed', expect: 'malformed' },
    { file: 'sig.der', kind: 'signature', data: 'data.bin', zhaoyin: 'ok', expect: 'ok' },
    { file: 'sig-flipped.der', kind: 'signature', data: 'data.bin', zhaoyin: 'bad_signature', expect: 'bad_signature' },
    { file: 'sig-wrong-range.der', kind: 'signature', data: 'data.bin', zhaoyin: 'protection_range_mismatch',
      expect: 'protection_range_mismatch' },
    { file: 'sig-wrapped-seal.der', kind: 'signature', data: 'data.bin', zhaoyin: 'seal_bad_signature',
      expect: 'seal_bad_seal_signature' },
    { file: 'sig-nonminimal.der', kind: 'signature', data: 'data.bin', zhaoyin: 'malformed', expect: 'malformed' },
    { file: 'sig-trailing.der', kind: 'signature', data: 'data.bin', zhaoyin: 'malformed', expect: 'malformed' },
  ];
  const manifest = { trust: ['root.pem'], at: now.toISOString(), entries };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  // The builder checks its own output with its own verifier first.
  return verify(dir);
}

const [command, dir] = process.argv.slice(2);
if (command === 'verify' && dir) process.exit(verify(dir));
else if (command === 'build' && dir) process.exit(build(dir));
else {
  console.error('usage: node interop.js verify|build DIR');
  process.exit(2);
}
