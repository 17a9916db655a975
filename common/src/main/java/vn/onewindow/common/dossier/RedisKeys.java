package vn.onewindow.common.dossier;

import vn.onewindow.common.config.RedisConfig;
import vn.onewindow.common.config.StreamConfig;

/** Every Redis key the hub touches, under one configured prefix. */
public record RedisKeys(String prefix, String stream, String deadLetterStream, String group) {

  public static RedisKeys of(RedisConfig redis, StreamConfig stream) {
    String p = redis.keyPrefix();
    return new RedisKeys(p, p + "stream:" + stream.name(), p + "stream:" + stream.deadLetterName(), stream.group());
  }

  /** Daily dossier sequence of one receiving unit (Circular 01/2018: XXXX per unit per day). */
  public String sequence(String receivingUnit, String yymmdd) {
    return prefix + "seq:" + receivingUnit + ":" + yymmdd;
  }

  public String idempotency(String clientId, String key) {
    return prefix + "idem:" + clientId + ":" + key;
  }

  /** GCRA state of one applicant's rate limit; {@code applicantKey} is a hash, never the ID itself. */
  public String applicantLimit(String applicantKey) {
    return prefix + "rl:applicant:" + applicantKey;
  }

  /** GCRA state of one frontend client's rate limit. */
  public String clientLimit(String clientId) {
    return prefix + "rl:client:" + clientId;
  }

  public String receipt(String dossierId) {
    return prefix + "receipt:" + dossierId;
  }
}
