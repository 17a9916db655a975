package vn.onewindow.common.config;

public record StreamConfig(String name, String group, String deadLetterName) {

  public static StreamConfig from(Settings s) {
    return new StreamConfig(s.nonBlank("stream.name"), s.nonBlank("stream.group"), s.nonBlank("stream.dead-letter-name"));
  }
}
