package vn.onewindow.gateway.submit;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.calendar.CalendarNotCoveredException;
import vn.onewindow.common.calendar.DueDates;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.dossier.Channel;
import vn.onewindow.common.dossier.Partitions;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Outcome;
import vn.onewindow.gateway.admission.Admission;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.RequestDeadline;
import vn.onewindow.gateway.http.InstantText;
import vn.onewindow.gateway.http.Idempotency;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.http.SafeTokens;
import vn.onewindow.gateway.http.SubmissionOutcomes;
import vn.onewindow.gateway.security.ApplicantCheck;
import vn.onewindow.gateway.security.Caller;
import vn.onewindow.gateway.security.EdgeHandlers;
import vn.onewindow.gateway.security.Owners;
import vn.onewindow.gateway.security.PayloadGuard;
import vn.onewindow.gateway.validation.DossierParser;
import vn.onewindow.gateway.validation.DossierValidator;
import vn.onewindow.gateway.validation.ProcedureCatalogue.Procedure;
import vn.onewindow.gateway.validation.Violation;

/**
 * POST /v1/dossiers after admission, one router step per method, in the order the router chains them: parse,
 * payload guard, schema and catalogue validation, applicant check, then enqueue and answer 202 with the receipt.
 * A step fails the request with an {@link HttpFailure} or passes the parsed dossier on in the routing context.
 * One instance per gateway verticle (it holds that verticle's Redis client).
 */
public final class SubmitHandler {
  private static final String DOSSIER = "submit.dossier";
  private static final String STARTED = "submit.started";
  private static final String BODY = "submit.body";
  /** Stands for the code in a warm-up's answer: no code is issued for it. */
  private static final String WARMUP_CODE = "warm-up";
  private static final Logger LOG = LoggerFactory.getLogger(SubmitHandler.class);
  // The receipt's constant headers as AsciiStrings, made once: Vert.x keeps their hashes and copies their bytes into
  // the head whole (see EdgeHandlers); the names are the ones these headers always had.
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence REPLAYED = HttpHeaders.createOptimized(Idempotency.REPLAYED_HEADER);
  private static final CharSequence TRUE = HttpHeaders.createOptimized("true");
  private static final CharSequence FALSE = HttpHeaders.createOptimized("false");

  private final DossierParser parser;
  private final DossierValidator validator;
  private final DossierIntake intake;
  private final Redis redis;
  private final DossierConfig config;
  private final DueDates dueDates;
  private final Partitions partitions;
  private final StatusLinks links;
  private final SubmissionOutcomes outcomes;
  private final Timer latency;
  private final Clock clock;

  public SubmitHandler(DossierParser parser, DossierValidator validator, DossierIntake intake, Redis redis,
                       DossierConfig config, DueDates dueDates, Partitions partitions, StatusLinks links,
                       SubmissionOutcomes outcomes, MeterRegistry registry, Clock clock) {
    this.parser = parser;
    this.validator = validator;
    this.intake = intake;
    this.redis = redis;
    this.config = config;
    this.dueDates = dueDates;
    this.partitions = partitions;
    this.links = links;
    this.outcomes = outcomes;
    this.latency = LatencyTimers.register(MeterNames.SUBMIT_LATENCY, "Accepted submissions, request in to 202 out",
        registry);
    this.clock = clock;
  }

  /** Step: strict JSON (no duplicate keys, bounded depth), or 400. */
  public void parse(RoutingContext ctx) {
    ctx.put(STARTED, System.nanoTime());
    step(ctx, () -> ctx.put(DOSSIER, parser.parse(body(ctx))));
  }

  /** Step: byte-level and numeric hazards the schema validator must never see (huge exponents, bad UTF-8...). */
  public void guardPayload(RoutingContext ctx) {
    step(ctx, () -> PayloadGuard.check(body(ctx), dossier(ctx)).ifPresent(failure -> {
      throw failure;
    }));
  }

  /** Step: the JSON Schema and the procedure catalogue, every offending field reported at once (422). */
  public void validate(RoutingContext ctx) {
    step(ctx, () -> {
      JsonNode dossier = dossier(ctx);
      SubmissionOutcomes.channel(ctx, Channel.of(dossier.path("channel").asText("")));
      List<Violation> violations = validator.validate(dossier);
      if (!violations.isEmpty()) {
        throw HttpFailure.invalidDossier(violations);
      }
    });
  }

  /** Step: with a citizen token, the dossier must be in that citizen's name (403). */
  public void checkApplicant(RoutingContext ctx) {
    step(ctx, () -> ApplicantCheck.check(Caller.of(ctx).citizenId(),
        dossier(ctx).path("applicant").path("citizenId").asText("")).ifPresent(failure -> {
          throw failure;
        }));
  }

  /** Last step: queue the dossier (or its degraded path) and answer 202 with the receipt. */
  public void enqueue(RoutingContext ctx) {
    Submission submission;
    try {
      submission = submission(ctx, dossier(ctx), body(ctx));
    } catch (HttpFailure f) {
      ctx.fail(f);
      return;
    }
    if (Caller.of(ctx).isWarmup()) {
      // the whole pipeline, the enqueue script included in its read-only mode (it looks the warm-up's own unique
      // key up and writes nothing), and the receipt's rendering; answered 200, nothing queued or counted
      intake.rehearse(redis, submission)
          .onSuccess(absent -> respond(ctx, 200, new Receipt(submission.dossierId(), WARMUP_CODE,
              InstantText.of(submission.receivedAt()), submission.expectedResultBy().toString(),
              submission.procedureCode(), false)))
          .onFailure(ctx::fail);
      return;
    }
    // shed over a watermark (only with an Idempotency-Key): its earlier dossier's receipt or the refusal
    Admission.Shed shed = Admission.shedOf(ctx);
    (shed == null ? intake.submit(redis, submission, RequestDeadline.of(ctx))
        : intake.replayWhileShed(redis, submission, shed))
        .onSuccess(outcome -> accepted(ctx, outcome))
        .onFailure(ctx::fail);
  }

  private static void step(RoutingContext ctx, Runnable check) {
    try {
      check.run();
    } catch (HttpFailure f) {
      ctx.fail(f);
      return;
    }
    ctx.next();
  }

  /** The body's bytes, copied out of the request buffer once for every step. */
  private static byte[] body(RoutingContext ctx) {
    byte[] body = ctx.get(BODY);
    if (body == null) {
      body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
      ctx.put(BODY, body);
    }
    return body;
  }

  private static JsonNode dossier(RoutingContext ctx) {
    return ctx.get(DOSSIER);
  }

  private Submission submission(RoutingContext ctx, JsonNode dossier, byte[] body) {
    List<String> keys = ctx.request().headers().getAll(Idempotency.KEY_HEADER);
    if (keys.size() > 1) {
      // which one a retry would repeat cannot be known: a silent pick made a second dossier of a retry
      throw HttpFailure.malformed("give one " + Idempotency.KEY_HEADER + " header, not " + keys.size());
    }
    String idempotencyKey = keys.isEmpty() ? null : keys.get(0);
    if (idempotencyKey != null && !SafeTokens.isSafe(idempotencyKey, 8, 128)) {
      throw HttpFailure.malformed(Idempotency.KEY_HEADER + " must be 8 to 128 characters of A-Z a-z 0-9 . _ : -");
    }
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    LocalDate receiptDate = receivedAt.atZone(config.zone()).toLocalDate();
    String procedureCode = dossier.get("procedureCode").asText();
    Procedure procedure = validator.catalogue().find(procedureCode).orElseThrow();
    String receivingUnit = dossier.get("receivingUnit").asText();
    LocalDate expectedResultBy = receiptDue(receivedAt, procedure);
    return new Submission(
        // names the unit's partition, where its queued receipt is kept: a status look-up finds it from the id
        partitions.newDossierId(partitions.ofUnit(receivingUnit)),
        Caller.of(ctx).clientId(),
        idempotencyKey,
        Digests.sha256Hex(body),
        body,
        procedureCode,
        receivingUnit,
        dossier.get("handlingAgency").asText(),
        dossier.get("channel").asText(),
        dossier.get("applicant").get("type").asText(),
        receivedAt,
        receiptDate,
        expectedResultBy,
        Owners.applicantHash(dossier.path("applicant").path("citizenId").asText("")),
        Owners.applicantKey(dossier.path("applicant"), Caller.of(ctx)));
  }

  /**
   * The due date the receipt promises. None can be computed once today lies outside the loaded calendar (its last
   * year ran out): a 503 then, since a dossier is never accepted without its due date and only the operators can
   * load the next year.
   */
  private LocalDate receiptDue(Instant receivedAt, Procedure procedure) {
    try {
      return procedure.due(dueDates, receivedAt).due();
    } catch (CalendarNotCoveredException e) {
      throw HttpFailure.calendarNotLoaded(e, "nothing was queued; retry later");
    }
  }

  private void accepted(RoutingContext ctx, DossierIntake.Outcome outcome) {
    Receipt receipt = outcome.receipt();
    outcomes.record(ctx, receipt.replayed() ? Outcome.DUPLICATE : outcome.degraded() ? Outcome.DEGRADED
        : Outcome.ACCEPTED);
    Long started = ctx.get(STARTED);
    latency.record(Duration.ofNanos(System.nanoTime() - started));
    // Not INFO: a line per accepted dossier cost about a sixth of the throughput on 2 cores (README, capacity);
    // hub_submissions_total counts them and PostgreSQL holds each one.
    if (!receipt.replayed() && LOG.isDebugEnabled()) {
      LOG.debug("dossier {} queued as {} (request {})", receipt.dossierId(), receipt.code(), RequestIds.of(ctx));
    }
    respond(ctx, 202, receipt);
  }

  private void respond(RoutingContext ctx, int status, Receipt receipt) {
    String statusUrl = links.statusUrl(receipt.dossierId());
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
        .putHeader(HttpHeaders.LOCATION, statusUrl)
        .putHeader(HttpHeaders.CACHE_CONTROL, EdgeHandlers.NO_STORE)
        .putHeader(REPLAYED, receipt.replayed() ? TRUE : FALSE)
        .end(receipt.toBody(statusUrl));
  }
}
