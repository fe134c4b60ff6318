package ai.realstaging.local.sqs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One standard SQS queue: attributes and messages, with visibility, delay, retention and redrive decided under
 * one lock. Visibility is lazy: hidden messages wait in a heap ordered by when they become visible and are
 * promoted whenever the queue is touched, so no timer thread exists; a long poll sleeps on a condition until a
 * send signals it or the next hidden message comes due.
 */
final class Queue {

    /** Settable numeric attributes and their allowed ranges, as AWS enforces them. */
    private static final Map<String, int[]> RANGES = Map.of("VisibilityTimeout", new int[] {0, 43_200},
            "MessageRetentionPeriod", new int[] {60, 1_209_600}, "DelaySeconds", new int[] {0, 900},
            "ReceiveMessageWaitTimeSeconds", new int[] {0, 20}, "MaximumMessageSize", new int[] {1_024, 1_048_576});
    private static final Map<String, String> DEFAULTS = Map.of("VisibilityTimeout", "30",
            "MessageRetentionPeriod", "345600", "DelaySeconds", "0", "ReceiveMessageWaitTimeSeconds", "0",
            "MaximumMessageSize", "1048576", "SqsManagedSseEnabled", "true");
    /** Stored and echoed back, without effect here. */
    private static final Set<String> OPAQUE = Set.of("Policy", "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds",
            "SqsManagedSseEnabled", "RedriveAllowPolicy");
    /** Names GetQueueAttributes also accepts; the FIFO ones are simply never returned. */
    private static final Set<String> READ_ONLY = Set.of("All", "QueueArn", "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp",
            "LastModifiedTimestamp", "FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
            "FifoThroughputLimit");

    /** What a receive hands out: the message plus the delivery facts as they were at that receive. */
    record Delivery(Message message, String receiptHandle, int receiveCount, long firstReceiveTimestamp) {}

    private record Redrive(String targetArn, int maxReceiveCount) {}

    private record Wakeup(long at, int generation, Message message) {}

    final String name;
    final String arn;
    private final long createdTimestamp = System.currentTimeMillis() / 1000;
    private volatile long lastModifiedTimestamp = createdTimestamp;
    private final Map<String, String> attributes = new ConcurrentHashMap<>(DEFAULTS);
    private volatile Redrive redrive;
    private final Function<String, Queue> queuesByArn;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock. Insertion order of `messages` is enqueue order, so retention can expire from the head.
    private final Map<String, Message> messages = new LinkedHashMap<>();
    private final ArrayDeque<Message> visible = new ArrayDeque<>();
    private final PriorityQueue<Wakeup> hidden = new PriorityQueue<>(Comparator.comparingLong(Wakeup::at));
    private final int[] counts = new int[Message.State.values().length];
    private boolean deleted;

    Queue(String name, String arn, Function<String, Queue> queuesByArn) {
        this.name = name;
        this.arn = arn;
        this.queuesByArn = queuesByArn;
    }

    static boolean isAttributeName(String key) {
        return RANGES.containsKey(key) || OPAQUE.contains(key) || READ_ONLY.contains(key)
                || key.equals("RedrivePolicy");
    }

    int intAttribute(String key) {
        return Integer.parseInt(attributes.get(key));
    }

    /** Validates every entry before applying any, so a bad request changes nothing. */
    void setAttributes(Map<String, String> requested) {
        Map<String, String> valid = new LinkedHashMap<>();
        requested.forEach((key, value) -> valid.put(key, normalize(key, value)));
        valid.remove("FifoQueue");
        valid.forEach((key, value) -> {
            if (key.equals("RedrivePolicy") && value.isEmpty()) { // an empty policy removes redrive
                attributes.remove(key);
                redrive = null;
                return;
            }
            attributes.put(key, value);
            if (key.equals("RedrivePolicy")) {
                JsonNode policy = SqsEmulator.readObject(value);
                redrive = new Redrive(policy.get("deadLetterTargetArn").asText(),
                        policy.get("maxReceiveCount").asInt());
            }
        });
        lastModifiedTimestamp = System.currentTimeMillis() / 1000;
    }

    /** The first requested attribute that differs from this queue's, as CreateQueue on an existing name checks. */
    String conflictingAttribute(Map<String, String> requested) {
        return requested.entrySet().stream()
                .filter(e -> !e.getKey().equals("FifoQueue"))
                .filter(e -> !normalize(e.getKey(), e.getValue()).equals(attributes.getOrDefault(e.getKey(), "")))
                .map(Map.Entry::getKey).findFirst().orElse(null);
    }

    private String normalize(String key, String raw) {
        String value = raw == null ? "" : raw.trim();
        int[] range = RANGES.get(key);
        if (range != null) {
            int n = value.matches("-?\\d{1,9}") ? Integer.parseInt(value) : Integer.MIN_VALUE;
            if (n < range[0] || n > range[1]) {
                throw SqsError.invalidAttributeValue(key, "must be an integer from " + range[0] + " to " + range[1]);
            }
            return String.valueOf(n);
        }
        if (key.equals("FifoQueue") && value.equalsIgnoreCase("true")) {
            throw SqsError.invalidAttributeValue(key, "FIFO queues are not supported by this emulator");
        }
        if (key.equals("RedrivePolicy")) {
            return value.isEmpty() ? value : normalizeRedrive(value);
        }
        if (OPAQUE.contains(key) || key.equals("FifoQueue")) {
            return value;
        }
        throw SqsError.invalidAttributeName(key);
    }

    private String normalizeRedrive(String value) {
        JsonNode policy = SqsEmulator.readObject(value);
        String target = policy == null ? "" : policy.path("deadLetterTargetArn").asText("");
        int max = policy == null ? 0 : policy.path("maxReceiveCount").asInt(0);
        if (max < 1 || max > 1000) {
            throw SqsError.invalidAttributeValue("RedrivePolicy",
                    "needs a JSON object with deadLetterTargetArn and a maxReceiveCount from 1 to 1000");
        }
        Queue dlq = queuesByArn.apply(target);
        if (dlq == null || dlq == this) {
            throw SqsError.invalidAttributeValue("RedrivePolicy", "Dead letter target does not exist.");
        }
        return "{\"deadLetterTargetArn\":\"" + target + "\",\"maxReceiveCount\":" + max + "}";
    }

    /** Every attribute as GetQueueAttributes "All" reports it, counts included. */
    Map<String, String> attributes() {
        Map<String, String> out = new TreeMap<>(attributes);
        out.put("QueueArn", arn);
        out.put("CreatedTimestamp", String.valueOf(createdTimestamp));
        out.put("LastModifiedTimestamp", String.valueOf(lastModifiedTimestamp));
        locked(() -> {
            settle(System.currentTimeMillis());
            out.put("ApproximateNumberOfMessages", String.valueOf(count(Message.State.VISIBLE)));
            out.put("ApproximateNumberOfMessagesNotVisible", String.valueOf(count(Message.State.IN_FLIGHT)));
            out.put("ApproximateNumberOfMessagesDelayed", String.valueOf(count(Message.State.DELAYED)));
        });
        return out;
    }

    /** Visible plus in-flight messages. */
    int approximateNumberOfMessages() {
        return lockedValue(() -> {
            settle(System.currentTimeMillis());
            return count(Message.State.VISIBLE) + count(Message.State.IN_FLIGHT);
        });
    }

    void send(Message message, int delaySeconds) {
        locked(() -> {
            long now = System.currentTimeMillis();
            settle(now);
            messages.put(message.id, message);
            if (delaySeconds > 0) {
                hide(message, Message.State.DELAYED, now + delaySeconds * 1000L);
            } else {
                show(message);
            }
            changed.signalAll();
        });
    }

    /**
     * Hands out up to max visible messages, waiting up to waitMillis for the first. A message already received
     * maxReceiveCount times goes to the dead-letter queue instead, as in AWS, unless that queue is gone.
     */
    List<Delivery> receive(int max, int visibilitySeconds, long waitMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (true) {
            List<Delivery> out = new ArrayList<>();
            List<Message> expelled = new ArrayList<>();
            Redrive policy = redrive;
            Queue dlq = policy == null ? null : queuesByArn.apply(policy.targetArn());
            lock.lock();
            try {
                long now = System.currentTimeMillis();
                settle(now);
                long oldestKept = now - intAttribute("MessageRetentionPeriod") * 1000L;
                while (out.size() < max && !visible.isEmpty()) {
                    Message m = visible.poll();
                    if (m.state != Message.State.VISIBLE) {
                        continue; // deleted or purged while it waited in line
                    }
                    if (m.sentTimestamp <= oldestKept) {
                        remove(m); // expired: a redriven message, out of SentTimestamp order, that settle() missed
                        continue;
                    }
                    if (dlq != null && m.receiveCount >= policy.maxReceiveCount()) {
                        remove(m);
                        expelled.add(m);
                        continue;
                    }
                    m.receiveCount++;
                    m.firstReceiveTimestamp = m.receiveCount == 1 ? now : m.firstReceiveTimestamp;
                    m.receiptHandle = newReceiptHandle(m.id);
                    hide(m, Message.State.IN_FLIGHT, now + visibilitySeconds * 1000L);
                    out.add(new Delivery(m, m.receiptHandle, m.receiveCount, m.firstReceiveTimestamp));
                }
                long remaining = deadline - System.nanoTime();
                if (out.isEmpty() && expelled.isEmpty()) {
                    if (remaining <= 0 || deleted) {
                        return out;
                    }
                    changed.awaitNanos(Math.min(remaining, nanosUntilNextWakeup(now)));
                    continue;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return List.of();
            } finally {
                lock.unlock();
            }
            // Outside our lock, so two queues redriving into each other cannot deadlock.
            expelled.forEach(m -> dlq.send(m.redriven(), 0));
            if (!out.isEmpty() || System.nanoTime() - deadline >= 0) {
                return out;
            }
        }
    }

    /** Deletes the message if the handle is its latest; an older or unknown handle is silently accepted, as in AWS. */
    void delete(String receiptHandle) {
        String id = messageId(receiptHandle);
        locked(() -> {
            Message m = messages.get(id);
            if (m != null && receiptHandle.equals(m.receiptHandle)) {
                remove(m);
            }
        });
    }

    void changeVisibility(String receiptHandle, int seconds) {
        String id = messageId(receiptHandle);
        locked(() -> {
            long now = System.currentTimeMillis();
            settle(now);
            Message m = messages.get(id);
            if (m == null) {
                throw SqsError.invalidParameter("Value " + receiptHandle + " for parameter ReceiptHandle is invalid."
                        + " Reason: Message does not exist or is not available for visibility timeout change.");
            }
            if (m.state != Message.State.IN_FLIGHT || !receiptHandle.equals(m.receiptHandle)) {
                throw new SqsError(400, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight",
                        "The message referred to is not in flight.");
            }
            if (seconds == 0) {
                show(m);
            } else {
                hide(m, Message.State.IN_FLIGHT, now + seconds * 1000L);
            }
            changed.signalAll(); // a long poll may now have an earlier wake-up to wait for
        });
    }

    void purge() {
        locked(() -> {
            messages.values().forEach(m -> m.state = Message.State.GONE);
            messages.clear();
            visible.clear();
            hidden.clear();
            Arrays.fill(counts, 0);
        });
    }

    /** Wakes long polls on a deleted queue so they return empty instead of waiting out their time. */
    void markDeleted() {
        locked(() -> {
            deleted = true;
            changed.signalAll();
        });
    }

    /** Promotes hidden messages whose time has come and drops messages past the retention period. */
    private void settle(long now) {
        while (!hidden.isEmpty() && hidden.peek().at() <= now) {
            Wakeup w = hidden.poll();
            Message m = w.message();
            boolean hiddenStill = m.state == Message.State.DELAYED || m.state == Message.State.IN_FLIGHT;
            if (w.generation() == m.generation && hiddenStill) {
                show(m);
            }
        }
        long oldestKept = now - intAttribute("MessageRetentionPeriod") * 1000L;
        for (var it = messages.values().iterator(); it.hasNext(); ) {
            Message m = it.next();
            if (m.sentTimestamp > oldestKept) {
                break;
            }
            it.remove();
            setState(m, Message.State.GONE);
        }
    }

    private long nanosUntilNextWakeup(long now) {
        Wakeup next = hidden.peek();
        // A millisecond late rather than early, so the wake-up finds the message due.
        return next == null ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(Math.max(0, next.at() - now) + 1);
    }

    private void show(Message m) {
        m.generation++; // makes any pending wake-up for m stale
        setState(m, Message.State.VISIBLE);
        visible.add(m);
    }

    private void hide(Message m, Message.State state, long until) {
        m.generation++;
        setState(m, state);
        hidden.add(new Wakeup(until, m.generation, m));
    }

    private void remove(Message m) {
        messages.remove(m.id);
        setState(m, Message.State.GONE);
    }

    private void setState(Message m, Message.State state) {
        if (m.state != null) {
            counts[m.state.ordinal()]--;
        }
        m.state = state;
        counts[state.ordinal()]++;
    }

    private int count(Message.State state) {
        return counts[state.ordinal()];
    }

    private void locked(Runnable action) {
        lockedValue(() -> {
            action.run();
            return null;
        });
    }

    private <T> T lockedValue(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    /** Handles carry the message id so lookups are a map access, plus a random part so each receive's is unique. */
    private static String newReceiptHandle(String messageId) {
        byte[] raw = (messageId + " " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    private static String messageId(String receiptHandle) {
        try {
            String raw = new String(Base64.getUrlDecoder().decode(receiptHandle), StandardCharsets.UTF_8);
            if (raw.indexOf(' ') > 0) {
                return raw.substring(0, raw.indexOf(' '));
            }
        } catch (IllegalArgumentException e) {
            // not base64: reported below
        }
        throw new SqsError(400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid",
                "The input receipt handle \"" + receiptHandle + "\" is not a valid receipt handle.");
    }
}
