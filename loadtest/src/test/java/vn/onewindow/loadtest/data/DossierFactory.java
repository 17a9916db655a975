package vn.onewindow.loadtest.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import vn.onewindow.loadtest.data.Catalogue.Procedure;

/**
 * Realistic, varied dossiers: a procedure drawn from the catalogue (weighted towards the everyday ones), a channel
 * and applicant type the procedure accepts, a citizen with a 12-digit personal identification number or a business
 * with a tax code, Vietnamese names and addresses with diacritics, every required form field with a plausible value
 * and at least the required number of attachments. All data is synthetic. Thread-safe.
 */
public final class DossierFactory {

  /** A generated dossier: the exact body bytes (retries resend them unchanged) and what the run needs to know. */
  public record Dossier(String procedureCode, String channel, String applicantType, String body) {
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Everyday procedures get more traffic than rare ones, as on the real portal. */
  private static final Map<String, Integer> WEIGHTS = Map.ofEntries(
      Map.entry("1.001612.000.00.00.H48", 10), // birth registration
      Map.entry("1.004194.000.00.00.H48", 6),  // permanent residence
      Map.entry("1.004222.000.00.00.H48", 6),  // temporary residence
      Map.entry("1.002809.000.00.00.H48", 6),  // driving licence renewal
      Map.entry("1.004884", 5),                // marital status certificate
      Map.entry("2.000488.000.00.00.H48", 4),  // criminal record certificate
      Map.entry("2.000815.000.00.00.H48", 4),  // certified copies
      Map.entry("1.000894", 3),                // marriage registration
      Map.entry("1.000656.000.00.00.H48", 3),  // death registration
      Map.entry("2.000528.000.00.00.H48", 3),  // household business registration
      Map.entry("1.002221.000.00.00.H48", 3)); // health insurance card reissue

  private static final String[][] PROVINCES = {
      {"001", "Thành phố Hà Nội", "H26"}, {"079", "Thành phố Hồ Chí Minh", "H29"},
      {"048", "Thành phố Đà Nẵng", "H48"}, {"031", "Thành phố Hải Phòng", "H31"},
      {"092", "Thành phố Cần Thơ", "H92"}, {"038", "Tỉnh Thanh Hóa", "H38"}, {"040", "Tỉnh Nghệ An", "H40"},
      {"046", "Thành phố Huế", "H46"}, {"075", "Tỉnh Đồng Nai", "H75"}, {"056", "Tỉnh Khánh Hòa", "H56"},
      {"066", "Tỉnh Đắk Lắk", "H66"}, {"027", "Tỉnh Bắc Ninh", "H27"}, {"096", "Tỉnh Cà Mau", "H96"}};
  private static final String[] FAMILY = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ",
      "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai"};
  private static final String[] MIDDLE_M = {"Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Gia", "Xuân"};
  private static final String[] MIDDLE_F = {"Thị", "Ngọc", "Thu", "Thanh", "Minh", "Kim", "Bảo", "Khánh", "Diệu"};
  private static final String[] GIVEN_M = {"An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hoàng", "Hùng",
      "Khoa", "Long", "Nam", "Phúc", "Quân", "Sơn", "Thắng", "Toàn", "Trung", "Tuấn", "Việt", "Vinh", "Lộc"};
  private static final String[] GIVEN_F = {"Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hương", "Lan",
      "Linh", "Mai", "Nga", "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Trang", "Tuyết", "Vy", "Yến", "Ánh"};
  private static final String[] STREETS = {"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Huệ", "Hai Bà Trưng", "Lý Thường Kiệt",
      "Điện Biên Phủ", "Quang Trung", "Phan Đình Phùng", "Nguyễn Trãi", "Lê Duẩn", "Bạch Đằng", "Võ Văn Kiệt",
      "Hùng Vương", "Trường Chinh", "Nguyễn Văn Linh", "Cách Mạng Tháng Tám"};
  private static final String[] WARDS = {"Phường Bến Nghé", "Phường Hải Châu", "Phường Tràng Tiền", "Phường An Hải",
      "Phường Tân Định", "Phường Thạch Thang", "Phường Cầu Giấy", "Xã Hòa Phước", "Phường Ninh Kiều", "Xã Tân Phú"};
  private static final String[] COMPANY_KINDS = {"Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH MTV",
      "Hợp tác xã", "Doanh nghiệp tư nhân"};
  private static final String[] COMPANY_WORDS = {"Thương mại Dịch vụ", "Xây dựng", "Công nghệ Số", "Vận tải",
      "Nông sản", "Thực phẩm Sạch", "Du lịch", "Cơ khí", "Dệt may", "Thủy sản", "Giáo dục", "Dược phẩm"};
  private static final String[] BRANDS = {"Hòa Bình", "Phú Cường", "Sao Việt", "Minh Phát", "Đại Dương", "Trường An",
      "Hưng Thịnh", "Bình Minh", "Kim Long", "Ánh Dương", "Phương Nam", "Sông Hàn"};
  private static final String[][] ATTACHMENTS = {
      {"Tờ khai", "pdf"}, {"Bản sao căn cước", "pdf"}, {"Ảnh chân dung", "jpg"}, {"Giấy ủy quyền", "pdf"},
      {"Giấy chứng sinh", "pdf"}, {"Hợp đồng chuyển nhượng", "pdf"}, {"Bản vẽ thiết kế", "png"},
      {"Giấy khám sức khỏe", "pdf"}, {"Văn bằng chuyên môn", "pdf"}, {"Trích lục bản đồ thửa đất", "png"},
      {"Điều lệ công ty", "docx"}, {"Danh sách thành viên", "docx"}, {"Dữ liệu kê khai", "xml"},
      {"Quyết định bổ nhiệm", "pdf"}, {"Giấy xác nhận", "pdf"}};

  private final Catalogue catalogue;
  private final AgencyCodes agencies;
  private final String[][] provinces;
  private final Procedure[] wheel;

  public DossierFactory(Catalogue catalogue, AgencyCodes agencies) {
    this.catalogue = catalogue;
    this.agencies = agencies;
    // only provinces the agency directory has open codes for (the hub refuses unknown and closed codes)
    this.provinces = java.util.Arrays.stream(PROVINCES).filter(p -> !agencies.of(p[2]).isEmpty())
        .toArray(String[][]::new);
    if (provinces.length == 0) {
      throw new IllegalStateException("the agency directory has no open code in any province of the load");
    }
    List<Procedure> w = new ArrayList<>();
    for (Procedure p : catalogue.active()) {
      for (int i = 0; i < WEIGHTS.getOrDefault(p.code(), 1); i++) {
        w.add(p);
      }
    }
    this.wheel = w.toArray(Procedure[]::new);
  }

  public Catalogue catalogue() {
    return catalogue;
  }

  /** Every agency code a generated dossier may name as its handling agency. */
  public List<String> handlingAgencies() {
    List<String> codes = new ArrayList<>();
    for (String[] province : provinces) {
      codes.addAll(agencies.of(province[2]));
    }
    return codes;
  }

  /** A dossier for a procedure drawn at random (weighted). */
  public Dossier next() {
    return forProcedure(wheel[rnd().nextInt(wheel.length)]);
  }

  public Dossier forProcedure(Procedure p) {
    ThreadLocalRandom r = rnd();
    String[] province = pick(provinces);
    String channel = p.channels().contains("online") && r.nextDouble() < 0.8 ? "online" : pick(p.channels());
    String applicantType = pick(p.applicantTypes());
    List<String> codes = agencies.of(province[2]);
    String unit = pick(codes);
    String agency = r.nextDouble() < 0.5 ? unit : pick(codes);

    Map<String, Object> d = new LinkedHashMap<>();
    d.put("procedureCode", p.code());
    d.put("receivingUnit", unit);
    d.put("handlingAgency", agency);
    d.put("channel", channel);
    d.put("applicant", applicant(applicantType, province));
    Map<String, Object> form = new LinkedHashMap<>();
    for (String field : p.requiredFields()) {
      form.put(field, value(field, province));
    }
    if (r.nextDouble() < 0.3) {
      form.put("contactNote", "Liên hệ ngoài giờ hành chính nếu cần bổ sung.");
    }
    d.put("formData", form);
    int attachments = p.requiredAttachments() + (r.nextDouble() < 0.3 ? 1 : 0);
    List<Map<String, Object>> files = new ArrayList<>();
    for (int i = 0; i < attachments; i++) {
      files.add(attachment());
    }
    d.put("attachments", files);
    if (r.nextDouble() < 0.7) {
      d.put("resultDelivery", pick(List.of("online", "postal", "counter")));
    }
    if (r.nextDouble() < 0.15) {
      d.put("note", "Hồ sơ thử tải (dữ liệu giả lập), không phải hồ sơ thật.");
    }
    try {
      return new Dossier(p.code(), channel, applicantType, JSON.writeValueAsString(d));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private Map<String, Object> applicant(String type, String[] province) {
    ThreadLocalRandom r = rnd();
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("type", type);
    String name;
    if ("business".equals(type)) {
      a.put("taxCode", digits(10) + (r.nextDouble() < 0.1 ? "-" + String.format("%03d", r.nextInt(1, 999)) : ""));
      name = companyName();
      a.put("fullName", name);
      a.put("phone", "02" + digits(r.nextBoolean() ? 8 : 9));
    } else {
      a.put("citizenId", citizenId(province));
      name = personName();
      a.put("fullName", name);
      a.put("phone", r.nextDouble() < 0.1 ? "+84" + mobileRest() : "0" + mobileRest());
    }
    if (r.nextDouble() < 0.6) {
      a.put("email", ascii(name).replaceAll("[^a-z0-9]+", ".").replaceAll("^\\.|\\.$", "") + r.nextInt(1, 9999)
          + "@example.com");
    }
    a.put("address", address(province));
    return a;
  }

  /** 3-digit province of registration, century/gender digit, 2-digit birth year, 6 random digits. */
  static String citizenId(String[] province) {
    ThreadLocalRandom r = rnd();
    int year = r.nextInt(1945, 2008);
    int centuryGender = (year >= 2000 ? 2 : 0) + r.nextInt(2);
    return province[0] + centuryGender + String.format("%02d", year % 100) + digits(6);
  }

  private Object value(String field, String[] province) {
    ThreadLocalRandom r = rnd();
    String f = field.toLowerCase(Locale.ROOT);
    LocalDate today = LocalDate.now();
    // identifiers first: "husbandCitizenId" is an id, not a name
    if (f.endsWith("citizenid")) {
      return citizenId(province);
    }
    switch (field) {
      case "licenceClass": return pick(List.of("A1", "A", "B", "B1", "C1", "C", "D", "FC"));
      case "badgeType": return pick(List.of("Xe taxi", "Xe hợp đồng", "Xe tải", "Xe khách tuyến cố định"));
      case "relationshipType": return pick(List.of("Nhận cha", "Nhận mẹ", "Nhận con"));
      case "relationshipToHouseholdHead":
      case "declarantRelationship": return pick(List.of("Con", "Vợ", "Chồng", "Cha", "Mẹ", "Cháu", "Anh ruột"));
      case "legalResidenceDocumentType": return pick(List.of("Giấy chứng nhận quyền sử dụng đất",
          "Hợp đồng thuê nhà có công chứng", "Văn bản cho ở nhờ", "Giấy tờ mua bán nhà ở"));
      case "landUsePurpose": return pick(List.of("Đất ở tại đô thị", "Đất ở tại nông thôn", "Đất trồng cây lâu năm",
          "Đất thương mại, dịch vụ"));
      case "constructionGrade": return pick(List.of("Cấp I", "Cấp II", "Cấp III", "Cấp IV"));
      case "productGroup": return pick(List.of("Thực phẩm chức năng", "Nước uống đóng chai", "Bánh kẹo",
          "Thủy sản đông lạnh"));
      case "recordType": return pick(List.of("Phiếu lý lịch tư pháp số 1", "Phiếu lý lịch tư pháp số 2"));
      case "issuingCountry": return pick(List.of("Nhật Bản", "Hàn Quốc", "Úc", "Pháp", "Đức", "Hoa Kỳ"));
      case "bankName": return pick(List.of("Vietcombank", "VietinBank", "BIDV", "Agribank", "Techcombank", "MB"));
      case "taxPeriod": return "Quý " + r.nextInt(1, 5) + "/" + (today.getYear() - 1);
      case "effectiveMonth": return YearMonth.from(today.plusMonths(1)).toString();
      case "examSubjects": return "Toán, Ngữ văn, Tiếng Anh, " + pick(List.of("Vật lý", "Lịch sử", "Địa lý"));
      case "vehicleRegistrationPlate": return province[2].substring(1) + pick(List.of("A", "B", "C", "H")) + "-"
          + digits(3) + "." + digits(2);
      case "enterpriseCode": return digits(10);
      case "healthInsuranceNumber": return pick(List.of("DN", "HT", "GD", "HS")) + r.nextInt(1, 6) + province[0].substring(1)
          + digits(10);
      case "socialInsuranceNumber": return digits(10);
      case "passportNumber": return pick(List.of("E", "C", "M", "P")) + digits(8);
      case "certificateSerial": return pick(List.of("AA", "BA", "CS", "DK")) + " " + digits(6);
      case "qualificationDegree": return pick(List.of("Bác sĩ đa khoa", "Dược sĩ đại học", "Cử nhân điều dưỡng"));
      case "professionalTitle": return pick(List.of("Bác sĩ", "Y sĩ", "Điều dưỡng", "Kỹ thuật viên"));
      case "practiceScope": return pick(List.of("Khám bệnh, chữa bệnh đa khoa", "Nội khoa", "Nhi khoa", "Răng hàm mặt"));
      case "diplomaTitle": return pick(List.of("Bằng Thạc sĩ Quản trị kinh doanh", "Bằng Cử nhân Khoa học máy tính",
          "Bằng Tiến sĩ Kinh tế"));
      case "documentTitle": return pick(List.of("Giấy khai sinh", "Bằng tốt nghiệp", "Hợp đồng lao động",
          "Sổ hộ khẩu"));
      case "jobPosition": return pick(List.of("Chuyên gia", "Giám đốc điều hành", "Lao động kỹ thuật"));
      case "businessLines": return pick(List.of("Bán lẻ lương thực, thực phẩm", "Dịch vụ ăn uống",
          "Sửa chữa máy móc, thiết bị", "Bán buôn vật liệu xây dựng"));
      case "changedItems": return pick(List.of("Địa chỉ trụ sở chính", "Người đại diện theo pháp luật",
          "Vốn điều lệ", "Ngành, nghề kinh doanh"));
      case "incomeSource": return pick(List.of("Không có nguồn thu nhập", "Trợ cấp hằng tháng", "Lương hưu"));
      case "numberOfCopies": return r.nextInt(1, 6);
      case "numberOfFloors": return r.nextInt(1, 8);
      case "employeeCount": return r.nextInt(5, 500);
      default: break;
    }
    if (f.endsWith("fullname")) {
      return personName();
    }
    if (f.endsWith("dateofbirth") || f.equals("dateofbirth")) {
      boolean young = f.startsWith("child") || f.startsWith("student") || f.startsWith("candidate");
      return young ? today.minusDays(r.nextInt(young && f.startsWith("child") ? 5 : 2200, young && f.startsWith("child")
          ? 60 : 6500)).toString() : today.minusYears(r.nextInt(18, 85)).minusDays(r.nextInt(365)).toString();
    }
    if (f.endsWith("date") || f.equals("dateofdeath") || f.endsWith("from")) {
      boolean future = f.startsWith("expiry") || f.startsWith("contractstart") || f.endsWith("from");
      return (future ? today.plusDays(r.nextInt(1, 60)) : today.minusDays(r.nextInt(1, 700))).toString();
    }
    if (f.endsWith("until")) {
      return today.plusDays(r.nextInt(60, 730)).toString();
    }
    if (f.contains("address") || f.startsWith("placeof") || f.equals("worklocation")) {
      return address(province);
    }
    if (f.endsWith("name")) { // companyName, schoolName, facilityName, projectName, lastEmployerName, ...
      return f.contains("school") ? pick(List.of("Trường Tiểu học ", "Trường THCS ", "Trường THPT ")) + pick(BRANDS)
          : f.contains("project") ? "Dự án Khu nhà ở " + pick(BRANDS) : companyName();
    }
    if (f.contains("school") || f.contains("institution")) {
      return pick(List.of("Trường Tiểu học ", "Trường THCS ", "Đại học ")) + pick(BRANDS);
    }
    if (f.endsWith("area")) {
      return Math.round(r.nextDouble(30, 800) * 10) / 10.0;
    }
    if (f.contains("amount") || f.contains("capital") || f.contains("base")) {
      return (long) r.nextInt(5, 5000) * 1_000_000L;
    }
    if (f.endsWith("number")) { // licence, parcel, map sheet, household book, bank account, transport licence
      return digits(f.startsWith("parcel") || f.startsWith("mapsheet") ? 3 : 12);
    }
    if (f.contains("reason") || f.contains("purpose")) {
      return pick(List.of("Bị mất", "Bị hư hỏng", "Thay đổi thông tin", "Bổ sung hồ sơ xin việc",
          "Làm thủ tục kết hôn", "Du học", "Theo yêu cầu của cơ quan có thẩm quyền"));
    }
    return "Thông tin " + field + " (dữ liệu giả lập)";
  }

  private Map<String, Object> attachment() {
    ThreadLocalRandom r = rnd();
    String[] a = pick(ATTACHMENTS);
    String ext = a[1];
    String media = switch (ext) {
      case "jpg" -> "image/jpeg";
      case "png" -> "image/png";
      case "xml" -> "application/xml";
      case "docx" -> "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
      default -> "application/pdf";
    };
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", a[0] + "." + ext);
    m.put("mediaType", media);
    m.put("sizeBytes", r.nextInt(20_000, 5_000_000));
    m.put("sha256", hex(64));
    String object = LocalDate.now().getYear() + "/" + String.format("%02d", LocalDate.now().getMonthValue()) + "/"
        + UUID.randomUUID() + "." + ext;
    m.put("storageUri", switch (r.nextInt(3)) {
      case 0 -> "s3://dvc-uploads/" + object;
      case 1 -> "minio://dvc-uploads/" + object;
      default -> "https://storage.onewindow.test/uploads/" + object;
    });
    return m;
  }

  static String personName() {
    ThreadLocalRandom r = rnd();
    boolean male = r.nextBoolean();
    return pick(FAMILY) + " " + (male ? pick(MIDDLE_M) : pick(MIDDLE_F)) + " " + (male ? pick(GIVEN_M) : pick(GIVEN_F));
  }

  private static String companyName() {
    return pick(COMPANY_KINDS) + " " + pick(COMPANY_WORDS) + " " + pick(BRANDS);
  }

  private static String address(String[] province) {
    ThreadLocalRandom r = rnd();
    return "Số " + r.nextInt(1, 400) + (r.nextDouble() < 0.2 ? "/" + r.nextInt(1, 40) : "") + " Đường " + pick(STREETS)
        + ", " + pick(WARDS) + ", " + province[1];
  }

  private static String mobileRest() {
    return pick(List.of("3", "5", "7", "8", "9")) + digits(8);
  }

  static String digits(int n) {
    ThreadLocalRandom r = rnd();
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append((char) ('0' + r.nextInt(10)));
    }
    return sb.toString();
  }

  private static String hex(int n) {
    ThreadLocalRandom r = rnd();
    StringBuilder sb = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      sb.append("0123456789abcdef".charAt(r.nextInt(16)));
    }
    return sb.toString();
  }

  static String ascii(String s) {
    return Normalizer.normalize(s.replace('đ', 'd').replace('Đ', 'D'), Normalizer.Form.NFD)
        .replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
  }

  private static <T> T pick(T[] items) {
    return items[rnd().nextInt(items.length)];
  }

  private static <T> T pick(List<T> items) {
    return items.get(rnd().nextInt(items.size()));
  }

  private static ThreadLocalRandom rnd() {
    return ThreadLocalRandom.current();
  }
}
