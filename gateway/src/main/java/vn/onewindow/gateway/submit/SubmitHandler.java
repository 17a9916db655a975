package vn.onewindow.gateway.submit;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.DossierConfig;
import vn.onewindow.common.infra.Digests;
import vn.onewindow.common.metrics.LatencyTimers;
import vn.onewindow.common.metrics.MeterNames;
import vn.onewindow.common.metrics.MeterNames.Outcome;
import vn.onewindow.gateway.http.HttpFailure;
import vn.onewindow.gateway.http.RequestIds;
import vn.onewindow.gateway.http.SubmissionOutcomes;
import vn.onewindow.gateway.security.Owners;
import vn.onewindow.gateway.security.Security;
import vn.onewindow.gateway.validation.DossierParser;
import vn.onewindow.gateway.validation.DossierValidator;
import vn.onewindow.gateway.validation.ProcedureCatalogue.Procedure;
import vn.onewindow.gateway.validation.Violation;

/** POST /v1/dossiers: read, validate, queue, answer 202 with the receipt. */
public final class SubmitHandler {
  public static final String IDEMPOTENCY_HEADER = "Idempotency-Key";
  private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[A-Za-z0-9._:-]{8,128}");
  private static final Logger LOG = LoggerFactory.getLogger(SubmitHandler.class);

  private final DossierParser parser;
  private final DossierValidator validator;
  private final DossierIntake intake;
  private final Redis redis;
  private final DossierConfig config;
  private final StatusLinks links;
  private final SubmissionOutcomes outcomes;
  private final Timer latency;
  private final Clock clock;

  public SubmitHandler(DossierParser parser, DossierValidator validator, DossierIntake intake, Redis redis,
                       DossierConfig config, StatusLinks links, SubmissionOutcomes outcomes, MeterRegistry registry,
                       Clock clock) {
    this.parser = parser;
    this.validator = validator;
    this.intake = intake;
    this.redis = redis;
    this.config = config;
    this.links = links;
    this.outcomes = outcomes;
    this.latency = LatencyTimers.register(MeterNames.SUBMIT_LATENCY, "Accepted submissions, request in to 202 out",
        registry);
    this.clock = clock;
  }

  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    Future.succeededFuture(body)
        .map(parser::parse)
        .map(dossier -> checked(body, dossier))
        .map(dossier -> validated(ctx, dossier))
        .map(dossier -> submission(ctx, dossier, body))
        .compose(submission -> intake.submit(redis, submission))
        .onSuccess(outcome -> accepted(ctx, outcome, started))
        .onFailure(ctx::fail);
  }

  /** Byte-level and numeric hazards the schema validator must never see (huge exponents, invalid UTF-8...). */
  private static JsonNode checked(byte[] body, JsonNode dossier) {
    Security.checkBody(body, dossier).ifPresent(failure -> {
      throw failure;
    });
    return dossier;
  }

  private JsonNode validated(RoutingContext ctx, JsonNode dossier) {
    SubmissionOutcomes.channel(ctx, dossier.path("channel").asText(""));
    List<Violation> violations = validator.validate(dossier);
    if (!violations.isEmpty()) {
      throw HttpFailure.invalidDossier(violations);
    }
    Security.checkApplicant(ctx, dossier.path("applicant").path("citizenId").asText("")).ifPresent(failure -> {
      throw failure;
    });
    return dossier;
  }

  private Submission submission(RoutingContext ctx, JsonNode dossier, byte[] body) {
    String idempotencyKey = ctx.request().getHeader(IDEMPOTENCY_HEADER);
    if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
      throw HttpFailure.malformed(IDEMPOTENCY_HEADER + " must be 8 to 128 characters of A-Z a-z 0-9 . _ : -");
    }
    Instant receivedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    LocalDate receiptDate = receivedAt.atZone(config.zone()).toLocalDate();
    String procedureCode = dossier.get("procedureCode").asText();
    Procedure procedure = validator.catalogue().find(procedureCode).orElseThrow();
    return new Submission(
        UUID.randomUUID().toString(),
        Security.clientId(ctx),
        idempotencyKey,
        Digests.sha256Hex(body),
        new String(body, StandardCharsets.UTF_8),
        procedureCode,
        dossier.get("receivingUnit").asText(),
        dossier.get("handlingAgency").asText(),
        dossier.get("channel").asText(),
        receivedAt,
        receiptDate,
        WorkingDays.add(receiptDate, procedure.processingDays()),
        Owners.applicantHash(dossier.path("applicant").path("citizenId").asText("")),
        Owners.applicantKey(dossier.path("applicant")));
  }

  private void accepted(RoutingContext ctx, DossierIntake.Outcome outcome, long startedNanos) {
    Receipt receipt = outcome.receipt();
    outcomes.record(ctx, receipt.replayed() ? Outcome.DUPLICATE : outcome.degraded() ? Outcome.DEGRADED
        : Outcome.ACCEPTED);
    latency.record(Duration.ofNanos(System.nanoTime() - startedNanos));
    String statusUrl = links.statusUrl(receipt.dossierId());
    // Not INFO: a line per accepted dossier cost about a sixth of the throughput on 2 cores (README, capacity);
    // hub_submissions_total counts them and PostgreSQL holds each one.
    if (!receipt.replayed() && LOG.isDebugEnabled()) {
      LOG.debug("dossier {} queued as {} (request {})", receipt.dossierId(), receipt.code(), RequestIds.of(ctx));
    }
    ctx.response()
        .setStatusCode(202)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.LOCATION, statusUrl)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("Idempotent-Replayed", Boolean.toString(receipt.replayed()))
        .end(receipt.toJson(statusUrl).encode());
  }
}
