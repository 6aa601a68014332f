package org.campusedge.simulators.school;

/**
 * How big a simulated school is. The default is a large urban middle school: 60 cameras, 4 labs of
 * 8 sensor kits, 20 energy meters, 12 card readers, one broadcast controller and the video recorder; {@link #times}
 * scales it (the ×10 school of the benchmarks).
 */
public record SchoolSize(int cameras, int labs, int sensorsPerLab, int meters, int readers, int controllers) {

    public static SchoolSize standard() {
        return new SchoolSize(60, 4, 8, 20, 12, 1);
    }

    public SchoolSize times(int k) {
        return new SchoolSize(cameras * k, labs * k, sensorsPerLab, meters * k, readers * k, controllers * k);
    }

    /** The video recorders: one in the security office recording every camera, none in a school without cameras. */
    public int recorders() {
        return cameras > 0 ? 1 : 0;
    }

    public int devices() {
        return cameras + labs * sensorsPerLab + meters + readers + controllers + recorders();
    }

    @Override
    public String toString() {
        return cameras + " cameras, " + labs + " labs x " + sensorsPerLab + " sensors, " + meters + " meters, " + readers
                + " card readers, " + controllers + " broadcast controller(s), " + recorders() + " video recorder(s)";
    }
}
