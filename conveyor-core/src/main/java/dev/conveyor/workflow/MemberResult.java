package dev.conveyor.workflow;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One member's outcome in a group with {@link Flow.OnFailure#PARTIAL}: a chord callback of such a group takes
 * {@code MemberResult[]} (in member order) as its args.
 *
 * <pre>{@code
 * Task<MemberResult[], Integer> countOk = Task.named("count_ok", MemberResult[].class, Integer.class)
 *         .handler(rs -> (int) Arrays.stream(rs).filter(MemberResult::ok).count());
 * }</pre>
 *
 * @param ok     true when the member succeeded
 * @param result its result (JSON; null when it failed or returned nothing)
 * @param error  when it failed: which step failed and why ({@code "node 0.1.3 (task resize, job …): …"})
 */
public record MemberResult(boolean ok, JsonNode result, String error) {}
