package io.dtx.api;

import static io.dtx.testing.Coordinator.post;
import static io.dtx.testing.Coordinator.submit;
import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.when;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.dtx.testing.Participant.Answer;
import io.dtx.testing.ParticipantTestBase;
import io.dtx.testing.PostgresResource;
import io.dtx.testing.Tx;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * openapi.yaml is the contract: it is what /q/openapi serves, it names exactly the routes dtx implements, and live
 * answers match the schemas it declares for them.
 */
@QuarkusTest
@WithTestResource(PostgresResource.class)
class OpenApiContractTests extends ParticipantTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode contract;

    @BeforeAll
    static void load() throws IOException {
        contract = new YAMLMapper().readTree(Path.of("openapi.yaml").toFile());
    }

    @Test
    void theServedDocumentIsTheContractFile() throws IOException {
        JsonNode served = JSON.readTree(given().queryParam("format", "json").when().get("/q/openapi").then()
                .statusCode(200).extract().asString());
        assertThat(fieldNames(served.get("paths"))).isEqualTo(fieldNames(contract.get("paths")));
        assertThat(served.at("/info/title").asText()).isEqualTo("dtx");
        assertThat(served.at("/paths/~1api~1dtmsvr~1submit/post/operationId").asText()).isEqualTo("submit");
    }

    @Test
    void everyImplementedRouteIsInTheContractAndNothingElse() {
        Set<String> implemented = new TreeSet<>();
        for (Class<?> resource : List.of(DtmServerResource.class, PingResource.class)) {
            String base = resource.getAnnotation(jakarta.ws.rs.Path.class).value();
            for (Method m : resource.getDeclaredMethods()) {
                String verb = m.isAnnotationPresent(GET.class) ? "get"
                        : m.isAnnotationPresent(POST.class) ? "post"
                                : m.isAnnotationPresent(PUT.class) ? "put"
                                        : m.isAnnotationPresent(DELETE.class) ? "delete"
                                                : m.isAnnotationPresent(PATCH.class) ? "patch" : null;
                if (verb == null) {
                    continue;
                }
                jakarta.ws.rs.Path sub = m.getAnnotation(jakarta.ws.rs.Path.class);
                implemented.add(verb + " " + base + (sub == null ? "" : "/" + sub.value()));
            }
        }
        implemented.add("get /api/metrics"); // served by Micrometer
        Set<String> documented = new TreeSet<>();
        contract.get("paths").fields().forEachRemaining(e -> e.getValue().fieldNames().forEachRemaining(verb -> {
            if (Set.of("get", "post", "put", "delete", "patch").contains(verb)) {
                documented.add(verb + " " + e.getKey());
            }
        }));
        assertThat(documented).isEqualTo(implemented);
    }

    @Test
    void liveAnswersMatchTheirDocumentedSchemas() {
        String gid = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        check("/api/dtmsvr/submit", "post", submit(Tx.saga(gid).step(p.url("/a"), p.url("/b"), "{}").waitResult()));
        check("/api/dtmsvr/query", "get", given().queryParam("gid", gid).when().get("/api/dtmsvr/query"));
        check("/api/dtmsvr/query", "get", given().queryParam("gid", "none").when().get("/api/dtmsvr/query"));
        check("/api/dtmsvr/all", "get", given().queryParam("limit", 5).when().get("/api/dtmsvr/all"));
        check("/api/dtmsvr/newGid", "get", when().get("/api/dtmsvr/newGid"));
        check("/api/dtmsvr/version", "get", when().get("/api/dtmsvr/version"));
        check("/api/ping", "get", when().get("/api/ping"));
        check("/api/dtmsvr/resetCronTime", "get", when().get("/api/dtmsvr/resetCronTime"));
        check("/api/dtmsvr/submit", "post", submit(Tx.saga(gid).step(p.url("/a"), "", "{}")));
        check("/api/dtmsvr/submit", "post", post("submit", "{\"gid\":1}"));
        check("/api/dtmsvr/forceStop", "post", post("forceStop", "{\"gid\":\"nope-" + gid + "\"}"));
        String rb = gid + "-rb";
        p.always("/refuse", Answer.failure());
        check("/api/dtmsvr/submit", "post", submit(Tx.saga(rb).step(p.url("/refuse"), "", "{}").waitResult()));
        String on = gid + "-on";
        p.always("/later", Answer.ongoing());
        check("/api/dtmsvr/submit", "post", submit(Tx.saga(on).step(p.url("/later"), "", "{}").waitResult()));
        check("/api/dtmsvr/prepare", "post", post("prepare",
                Tx.msg(gid + "-m").set("query_prepared", p.url("/q")).action(p.url("/m"), "{}").json()));
        check("/api/dtmsvr/abort", "post", post("abort", Tx.json(Map.of("gid", gid + "-m", "trans_type", "msg"))));
        check("/api/dtmsvr/resetNextCronTime", "post", post("resetNextCronTime", Tx.json(Map.of("gid", gid))));
    }

    private void check(String path, String verb, Response response) {
        String status = Integer.toString(response.statusCode());
        JsonNode operation = contract.path("paths").path(path).path(verb);
        JsonNode declared = operation.path("responses").path(status);
        assertThat(declared.isMissingNode()).as("%s %s answered %s, which the contract does not list", verb, path,
                status).isFalse();
        if (declared.has("$ref")) {
            declared = resolve(declared);
        }
        JsonNode schema = declared.path("content").path("application/json").path("schema");
        assertThat(schema.isMissingNode()).as("%s %s %s has no JSON schema", verb, path, status).isFalse();
        JsonNode body;
        try {
            body = JSON.readTree(response.asString());
        } catch (IOException e) {
            throw new AssertionError(verb + " " + path + " " + status + " is not JSON: " + response.asString());
        }
        List<String> problems = new ArrayList<>();
        validate(schema, body, "$", problems);
        assertThat(problems).as("%s %s %s: %s", verb, path, status, body).isEmpty();
    }

    /** A small JSON-schema check covering what openapi.yaml uses. */
    private static void validate(JsonNode schema, JsonNode value, String at, List<String> problems) {
        schema = resolve(schema);
        if (value.isNull()) {
            boolean allowed = schema.path("nullable").asBoolean(false) || enumAllowsNull(schema)
                    || (schema.has("anyOf") && anyMatches(schema.get("anyOf"), value, at));
            if (!allowed) {
                problems.add(at + " is null");
            }
            return;
        }
        if (schema.has("anyOf")) {
            if (!anyMatches(schema.get("anyOf"), value, at)) {
                problems.add(at + " matches none of anyOf");
            }
            return;
        }
        if (schema.has("enum")) {
            boolean found = false;
            for (JsonNode e : schema.get("enum")) {
                found |= e.equals(value);
            }
            if (!found) {
                problems.add(at + " = " + value + " is not in " + schema.get("enum"));
            }
        }
        String type = schema.path("type").asText("");
        switch (type) {
            case "object" -> {
                if (!value.isObject()) {
                    problems.add(at + " is not an object");
                    return;
                }
                for (JsonNode r : schema.path("required")) {
                    if (!value.has(r.asText())) {
                        problems.add(at + " lacks required " + r.asText());
                    }
                }
                JsonNode props = schema.path("properties");
                Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    if (props.has(f.getKey())) {
                        validate(props.get(f.getKey()), f.getValue(), at + "." + f.getKey(), problems);
                    } else if (schema.path("additionalProperties").isObject()) {
                        validate(schema.get("additionalProperties"), f.getValue(), at + "." + f.getKey(), problems);
                    } else {
                        problems.add(at + " has property " + f.getKey() + " the contract does not describe");
                    }
                }
            }
            case "array" -> {
                if (!value.isArray()) {
                    problems.add(at + " is not an array");
                    return;
                }
                for (int i = 0; i < value.size(); i++) {
                    validate(schema.path("items"), value.get(i), at + "[" + i + "]", problems);
                }
            }
            case "string" -> {
                if (!value.isTextual()) {
                    problems.add(at + " is not a string");
                }
            }
            case "integer" -> {
                if (!value.isIntegralNumber()) {
                    problems.add(at + " is not an integer");
                }
            }
            case "boolean" -> {
                if (!value.isBoolean()) {
                    problems.add(at + " is not a boolean");
                }
            }
            default -> {
            }
        }
    }

    private static boolean enumAllowsNull(JsonNode schema) {
        for (JsonNode e : schema.path("enum")) {
            if (e.isNull()) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyMatches(JsonNode options, JsonNode value, String at) {
        for (JsonNode option : options) {
            List<String> p = new ArrayList<>();
            validate(option, value, at, p);
            if (p.isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode resolve(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            node = contract.at(ref.substring(1));
        }
        return node;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> out = new TreeSet<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
