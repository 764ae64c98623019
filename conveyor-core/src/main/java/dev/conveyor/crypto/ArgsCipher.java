package dev.conveyor.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts the args of tasks marked {@link dev.conveyor.Task.Builder#encryptArgs()} with AES-256-GCM, so the
 * broker, its backups and the dashboard hold only ciphertext. Each ciphertext names the key that sealed it, so
 * keys rotate: add a new key as the current one, keep the old ones until no job sealed with them is left.
 *
 * <p>On the wire the job's {@code args} become one JSON object, {@code {"$encrypted":"v1.<key id>.<iv>.<ciphertext>"}}
 * (base64url, no padding); the task name is bound to the ciphertext as associated data, so sealed args cannot be
 * moved to another task. Tampering, a wrong key or an unknown key id fail with {@link ArgsCipherException}.
 *
 * <pre>{@code
 * ArgsCipher cipher = ArgsCipher.parse(System.getenv("CONVEYOR_ARGS_KEYS"));   // "k2:<base64 key>,k1:<base64 key>"
 * Conveyor conveyor = Conveyor.builder().broker(url).argsCipher(cipher)
 *         .task(Task.named("pay", Payment.class).encryptArgs().action(p -> charge(p)))
 *         .build();
 * }</pre>
 *
 * Generate a key with {@link #newKey()} or {@code head -c 32 /dev/urandom | base64}.
 */
public final class ArgsCipher {
    /** The single field of an encrypted args object. */
    public static final String FIELD = "$encrypted";
    private static final String VERSION = "v1";
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern SEALED = Pattern.compile(
            "\\{\\s*\"\\$encrypted\"\\s*:\\s*\"(v1)\\.([A-Za-z0-9_-]{1,32})\\.([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)\"\\s*}");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final Map<String, SecretKeySpec> keys;
    private final String currentId;
    private final SecureRandom random = new SecureRandom();

    private ArgsCipher(Map<String, SecretKeySpec> keys, String currentId) {
        this.keys = keys;
        this.currentId = currentId;
    }

    /**
     * A cipher with these keys (id → 32 raw bytes); {@code currentId} seals, all of them open.
     *
     * @throws IllegalArgumentException a key is not 32 bytes, an id is not 1–32 of {@code [A-Za-z0-9_-]}, or
     *                                  {@code currentId} is not among the keys
     */
    public static ArgsCipher of(Map<String, byte[]> keys, String currentId) {
        Objects.requireNonNull(keys, "keys");
        Map<String, SecretKeySpec> specs = new LinkedHashMap<>();
        keys.forEach((id, key) -> {
            if (id == null || !KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException("key id '" + id + "' must be 1 to 32 of A-Z a-z 0-9 _ -");
            }
            if (key == null || key.length != 32) {
                throw new IllegalArgumentException("key '" + id + "' must be 32 bytes (AES-256), was "
                        + (key == null ? "missing" : key.length + " bytes"));
            }
            specs.put(id, new SecretKeySpec(key.clone(), "AES"));
        });
        if (!specs.containsKey(currentId)) {
            throw new IllegalArgumentException("the current key id '" + currentId + "' is not among the keys " + specs.keySet());
        }
        return new ArgsCipher(Map.copyOf(specs), currentId);
    }

    /**
     * Reads keys written as {@code id:base64key,id:base64key}; the first one seals. Whitespace around entries is
     * ignored. The keys are never part of an error message.
     */
    public static ArgsCipher parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw new IllegalArgumentException("no args encryption keys given; write them as id:base64key[,id:base64key…]");
        }
        Map<String, byte[]> keys = new LinkedHashMap<>();
        String first = null;
        for (String entry : spec.split(",")) {
            String e = entry.trim();
            int colon = e.indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("an args encryption key entry is not id:base64key");
            String id = e.substring(0, colon).trim();
            byte[] key;
            try {
                key = Base64.getMimeDecoder().decode(e.substring(colon + 1).trim().replace('-', '+').replace('_', '/'));
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("args encryption key '" + id + "' is not base64");
            }
            if (keys.put(id, key) != null) throw new IllegalArgumentException("args encryption key '" + id + "' is given twice");
            if (first == null) first = id;
        }
        return of(keys, first);
    }

    /** A new random 32-byte key, base64: for {@link #parse} or a secret store. */
    public static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    /** The id of the key that seals. */
    public String currentKeyId() {
        return currentId;
    }

    /** True if {@code argsJson} is a sealed args object (of any key). */
    public static boolean isSealed(String argsJson) {
        return argsJson != null && sealed(argsJson) != null;
    }

    /** Seals the args JSON of a job of {@code task} with the current key. */
    public String seal(String task, String argsJson) {
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(currentId), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(task.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = c.doFinal(argsJson.getBytes(StandardCharsets.UTF_8));
            return "{\"" + FIELD + "\":\"" + VERSION + "." + currentId + "." + B64.encodeToString(iv) + "."
                    + B64.encodeToString(sealed) + "\"}";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * Opens sealed args of a job of {@code task}; args that are not sealed are returned as they are.
     *
     * @throws ArgsCipherException unknown key id, wrong key, other task, or tampered ciphertext
     */
    public String open(String task, String argsJson) {
        Matcher m = sealed(argsJson);
        if (m == null) return argsJson;
        return openMatched(this, task, m);
    }

    /**
     * The match of sealed args, or null for args that are not sealed: most are not, and they are told apart without
     * a regex matcher (it was ~0.5 % of a worker's CPU at full load, for every job).
     */
    private static Matcher sealed(String argsJson) {
        if (!argsJson.contains("\"$encrypted\"")) return null;
        Matcher m = SEALED.matcher(argsJson);
        return m.matches() ? m : null;
    }

    /**
     * Opens sealed args with {@code cipher}, which may be null (no keys here): then sealed args fail with a
     * message saying how to configure keys. Args that are not sealed are returned as they are.
     */
    public static String open(ArgsCipher cipher, String task, String argsJson) {
        Matcher m = sealed(argsJson);
        if (m == null) return argsJson;
        if (cipher == null) {
            throw new ArgsCipherException("the args of task '" + task + "' are encrypted (key '" + m.group(2)
                    + "') and this worker has no args keys: configure Conveyor.builder().argsCipher(...) "
                    + "(the conveyor command reads CONVEYOR_ARGS_KEYS)");
        }
        return openMatched(cipher, task, m);
    }

    private static String openMatched(ArgsCipher cipher, String task, Matcher m) {
        String kid = m.group(2);
        SecretKeySpec key = cipher.keys.get(kid);
        if (key == null) {
            throw new ArgsCipherException("the args of task '" + task + "' were encrypted with key '" + kid
                    + "', which this worker does not have (it has " + cipher.keys.keySet() + ")");
        }
        try {
            byte[] iv = B64D.decode(m.group(3));
            if (iv.length != IV_BYTES) throw new ArgsCipherException("encrypted args of task '" + task + "': bad nonce");
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(task.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(B64D.decode(m.group(4))), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new ArgsCipherException("the args of task '" + task + "' do not open with key '" + kid
                    + "': wrong key, sealed for another task, or altered");
        } catch (IllegalArgumentException e) {
            throw new ArgsCipherException("encrypted args of task '" + task + "' are not valid base64");
        } catch (GeneralSecurityException e) {
            throw new ArgsCipherException("the args of task '" + task + "' could not be decrypted: " + e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "ArgsCipher[AES-256-GCM, current key '" + currentId + "', keys " + keys.keySet() + "]"; // never the keys
    }
}
