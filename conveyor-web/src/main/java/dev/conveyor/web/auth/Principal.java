package dev.conveyor.web.auth;

import java.util.Objects;

/**
 * Who made a request: a user name (or {@code token:<label>} for a token) and a role. Written to the audit log.
 *
 * @param name who
 * @param role what they may do
 */
public record Principal(String name, Role role) {
    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(role, "role");
    }
}
