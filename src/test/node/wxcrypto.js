#!/usr/bin/env node
// Independent safe-mode client for WeChatCryptoCrossCheckTest, built on npm wechat-crypto.
//   node wxcrypto.js encrypt <token> <aesKey> <appId> [timestamp] [nonce]   (xml on stdin)
//     -> {"encrypt","signature","timestamp","nonce"}
//   node wxcrypto.js decrypt <token> <aesKey> <appId> <timestamp> <nonce> <signature>   (Encrypt on stdin)
//     -> {"message","id","signatureValid"}
'use strict';
const fs = require('fs');
const WXBizMsgCrypt = require('wechat-crypto');

function main(argv) {
  const [command, token, aesKey, appId, ...rest] = argv;
  if (!command || !token || !aesKey || !appId) {
    throw new Error('usage: wxcrypto.js encrypt|decrypt <token> <aesKey> <appId> ...');
  }
  const crypto = new WXBizMsgCrypt(token, aesKey, appId);
  const input = fs.readFileSync(0, 'utf8');
  if (command === 'encrypt') {
    const timestamp = rest[0] || String(Math.floor(Date.now() / 1000));
    const nonce = rest[1] || String(Math.floor(Math.random() * 1e9));
    const encrypt = crypto.encrypt(input);
    return { encrypt, signature: crypto.getSignature(timestamp, nonce, encrypt), timestamp, nonce };
  }
  if (command === 'decrypt') {
    const [timestamp, nonce, signature] = rest;
    const encrypt = input.trim();
    const signatureValid = crypto.getSignature(timestamp, nonce, encrypt) === signature;
    const { message, id } = crypto.decrypt(encrypt);
    return { message, id, signatureValid };
  }
  throw new Error('unknown command: ' + command);
}

try {
  process.stdout.write(JSON.stringify(main(process.argv.slice(2))));
} catch (e) {
  process.stderr.write(String(e && e.message ? e.message : e) + '\n');
  process.exit(2);
}
