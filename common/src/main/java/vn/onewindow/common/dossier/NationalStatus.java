package vn.onewindow.common.dossier;

import io.vertx.core.json.JsonObject;

/** National dossier status codes (TrangThaiHoSo). "Overdue" is not a status: it is computed from the deadline. */
public enum NationalStatus {
  NEWLY_REGISTERED(1, "Mới đăng ký", "newly registered"),
  ACCEPTED(2, "Được tiếp nhận", "accepted"),
  NOT_ACCEPTED(3, "Không được tiếp nhận", "not accepted"),
  IN_PROCESSING(4, "Đang xử lý", "in processing"),
  ADDITIONAL_DOCUMENTS_REQUESTED(5, "Yêu cầu bổ sung giấy tờ", "additional documents requested"),
  FINANCIAL_OBLIGATION_REQUESTED(6, "Yêu cầu thực hiện nghĩa vụ tài chính", "financial obligation requested"),
  WITHDRAWN(7, "Công dân yêu cầu rút hồ sơ", "withdrawn at the citizen's request"),
  PROCESSING_STOPPED(8, "Dừng xử lý", "processing stopped"),
  PROCESSING_FINISHED(9, "Đã xử lý xong", "processing finished"),
  RESULT_RETURNED(10, "Đã trả kết quả", "result returned");

  private final int code;
  private final String name;
  private final String label;

  NationalStatus(int code, String name, String label) {
    this.code = code;
    this.name = name;
    this.label = label;
  }

  public int code() {
    return code;
  }

  /** English meaning, for documentation and logs. */
  public String label() {
    return label;
  }

  public static NationalStatus of(int code) {
    for (NationalStatus s : values()) {
      if (s.code == code) {
        return s;
      }
    }
    throw new IllegalArgumentException("no national status code " + code);
  }

  public JsonObject toJson() {
    return new JsonObject().put("code", code).put("name", name);
  }
}
