package org.campusedge.city;

/**
 * Counters of what the northbound consumers received since start.
 *
 * @param received     every message handed to the dashboard
 * @param stored       CloudEvents stored for the first time
 * @param duplicates   CloudEvents whose school and id were already stored (not stored again)
 * @param unsupported  messages with a content type other than {@code application/cloudevents+json} (skipped)
 * @param malformed    CloudEvents that could not be read or whose data do not fit their type (skipped)
 * @param connects     Hono's empty notifications saying a gateway opened its command link
 * @param disconnects  Hono's empty notifications saying a gateway closed it
 * @param failures     messages that could not be written to the database (released, so Hono redelivers them)
 */
public record IngestStats(long received, long stored, long duplicates, long unsupported, long malformed,
                          long connects, long disconnects, long failures) {
}
