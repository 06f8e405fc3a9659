package org.careline.wechat;

/** The account this instance serves: the configured one, or the sandbox's made-up one. */
public record WeChatIdentity(String appId, String secret, String token, String aesKey, String previousAesKey) {}
