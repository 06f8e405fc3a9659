package org.careline.config;

/** A configuration value is missing or wrong; the message names the key, its variable and the problem. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
