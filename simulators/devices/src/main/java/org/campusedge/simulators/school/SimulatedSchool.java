package org.campusedge.simulators.school;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.campusedge.simulators.broadcast.BroadcastController;
import org.campusedge.simulators.camera.CameraSimulator;
import org.campusedge.simulators.card.CardReaderSimulator;
import org.campusedge.simulators.energy.EnergyMeterServer;
import org.campusedge.simulators.gateway.GatewayProcess;
import org.campusedge.simulators.lab.LabSensor;
import org.campusedge.simulators.lab.LabSensorSimulator;
import org.campusedge.simulators.lab.ObservableLabSensors;

/**
 * A whole simulated school around one gateway: cameras pushing alarms over HTTP, lab sensors
 * posting SenML over CoAP (and the last bench of each lab observed by the gateway), an energy server with the meters over OPC UA, card readers over TCP and
 * broadcast controllers with their HTTP API. {@link #prepare} starts what the gateway connects to
 * and writes the inventory; {@link #attach} starts what connects to the gateway once it runs.
 */
public final class SimulatedSchool implements AutoCloseable {

    private final SchoolSize size;
    private final SchoolClock clock;
    private final Path inventoryFile;
    private final EnergyMeterServer meters;
    private final List<BroadcastController> controllers;
    /** The security office's video recorder, recording every camera; null in a school without cameras. */
    private final org.campusedge.simulators.nvr.VideoRecorder recorder;
    private final ObservableLabSensors observed;
    private final java.util.concurrent.atomic.AtomicReference<org.campusedge.simulators.net.DeviceKeys> kitKeys;
    private LabSensorSimulator labs;
    /** The school's WeCom and DingTalk groups, as the robots that post to them (the gateway's notifications go there). */
    private final org.campusedge.simulators.notify.RobotReceiver robots;
    private final org.campusedge.simulators.notify.MailServer mail;
    private CardReaderSimulator cards;
    private CameraSimulator cameras;
    private SchoolInventory inventory;

    private SimulatedSchool(SchoolSize size, SchoolClock clock, Path inventoryFile, EnergyMeterServer meters,
                            List<BroadcastController> controllers, ObservableLabSensors observed,
                            java.util.concurrent.atomic.AtomicReference<org.campusedge.simulators.net.DeviceKeys> kitKeys,
                            org.campusedge.simulators.notify.RobotReceiver robots, org.campusedge.simulators.notify.MailServer mail,
                            org.campusedge.simulators.nvr.VideoRecorder recorder) {
        this.recorder = recorder;
        this.robots = robots;
        this.mail = mail;
        this.kitKeys = kitKeys;
        this.observed = observed;
        this.size = size;
        this.clock = clock;
        this.inventoryFile = inventoryFile;
        this.meters = meters;
        this.controllers = controllers;
    }

    /**
     * Starts the energy server and the broadcast controllers on free loopback ports and writes the
     * school's inventory to {@code dir/school.yaml}.
     */
    public static SimulatedSchool prepare(Path dir, String schoolId, SchoolSize size, SchoolClock clock) throws Exception {
        return prepare(dir, schoolId, size, clock, 3000);
    }

    /**
     * As {@link #prepare(Path, String, SchoolSize, SchoolClock)}, with the broadcast controllers playing
     * each announcement for {@code paPlayMillis} (a zone refuses a play of the same priority meanwhile).
     */
    public static SimulatedSchool prepare(Path dir, String schoolId, SchoolSize size, SchoolClock clock, long paPlayMillis)
            throws Exception {
        Files.createDirectories(dir);
        EnergyMeterServer meters = new EnergyMeterServer(EnergyMeterServer.schoolMeters(size.meters()), clock, 1000).secured();
        List<BroadcastController> controllers = new ArrayList<>();
        List<LabSensor> observedSensors = new ArrayList<>();
        for (String id : SchoolGenerator.observedSensors(size)) {
            observedSensors.add(new LabSensor(id, id.startsWith("lab-chem"), observedSensors.size(), System.currentTimeMillis()));
        }
        ObservableLabSensors observed = new ObservableLabSensors(observedSensors, 7, 1000);
        // the observed kits' keys, once attach has them (a kit completes no handshake before)
        java.util.concurrent.atomic.AtomicReference<org.campusedge.simulators.net.DeviceKeys> kitKeys = new java.util.concurrent.atomic.AtomicReference<>();
        java.security.SecureRandom random = new java.security.SecureRandom();
        org.campusedge.simulators.notify.RobotReceiver robots = new org.campusedge.simulators.notify.RobotReceiver(
                java.util.HexFormat.of().formatHex(random.generateSeed(16)), java.util.HexFormat.of().formatHex(random.generateSeed(16)),
                "SEC" + java.util.HexFormat.of().formatHex(random.generateSeed(24))).start();
        org.campusedge.simulators.notify.MailServer mail;
        try {
            mail = new org.campusedge.simulators.notify.MailServer(java.util.HexFormat.of().formatHex(random.generateSeed(12)));
        } catch (Exception e) {
            robots.close();
            throw new java.io.IOException("the school's mail server did not start: " + e, e);
        }
        // 40 days of recordings on every channel: more than the 30 the school must keep
        org.campusedge.simulators.nvr.VideoRecorder recorder = size.cameras() > 0
                ? new org.campusedge.simulators.nvr.VideoRecorder(size.cameras(), 40) : null;
        try {
            String recorderAddress = recorder == null ? null : recorder.start(0).toString();
            // each observed kit a coaps server of its own; its key is set up at attach, once the gateway issued it
            java.util.Map<String, Integer> observePorts = observed.startSecured(java.util.Map.of(), id -> {
                org.campusedge.simulators.net.DeviceKeys k = kitKeys.get();
                return k == null ? null : k.secret(id);
            });
            java.util.Map<String, String> observeAddress = new java.util.LinkedHashMap<>();
            observePorts.forEach((id, port) -> observeAddress.put(id, "coaps://127.0.0.1:" + port + "/lab/" + id));
            meters.start(EnergyMeterServer.freePort());
            List<String> addresses = new ArrayList<>();
            for (int i = 0; i < size.controllers(); i++) {
                BroadcastController pa = new BroadcastController(SchoolGenerator.PA_ZONES, paPlayMillis);
                controllers.add(pa);
                addresses.add(pa.start(0).toString());
            }
            Path file = dir.resolve("school.yaml");
            Files.writeString(file, SchoolGenerator.inventory(schoolId, "江城市模拟中学 " + schoolId, 1500 * Math.max(1, size.readers() / 12),
                    size, meters.endpointUrl(), addresses, observeAddress, recorderAddress));
            return new SimulatedSchool(size, clock, file, meters, controllers, observed, kitKeys, robots, mail, recorder);
        } catch (Exception e) {
            robots.close();
            mail.close();
            observed.close();
            meters.close();
            controllers.forEach(BroadcastController::close);
            if (recorder != null) {
                recorder.close();
            }
            throw e;
        }
    }

    public Path inventoryFile() {
        return inventoryFile;
    }

    public SchoolSize size() {
        return size;
    }

    public SchoolClock clock() {
        return clock;
    }

    /**
     * What an installer does before the gateway goes live, for the devices it connects to: the energy
     * server's login and the observed kits' keys made in the gateway's secrets file (the gateway keeps
     * them and issues the rest), the server and the kits set up with them, and the server's certificate
     * put in the gateway's OPC UA trust list — so that the gateway's first connections succeed and nothing
     * is refused. Call before the gateway starts with that home; {@link #attach} does the rest.
     */
    public void provision(Path gatewayHome) throws IOException {
        java.util.List<String> ids = new java.util.ArrayList<>(SchoolInventory.read(inventoryFile).observedLabSensors());
        ids.add(EnergyMeterServer.CREDENTIAL);
        Path secrets = Files.createDirectories(gatewayHome.resolve("conf")).resolve("device-secrets");
        org.campusedge.registry.secrets.DeviceSecretsFile.issue(secrets, ids);
        org.campusedge.simulators.net.DeviceKeys keys = org.campusedge.simulators.net.DeviceKeys.of(secrets);
        kitKeys.set(keys);
        meters.users(java.util.Map.of(EnergyMeterServer.CREDENTIAL, keys.secret(EnergyMeterServer.CREDENTIAL)));
        GatewayProcess.trustOpcUaServer(gatewayHome, "campus-energy-sim", meters.certificate());
        // the school's notification channels: at once the guard on duty (the calendar's guard roster names the guards' WeCom
        // group) and the security office's mailbox, the head of security's DingTalk after 5 minutes; written at every start
        // (the simulated robots and mail server have new ports)
        Path notifications = gatewayHome.resolve("conf/notifications.yaml");
        Files.writeString(notifications, robots.notificationsYaml(300).replace("channels:\n", "channels:\n" + mail.channelYaml("office-mail"))
                .replace("channels: [guard-wecom]", "duty: guard\n    channels: [office-mail]"));
    }

    /** The school's mail server (GreenMail) with the security office's mailbox. */
    public org.campusedge.simulators.notify.MailServer mail() {
        return mail;
    }

    /** The robots of the school's WeCom and DingTalk groups: what the gateway told people. */
    public org.campusedge.simulators.notify.RobotReceiver robots() {
        return robots;
    }

    /**
     * Points every device at the running gateway and starts them.
     *
     * @param labPackPeriodMillis how often each lab sensor posts a pack of 7 readings
     */
    public void attach(GatewayProcess gateway, long labPackPeriodMillis) throws IOException {
        inventory = SchoolInventory.read(inventoryFile);
        // the energy server and the observed kits, if not provisioned before the gateway started: set up now with
        // what the gateway issued (its first attempts were refused, and counted)
        if (kitKeys.get() == null) {
            String energyPassword = gateway.deviceKeys().secret(EnergyMeterServer.CREDENTIAL);
            if (energyPassword != null) {
                meters.users(java.util.Map.of(EnergyMeterServer.CREDENTIAL, energyPassword));
            }
            GatewayProcess.trustOpcUaServer(gateway.home(), "campus-energy-sim", meters.certificate());
            kitKeys.set(gateway.deviceKeys());
        }
        for (int i = 0; i < controllers.size(); i++) {
            String id = inventory.controllers().get(i);
            // the controller is set up with its key: it signs its reports with it and asks it of the gateway's commands
            controllers.get(i).credentials(id, gateway.deviceKeys().secret(id));
            controllers.get(i).reportTo(URI.create("http://127.0.0.1:" + gateway.httpPort() + "/campus/broadcast/" + id));
        }
        if (recorder != null) {
            // the recorder is set up with its key: the gateway's polls must prove they come from a holder of it
            recorder.credentials(SchoolGenerator.RECORDER, gateway.deviceKeys().secret(SchoolGenerator.RECORDER));
        }
        List<LabSensor> sensors = new ArrayList<>();
        long lessonStart = System.currentTimeMillis();
        for (int i = 0; i < inventory.labSensors().size(); i++) {
            String id = inventory.labSensors().get(i);
            sensors.add(new LabSensor(id, id.startsWith("lab-chem"), i, lessonStart));
        }
        // each kit proves who it is over coaps with the key the gateway issued it (read from its secrets file, as an installer would)
        labs = new LabSensorSimulator(URI.create("coaps://127.0.0.1:" + gateway.coapsPort()), sensors, gateway.deviceKeys());
        cards = new CardReaderSimulator(new InetSocketAddress("127.0.0.1", gateway.cardPort()), inventory.cardReaders(),
                inventory.enrolment(), clock, gateway.deviceKeys());
        cameras = new CameraSimulator(URI.create("http://127.0.0.1:" + gateway.httpPort()), inventory.cameras(), clock, 20,
                gateway.deviceKeys());
        labs.start(7, labPackPeriodMillis);
        cards.start();
        cameras.start();
    }

    public SchoolInventory inventory() {
        return inventory;
    }

    public LabSensorSimulator labs() {
        return labs;
    }

    public CardReaderSimulator cards() {
        return cards;
    }

    public CameraSimulator cameras() {
        return cameras;
    }

    public EnergyMeterServer meters() {
        return meters;
    }

    /** The security office's video recorder (null in a school without cameras). */
    public org.campusedge.simulators.nvr.VideoRecorder recorder() {
        return recorder;
    }

    public List<BroadcastController> controllers() {
        return List.copyOf(controllers);
    }

    /** A default school day start: 06:50, so the morning rush at the gates comes within a minute at 60x. */
    public static SchoolClock morningClock(double speed) {
        return new SchoolClock(LocalTime.of(6, 50), speed);
    }

    @Override
    public void close() throws Exception {
        if (labs != null) {
            labs.close();
        }
        if (cards != null) {
            cards.close();
        }
        if (cameras != null) {
            cameras.close();
        }
        controllers.forEach(BroadcastController::close);
        if (recorder != null) {
            recorder.close();
        }
        observed.close();
        meters.close();
        robots.close();
        mail.close();
    }
}
