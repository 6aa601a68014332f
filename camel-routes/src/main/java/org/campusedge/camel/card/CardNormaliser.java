package org.campusedge.camel.card;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.campusedge.api.CampusEvent;
import org.campusedge.api.Device;
import org.campusedge.api.DeviceRegistry;
import org.campusedge.api.EventIds;
import org.campusedge.api.RejectedInputException;
import org.campusedge.api.RejectedInputException.Reason;
import org.campusedge.api.Severity;

/**
 * Turns a reader's {@link Swipe} into a {@code card.swipe} (granted) or {@code card.denied} event.
 * The card number becomes its pseudonym here, before the event exists; the id is derived from the
 * reader, its sequence number and the swipe time, so a swipe re-sent after a reconnect is stored
 * once.
 */
public final class CardNormaliser implements Processor {

    private final DeviceRegistry registry;
    private final CardPseudonymiser pseudonymiser;

    public CardNormaliser(DeviceRegistry registry, CardPseudonymiser pseudonymiser) {
        this.registry = registry;
        this.pseudonymiser = pseudonymiser;
    }

    @Override
    public void process(Exchange exchange) {
        Swipe s = exchange.getIn().getBody(Swipe.class);
        Device reader = registry.device(s.readerId()).orElseThrow(() ->
                new RejectedInputException(Reason.UNKNOWN_DEVICE, "reader '" + s.readerId() + "' is not in the inventory"));
        exchange.getIn().setBody(List.of(event(reader, s, Instant.now())));
    }

    private Map<String, String> attributes(Swipe s, String direction) {
        Instant at = Instant.ofEpochMilli(s.timeMillis());
        String period = pseudonymiser.period(at);
        Map<String, String> a = new java.util.LinkedHashMap<>();
        a.put("card", pseudonymiser.pseudonym(s.cardNumber(), at));
        if (!period.isEmpty()) {
            a.put("cardPeriod", period); // the pseudonym holds within this period only
        }
        a.put("direction", direction);
        a.put("seq", Long.toString(s.seq()));
        return a;
    }

    CampusEvent event(Device reader, Swipe s, Instant now) {
        String direction = switch (s.direction()) {
            case 'I' -> "in";
            case 'O' -> "out";
            default -> "none";
        };
        return CampusEvent.builder()
                .id(EventIds.forKey(s.timeMillis(), reader.id() + "|" + s.seq() + "|" + s.timeMillis()))
                .device(reader)
                .kind(s.granted() ? CardFamily.SWIPE : CardFamily.DENIED)
                .severity(s.granted() ? Severity.INFO : Severity.NOTICE)
                .occurredAt(Instant.ofEpochMilli(s.timeMillis()))
                .receivedAt(now)
                .attributes(attributes(s, direction))
                .build();
    }
}
