package io.fabric8.mockwebserver.crud;

import java.util.Map;

/**
 * For the agent benchmark's API server: {@link AttributeSet#matches} with the same result, in time
 * proportional to the query's attributes. The mock's own test runs a stream per stored object and,
 * for each equality attribute, a linear {@code containsValue} over the object's attributes (its
 * labels included): about 100 microseconds per stored object on the benchmark machine, seconds per
 * LIST of 10,000. In this package because {@code AttributeSet.attributes} is package-private.
 */
public final class BenchAttributeMatch {
  private BenchAttributeMatch() {}

  public static boolean matches(AttributeSet stored, AttributeSet query) {
    for (Map.Entry<Key, Attribute> wanted : query.attributes.entrySet()) {
      Attribute attribute = wanted.getValue();
      if (attribute.getType() == AttributeType.WITH) {
        // satisfiesAttribute(WITH) is containsValue(attribute); keys are unique, so this is it
        if (!attribute.equals(stored.attributes.get(wanted.getKey()))) {
          return false;
        }
      } else if (!stored.matches(new AttributeSet(attribute))) {
        return false;
      }
    }
    return true;
  }
}
