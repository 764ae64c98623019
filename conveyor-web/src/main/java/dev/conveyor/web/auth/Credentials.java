package dev.conveyor.web.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The dashboard's logins: API tokens and user/password pairs, each with a role. Secrets are kept only as SHA-256
 * digests and compared in constant time ({@link MessageDigest#isEqual}), so neither a heap dump nor response
 * timing gives them away. Immutable once built.
 */
public final class Credentials {
    private record Entry(String name, byte[] user, byte[] secret, Role role) {}

    private final List<Entry> tokens;
    private final List<Entry> users;

    private Credentials(List<Entry> tokens, List<Entry> users) {
        this.tokens = List.copyOf(tokens);
        this.users = List.copyOf(users);
    }

    /** True when no token and no user is configured. */
    public boolean isEmpty() {
        return tokens.isEmpty() && users.isEmpty();
    }

    /** The principal a bearer token stands for, if it is one of ours. */
    public Optional<Principal> byToken(String token) {
        if (token == null || token.isEmpty()) return Optional.empty();
        byte[] digest = sha256(token);
        Entry match = null;
        for (Entry e : tokens) if (MessageDigest.isEqual(e.secret(), digest)) match = e; // no early exit: same time
        return Optional.ofNullable(match).map(e -> new Principal(e.name(), e.role()));
    }

    /** The principal of a user whose password matches. */
    public Optional<Principal> byPassword(String user, String password) {
        if (user == null || password == null) return Optional.empty();
        byte[] u = sha256(user);
        byte[] p = sha256(password);
        Entry match = null;
        for (Entry e : users) {
            boolean ok = MessageDigest.isEqual(e.user(), u) & MessageDigest.isEqual(e.secret(), p);
            if (ok) match = e;
        }
        return Optional.ofNullable(match).map(e -> new Principal(e.name(), e.role()));
    }

    /** A new random token: 32 bytes from {@link SecureRandom}, base64url. */
    public static String randomToken() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects tokens and users. */
    public static final class Builder {
        private final List<Entry> tokens = new ArrayList<>();
        private final List<Entry> users = new ArrayList<>();

        /** A bearer token (also accepted on the login page) with a role; {@code label} names it in the audit log. */
        public Builder token(String label, String token, Role role) {
            if (token == null || token.length() < 16) {
                throw new IllegalArgumentException("a dashboard token must have at least 16 characters");
            }
            tokens.add(new Entry("token:" + label, null, sha256(token), role));
            return this;
        }

        /** A user who logs in with a password. */
        public Builder user(String name, String password, Role role) {
            if (name == null || name.isBlank()) throw new IllegalArgumentException("user name must not be empty");
            if (password == null || password.length() < 8) {
                throw new IllegalArgumentException("password of user '" + name + "' must have at least 8 characters");
            }
            users.add(new Entry(name, sha256(name), sha256(password), role));
            return this;
        }

        public Credentials build() {
            return new Credentials(tokens, users);
        }
    }
}
