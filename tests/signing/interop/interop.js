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
//                                GM/T 0031-2014 (v1) ones with ses_v1.js, the
//                                negative vectors, and DIR/manifest.json
//                                saying what Zhaoyin must answer for each.
//   node interop.js v1-sandbox DIR
//                                reads DIR/input.json (a sandbox's seal-maker
//                                key and certificate, a holder's certificate,
//                                the data) and writes a v1 seal (seal-v1.der)
//                                and the TBS_Sign for the holder to sign
//                                (tbs-v1.der), timeInfo the current UTCTime.
//   node interop.js v1-assemble DIR
//                                tbs-v1.der + the holder's signature.der →
//                                sig-v1.der, the v1 SES_Signature.
// Seals and signatures of either version are told apart by shape (ses_v1.js).
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const ses = require('./ses');
const sesV1 = require('./ses_v1');

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
    if (entry.kind === 'seal') return [ses.verifySeal(sesV1.parseAnySeal(bytes), trusted, at)];
    if (entry.kind === 'signature') {
      const data = load(dir, entry.data);
      return [ses.verifySignature(sesV1.parseAnySignature(bytes), trusted, data, [0, data.length], at)];
    }
    if (entry.kind === 'pdf') {
      const found = ses.pdfSignatures(bytes);
      if (found.length === 0) return ['no_signature'];
      return found.map((s) => {
        if (s.subFilter !== 'GBT38540.SES_Signature') return 'not_gbt38540';
        try {
          return ses.verifySignature(sesV1.parseAnySignature(s.contents), trusted, bytes, s.range, at);
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

// ---------------------------------------------------------------- GM/T 0031-2014 (v1)

// A CMS ContentInfo { id-signedData, [0] { … } }: the outer shape of an RFC 3161
// time-stamp token, which a v1 timeInfo may hold (its content is not read).
const TIMESTAMP_TOKEN = Buffer.from('300f06092a864886f70d010702a0023000', 'hex');

function v1Seal(o, maker) {
  const sealInfo = sesV1.buildSealInfoV1(o);
  return {
    sealInfo,
    seal: sesV1.assembleSealV1(sealInfo, maker.cert, ses.sm2Sign(maker.key, sesV1.sealV1SignedBytes(sealInfo, maker.cert))),
  };
}

function v1Sign(seal, timeOctets, data, propertyInfoTlv, signer) {
  const tbs = sesV1.buildTbsSignV1(seal, timeOctets, ses.sm3(data), propertyInfoTlv, signer.cert);
  return sesV1.assembleSignatureV1(tbs, ses.sm2Sign(signer.key, tbs));
}

// The v1 seal and signatures, good and bad. Names are the manifest's (V1_ENTRIES).
function buildV1(pki, now, data) {
  const hour = 3600 * 1000;
  const { sealInfo, seal } = v1Seal({
    vid: 'Node Interop', esID: '11010000000431', type: 1, name: 'Node互操作测试有限公司合同专用章(v1)',
    signers: [pki.signer.cert], createDate: now, validStart: new Date(now - hour),
    validEnd: new Date(now.getTime() + 300 * 24 * hour),
    picture: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), widthMm: 40, heightMm: 40,
  }, pki.maker);
  // A v1 seal signed the v4 way (over SES_SealInfo alone): not what GM/T 0031 signs.
  const sealV4Signed = sesV1.assembleSealV1(sealInfo, pki.maker.cert, ses.sm2Sign(pki.maker.key, sealInfo));
  const property = ses.ia5(`node:data;byterange=0,${data.length}`);
  const propertyTlv = ses.der(property);
  const utcNow = sesV1.utcTimeDer(now);
  const signature = v1Sign(seal, utcNow, data, propertyTlv, pki.signer);
  // propertyInfo with a needlessly long length (16 81 NN), signed over exactly those bytes.
  const text = Buffer.from(`node:data;byterange=0,${data.length}`);
  const loose = Buffer.concat([Buffer.from([0x16, 0x81, text.length]), text]);
  const v4seal = ses.assembleSeal(ses.buildSealInfo({
    vid: 'Node Interop', esID: '11010000000432', type: 1, name: 'v4 seal', signers: [pki.signer.cert],
    createDate: now, validStart: new Date(now - hour), validEnd: new Date(now.getTime() + 24 * hour),
    picture: Buffer.from([1]), widthMm: 40, heightMm: 40,
  }), pki.maker.cert, Buffer.alloc(0));
  return {
    'data-other.bin': Buffer.concat([data, Buffer.from(' ')]),
    'seal-v1.der': seal,
    'seal-v1-flipped.der': flipLast(seal),
    'seal-v1-v4-signed.der': sealV4Signed,
    'seal-v1-trailing.der': Buffer.concat([seal, Buffer.from([0])]),
    'sig-v1.der': signature,
    'sig-v1-time-text.der': v1Sign(seal, Buffer.from(utcNow.subarray(2)), data, propertyTlv, pki.signer),
    'sig-v1-time-token.der': v1Sign(seal, TIMESTAMP_TOKEN, data, propertyTlv, pki.signer),
    'sig-v1-flipped.der': flipLast(signature),
    'sig-v1-trailing.der': Buffer.concat([signature, Buffer.from([0])]),
    'sig-v1-nonminimal.der': nonMinimalOuter(signature),
    'sig-v1-nonminimal-signed.der': v1Sign(seal, utcNow, data, loose, pki.signer),
    'sig-v1-seal-v4-signed.der': v1Sign(sealV4Signed, utcNow, data, propertyTlv, pki.signer),
    'sig-v1-with-v4-seal.der': v1Sign(v4seal, utcNow, data, propertyTlv, pki.signer),
  };
}

// zhaoyin: Zhaoyin's code; expect: this side's; time: the signing time Zhaoyin
// must read (ISO), or null for "unknown".
function V1_ENTRIES(now) {
  const sig = (file, zhaoyin, expect, extra = {}) =>
    ({ file, kind: 'signature', data: 'data.bin', zhaoyin, expect, time: now.toISOString(), ...extra });
  return [
    { file: 'seal-v1.der', kind: 'seal', zhaoyin: 'ok', expect: 'ok' },
    { file: 'seal-v1-flipped.der', kind: 'seal', zhaoyin: 'bad_signature', expect: 'bad_seal_signature' },
    { file: 'seal-v1-v4-signed.der', kind: 'seal', zhaoyin: 'bad_signature', expect: 'bad_seal_signature' },
    { file: 'seal-v1-trailing.der', kind: 'seal', zhaoyin: 'malformed', expect: 'malformed' },
    sig('sig-v1.der', 'ok', 'ok'),
    sig('sig-v1-time-text.der', 'ok', 'ok'),
    sig('sig-v1-time-token.der', 'ok', 'ok', { time: null }),
    sig('sig-v1.der', 'data_hash_mismatch', 'data_hash_mismatch', { data: 'data-other.bin' }),
    sig('sig-v1-flipped.der', 'bad_signature', 'bad_signature'),
    sig('sig-v1-trailing.der', 'malformed', 'malformed'),
    sig('sig-v1-nonminimal.der', 'malformed', 'malformed'),
    sig('sig-v1-nonminimal-signed.der', 'malformed', 'malformed'),
    sig('sig-v1-seal-v4-signed.der', 'seal_bad_signature', 'seal_bad_seal_signature'),
    sig('sig-v1-with-v4-seal.der', 'malformed', 'malformed'),
  ];
}

// For the host's verify endpoint: a v1 seal made with a sandbox's seal maker
// for one of its holders, and the TBS_Sign that holder is to sign.
function v1Sandbox(dir) {
  const input = JSON.parse(load(dir, 'input.json'));
  const maker = {
    cert: ses.pemToDer(load(dir, input.maker_cert).toString()),
    key: ses.keyFromPkcs8(load(dir, input.maker_key).toString()),
  };
  const signerCert = ses.pemToDer(load(dir, input.signer_cert).toString());
  const data = load(dir, input.data);
  const now = seconds(new Date());
  const day = 24 * 3600 * 1000;
  const { seal } = v1Seal({
    vid: 'Node Interop', esID: input.es_id, type: 1, name: input.name, signers: [signerCert],
    createDate: now, validStart: new Date(now - day), validEnd: new Date(now.getTime() + 30 * day),
    picture: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), widthMm: 40, heightMm: 40,
  }, maker);
  const tbs = sesV1.buildTbsSignV1(seal, sesV1.utcTimeDer(now), ses.sm3(data),
    ses.der(ses.ia5(`node:data;byterange=0,${data.length}`)), signerCert);
  fs.writeFileSync(path.join(dir, 'seal-v1.der'), seal);
  fs.writeFileSync(path.join(dir, 'tbs-v1.der'), tbs);
  console.log(JSON.stringify({ seal: 'seal-v1.der', tbs: 'tbs-v1.der', time: now.toISOString() }));
  return 0;
}

function v1Assemble(dir) {
  const sig = sesV1.assembleSignatureV1(load(dir, 'tbs-v1.der'), load(dir, 'signature.der'));
  sesV1.parseAnySignature(sig);  // this side reads back what it wrote
  fs.writeFileSync(path.join(dir, 'sig-v1.der'), sig);
  return 0;
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
  Object.assign(files, buildV1(pki, now, data));
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
    ...V1_ENTRIES(now),
  ];
  const manifest = { trust: ['root.pem'], at: now.toISOString(), entries };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  // The builder checks its own output with its own verifier first.
  return verify(dir);
}

const [command, dir] = process.argv.slice(2);
if (command === 'verify' && dir) process.exit(verify(dir));
else if (command === 'build' && dir) process.exit(build(dir));
else if (command === 'v1-sandbox' && dir) process.exit(v1Sandbox(dir));
else if (command === 'v1-assemble' && dir) process.exit(v1Assemble(dir));
else {
  console.error('usage: node interop.js verify|build|v1-sandbox|v1-assemble DIR');
  process.exit(2);
}
