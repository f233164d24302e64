// An independent display code reader, verifier and maker, written from
// docs/PROTOCOL.md §6 alone: sm-crypto for SM2/SM3 (ID 1234567812345678, given
// explicitly), Node's own X.509 parser for the holder certificate's key.
//
//   node display.js verify CODE_OR_URL WALLET_FILE
//       decodes the code, checks that its serial is the certificate's and that
//       the signature verifies with the certificate's public key; prints JSON
//       {ok, serial, issued_at, display_id, grant_digest, label}; exit 1 if not ok.
//   node display.js make WALLET_FILE PASSWORD LABEL
//       makes a code with the wallet's key (decrypted by Node from the
//       PKCS#8 file) and prints its text.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const sm = require('sm-crypto');

const PREFIX = 'ZYD1';
const CONTEXT = Buffer.from('zhaoyin-display/1', 'ascii');
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';  // RFC 4648 §6
const SM2_ID = '1234567812345678';

function base32Decode(text) {
  let bits = 0, value = 0;
  const out = [];
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error('character outside the base32 alphabet: ' + ch);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  if (bits >= 5 || (value & ((1 << bits) - 1)) !== 0) throw new Error('non-zero padding bits');
  return Buffer.from(out);
}

function base32Encode(bytes) {
  let bits = 0, value = 0, out = '';
  for (const b of bytes) {
    value = ((value << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

// The layout of §6.1, field by field.
function parse(text) {
  text = text.trim();
  const at = text.lastIndexOf('/v/');
  if (at >= 0) text = text.slice(at + 3);
  text = text.toUpperCase();
  if (!text.startsWith(PREFIX)) throw new Error('not a display code');
  const b = base32Decode(text.slice(PREFIX.length));
  let p = 0;
  const take = (n) => {
    if (p + n > b.length) throw new Error('truncated');
    const s = b.subarray(p, p + n);
    p += n;
    return s;
  };
  if (take(1)[0] !== 1) throw new Error('version');
  const serialLength = take(1)[0];
  const serial = take(serialLength);
  const issuedAt = take(4).readUInt32BE(0);
  const displayId = take(12);
  const grantDigest = take(8);
  const labelLength = take(1)[0];
  if (labelLength > 64) throw new Error('label too long');
  const label = take(labelLength);
  const signedEnd = p;
  const signature = take(64);
  if (p !== b.length) throw new Error('trailing bytes');
  return {
    serial: serial.toString('hex').toUpperCase().replace(/^(00)+(?=..)/, ''),
    issuedAt, displayId, grantDigest, label: new TextDecoder('utf-8', { fatal: true }).decode(label),
    signed: Buffer.concat([CONTEXT, b.subarray(0, signedEnd)]), signature,
  };
}

function walletKeys(walletFile, password) {
  const w = JSON.parse(fs.readFileSync(walletFile, 'utf8'));
  const cert = new crypto.X509Certificate(w.certificate);
  // SubjectPublicKeyInfo ends with the uncompressed point 04 || x || y.
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const publicHex = spki.subarray(spki.length - 65).toString('hex');
  const keys = { wallet: w, serial: cert.serialNumber.toUpperCase().replace(/^(00)+(?=..)/, ''), publicHex };
  if (password !== undefined) {
    // PKCS#8 → ECPrivateKey (RFC 5915): INTEGER 1, OCTET STRING (32) privateKey.
    const der = crypto.createPrivateKey({ key: w.private_key, passphrase: password })
      .export({ type: 'pkcs8', format: 'der' });
    const marker = der.indexOf(Buffer.from('0201010420', 'hex'));
    if (marker < 0) throw new Error('no EC private key in the PKCS#8 structure');
    keys.privateHex = der.subarray(marker + 5, marker + 37).toString('hex');
  }
  return keys;
}

// First 8 bytes of SM3 over the grant's payload bytes (base64url-decoded); zeros without a grant.
function grantDigest(grant) {
  if (!grant) return Buffer.alloc(8);
  const payload = Buffer.from(grant.payload, 'base64url');
  return Buffer.from(sm.sm3(Array.from(payload)), 'hex').subarray(0, 8);
}

function verify(codeText, walletFile) {
  const code = parse(codeText);
  const keys = walletKeys(walletFile);
  const ok = code.serial === keys.serial &&
    sm.sm2.doVerifySignature(Array.from(code.signed), code.signature.toString('hex'), keys.publicHex,
                             { der: false, hash: true, userId: SM2_ID });
  console.log(JSON.stringify({
    ok, serial: code.serial, issued_at: code.issuedAt, display_id: code.displayId.toString('hex'),
    grant_digest: code.grantDigest.toString('hex'), label: code.label,
  }));
  process.exitCode = ok ? 0 : 1;
}

function make(walletFile, password, label) {
  const keys = walletKeys(walletFile, password);
  const serial = Buffer.from(keys.serial.length % 2 ? '0' + keys.serial : keys.serial, 'hex');
  const labelBytes = Buffer.from(label, 'utf8');
  if (labelBytes.length > 64) throw new Error('label too long');
  const issued = Buffer.alloc(4);
  issued.writeUInt32BE(Math.floor(Date.now() / 1000));
  const body = Buffer.concat([
    Buffer.from([1, serial.length]), serial, issued, crypto.randomBytes(12), grantDigest(keys.wallet.grant),
    Buffer.from([labelBytes.length]), labelBytes,
  ]);
  const signatureHex = sm.sm2.doSignature(Array.from(Buffer.concat([CONTEXT, body])), keys.privateHex,
                                          { der: false, hash: true, publicKey: keys.publicHex, userId: SM2_ID });
  if (signatureHex.length !== 128) throw new Error('r||s is not 64 bytes');
  console.log(PREFIX + base32Encode(Buffer.concat([body, Buffer.from(signatureHex, 'hex')])));
}

const [verb, ...args] = process.argv.slice(2);
if (verb === 'verify') verify(args[0], args[1]);
else if (verb === 'make') make(args[0], args[1], args[2]);
else {
  console.error('usage: display.js verify CODE WALLET | make WALLET PASSWORD LABEL');
  process.exitCode = 2;
}
