package org.campusedge.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaNodeTest {

    @TempDir
    Path dir;

    @Test
    void servesWhatItStoredAgainAfterARestartOnTheSameFolderAndAddress() throws Exception {
        String first;
        try (KafkaNode node = KafkaNode.start(dir, "127.0.0.1", 0, 3)) {
            first = node.bootstrap();
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, first, ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new StringSerializer())) {
                for (int i = 0; i < 5; i++) {
                    p.send(new ProducerRecord<>("hono.event.t", "gw-" + i, "e" + i)).get();
                }
            }
            assertEquals(5, readAll(first, "hono.event.t", 5).size());
        }
        assertTrue(Files.exists(dir.resolve("node.properties")), "the chosen ports are kept");
        try (KafkaNode again = KafkaNode.start(dir, "127.0.0.1", 0, 3)) {
            assertEquals(first, again.bootstrap(), "same address after the restart");
            List<String> values = readAll(again.bootstrap(), "hono.event.t", 5);
            assertEquals(List.of("e0", "e1", "e2", "e3", "e4"), values.stream().sorted().toList(),
                    "what was stored before the restart is served again");
        }
    }

    @Test
    void aTopicMadeOnFirstUseHasTheAskedPartitions() throws Exception {
        try (KafkaNode node = KafkaNode.start(dir, "127.0.0.1", 0, 3);
             KafkaProducer<String, String> p = new KafkaProducer<>(Map.of(
                     ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrap()), new StringSerializer(), new StringSerializer())) {
            p.send(new ProducerRecord<>("hono.telemetry.t", "k", "v")).get();
            assertEquals(3, p.partitionsFor("hono.telemetry.t").size());
        }
    }

    private static List<String> readAll(String bootstrap, String topic, int expected) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + System.nanoTime());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
