package io.github.idem.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jspecify.annotations.Nullable;

/**
 * The payments of one drill and how the hostile network treats each of them, derived from a seed
 * alone (the keys also carry the run id). Immutable once generated.
 *
 * <p>Every payment is submitted at least once. On top of that, independently: its first submission
 * may be sent twice at the same instant (a concurrent duplicate); replies may be lost, so the
 * client retries a request that in fact succeeded, and a few clients give up after a lost reply;
 * the client may retry at random after a good reply; and a few payments see their key reused for a
 * different amount afterwards, which the service must refuse. With a decline rate, a share of the
 * payments is made with a card the issuer declines; that draw comes from a generator of its own, so
 * the rest of the plan is the same for a seed whatever the rate.
 */
final class PaymentPlan {
  /**
   * One payment and its fate.
   *
   * @param index position in the plan, 0-based
   * @param key the idempotency key, unique to this run
   * @param request what the client pays
   * @param concurrentDuplicate whether the first submission is sent twice at the same instant
   * @param lostReplies how many successful replies in a row the network loses (each is retried)
   * @param givesUp whether the client stops after the lost replies without ever seeing a reply; the
   *     payment is then charged but not acknowledged
   * @param extraRetries submissions the client repeats after a good reply anyway
   * @param reused a different request sent later with the same key, or null
   */
  record Payment(
      int index,
      String key,
      PaymentRequest request,
      boolean concurrentDuplicate,
      int lostReplies,
      boolean givesUp,
      int extraRetries,
      @Nullable PaymentRequest reused) {}

  static final double CONCURRENT_DUPLICATE_SHARE = 0.15;
  static final double LOST_REPLY_SHARE = 0.15;
  static final double SECOND_LOST_REPLY_SHARE = 0.3;
  static final double GIVE_UP_SHARE = 0.02;
  static final double RANDOM_RETRY_SHARE = 0.25;

  /** Per payment; with about 1.8 submissions per payment this is about 2% of all submissions. */
  static final double REUSED_KEY_SHARE = 0.035;

  static final String CURRENCY = "EUR";

  /** Mixed into the seed of the decline draw, so it is independent of the other draws. */
  private static final long DECLINE_SEED_MIX = 0x9E3779B97F4A7C15L;

  private static final int CUSTOMERS = 500;

  private final String runId;
  private final List<Payment> payments;

  private PaymentPlan(String runId, List<Payment> payments) {
    this.runId = runId;
    this.payments = payments;
  }

  /**
   * Generates the plan.
   *
   * @param runId prefix of every key, so runs never share keys
   */
  static PaymentPlan generate(int operations, long seed, String runId) {
    return generate(operations, seed, runId, 0);
  }

  /**
   * Generates the plan with a share of declined cards.
   *
   * @param runId prefix of every key, so runs never share keys
   * @param declineRate share of payments made with a card the issuer declines, 0 to 1
   */
  static PaymentPlan generate(int operations, long seed, String runId, double declineRate) {
    SplittableRandom random = new SplittableRandom(seed);
    SplittableRandom declines = new SplittableRandom(seed ^ DECLINE_SEED_MIX);
    List<Payment> payments = new ArrayList<>(operations);
    for (int i = 0; i < operations; i++) {
      String key = String.format("%s-pay-%07d", runId, i);
      PaymentRequest request =
          new PaymentRequest(
              random.nextLong(100, 500_000),
              CURRENCY,
              String.format("cus_%04d", random.nextInt(CUSTOMERS)),
              declines.nextDouble() < declineRate
                  ? PaymentRequest.DECLINED_CARD
                  : PaymentRequest.GOOD_CARD);
      boolean duplicate = random.nextDouble() < CONCURRENT_DUPLICATE_SHARE;
      int lost = 0;
      if (random.nextDouble() < LOST_REPLY_SHARE) {
        lost = random.nextDouble() < SECOND_LOST_REPLY_SHARE ? 2 : 1;
      }
      boolean givesUp = random.nextDouble() < GIVE_UP_SHARE;
      int retries = random.nextDouble() < RANDOM_RETRY_SHARE ? 1 + random.nextInt(2) : 0;
      PaymentRequest reused = null;
      if (random.nextDouble() < REUSED_KEY_SHARE) {
        reused =
            new PaymentRequest(
                request.amountCents() + random.nextLong(1, 10_000),
                request.currency(),
                request.customer(),
                request.card());
      }
      payments.add(new Payment(i, key, request, duplicate, lost, givesUp, retries, reused));
    }
    return new PaymentPlan(runId, List.copyOf(payments));
  }

  String runId() {
    return runId;
  }

  /** Every payment, in the order clients pick them up. */
  List<Payment> payments() {
    return payments;
  }

  /** The payment of a key of this plan, or -1 for a key of another run. */
  int indexOf(String key) {
    String prefix = runId + "-pay-";
    if (!key.startsWith(prefix)) {
      return -1;
    }
    try {
      int index = Integer.parseInt(key.substring(prefix.length()));
      return index < payments.size() ? index : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
