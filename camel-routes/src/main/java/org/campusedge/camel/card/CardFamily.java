package org.campusedge.camel.card;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.campusedge.api.CardSubjects;
import org.campusedge.api.Families;
import org.campusedge.camel.family.DeviceFamily;
import org.campusedge.camel.family.FamilyContext;

/**
 * One-card readers on the card TCP port: framed swipes (authenticated frames with the reader's key
 * unless the inventory marks it {@code security: none}), card numbers pseudonymised with the
 * school's secret before anything is stored. Offers {@link CardSubjects} (which pseudonyms a card
 * had, for the data-protection officer). Settings: {@code camel.cardSecretFile},
 * {@code camel.cardPseudonymMonths}, {@code camel.cardPeriodStart}, the card connector's.
 */
public final class CardFamily implements DeviceFamily {

    public static final String SWIPE = Families.CARD_SWIPE;
    public static final String DENIED = Families.CARD_DENIED;

    private volatile CardPseudonymiser pseudonymiser;
    private volatile CardServer server;

    @Override
    public String name() {
        return Families.CARD;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.PUSH);
    }

    @Override
    public Set<String> protocols() {
        return Set.of("tcp-frame");
    }

    @Override
    public Set<String> eventKinds() {
        return Set.of(SWIPE, DENIED);
    }

    @Override
    public List<String> templates() {
        return List.of("card.yaml");
    }

    @Override
    public void bind(FamilyContext c) throws Exception {
        server = c.connectors().cards();
        c.component("campus-card", new CardComponent(server));
        pseudonymiser = CardPseudonymiser.fromFile(c.setting("cardSecretFile", Path.class, null),
                c.setting("cardRotation", CardPseudonymiser.Rotation.class, CardPseudonymiser.Rotation.never()), c.registry()::timezone);
        c.bind("cardNormaliser", new CardNormaliser(c.registry(), pseudonymiser));
    }

    @Override
    public void credentialsChanged(Set<String> deviceIds) {
        CardServer s = server;
        if (s != null) {
            s.dropReaders(deviceIds);
        }
    }

    @Override
    public Map<Class<?>, Object> services() {
        return Map.of(CardSubjects.class, (CardSubjects) (cardNumber, from, to) -> {
            if (cardNumber == null || !cardNumber.matches("\\d{4,20}")) {
                throw new IllegalArgumentException("a card number is 4 to 20 digits");
            }
            CardPseudonymiser p = pseudonymiser;
            if (p == null) {
                throw new IllegalStateException("the card readers' side has not started");
            }
            return p.pseudonymsBetween(cardNumber, from, to);
        });
    }
}
