package org.campusedge.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * Every setting of the gateway, read from where it is defined: the Metatype descriptions the
 * bundles carry ({@code OSGI-INF/metatype/*.xml}, written by bnd from each component's
 * {@code @ObjectClassDefinition}). A setting {@code store.path} is attribute {@code path} of the
 * configuration {@code org.campusedge.store}: the prefix is the PID without {@code org.campusedge.}.
 * The launcher checks the school's settings against it before anything starts, and {@code
 * bin/campus-edge settings} prints it ({@code docs/SETTINGS.md} is that output).
 */
final class SettingsCatalog {

    static final String PID_PREFIX = "org.campusedge.";

    /** One setting: its key ({@code prefix.attribute}), Metatype type, default (as Metatype writes it: several joined by ","), meaning, choices. */
    record Setting(String key, String type, String defaultValue, String description, List<String> options) {
    }

    /** One configuration: its key prefix, PID, name and what it configures. */
    record Section(String prefix, String pid, String name, String description, List<Setting> settings) {
    }

    private final Map<String, Section> sections; // by prefix, sorted

    private SettingsCatalog(Map<String, Section> sections) {
        this.sections = sections;
    }

    /** The settings of the bundles in {@code bundlesDir} (one jar per bundle, the newest, as the gateway installs them). */
    static SettingsCatalog read(Path bundlesDir) throws IOException {
        return read(GatewayRuntime.newestOfEach(bundlesDir));
    }

    /** The settings of these bundles (jars, or folders of classes as a build leaves them). */
    static SettingsCatalog read(List<Path> bundles) throws IOException {
        Map<String, String[]> ocds = new HashMap<>(); // OCD id -> name, description
        Map<String, List<Element>> attributes = new HashMap<>();
        Map<String, String> designates = new TreeMap<>(); // pid -> OCD id
        DocumentBuilder xml = parser();
        for (Path bundle : bundles) {
            for (Map.Entry<String, byte[]> e : metatypeFiles(bundle).entrySet()) {
                Document doc;
                try {
                    doc = xml.parse(new java.io.ByteArrayInputStream(e.getValue()));
                } catch (SAXException bad) {
                    throw new IOException(bundle.getFileName() + "!/" + e.getKey() + " is not Metatype XML: " + bad.getMessage(), bad);
                }
                NodeList ocdNodes = doc.getElementsByTagName("OCD");
                for (int i = 0; i < ocdNodes.getLength(); i++) {
                    Element ocd = (Element) ocdNodes.item(i);
                    ocds.put(ocd.getAttribute("id"), new String[] {ocd.getAttribute("name"), ocd.getAttribute("description")});
                    List<Element> ads = new ArrayList<>();
                    NodeList adNodes = ocd.getElementsByTagName("AD");
                    for (int j = 0; j < adNodes.getLength(); j++) {
                        ads.add((Element) adNodes.item(j));
                    }
                    attributes.put(ocd.getAttribute("id"), ads);
                }
                NodeList des = doc.getElementsByTagName("Designate");
                for (int i = 0; i < des.getLength(); i++) {
                    Element d = (Element) des.item(i);
                    NodeList objects = d.getElementsByTagName("Object");
                    if (objects.getLength() > 0) {
                        designates.put(d.getAttribute("pid"), ((Element) objects.item(0)).getAttribute("ocdref"));
                    }
                }
            }
        }
        Map<String, Section> sections = new TreeMap<>();
        designates.forEach((pid, ocdId) -> {
            if (!pid.startsWith(PID_PREFIX) || !ocds.containsKey(ocdId)) {
                return;
            }
            String prefix = pid.substring(PID_PREFIX.length());
            List<Setting> settings = new ArrayList<>();
            for (Element ad : attributes.get(ocdId)) {
                List<String> options = new ArrayList<>();
                NodeList opts = ad.getElementsByTagName("Option");
                for (int k = 0; k < opts.getLength(); k++) {
                    options.add(((Element) opts.item(k)).getAttribute("value"));
                }
                settings.add(new Setting(prefix + "." + ad.getAttribute("id"), ad.getAttribute("type"),
                        ad.hasAttribute("default") ? ad.getAttribute("default") : "", ad.getAttribute("description"),
                        List.copyOf(options)));
            }
            sections.put(prefix, new Section(prefix, pid, ocds.get(ocdId)[0], ocds.get(ocdId)[1], List.copyOf(settings)));
        });
        return new SettingsCatalog(sections);
    }

    /** The Metatype files of a bundle jar or class folder, by name. */
    private static Map<String, byte[]> metatypeFiles(Path bundle) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        if (java.nio.file.Files.isDirectory(bundle)) {
            Path dir = bundle.resolve("OSGI-INF/metatype");
            if (java.nio.file.Files.isDirectory(dir)) {
                try (var files = java.nio.file.Files.list(dir)) {
                    for (Path f : files.filter(f -> f.toString().endsWith(".xml")).sorted().toList()) {
                        out.put("OSGI-INF/metatype/" + f.getFileName(), java.nio.file.Files.readAllBytes(f));
                    }
                }
            }
            return out;
        }
        try (ZipFile zip = new ZipFile(bundle.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.getName().startsWith("OSGI-INF/metatype/") && e.getName().endsWith(".xml")) {
                    try (InputStream in = zip.getInputStream(e)) {
                        out.put(e.getName(), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }

    private static DocumentBuilder parser() throws IOException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setNamespaceAware(false);
            return f.newDocumentBuilder();
        } catch (ParserConfigurationException e) {
            throw new IOException("no XML parser: " + e.getMessage(), e);
        }
    }

    /** Key prefix to PID, for every configuration the bundles define. */
    Map<String, String> pids() {
        Map<String, String> out = new TreeMap<>();
        sections.forEach((prefix, s) -> out.put(prefix, s.pid()));
        return out;
    }

    List<Section> sections() {
        return List.copyOf(sections.values());
    }

    Optional<Setting> find(String key) {
        int dot = key.indexOf('.');
        Section s = dot <= 0 ? null : sections.get(key.substring(0, dot));
        return s == null ? Optional.empty() : s.settings().stream().filter(x -> x.key().equals(key)).findFirst();
    }

    /**
     * Why a key is not a setting, or empty when it is one: an unknown prefix lists the prefixes, an
     * unknown attribute lists that configuration's keys (a typo is told, not silently ignored).
     */
    Optional<String> problem(String key) {
        int dot = key.indexOf('.');
        Section s = dot <= 0 ? null : sections.get(key.substring(0, dot));
        if (s == null) {
            return Optional.of("unknown setting '" + key + "': keys start with one of " + sections.keySet());
        }
        if (find(key).isPresent()) {
            return Optional.empty();
        }
        return Optional.of("unknown setting '" + key + "': the " + s.prefix() + " settings are "
                + s.settings().stream().map(x -> x.key().substring(dot + 1)).toList());
    }

    /** Every setting as Markdown: the reference in {@code docs/SETTINGS.md}, and what {@code bin/campus-edge settings} prints. */
    String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Campus Edge: every gateway setting\n\n");
        md.append("Generated from the bundles' Metatype descriptions (the `@ObjectClassDefinition` of each component) by\n");
        md.append("`bin/campus-edge settings`; `SettingsCatalogIT` fails when this file and the bundles differ. A setting goes in\n");
        md.append("`conf/gateway.properties` as `prefix.key = value`, or on the command line as `--set prefix.key=value`;\n");
        md.append("a key that is not listed here stops the gateway with the list of its section's keys. Relative paths are the\n");
        md.append("home's; `${app}/` is the running release's program folder.\n");
        for (Section s : sections.values()) {
            md.append("\n## `").append(s.prefix()).append(".*` — ").append(s.name()).append("\n\n");
            md.append(s.description()).append(" (PID `").append(s.pid()).append("`)\n\n");
            md.append("| setting | default | meaning |\n|---|---|---|\n");
            for (Setting x : s.settings()) {
                String def = x.defaultValue().isEmpty() ? "(none)" : "`" + x.defaultValue().replace(",", ", ") + "`";
                String meaning = x.description() + (x.options().isEmpty() ? "" : " (one of " + String.join(", ", x.options()) + ")");
                md.append("| `").append(x.key()).append("` | ").append(def).append(" | ").append(meaning.replace("|", "\\|")).append(" |\n");
            }
        }
        return md.toString();
    }
}
