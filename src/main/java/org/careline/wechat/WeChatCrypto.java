package org.careline.wechat;

import me.chanjar.weixin.common.error.WxRuntimeException;
import me.chanjar.weixin.common.util.crypto.WxCryptUtil;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * WeChat's safe mode (安全模式): AES-256-CBC with IV = the key's first 16 bytes; the plaintext is
 * 16 random bytes, the message length (4 bytes, big-endian), the UTF-8 message and the app id, padded
 * PKCS#7-style to a multiple of 32 bytes (WeChat's block size for padding, not AES's 16).
 * Thread-safe: a {@link Cipher} is made per call.
 * <p>
 * Replies are encrypted by WxJava's {@link WxCryptUtil}, given random bytes from {@link SecureRandom} (its own
 * come from {@code java.util.Random}). Decryption stays ours: WxJava 4.7.9.B's {@code decrypt} never compares
 * the app id inside the ciphertext with the account's (the check is commented out), accepts any padding
 * (an invalid pad byte counts as none), compares {@code msg_signature} with {@code String.equals}, knows one
 * key only (no previous key during a rotation) and throws one {@code WxRuntimeException} for every failure.
 */
public final class WeChatCrypto {

    private static final int RANDOM_BYTES = 16;
    private static final int PAD_BLOCK = 32;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The random prefix is 16 characters of this alphabet, as in WeChat's sample code. */
    private static final String RANDOM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final String token;
    private final String appId;
    private final byte[] appIdBytes;
    private final AesKey current;
    private final AesKey previous;
    private final WxCryptUtil replies;

    /**
     * @param encodingAesKey         the EncodingAESKey set in the WeChat console (43 characters)
     * @param previousEncodingAesKey the key before the last rotation, or null; messages WeChat encrypted
     *                               with it are still accepted while the rotation settles
     * @throws IllegalArgumentException naming what is wrong with an argument (never its value)
     */
    public WeChatCrypto(String token, String appId, String encodingAesKey, String previousEncodingAesKey) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("WeChat token is missing");
        }
        if (appId == null || appId.isBlank()) {
            throw new IllegalArgumentException("WeChat app id is missing");
        }
        this.token = token;
        this.appId = appId;
        this.appIdBytes = appId.getBytes(StandardCharsets.UTF_8);
        this.current = AesKey.of(encodingAesKey, "EncodingAESKey");
        this.previous = previousEncodingAesKey == null || previousEncodingAesKey.isBlank()
                ? null
                : AesKey.of(previousEncodingAesKey, "previous EncodingAESKey");
        this.replies = new WxCryptUtil(token, encodingAesKey, appId);
    }

    public WeChatCrypto(String token, String appId, String encodingAesKey) {
        this(token, appId, encodingAesKey, null);
    }

    /**
     * Decrypts one {@code Encrypt} value to the message XML, with the current key and then the previous one.
     * WeChat's scheme has no MAC, so a tampered ciphertext may still decrypt: a callback body must go through
     * {@link #decryptRequest}, whose msg_signature check is what detects tampering.
     *
     * @throws WeChatProtocolException if it does not decrypt or carries another app id
     */
    public String decrypt(String encryptBase64) {
        byte[] cipherText = decodeCipherText(encryptBase64);
        try {
            return decryptWith(current, cipherText);
        } catch (WeChatProtocolException withCurrent) {
            if (previous == null) {
                throw withCurrent;
            }
            try {
                return decryptWith(previous, cipherText);
            } catch (WeChatProtocolException withPrevious) {
                throw withCurrent;
            }
        }
    }

    /** Encrypts a reply with the current key and a fresh random prefix; the result is base64. */
    public String encrypt(String xml) {
        byte[] random = new byte[RANDOM_BYTES];
        for (int i = 0; i < RANDOM_BYTES; i++) {
            random[i] = (byte) RANDOM_ALPHABET.charAt(RANDOM.nextInt(RANDOM_ALPHABET.length()));
        }
        return encrypt(xml, random);
    }

    /**
     * {@link #encrypt(String)} with a given "random" prefix (16 ASCII bytes), so tests can match published
     * vectors.
     */
    public String encrypt(String xml, byte[] random16) {
        Objects.requireNonNull(xml, "xml");
        if (random16 == null || random16.length != RANDOM_BYTES) {
            throw new IllegalArgumentException("safe mode needs exactly 16 random bytes");
        }
        for (byte b : random16) {
            // WxJava takes the prefix as a String and encodes it as UTF-8: only ASCII keeps it 16 bytes.
            if (b < 0) {
                throw new IllegalArgumentException("the random prefix must be ASCII");
            }
        }
        try {
            return replies.encrypt(new String(random16, StandardCharsets.US_ASCII), xml);
        } catch (WxRuntimeException e) {
            throw new WeChatProtocolException("AES encryption failed");
        }
    }

    /** The whole safe-mode reply body: the encrypted reply with its msg_signature, timestamp and nonce. */
    public String encryptedReply(String replyXml, String timestamp, String nonce) {
        if (timestamp == null || !timestamp.chars().allMatch(c -> c >= '0' && c <= '9') || timestamp.isEmpty()) {
            throw new IllegalArgumentException("timestamp must be digits");
        }
        if (nonce == null || nonce.isBlank()) {
            throw new IllegalArgumentException("nonce is missing");
        }
        String encrypt = encrypt(replyXml);
        String signature = WeChatSignature.sign(token, timestamp, nonce, encrypt);
        return "<xml>"
                + "<Encrypt>" + ReplyXml.cdata(encrypt) + "</Encrypt>"
                + "<MsgSignature>" + ReplyXml.cdata(signature) + "</MsgSignature>"
                + "<TimeStamp>" + timestamp + "</TimeStamp>"
                + "<Nonce>" + ReplyXml.cdata(nonce) + "</Nonce>"
                + "</xml>";
    }

    /**
     * Reads a safe-mode callback body: checks {@code msg_signature} over (token, timestamp, nonce, Encrypt),
     * then decrypts. The timestamp's freshness is the caller's check.
     *
     * @throws WeChatProtocolException on bad XML, a wrong signature or a ciphertext that does not decrypt
     */
    public String decryptRequest(String envelopeXml, String msgSignature, String timestamp, String nonce) {
        String encrypt = InboundXml.envelope(envelopeXml).encrypt();
        if (!WeChatSignature.verifyMsgSignature(token, timestamp, nonce, encrypt, msgSignature)) {
            throw WeChatProtocolException.unauthentic("msg_signature does not match");
        }
        return decrypt(encrypt);
    }

    private String decryptWith(AesKey key, byte[] cipherText) {
        byte[] plain = aes(Cipher.DECRYPT_MODE, key, cipherText);
        int pad = plain[plain.length - 1] & 0xFF;
        if (pad < 1 || pad > PAD_BLOCK || pad > plain.length) {
            throw new WeChatProtocolException("ciphertext padding is invalid");
        }
        for (int i = plain.length - pad; i < plain.length; i++) {
            if ((plain[i] & 0xFF) != pad) {
                throw new WeChatProtocolException("ciphertext padding is invalid");
            }
        }
        int end = plain.length - pad;
        if (end < RANDOM_BYTES + 4) {
            throw new WeChatProtocolException("decrypted message is too short");
        }
        int length = ByteBuffer.wrap(plain, RANDOM_BYTES, 4).getInt();
        int messageStart = RANDOM_BYTES + 4;
        if (length < 0 || length > end - messageStart) {
            throw new WeChatProtocolException("decrypted message length is invalid");
        }
        byte[] foundAppId = Arrays.copyOfRange(plain, messageStart + length, end);
        // WeChat puts the app id inside the ciphertext so a message for another account is refused.
        if (!MessageDigest.isEqual(foundAppId, appIdBytes)) {
            throw new WeChatProtocolException("app id inside the message does not match");
        }
        return new String(plain, messageStart, length, StandardCharsets.UTF_8);
    }

    private static byte[] decodeCipherText(String encryptBase64) {
        if (encryptBase64 == null || encryptBase64.isBlank()) {
            throw new WeChatProtocolException("Encrypt is empty");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(encryptBase64.strip());
        } catch (IllegalArgumentException e) {
            throw new WeChatProtocolException("Encrypt is not valid base64");
        }
        if (bytes.length == 0 || bytes.length % 16 != 0) {
            throw new WeChatProtocolException("Encrypt is not a whole number of AES blocks");
        }
        return bytes;
    }

    private static byte[] aes(int mode, AesKey key, byte[] input) {
        try {
            // NoPadding: WeChat pads to 32 bytes itself, which the JDK's PKCS5Padding (16) would not accept.
            Cipher cipher = Cipher.getInstance("AES/CBC/NoPadding");
            cipher.init(mode, key.spec, key.iv);
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new WeChatProtocolException("AES " + (mode == Cipher.ENCRYPT_MODE ? "encryption" : "decryption")
                    + " failed");
        }
    }

    private record AesKey(SecretKeySpec spec, IvParameterSpec iv) {

        /**
         * The EncodingAESKey is the AES key in base64 without its trailing "=". Its 43rd character carries
         * 4 unused bits that WeChat does not zero, so the decoder must ignore them (strict decoders, such as
         * commons-codec before 1.15, refuse most real keys).
         */
        static AesKey of(String encodingAesKey, String name) {
            if (encodingAesKey == null || encodingAesKey.isBlank()) {
                throw new IllegalArgumentException(name + " is missing");
            }
            if (encodingAesKey.length() != 43) {
                throw new IllegalArgumentException(
                        name + " must be 43 characters, but has " + encodingAesKey.length());
            }
            for (int i = 0; i < encodingAesKey.length(); i++) {
                char c = encodingAesKey.charAt(i);
                boolean base64 = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                        || c == '+' || c == '/';
                if (!base64) {
                    throw new IllegalArgumentException(
                            name + " has a character that is not base64 at position " + (i + 1));
                }
            }
            byte[] key = Base64.getDecoder().decode(encodingAesKey + "=");
            if (key.length != 32) {
                throw new IllegalArgumentException(name + " does not decode to 32 bytes");
            }
            return new AesKey(new SecretKeySpec(key, "AES"), new IvParameterSpec(key, 0, 16));
        }
    }
}
