package vn.onewindow.gateway.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Undeclared members named with a '#', which networknt 1.5.9 lets through closed objects, are refused as the library
 * refuses any other undeclared member, at every depth the schema declares; open objects keep them.
 */
class HashNamedMembersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void refusesThemAsTheLibraryRefusesAnyOtherUndeclaredMember() throws IOException {
    JsonSchemas schema = JsonSchemas.of(JSON.readTree("{\"type\":\"object\",\"additionalProperties\":false,"
        + "\"properties\":{\"a\":{\"type\":\"object\",\"additionalProperties\":false},"
        + "\"list\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"additionalProperties\":false}},"
        + "\"open\":{\"type\":\"object\"},"
        + "\"map\":{\"type\":\"object\",\"additionalProperties\":{\"type\":\"object\",\"additionalProperties\":false}}}}"));

    // the library's own words for an ordinary undeclared member
    assertThat(schema.validate(JSON.readTree("{\"b\":1}")))
        .containsExactly(new Violation("/b", SchemaWording.undeclaredMember("b")));
    // the library alone lets the '#' ones through
    String body = "{\"#top\":1,\"a\":{\"#in\":1},\"list\":[{},{\"#item\":1}],\"open\":{\"#kept\":1},"
        + "\"map\":{\"k\":{\"#deep\":1}}}";
    assertThat(schema.libraryViolations(JSON.readTree(body), new TreeSet<>())).isEmpty();
    assertThat(schema.validate(JSON.readTree(body))).containsExactlyInAnyOrder(
        new Violation("/#top", SchemaWording.undeclaredMember("#top")),
        new Violation("/a/#in", SchemaWording.undeclaredMember("#in")),
        new Violation("/list/1/#item", SchemaWording.undeclaredMember("#item")),
        new Violation("/map/k/#deep", SchemaWording.undeclaredMember("#deep")));
  }

  /** '~' and '/' in a name are escaped (RFC 6901) as in the library's own undeclared members, '~' first. */
  @Test
  void pointsToThemAsToTheLibrarysOwn() throws IOException {
    JsonSchemas schema = JsonSchemas.of(JSON.readTree("{\"type\":\"object\",\"properties\":{\"a\":"
        + "{\"type\":\"object\",\"additionalProperties\":false}}}"));

    assertThat(schema.validate(JSON.readTree("{\"a\":{\"x/y~1\":1}}")))
        .containsExactly(new Violation("/a/x~1y~01", SchemaWording.undeclaredMember("x/y~1")));
    assertThat(schema.validate(JSON.readTree("{\"a\":{\"#/y~1\":1}}")))
        .containsExactly(new Violation("/a/#~1y~01", SchemaWording.undeclaredMember("#/y~1")));
  }
}
