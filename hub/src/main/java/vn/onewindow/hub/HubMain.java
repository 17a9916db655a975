package vn.onewindow.hub;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Settings;
import vn.onewindow.common.logging.LogFormat;

/** Entry point: {@code java -jar hub/target/hub.jar}, configured by config/hub.properties and HUB_* variables. */
public final class HubMain {
  private static final Logger LOG = LoggerFactory.getLogger(HubMain.class);

  private HubMain() {
  }

  public static void main(String[] args) {
    Settings settings;
    HubConfig config;
    try {
      settings = Settings.load(System.getenv());
      config = HubConfig.from(settings);
    } catch (ConfigException e) {
      LOG.error("invalid configuration: {}", e.getMessage());
      System.exit(2);
      return;
    }
    // logback started with HUB_LOG_FORMAT alone; the validated value may also come from HUB_CONFIG_FILE
    LogFormat.use(config.logFormat());
    LOG.info("configuration: {}", HubConfig.describe(settings));
    Hub hub = Hub.start(config);
    hub.drainOnShutdown();
  }
}
