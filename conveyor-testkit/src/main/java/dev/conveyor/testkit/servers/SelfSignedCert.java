package dev.conveyor.testkit.servers;

import java.nio.file.Path;
import java.util.List;

/**
 * A self-signed certificate for 127.0.0.1 (subject alternative name {@code IP:127.0.0.1}, valid 2 days), made with
 * the machine's {@code openssl}: the server's certificate and the client's trusted root at once.
 *
 * @param cert the certificate (PEM)
 * @param key  its private key (PEM, unencrypted)
 */
public record SelfSignedCert(Path cert, Path key) {
    /** Writes {@code name.crt} and {@code name.key} into {@code dir}. */
    public static SelfSignedCert create(Path dir, String name) {
        Path cert = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        PrivateServer.run(List.of(PrivateServer.binary("openssl", "openssl", "/usr/bin", "/usr/local/bin"), "req",
                "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"), null);
        return new SelfSignedCert(cert, key);
    }
}
