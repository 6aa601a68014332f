package org.campusedge.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Address parsing and Hono's device-facing reply-to encoding. */
class AddressParserTest {

    @Test
    void parsesHonoAddresses() {
        assertEquals(new Address("telemetry", null, null, null), AddressParser.parse("telemetry"));
        assertEquals(new Address("telemetry", null, "dev", "dev"), AddressParser.parse("telemetry//dev"));
        assertEquals(new Address("event", "t", "dev", "dev"), AddressParser.parse("event/t/dev"));
        assertEquals(new Address("event", "t", null, null), AddressParser.parse("e/t"));
        assertEquals(new Address("command_response", "t", "dev", "dev/0abc/x"),
                AddressParser.parse("command_response/t/dev/0abc/x"));
        assertEquals("telemetry//dev", AddressParser.parse("telemetry//dev").toString());
        assertNull(AddressParser.parse(""));
        assertNull(AddressParser.parse(null));
        assertNull(AddressParser.parse("foo/t/d"));
    }

    @Test
    void replyToRoundTrip() {
        assertEquals("command_response/t/dev/0abc", CommandRouter.deviceFacingReplyTo("t", "dev", "abc"));
        assertEquals("command_response/t/dev/1abc", CommandRouter.deviceFacingReplyTo("t", "dev", "dev/abc"));
        assertEquals("abc", CommandRouter.originalReplyToId("dev/0abc", "dev"));
        assertEquals("dev/abc", CommandRouter.originalReplyToId("dev/1abc", "dev"));
        assertNull(CommandRouter.originalReplyToId("other/0abc", "dev"));
        assertNull(CommandRouter.originalReplyToId("dev/xabc", "dev"));
        assertNull(CommandRouter.originalReplyToId("dev/0", "dev"));
    }
}
