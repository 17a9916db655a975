package vn.onewindow.intake;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import vn.onewindow.common.dossier.StreamEntry;

/** Realistic stream entries, as the gateway would queue them. */
final class Dossiers {
  private static final String[] NAMES = {
      "Nguyễn Thị Hồng Nhung", "Trần Văn Đức", "Lê Hoàng Phúc", "Phạm Thị Ánh Tuyết", "Võ Minh Khôi",
      "Đặng Thị Thu Hằng", "Huỳnh Quốc Bảo", "Bùi Thị Ngọc Ánh"};
  private static final String[] STREETS = {"Lê Duẩn", "Trần Phú", "Nguyễn Văn Linh", "Hùng Vương", "Điện Biên Phủ"};

  private Dossiers() {
  }

  static JsonObject payload(int i) {
    return new JsonObject()
        .put("procedureCode", "1.001612.000.00.00.H48")
        .put("receivingUnit", "000.00.53.H48")
        .put("handlingAgency", "000.00.00.H48")
        .put("channel", "online")
        .put("applicant", new JsonObject()
            .put("type", "citizen")
            .put("citizenId", String.format("0480%08d", i))
            .put("fullName", NAMES[i % NAMES.length])
            .put("phone", String.format("0905%06d", i % 1_000_000))
            .put("address", (i % 200 + 1) + " " + STREETS[i % STREETS.length]
                + ", phường Hải Châu, quận Hải Châu, thành phố Đà Nẵng"))
        .put("formData", new JsonObject()
            .put("lyDo", "Đăng ký khai sinh cho con")
            .put("hoTenTre", "Nguyễn Bảo Ngọc")
            .put("ngaySinh", "2025-02-14")
            .put("soBanSao", 1 + i % 3))
        .put("attachments", new JsonArray());
  }

  /** Entries {@code 0 .. count - 1}. */
  static List<StreamEntry> entries(int count) {
    List<StreamEntry> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(entry(i));
    }
    return out;
  }

  static StreamEntry entry(int i) {
    return entry(i, payload(i).encode());
  }

  static StreamEntry entry(int i, String payload) {
    String code = String.format("000.00.53.H48-%06d-%04d", 250301 + i / 10_000, i % 10_000);
    return new StreamEntry(UUID.randomUUID().toString(), code, "portal-dvc", Instant.now().toString(),
        i % 2 == 0 ? "idem-" + i : null, payload);
  }

  /**
   * An entry whose code is too large for its unique btree index: PostgreSQL refuses its row with SQLSTATE 54000,
   * neither a data error nor transient, at every delivery.
   */
  static StreamEntry withOversizedCode(int i) {
    StreamEntry e = entry(i);
    SecureRandom random = new SecureRandom();
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    StringBuilder code = new StringBuilder(12_000);
    for (int n = 0; n < 12_000; n++) {
      code.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return new StreamEntry(e.dossierId(), code.toString(), e.clientId(), e.receivedAt(), null, e.payload());
  }
}
