// An example agency (implementing department) consumer of its own sanctions topic, in Java 17
// with only kafka-clients and the JDK (java.net.http for the receipt). The same behaviour as
// ../python/agency_consumer.py; see docs/examples/agency/README.md and docs/loop.md.
//
//   javac -cp kafka-clients-3.9.2.jar -d out AgencyConsumer.java
//   java -cp out:kafka-clients-3.9.2.jar:slf4j-api-1.7.36.jar:lz4-java-1.10.1.jar:snappy-java-1.1.10.5.jar:zstd-jni-1.5.6-4.jar \
//       AgencyConsumer --bootstrap 127.0.0.1:19092 --topic jrp.sanctions.v1.finance \
//       --group jrp.dept.finance.example-java --enforcement-url http://127.0.0.1:8003 \
//       --token-file finance.token [--client-config secured.properties] [--max-messages N] [--timeout S]
//
// --client-config: extra consumer properties (security.protocol=SASL_SSL,
// sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config=..., ssl.truststore.location=...) for a secured
// cluster (docs/security.md, "Kafka").
//
// Prints one line per event: "issued order=<id> revision=<n> target=<role> measures=<codes>",
// "receipt order=<id> status=<http status>", "suspended|lifted order=...", "duplicate ce_id=...".
// The applied state is kept in memory; a real system keeps it in its database, in the same
// transaction as the measures it applies, and commits the offset after that.

import java.io.FileReader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class AgencyConsumer {
    static final String ISSUED = "cn.jrp.enforcement.sanction-order.issued.v1";
    static final String SUSPENDED = "cn.jrp.enforcement.sanction-order.suspended.v1";
    static final String LIFTED = "cn.jrp.enforcement.sanction-order.lifted.v1";
    static final String REMINDED = "cn.jrp.enforcement.department.reminded.v1";
    static final List<String> REQUIRED_HEADERS =
            List.of("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_dataschema");

    /** What this department knows of one order: its latest revision and where it stands. */
    record Order(String orderId, long revision, String state) {}

    // HTTP/1.1: the default (HTTP/2) sends a cleartext `Upgrade: h2c` request, which uvicorn does
    // not take, and a request body can be lost on the way (over TLS, HTTP/2 is negotiated anyway).
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final String enforcementUrl;
    private final String token;
    private final Map<String, Map<String, Object>> schemas = new HashMap<>();
    private final Set<String> appliedIds = new HashSet<>();
    private final Map<String, Order> orders = new HashMap<>();

    AgencyConsumer(String enforcementUrl, String token) {
        this.enforcementUrl = enforcementUrl.replaceAll("/+$", "");
        this.token = token;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) throw new IllegalArgumentException("bad argument " + argv[i]);
            args.put(argv[i].substring(2), argv[i + 1]);
        }
        for (String name : List.of("bootstrap", "topic", "group", "enforcement-url")) {
            if (!args.containsKey(name)) throw new IllegalArgumentException("--" + name + " is required");
        }
        String token = args.containsKey("token-file")
                ? Files.readString(Path.of(args.get("token-file"))).strip() : null;
        long maxMessages = Long.parseLong(args.getOrDefault("max-messages", "-1"));
        double timeout = Double.parseDouble(args.getOrDefault("timeout", "0"));

        Properties props = new Properties();
        if (args.containsKey("client-config")) {
            try (FileReader reader = new FileReader(args.get("client-config"), StandardCharsets.UTF_8)) {
                props.load(reader);
            }
        }
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args.get("bootstrap"));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, args.get("group"));
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

        AgencyConsumer agency = new AgencyConsumer(args.get("enforcement-url"), token);
        long handled = 0;
        long deadline = timeout > 0 ? System.nanoTime() + (long) (timeout * 1e9) : Long.MAX_VALUE;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            consumer.subscribe(List.of(args.get("topic")));
            while ((maxMessages < 0 || handled < maxMessages) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Map<String, String> headers = new HashMap<>();
                    for (Header header : record.headers()) {
                        headers.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
                    }
                    agency.handle(headers, new String(record.value(), StandardCharsets.UTF_8));
                    consumer.commitSync(); // only once the message is applied
                    handled++;
                }
            }
        }
        System.out.println("done messages=" + handled + " orders=" + agency.orders.size());
    }

    void handle(Map<String, String> headers, String value) throws IOException, InterruptedException {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED_HEADERS) if (!headers.containsKey(name)) missing.add(name);
        if (!missing.isEmpty()) {
            System.out.println("rejected reason=missing-headers " + String.join(",", missing));
            return;
        }
        String eventId = headers.get("ce_id");
        String eventType = headers.get("ce_type");
        if (appliedIds.contains(eventId)) {
            System.out.println("duplicate ce_id=" + eventId);
            return;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> body = (Map<String, Object>) Json.parse(value);
        String problem = check(body, schema(headers.get("ce_dataschema")));
        if (problem != null) {
            System.out.println("rejected ce_id=" + eventId + " reason=" + problem);
            return;
        }
        switch (eventType) {
            case ISSUED -> issued(body);
            case SUSPENDED -> stopped(body, "suspended");
            case LIFTED -> stopped(body, "lifted");
            case REMINDED -> System.out.println("reminded order=" + body.get("item_id")
                    + " level=" + body.get("level") + " kind=" + body.get("kind"));
            default -> System.out.println("ignored ce_type=" + eventType);
        }
        appliedIds.add(eventId);
    }

    @SuppressWarnings("unchecked")
    void issued(Map<String, Object> body) throws IOException, InterruptedException {
        String orderId = (String) body.get("order_id");
        long revision = ((Number) body.get("revision")).longValue();
        Order known = orders.get(orderId);
        if (known != null && known.revision() >= revision) {
            System.out.println("stale order=" + orderId + " revision=" + revision);
            return;
        }
        orders.put(orderId, new Order(orderId, revision, "active"));
        List<String> codes = new ArrayList<>();
        for (Object measure : (List<Object>) body.get("measures")) {
            codes.add((String) ((Map<String, Object>) measure).get("code"));
        }
        String role = (String) ((Map<String, Object>) body.get("target")).get("role");
        System.out.println("issued order=" + orderId + " revision=" + revision + " target=" + role
                + " measures=" + String.join(",", codes));
        if (known == null && token != null) acknowledge(orderId);
    }

    void stopped(Map<String, Object> body, String state) {
        String orderId = (String) body.get("order_id");
        long revision = ((Number) body.get("revision")).longValue();
        Order known = orders.get(orderId);
        if (known != null && known.revision() > revision) {
            System.out.println("stale order=" + orderId + " revision=" + revision);
            return;
        }
        orders.put(orderId, new Order(orderId, revision, state));
        Object why = body.containsKey("reason") ? body.get("reason") : body.get("case_kind");
        System.out.println(state + " order=" + orderId + " revision=" + revision + " why=" + why);
    }

    void acknowledge(String orderId) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(enforcementUrl + "/v1/sanction-orders/" + orderId + "/receipt"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"note\": \"received by the example Java consumer\"}"))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        System.out.println("receipt order=" + orderId + " status=" + response.statusCode());
        if (response.statusCode() != 200) throw new IOException("receipt refused: " + response.body());
    }

    /** The JSON Schema ce_dataschema names, fetched once per URL. */
    @SuppressWarnings("unchecked")
    Map<String, Object> schema(String url) throws IOException, InterruptedException {
        Map<String, Object> cached = schemas.get(url);
        if (cached != null) return cached;
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) throw new IOException("schema " + url + ": " + response.statusCode());
        Map<String, Object> schema = (Map<String, Object>) Json.parse(response.body());
        schemas.put(url, schema);
        return schema;
    }

    /**
     * A light check of the body against its schema (the JDK has no JSON Schema validator): an
     * object with every top-level required property, of the declared JSON type. A production
     * system would use a full draft 2020-12 validator (e.g. networknt json-schema-validator).
     */
    @SuppressWarnings("unchecked")
    static String check(Map<String, Object> body, Map<String, Object> schema) {
        Map<String, Object> properties = (Map<String, Object>) schema.getOrDefault("properties", Map.of());
        for (Object name : (List<Object>) schema.getOrDefault("required", List.of())) {
            if (!body.containsKey(name)) return "missing " + name;
            Object declared = ((Map<String, Object>) properties.getOrDefault(name, Map.of())).get("type");
            if (declared instanceof String type && !hasType(body.get(name), type)) {
                return name + " is not " + type;
            }
        }
        return null;
    }

    static boolean hasType(Object value, String type) {
        return switch (type) {
            case "string" -> value instanceof String;
            case "integer" -> value instanceof Long;
            case "number" -> value instanceof Number;
            case "boolean" -> value instanceof Boolean;
            case "array" -> value instanceof List;
            case "object" -> value instanceof Map;
            case "null" -> value == null;
            default -> true;
        };
    }

    /** A minimal JSON reader (objects, arrays, strings, numbers, booleans, null). */
    static final class Json {
        private final String text;
        private int at;

        private Json(String text) {
            this.text = text;
        }

        static Object parse(String text) {
            Json json = new Json(text);
            Object value = json.value();
            json.space();
            if (json.at != text.length()) throw json.error("trailing characters");
            return value;
        }

        private Object value() {
            space();
            if (at >= text.length()) throw error("unexpected end");
            char c = text.charAt(at);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default: return number();
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++;
            space();
            if (text.charAt(at) == '}') { at++; return map; }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                map.put(key, value());
                space();
                if (text.charAt(at) == ',') { at++; continue; }
                expect('}');
                return map;
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++;
            space();
            if (text.charAt(at) == ']') { at++; return list; }
            while (true) {
                list.add(value());
                space();
                if (text.charAt(at) == ',') { at++; continue; }
                expect(']');
                return list;
            }
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return out.toString();
                if (c != '\\') { out.append(c); continue; }
                char e = text.charAt(at++);
                switch (e) {
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> { out.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; }
                    default -> out.append(e); // " \ /
                }
            }
        }

        private Object number() {
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
            String n = text.substring(start, at);
            if (n.isEmpty()) throw error("unexpected character");
            return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
        }

        private Object literal(String word, Object value) {
            if (!text.startsWith(word, at)) throw error("expected " + word);
            at += word.length();
            return value;
        }

        private void expect(char c) {
            if (at >= text.length() || text.charAt(at) != c) throw error("expected " + c);
            at++;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("JSON: " + what + " at " + at);
        }
    }
}
