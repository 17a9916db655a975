package vn.onewindow.gateway.http;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The methods the router answers on each path, for the {@code Allow} header a 405 must carry (RFC 9110, 15.5.6).
 * Vert.x Web computes the same set while routing but keeps it private once an error handler of ours answers the 405,
 * so it is read once from the router's routes: those with a path and methods of their own (the edge, body and
 * authentication steps take every method and say nothing about a path's methods). {@code :name} segments match one
 * segment, as the router's own path parameters do.
 */
public final class AllowedMethods {
  private record PathMethods(String route, Pattern path, Set<String> methods) {
  }

  private final List<PathMethods> paths;

  private AllowedMethods(List<PathMethods> paths) {
    this.paths = List.copyOf(paths);
  }

  /** Read after every route is added. */
  public static AllowedMethods of(Router router) {
    Map<String, Set<String>> byPath = new LinkedHashMap<>();
    for (Route route : router.getRoutes()) {
      Set<HttpMethod> methods = route.methods();
      if (route.getPath() != null && route.isExactPath() && methods != null && !methods.isEmpty()) {
        Set<String> names = byPath.computeIfAbsent(route.getPath(), p -> new TreeSet<>());
        methods.forEach(m -> names.add(m.name()));
      }
    }
    List<PathMethods> paths = new ArrayList<>();
    byPath.forEach((path, methods) -> paths.add(new PathMethods(path, pattern(path), methods)));
    return new AllowedMethods(paths);
  }

  /** The Allow header's value for this request path: every method some route takes there, or "" when none does. */
  public String on(String requestPath) {
    String path = withoutTrailingSlash(requestPath);
    Set<String> methods = new TreeSet<>();
    for (PathMethods p : paths) {
      if (p.path().matcher(path).matches()) {
        methods.addAll(p.methods());
      }
    }
    return String.join(", ", methods);
  }

  /**
   * The route path (its template: {@code /v1/dossiers/:id}) this request path matches, for log lines; "-" when none.
   * A failure handler's {@code currentRoute()} is its own, pathless route, so it cannot say which route failed.
   */
  public String routeOf(String requestPath) {
    String path = withoutTrailingSlash(requestPath);
    for (PathMethods p : paths) {
      if (p.path().matcher(path).matches()) {
        return p.route();
      }
    }
    return "-";
  }

  /** The router matches /v1/dossiers/ as /v1/dossiers. */
  private static String withoutTrailingSlash(String requestPath) {
    return requestPath.length() > 1 && requestPath.endsWith("/")
        ? requestPath.substring(0, requestPath.length() - 1) : requestPath;
  }

  private static Pattern pattern(String routePath) {
    List<String> segments = new ArrayList<>();
    for (String segment : routePath.split("/", -1)) {
      segments.add(segment.startsWith(":") ? "[^/]+" : Pattern.quote(segment));
    }
    return Pattern.compile(String.join("/", segments));
  }
}
