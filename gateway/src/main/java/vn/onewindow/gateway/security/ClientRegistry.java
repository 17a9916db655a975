package vn.onewindow.gateway.security;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.agency.AgencyPattern;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.Settings;

/**
 * The registered clients (frontends and agency systems, README "Security") and the SHA-256 of their keys
 * (clients.json). A presented key is hashed once and compared with every registered hash in constant time, without
 * stopping at the first match, so neither the comparison nor the loop tells an attacker how close a guess was. Two
 * hashes per client allow rotation without downtime.
 *
 * <p>A client marked {@code "development": true} (every client of the shipped config/clients.json, whose keys the
 * README prints) is accepted only where development clients are allowed (security.development-clients, which a hub
 * that starts all its servers itself sets); elsewhere a file of them alone refuses the start, and one that mixes them
 * with real clients loads without them (a loopback listener is no such place: a proxy beside the hub forwards the
 * world to it). A security tryout started the jar with no config/ of its own: the jar's copy of the
 * file loaded, and a published agency key read every citizen's submission.
 */
public final class ClientRegistry {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");
  private static final Pattern QUOTA_CLASS = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
  /**
   * Read and ignored: clients files written before a dossier's channel came from the dossier alone still load (an
   * upgrade must not refuse to start on them); a warning asks to remove it.
   */
  private static final String LEGACY_CHANNEL = "channel";
  private static final Set<String> FIELDS = Set.of("id", "name", "quotaClass", "keyHashes", "note", "kind",
      "agencies", "development", "publicKeyHashes", LEGACY_CHANNEL);
  private static final Logger LOG = LoggerFactory.getLogger(ClientRegistry.class);
  /** After the file's location in every error: the key that names it, and its variable. */
  private static final String KNOB = "' (" + Settings.knob("security.clients-file") + ")";
  /** The current key and, while it is being rotated, the next one. */
  private static final int MAX_KEYS_PER_CLIENT = 2;

  /**
   * A client and the digests of its keys: secret ones (its servers hold them) and publishable ones (they ship in its
   * browser pages or apps, so anyone may hold them: a caller presenting one is the client, {@link Client#publicKey}).
   */
  private record Registered(Client client, List<byte[]> digests, List<byte[]> publicDigests) {
  }

  private final List<Registered> registered;
  private final String location;

  private ClientRegistry(List<Registered> registered, String location) {
    this.registered = List.copyOf(registered);
    this.location = location;
  }

  /**
   * Reads a file path, or else a classpath resource, like the procedure catalogue. Blocking: call at start-up.
   * {@code developmentAllowed}: whether clients marked development are registered.
   */
  public static ClientRegistry load(String location, boolean developmentAllowed) {
    Path path = Path.of(location);
    try (InputStream in = Files.isRegularFile(path) ? Files.newInputStream(path)
        : ClientRegistry.class.getClassLoader().getResourceAsStream(location)) {
      if (in == null) {
        throw new ConfigException("clients file '" + location + KNOB + " is neither a file nor on "
            + "the classpath");
      }
      return parse(mapper().readTree(in), location, developmentAllowed);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException("clients file '" + location + KNOB + " is not valid JSON: "
          + e.getOriginalMessage());
    } catch (IOException e) {
      throw new ConfigException("clients file '" + location + KNOB + " cannot be read: "
          + e.getMessage());
    }
  }

  public int size() {
    return registered.size();
  }

  public String location() {
    return location;
  }

  /** The client owning this key, if any. Unknown and malformed keys are indistinguishable to the caller. */
  public Optional<Client> authenticate(String presentedKey) {
    if (!ApiKeys.isPresentable(presentedKey)) {
      return Optional.empty();
    }
    byte[] digest = ApiKeys.digest(presentedKey);
    Client found = null;
    for (Registered r : registered) {
      for (byte[] candidate : r.digests()) {
        if (MessageDigest.isEqual(candidate, digest)) {
          found = r.client();
        }
      }
      for (byte[] candidate : r.publicDigests()) {
        if (MessageDigest.isEqual(candidate, digest)) {
          found = r.client().withPublicKey();
        }
      }
    }
    return Optional.ofNullable(found);
  }

  private static ObjectMapper mapper() {
    return JsonMapper.builder(JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
        .build();
  }

  private static ClientRegistry parse(JsonNode root, String location, boolean developmentAllowed) {
    if (root == null || !root.isArray()) {
      throw invalid(location, -1, "must be a JSON array of clients");
    }
    List<Registered> clients = new ArrayList<>();
    List<String> development = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode c = root.get(i);
      if (!c.isObject()) {
        throw invalid(location, i, "must be an object");
      }
      for (Iterator<String> names = c.fieldNames(); names.hasNext(); ) {
        String field = names.next();
        if (!FIELDS.contains(field)) {
          throw invalid(location, i, "has unknown field '" + field + "' (allowed: " + FIELDS + ")");
        }
      }
      if (c.has(LEGACY_CHANNEL)) {
        LOG.warn("clients file '{}', client #{}: 'channel' is no longer used (each dossier names its own channel); "
            + "remove it", location, i);
      }
      String id = text(c, "id", location, i);
      if (!ID.matcher(id).matches() || Client.ANONYMOUS_ID.equals(id)) {
        throw invalid(location, i, "id '" + id + "' must be 2-63 of a-z 0-9 - (and not '"
            + Client.ANONYMOUS_ID + "')");
      }
      if (!ids.add(id)) {
        throw invalid(location, i, "id '" + id + "' is registered twice");
      }
      String name = text(c, "name", location, i);
      String quotaClass = text(c, "quotaClass", location, i);
      if (!QUOTA_CLASS.matcher(quotaClass).matches()) {
        throw invalid(location, i, "quotaClass '" + quotaClass + "' must be 1-32 of a-z 0-9 -");
      }
      List<byte[]> digests = digests(c, "keyHashes", id, hashes, location, i);
      List<byte[]> publicDigests = digests(c, "publicKeyHashes", id, hashes, location, i);
      if (digests.isEmpty() && publicDigests.isEmpty()) {
        throw invalid(location, i, "keyHashes must list 1 or 2 hashes (2 only while a key is being rotated), unless "
            + "publicKeyHashes lists the client's keys");
      }
      Client.Kind kind = Client.Kind.of(c.path("kind").asText("frontend")).orElse(null);
      if (kind == null) {
        throw invalid(location, i, "kind must be \"frontend\" (the default) or \"agency\"");
      }
      JsonNode dev = c.path("development");
      if (!dev.isMissingNode() && !dev.isBoolean()) {
        throw invalid(location, i, "development must be true or false");
      }
      if (!publicDigests.isEmpty() && kind == Client.Kind.AGENCY) {
        throw invalid(location, i, "is an agency client: an agency system's key is never public (it reads every "
            + "dossier it covers); only a frontend's key may ship in browser pages or apps (publicKeyHashes)");
      }
      Registered client = new Registered(new Client(id, name, quotaClass, kind, agencies(c, kind, location, i)),
          digests, publicDigests);
      if (dev.asBoolean(false)) {
        development.add(id);
        if (!developmentAllowed) {
          continue;
        }
      }
      clients.add(client);
    }
    if (!developmentAllowed && !development.isEmpty()) {
      if (clients.isEmpty()) {
        throw new ConfigException("clients file '" + location + KNOB + " registers development "
            + "clients only (" + String.join(", ", development) + "), whose keys are published: give the file of "
            + "your clients, or set security.development-clients=true for a test installation");
      }
      LOG.warn("clients file '{}': development clients {} not registered (security.development-clients is false)",
          location, development);
    } else if (!development.isEmpty()) {
      LOG.warn("development clients {} accept their published keys: a local or test installation only", development);
    }
    return new ClientRegistry(clients, location);
  }

  /**
   * The digests of the stored hashes in {@code field} (0-2 entries: 2 only while a key is being rotated), each hash
   * registered once in the whole file.
   */
  private static List<byte[]> digests(JsonNode c, String field, String id, Set<String> hashes, String location,
                                      int index) {
    JsonNode list = c.path(field);
    if (list.isMissingNode()) {
      return List.of();
    }
    if (!list.isArray() || list.size() > MAX_KEYS_PER_CLIENT) {
      throw invalid(location, index, field + " must list 1 or 2 hashes (2 only while a key is being rotated)");
    }
    List<byte[]> digests = new ArrayList<>();
    for (JsonNode h : list) {
      String hash = h.asText("");
      if (!h.isTextual() || !ApiKeys.STORED_HASH.matcher(hash).matches()) {
        throw invalid(location, index, field + " entries must be \"sha256:<64 lower-case hex digits>\" "
            + "(see ApiKeyTool)");
      }
      if (!hashes.add(hash)) {
        throw invalid(location, index, "a key hash of client '" + id + "' is already registered");
      }
      digests.add(ApiKeys.storedDigest(hash));
    }
    return digests;
  }

  /** An agency client lists the handling agencies it covers (codes or patterns such as *.H48); a frontend none. */
  private static List<AgencyPattern> agencies(JsonNode c, Client.Kind kind, String location, int index) {
    JsonNode list = c.path("agencies");
    if (kind == Client.Kind.FRONTEND) {
      if (!list.isMissingNode()) {
        throw invalid(location, index, "is a frontend: only \"kind\": \"agency\" clients list \"agencies\"");
      }
      return List.of();
    }
    if (!list.isArray() || list.isEmpty()) {
      throw invalid(location, index, "is an agency client: \"agencies\" must list the handling-agency codes or "
          + "patterns it covers, e.g. [\"*.H48\", \"000.00.53.H48\"]");
    }
    List<AgencyPattern> patterns = new ArrayList<>();
    for (JsonNode p : list) {
      try {
        patterns.add(new AgencyPattern(p.isTextual() ? p.asText() : null));
      } catch (IllegalArgumentException e) {
        throw invalid(location, index, e.getMessage());
      }
    }
    return patterns;
  }

  private static String text(JsonNode c, String field, String location, int index) {
    JsonNode value = c.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw invalid(location, index, "needs a non-blank string '" + field + "'");
    }
    return value.asText().strip();
  }

  private static ConfigException invalid(String location, int index, String why) {
    return new ConfigException("clients file '" + location + KNOB
        + (index < 0 ? " " : ", client #" + index + " ") + why);
  }
}
