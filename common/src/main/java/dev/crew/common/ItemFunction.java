package dev.crew.common;

/**
 * A task bound to its parameters: turns one input item into one result.
 *
 * <p>The result is rendered as JSON: numbers, strings, booleans, maps, lists and records all work.
 * Throwing records an error against this item only, after the job's retries; {@link
 * IllegalArgumentException} is the way to say "bad item" in one line, and is not retried (a bad
 * item stays bad).
 */
@FunctionalInterface
public interface ItemFunction {
  Object apply(String item) throws Exception;
}
