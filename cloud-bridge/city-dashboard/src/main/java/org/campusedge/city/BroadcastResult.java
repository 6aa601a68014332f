package org.campusedge.city;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A broadcast under way: its batch id (the {@code batch} of its rows in {@code commands}), the schools it went to,
 * and a future completing with every school's outcome once all have answered or timed out.
 *
 * @param batch      the batch id
 * @param schools    the schools, in order
 * @param completion all outcomes, by school
 */
public record BroadcastResult(String batch, List<String> schools, CompletableFuture<List<CommandRecord>> completion) {
}
