package vn.onewindow.hub;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vn.onewindow.common.config.ConfigException;
import vn.onewindow.common.config.HubConfig;
import vn.onewindow.common.config.Secrets;
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
      exit(2);
      return;
    }
    // logback started with HUB_LOG_FORMAT alone; the validated value may also come from HUB_CONFIG_FILE
    LogFormat.use(config.logFormat());
    LOG.info("configuration: {}", HubConfig.describe(settings));
    settings.unknownVariables(System.getenv()).forEach(name ->
        LOG.warn("environment variable {} names no setting and is ignored (README, Configuration)", name));
    Hub hub;
    try {
      hub = Hub.start(config);
    } catch (ConfigException e) {
      // a file the gateway reads at start (clients, catalogue, agency directory, calendar) it cannot apply: as an
      // invalid setting, the message names the file, its key and its variable
      LOG.error("invalid configuration: {}", e.getMessage());
      exit(2);
      return;
    } catch (Exception e) {
      // a port in use, an unreachable database...: one line saying so, then the process ends (Hub.start has closed
      // what it had started), rather than a stack trace and event loops left running
      // a driver refusing a URL quotes it whole, password included
      LOG.error("could not start: {}", Secrets.maskUrl(e instanceof StartRefused ? e.getMessage() : e.toString()));
      exit(1);
      return;
    }
    hub.drainOnShutdown();
  }

  /**
   * Ends the process once the log is written: the appenders are asynchronous (logback.xml), and System.exit alone
   * dropped the very line that said why (a user tryout saw an invalid configuration exit 2 with an empty log).
   */
  private static void exit(int status) {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
    System.exit(status);
  }
}
