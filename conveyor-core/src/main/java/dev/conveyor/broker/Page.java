package dev.conveyor.broker;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items      the page
 * @param nextCursor pass as {@link JobQuery#afterId()} to read on, or null when this is the last page
 */
public record Page<T>(List<T> items, String nextCursor) {
    public Page {
        items = List.copyOf(items);
    }
}
