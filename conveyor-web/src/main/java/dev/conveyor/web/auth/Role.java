package dev.conveyor.web.auth;

/** What a logged-in user may do. */
public enum Role {
    /** Sees every page and reads the API; changes nothing. */
    VIEWER("read-only"),
    /** Also re-drives, cancels, deletes and purges jobs, and pauses queues and schedules. */
    OPERATOR("operator");

    private final String label;

    Role(String label) {
        this.label = label;
    }

    /** How the role is shown. */
    public String label() {
        return label;
    }

    /** True when this role may change things. */
    public boolean canOperate() {
        return this == OPERATOR;
    }
}
