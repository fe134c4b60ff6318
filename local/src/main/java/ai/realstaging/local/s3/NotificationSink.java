package ai.realstaging.local.s3;

/** Where bucket notifications go (the local stack wires it to the SQS emulator). */
@FunctionalInterface
public interface NotificationSink {
  void deliver(String queueArn, String messageBody);
}
