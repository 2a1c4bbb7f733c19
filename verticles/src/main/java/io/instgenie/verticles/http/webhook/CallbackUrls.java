package io.instgenie.verticles.http.webhook;

import io.instgenie.verticles.ServiceException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Checks a {@code callback_url} against {@code webhook_allow}: an absolute http(s) URL whose host
 * matches a pattern ({@code host} exactly, or {@code *.domain} for its subdomains), so the service
 * cannot be aimed at internal addresses nobody allowed. Host names are compared as written (not
 * resolved): allow names whose DNS you control.
 */
public final class CallbackUrls {
  private final List<String> allow;

  public CallbackUrls(List<String> allow) {
    this.allow = allow;
  }

  /** The URL, checked; a bad or non-allowed one fails with 400 saying why. */
  public URI check(String url) {
    URI u;
    try {
      u = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw bad("callback_url is not a URL: " + e.getMessage());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https"))
      throw bad("callback_url must be an absolute http or https URL, got '" + url + "'");
    if (u.getHost() == null || u.getUserInfo() != null)
      throw bad("callback_url must name a host (and no user), got '" + url + "'");
    String host = u.getHost().toLowerCase(Locale.ROOT);
    if (allow.isEmpty())
      throw bad("callback_url is refused: this service allows no webhook hosts (webhook_allow)");
    for (String p : allow) if (matches(p, host)) return u;
    throw bad("callback_url host " + host + " is not allowed (webhook_allow: " + allow + ")");
  }

  static boolean matches(String pattern, String host) {
    if (pattern.startsWith("*.")) return host.endsWith(pattern.substring(1));
    return pattern.equals(host);
  }

  private static ServiceException bad(String message) {
    return new ServiceException(ServiceException.BAD_REQUEST, message);
  }
}
