'use strict';
// GM/T 0031-2014 (v1) electronic seals and seal signatures: an independent
// reader, verifier and builder written from that standard's ASN.1 alone (it
// shares no code with Zhaoyin), on top of ses.js's DER, SM2/SM3 and X.509
// helpers. Zhaoyin only reads v1; this side builds it for Zhaoyin to verify.
//
// The ASN.1 (GM/T 0031-2014 §6.1 电子印章, §6.2 电子签章):
//   SESeal ::= SEQUENCE { esealInfo SES_SealInfo, signInfo SES_SignInfo }
//   SES_SealInfo ::= SEQUENCE { header SES_Header, esID IA5String,
//     property SES_ESPropertyInfo, picture SES_ESPictrueInfo, extDatas ExtensionDatas OPTIONAL }
//   SES_Header ::= SEQUENCE { ID IA5String ("ES"), version INTEGER, Vid IA5String }
//   SES_ESPropertyInfo ::= SEQUENCE { type INTEGER, name UTF8String,
//     certList SEQUENCE OF OCTET STRING, createDate UTCTime, validStart UTCTime, validEnd UTCTime }
//   SES_SignInfo ::= SEQUENCE { cert OCTET STRING, signatureAlgorithm OBJECT IDENTIFIER,
//     signData BIT STRING }  -- the maker's signature over SEQUENCE { esealInfo, cert, signatureAlgorithm }
//   SES_Signature ::= SEQUENCE { toSign TBS_Sign, signature BIT STRING }  -- over DER(toSign)
//   TBS_Sign ::= SEQUENCE { version INTEGER, eseal SESeal, timeInfo BIT STRING,
//     dataHash BIT STRING, propertyInfo IA5String, cert OCTET STRING,
//     signatureAlgorithm OBJECT IDENTIFIER }
// timeInfo "可以是时间戳，也可以是UTCTIME时间" (a time-stamp or a UTCTime): this
// reader takes the BIT STRING's octets as a DER UTCTime / GeneralizedTime, or
// the bare characters of one; anything else leaves the signing time unknown
// (null), and the signature is then checked at the verification time.
const asn1js = require('asn1js');
const ses = require('./ses');

const { Refused, raw, seq, int, text, octets, bits, oid } = ses;

function wrap(tag, content) {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff]
    : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
}

function utc(block, what) {
  return ses.want(block, asn1js.UTCTime, what).toDate();
}

// ---------------------------------------------------------------- reading

function parseSealV1Block(block) {
  const [info, signInfo] = seq(block, 2, 2, 'SESeal (v1)');
  const infoFields = seq(info, 4, 5, 'SES_SealInfo');
  const header = seq(infoFields[0], 3, 3, 'SES_Header');
  if (text(header[0], asn1js.IA5String, 'ID') !== 'ES') throw new Refused('malformed', 'header ID is not ES');
  const version = int(header[1], 'version');
  if (version < 1 || version > 3) throw new Refused('malformed', `header version ${version} in a v1 seal`);
  const prop = seq(infoFields[2], 6, 6, 'SES_ESPropertyInfo');
  const signers = ses.want(prop[2], asn1js.Sequence, 'certList').valueBlock.value.map((c) => octets(c, 'certificate'));
  const picture = seq(infoFields[3], 4, 4, 'SES_ESPictrueInfo');
  const [cert, alg, signData] = seq(signInfo, 3, 3, 'SES_SignInfo');
  return {
    version: 1,
    esID: text(infoFields[1], asn1js.IA5String, 'esID'),
    vid: text(header[2], asn1js.IA5String, 'Vid'),
    type: int(prop[0], 'type'),
    name: text(prop[1], asn1js.Utf8String, 'name'),
    certListType: 1,
    signers,
    digests: [],
    createDate: utc(prop[3], 'createDate'),
    validStart: utc(prop[4], 'validStart'),
    validEnd: utc(prop[5], 'validEnd'),
    pictureType: text(picture[0], asn1js.IA5String, 'picture type'),
    picture: octets(picture[1], 'picture data'),
    sealInfoDer: raw(info),
    // GM/T 0031: signData covers SEQUENCE { esealInfo, cert, signatureAlgorithm }, from the received bytes.
    makerSigned: wrap(0x30, Buffer.concat([raw(info), raw(cert), raw(alg)])),
    makerCert: octets(cert, 'cert'),
    signAlgID: oid(alg, 'signatureAlgorithm'),
    signedValue: bits(signData, 'signData'),
    der: raw(block),
  };
}

// timeInfo's octets → a Date, or null when they are not a plain UTC time.
function readTimeInfo(b) {
  if (b.length > 0 && (b[0] === 0x17 || b[0] === 0x18)) {
    try {
      ses.checkDer(b);
      const r = asn1js.fromBER(ses.toArrayBuffer(b));
      if (r.offset !== -1 && (r.result instanceof asn1js.UTCTime || r.result instanceof asn1js.GeneralizedTime)) {
        const s = Buffer.from(r.result.valueBlock.valueHexView).toString('latin1');
        return textTime(s);
      }
    } catch (e) {
      if (!(e instanceof Refused)) throw e;
    }
    return null;
  }
  return textTime(b.toString('latin1'));
}

// YYMMDDhhmmssZ or YYYYMMDDhhmmssZ (X.690 §11.7/§11.8 forms), else null.
function textTime(s) {
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return null;
  let year = Number(m[1]);
  if (m[1].length === 2) year += year < 50 ? 2000 : 1900;
  const [mo, d, h, mi, sec] = m.slice(2).map(Number);
  const date = new Date(Date.UTC(year, mo - 1, d, h, mi, sec));
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return null;
  return date;
}

function parseSignatureV1Block(top) {
  const [toSign, signature] = seq(top, 2, 2, 'SES_Signature (v1)');
  const f = seq(toSign, 7, 7, 'TBS_Sign (v1)');
  const version = int(f[0], 'TBS_Sign version');
  if (version < 1 || version > 3) throw new Refused('malformed', `TBS_Sign version ${version} in the v1 shape`);
  const timeOctets = bits(f[2], 'timeInfo');
  return {
    version: 1,
    seal: parseSealV1Block(f[1]),
    timeInfo: readTimeInfo(timeOctets),
    timeOctets,
    dataHash: bits(f[3], 'dataHash'),
    propertyInfo: text(f[4], asn1js.IA5String, 'propertyInfo'),
    cert: octets(f[5], 'cert'),
    signatureAlgID: oid(f[6], 'signatureAlgorithm'),
    tbsDer: raw(toSign),
    signature: bits(signature, 'signature'),
  };
}

// Either version, told apart by shape: a v4 SESeal has 4 elements, a v1 one 2;
// a v4 SES_Signature 4 or 5, a v1 one 2. A v1 signature must carry a v1 seal
// and a v4 one a v4 seal (ses.js refuses a v1 seal inside v4 by its shape).
function parseAnySeal(bytes) {
  const top = ses.decode(bytes);
  const n = ses.want(top, asn1js.Sequence, 'SESeal').valueBlock.value.length;
  return n === 2 ? parseSealV1Block(top) : ses.parseSealBlock(top);
}

function parseAnySignature(bytes) {
  const top = ses.decode(bytes);
  const n = ses.want(top, asn1js.Sequence, 'SES_Signature').valueBlock.value.length;
  return n === 2 ? parseSignatureV1Block(top) : ses.parseSignature(bytes);
}

// ---------------------------------------------------------------- building

function utcTime(d) {
  return new asn1js.UTCTime({ valueDate: d });
}

// DER(SES_SealInfo) of a v1 seal: header version 1, UTCTime dates, no certListType.
function buildSealInfoV1(o) {
  return ses.der(ses.seqOf([
    ses.seqOf([ses.ia5('ES'), new asn1js.Integer({ value: 1 }), ses.ia5(o.vid)]),
    ses.ia5(o.esID),
    ses.seqOf([
      new asn1js.Integer({ value: o.type }),
      new asn1js.Utf8String({ value: o.name }),
      ses.seqOf(o.signers.map(ses.octetString)),
      utcTime(o.createDate), utcTime(o.validStart), utcTime(o.validEnd),
    ]),
    ses.seqOf([ses.ia5('PNG'), ses.octetString(o.picture), new asn1js.Integer({ value: o.widthMm }),
      new asn1js.Integer({ value: o.heightMm })]),
  ]));
}

// What the maker signs: DER(SEQUENCE { esealInfo, cert OCTET STRING, signatureAlgorithm }).
function sealV1SignedBytes(sealInfoDer, makerCertDer) {
  return wrap(0x30, Buffer.concat([sealInfoDer, wrap(0x04, makerCertDer), ses.der(new asn1js.ObjectIdentifier({ value: ses.OID_SM2_SM3 }))]));
}

function assembleSealV1(sealInfoDer, makerCertDer, signData) {
  const signInfo = wrap(0x30, Buffer.concat([wrap(0x04, makerCertDer),
    ses.der(new asn1js.ObjectIdentifier({ value: ses.OID_SM2_SM3 })), wrap(0x03, Buffer.concat([Buffer.from([0]), signData]))]));
  return wrap(0x30, Buffer.concat([sealInfoDer, signInfo]));
}

// TBS_Sign from encoded parts; `timeOctets` are what goes inside the timeInfo
// BIT STRING, `propertyInfoTlv` the IA5String TLV (so a test can encode it loosely).
function buildTbsSignV1(sealDer, timeOctets, dataHash, propertyInfoTlv, signerCertDer, version = 1) {
  return wrap(0x30, Buffer.concat([
    ses.der(new asn1js.Integer({ value: version })),
    sealDer,
    wrap(0x03, Buffer.concat([Buffer.from([0]), timeOctets])),
    wrap(0x03, Buffer.concat([Buffer.from([0]), dataHash])),
    propertyInfoTlv,
    wrap(0x04, signerCertDer),
    ses.der(new asn1js.ObjectIdentifier({ value: ses.OID_SM2_SM3 })),
  ]));
}

function assembleSignatureV1(tbsDer, signature) {
  return wrap(0x30, Buffer.concat([tbsDer, wrap(0x03, Buffer.concat([Buffer.from([0]), signature]))]));
}

function utcTimeDer(d) {
  return ses.der(utcTime(d));
}

module.exports = {
  parseAnySeal, parseAnySignature, readTimeInfo, buildSealInfoV1, sealV1SignedBytes, assembleSealV1,
  buildTbsSignV1, assembleSignatureV1, utcTimeDer, wrap,
};
