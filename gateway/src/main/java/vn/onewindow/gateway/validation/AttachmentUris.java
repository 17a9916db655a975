package vn.onewindow.gateway.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.regex.RegularExpression;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an attachment may be stored (dossier.attachment-uri-prefixes): the agency systems fetch every attachment from
 * its storageUri, so a dossier must not point them anywhere else, an internal address or a URI carrying credentials
 * (security tryout: https://169.254.169.254/... and https://user:pass@... were accepted). URIs the schema already
 * refuses are left to its 422, one error per field.
 */
final class AttachmentUris {
  private static final RegularExpression SCHEMA_SHAPE = SchemaPatterns.HAND_WRITTEN.get(SchemaPatterns.STORAGE_URI);

  private final List<String> prefixes;
  private final String allowed;

  AttachmentUris(List<String> prefixes) {
    this.prefixes = List.copyOf(prefixes);
    this.allowed = String.join(", ", prefixes);
  }

  List<Violation> check(JsonNode dossier) {
    List<Violation> violations = new ArrayList<>();
    JsonNode attachments = dossier.path("attachments");
    if (!attachments.isArray()) {
      return violations; // the schema's 422 (an object's size() counts its members: get(i) would be null)
    }
    for (int i = 0; i < attachments.size(); i++) {
      JsonNode uri = attachments.get(i).path("storageUri");
      if (!uri.isTextual() || !SCHEMA_SHAPE.matches(uri.asText())) {
        continue;
      }
      String value = uri.asText();
      String pointer = "/attachments/" + i + "/storageUri";
      if (hasUserInfo(value)) {
        violations.add(new Violation(pointer, "must not carry a user name or password"));
      } else if (prefixes.stream().noneMatch(value::startsWith)) {
        violations.add(new Violation(pointer, "must be a file in the portal's storage: a URI starting with " + allowed));
      }
    }
    return violations;
  }

  /** An {@code @} in the authority (between "://" and the next "/"). */
  private static boolean hasUserInfo(String uri) {
    int start = uri.indexOf("://") + 3;
    int end = uri.indexOf('/', start);
    int at = uri.indexOf('@', start);
    return at >= 0 && (end < 0 || at < end);
  }
}
