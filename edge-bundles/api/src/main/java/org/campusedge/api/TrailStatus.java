package org.campusedge.api;

/**
 * The tamper-evident trail of alarm transitions and audit records, as last checked: how many links
 * were checked, the head (the last link's number and hash, which the summaries carry to the city as
 * a witness), and the first broken link with what is wrong there ({@code brokenAt} 0: intact).
 */
public record TrailStatus(long links, long headSeq, String headHash, long brokenAt, String eventId, String problem) {

    public boolean intact() {
        return brokenAt == 0;
    }
}
