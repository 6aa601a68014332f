package org.campusedge.api;

/**
 * The device families' names and the kinds of event of theirs that other bundles read: the one place
 * for the vocabulary the Camel bundle's families write (each family's package in camel-routes names
 * its kinds from here) and the rules, the console and the cloud summaries read. A kind no Java code
 * outside its family reads needs no entry (the video recorders' kinds are read by rules files only).
 */
public final class Families {

    public static final String LAB = "lab";
    public static final String CAMERA = "camera";
    public static final String CARD = "card";
    public static final String BROADCAST = "broadcast";
    public static final String ENERGY = "energy";
    public static final String NVR = "nvr";

    /** A lab kit's readings (one event per SenML record). */
    public static final String LAB_READING = "lab.reading";
    /** A lesson's recording started or stopped on the console (its kit's event). */
    public static final String LAB_RECORDING = "lab.recording";
    /** A meter's readings (energy counter, power, ...). */
    public static final String ENERGY_READING = "energy.reading";
    /** A write to a meter (its breaker), asked by a rule or a person. */
    public static final String ENERGY_CONTROL = "energy.control";
    /** A camera's line crossing or field intrusion. */
    public static final String CAMERA_INTRUSION = "camera.intrusion";
    /** A card swipe let through (a pseudonym, never the card). */
    public static final String CARD_SWIPE = "card.swipe";
    /** A card swipe refused by the reader. */
    public static final String CARD_DENIED = "card.denied";
    /** A play or stop asked of the PA controller, with its answer. */
    public static final String BROADCAST_REQUESTED = "broadcast.requested";
    /** The PA controller reported a play done. */
    public static final String BROADCAST_PLAYED = "broadcast.played";
    /** The PA controller reported a fault, or did not answer. */
    public static final String BROADCAST_FAULT = "broadcast.fault";
    /** A scheduled item the gateway could not play in time. */
    public static final String BROADCAST_MISSED = "broadcast.missed";

    private Families() {
    }
}
