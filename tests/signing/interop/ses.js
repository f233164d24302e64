'use strict';
// An independent reader, verifier and builder of GB/T 38540-2020 electronic
// seals (SESeal, §6) and seal signatures (SES_Signature, §7), written from the
// standard's ASN.1 alone — it shares no code with Zhaoyin. ASN.1 decoding and
// encoding: asn1js; SM2 (GM/T 0003, distinguishing ID 1234567812345678 as
// GM/T 0009 defaults) and SM3: sm-crypto. DER strictness (X.690 §10) is
// checked by a small TLV walker here, because a BER decoder accepts encodings
// whose bytes differ from what a signer signed.
//
// The ASN.1 (GB/T 38540-2020):
//   SESeal ::= SEQUENCE {                         -- §6.1
//     eSealInfo SES_SealInfo, cert OCTET STRING, signAlgID OBJECT IDENTIFIER,
//     signedValue BIT STRING }                    -- maker's signature over DER(SES_SealInfo)
//   SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String,
//     property SES_ESPropertyInfo, picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
//   SES_Header ::= SEQUENCE { ID IA5String ("ES"), version INTEGER (4), Vid IA5String }
//   SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String, certListType INTEGER,
//     certList SES_CertList, createDate GeneralizedTime, validStart GeneralizedTime,
//     validEnd GeneralizedTime }
//   SES_CertList ::= CHOICE { certs SEQUENCE OF OCTET STRING,               -- certListType 1
//     certDigestList SEQUENCE OF SEQUENCE { type PrintableString, value OCTET STRING } } -- 2
//   SES_ESPictrueInfo ::= SEQUENCE { type IA5String, data OCTET STRING, width INTEGER, height INTEGER }
//   SES_Signature ::= SEQUENCE {                  -- §7.1
//     toSign TBS_Sign, cert OCTET STRING, signatureAlgID OBJECT IDENTIFIER,
//     signature BIT STRING, timeStamp [0] BIT STRING OPTIONAL }
//   TBS_Sign ::= SEQUENCE { version INTEGER (4), eseal SESeal, timeInfo GeneralizedTime,
//     dataHash BIT STRING, propertyInfo IA5String, extDatas ExtensionDatas OPTIONAL }
const asn1js = require('asn1js');
const sm = require('sm-crypto');

const OID_SM2_SM3 = '1.2.156.10197.1.501';

class Refused extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// ---------------------------------------------------------------- DER strictness

// Walks every TLV of `bytes` and throws Refused('malformed') unless it is one
// DER value: definite, minimal lengths; low tag numbers; nothing after it.
function checkDer(bytes) {
  const end = walk(bytes, 0, bytes.length, 0);
  if (end !== bytes.length) throw new Refused('malformed', `${bytes.length - end} bytes after the DER value`);
}

function walk(b, pos, limit, depth) {
  if (depth > 32) throw new Refused('malformed', 'nested too deeply');
  if (limit - pos < 2) throw new Refused('malformed', 'truncated header');
  const tag = b[pos];
  if ((tag & 0x1f) === 0x1f) throw new Refused('malformed', 'high tag number');
  let p = pos + 1;
  let len = b[p++];
  if (len === 0x80) throw new Refused('malformed', 'indefinite length');
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || limit - p < n) throw new Refused('malformed', 'bad length field');
    if (b[p] === 0) throw new Refused('malformed', 'non-minimal length (leading zero octet)');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++];
    if (len < 0x80) throw new Refused('malformed', 'non-minimal length (long form for a short length)');
  }
  if (limit - p < len) throw new Refused('malformed', 'truncated content');
  const end = p + len;
  if (tag & 0x20) {
    let q = p;
    while (q < end) q = walk(b, q, end, depth + 1);
  }
  return end;
}

// ---------------------------------------------------------------- decoding helpers

function decode(bytes) {
  checkDer(bytes);
  const r = asn1js.fromBER(toArrayBuffer(bytes));
  if (r.offset === -1) throw new Refused('malformed', r.result.error || 'not ASN.1');
  return r.result;
}

function toArrayBuffer(bytes) {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

function raw(block) {
  return Buffer.from(block.valueBeforeDecodeView);
}

function want(block, type, what) {
  if (!(block instanceof type)) throw new Refused('malformed', `${what}: wrong type`);
  return block;
}

function seq(block, min, max, what) {
  want(block, asn1js.Sequence, what);
  const items = block.valueBlock.value;
  if (items.length < min || items.length > max) throw new Refused('malformed', `${what}: ${items.length} fields`);
  return items;
}

function int(block, what) {
  return want(block, asn1js.Integer, what).valueBlock.valueDec;
}

function text(block, type, what) {
  return want(block, type, what).valueBlock.value;
}

function octets(block, what) {
  return Buffer.from(want(block, asn1js.OctetString, what).valueBlock.valueHexView);
}

function bits(block, what) {
  const b = want(block, asn1js.BitString, what);
  if (b.valueBlock.unusedBits !== 0) throw new Refused('malformed', `${what}: unused bits`);
  return Buffer.from(b.valueBlock.valueHexView);
}

function time(block, what) {
  return want(block, asn1js.GeneralizedTime, what).toDate();
}

function oid(block, what) {
  return want(block, asn1js.ObjectIdentifier, what).valueBlock.toString();
}

// ---------------------------------------------------------------- SM2 / SM3

function sm3(bytes) {
  return Buffer.from(sm.sm3(Array.from(bytes)), 'hex');
}

// GM/T 0009: the signature is a DER SEQUENCE { r INTEGER, s INTEGER } over
// SM3(Z_A || message), Z_A with the ID 1234567812345678 (sm-crypto's default).
function sm2Verify(publicPointHex, message, derSignature) {
  try {
    return sm.sm2.doVerifySignature(Array.from(message), derSignature.toString('hex'), publicPointHex, {
      der: true,
      hash: true,
    });
  } catch (e) {
    return false;
  }
}

function sm2Sign(key, message) {
  return Buffer.from(
    sm.sm2.doSignature(Array.from(message), key.privateHex, { der: true, hash: true, publicKey: key.publicHex }),
    'hex');
}

// ---------------------------------------------------------------- X.509 (RFC 5280), just what is needed

function parseCertificate(der) {
  const cert = decode(der);
  const [tbs, , signature] = seq(cert, 3, 3, 'Certificate');
  const f = seq(tbs, 6, 10, 'TBSCertificate');
  const off = f[0].idBlock.tagClass === 3 && f[0].idBlock.tagNumber === 0 ? 1 : 0;  // [0] version
  const validity = seq(f[off + 3], 2, 2, 'Validity').map((t) => t.toDate());
  const spki = seq(f[off + 5], 2, 2, 'SubjectPublicKeyInfo');
  const point = Buffer.from(want(spki[1], asn1js.BitString, 'subjectPublicKey').valueBlock.valueHexView);
  if (point.length !== 65 || point[0] !== 4) throw new Refused('malformed', 'not an uncompressed SM2 point');
  const sigAlg = oid(seq(f[off + 1], 1, 2, 'signature AlgorithmIdentifier')[0], 'signature algorithm');
  let ca = false;
  if (f.length > off + 6) {
    const last = f[f.length - 1];
    if (last.idBlock.tagClass === 3 && last.idBlock.tagNumber === 3) {
      for (const ext of last.valueBlock.value[0].valueBlock.value) {
        const items = ext.valueBlock.value;
        if (oid(items[0], 'extnID') === '2.5.29.19') {  // basicConstraints
          const bc = decode(octets(items[items.length - 1], 'extnValue'));
          ca = bc.valueBlock.value.length > 0 && bc.valueBlock.value[0] instanceof asn1js.Boolean &&
               bc.valueBlock.value[0].valueBlock.value;
        }
      }
    }
  }
  return {
    der: Buffer.from(der),
    tbs: raw(tbs),
    issuer: raw(f[off + 2]),
    subject: raw(f[off + 4]),
    notBefore: validity[0],
    notAfter: validity[1],
    publicHex: point.toString('hex'),
    sigAlg,
    signature: bits(signature, 'signatureValue'),
    ca,
  };
}

function pemToDer(pem) {
  const body = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return Buffer.from(body, 'base64');
}

// Leaf → issuer → … → a trusted root, by subject/issuer names; every
// signature SM2-with-SM3 with the default ID (GM/T 0015), every certificate
// valid at `at`, every issuer a CA. Revocation is not this reader's business.
function verifyChain(leaf, roots, at) {
  let cert = leaf;
  for (let depth = 0; depth < 8; depth++) {
    if (at < cert.notBefore || at > cert.notAfter) return 'cert_expired';
    const issuer = roots.find((r) => r.subject.equals(cert.issuer));
    if (!issuer) return 'untrusted_chain';
    if (cert.sigAlg !== OID_SM2_SM3 || !sm2Verify(issuer.publicHex, cert.tbs, cert.signature)) return 'bad_cert_signature';
    if (!issuer.ca) return 'not_a_ca';
    if (issuer.der.equals(cert.der)) return 'ok';
    if (issuer.issuer.equals(issuer.subject)) {
      if (at < issuer.notBefore || at > issuer.notAfter) return 'cert_expired';
      return 'ok';
    }
    cert = issuer;
  }
  return 'untrusted_chain';
}

// ---------------------------------------------------------------- SESeal (§6)

function parseSealBlock(block) {
  const [info, cert, alg, signedValue] = seq(block, 4, 4, 'SESeal');
  const infoFields = seq(info, 4, 5, 'SES_SealInfo');
  const header = seq(infoFields[0], 3, 3, 'SES_Header');
  if (text(header[0], asn1js.IA5String, 'ID') !== 'ES') throw new Refused('malformed', 'header ID is not ES');
  const version = int(header[1], 'version');
  if (version !== 4) throw new Refused('malformed', `header version ${version}, not 4`);
  const prop = seq(infoFields[2], 7, 7, 'SES_ESPropertyInfo');
  const certListType = int(prop[2], 'certListType');
  const signers = [];
  const digests = [];
  for (const item of want(prop[3], asn1js.Sequence, 'certList').valueBlock.value) {
    if (certListType === 1) signers.push(octets(item, 'certificate'));
    else if (certListType === 2) {
      const [type, value] = seq(item, 2, 2, 'CertDigestObj');
      digests.push({ type: text(type, asn1js.PrintableString, 'digest type').toLowerCase(), value: octets(value, 'digest') });
    } else throw new Refused('malformed', `certListType ${certListType}`);
  }
  const picture = seq(infoFields[3], 4, 4, 'SES_ESPictrueInfo');
  return {
    esID: text(infoFields[1], asn1js.IA5String, 'esID'),
    vid: text(header[2], asn1js.IA5String, 'Vid'),
    type: int(prop[0], 'type'),
    name: text(prop[1], asn1js.Utf8String, 'name'),
    certListType,
    signers,
    digests,
    createDate: time(prop[4], 'createDate'),
    validStart: time(prop[5], 'validStart'),
    validEnd: time(prop[6], 'validEnd'),
    pictureType: text(picture[0], asn1js.IA5String, 'picture type'),
    picture: octets(picture[1], 'picture data'),
    sealInfoDer: raw(info),  // exactly as received
    makerSigned: raw(info),  // what the maker signed: §6.1, DER(SES_SealInfo) as received
    makerCert: octets(cert, 'cert'),
    signAlgID: oid(alg, 'signAlgID'),
    signedValue: bits(signedValue, 'signedValue'),
    der: raw(block),
  };
}

function parseSeal(bytes) {
  return parseSealBlock(decode(bytes));
}

// §6.3: the maker's signature (over DER(SES_SealInfo), with the maker
// certificate's key and the algorithm signAlgID names), the seal's validity
// at `at`, the maker certificate's chain.
function verifySeal(seal, roots, at) {
  if (seal.signAlgID !== OID_SM2_SM3) return 'unsupported_algorithm';
  let maker;
  try {
    maker = parseCertificate(seal.makerCert);
  } catch (e) {
    return 'malformed';
  }
  if (!sm2Verify(maker.publicHex, seal.makerSigned, seal.signedValue)) return 'bad_seal_signature';
  if (at < seal.validStart) return 'seal_not_yet_valid';
  if (at > seal.validEnd) return 'seal_expired';
  const chain = verifyChain(maker, roots, at);
  return chain === 'ok' ? 'ok' : `maker_${chain}`;
}

// ---------------------------------------------------------------- SES_Signature (§7)

function parseSignature(bytes) {
  const top = decode(bytes);
  const f = seq(top, 4, 5, 'SES_Signature');
  const tbs = seq(f[0], 5, 6, 'TBS_Sign');
  const version = int(tbs[0], 'TBS_Sign version');
  if (version !== 4) throw new Refused('malformed', `TBS_Sign version ${version}`);
  return {
    seal: parseSealBlock(tbs[1]),
    timeInfo: time(tbs[2], 'timeInfo'),
    dataHash: bits(tbs[3], 'dataHash'),
    propertyInfo: text(tbs[4], asn1js.IA5String, 'propertyInfo'),
    tbsDer: raw(f[0]),
    cert: octets(f[1], 'cert'),
    signatureAlgID: oid(f[2], 'signatureAlgID'),
    signature: bits(f[3], 'signature'),
  };
}

// The protection range Zhaoyin (and this builder) state in propertyInfo
// (§7.1 至少应包含签名保护范围): `byterange=o1,l1,...`. null when none is stated.
function statedRange(propertyInfo) {
  for (const field of propertyInfo.split(';')) {
    if (!field.startsWith('byterange=')) continue;
    const parts = field.slice('byterange='.length).split(',');
    if (parts.length % 2 || parts.some((p) => !/^[0-9]{1,15}$/.test(p))) return [];
    return parts.map(Number);
  }
  return null;
}

function rangeBytes(data, range) {
  const chunks = [];
  for (let i = 0; i < range.length; i += 2) {
    if (range[i] + range[i + 1] > data.length) return null;
    chunks.push(data.subarray(range[i], range[i] + range[i + 1]));
  }
  return Buffer.concat(chunks);
}

// §7.3: the signer's signature over TBS_Sign; the seal (§6.3) at timeInfo;
// the signer listed in the seal; the signer's chain at timeInfo; dataHash =
// SM3 of the protected bytes; the stated protection range is the one hashed.
// A signature whose signing time is unknown (sig.timeInfo null: a GM/T 0031
// timeInfo this reader cannot read, ses_v1.js) is checked at `now`.
function verifySignature(sig, roots, data, hashedRange, now = new Date()) {
  const at = sig.timeInfo || now;
  if (sig.signatureAlgID !== OID_SM2_SM3) return 'unsupported_algorithm';
  let signer;
  try {
    signer = parseCertificate(sig.cert);
  } catch (e) {
    return 'malformed';
  }
  if (!sm2Verify(signer.publicHex, sig.tbsDer, sig.signature)) return 'bad_signature';
  const seal = verifySeal(sig.seal, roots, at);
  if (seal !== 'ok') return `seal_${seal}`;
  const listed = sig.seal.certListType === 1
    ? sig.seal.signers.some((c) => c.equals(signer.der))
    : sig.seal.digests.some((d) => d.type === 'sm3' && d.value.equals(sm3(signer.der)));
  if (!listed) return 'signer_not_listed';
  const chain = verifyChain(signer, roots, at);
  if (chain !== 'ok') return `signer_${chain}`;
  const protectedBytes = rangeBytes(data, hashedRange);
  if (!protectedBytes || !sm3(protectedBytes).equals(sig.dataHash)) return 'data_hash_mismatch';
  const stated = statedRange(sig.propertyInfo);
  if (stated === null) return 'no_protection_range';  // §7.1: it shall be stated
  if (stated.length !== hashedRange.length || stated.some((v, i) => v !== hashedRange[i])) return 'protection_range_mismatch';
  return 'ok';
}

// ---------------------------------------------------------------- PDF

// Every signature dictionary of a signed PDF that carries a GB/T 38540
// SES_Signature: its /ByteRange, and /Contents, which is the gap the byte
// range leaves (ISO 32000-1 §12.8.1): "<" hex ">" — zero padding after the
// DER value is allowed there and ignored.
function pdfSignatures(pdf) {
  const textOf = pdf.toString('latin1');
  const out = [];
  const re = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g;
  let m;
  while ((m = re.exec(textOf)) !== null) {
    const range = m.slice(1, 5).map(Number);
    // The dictionary this /ByteRange belongs to: from the last "<<" before it.
    const dictStart = textOf.lastIndexOf('<<', m.index);
    const dict = textOf.slice(dictStart, textOf.indexOf('>>', range[1]) + 2);
    const gap = textOf.slice(range[0] + range[1], range[2]);
    if (!/^<[0-9A-Fa-f]*>$/.test(gap)) throw new Refused('malformed', '/ByteRange does not leave exactly /Contents out');
    const hex = Buffer.from(gap.slice(1, -1), 'hex');
    out.push({
      range,
      subFilter: (/\/SubFilter\s*\/([^\s/<>\[\]]+)/.exec(dict) || [])[1] || '',
      filter: (/\/Filter\s*\/([^\s/<>\[\]]+)/.exec(dict) || [])[1] || '',
      contents: hex.subarray(0, derLength(hex)),
    });
  }
  return out;
}

function derLength(b) {
  if (b.length < 2) return b.length;
  const first = b[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
  return Math.min(b.length, 2 + n + len);
}

// ---------------------------------------------------------------- building (for the other direction)

function seqOf(items) {
  return new asn1js.Sequence({ value: items });
}

function der(block) {
  return Buffer.from(block.toBER(false));
}

function ia5(s) { return new asn1js.IA5String({ value: s }); }
function gtime(d) { return new asn1js.GeneralizedTime({ valueDate: d }); }
function bitString(b) { return new asn1js.BitString({ valueHex: toArrayBuffer(b), unusedBits: 0 }); }
function octetString(b) { return new asn1js.OctetString({ valueHex: toArrayBuffer(b) }); }

// DER(SES_SealInfo) for a v4 seal with certListType 1.
function buildSealInfo(o) {
  return der(seqOf([
    seqOf([ia5('ES'), new asn1js.Integer({ value: 4 }), ia5(o.vid)]),
    ia5(o.esID),
    seqOf([
      new asn1js.Integer({ value: o.type }),
      new asn1js.Utf8String({ value: o.name }),
      new asn1js.Integer({ value: 1 }),
      seqOf(o.signers.map(octetString)),
      gtime(o.createDate), gtime(o.validStart), gtime(o.validEnd),
    ]),
    seqOf([ia5('PNG'), octetString(o.picture), new asn1js.Integer({ value: o.widthMm }),
      new asn1js.Integer({ value: o.heightMm })]),
  ]));
}

// SESeal from already-encoded parts (so a test can sign whatever it likes).
function assembleSeal(sealInfoDer, makerCertDer, signedValue) {
  return der(seqOf([
    asn1js.fromBER(toArrayBuffer(sealInfoDer)).result,
    octetString(makerCertDer),
    new asn1js.ObjectIdentifier({ value: OID_SM2_SM3 }),
    bitString(signedValue),
  ]));
}

function buildTbsSign(sealDer, timeInfo, dataHash, propertyInfo) {
  return der(seqOf([
    new asn1js.Integer({ value: 4 }),
    asn1js.fromBER(toArrayBuffer(sealDer)).result,
    gtime(timeInfo),
    bitString(dataHash),
    ia5(propertyInfo),
  ]));
}

function assembleSignature(tbsDer, signerCertDer, signature) {
  return der(seqOf([
    asn1js.fromBER(toArrayBuffer(tbsDer)).result,
    octetString(signerCertDer),
    new asn1js.ObjectIdentifier({ value: OID_SM2_SM3 }),
    bitString(signature),
  ]));
}

// An SM2 key from an unencrypted PKCS#8 PEM (RFC 5208 / RFC 5915):
// PrivateKeyInfo { version, AlgorithmIdentifier, privateKey OCTET STRING
// (ECPrivateKey { version, privateKey OCTET STRING, [0] parameters, [1] publicKey BIT STRING }) }.
function keyFromPkcs8(pem) {
  const info = decode(pemToDer(pem));
  const pk = octets(info.valueBlock.value[2], 'privateKey');
  const ec = decode(pk);
  const d = octets(ec.valueBlock.value[1], 'ECPrivateKey.privateKey').toString('hex').padStart(64, '0');
  const pub = sm.sm2.getPublicKeyFromPrivateKey(d);
  return { privateHex: d, publicHex: pub };
}

module.exports = {
  OID_SM2_SM3, Refused, checkDer, sm3, sm2Sign, sm2Verify, parseCertificate, pemToDer, verifyChain,
  parseSeal, parseSealBlock, verifySeal, parseSignature, verifySignature, statedRange, pdfSignatures,
  buildSealInfo, assembleSeal, buildTbsSign, assembleSignature, keyFromPkcs8, seqOf, der,
  // for ses_v1.js
  decode, raw, want, seq, int, text, octets, bits, oid, toArrayBuffer, ia5, bitString, octetString,
};
