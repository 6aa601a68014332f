package org.campusedge.simulators.school;

/**
 * How big a simulated school is. The default is a large urban middle school: 60 cameras, 4 labs of
 * 8 sensor kits, 20 energy meters, 12 card readers and one broadcast controller; {@link #times}
 * scales it (the ×10 school of the benchmarks).
 */
public record SchoolSize(int cameras, int labs, int sensorsPerLab, int meters, int readers, int controllers) {

    public static SchoolSize standard() {
        return new SchoolSize(60, 4, 8, 20, 12, 1);
    }

    public SchoolSize times(int k) {
        return new SchoolSize(cameras * k, labs * k, sensorsPerLab, meters * k, readers * k, controllers * k);
    }

    public int devices() {
        return cameras + labs * sensorsPerLab + meters + readers + controllers;
    }

    @Override
    public String toString() {
        return cameras + " cameras, " + labs + " labs x " + sensorsPerLab + " sensors, " + meters + " meters, " + readers
                + " card readers, " + controllers + " broadcast controller(s)";
    }
}
