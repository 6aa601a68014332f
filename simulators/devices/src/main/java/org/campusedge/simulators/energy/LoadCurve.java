package org.campusedge.simulators.energy;

import java.time.LocalTime;

/**
 * A building's electrical load through a school day, as a fraction of its peak: teaching buildings
 * ramp up at 07:30 and dip at lunch; the science building peaks in the afternoon lab periods; the
 * canteen peaks while cooking for lunch and supper; dormitories in the morning and evening.
 * Nights sit at each building's base load (lighting, servers, fridges).
 */
public final class LoadCurve {

    private LoadCurve() {
    }

    /** Fraction of peak (0-1) for a building kind at a time of day. */
    public static double fraction(String kind, LocalTime t) {
        double h = t.getHour() + t.getMinute() / 60.0 + t.getSecond() / 3600.0;
        return switch (kind) {
            case "teaching" -> 0.12 + 0.8 * plateau(h, 7.5, 17.5) - 0.25 * bump(h, 12.3, 0.6);
            case "science" -> 0.15 + 0.5 * plateau(h, 8.0, 17.0) + 0.3 * bump(h, 14.5, 1.2);
            case "canteen" -> 0.2 + 0.75 * bump(h, 11.3, 0.9) + 0.55 * bump(h, 17.0, 0.8) + 0.3 * bump(h, 6.8, 0.5);
            case "dormitory" -> 0.1 + 0.5 * bump(h, 6.7, 0.6) + 0.85 * bump(h, 20.5, 1.5);
            default -> 0.3 + 0.5 * plateau(h, 8.0, 17.0);
        };
    }

    private static double bump(double h, double centre, double width) {
        double x = (h - centre) / width;
        return Math.exp(-x * x);
    }

    /** 0 outside [from, to], 1 inside, with half-hour ramps. */
    private static double plateau(double h, double from, double to) {
        return Math.max(0, Math.min(1, Math.min((h - from) / 0.5 + 0.5, (to - h) / 0.5 + 0.5)));
    }
}
